/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pause and unpause of one VF (design §4, issue 10); svff_batch.c runs them
 * for one VF or many, as operations.
 *
 * ask: send PAUSE (rte_pmd_qdma_vf_pause); the manager polls the answer
 * between other work.  save: on the answer ("cooperative") or without one by
 * the timeout ("forced"), the VF's queue contexts are read into a snapshot
 * kept here and invalidated on the card; the VF is paused.  The snapshot is
 * journaled with the VF's state, so a restart finds the VF paused with it.
 * resume: the snapshot is written back at the VF's current window, RESUME is
 * sent, the VF is attached again.
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

/** Most queues of one VF a snapshot holds (the queue manager's per-VF maximum). */
#define SVFF_PAUSE_MAX_Q 256u

/*
 * Ask @p vf to stop.  1: PAUSE sent, its driver will answer (poll
 * svff_pause_answered()); 2: its driver is running but has no svff extension
 * (a stock Xilinx VF driver): RESET_PREPARE sent, it tears its queues down
 * (poll svff_pause_reset_done()); 0: nothing can answer (no driver, a pause
 * already asked): pause it by force; < 0: the PF could not send.
 */
int
svff_pause_ask(struct svff *s, unsigned int vf)
{
	uint16_t func = svff_vf_func(s, vf);
	int rc = rte_pmd_qdma_vf_pause(s->pf_port, func);

	if (rc == 0)
		return 1;
	if (rc == -ENOTSUP && rte_pmd_qdma_vf_pause_capable(s->pf_port, func) == 0) {
		struct rte_pmd_qdma_fn_state st;

		if (rte_pmd_qdma_fn_state(s->pf_port, func, &st) == 0 && st.online &&
		    rte_pmd_qdma_vf_notify(s->pf_port, func, RTE_PMD_QDMA_RESET_PREPARE) > 0)
			return 2;
		return 0;
	}
	if (rc == -ENOTSUP || rc == -ENODEV || rc == -EALREADY)
		return 0;
	return rc;
}

/* After RESET_PREPARE: the VF's driver went offline or released every queue. */
bool
svff_pause_reset_done(struct svff *s, unsigned int vf)
{
	struct rte_pmd_qdma_fn_state st;

	if (rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) < 0)
		return false;
	return !st.online || (st.active_h2c == 0 && st.active_c2h == 0 && st.active_cmpt == 0);
}

bool
svff_pause_answered(struct svff *s, unsigned int vf)
{
	return rte_pmd_qdma_vf_pause_state(s->pf_port, svff_vf_func(s, vf)) ==
		RTE_PMD_QDMA_PAUSE_ACKED;
}

/*
 * A forced pause on a PCI card suspends the VF's VM first (libvirt): its
 * driver cannot post while the contexts go.  The emulated card's VFs are
 * only invalidated.  Returns the path taken.
 */
static const char *
pause_force(struct svff *s, unsigned int vf)
{
	char err[256];

	if (s->cfg.card.type != SVFF_CARD_PCI || !svff_vf_has_vm(&s->vf[vf]))
		return "forced";
	if (svff_hv_suspend(s->hv, s->vf[vf].vm, err, sizeof(err)) < 0) {
		SVFF_LOG(WARNING, "VF %u: VM %s could not be suspended (%s): contexts "
			"invalidated under a running guest", vf, s->vf[vf].vm, err);
		return "forced";
	}
	return "suspended";
}

/* Save and invalidate the VF's contexts: it is paused (@p path says how). */
int
svff_pause_save(struct svff *s, unsigned int vf, const char *path)
{
	struct svff_vf *v = &s->vf[vf];
	struct rte_pmd_qdma_qctx *snap = calloc(SVFF_PAUSE_MAX_Q, sizeof(*snap));
	int n;

	if (strcmp(path, "forced") == 0)
		path = pause_force(s, vf);

	n = snap == NULL ? -ENOMEM :
		rte_pmd_qdma_vf_ctx_save(s->pf_port, svff_vf_func(s, vf), snap, SVFF_PAUSE_MAX_Q);
	if (n < 0) {
		free(snap);
		SVFF_LOG(ERR, "VF %u: its queue contexts could not be saved: %s", vf,
			rte_strerror(-n));
		return n;
	}
	free(v->snap);
	v->snap = snap;
	v->nsnap = (uint32_t)n;
	v->state = SVFF_VF_PAUSED;
	snprintf(v->pause_path, sizeof(v->pause_path), "%s", path);
	snprintf(v->last_path, sizeof(v->last_path), "%s", path);
	v->pauses++;
	if (strcmp(path, "forced") == 0 || strcmp(path, "suspended") == 0)
		v->forced_pauses++;
	return n;
}

/* Has this PF heard the VF's HELLO (is it online)? */
static bool
pf_knows(struct svff *s, unsigned int vf)
{
	struct rte_pmd_qdma_fn_state st;

	return rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) == 0 && st.online;
}

/* Write the snapshot back at the VF's window and tell its driver: attached again. */
int
svff_pause_resume(struct svff *s, unsigned int vf)
{
	struct svff_vf *v = &s->vf[vf];
	uint16_t func = svff_vf_func(s, vf);
	int rc = rte_pmd_qdma_vf_ctx_restore(s->pf_port, func, v->snap, v->nsnap);

	if (rc < 0) {
		SVFF_LOG(ERR, "VF %u: its queue contexts could not be restored: %s", vf,
			rte_strerror(-rc));
		return rc;
	}
	/* undo exactly what the pause did; a cooperative pause from before a restart:
	 * the VF's driver still waits for RESUME though this PF never heard its HELLO */
	if (strcmp(v->pause_path, "cooperative") == 0 && !pf_knows(s, vf))
		rte_pmd_qdma_vf_resume_known(s->pf_port, func);
	else
		rte_pmd_qdma_vf_resume(s->pf_port, func);
	if (strcmp(v->pause_path, "reset") == 0 && rte_pmd_qdma_vf_reset_done(s->pf_port, func) < 0)
		SVFF_LOG(WARNING, "VF %u: RESET_DONE could not be sent", vf);
	if (strcmp(v->pause_path, "suspended") == 0) {
		char err[256];

		if (svff_hv_resume(s->hv, v->vm, err, sizeof(err)) < 0)
			SVFF_LOG(ERR, "VF %u: VM %s could not be resumed: %s", vf, v->vm, err);
	}
	svff_pause_drop(s, vf);
	v->state = SVFF_VF_ATTACHED;
	v->unpauses++;
	return 0;
}

/* Forget the snapshot (the VF's driver starts afresh, or the VF is gone). */
void
svff_pause_drop(struct svff *s, unsigned int vf)
{
	struct svff_vf *v = &s->vf[vf];

	free(v->snap);
	v->snap = NULL;
	v->nsnap = 0;
	v->pause_path[0] = '\0';
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

/* Read a journaled snapshot back (svff_pause_json()'s format). 0, or -EINVAL. */
int
svff_pause_from_json(struct svff *s, unsigned int vf, const json_t *o)
{
	const json_t *a = json_object_get(o, "snapshot"), *e;
	const json_t *path = json_object_get(o, "pause_path");
	struct svff_vf *v = &s->vf[vf];
	struct rte_pmd_qdma_qctx *snap;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > SVFF_PAUSE_MAX_Q)
		return -EINVAL;
	snap = calloc(SVFF_PAUSE_MAX_Q, sizeof(*snap));
	if (snap == NULL)
		return -ENOMEM;
	json_array_foreach(a, i, e) {
		const char *t = json_string_value(e);
		unsigned int q, pr, w;
		int k = 0;

		if (t == NULL || sscanf(t, "%4x:%4x%n", &q, &pr, &k) != 2)
			goto bad;
		snap[i].rel_qid = (uint16_t)q;
		snap[i].present = (uint16_t)pr;
		t += k;
		for (unsigned int j = 0; j < RTE_PMD_QDMA_QCTX_WORDS; j++) {
			if (sscanf(t, ":%8x%n", &w, &k) != 1)
				goto bad;
			snap[i].w[j] = w;
			t += k;
		}
		if (*t != '\0')
			goto bad;
	}
	free(v->snap);
	v->snap = snap;
	v->nsnap = (uint32_t)json_array_size(a);
	snprintf(v->pause_path, sizeof(v->pause_path), "%s",
		json_is_string(path) ? json_string_value(path) : "forced");
	memcpy(v->last_path, v->pause_path, sizeof(v->last_path));
	return 0;
bad:
	free(snap);
	return -EINVAL;
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
