/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up: replay the journal (snapshot + records), resolve an operation a
 * crash cut (completed or rolled back, and said so in /svff/ops), reconcile
 * the card (numvfs, FMAP/windows, grants) with the result, and compact.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_mgr.h"

json_t *
svff_op_json(const struct svff_op *op)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:s}", "id",
		(json_int_t)op->id, "op", op->name, "target", op->target, "state",
		svff_op_state_name(op->state), "steps_done", (int)op->steps_done, "steps_total",
		(int)op->steps_total, "start_ms", (json_int_t)op->start_ms, "duration_us",
		(json_int_t)op->dur_us, "result", "");

	/* a telemetry string holds SVFF_REPLY_STR_MAX - 1 characters */
	json_object_set_new(o, "result", json_stringn(op->result,
		strnlen(op->result, SVFF_REPLY_STR_MAX - 1)));
	if (op->detail[0] != '\0')
		json_object_set_new(o, "vfs", json_string(op->detail));
	return o;
}

json_t *
svff_snapshot(const struct svff *s)
{
	json_t *vfs = json_array(), *ops = json_array();

	for (unsigned int vf = 0; vf < s->numvfs; vf++)
		json_array_append_new(vfs, svff_vf_entry_json(s, vf));
	for (unsigned int i = 0; i < s->ops_count; i++) {
		unsigned int k = (s->ops_head + SVFF_OPS_KEPT - s->ops_count + i) % SVFF_OPS_KEPT;

		json_array_append_new(ops, svff_op_json(&s->ops[k]));
	}
	return json_pack("{s:i, s:I, s:o, s:o}", "numvfs", (int)s->numvfs, "next_op_id",
		(json_int_t)s->next_op_id, "vfs", vfs, "ops", ops);
}

int
svff_compact(struct svff *s)
{
	json_t *snap = svff_snapshot(s);
	int rc = svff_journal_compact(s->journal, snap);

	json_decref(snap);
	if (rc < 0)
		SVFF_LOG(ERR, "cannot compact the journal: %s", strerror(-rc));
	else
		s->journal_mark = svff_journal_count(s->journal);
	return rc;
}

/* ------------------------------------------------------------ replay */

static int
json_int(const json_t *o, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static const char *
json_str(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Journal entries of VFs: every range is cleared first, then placed (moves). */
static void
apply_vfs(struct svff *s, const json_t *arr)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		int vf = json_int(e, "vf", -1);

		if (vf >= 0 && vf < (int)s->totalvfs)
			svff_qm_set(&s->qm, svff_vf_func(s, (unsigned int)vf), -1, 0);
	}
	json_array_foreach(arr, i, e) {
		int vf = json_int(e, "vf", -1), st = svff_vf_state_parse(json_str(e, "state"));
		struct svff_vf *v;

		if (vf < 0 || vf >= (int)s->totalvfs || st < 0)
			continue;
		v = &s->vf[vf];
		v->state = (enum svff_vf_state)st;
		snprintf(v->vm, sizeof(v->vm), "%s", json_str(e, "vm"));
		snprintf(v->reason, sizeof(v->reason), "%s", json_str(e, "reason"));
		v->token = strtoull(json_str(e, "token"), NULL, 16);
		svff_vm_link_parse(e, &v->link);
		v->quota = (uint32_t)json_int(e, "qmax", 0);
		svff_pause_drop(s, (unsigned int)vf);
		if (v->state == SVFF_VF_PAUSED && svff_pause_from_json(s, (unsigned int)vf, e) < 0)
			SVFF_LOG(ERR, "journal: VF %d is paused but its snapshot is unreadable: "
				"its queues restart empty on unpause", vf);
		if (v->quota > 0 && svff_qm_set(&s->qm, svff_vf_func(s, (unsigned int)vf),
				json_int(e, "qbase", -1), v->quota) < 0)
			SVFF_LOG(ERR, "journal: VF %d: range %d+%u does not fit: dropped", vf,
				json_int(e, "qbase", -1), v->quota);
	}
}

static void
set_numvfs_state(struct svff *s, int n)
{
	if (n < 0 || n > (int)s->totalvfs)
		return;
	for (unsigned int vf = (unsigned int)n; vf < s->totalvfs; vf++) {
		svff_qm_set(&s->qm, svff_vf_func(s, vf), -1, 0);
		svff_pause_drop(s, vf);
		memset(&s->vf[vf], 0, sizeof(s->vf[vf]));
	}
	s->numvfs = (uint32_t)n;
}

static void
load_ops(struct svff *s, const json_t *ops)
{
	size_t i;
	json_t *o;

	json_array_foreach(ops, i, o) {
		struct svff_op *op = &s->ops[s->ops_head];
		const char *st = json_str(o, "state");

		s->ops_head = (s->ops_head + 1) % SVFF_OPS_KEPT;
		if (s->ops_count < SVFF_OPS_KEPT)
			s->ops_count++;
		memset(op, 0, sizeof(*op));
		op->id = (uint64_t)json_int(o, "id", 0);
		snprintf(op->name, sizeof(op->name), "%s", json_str(o, "op"));
		snprintf(op->target, sizeof(op->target), "%s", json_str(o, "target"));
		snprintf(op->result, sizeof(op->result), "%s", json_str(o, "result"));
		snprintf(op->detail, sizeof(op->detail), "%s", json_str(o, "vfs"));
		op->steps_done = (uint32_t)json_int(o, "steps_done", 0);
		op->steps_total = (uint32_t)json_int(o, "steps_total", 0);
		op->start_ms = (uint64_t)json_integer_value(json_object_get(o, "start_ms"));
		op->dur_us = (uint64_t)json_integer_value(json_object_get(o, "duration_us"));
		for (int k = SVFF_OP_RUNNING; k <= SVFF_OP_ROLLED_BACK; k++)
			if (strcmp(st, svff_op_state_name((enum svff_op_state)k)) == 0)
				op->state = (enum svff_op_state)k;
	}
}

static void
load_snapshot(struct svff *s, const json_t *snap)
{
	json_t *n = json_object_get(snap, "next_op_id");

	set_numvfs_state(s, json_int(snap, "numvfs", 0));
	apply_vfs(s, json_object_get(snap, "vfs"));
	s->next_op_id = json_is_integer(n) ? (uint64_t)json_integer_value(n) : 0;
	load_ops(s, json_object_get(snap, "ops"));
}

/* An op record read back into /svff/ops (its outcome from the journal). */
static void
note_op(struct svff *s, const json_t *rec, enum svff_op_state st, const char *result)
{
	struct svff_op *op = svff_op_begin(s, json_str(rec, "op"), "", 0);

	s->next_op_id--;            /* svff_op_begin took a new id: keep the journaled one */
	op->id = (uint64_t)json_int(rec, "id", 0);
	if (json_object_get(rec, "vf") != NULL)
		snprintf(op->target, sizeof(op->target), "vf%d", json_int(rec, "vf", -1));
	else if (json_object_get(rec, "vf_first") != NULL)
		snprintf(op->target, sizeof(op->target), "vfs=%d-%d qmax=%d",
			json_int(rec, "vf_first", 0), json_int(rec, "vf_last", 0),
			json_int(rec, "qmax", 0));
	else if (json_object_get(rec, "personality") != NULL)
		snprintf(op->target, sizeof(op->target), "personality=%s",
			json_str(rec, "personality"));
	else if (json_object_get(rec, "vfs") != NULL && json_is_string(json_object_get(rec, "vfs")))
		snprintf(op->target, sizeof(op->target), "all");
	else if (json_object_get(rec, "qmax") != NULL)
		snprintf(op->target, sizeof(op->target), "numvfs=%d qmax=%d",
			json_int(rec, "numvfs", 0), json_int(rec, "qmax", 0));
	op->state = st;
	snprintf(op->result, sizeof(op->result), "%s", result);
}

/* Replay the records; returns the intent left without an outcome (a new reference). */
static json_t *
replay(struct svff *s, const json_t *recs)
{
	json_t *pending = NULL, *r;
	size_t i;

	json_array_foreach(recs, i, r) {
		const char *phase = json_str(r, "phase");
		uint64_t id = (uint64_t)json_int(r, "id", 0);

		if (id > s->next_op_id)
			s->next_op_id = id;
		if (strcmp(phase, "intent") == 0) {
			json_decref(pending);
			pending = json_incref(r);
			continue;
		}
		if (strcmp(phase, "progress") == 0) {   /* a batch's VFs paused, op still open */
			apply_vfs(s, json_object_get(r, "vfs"));
			continue;
		}
		if (strcmp(phase, "failed") != 0) {
			if (json_object_get(r, "numvfs") != NULL)
				set_numvfs_state(s, json_int(r, "numvfs", 0));
			apply_vfs(s, json_object_get(r, "vfs"));
		}
		note_op(s, r, strcmp(phase, "failed") == 0 ? SVFF_OP_FAILED :
			strcmp(phase, "rolled-back") == 0 ? SVFF_OP_ROLLED_BACK : SVFF_OP_DONE,
			"replayed from the journal");
		if (pending != NULL && (uint64_t)json_int(pending, "id", 0) == id) {
			json_decref(pending);
			pending = NULL;
		}
	}
	return pending;
}

/* ------------------------------------------------------------ reconcile */

/*
 * Make the card match the state: numvfs, every VF's window (FMAP), grants
 * (journaled ones re-asserted, any other withdrawn).
 */
static void
reconcile_card(struct svff *s)
{
	char err[256];

	if (svff_set_numvfs(s, s->numvfs, err, sizeof(err)) < 0)
		SVFF_LOG(ERR, "reconcile: %s", err);
	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		struct svff_vf *v = &s->vf[vf];
		int rc = svff_vf_window_sync(s, vf);

		if (rc < 0)
			SVFF_LOG(ERR, "reconcile: VF %u: cannot set its queues: %s", vf,
				rte_strerror(-rc));
		if (s->cfg.card.type == SVFF_CARD_PCI)
			continue;
		if (svff_vf_has_vm(v) && v->token != 0) {
			rc = rte_pmd_qdma_vf_grant(s->pf_port, vf, v->token);
			if (rc == -EBUSY) {   /* held under another grant: not ours */
				rte_pmd_qdma_vf_revoke(s->pf_port, vf);
				rc = rte_pmd_qdma_vf_grant(s->pf_port, vf, v->token);
			}
		} else {
			rc = rte_pmd_qdma_vf_revoke(s->pf_port, vf);
		}
		if (rc < 0)
			SVFF_LOG(ERR, "reconcile: VF %u: grant: %s", vf, rte_strerror(-rc));
	}
}

/* On a PCI card the hypervisor is asked whether attached VFs are still there. */
static void
reconcile_hv(struct svff *s)
{
	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		struct svff_vf *v = &s->vf[vf];
		struct svff_hv_vf hvf;
		bool present = true;
		char err[256];

		if (!svff_vf_has_vm(v) || s->cfg.card.type != SVFF_CARD_PCI)
			continue;
		svff_hv_vf_of(s, vf, &hvf);
		if (svff_hv_vf_present(s->hv, v->vm, &hvf, &present, err, sizeof(err)) == 0 &&
		    !present) {
			SVFF_LOG(WARNING, "reconcile: VF %u is no longer in VM %s: ready again", vf,
				v->vm);
			v->state = SVFF_VF_READY;
			v->vm[0] = '\0';
			v->token = 0;
		}
	}
}

/*
 * A VM that stopped while svffd was down missed its event: a VF given to a
 * libvirt domain that is no longer running is taken back (a name libvirt
 * does not know is a label on the emulated card and stays).
 */
static void
release_stopped_vms(struct svff *s)
{
	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		enum svff_hv_dom_state st = SVFF_HV_DOM_RUNNING;
		char err[256];

		/* a VF in a VM is the card's to check (svff_recover_vms()) */
		if (!svff_vf_has_vm(&s->vf[vf]) || s->vf[vf].link.shmem[0] != '\0' ||
		    svff_hv_domain_state(s->hv, s->vf[vf].vm, &st, err, sizeof(err)) < 0)
			continue;
		if (st == SVFF_HV_DOM_SHUTOFF ||
		    (st == SVFF_HV_DOM_ABSENT && s->cfg.card.type == SVFF_CARD_PCI))
			svff_vf_release(s, vf, "is no longer running (found at start-up)");
	}
}

/* ------------------------------------------------------------ cut ops */

static void
finish_cut(struct svff *s, const json_t *rec, enum svff_op_state st, int vf, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "cut by a crash; %s after restart", what);
	note_op(s, rec, st, msg);
	if (vf >= 0) {
		unsigned int v = (unsigned int)vf;
		struct svff_op op = { .id = (uint64_t)json_int(rec, "id", 0) };

		snprintf(op.name, sizeof(op.name), "%s", json_str(rec, "op"));
		svff_journal_outcome(s, &op, st == SVFF_OP_ROLLED_BACK ? "rolled-back" : "done",
			&v, 1);
	}
	SVFF_LOG(WARNING, "op=%s id=%d: %s", json_str(rec, "op"), json_int(rec, "id", 0), msg);
}

static void
cut_attach(struct svff *s, const json_t *rec)
{
	int vf = json_int(rec, "vf", -1);
	struct svff_hv_vf hvf;
	char err[256];

	if (vf < 0 || vf >= (int)s->numvfs)
		return;
	/* the client never got the devargs: withdraw the grant, if any */
	svff_hv_vf_of(s, (unsigned int)vf, &hvf);
	if (svff_hv_detach(s->hv, json_str(rec, "vm"), &hvf, err, sizeof(err)) < 0)
		SVFF_LOG(ERR, "rolling back attach of VF %d: %s", vf, err);
	svff_vf_window_reset(s, (unsigned int)vf);
	s->vf[vf].state = SVFF_VF_READY;
	s->vf[vf].vm[0] = '\0';
	s->vf[vf].token = 0;
	memset(&s->vf[vf].link, 0, sizeof(s->vf[vf].link));
	finish_cut(s, rec, SVFF_OP_ROLLED_BACK, vf, "rolled back (grant withdrawn)");
}

static void
cut_detach(struct svff *s, const json_t *rec)
{
	int vf = json_int(rec, "vf", -1);
	struct svff_hv_vf hvf;
	char err[256];

	if (vf < 0 || vf >= (int)s->numvfs)
		return;
	svff_hv_vf_of(s, (unsigned int)vf, &hvf);
	if (svff_hv_detach(s->hv, json_str(rec, "vm"), &hvf, err, sizeof(err)) < 0)
		SVFF_LOG(ERR, "completing detach of VF %d: %s", vf, err);
	svff_vf_window_reset(s, (unsigned int)vf);
	s->vf[vf].state = SVFF_VF_READY;
	s->vf[vf].vm[0] = '\0';
	s->vf[vf].token = 0;
	memset(&s->vf[vf].link, 0, sizeof(s->vf[vf].link));
	s->vf[vf].reason[0] = '\0';
	finish_cut(s, rec, SVFF_OP_COMPLETED_AFTER_RESTART, vf, "completed");
}

static void
cut_reconf(struct svff *s, const json_t *rec)
{
	json_t *plan = json_object_get(rec, "plan"), *m;
	struct svff_op op = { .id = (uint64_t)json_int(rec, "id", 0) };
	unsigned int moved[SVFF_MAX_VFS], n = 0;
	size_t i;

	/* roll forward to the journaled layout */
	json_array_foreach(plan, i, m)
		svff_qm_set(&s->qm, (uint16_t)json_int(m, "func", 0), -1, 0);
	json_array_foreach(plan, i, m) {
		uint16_t f = (uint16_t)json_int(m, "func", 0);
		int vf = (int)f - s->vf_func_base;

		svff_qm_set(&s->qm, f, json_int(m, "qbase", -1), (uint32_t)json_int(m, "qmax", 0));
		if (vf >= 0 && vf < (int)s->numvfs) {
			s->vf[vf].quota = (uint32_t)json_int(m, "qmax", 0);
			moved[n++] = (unsigned int)vf;
		}
	}
	for (unsigned int k = 0; k < n; k++)
		svff_vf_window_reset(s, moved[k]);
	snprintf(op.name, sizeof(op.name), "reconf");
	svff_journal_outcome(s, &op, "done", moved, n);
	finish_cut(s, rec, SVFF_OP_COMPLETED_AFTER_RESTART, -1, "completed (the journaled "
		"layout applied)");
}

static void
cut_init(struct svff *s, const json_t *rec)
{
	json_t *reply = NULL;
	char t[48];

	snprintf(t, sizeof(t), "completing op %d", json_int(rec, "id", 0));
	/* a cut init leaves no VF in use (its precondition): redo it whole */
	for (unsigned int vf = 0; vf < s->totalvfs; vf++) {
		s->vf[vf].vm[0] = '\0';
		s->vf[vf].token = 0;
	}
	if (svff_init_start(s, (uint32_t)json_int(rec, "numvfs", 0),
			(uint32_t)json_int(rec, "qmax", 0), NULL, t, &reply) == 0)
		svff_init_run_all(s);
	json_decref(reply);
	finish_cut(s, rec, SVFF_OP_COMPLETED_AFTER_RESTART, -1, "completed (init redone)");
}

static void
resolve_cut(struct svff *s, const json_t *rec)
{
	const char *op = json_str(rec, "op");

	if (strcmp(op, "pause") == 0 || strcmp(op, "unpause") == 0 ||
	    (strcmp(op, "reconf") == 0 && json_object_get(rec, "plan") == NULL))
		/* the VFs stay as the journal has them: paused ones with their snapshots */
		finish_cut(s, rec, SVFF_OP_ROLLED_BACK, -1, "rolled back (VFs as journaled, "
			"paused ones with their snapshots)");
	else if (strcmp(op, "attach") == 0)
		cut_attach(s, rec);
	else if (strcmp(op, "detach") == 0)
		cut_detach(s, rec);
	else if (strcmp(op, "reconf") == 0)
		cut_reconf(s, rec);
	else if (strcmp(op, "init") == 0)
		cut_init(s, rec);
	else
		note_op(s, rec, SVFF_OP_ROLLED_BACK, "cut by a crash; unknown op ignored");
}

int
svff_recover(struct svff *s, char *err, size_t errlen)
{
	json_t *snap = NULL, *recs = NULL, *pending;
	bool fresh;

	s->journal = svff_journal_open(s->cfg.state_dir, &snap, &recs, err, errlen);
	if (s->journal == NULL)
		return -EIO;
	fresh = snap == NULL && json_array_size(recs) == 0;
	if (snap != NULL)
		load_snapshot(s, snap);
	pending = replay(s, recs);
	if (svff_journal_dropped(s->journal) > 0)
		SVFF_LOG(WARNING, "journal: %u torn or malformed line(s) ignored",
			svff_journal_dropped(s->journal));
	reconcile_hv(s);
	reconcile_card(s);
	if (pending != NULL)
		resolve_cut(s, pending);
	json_decref(pending);
	release_stopped_vms(s);
	json_decref(snap);
	json_decref(recs);
	if (fresh) {
		json_t *reply = NULL;

		/* first start: the configured VFs */
		if (svff_init_start(s, s->cfg.vfs.count, s->cfg.vfs.queues, NULL, "(config)",
				&reply) == 0)
			svff_init_run_all(s);
		if (reply != NULL) {
			snprintf(err, errlen, "initial init: %s",
				json_string_value(json_object_get(reply, "error")));
			json_decref(reply);
			return -EINVAL;
		}
	}
	svff_compact(s);
	svff_check_invariants(s);
	return 0;
}
