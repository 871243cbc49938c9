/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PF's VF-message service and queue resource manager.
 *
 * A VF is untrusted.  Every message is checked before it acts: the sender
 * is the function the hardware reports (the header's claim is ignored),
 * every queue id must lie in the sender's own window, every size/threshold
 * must be a value of the CSR tables, every range must fit the queue space.
 * Stricter than the reference PF where it is lax: FMAP must match the
 * granted window, QCTXT_RD/CLR/INV are ownership-checked, interrupt-ring
 * contexts are refused (their rings have no owner the PF could check).
 * A refused request is answered with an error status and changes nothing.
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

/* Mailbox status codes (reference §4.6/4.7), as carried in hdr.status. */
#define ST_OK 0

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
static void
evt_push(struct qdma_pf *pf, uint16_t func, enum rte_pmd_qdma_vf_event ev)
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

static bool
qid_owned(const struct qdma_fn_entry *e, uint32_t qid)
{
	return e->qbase >= 0 && qid >= (uint32_t)e->qbase && qid < (uint32_t)e->qbase + e->qmax;
}

/* ------------------------------------------------------------- contexts */

/*
 * Compose and program the contexts of queue @p qid_hw for function @p func
 * from a descq_conf whose values are already validated (reference §4.7
 * order: CLR SW, HW, CR (+PFTCH, CMPT) then WR SW, PFTCH, CMPT).
 */
int
qdma_queue_ctxt_write(struct qdma_adapter *ad, uint16_t func, uint16_t qid_hw, bool st, bool c2h,
		unsigned int cmpt_type, const struct qdma_mbox_descq_conf *d)
{
	uint32_t fl = d->flags;
	int rng = qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->ringsz + 1);
	struct qdma_sw_ctx sw = { 0 };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS];
	bool with_cmpt = cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE;
	bool cmpt_only = cmpt_type == QDMA_MBOX_CMPT_CTXT_ONLY;
	unsigned int sw_sel = c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C;
	int rc;

	if (!c2h)
		with_cmpt = false;
	if (!cmpt_only && rng < 0)
		return -EINVAL;
	/* clear */
	if (!cmpt_only) {
		rc = qdma_ind_ctxt(ad, sw_sel, QDMA_IND_OP_CLR, qid_hw, NULL, 0, NULL);
		rc |= qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C,
			QDMA_IND_OP_CLR, qid_hw, NULL, 0, NULL);
		rc |= qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C,
			QDMA_IND_OP_CLR, qid_hw, NULL, 0, NULL);
		if (st && c2h)
			rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_CLR, qid_hw, NULL, 0,
				NULL);
		if (rc)
			return -EIO;
	}
	if (with_cmpt && qdma_ind_ctxt(ad, QDMA_IND_SEL_CMPT, QDMA_IND_OP_CLR, qid_hw, NULL, 0,
			NULL) < 0)
		return -EIO;

	if (!cmpt_only) {
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
		if (qdma_sw_ctx_encode(&sw, w) < 0 ||
		    qdma_ind_ctxt(ad, sw_sel, QDMA_IND_OP_WR, qid_hw, w, QDMA_SW_CTX_WORDS, NULL) < 0)
			return -EIO;
		if (st && c2h) {
			struct qdma_pfch_ctx p = { 0 };
			int b = qdma_csr_table_find(ad->csr.buf_sz, d->bufsz);

			if (b < 0)
				return -EINVAL;
			p.valid = 1;
			p.bufsz_idx = (uint8_t)b;
			p.pfch_en = !!(fl & QDMA_DESCQ_F_PFCH_EN);
			p.bypass = !!(fl & QDMA_DESCQ_F_EN_BYPASS_PFCH);
			if (qdma_pfch_ctx_encode(&p, w) < 0 ||
			    qdma_ind_ctxt(ad, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_WR, qid_hw, w,
				    QDMA_PFCH_CTX_WORDS, NULL) < 0)
				return -EIO;
		}
	}
	if (with_cmpt) {
		struct qdma_cmpt_ctx c = { 0 };
		int crng = qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->cmpt_ringsz + 1);
		int cnt = qdma_csr_table_find(ad->csr.cnt_th, d->cnt_thres);
		int tmr = qdma_csr_table_find(ad->csr.timer_cnt, d->timer_thres);

		if (crng < 0 || cnt < 0 || tmr < 0)
			return -EINVAL;
		c.en_stat_desc = !!(fl & QDMA_DESCQ_F_CMPL_STAT_EN);
		c.en_int = !!(fl & QDMA_DESCQ_F_CMPT_INT_EN);
		c.trig_mode = (uint8_t)((fl >> QDMA_DESCQ_TRIG_MODE_SHIFT) &
			QDMA_DESCQ_TRIG_MODE_MASK);
		c.fnc_id = func;
		c.counter_idx = (uint8_t)cnt;
		c.timer_idx = (uint8_t)tmr;
		c.color = 1;
		c.ringsz_idx = (uint8_t)crng;
		c.base_addr = d->cmpt_ring_bs_addr;
		c.desc_sz = (uint8_t)((fl >> QDMA_DESCQ_CMPT_DESC_SZ_SHIFT) &
			QDMA_DESCQ_CMPT_DESC_SZ_MASK);
		c.valid = 1;
		c.ovf_chk_dis = !!(fl & QDMA_DESCQ_F_DIS_OVF_CHK);
		c.vec = d->intr & QDMA_DESCQ_INTR_ID_MASK;
		c.int_aggr = !!(d->intr & QDMA_DESCQ_INTR_AGGR);
		if (qdma_cmpt_ctx_encode(&c, w) < 0 ||
		    qdma_ind_ctxt(ad, QDMA_IND_SEL_CMPT, QDMA_IND_OP_WR, qid_hw, w,
			    QDMA_CMPT_CTX_WORDS, NULL) < 0)
			return -EIO;
	}
	return 0;
}

/* Invalidate (or clear) every context of a queue. */
int
qdma_queue_ctxt_inv(struct qdma_adapter *ad, uint16_t qid_hw, bool st, bool c2h,
		unsigned int cmpt_type, bool clear)
{
	unsigned int op = clear ? QDMA_IND_OP_CLR : QDMA_IND_OP_INV;
	int rc = 0;

	if (cmpt_type != QDMA_MBOX_CMPT_CTXT_ONLY) {
		rc |= qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C, op, qid_hw,
			NULL, 0, NULL);
		rc |= qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C, op, qid_hw,
			NULL, 0, NULL);
		if (st)
			rc |= qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C, op,
				qid_hw, NULL, 0, NULL);
		if (st && c2h)
			rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_PFTCH, op, qid_hw, NULL, 0, NULL);
	}
	if (c2h && cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE)
		rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_CMPT, op, qid_hw, NULL, 0, NULL);
	return rc ? -EIO : 0;
}

/* Clear every context of every queue of a window (a VF leaving or resetting). */
static void
clear_window(struct qdma_adapter *ad, const struct qdma_fn_entry *e)
{
	if (e->qbase < 0)
		return;
	for (uint32_t q = (uint32_t)e->qbase; q < (uint32_t)e->qbase + e->qmax; q++) {
		qdma_queue_ctxt_inv(ad, (uint16_t)q, true, false, QDMA_MBOX_CMPT_CTXT_NONE, true);
		qdma_queue_ctxt_inv(ad, (uint16_t)q, true, true, QDMA_MBOX_CMPT_CTXT_WITH_ST, true);
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
	clear_window(ad, &old);
	clear_window(ad, &ad->pf->fn[func]);
	return 0;
}

/* --------------------------------------------------------- VF messages */

static int
check_descq(struct qdma_adapter *ad, bool st, bool c2h, unsigned int cmpt_type,
		const struct qdma_mbox_descq_conf *d)
{
	uint32_t fl = d->flags;
	unsigned int desc_sz = (fl >> QDMA_DESCQ_DESC_SZ_SHIFT) & QDMA_DESCQ_DESC_SZ_MASK;
	unsigned int trig = (fl >> QDMA_DESCQ_TRIG_MODE_SHIFT) & QDMA_DESCQ_TRIG_MODE_MASK;
	bool cmpt = c2h && cmpt_type != QDMA_MBOX_CMPT_CTXT_NONE;

	/* card memory is one space for every function: MM only if allowed */
	if (!st && !ad->pf->policy.vf_mm)
		return QDMA_MBOX_ERR_INV_MSG;
	if (cmpt_type != QDMA_MBOX_CMPT_CTXT_ONLY) {
		if (qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->ringsz + 1) < 0)
			return QDMA_MBOX_ERR_INV_RINGSZ;
		/* the descriptor size must be the one of the queue type */
		if (desc_sz != (!st ? QDMA_DESC_SZ_32B : c2h ? QDMA_DESC_SZ_8B : QDMA_DESC_SZ_16B))
			return QDMA_MBOX_ERR_INV_MSG;
		if (d->ring_bs_addr == 0 || (d->ring_bs_addr & 63) != 0)
			return QDMA_MBOX_ERR_INV_MSG;
		if (fl & QDMA_DESCQ_F_EN_BYPASS)
			return QDMA_MBOX_ERR_INV_MSG;   /* no bypass logic on this card */
		if (st && c2h && qdma_csr_table_find(ad->csr.buf_sz, d->bufsz) < 0)
			return QDMA_MBOX_ERR_INV_BUFSZ;
	}
	if (cmpt) {
		if (qdma_csr_table_find(ad->csr.ring_sz, (uint32_t)d->cmpt_ringsz + 1) < 0)
			return QDMA_MBOX_ERR_INV_RINGSZ;
		if (qdma_csr_table_find(ad->csr.cnt_th, d->cnt_thres) < 0)
			return QDMA_MBOX_ERR_INV_CNTR_TH;
		if (qdma_csr_table_find(ad->csr.timer_cnt, d->timer_thres) < 0)
			return QDMA_MBOX_ERR_INV_TMR_TH;
		if (trig > QDMA_CMPT_TRIG_MAX)
			return QDMA_MBOX_ERR_INV_MSG;
		if (d->cmpt_ring_bs_addr == 0 || (d->cmpt_ring_bs_addr & (QDMA_CTX_RING_ALIGN - 1)))
			return QDMA_MBOX_ERR_INV_MSG;
	}
	/* no interrupts for VF queues: vectors are not the VF's to choose */
	if (fl & (QDMA_DESCQ_F_IRQ_EN | QDMA_DESCQ_F_CMPT_INT_EN | QDMA_DESCQ_F_IRQ_ARM) ||
	    (d->intr & QDMA_DESCQ_INTR_AGGR))
		return QDMA_MBOX_ERR_INV_MSG;
	return ST_OK;
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

static void vf_gone(struct qdma_adapter *ad, uint16_t src, bool withdraw);

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
	vf_gone(ad, func, true);
	e->quarantined = true;
	evt_push(pf, func, RTE_PMD_QDMA_VF_EVT_STUCK);
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
static void
vf_gone(struct qdma_adapter *ad, uint16_t src, bool withdraw)
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
	vf_gone(ad, func, true);
	evt_push(pf, func, RTE_PMD_QDMA_VF_EVT_GONE);
	QDMA_MBOX_LOG(NOTICE, "%s: VF function %u was reset: its queues and window are released",
		ad->name, func);
}

/*
 * Rate limit and quarantine, before a message is looked at.  The card's
 * reset notice always passes.  Caller holds mbox_lock.
 */
static bool
admit(struct qdma_adapter *ad, uint16_t src, const union qdma_mbox_msg *m)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e;
	uint64_t now, hz, add;

	if (src >= QDMA_MAX_FUNCS || src == ad->func_id)
		return true;   /* refused by qdma_pf_handle_msg */
	e = &pf->fn[src];
	if (m->hdr.op == QDMA_MBOX_OP_VF_BYE && m->hdr.status == QDMA_MBOX_BYE_ST_FN_RESET)
		return true;
	if (e->quarantined)
		goto drop;
	if (pf->rate == 0)
		return true;
	now = rte_get_timer_cycles();
	hz = rte_get_timer_hz();
	add = (now - e->tb_tsc) * pf->rate / hz;
	if (add > 0) {
		e->tokens = add >= pf->burst - e->tokens ? pf->burst : e->tokens + (uint32_t)add;
		e->tb_tsc = e->tokens == pf->burst ? now : e->tb_tsc + add * hz / pf->rate;
	}
	if (e->tokens == pf->burst)
		e->flooding = false;   /* quiet long enough: a new burst is a new event */
	if (e->tokens > 0) {
		e->tokens--;
		return true;
	}
	if (!e->flooding) {
		e->flooding = true;
		evt_push(pf, src, RTE_PMD_QDMA_VF_EVT_FLOOD);
	}
	pf->flood_unlogged++;
	if (now - pf->flood_log_tsc > hz) {
		QDMA_MBOX_LOG(WARNING, "%s: VF function %u sends beyond its rate (%u/s, burst %u): "
			"%" PRIu64 " message(s) dropped since the last report", ad->name, src,
			pf->rate, pf->burst, pf->flood_unlogged);
		pf->flood_log_tsc = now;
		pf->flood_unlogged = 0;
	}
drop:
	e->msgs++;
	e->dropped++;
	pf->mbox_dropped++;
	return false;
}

/*
 * Handle one message from function @p src (the hardware-reported sender).
 * Fills the response in place; *respond tells whether to send it.
 * Returns the status put in the response.
 */
int
qdma_pf_handle_msg(struct qdma_adapter *ad, uint16_t src, union qdma_mbox_msg *m,
		bool *respond)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e;
	uint16_t port = ad->eth->data->port_id;
	uint8_t op = m->hdr.op;
	int st = ST_OK;

	*respond = false;
	if (src >= QDMA_MAX_FUNCS || src == ad->func_id) {
		pf->mbox_dropped++;
		return QDMA_MBOX_ERR_INV_MSG;
	}
	e = &pf->fn[src];
	e->msgs++;
	m->hdr.src_func_id = src;      /* never trust the header's claim */

	switch (op) {
	case QDMA_MBOX_OP_VF_BYE:
		/* the card's notice of a reset (a VF faking it resets only itself) */
		if (m->hdr.status == QDMA_MBOX_BYE_ST_FN_RESET)
			qdma_pf_vf_reset(ad, src);
		else
			vf_gone(ad, src, true);
		return ST_OK;
	case QDMA_MBOX_OP_PF_RESET_VF_BYE:
		vf_gone(ad, src, true);
		*respond = true;
		break;
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_PREPARE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_DONE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_PF_BYE:
		return ST_OK;   /* acknowledgements of our notices: nothing to answer */
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_PAUSE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_RESUME:
		qdma_pf_pause_ack(ad, src, m);
		return ST_OK;
	case QDMA_MBOX_OP_HELLO: {
		if (pf->policy.vf_hello != NULL && pf->policy.vf_hello(pf->policy_arg, port, src) < 0) {
			st = QDMA_MBOX_ERR_INV_MSG;
			*respond = true;
			break;
		}
		/* a new instance of the VF driver: whatever the old one left is gone */
		clear_window(ad, e);
		memset(e->active, 0, sizeof(e->active));
		qdma_fmap_write(ad, src, 0, 0);
		e->online = true;
		qdma_pf_pause_hello(ad, src, m);
		memset(&m->b[6], 0, QDMA_MBOX_MSG_BYTES - 6);
		m->hello.qbase = e->qbase;
		m->hello.qmax = e->qmax;
		m->hello.cap = ad->cap;
		m->hello.dma_device_index = 0;
		qdma_pf_pause_hello_rsp(m);
		*respond = true;
		break;
	}
	default:
		break;
	}
	if (op == QDMA_MBOX_OP_HELLO || op == QDMA_MBOX_OP_PF_RESET_VF_BYE)
		goto reply;

	*respond = true;
	if (!e->online && op <= QDMA_MBOX_OP_XILINX_MAX) {
		st = QDMA_MBOX_ERR_INV_MSG;   /* HELLO first */
		memset(&m->b[6], 0, QDMA_MBOX_MSG_BYTES - 6);
		goto reply;
	}
	switch (op) {
	case QDMA_MBOX_OP_FMAP: {
		/* stricter than the reference: exactly the granted window (or none) */
		int32_t qb = m->fmap.qbase;
		uint32_t qm = m->fmap.qmax;

		if (qm == 0 || (qb == e->qbase && qm == e->qmax && e->qbase >= 0)) {
			if (qdma_fmap_write(ad, src, qm ? (uint32_t)qb : 0, qm) < 0)
				st = QDMA_MBOX_ERR_INV_MSG;
		} else {
			st = QDMA_MBOX_ERR_INV_QID;
		}
		break;
	}
	case QDMA_MBOX_OP_CSR:
		memset(&m->b[6], 0, QDMA_MBOX_MSG_BYTES - 6);
		for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
			m->csr.ringsz[i] = (uint16_t)ad->csr.ring_sz[i];
			m->csr.bufsz[i] = (uint16_t)ad->csr.buf_sz[i];
			m->csr.timer_cnt[i] = (uint8_t)ad->csr.timer_cnt[i];
			m->csr.cnt_thres[i] = (uint8_t)ad->csr.cnt_th[i];
		}
		break;
	case QDMA_MBOX_OP_QREQ: {
		uint32_t qm = m->fmap.qmax;
		int32_t qb = -1;
		int rc;

		if (qm > QDMA_MAX_QUEUES_PER_FN) {
			st = QDMA_MBOX_ERR_NUM_QUEUES;
		} else if (e->active[0] || e->active[1] || e->active[2]) {
			st = QDMA_MBOX_ERR_NUM_QUEUES;
		} else if (pf->policy.queue_request != NULL && qm != 0) {
			rc = pf->policy.queue_request(pf->policy_arg, port, src, qm, &qb);
			if (rc < 0 || qb < 0 || qdma_fn_window_set(ad, src, qm, qb, &qb) < 0)
				st = QDMA_MBOX_ERR_NUM_QUEUES;
		} else if (qdma_fn_window_set(ad, src, qm, -1, &qb) < 0) {
			st = QDMA_MBOX_ERR_NUM_QUEUES;
		}
		if (st == ST_OK)
			qdma_fmap_write(ad, src, 0, 0);
		m->fmap.qbase = e->qbase;
		m->fmap.qmax = e->qmax;
		break;
	}
	case QDMA_MBOX_OP_QNOTIFY_ADD:
	case QDMA_MBOX_OP_QNOTIFY_DEL: {
		uint32_t t = m->qnotify.q_type;

		if (!qid_owned(e, m->qnotify.qid_hw) || t > QDMA_MBOX_QTYPE_CMPT) {
			st = QDMA_MBOX_ERR_INV_QID;
		} else if (op == QDMA_MBOX_OP_QNOTIFY_ADD) {
			if (e->active[t] >= e->qmax)
				st = QDMA_MBOX_ERR_NO_QUEUES_LEFT;
			else
				e->active[t]++;
		} else {
			if (e->active[t] == 0)
				st = QDMA_MBOX_ERR_INV_QID;
			else
				e->active[t]--;
		}
		break;
	}
	case QDMA_MBOX_OP_GET_QACTIVE_CNT:
		memset(&m->b[6], 0, QDMA_MBOX_MSG_BYTES - 6);
		m->qactive.h2c = e->active[0];
		m->qactive.c2h = e->active[1];
		m->qactive.cmpt = e->active[2];
		break;
	case QDMA_MBOX_OP_QCTXT_WRT:
	case QDMA_MBOX_OP_QCTXT_CLR:
	case QDMA_MBOX_OP_QCTXT_INV:
	case QDMA_MBOX_OP_QCTXT_RD: {
		uint16_t qid = m->qctxt.qid_hw;
		uint8_t fl = m->qctxt.flags;
		bool qst = fl & QDMA_MBOX_QCTXT_F_ST, c2h = fl & QDMA_MBOX_QCTXT_F_C2H;
		unsigned int ct = qdma_mbox_qctxt_cmpt_type(fl);

		if (!qid_owned(e, qid) || (fl & ~0x0Fu)) {
			st = QDMA_MBOX_ERR_INV_QID;
			break;
		}
		if (op == QDMA_MBOX_OP_QCTXT_WRT) {
			st = check_descq(ad, qst, c2h, ct, &m->qctxt.descq);
			if (st == ST_OK && pf->policy.ctxt_request != NULL &&
			    pf->policy.ctxt_request(pf->policy_arg, port, src, qid, c2h, true) < 0)
				st = QDMA_MBOX_ERR_INV_MSG;
			if (st == ST_OK && qdma_queue_ctxt_write(ad, src, qid, qst, c2h, ct,
					&m->qctxt.descq) < 0)
				st = QDMA_MBOX_ERR_INV_MSG;
		} else if (op == QDMA_MBOX_OP_QCTXT_RD) {
			uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };
			uint32_t qb = 0, qm = 0;
			struct qdma_mbox_qctxt_rd_rsp *r = &m->qctxt_rd;

			memset(&m->b[16], 0, QDMA_MBOX_MSG_BYTES - 16);
			qdma_fmap_read(ad, src, &qb, &qm);
			r->fmap_qbase = (uint16_t)qb;
			r->fmap_qmax = (uint16_t)qm;
			/* raw context words, as many as fit each field */
			qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C,
				QDMA_IND_OP_RD, qid, NULL, QDMA_SW_CTX_WORDS, w);
			memcpy(r->sw_ctxt, w, QDMA_SW_CTX_WORDS * 4);
			qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C,
				QDMA_IND_OP_RD, qid, NULL, QDMA_HW_CTX_WORDS, w);
			memcpy(r->hw_ctxt, w, QDMA_HW_CTX_WORDS * 4);
			qdma_ind_ctxt(ad, c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C,
				QDMA_IND_OP_RD, qid, NULL, QDMA_CREDIT_CTX_WORDS, w);
			memcpy(r->cr_ctxt, w, QDMA_CREDIT_CTX_WORDS * 4);
			if (c2h) {
				qdma_ind_ctxt(ad, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_RD, qid, NULL,
					QDMA_PFCH_CTX_WORDS, w);
				memcpy(r->pfch_ctxt, w, QDMA_PFCH_CTX_WORDS * 4);
				qdma_ind_ctxt(ad, QDMA_IND_SEL_CMPT, QDMA_IND_OP_RD, qid, NULL,
					QDMA_CMPT_CTX_WORDS, w);
				memcpy(r->cmpt_ctxt, w, sizeof(r->cmpt_ctxt));
			}
		} else {
			if (pf->policy.ctxt_request != NULL &&
			    pf->policy.ctxt_request(pf->policy_arg, port, src, qid, c2h, false) < 0)
				st = QDMA_MBOX_ERR_INV_MSG;
			else if (qdma_queue_ctxt_inv(ad, qid, qst, c2h, ct,
					op == QDMA_MBOX_OP_QCTXT_CLR) < 0)
				st = QDMA_MBOX_ERR_INV_MSG;
		}
		break;
	}
	case QDMA_MBOX_OP_INTR_CTXT_WRT:
	case QDMA_MBOX_OP_INTR_CTXT_RD:
	case QDMA_MBOX_OP_INTR_CTXT_CLR:
	case QDMA_MBOX_OP_INTR_CTXT_INV:
		/* interrupt rings have no owner the PF could check: refused */
		st = QDMA_MBOX_ERR_INV_MSG;
		break;
	case QDMA_MBOX_OP_REG_LIST_READ: {
		/* only identity registers a VF may see anyway */
		static const uint32_t regs[] = { QDMA_CFG_BLOCK_ID, QDMA_GLBL2_MISC_CAP,
			QDMA_GLBL2_CHANNEL_QDMA_CAP, QDMA_GLBL2_CHANNEL_MDMA };
		uint16_t grp = m->reg_list.group;

		memset(&m->b[8], 0, QDMA_MBOX_MSG_BYTES - 8);
		if (grp > QDMA_MBOX_REG_GROUP_3) {
			st = QDMA_MBOX_ERR_INV_MSG;
			break;
		}
		if (grp == QDMA_MBOX_REG_GROUP_0 || grp == QDMA_MBOX_REG_GROUP_1) {
			for (unsigned int i = 0; i < RTE_DIM(regs); i++) {
				m->reg_list.regs[i].addr = regs[i];
				m->reg_list.regs[i].val = qdma_rd(ad, regs[i]);
			}
			m->reg_list.num_regs = RTE_DIM(regs);
		}
		break;
	}
	default:
		/* unknown op (or a response we never asked for): ignored */
		*respond = false;
		pf->mbox_dropped++;
		e->dropped++;
		return QDMA_MBOX_ERR_INV_MSG;
	}
reply:
	if (st != ST_OK) {
		e->rejects++;
		pf->mbox_rejects++;
		QDMA_MBOX_LOG(INFO, "%s: refused op 0x%02x from function %u (status %d)", ad->name,
			op, src, st);
	}
	if (*respond)
		qdma_mbox_msg_make_rsp(m, ad->func_id, st);
	return st;
}

/* The PF goes away: every VF's window, contexts and FMAP are released.
 * Caller holds mbox_lock. */
void
qdma_pf_release_vfs(struct qdma_adapter *ad)
{
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		const struct qdma_fn_entry *e = &ad->pf->fn[f];

		if (f != ad->func_id && (e->online || e->qbase >= 0))
			vf_gone(ad, (uint16_t)f, false);
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
		if (!admit(ad, src, &m))
			continue;
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
