/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pause and unpause of an attached VF (design §4, issue 10).
 *
 * pause: journal the intent, send PAUSE (rte_pmd_qdma_vf_pause), and let the
 * manager poll the answer between other work (svff_pause_step: telemetry
 * keeps answering).  On the answer the VF's queue contexts are saved and
 * invalidated ("cooperative"); without one by the timeout they are saved and
 * invalidated all the same ("forced", emulated card).  The snapshot is kept
 * here and journaled with the VF's state, so a restart finds the VF paused.
 * unpause: the snapshot is written back at the VF's current window, RESUME
 * is sent, the VF is attached again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "rte_pmd_qdma.h"
#include "svff_mgr.h"
#include "svff_private.h"

/** Time a VF has to answer PAUSE before it is paused by force (mailbox.pause_timeout_ms 0). */
#define SVFF_PAUSE_TIMEOUT_MS 5000u
/** Most queues of one VF a snapshot holds (the queue manager's per-VF maximum). */
#define SVFF_PAUSE_MAX_Q 256u

json_t *
svff_pause_start(struct svff *s, struct svff_req *req, uint32_t vf)
{
	struct svff_vf *v;
	struct svff_op *op;
	char target[96];
	json_t *reply = svff_check_vf(s, vf);
	int rc;

	if (reply != NULL)
		return reply;
	v = &s->vf[vf];
	if (v->state != SVFF_VF_ATTACHED)
		return svff_error("wrong-state", "VF %u is %s: only an attached VF can be paused",
			vf, svff_vf_state_name(v->state));
	snprintf(target, sizeof(target), "vf%u vm=%s", vf, v->vm);
	op = svff_op_begin(s, "pause", target, 2);
	if (svff_journal_intent(s, op, json_pack("{s:i, s:s}", "vf", (int)vf, "vm", v->vm)) < 0)
		return svff_op_failed(s, op, (int)vf, "journal", "cannot write the journal");
	svff_crash_point(s, "pause", "intent");
	rc = rte_pmd_qdma_vf_pause(s->pf_port, svff_vf_func(s, vf));
	if (rc < 0 && rc != -ENOTSUP && rc != -ENODEV)
		return svff_op_failed(s, op, (int)vf, "card-refused", "the PF could not send PAUSE");
	memset(&s->pop, 0, sizeof(s->pop));
	s->pop.active = true;
	s->pop.req = req;
	s->pop.op = op;
	s->pop.vf = vf;
	/* a driver without the extension, or none running, cannot answer: forced at once */
	s->pop.deadline_us = svff_mono_us() + (rc < 0 ? 0 : 1000ull *
		(s->cfg.mailbox.pause_timeout_ms ? s->cfg.mailbox.pause_timeout_ms :
						   SVFF_PAUSE_TIMEOUT_MS));
	op->steps_done = 1;
	return NULL;
}

static void
pause_finish(struct svff *s, json_t *reply)
{
	if (s->pop.req != NULL)
		svff_req_finish(s->pop.req, reply);
	else
		json_decref(reply);
	s->pop.active = false;
}

/* The answer came (or the timeout): save and invalidate the contexts. */
static void
pause_complete(struct svff *s, bool forced)
{
	struct svff_pause_op *p = &s->pop;
	struct svff_vf *v = &s->vf[p->vf];
	struct rte_pmd_qdma_qctx *snap = calloc(SVFF_PAUSE_MAX_Q, sizeof(*snap));
	int n;

	n = snap == NULL ? -ENOMEM :
		rte_pmd_qdma_vf_ctx_save(s->pf_port, svff_vf_func(s, p->vf), snap,
			SVFF_PAUSE_MAX_Q);
	if (n < 0) {
		free(snap);
		/* whatever was invalidated comes back with the VF's window reset */
		pause_finish(s, svff_op_failed(s, p->op, (int)p->vf, "card-refused",
			"the VF's queue contexts could not be saved"));
		return;
	}
	free(v->snap);
	v->snap = snap;
	v->nsnap = (uint32_t)n;
	v->state = SVFF_VF_PAUSED;
	snprintf(v->pause_path, sizeof(v->pause_path), "%s", forced ? "forced" : "cooperative");
	v->pauses++;
	if (forced)
		v->forced_pauses++;
	p->op->steps_done = 2;
	svff_journal_outcome(s, p->op, "done", &p->vf, 1);
	svff_crash_point(s, "pause", "done");
	svff_op_end(s, p->op, SVFF_OP_DONE, (int)p->vf, "VF %u paused (%s, %d queue(s) saved)",
		p->vf, v->pause_path, n);
	pause_finish(s, svff_op_reply(p->op, p->vf, s));
}

bool
svff_pause_step(struct svff *s)
{
	struct svff_pause_op *p = &s->pop;
	int st;

	if (!p->active)
		return false;
	st = rte_pmd_qdma_vf_pause_state(s->pf_port, svff_vf_func(s, p->vf));
	if (st == RTE_PMD_QDMA_PAUSE_ACKED)
		pause_complete(s, false);
	else if (svff_mono_us() >= p->deadline_us)
		pause_complete(s, true);
	return true;
}

json_t *
svff_unpause(struct svff *s, uint32_t vf)
{
	struct svff_vf *v;
	struct svff_op *op;
	char target[96];
	json_t *reply = svff_check_vf(s, vf);
	uint16_t func;

	if (reply != NULL)
		return reply;
	v = &s->vf[vf];
	if (v->state != SVFF_VF_PAUSED)
		return svff_error("not-paused", "VF %u is %s: only a paused VF can be unpaused", vf,
			svff_vf_state_name(v->state));
	func = svff_vf_func(s, vf);
	snprintf(target, sizeof(target), "vf%u vm=%s", vf, v->vm);
	op = svff_op_begin(s, "unpause", target, 2);
	if (svff_journal_intent(s, op, json_pack("{s:i, s:s}", "vf", (int)vf, "vm", v->vm)) < 0)
		return svff_op_failed(s, op, (int)vf, "journal", "cannot write the journal");
	svff_crash_point(s, "unpause", "intent");
	if (rte_pmd_qdma_vf_ctx_restore(s->pf_port, func, v->snap, v->nsnap) < 0)
		return svff_op_failed(s, op, (int)vf, "card-refused",
			"the VF's queue contexts could not be restored");
	op->steps_done = 1;
	svff_crash_point(s, "unpause", "restored");
	rte_pmd_qdma_vf_resume(s->pf_port, func);
	free(v->snap);
	v->snap = NULL;
	v->nsnap = 0;
	v->state = SVFF_VF_ATTACHED;
	v->unpauses++;
	op->steps_done = 2;
	svff_journal_outcome(s, op, "done", &vf, 1);
	svff_crash_point(s, "unpause", "done");
	svff_op_end(s, op, SVFF_OP_DONE, (int)vf, "VF %u resumed (was paused: %s)", vf,
		v->pause_path);
	reply = svff_op_reply(op, vf, s);
	json_object_set_new(reply, "was", json_string(v->pause_path));
	v->pause_path[0] = '\0';
	return reply;
}

/* The journal's record of a paused VF carries its snapshot (hex words, one string a queue). */
void
svff_pause_json(const struct svff *s, unsigned int vf, json_t *o)
{
	const struct svff_vf *v = &s->vf[vf];
	json_t *a;

	if (v->state != SVFF_VF_PAUSED || v->snap == NULL)
		return;
	a = json_array();
	for (uint32_t i = 0; i < v->nsnap; i++) {
		const struct rte_pmd_qdma_qctx *c = &v->snap[i];
		char buf[16 + RTE_PMD_QDMA_QCTX_WORDS * 9];
		size_t k = (size_t)snprintf(buf, sizeof(buf), "%04x:%04x", c->rel_qid, c->present);

		for (unsigned int w = 0; w < RTE_PMD_QDMA_QCTX_WORDS && k < sizeof(buf); w++)
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, ":%08x", c->w[w]);
		json_array_append_new(a, json_string(buf));
	}
	json_object_set_new(o, "pause_path", json_string(v->pause_path));
	json_object_set_new(o, "snapshot", a);
}

/* Queues a paused VF needs: one past the highest queue in its snapshot. */
uint32_t
svff_pause_min_queues(const struct svff *s, unsigned int vf)
{
	const struct svff_vf *v = &s->vf[vf];
	uint32_t n = 0;

	for (uint32_t i = 0; v->snap != NULL && i < v->nsnap; i++)
		n = RTE_MAX(n, (uint32_t)v->snap[i].rel_qid + 1u);
	return n;
}
