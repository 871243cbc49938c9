/* SPDX-License-Identifier: BSD-3-Clause */
/* Read-only replies of the manager: info, vfs, vf,N, ops, debug/card. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_pmd_qdma.h>

#include "svff_mgr.h"

static void
add_card(const struct svff *s, json_t *r)
{
	const struct svff_config *c = &s->cfg;
	struct rte_pmd_qdma_info info;
	struct rte_pmd_qdma_mbox_stats ms;
	unsigned int n = 0;

	json_object_set_new(r, "card_type", json_string(svff_card_type_name(c->card.type)));
	if (c->card.type == SVFF_CARD_PCI) {
		json_object_set_new(r, "card_pci", json_string(c->card.pci));
	} else {
		json_object_set_new(r, "card_socket", json_string(c->card.socket));
		json_object_set_new(r, "card_queues", json_integer(c->card.queues));
		json_object_set_new(r, "card_total_vfs", json_integer(c->card.total_vfs));
		json_object_set_new(r, "card_personality",
			json_string(svff_personality_name(c->card.personality)));
	}
	json_object_set_new(r, "pf_port", json_integer(s->pf_port));
	if (rte_pmd_qdma_get_info(s->pf_port, &info) == 0) {
		json_object_set_new(r, "pf_function", json_integer(info.func_id));
		json_object_set_new(r, "card_num_queues", json_integer(info.num_qs));
		json_object_set_new(r, "card_ip", json_string(info.fw_version));
		json_object_set_new(r, "card_ip_version", json_integer(info.ip_version));
	}
	if (rte_pmd_qdma_sriov_get_numvfs(s->pf_port, &n) == 0)
		json_object_set_new(r, "numvfs", json_integer(n));
	json_object_set_new(r, "totalvfs", json_integer(s->totalvfs));
	if (rte_pmd_qdma_mbox_stats(s->pf_port, &ms) == 0) {
		json_object_set_new(r, "mbox_rx", json_integer((json_int_t)ms.rx));
		json_object_set_new(r, "mbox_tx", json_integer((json_int_t)ms.tx));
		json_object_set_new(r, "mbox_rejected", json_integer((json_int_t)ms.rejected));
		json_object_set_new(r, "mbox_dropped", json_integer((json_int_t)ms.dropped));
	}
}

json_t *
svff_report_info(struct svff *s)
{
	const struct svff_config *c = &s->cfg;
	json_t *r = json_object(), *states = json_object();
	unsigned int count[SVFF_VF_NB_STATES] = { 0 };
	uint64_t polls = s->polls_busy + s->polls_idle;

	json_object_set_new(r, "name", json_string("svffd"));
	json_object_set_new(r, "version", json_string(SVFF_VERSION_STRING));
	json_object_set_new(r, "state", json_string(s->lop.active ? "running (init)" : "running"));
	json_object_set_new(r, "config", json_string(c->path[0] ? c->path : "(defaults)"));
	add_card(s, r);
	json_object_set_new(r, "vfs", json_integer(s->numvfs));
	json_object_set_new(r, "vf_queues", json_integer(c->vfs.queues));
	json_object_set_new(r, "queues_total", json_integer(s->qm.nb_queues));
	json_object_set_new(r, "queues_free", json_integer(svff_qm_free(&s->qm)));
	json_object_set_new(r, "queues_largest_free", json_integer(svff_qm_largest_gap(&s->qm)));
	json_object_set_new(r, "pf_queues", json_integer(s->qm.fn[0].len));
	for (unsigned int vf = 0; vf < s->numvfs; vf++)
		count[s->vf[vf].state]++;
	for (unsigned int st = SVFF_VF_READY; st < SVFF_VF_NB_STATES; st++)
		json_object_set_new(states, svff_vf_state_name(st), json_integer(count[st]));
	json_object_set_new(r, "vf_states", states);
	json_object_set_new(r, "manager_lcore", json_integer(s->manager_lcore));
	json_object_set_new(r, "numa_node", json_integer(s->numa_node));
	json_object_set_new(r, "manager_polls_busy", json_integer((json_int_t)s->polls_busy));
	json_object_set_new(r, "manager_polls_idle", json_integer((json_int_t)s->polls_idle));
	/* poll/idle ratio in parts per million of the manager's rounds */
	json_object_set_new(r, "manager_busy_ppm", json_integer(polls ?
		(json_int_t)(s->polls_busy * 1000000u / polls) : 0));
	json_object_set_new(r, "manager_sleep_ms", json_integer((json_int_t)(s->sleep_us_total /
		1000u)));
	json_object_set_new(r, "manager_wakeups", json_integer((json_int_t)s->wakeups));
	json_object_set_new(r, "uptime_s", json_integer((json_int_t)svff_uptime_s(s)));
	json_object_set_new(r, "journal", json_string(svff_journal_path(s->journal)));
	json_object_set_new(r, "journal_records", json_integer((json_int_t)
		svff_journal_count(s->journal)));
	json_object_set_new(r, "invariant_errors", json_integer(s->invariant_errors));
	json_object_set_new(r, "ops_running", json_integer(s->lop.active || s->batch.active));
	json_object_set_new(r, "hypervisor", svff_hv_info_json(s));
	return r;
}

/* One line per VF: "<state> <qmax>@<qbase>[ <vm>]". */
json_t *
svff_report_vfs(struct svff *s)
{
	json_t *arr = json_array();

	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		const struct svff_vf *v = &s->vf[vf];
		const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];
		char line[96];

		snprintf(line, sizeof(line), "%s %u@%d%s%s", svff_vf_state_name(v->state), r->len,
			r->base, svff_vf_has_vm(v) ? " " : "", v->vm);
		json_array_append_new(arr, json_string(line));
	}
	return json_pack("{s:i, s:i, s:o}", "numvfs", (int)s->numvfs, "totalvfs",
		(int)s->totalvfs, "vfs", arr);
}

json_t *
svff_report_vf(struct svff *s, unsigned int vf)
{
	const struct svff_vf *v = &s->vf[vf];
	const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];
	struct rte_pmd_qdma_fn_state st;
	uint32_t fb = 0, fq = 0;
	json_t *o, *mb;

	o = json_pack("{s:i, s:i, s:s, s:s, s:i, s:i, s:s}", "vf", (int)vf, "func",
		svff_vf_func(s, vf), "state", svff_vf_state_name(v->state), "vm", v->vm,
		"qbase", r->base, "qmax", (int)r->len, "reason", v->reason);
	json_object_set_new(o, "pauses", json_integer((json_int_t)v->pauses));
	json_object_set_new(o, "unpauses", json_integer((json_int_t)v->unpauses));
	json_object_set_new(o, "forced_pauses", json_integer((json_int_t)v->forced_pauses));
	if (v->state == SVFF_VF_PAUSED) {
		json_object_set_new(o, "pause_path", json_string(v->pause_path));
		json_object_set_new(o, "saved_queues", json_integer(v->nsnap));
	}
	json_object_set_new(o, "last_pause_path", json_string(v->last_path));
	if (rte_pmd_qdma_fmap_get(s->pf_port, svff_vf_func(s, vf), &fb, &fq) == 0) {
		json_object_set_new(o, "fmap_qbase", json_integer(fb));
		json_object_set_new(o, "fmap_qmax", json_integer(fq));
	}
	if (rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) == 0) {
		json_object_set_new(o, "online", json_integer(st.online));
		json_object_set_new(o, "window_qbase", json_integer(st.qbase));
		json_object_set_new(o, "window_qmax", json_integer(st.qmax));
		json_object_set_new(o, "active_h2c", json_integer(st.active_h2c));
		json_object_set_new(o, "active_c2h", json_integer(st.active_c2h));
		json_object_set_new(o, "active_cmpt", json_integer(st.active_cmpt));
		mb = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "rx", (json_int_t)st.mbox_rx,
			"tx", (json_int_t)st.mbox_tx, "rejected", (json_int_t)st.mbox_rejected,
			"dropped", (json_int_t)st.mbox_dropped, "send_timeouts",
			(json_int_t)st.send_timeouts, "resets", (json_int_t)st.resets);
		json_object_set_new(o, "mbox", mb);
	}
	json_object_set_new(o, "stats", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
		"attaches", (json_int_t)v->attaches, "detaches", (json_int_t)v->detaches,
		"gone_events", (json_int_t)v->gone_events, "stuck_events",
		(json_int_t)v->stuck_events, "flood_events", (json_int_t)v->flood_events,
		"byes", (json_int_t)v->byes));
	json_object_set_new(o, "last_op", json_string(v->last_op));
	json_object_set_new(o, "last_op_id", json_integer((json_int_t)v->last_op_id));
	json_object_set_new(o, "last_op_us", json_integer((json_int_t)v->last_op_us));
	return o;
}

/* Size of @p o as JSON text. */
static size_t
json_len(const json_t *o)
{
	char *t = json_dumps(o, JSON_COMPACT);
	size_t n = t != NULL ? strlen(t) : 0;

	free(t);
	return n;
}

/*
 * The running op (if any) and the last SVFF_OPS_KEPT, newest first, keyed
 * op_<id>; the oldest are left out if they would not fit one telemetry
 * reply ("omitted" says how many).
 */
json_t *
svff_report_ops(struct svff *s)
{
	json_t *r = json_object(), *ops = json_object();
	unsigned int omitted = 0;

	json_object_set_new(r, "running", s->lop.active ? svff_op_json(s->lop.op) :
		s->batch.active ? svff_batch_progress(s) : json_string(""));
	json_object_set_new(r, "count", json_integer(s->ops_count));
	for (unsigned int i = 0; i < s->ops_count; i++) {
		unsigned int k = (s->ops_head + SVFF_OPS_KEPT - 1 - i) % SVFF_OPS_KEPT;
		json_t *o = svff_op_json(&s->ops[k]);
		char key[32];

		if (omitted > 0 || json_len(r) + json_len(ops) + json_len(o) + 64 >
				SVFF_REPLY_BUDGET) {
			json_decref(o);
			omitted++;
			continue;
		}
		snprintf(key, sizeof(key), "op_%" PRIu64, s->ops[k].id);
		json_object_set_new(ops, key, o);
	}
	json_object_set_new(r, "omitted", json_integer(omitted));
	json_object_set_new(r, "ops", ops);
	return r;
}

/*
 * Debug, read-only: what the card and the PMD hold, for tests that check
 * nothing changed: the FMAP of the PF and of every VF (read from the card),
 * the PMD's windows and the grants svffd made (tokens hashed: the reply
 * must not leak them).
 */
json_t *
svff_report_card(struct svff *s)
{
	json_t *fmap = json_array(), *win = json_array(), *grants = json_array();
	unsigned int n = 0;

	for (unsigned int f = 0; f < s->vf_func_base + s->totalvfs; f++) {
		uint32_t qb = 0, qm = 0;
		struct rte_pmd_qdma_fn_state st;
		char line[48];

		if (f != 0 && f < s->vf_func_base)
			continue;
		bool vf_on = f >= s->vf_func_base && f - s->vf_func_base < s->numvfs;

		if (rte_pmd_qdma_fmap_get(s->pf_port, (uint16_t)f, &qb, &qm) < 0)
			qb = qm = UINT32_MAX;
		if (f == 0 || vf_on || qm != 0) {   /* beyond numvfs: only what is left over */
			snprintf(line, sizeof(line), "%u:%u+%u", f, qb, qm);
			json_array_append_new(fmap, json_string(line));
		}
		if (f != 0 && rte_pmd_qdma_fn_state(s->pf_port, (uint16_t)f, &st) == 0 &&
		    (vf_on || st.qmax != 0)) {
			snprintf(line, sizeof(line), "%u:%d+%u", f, st.qbase, st.qmax);
			json_array_append_new(win, json_string(line));
		}
	}
	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		char line[48];

		if (s->vf[vf].token == 0)
			continue;
		snprintf(line, sizeof(line), "vf%u:%08" PRIx64, vf,
			(uint64_t)((s->vf[vf].token * UINT64_C(0x9E3779B97F4A7C15)) >> 32));
		json_array_append_new(grants, json_string(line));
	}
	rte_pmd_qdma_sriov_get_numvfs(s->pf_port, &n);
	return json_pack("{s:i, s:o, s:o, s:o}", "numvfs", (int)n, "fmap", fmap, "windows", win,
		"grants", grants);
}
