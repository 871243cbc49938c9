/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Operations that pause VFs (design §4, issue 10): pause vf=N|all, unpause
 * vf=N|all, and reconf of the quotas of a set of VFs, of the VF count, and of
 * the card's user logic.
 *
 * A batch sends PAUSE to every VF it must stop and the manager polls the
 * answers between other work (svff_batch_step()): telemetry answers meanwhile
 * and /svff/ops shows how many of the VFs are paused and each one's path.  A
 * VF that cannot answer (no extension, no driver) or does not answer by the
 * timeout is paused by force.  When every VF is paused the batch acts (per
 * kind, act[] below) and a reconf unpauses the VFs it paused.  Each is one
 * journaled operation: intent before it acts, the VFs' entries (with the
 * snapshots of the paused ones) after.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_mgr.h"

/** Time a VF has to answer PAUSE (mailbox.pause_timeout_ms 0). */
#define SVFF_PAUSE_TIMEOUT_MS 5000u

/** What the reply of a VF count change advises. */
#define ELASTIC_ADVICE "provision the most VFs you need at init (elastic VFs): a count " \
	"change stops every VF; most lose their device"

static const char *const personalities[] = { "loopback", "generator", "sink" };

/* ------------------------------------------------------------ helpers */

static uint64_t
pause_timeout_us(const struct svff *s)
{
	return 1000ull * (s->cfg.mailbox.pause_timeout_ms ? s->cfg.mailbox.pause_timeout_ms :
		SVFF_PAUSE_TIMEOUT_MS);
}

/* "N" or "all" (VFs [0, numvfs)); a refusal otherwise. */
static json_t *
parse_which(const struct svff *s, const char *which, uint32_t *lo, uint32_t *hi)
{
	if (strcmp(which, "all") == 0) {
		*lo = 0;
		*hi = s->numvfs;
		return NULL;
	}
	if (svff_params_uint(which, 0, SVFF_MAX_VFS - 1, lo) < 0)
		return svff_error("bad-number", "'vf' must be a VF number or 'all'");
	*hi = *lo + 1;
	return svff_check_vf(s, *lo);
}

/* "A-B" or "N" or "all" for reconf vfs=. */
static json_t *
parse_range(const struct svff *s, const char *text, uint32_t *lo, uint32_t *hi)
{
	char a[SVFF_PARAMS_NAME_MAX + 1], *dash;
	uint32_t last;

	if (strcmp(text, "all") == 0) {
		*lo = 0;
		*hi = s->numvfs;
		return s->numvfs ? NULL : svff_error("no-such-vf", "no VF is enabled");
	}
	snprintf(a, sizeof(a), "%s", text);
	dash = strchr(a, '-');
	if (dash != NULL)
		*dash = '\0';
	if (svff_params_uint(a, 0, SVFF_MAX_VFS - 1, lo) < 0 ||
	    svff_params_uint(dash ? dash + 1 : a, 0, SVFF_MAX_VFS - 1, &last) < 0 || last < *lo)
		return svff_error("bad-range", "'vfs' must be A-B (A <= B), a VF number or 'all'");
	*hi = last + 1;
	return svff_check_vf(s, last);
}

static int
vf_of_func(const struct svff *s, uint16_t func)
{
	if (func < s->vf_func_base || (uint32_t)(func - s->vf_func_base) >= s->totalvfs)
		return -1;
	return func - s->vf_func_base;
}

static struct svff_bvf *
batch_add(struct svff_batch *b, unsigned int vf, bool pause, const char *what)
{
	struct svff_bvf *e = &b->e[b->n++];

	e->vf = (uint16_t)vf;
	e->pause = pause;
	e->st = pause ? SVFF_BVF_WAIT : SVFF_BVF_IDLE;
	snprintf(e->what, sizeof(e->what), "%s", what);
	return e;
}

static struct svff_bvf *
batch_find(struct svff_batch *b, unsigned int vf)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (b->e[i].vf == vf)
			return &b->e[i];
	return NULL;
}

static void
batch_reset(struct svff *s, enum svff_batch_kind kind, struct svff_req *req)
{
	struct svff_batch *b = &s->batch;

	free(b->plan);
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->req = req;
}

static uint32_t
batch_count(const struct svff_batch *b, int st)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < b->n; i++)
		n += b->e[i].pause && (st < 0 || b->e[i].st == st);
	return n;
}

/* How a VF of the batch stands: its pause path, "waiting", or the batch's word for it. */
static const char *
bvf_word(const struct svff *s, const struct svff_bvf *e)
{
	if (!e->pause)
		return e->what;
	switch (e->st) {
	case SVFF_BVF_WAIT:
	case SVFF_BVF_NOW:
		return "waiting";
	case SVFF_BVF_RESET:
		return "resetting";
	case SVFF_BVF_FAILED:
		return "failed";
	default:
		return s->vf[e->vf].last_path;
	}
}

/* The op's detail line ("0:cooperative 3:forced ..."), cut at its size. */
static void
batch_detail(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	char *d = b->op->detail;
	size_t k = 0, cap = sizeof(b->op->detail);

	d[0] = '\0';
	for (uint32_t i = 0; i < b->n && k < cap; i++) {
		const struct svff_bvf *e = &b->e[i];
		int w = snprintf(d + k, cap - k, "%s%u:%s%s%s", k ? " " : "", e->vf,
			bvf_word(s, e), e->pause && e->what[0] ? "," : "",
			e->pause ? e->what : "");

		if (w < 0 || (size_t)w >= cap - k) {
			snprintf(d + (cap > 4 ? cap - 4 : 0), 4, "...");
			break;
		}
		k += (size_t)w;
	}
}

/* Journal the outcome: the entries of every VF of the batch below numvfs. */
static void
batch_journal(struct svff *s, const char *phase)
{
	struct svff_batch *b = &s->batch;
	unsigned int vfs[SVFF_MAX_VFS], n = 0;

	for (uint32_t i = 0; i < b->n; i++)
		if (b->e[i].vf < s->numvfs)
			vfs[n++] = b->e[i].vf;
	svff_journal_outcome(s, b->op, phase, vfs, n);
}

/* {"<vf>": {...}} of the batch: each VF's path / outcome and range. */
static json_t *
batch_vfs_json(const struct svff *s)
{
	const struct svff_batch *b = &s->batch;
	json_t *o = json_object();

	for (uint32_t i = 0; i < b->n; i++) {
		const struct svff_bvf *e = &b->e[i];
		const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, e->vf)];
		char key[8];
		json_t *v = json_pack("{s:s, s:s}", "paused", e->pause ? bvf_word(s, e) : "no",
			"state", e->vf < s->numvfs ? svff_vf_state_name(s->vf[e->vf].state) : "absent");

		if (e->what[0] != '\0')
			json_object_set_new(v, "outcome", json_string(e->what));
		if (e->vf < s->numvfs && s->vf[e->vf].last_path[0] != '\0')
			json_object_set_new(v, "path", json_string(s->vf[e->vf].last_path));
		if (e->vf < s->numvfs) {
			json_object_set_new(v, "qbase", json_integer(r->base));
			json_object_set_new(v, "qmax", json_integer(r->len));
		}
		snprintf(key, sizeof(key), "%u", e->vf);
		json_object_set_new(o, key, v);
	}
	return o;
}

/* A batch reply: the op, the counts, each VF. */
static json_t *
batch_reply(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	return json_pack("{s:I, s:i, s:i, s:I, s:o}", "op", (json_int_t)b->op->id,
		"total", (int)b->n, "paused", (int)batch_count(b, SVFF_BVF_PAUSED),
		"duration_us", (json_int_t)b->op->dur_us, "vfs", batch_vfs_json(s));
}

/* Send PAUSE to the batch's VFs; the manager then polls (svff_batch_step()). */
static void
batch_ask(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		int rc;

		if (!e->pause)
			continue;
		rc = svff_pause_ask(s, e->vf);
		if (rc < 0)
			SVFF_LOG(WARNING, "VF %u: PAUSE could not be sent (%s): paused by force",
				e->vf, rte_strerror(-rc));
		e->st = rc == 1 ? SVFF_BVF_WAIT : rc == 2 ? SVFF_BVF_RESET : SVFF_BVF_NOW;
	}
	b->deadline_us = svff_mono_us() + pause_timeout_us(s);
	b->active = true;
}

/* Unpause the VFs the batch paused (at their current windows). */
static void
batch_resume(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];

		if (e->pause && e->st == SVFF_BVF_PAUSED && svff_pause_resume(s, e->vf) < 0)
			snprintf(e->what, sizeof(e->what), "not-resumed");
	}
}

static void
batch_answer(struct svff *s, json_t *reply)
{
	struct svff_batch *b = &s->batch;

	if (b->req != NULL)
		svff_req_finish(b->req, reply);
	else
		json_decref(reply);
	b->req = NULL;
	b->active = false;
	free(b->plan);
	b->plan = NULL;
}

/* ------------------------------------------------------------ pause */

static json_t *
act_pause(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	uint32_t ok = batch_count(b, SVFF_BVF_PAUSED), coop = 0;
	json_t *reply;

	for (uint32_t i = 0; i < b->n; i++)
		coop += b->e[i].st == SVFF_BVF_PAUSED &&
			strcmp(s->vf[b->e[i].vf].pause_path, "cooperative") == 0;
	if (b->one && ok == 0)
		return svff_op_failed(s, b->op, b->e[0].vf, "card-refused",
			"the VF's queue contexts could not be saved");
	batch_journal(s, "done");
	svff_crash_point(s, "pause", "done");
	batch_detail(s);
	svff_op_end(s, b->op, SVFF_OP_DONE, b->one ? (int)b->e[0].vf : -1,
		"%u of %u VF(s) paused (%u cooperative, %u reset or forced)", ok, b->n, coop,
		ok - coop);
	if (!b->one)
		return batch_reply(s);
	reply = svff_op_reply(b->op, b->e[0].vf, s);
	json_object_set_new(reply, "path", json_string(s->vf[b->e[0].vf].pause_path));
	json_object_set_new(reply, "saved_queues", json_integer(s->vf[b->e[0].vf].nsnap));
	return reply;
}

json_t *
svff_batch_pause(struct svff *s, struct svff_req *req, const char *which)
{
	struct svff_batch *b = &s->batch;
	char target[96];
	uint32_t lo, hi;
	json_t *reply = parse_which(s, which, &lo, &hi), *list;

	if (reply != NULL)
		return reply;
	if (hi - lo == 1 && s->vf[lo].state != SVFF_VF_ATTACHED)
		return svff_error("wrong-state", "VF %u is %s: only an attached VF can be paused",
			lo, svff_vf_state_name(s->vf[lo].state));
	batch_reset(s, SVFF_BATCH_PAUSE, req);
	b->one = strcmp(which, "all") != 0;
	list = json_array();
	for (uint32_t vf = lo; vf < hi; vf++) {
		if (s->vf[vf].state != SVFF_VF_ATTACHED)
			continue;
		batch_add(b, vf, true, "");
		json_array_append_new(list, json_integer(vf));
	}
	if (b->one)
		snprintf(target, sizeof(target), "vf%u vm=%s", lo, s->vf[lo].vm);
	else
		snprintf(target, sizeof(target), "all (%u attached)", b->n);
	b->op = svff_op_begin(s, "pause", target, b->n);
	if (svff_journal_intent(s, b->op, b->one ? json_pack("{s:i, s:s}", "vf", (int)lo, "vm",
			s->vf[lo].vm) : json_pack("{s:s, s:o}", "vfs", "all", "list", list)) < 0) {
		if (b->one)
			json_decref(list);
		return svff_op_failed(s, b->op, b->one ? (int)lo : -1, "journal",
			"cannot write the journal");
	}
	if (b->one)
		json_decref(list);
	svff_crash_point(s, "pause", "intent");
	if (b->n == 0) {
		svff_op_end(s, b->op, SVFF_OP_DONE, -1, "no attached VF to pause");
		return batch_reply(s);
	}
	batch_ask(s);
	return NULL;   /* answered when every VF is paused */
}

/* ------------------------------------------------------------ unpause */

json_t *
svff_batch_unpause(struct svff *s, const char *which)
{
	struct svff_batch *b = &s->batch;
	uint32_t lo, hi, ok = 0, nq = 0;
	char target[96];
	json_t *reply = parse_which(s, which, &lo, &hi);

	if (reply != NULL)
		return reply;
	if (hi - lo == 1 && s->vf[lo].state != SVFF_VF_PAUSED)
		return svff_error("not-paused", "VF %u is %s: only a paused VF can be unpaused", lo,
			svff_vf_state_name(s->vf[lo].state));
	batch_reset(s, SVFF_BATCH_PAUSE, NULL);
	b->one = strcmp(which, "all") != 0;
	for (uint32_t vf = lo; vf < hi; vf++)
		if (s->vf[vf].state == SVFF_VF_PAUSED)
			batch_add(b, vf, false, "");
	if (b->one)
		snprintf(target, sizeof(target), "vf%u vm=%s", lo, s->vf[lo].vm);
	else
		snprintf(target, sizeof(target), "all (%u paused)", b->n);
	b->op = svff_op_begin(s, "unpause", target, b->n);
	if (svff_journal_intent(s, b->op, b->one ? json_pack("{s:i, s:s}", "vf", (int)lo, "vm",
			s->vf[lo].vm) : json_pack("{s:s}", "vfs", "all")) < 0)
		return svff_op_failed(s, b->op, b->one ? (int)lo : -1, "journal",
			"cannot write the journal");
	svff_crash_point(s, "unpause", "intent");
	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];

		nq = s->vf[e->vf].nsnap;

		if (svff_pause_resume(s, e->vf) < 0) {
			if (b->one)
				return svff_op_failed(s, b->op, (int)e->vf, "card-refused",
					"the VF's queue contexts could not be restored");
			snprintf(e->what, sizeof(e->what), "failed");
			continue;
		}
		snprintf(e->what, sizeof(e->what), "resumed");
		ok++;
		b->op->steps_done++;
		svff_crash_point(s, "unpause", "restored");
	}
	batch_journal(s, "done");
	svff_crash_point(s, "unpause", "done");
	batch_detail(s);
	svff_op_end(s, b->op, SVFF_OP_DONE, b->one ? (int)lo : -1,
		"%u of %u VF(s) resumed", ok, b->n);
	if (!b->one)
		return batch_reply(s);
	reply = svff_op_reply(b->op, lo, s);
	json_object_set_new(reply, "was", json_string(s->vf[lo].last_path));
	json_object_set_new(reply, "restored_queues", json_integer(nq));
	return reply;
}

/* ------------------------------------------------------------ reconf: quotas */

static json_t *
plan_json(const struct svff_qm_plan *p)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < p->nb; i++)
		json_array_append_new(a, json_pack("{s:i, s:i, s:i}", "func", p->mv[i].func,
			"qbase", p->mv[i].to.base, "qmax", (int)p->mv[i].to.len));
	return a;
}

/* Can VF @p vf get @p qmax queues?  A refusal otherwise. */
static json_t *
quota_check(struct svff *s, unsigned int vf, uint32_t qmax)
{
	const struct svff_vf *v = &s->vf[vf];
	struct rte_pmd_qdma_fn_state st;

	if (v->state == SVFF_VF_PAUSED && qmax < svff_pause_min_queues(s, vf))
		return svff_error("in-use", "VF %u is paused with queue %u in use: it needs at "
			"least %u queues", vf, svff_pause_min_queues(s, vf) - 1,
			svff_pause_min_queues(s, vf));
	if (v->state == SVFF_VF_ATTACHED &&
	    rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) == 0) {
		uint32_t run = RTE_MAX(st.active_h2c, st.active_c2h);

		run = RTE_MAX(run, st.active_cmpt);
		if (qmax < run)
			return svff_error("in-use", "VF %u's driver runs %u queues: it needs at "
				"least as many", vf, run);
	}
	if (v->state == SVFF_VF_FAILED && svff_vf_has_vm(v))
		return svff_error("wrong-state", "VF %u is failed (%s): detach it first", vf,
			v->reason);
	return NULL;
}

static json_t *
act_quota(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	uint32_t moved = 0;
	json_t *reply;
	int rc = batch_count(b, SVFF_BVF_FAILED) ? -EIO : svff_apply_plan(s, b->plan);

	if (rc < 0) {
		SVFF_LOG(ERR, "reconf: %s: %s", rc == -EIO ? "a VF could not be paused" :
			"the card refused the layout", rte_strerror(-rc));
		for (unsigned int i = 0; i < s->numvfs; i++)
			svff_vf_window_sync(s, i);
		batch_resume(s);
		return svff_op_failed(s, b->op, b->one ? (int)b->e[0].vf : -1, "card-refused",
			rc == -EIO ? "a VF's queue contexts could not be saved: nothing changed" :
			"the card refused the new queue layout: nothing changed");
	}
	svff_crash_point(s, "reconf", "placed");
	for (unsigned int i = 0; i < b->plan->nb; i++) {
		int m = vf_of_func(s, b->plan->mv[i].func);

		if (m >= 0)
			s->vf[m].quota = b->plan->mv[i].to.len;
		moved += m >= 0 && b->plan->mv[i].from.base != b->plan->mv[i].to.base &&
			b->plan->mv[i].from.len > 0;
	}
	batch_resume(s);
	b->op->steps_done = b->op->steps_total;
	batch_journal(s, "done");
	svff_crash_point(s, "reconf", "done");
	batch_detail(s);
	svff_op_end(s, b->op, SVFF_OP_DONE, b->one ? (int)b->e[0].vf : -1,
		"%u queue(s) for %s; %u range(s) changed, %u moved, %u VF(s) paused", b->qmax,
		b->op->target, b->plan->nb, moved, batch_count(b, SVFF_BVF_PAUSED));
	reply = b->one ? svff_op_reply(b->op, b->e[0].vf, s) : batch_reply(s);
	json_object_set_new(reply, "moved", json_integer(moved));
	json_object_set_new(reply, "ranges_changed", json_integer(b->plan->nb));
	if (b->one)
		json_object_set_new(reply, "vfs", batch_vfs_json(s));
	else
		json_object_set_new(reply, "qmax", json_integer(b->qmax));
	return reply;
}

static json_t *
reconf_quota(struct svff *s, struct svff_req *req, uint32_t lo, uint32_t hi, uint32_t qmax,
		bool one)
{
	struct svff_batch *b = &s->batch;
	bool movable[SVFF_QM_MAX_FUNCS] = { false }, in_set[SVFF_MAX_VFS] = { false };
	struct svff_qm_req rq[SVFF_MAX_VFS];
	struct svff_qm_plan *plan;
	char target[48];
	json_t *reply;
	int rc;

	for (uint32_t vf = lo; vf < hi; vf++) {
		reply = quota_check(s, vf, qmax);
		if (reply != NULL)
			return reply;
		rq[vf - lo] = (struct svff_qm_req){ svff_vf_func(s, vf), qmax };
		in_set[vf] = true;
	}
	for (unsigned int i = 0; i < s->numvfs; i++)
		movable[svff_vf_func(s, i)] = !in_set[i] && svff_vf_movable(s, i);
	plan = malloc(sizeof(*plan));
	if (plan == NULL)
		return svff_error("no-memory", "out of memory");
	rc = svff_qm_plan(&s->qm, rq, hi - lo, movable, plan);
	if (rc < 0) {
		free(plan);
		return svff_error("no-room", "no room for %u x %u queues: %u free, the largest "
			"free range has %u", hi - lo, qmax, svff_qm_free(&s->qm),
			svff_qm_largest_gap(&s->qm));
	}
	batch_reset(s, SVFF_BATCH_QUOTA, req);
	b->plan = plan;
	b->one = one;
	b->qmax = qmax;
	/* the VFs of the request, then any other VF the plan moves (paused or idle ones) */
	for (uint32_t vf = lo; vf < hi; vf++)
		batch_add(b, vf, false, "unchanged");
	for (unsigned int i = 0; i < plan->nb; i++) {
		int m = vf_of_func(s, plan->mv[i].func);
		struct svff_bvf *e;

		if (m < 0)
			continue;
		e = batch_find(b, (unsigned int)m);
		if (e == NULL)
			e = batch_add(b, (unsigned int)m, false, "");
		snprintf(e->what, sizeof(e->what), "%s", plan->mv[i].from.len == 0 ? "placed" :
			plan->mv[i].from.base == plan->mv[i].to.base ? "kept" : "moved");
		/* an attached VF's range changes only while it is paused */
		e->pause = s->vf[m].state == SVFF_VF_ATTACHED;
		e->st = e->pause ? SVFF_BVF_WAIT : SVFF_BVF_IDLE;
	}
	if (one)
		snprintf(target, sizeof(target), "vf%u qmax=%u", lo, qmax);
	else
		snprintf(target, sizeof(target), "vfs=%u-%u qmax=%u", lo, hi - 1, qmax);
	b->op = svff_op_begin(s, "reconf", target, batch_count(b, -1) + 1);
	if (svff_journal_intent(s, b->op, one ? json_pack("{s:i, s:i, s:o}", "vf", (int)lo,
			"qmax", (int)qmax, "plan", plan_json(plan)) : json_pack("{s:i, s:i, s:i, s:o}",
			"vf_first", (int)lo, "vf_last", (int)hi - 1, "qmax", (int)qmax, "plan",
			plan_json(plan))) < 0) {
		free(b->plan);
		b->plan = NULL;
		return svff_op_failed(s, b->op, one ? (int)lo : -1, "journal",
			"cannot write the journal");
	}
	svff_crash_point(s, "reconf", "intent");
	if (batch_count(b, -1) == 0) {
		reply = act_quota(s);
		free(b->plan);
		b->plan = NULL;
		return reply;
	}
	batch_ask(s);
	return NULL;
}

/* ------------------------------------------------------------ reconf: VF count */

/*
 * The VF count goes N -> 0 -> M: every VF's function is destroyed.  Each
 * attached VF below M is paused first (its driver stops posting and drains:
 * nothing is left in flight).  Then, per VF, what its guest can keep decides
 * (the hypervisor adapter says, svff_hv_keeps_device()):
 *  - "paused": a guest that keeps its device across the change (a VM on the
 *    emulated card: its BAR is a file QEMU maps, its DMA window the VM's RAM)
 *    and whose driver paused cooperatively: the card lets the function go but
 *    the file stays (parked), the re-created function adopts the same file and
 *    RAM (unparked), the PF gets back what it held of the VF's driver (its
 *    HELLO, extension and announced queues: the driver will not say them
 *    again), and the snapshot is restored and RESUME sent.  The guest sees a
 *    pause; nothing is lost.  A VF the user had paused stays paused.
 *  - "re-attached": every other VF (a PCI card's vfio device goes with the
 *    count, a process guest's slot connection is cut; or its driver was reset
 *    or paused by force, or its device could not be taken back): taken from
 *    its VM through the adapter and given back once the count is set (the
 *    guest sees a removal and a hot-plug; on the emulated card the reply has
 *    the new devargs).
 * VFs at or beyond M are taken back ("removed").
 */

/* After the pause: a kept VF must have paused cooperatively (its driver stopped and waits). */
static void
count_decide(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		const struct svff_vf *v = &s->vf[e->vf];

		if (!e->keep || (v->state == SVFF_VF_PAUSED &&
		    strcmp(v->pause_path, "cooperative") == 0))
			continue;
		SVFF_LOG(NOTICE, "VF %u: paused %s, not cooperatively: re-attached instead of "
			"kept", e->vf, v->pause_path[0] ? v->pause_path : "(not)");
		e->keep = false;
		snprintf(e->what, sizeof(e->what), "re-attached");
	}
}

/* Take each VF of the batch from the card: kept ones parked, the others detached. */
static void
count_detach(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		struct svff_vf *v = &s->vf[e->vf];
		struct svff_hv_vf hvf;
		char err[256];

		svff_hv_vf_of(s, e->vf, &hvf);
		if (e->keep) {
			rte_pmd_qdma_vf_reg_get(s->pf_port, hvf.func_id, &e->reg);
			if (svff_hv_park(s->hv, v->vm, &hvf, err, sizeof(err)) == 0)
				continue;
			SVFF_LOG(WARNING, "VF %u: cannot keep it in VM %s (%s): re-attached", e->vf,
				v->vm, err);
			e->keep = false;
			snprintf(e->what, sizeof(e->what), "re-attached");
		}
		if (svff_hv_detach(s->hv, v->vm, &hvf, err, sizeof(err)) < 0)
			SVFF_LOG(WARNING, "VF %u: detach from VM %s: %s", e->vf, v->vm, err);
		svff_pause_drop(s, e->vf);
		v->detaches++;
	}
}

/* A kept VF whose device could not be taken back: detached (the file goes), re-attached. */
static void
count_unkeep(struct svff *s, struct svff_bvf *e, const char *why)
{
	struct svff_vf *v = &s->vf[e->vf];
	struct svff_hv_vf hvf;
	char err[256];

	SVFF_LOG(ERR, "VF %u: its device in VM %s could not be kept (%s): re-attached", e->vf,
		v->vm, why);
	svff_hv_vf_of(s, e->vf, &hvf);
	if (svff_hv_detach(s->hv, v->vm, &hvf, err, sizeof(err)) < 0)
		SVFF_LOG(WARNING, "VF %u: detach from VM %s: %s", e->vf, v->vm, err);
	svff_pause_drop(s, e->vf);
	v->detaches++;
	e->keep = false;
	snprintf(e->what, sizeof(e->what), "re-attached");
}

/*
 * The re-created functions of the kept VFs take their devices back; the PF gets
 * back what it held of their drivers; the snapshots are restored and RESUME sent
 * (a VF the user had paused stays paused).
 */
static void
count_unpark(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	bool any = false;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		struct svff_vf *v = &s->vf[e->vf];
		struct svff_hv_vf hvf;
		char err[256];

		if (!e->keep)
			continue;
		svff_hv_vf_of(s, e->vf, &hvf);
		if (e->vf >= s->numvfs ||
		    svff_hv_unpark(s->hv, v->vm, &hvf, &v->link, err, sizeof(err)) < 0)
			count_unkeep(s, e, e->vf >= s->numvfs ? "the count was not changed" : err);
		else
			any = true;
	}
	if (any)
		svff_mbox_drain(s);   /* nothing of the change may come after what follows */
	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		int rc;

		if (!e->keep)
			continue;
		rc = rte_pmd_qdma_vf_reg_set(s->pf_port, svff_vf_func(s, e->vf), &e->reg);
		if (rc < 0) {
			count_unkeep(s, e, rte_strerror(-rc));
			continue;
		}
		svff_crash_point(s, "reconf", "unparked");
		if (e->pause && svff_pause_resume(s, e->vf) < 0)
			snprintf(e->what, sizeof(e->what), "not-resumed");
	}
}

static void
count_reattach(struct svff *s, json_t *devargs)
{
	struct svff_batch *b = &s->batch;

	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		struct svff_vf *v = &s->vf[e->vf];
		struct svff_hv_grant g;
		struct svff_hv_vf hvf;
		char err[256], key[8];

		if (e->vf >= s->numvfs || e->keep)
			continue;
		svff_hv_vf_of(s, e->vf, &hvf);
		memset(&g, 0, sizeof(g));
		if (svff_hv_attach(s->hv, v->vm, &hvf, &g, err, sizeof(err)) < 0) {
			SVFF_LOG(ERR, "VF %u: cannot give it back to VM %s: %s", e->vf, v->vm,
				err);
			snprintf(e->what, sizeof(e->what), "detached");
			v->state = SVFF_VF_READY;
			v->vm[0] = '\0';
			v->token = 0;
			memset(&v->link, 0, sizeof(v->link));
			continue;
		}
		v->state = SVFF_VF_ATTACHED;
		v->token = g.token;
		v->link = g.vm;
		v->reason[0] = '\0';
		v->stuck_events = 0;
		v->attaches++;
		snprintf(key, sizeof(key), "%u", e->vf);
		if (g.devargs[0] != '\0')
			json_object_set_new(devargs, key, json_string(g.devargs));
	}
}

static uint32_t
count_what(const struct svff_batch *b, const char *what)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < b->n; i++)
		n += strcmp(b->e[i].what, what) == 0;
	return n;
}

static json_t *
act_numvfs(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	uint32_t old = s->numvfs, m = b->numvfs;
	char err[256];
	json_t *devargs = json_object(), *reply;
	int rc;

	count_decide(s);
	count_detach(s);
	svff_crash_point(s, "reconf", "detached");
	for (uint32_t vf = m; vf < old; vf++)   /* the PMD's windows of the VFs that go */
		rte_pmd_qdma_fn_set_queues(s->pf_port, svff_vf_func(s, vf), -1, 0);
	rc = svff_set_numvfs(s, m, err, sizeof(err));
	if (rc < 0) {
		/* the card refused M: the old count is set back, the VFs given back */
		SVFF_LOG(ERR, "reconf: %s", err);
		svff_set_numvfs(s, old, err + strlen(err), 0);
		m = old;
	}
	for (uint32_t vf = m; vf < old; vf++) {
		svff_qm_set(&s->qm, svff_vf_func(s, vf), -1, 0);
		svff_pause_drop(s, vf);
		memset(&s->vf[vf], 0, sizeof(s->vf[vf]));
	}
	s->numvfs = m;
	svff_crash_point(s, "reconf", "enabled");
	if (count_what(b, "paused") > 0)
		svff_mbox_drain(s);   /* the reset notices of the change, before the windows */
	for (unsigned int i = 0; rc == 0 && i < b->plan->nb; i++) {
		int vf = vf_of_func(s, b->plan->mv[i].func);

		if (vf < 0 || (uint32_t)vf < old || (uint32_t)vf >= m)
			continue;
		svff_qm_set(&s->qm, b->plan->mv[i].func, b->plan->mv[i].to.base,
			b->plan->mv[i].to.len);
		memset(&s->vf[vf], 0, sizeof(s->vf[vf]));
		s->vf[vf].state = SVFF_VF_READY;
		s->vf[vf].quota = b->plan->mv[i].to.len;
	}
	for (uint32_t vf = 0; vf < m; vf++)
		if (svff_vf_window_sync(s, vf) < 0)
			SVFF_LOG(ERR, "reconf: VF %u: the card refused its queues", vf);
	count_unpark(s);
	count_reattach(s, devargs);
	b->op->steps_done = b->op->steps_total;
	{
		unsigned int all[SVFF_MAX_VFS];

		for (uint32_t vf = 0; vf < m; vf++)
			all[vf] = vf;
		svff_journal_outcome(s, b->op, "done", all, m);
	}
	svff_crash_point(s, "reconf", "done");
	batch_detail(s);
	if (rc < 0) {
		json_decref(devargs);
		svff_op_end(s, b->op, SVFF_OP_FAILED, -1, "%s (numvfs %u kept, VFs given back)",
			err, old);
		return svff_error("card-refused", "%.60s: numvfs %u kept, the VFs were given "
			"back", err, old);
	}
	svff_op_end(s, b->op, SVFF_OP_DONE, -1, "numvfs %u -> %u; %u VF(s) paused in their VMs, "
		"%u re-attached, %u removed", b->old_numvfs, m, count_what(b, "paused"),
		count_what(b, "re-attached"), count_what(b, "removed"));
	reply = batch_reply(s);
	json_object_set_new(reply, "numvfs_from", json_integer(b->old_numvfs));
	json_object_set_new(reply, "numvfs", json_integer(m));
	json_object_set_new(reply, "devargs", devargs);
	json_object_set_new(reply, "advice", json_string(ELASTIC_ADVICE));
	svff_compact(s);
	return reply;
}

/* Can the guest of VF @p vf keep its device across the count change (the adapter says)? */
static bool
count_keeps(struct svff *s, unsigned int vf)
{
	struct svff_hv_vf hvf;

	svff_hv_vf_of(s, vf, &hvf);
	return svff_hv_keeps_device(s->hv, s->vf[vf].vm, &hvf);
}

static json_t *
reconf_numvfs(struct svff *s, struct svff_req *req, uint32_t m, uint32_t qmax)
{
	struct svff_batch *b = &s->batch;
	struct svff_qm_req rq[SVFF_MAX_VFS];
	struct svff_qm_plan *plan;
	uint32_t old = s->numvfs, nrq = 0;
	char target[48];

	if (m > s->totalvfs)
		return svff_error("out-of-range", "numvfs %u exceeds the card's TotalVFs (%u)", m,
			s->totalvfs);
	if (m == old)
		return svff_error("unchanged", "%u VFs are enabled already", m);
	for (uint32_t vf = old; vf < m; vf++)
		rq[nrq++] = (struct svff_qm_req){ svff_vf_func(s, vf), qmax };
	for (uint32_t vf = m; vf < old; vf++)
		rq[nrq++] = (struct svff_qm_req){ svff_vf_func(s, vf), 0 };
	plan = malloc(sizeof(*plan));
	if (plan == NULL)
		return svff_error("no-memory", "out of memory");
	if (svff_qm_plan(&s->qm, rq, nrq, NULL, plan) < 0) {
		free(plan);
		return svff_error("no-room", "%u new VFs x %u queues do not fit: %u queues free, "
			"the largest free range has %u", m - old, qmax, svff_qm_free(&s->qm),
			svff_qm_largest_gap(&s->qm));
	}
	batch_reset(s, SVFF_BATCH_NUMVFS, req);
	b->plan = plan;
	b->numvfs = m;
	b->old_numvfs = old;
	for (uint32_t vf = 0; vf < old; vf++) {
		const struct svff_vf *v = &s->vf[vf];
		bool run = v->state == SVFF_VF_ATTACHED, keep;
		struct svff_bvf *e;

		if (!svff_vf_has_vm(v))
			continue;
		/* a VF that stays and runs is stopped first; others are only taken back */
		keep = vf < m && (run || (v->state == SVFF_VF_PAUSED &&
			strcmp(v->pause_path, "cooperative") == 0)) && count_keeps(s, vf);
		e = batch_add(b, vf, vf < m && run, vf >= m ? "removed" : keep ? "paused" :
			"re-attached");
		e->keep = keep;
	}
	snprintf(target, sizeof(target), "numvfs=%u->%u", old, m);
	b->op = svff_op_begin(s, "reconf", target, batch_count(b, -1) + 1);
	if (svff_journal_intent(s, b->op, json_pack("{s:i, s:i, s:i}", "numvfs", (int)m,
			"numvfs_from", (int)old, "qmax", (int)qmax)) < 0) {
		free(b->plan);
		b->plan = NULL;
		return svff_op_failed(s, b->op, -1, "journal", "cannot write the journal");
	}
	svff_crash_point(s, "reconf", "intent");
	if (batch_count(b, -1) == 0) {
		json_t *reply = act_numvfs(s);

		free(b->plan);
		b->plan = NULL;
		return reply;
	}
	batch_ask(s);
	return NULL;
}

/* ------------------------------------------------------------ reconf: user logic */

static json_t *
act_personality(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	char err[256] = "";
	int rc = batch_count(b, SVFF_BVF_FAILED) ? -EIO :
		s->card->load_personality(s->card_arg, personalities[b->personality], err,
			sizeof(err));

	svff_crash_point(s, "reconf", "reloaded");
	batch_resume(s);
	batch_journal(s, rc == 0 ? "done" : "failed");
	batch_detail(s);
	if (rc < 0) {
		svff_op_end(s, b->op, SVFF_OP_FAILED, -1, "the user logic was not reloaded: %s",
			err[0] ? err : "a VF could not be paused");
		return svff_error("card-refused", "the user logic was not reloaded: %s (the VFs "
			"were unpaused)", err[0] ? err : "a VF could not be paused");
	}
	s->cfg.card.personality = (enum svff_personality)b->personality;
	svff_op_end(s, b->op, SVFF_OP_DONE, -1, "user logic %s loaded; %u VF(s) paused and "
		"resumed", personalities[b->personality], batch_count(b, SVFF_BVF_PAUSED));
	{
		json_t *reply = batch_reply(s);

		json_object_set_new(reply, "personality",
			json_string(personalities[b->personality]));
		return reply;
	}
}

static json_t *
reconf_personality(struct svff *s, struct svff_req *req, const char *name)
{
	struct svff_batch *b = &s->batch;
	char target[96];
	int p = -1;

	for (unsigned int i = 0; i < RTE_DIM(personalities); i++)
		if (strcmp(personalities[i], name) == 0)
			p = (int)i;
	if (p < 0)
		return svff_error("bad-personality", "personality must be loopback, generator "
			"or sink");
	if (s->cfg.card.type == SVFF_CARD_PCI)
		return svff_error("not-supported", "a PCI card's user logic is a bitstream "
			"loaded with the vendor's tools: personality is for the emulated card");
	if (s->card == NULL || s->card->load_personality == NULL)
		return svff_error("not-supported", "the emulated card runs in another process "
			"(qdma-simd): svffd cannot reload its user logic");
	batch_reset(s, SVFF_BATCH_PERSONALITY, req);
	b->personality = p;
	for (uint32_t vf = 0; vf < s->numvfs; vf++)
		if (s->vf[vf].state == SVFF_VF_ATTACHED)
			batch_add(b, vf, true, "");
	snprintf(target, sizeof(target), "personality=%s", name);
	b->op = svff_op_begin(s, "reconf", target, b->n + 1);
	if (svff_journal_intent(s, b->op, json_pack("{s:s}", "personality", name)) < 0)
		return svff_op_failed(s, b->op, -1, "journal", "cannot write the journal");
	svff_crash_point(s, "reconf", "intent");
	if (b->n == 0)
		return act_personality(s);
	batch_ask(s);
	return NULL;
}

/* ------------------------------------------------------------ reconf: dispatch */

json_t *
svff_batch_reconf(struct svff *s, struct svff_req *req)
{
	const struct svff_param_val *p = req->p;   /* vf, vfs, qmax, numvfs, personality */
	unsigned int forms = (p[0].set || p[1].set) + p[3].set + p[4].set;
	uint32_t lo = 0, hi = 0;
	json_t *reply;

	if (forms != 1 || (p[0].set && p[1].set) || (p[2].set && p[4].set))
		return svff_error("bad-params", "one of: vf=<n>,qmax=<q>; vfs=<a-b>,qmax=<q>; "
			"numvfs=<m>[,qmax=<q>]; personality=<name>");
	if (p[3].set)
		return reconf_numvfs(s, req, p[3].u, p[2].set ? p[2].u : s->cfg.vfs.queues);
	if (p[4].set)
		return reconf_personality(s, req, p[4].name);
	if (!p[2].set)
		return svff_error("missing-key", "parameter 'qmax' is required with vf= or vfs=");
	if (p[0].set) {
		reply = svff_check_vf(s, p[0].u);
		lo = p[0].u;
		hi = lo + 1;
	} else {
		reply = parse_range(s, p[1].name, &lo, &hi);
	}
	return reply != NULL ? reply : reconf_quota(s, req, lo, hi, p[2].u, p[0].set);
}

/* ------------------------------------------------------------ stepping */

static json_t *(*const act[])(struct svff *s) = {
	[SVFF_BATCH_PAUSE] = act_pause,
	[SVFF_BATCH_QUOTA] = act_quota,
	[SVFF_BATCH_NUMVFS] = act_numvfs,
	[SVFF_BATCH_PERSONALITY] = act_personality,
};

bool
svff_batch_step(struct svff *s)
{
	struct svff_batch *b = &s->batch;
	uint64_t now;
	uint32_t waiting = 0;

	if (!b->active)
		return false;
	now = svff_mono_us();
	for (uint32_t i = 0; i < b->n; i++) {
		struct svff_bvf *e = &b->e[i];
		const char *path;

		if (!e->pause || (e->st != SVFF_BVF_WAIT && e->st != SVFF_BVF_NOW &&
		    e->st != SVFF_BVF_RESET))
			continue;
		if (e->st == SVFF_BVF_WAIT && svff_pause_answered(s, e->vf))
			path = "cooperative";
		else if (e->st == SVFF_BVF_RESET && svff_pause_reset_done(s, e->vf))
			path = "reset";
		else if (e->st == SVFF_BVF_NOW || now >= b->deadline_us)
			path = "forced";
		else {
			waiting++;
			continue;
		}
		e->st = svff_pause_save(s, e->vf, path) >= 0 ? SVFF_BVF_PAUSED : SVFF_BVF_FAILED;
		b->op->steps_done++;
	}
	if (waiting == 0 && b->kind != SVFF_BATCH_PAUSE)
		batch_journal(s, "progress");   /* the snapshots, before the card changes */
	if (waiting == 0)
		batch_answer(s, act[b->kind](s));
	return true;
}

/* The running batch for /svff/ops: the op, n of total paused, each VF. */
json_t *
svff_batch_progress(const struct svff *s)
{
	const struct svff_batch *b = &s->batch;
	json_t *o = svff_op_json(b->op), *vfs = json_object();

	for (uint32_t i = 0; i < b->n; i++) {
		char key[8];

		snprintf(key, sizeof(key), "%u", b->e[i].vf);
		json_object_set_new(vfs, key, json_string(bvf_word(s, &b->e[i])));
	}
	json_object_set_new(o, "paused", json_integer(batch_count(b, SVFF_BVF_PAUSED)));
	json_object_set_new(o, "to_pause", json_integer(batch_count(b, -1)));
	json_object_set_new(o, "vfs", vfs);
	return o;
}

/* svffd stops: a waiting client is answered (the VFs stay as they are). */
void
svff_batch_stop(struct svff *s)
{
	struct svff_batch *b = &s->batch;

	if (b->active && b->req != NULL)
		svff_req_finish(b->req, svff_error("shutdown", "svffd is stopping: the %s was "
			"cut (see /svff/ops after the next start)", b->op->name));
	b->req = NULL;
	b->active = false;
	free(b->plan);
	b->plan = NULL;
}
