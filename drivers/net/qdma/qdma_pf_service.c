/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PF's VF-message service (mailbox loop and outbox) and queue resource
 * manager: windows, contexts, VF state.  What a message does is in
 * qdma_pf_handlers.c (validate -> policy -> handler).
 *
 * One VF must not hold up the others (the PF has one outbox for all VFs):
 *  - no VF is waited for: answers and notices wait in a per-function slot
 *    and enter the outbox, in order, whenever it is free (the service and a
 *    retry alarm move them; the reference retries its sends from a 1 ms
 *    alarm too);
 *  - a VF that leaves the PF's message unconsumed for the send timeout has
 *    its mailbox reset by the PF (FN_CMD.vf_reset), loses its window and is
 *    quarantined until its function is reset (its messages are ignored):
 *    counted (send_timeouts, resets) and reported (VF_EVT_STUCK).  No other
 *    VF's answer waits longer than one send timeout;
 *  - each VF has a token bucket (devargs mbox_rate, mbox_burst): messages
 *    beyond it are dropped unanswered, counted, reported once per burst
 *    (VF_EVT_FLOOD) and logged at most once a second;
 *  - a VF whose function is reset (FLR, the slot's disconnect or revoke)
 *    is announced by the card as a VF_BYE with status
 *    QDMA_MBOX_BYE_ST_FN_RESET: its window, contexts and FMAP are released
 *    (counted in resets, reported as VF_EVT_GONE).
 * vf_event runs after the mailbox lock is released; the other hooks run
 * with it held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>

#include <rte_alarm.h>
#include <rte_cycles.h>

#include "qdma.h"

int
qdma_pf_init_state(struct qdma_adapter *ad)
{
	struct qdma_pf *pf = ad->pf;
	uint64_t hz = rte_get_timer_hz();

	pf->rate = ad->mbox_rate;
	pf->burst = ad->mbox_burst ? ad->mbox_burst : QDMA_MBOX_BURST;
	pf->send_timeout = hz / 1000 * (ad->mbox_send_timeout_ms ? ad->mbox_send_timeout_ms :
		QDMA_MBOX_SEND_TIMEOUT_MS);
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		memset(&pf->fn[f], 0, sizeof(pf->fn[f]));
		pf->fn[f].qbase = -1;
		pf->fn[f].tokens = pf->burst;
	}
	pf->out_fn = -1;
	pf->num_qs = ad->cap.num_qs;
	return 0;
}

/* ------------------------------------------------------- owner events */

/* Queue an event for policy.vf_event.  Caller holds mbox_lock. */
void
qdma_pf_evt_push(struct qdma_pf *pf, uint16_t func, enum rte_pmd_qdma_vf_event ev)
{
	if (pf->evq_len >= RTE_DIM(pf->evq)) {
		pf->evq_lost++;
		return;
	}
	pf->evq[pf->evq_len].func = func;
	pf->evq[pf->evq_len].ev = (uint8_t)ev;
	pf->evq_len++;
}

/* Deliver queued events to policy.vf_event; called without mbox_lock. */
void
qdma_pf_fire_events(struct qdma_adapter *ad)
{
	struct qdma_pf_evt evq[QDMA_PF_EVQ_LEN];
	void (*hook)(void *, uint16_t, uint16_t, enum rte_pmd_qdma_vf_event);
	unsigned int n;
	uint16_t port;
	void *arg;

	if (ad->pf == NULL || __atomic_load_n(&ad->pf->evq_len, __ATOMIC_RELAXED) == 0)
		return;
	rte_spinlock_lock(&ad->mbox_lock);
	if (ad->pf == NULL) {
		rte_spinlock_unlock(&ad->mbox_lock);
		return;
	}
	n = ad->pf->evq_len;
	memcpy(evq, ad->pf->evq, n * sizeof(evq[0]));
	ad->pf->evq_len = 0;
	hook = ad->pf->policy.vf_event;
	arg = ad->pf->policy_arg;
	port = ad->eth->data->port_id;
	rte_spinlock_unlock(&ad->mbox_lock);
	for (unsigned int i = 0; hook != NULL && i < n; i++)
		hook(arg, port, evq[i].func, (enum rte_pmd_qdma_vf_event)evq[i].ev);
}

/* ------------------------------------------------------------ resources */

struct range {
	uint32_t base, len;
};

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Does [base, base+len) overlap any function's window except @p skip? */
static bool
range_taken(const struct qdma_pf *pf, uint32_t base, uint32_t len, uint16_t skip)
{
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		const struct qdma_fn_entry *e = &pf->fn[f];

		if (f == skip || e->qbase < 0 || e->qmax == 0)
			continue;
		if (base < (uint32_t)e->qbase + e->qmax && (uint32_t)e->qbase < base + len)
			return true;
	}
	return false;
}

/*
 * (Re)size the window of @p func (reference §5): refused while it has
 * active queues; qmax 0 frees; a hint is taken exactly if free; otherwise
 * best fit (smallest free gap, the later one on ties).  On failure the old
 * window is kept.
 */
int
qdma_resmgr_update(struct qdma_adapter *ad, uint16_t func, uint32_t qmax, int32_t hint,
		int32_t *qbase_out)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[func];
	struct range used[QDMA_MAX_FUNCS];
	unsigned int n = 0;
	uint32_t best_base = 0, best_len = UINT32_MAX, cur = 0;
	bool found = false;

	/* a VF whose contexts are saved (paused) may move: they are restored at the new base */
	if ((e->active[0] || e->active[1] || e->active[2]) &&
	    e->pause_state != RTE_PMD_QDMA_PAUSE_SAVED)
		return -EBUSY;
	if (qmax > pf->num_qs)
		return -ENOSPC;
	if (qmax == 0) {
		e->qbase = -1;
		e->qmax = 0;
		if (qbase_out)
			*qbase_out = -1;
		return 0;
	}
	if (hint >= 0) {
		if ((uint64_t)hint + qmax > pf->num_qs || range_taken(pf, hint, qmax, func))
			return -ENOSPC;
		best_base = (uint32_t)hint;
		found = true;
	} else {
		for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++)
			if (f != func && pf->fn[f].qbase >= 0 && pf->fn[f].qmax > 0)
				used[n++] = (struct range){ (uint32_t)pf->fn[f].qbase, pf->fn[f].qmax };
		qsort(used, n, sizeof(used[0]), range_cmp);
		for (unsigned int i = 0; i <= n; i++) {
			uint32_t end = i < n ? used[i].base : pf->num_qs;

			if (end > cur && end - cur >= qmax && end - cur <= best_len) {
				best_len = end - cur;
				best_base = cur;
				found = true;
			}
			if (i < n && used[i].base + used[i].len > cur)
				cur = used[i].base + used[i].len;
		}
	}
	if (!found)
		return -ENOSPC;
	e->qbase = (int32_t)best_base;
	e->qmax = qmax;
	if (qbase_out)
		*qbase_out = e->qbase;
	return 0;
}

/* ------------------------------------------------------------- contexts */

/*
 * Selectors a queue start clears, in the reference's order, into @p sel; returns how many.
 * The PF's own queues follow its direct path (2.8): SW, HW (+CR for ST H2C); ST C2H: SW, HW,
 * PFTCH, CMPT, CR. A VF's contexts follow what the PF does for QCTXT_WRT (4.7): SW, HW, CR,
 * +PFTCH for ST C2H, +CMPT with a CMPT type. CMPT_CTXT_ONLY: CMPT alone.
 */
static unsigned int
start_clear_order(bool own, bool st, bool c2h, unsigned int cmpt_type, uint8_t sel[6])
{
	bool with_cmpt = c2h && cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE;
	unsigned int n = 0;

	if (cmpt_type == QDMA_MBOX_CMPT_CTXT_ONLY) {
		if (c2h)
			sel[n++] = QDMA_IND_SEL_CMPT;
		return n;
	}
	sel[n++] = c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C;
	sel[n++] = c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C;
	if (!own)
		sel[n++] = c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C;
	if (st && c2h)
		sel[n++] = QDMA_IND_SEL_PFTCH;
	if (with_cmpt)
		sel[n++] = QDMA_IND_SEL_CMPT;
	if (own && st)
		sel[n++] = c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C;
	return n;
}

/* Run one command (CLR/INV) on each selector of @p sel, stopping at the first failure. */
static int
ctxt_cmds(struct qdma_adapter *ad, const uint8_t *sel, unsigned int n, unsigned int op,
		uint16_t qid_hw)
{
	for (unsigned int i = 0; i < n; i++) {
		int rc = qdma_ind_ctxt(ad, sel[i], op, qid_hw, NULL, 0, NULL);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The SW context of a descq_conf whose values are validated (4.7 composition). */
static int
compose_sw(struct qdma_adapter *ad, uint16_t func, bool st, bool c2h,
		const struct qdma_mbox_descq_conf *d, uint32_t w[QDMA_SW_CTX_WORDS])
{
	uint32_t fl = d->flags;
	int rng = qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->ringsz + 1);
	struct qdma_sw_ctx sw = { 0 };

	if (rng < 0)
		return -EINVAL;
	sw.fnc_id = func;
	sw.qen = 1;
	sw.fcrd_en = !!(fl & QDMA_DESCQ_F_FORCED_EN);
	sw.wbi_chk = !!(fl & QDMA_DESCQ_F_WBI_CHK);
	sw.wbi_intvl_en = !!(fl & QDMA_DESCQ_F_WBI_INTVL_EN);
	sw.rngsz_idx = (uint8_t)rng;
	sw.desc_sz = (uint8_t)((fl >> QDMA_DESCQ_DESC_SZ_SHIFT) & QDMA_DESCQ_DESC_SZ_MASK);
	sw.bypass = !!(fl & QDMA_DESCQ_F_EN_BYPASS);
	sw.wbk_en = !!(fl & QDMA_DESCQ_F_WBK_EN);
	sw.irq_en = !!(fl & QDMA_DESCQ_F_IRQ_EN);
	sw.irq_arm = !!(fl & QDMA_DESCQ_F_IRQ_ARM);
	sw.is_mm = !st;
	sw.ring_base = d->ring_bs_addr;
	sw.vec = d->intr & QDMA_DESCQ_INTR_ID_MASK;
	sw.intr_aggr = !!(d->intr & QDMA_DESCQ_INTR_AGGR);
	if (st && c2h && func != ad->func_id) {
		/* as the reference PF composes ST C2H contexts of VFs */
		sw.irq_en = sw.irq_arm = sw.wbk_en = sw.wbi_chk = 0;
	}
	return qdma_sw_ctx_encode(&sw, w) < 0 ? -ERANGE : 0;
}

static int
compose_pfch(struct qdma_adapter *ad, const struct qdma_mbox_descq_conf *d,
		uint32_t w[QDMA_PFCH_CTX_WORDS])
{
	struct qdma_pfch_ctx p = { 0 };
	int b = qdma_csr_table_find(ad->csr.buf_sz, d->bufsz);

	if (b < 0)
		return -EINVAL;
	p.valid = 1;
	p.bufsz_idx = (uint8_t)b;
	p.pfch_en = !!(d->flags & QDMA_DESCQ_F_PFCH_EN);
	p.bypass = !!(d->flags & QDMA_DESCQ_F_EN_BYPASS_PFCH);
	return qdma_pfch_ctx_encode(&p, w) < 0 ? -ERANGE : 0;
}

static int
compose_cmpt(struct qdma_adapter *ad, uint16_t func, const struct qdma_mbox_descq_conf *d,
		uint32_t w[QDMA_CMPT_CTX_WORDS])
{
	uint32_t fl = d->flags;
	struct qdma_cmpt_ctx c = { 0 };
	int crng = qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->cmpt_ringsz + 1);
	int cnt = qdma_csr_table_find(ad->csr.cnt_th, d->cnt_thres);
	int tmr = qdma_csr_table_find(ad->csr.timer_cnt, d->timer_thres);

	if (crng < 0 || cnt < 0 || tmr < 0)
		return -EINVAL;
	c.en_stat_desc = !!(fl & QDMA_DESCQ_F_CMPL_STAT_EN);
	c.en_int = !!(fl & QDMA_DESCQ_F_CMPT_INT_EN);
	c.trig_mode = (uint8_t)((fl >> QDMA_DESCQ_TRIG_MODE_SHIFT) & QDMA_DESCQ_TRIG_MODE_MASK);
	c.fnc_id = func;
	c.counter_idx = (uint8_t)cnt;
	c.timer_idx = (uint8_t)tmr;
	c.color = 1;
	c.ringsz_idx = (uint8_t)crng;
	c.base_addr = d->cmpt_ring_bs_addr;
	c.desc_sz = (uint8_t)((fl >> QDMA_DESCQ_CMPT_DESC_SZ_SHIFT) & QDMA_DESCQ_CMPT_DESC_SZ_MASK);
	c.valid = 1;
	c.ovf_chk_dis = !!(fl & QDMA_DESCQ_F_DIS_OVF_CHK);
	c.vec = d->intr & QDMA_DESCQ_INTR_ID_MASK;
	c.int_aggr = !!(d->intr & QDMA_DESCQ_INTR_AGGR);
	return qdma_cmpt_ctx_encode(&c, w) < 0 ? -ERANGE : 0;
}

/*
 * Compose and program the contexts of queue @p qid_hw for function @p func from a descq_conf
 * whose values are already validated: compose everything first, then clear in the reference's
 * order (start_clear_order) and write SW, PFTCH, CMPT. Returns 0 or the first failure's -errno
 * (-EINVAL: a value not in the CSR tables, -ERANGE: a field that does not encode, else the
 * card's); nothing is written when composing fails.
 */
int
qdma_queue_ctxt_write(struct qdma_adapter *ad, uint16_t func, uint16_t qid_hw, bool st, bool c2h,
		unsigned int cmpt_type, const struct qdma_mbox_descq_conf *d)
{
	uint32_t sw[QDMA_IND_CTXT_DATA_WORDS], pf[QDMA_IND_CTXT_DATA_WORDS];
	uint32_t cm[QDMA_IND_CTXT_DATA_WORDS];
	bool with_ring = cmpt_type != QDMA_MBOX_CMPT_CTXT_ONLY;
	bool with_pfch = with_ring && st && c2h;
	bool with_cmpt = c2h && cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE;
	uint8_t sel[6];
	unsigned int n;
	int rc = 0;

	if (with_ring)
		rc = compose_sw(ad, func, st, c2h, d, sw);
	if (rc == 0 && with_pfch)
		rc = compose_pfch(ad, d, pf);
	if (rc == 0 && with_cmpt)
		rc = compose_cmpt(ad, func, d, cm);
	if (rc < 0)
		return rc;
	n = start_clear_order(func == ad->func_id, st, c2h, cmpt_type, sel);
	rc = ctxt_cmds(ad, sel, n, QDMA_IND_OP_CLR, qid_hw);
	if (rc == 0 && with_ring)
		rc = qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C,
			QDMA_IND_OP_WR, qid_hw, sw, QDMA_SW_CTX_WORDS, NULL);
	if (rc == 0 && with_pfch)
		rc = qdma_ind_ctxt(ad, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_WR, qid_hw, pf,
			QDMA_PFCH_CTX_WORDS, NULL);
	if (rc == 0 && with_cmpt)
		rc = qdma_ind_ctxt(ad, QDMA_IND_SEL_CMPT, QDMA_IND_OP_WR, qid_hw, cm,
			QDMA_CMPT_CTX_WORDS, NULL);
	return rc;
}

/*
 * Invalidate (or clear) every context of a queue, in the order of a queue stop (2.8): SW, HW,
 * then PFTCH, CMPT, CR for ST C2H, CR for ST H2C (and CMPT of an MM C2H queue with one).
 * Every command is issued even when one fails (a stop must leave as little as possible
 * running); returns 0 or the first failure's -errno.
 */
int
qdma_queue_ctxt_inv(struct qdma_adapter *ad, uint16_t qid_hw, bool st, bool c2h,
		unsigned int cmpt_type, bool clear)
{
	unsigned int op = clear ? QDMA_IND_OP_CLR : QDMA_IND_OP_INV;
	bool ring = cmpt_type != QDMA_MBOX_CMPT_CTXT_ONLY;
	uint8_t sel[6];
	unsigned int n = 0;
	int first = 0;

	if (ring) {
		sel[n++] = c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C;
		sel[n++] = c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C;
		if (st && c2h)
			sel[n++] = QDMA_IND_SEL_PFTCH;
	}
	if (c2h && cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE)
		sel[n++] = QDMA_IND_SEL_CMPT;
	if (ring && st)
		sel[n++] = c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C;
	for (unsigned int i = 0; i < n; i++) {
		int rc = qdma_ind_ctxt(ad, sel[i], op, qid_hw, NULL, 0, NULL);

		if (rc < 0 && first == 0)
			first = rc;
	}
	return first;
}

/*
 * Clear every context of every queue of a window, and the interrupt rings of the same
 * indices (a VF owns those, INTR_CTXT_*): a VF leaving or resetting.
 */
void
qdma_pf_clear_window(struct qdma_adapter *ad, const struct qdma_fn_entry *e)
{
	if (e->qbase < 0)
		return;
	for (uint32_t q = (uint32_t)e->qbase; q < (uint32_t)e->qbase + e->qmax; q++) {
		qdma_queue_ctxt_inv(ad, (uint16_t)q, true, false, QDMA_MBOX_CMPT_CTXT_NONE, true);
		qdma_queue_ctxt_inv(ad, (uint16_t)q, true, true, QDMA_MBOX_CMPT_CTXT_WITH_ST, true);
		qdma_ind_ctxt(ad, QDMA_IND_SEL_INT_COAL, QDMA_IND_OP_CLR, q, NULL, 0, NULL);
	}
}

/*
 * Give function @p func the window [.., +qmax) (hint as qdma_resmgr_update).
 * A window that moves or goes away leaves nothing behind: every context of
 * the old window and of the new one is cleared (a context keeps its fnc_id,
 * ring and buffers: left alone it would let the old owner's identity and
 * memory serve the next owner), and FMAP is zeroed until the owner maps it.
 * Caller holds mbox_lock (the resource manager's lock).
 */
int
qdma_fn_window_set(struct qdma_adapter *ad, uint16_t func, uint32_t qmax, int32_t hint,
		int32_t *qbase_out)
{
	struct qdma_fn_entry old = ad->pf->fn[func];
	int rc;

	rc = qdma_resmgr_update(ad, func, qmax, hint, qbase_out);
	if (rc < 0)
		return rc;
	if (old.qbase == ad->pf->fn[func].qbase && old.qmax == ad->pf->fn[func].qmax)
		return 0;
	qdma_fmap_write(ad, func, 0, 0);
	qdma_pf_clear_window(ad, &old);
	qdma_pf_clear_window(ad, &ad->pf->fn[func]);
	return 0;
}

/* ------------------------------------------------------------ the outbox */

/* Forget the message waiting for @p func (it left, or was reset). */
static void
outbox_unqueue(struct qdma_pf *pf, uint16_t func)
{
	unsigned int i, n = 0;

	if (!pf->fn[func].pend)
		return;
	pf->fn[func].pend = false;
	for (i = 0; i < pf->sendq_len; i++) {
		uint16_t f = pf->sendq[(pf->sendq_head + i) % QDMA_MAX_FUNCS];

		if (f != func)
			pf->sendq[(pf->sendq_head + n++) % QDMA_MAX_FUNCS] = f;
	}
	pf->sendq_len = n;
}

/* Withdraw whatever the PF has for @p func: queued or in the outbox. */
static void
outbox_withdraw(struct qdma_adapter *ad, uint16_t func)
{
	struct qdma_pf *pf = ad->pf;

	outbox_unqueue(pf, func);
	if (pf->out_fn == func) {
		if (qdma_mbox_outbox_busy(ad))
			qdma_mbox_vf_reset(ad, func);
		pf->out_fn = -1;
	}
}

/*
 * Queue @p m for @p dst.  One slot per function: a VF has one request in
 * flight; if it sends another before reading the answer, the older answer
 * is replaced (and counted as dropped).
 */
static void
outbox_queue(struct qdma_adapter *ad, uint16_t dst, const union qdma_mbox_msg *m)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[dst];

	if (e->pend) {
		e->dropped++;
		pf->mbox_dropped++;
	} else {
		pf->sendq[(pf->sendq_head + pf->sendq_len) % QDMA_MAX_FUNCS] = dst;
		pf->sendq_len++;
		e->pend = true;
	}
	e->pend_msg = *m;
}

/* @p func left the PF's message unconsumed for the send timeout: reset it. */
static void
vf_stuck(struct qdma_adapter *ad, uint16_t func, uint64_t now)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[func];

	e->send_timeouts++;
	e->resets++;
	outbox_unqueue(pf, func);
	qdma_mbox_vf_reset(ad, func);
	pf->out_fn = -1;
	if (qdma_mbox_outbox_busy(ad)) {
		/* the card did not release the outbox: give it another timeout */
		pf->out_fn = func;
		pf->out_tsc = now;
	}
	qdma_pf_vf_gone(ad, func, true);
	e->quarantined = true;
	qdma_pf_evt_push(pf, func, RTE_PMD_QDMA_VF_EVT_STUCK);
	QDMA_MBOX_LOG(WARNING, "%s: VF function %u did not read the PF's message within %" PRIu64
		" ms: its mailbox was reset, its queues released; ignored until it is reset",
		ad->name, func, pf->send_timeout * 1000 / rte_get_timer_hz());
}

/*
 * Move waiting messages into the outbox while it is free; recover it from
 * a VF that does not consume.  Never waits for a VF.  Caller holds
 * mbox_lock.  Returns true while something is still waiting or in flight.
 */
static bool
outbox_flush(struct qdma_adapter *ad)
{
	struct qdma_pf *pf = ad->pf;

	while (pf->sendq_len > 0 || pf->out_fn >= 0) {
		uint64_t now = rte_get_timer_cycles();
		struct qdma_fn_entry *e;
		uint16_t dst;
		int rc;

		if (ad->dev_gone)
			return false;
		if (qdma_mbox_outbox_busy(ad)) {
			if (pf->out_fn < 0) {       /* not ours (a previous owner's): time it */
				pf->out_fn = (int32_t)QDMA_MAX_FUNCS;
				pf->out_tsc = now;
			}
			if (now - pf->out_tsc < pf->send_timeout)
				return true;
			if (pf->out_fn < (int32_t)QDMA_MAX_FUNCS) {
				vf_stuck(ad, (uint16_t)pf->out_fn, now);
			} else {
				pf->out_fn = -1;
				pf->mbox_dropped++;
			}
			continue;
		}
		pf->out_fn = -1;
		if (pf->sendq_len == 0)
			break;
		dst = pf->sendq[pf->sendq_head];
		pf->sendq_head = (pf->sendq_head + 1) % QDMA_MAX_FUNCS;
		pf->sendq_len--;
		e = &pf->fn[dst];
		e->pend = false;
		rc = qdma_mbox_send(ad, dst, &e->pend_msg);
		if (rc == 0) {
			pf->out_fn = dst;
			pf->out_tsc = now;
			pf->mbox_tx++;
			e->tx++;
		} else {
			pf->mbox_dropped++;
			e->dropped++;
		}
	}
	return false;
}

static void
retry_alarm(void *arg)
{
	struct qdma_adapter *ad = arg;

	if (ad->pf != NULL)
		__atomic_store_n(&ad->pf->retry_armed, false, __ATOMIC_RELAXED);
	qdma_pf_mbox_service(ad, 64);
}

/* ------------------------------------------------------------ VF state */

/*
 * @p src is offline: its window, contexts and FMAP are released.  With
 * @p withdraw, whatever the PF still has for it is withdrawn too (it left or
 * was reset); without (the PF going away), a PF_BYE to it stays.
 */
void
qdma_pf_vf_gone(struct qdma_adapter *ad, uint16_t src, bool withdraw)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[src];
	bool was = e->online;

	if (withdraw)
		outbox_withdraw(ad, src);
	else
		outbox_unqueue(pf, src);
	memset(e->active, 0, sizeof(e->active));
	qdma_fn_window_set(ad, src, 0, -1, NULL);
	qdma_fmap_write(ad, src, 0, 0);
	e->online = false;
	e->svff_ext = 0;
	e->pause_state = RTE_PMD_QDMA_PAUSE_NONE;
	if (was && pf->policy.vf_bye != NULL)
		pf->policy.vf_bye(pf->policy_arg, ad->eth->data->port_id, src);
}

/*
 * VF function @p func was reset (FLR, slot disconnect/revoke, numvfs): its
 * mailbox is fresh, its queues are stopped.  Release what the PF holds for
 * it and tell the owner.  Caller holds mbox_lock.
 */
void
qdma_pf_vf_reset(struct qdma_adapter *ad, uint16_t func)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[func];
	bool known = e->online || e->qbase >= 0 || e->quarantined || e->pend ||
		     pf->out_fn == func;

	e->quarantined = false;
	e->flooding = false;
	e->tokens = pf->burst;
	if (!known)
		return;    /* nothing of it here: nothing to report */
	e->resets++;
	qdma_pf_vf_gone(ad, func, true);
	qdma_pf_evt_push(pf, func, RTE_PMD_QDMA_VF_EVT_GONE);
	QDMA_MBOX_LOG(NOTICE, "%s: VF function %u was reset: its queues and window are released",
		ad->name, func);
}

/* The PF goes away: every VF's window, contexts and FMAP are released.
 * Caller holds mbox_lock. */
void
qdma_pf_release_vfs(struct qdma_adapter *ad)
{
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		const struct qdma_fn_entry *e = &ad->pf->fn[f];

		if (f != ad->func_id && (e->online || e->qbase >= 0))
			qdma_pf_vf_gone(ad, (uint16_t)f, false);
	}
}

/* Arm the outbox retry alarm (interrupt mode: nobody else calls the service). */
static void
retry_arm(struct qdma_adapter *ad)
{
	struct qdma_pf *pf = ad->pf;

	if (pf->mbox_poll || __atomic_exchange_n(&pf->retry_armed, true, __ATOMIC_RELAXED))
		return;
	if (rte_eal_alarm_set(QDMA_MBOX_RETRY_US, retry_alarm, ad) < 0)
		__atomic_store_n(&pf->retry_armed, false, __ATOMIC_RELAXED);
}

int
qdma_pf_mbox_service(struct qdma_adapter *ad, unsigned int budget)
{
	union qdma_mbox_msg m;
	unsigned int n = 0;
	bool respond, waiting;
	uint16_t src;
	int rc;

	if (ad->is_vf)
		return -ENOTSUP;
	rte_spinlock_lock(&ad->mbox_lock);
	if (ad->pf == NULL || ad->dev_gone) {    /* the port is closing / the card is gone */
		rte_spinlock_unlock(&ad->mbox_lock);
		return -ENODEV;
	}
	outbox_flush(ad);
	while (n < budget) {
		rc = qdma_mbox_recv(ad, &m, &src);
		if (rc == 0)
			break;
		n++;
		if (rc < 0) {
			ad->pf->mbox_dropped++;
			if (ad->dev_gone)
				break;
			continue;
		}
		ad->pf->mbox_rx++;
		qdma_pf_handle_msg(ad, src, &m, &respond);
		if (respond) {
			outbox_queue(ad, src, &m);
			outbox_flush(ad);
		}
	}
	waiting = outbox_flush(ad);
	if (waiting)
		retry_arm(ad);
	rte_spinlock_unlock(&ad->mbox_lock);
	qdma_pf_fire_events(ad);
	return (int)n;
}

/*
 * Send a PF->VF notice to @p only_func, or to every online VF (-1), and wait
 * (bounded by about one send timeout, without the lock) until they entered
 * the outbox; what is left goes out with later service calls.  Returns the
 * number of notices queued.
 */
int
qdma_pf_send_vfs(struct qdma_adapter *ad, uint8_t op, int32_t only_func)
{
	union qdma_mbox_msg m;
	uint64_t deadline;
	int sent = 0;
	bool waiting;

	if (ad->is_vf || ad->pf == NULL)
		return -ENOTSUP;
	rte_spinlock_lock(&ad->mbox_lock);
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		if (f == ad->func_id || !ad->pf->fn[f].online)
			continue;
		if (only_func >= 0 && (uint32_t)only_func != f)
			continue;
		qdma_mbox_msg_init(&m, op, ad->func_id, (uint16_t)f);
		outbox_queue(ad, (uint16_t)f, &m);
		sent++;
	}
	deadline = rte_get_timer_cycles() + ad->pf->send_timeout + rte_get_timer_hz() / 100;
	for (;;) {
		waiting = ad->pf->sendq_len > 0 && outbox_flush(ad);
		if (!waiting || rte_get_timer_cycles() > deadline || ad->dev_gone)
			break;
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_ctl_pause(ad, 20);
		rte_spinlock_lock(&ad->mbox_lock);
		if (ad->pf == NULL)
			break;
	}
	if (ad->pf != NULL && waiting)
		retry_arm(ad);
	rte_spinlock_unlock(&ad->mbox_lock);
	qdma_pf_fire_events(ad);
	return sent;
}

/*
 * Queue one PF->VF message for @p func and push the outbox once; what waits
 * goes out with later service calls (never blocks on the VF).
 */
int
qdma_pf_send_msg(struct qdma_adapter *ad, uint16_t func, const union qdma_mbox_msg *m)
{
	if (ad->is_vf || ad->pf == NULL || func >= QDMA_MAX_FUNCS)
		return -ENOTSUP;
	rte_spinlock_lock(&ad->mbox_lock);
	outbox_queue(ad, func, m);
	if (outbox_flush(ad))
		retry_arm(ad);
	rte_spinlock_unlock(&ad->mbox_lock);
	qdma_pf_fire_events(ad);
	return 0;
}

/* The service stops (port closing): no retry alarm may run after this. */
void
qdma_pf_mbox_stop(struct qdma_adapter *ad)
{
	rte_eal_alarm_cancel(retry_alarm, ad);
}
