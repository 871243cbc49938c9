/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF side of the svff pause extension (qdma_hw_mbox.h "svff extension"):
 * PAUSE / RESUME to a VF that advertised them at HELLO, and the snapshot of
 * a VF's queue contexts (read, invalidate; write back, possibly at a new
 * window).  Nothing here waits for a VF: the owner polls the pause state.
 */
#include <errno.h>
#include <string.h>

#include "qdma.h"

/* Context blocks of one queue in struct rte_pmd_qdma_qctx, in save order. */
struct ctx_blk {
	uint8_t sel;   /* enum qdma_ind_sel */
	uint8_t off;   /* first word in rte_pmd_qdma_qctx.w */
	uint8_t nw;    /* data words */
};

enum { BLK_SW_H2C, BLK_HW_H2C, BLK_CR_H2C, BLK_SW_C2H, BLK_HW_C2H, BLK_CR_C2H, BLK_PFCH,
	BLK_CMPT, BLK_NUM };

static const struct ctx_blk blks[BLK_NUM] = {
	[BLK_SW_H2C] = { QDMA_IND_SEL_SW_H2C, 0, QDMA_SW_CTX_WORDS },
	[BLK_HW_H2C] = { QDMA_IND_SEL_HW_H2C, 5, QDMA_HW_CTX_WORDS },
	[BLK_CR_H2C] = { QDMA_IND_SEL_CR_H2C, 7, QDMA_CREDIT_CTX_WORDS },
	[BLK_SW_C2H] = { QDMA_IND_SEL_SW_C2H, 8, QDMA_SW_CTX_WORDS },
	[BLK_HW_C2H] = { QDMA_IND_SEL_HW_C2H, 13, QDMA_HW_CTX_WORDS },
	[BLK_CR_C2H] = { QDMA_IND_SEL_CR_C2H, 15, QDMA_CREDIT_CTX_WORDS },
	[BLK_PFCH] = { QDMA_IND_SEL_PFTCH, 16, QDMA_PFCH_CTX_WORDS },
	[BLK_CMPT] = { QDMA_IND_SEL_CMPT, 18, QDMA_CMPT_CTX_WORDS },
};
_Static_assert(18 + QDMA_CMPT_CTX_WORDS == RTE_PMD_QDMA_QCTX_WORDS, "snapshot words");

/* Restore order: what receives first (CMPT, prefetch, C2H), then what sends (H2C). */
static const uint8_t restore_order[BLK_NUM] = { BLK_CMPT, BLK_PFCH, BLK_HW_C2H, BLK_CR_C2H,
	BLK_SW_C2H, BLK_HW_H2C, BLK_CR_H2C, BLK_SW_H2C };

/* HELLO from @p src: note the extension its driver advertised and answer with ours. */
void
qdma_pf_pause_hello(struct qdma_adapter *ad, uint16_t src, union qdma_mbox_msg *m)
{
	struct qdma_fn_entry *e = &ad->pf->fn[src];
	struct qdma_mbox_svff_ext x;

	memcpy(&x, &m->b[QDMA_MBOX_SVFF_HELLO_REQ_OFF], sizeof(x));
	e->svff_ext = x.magic == QDMA_MBOX_SVFF_MAGIC ? (x.ext & QDMA_MBOX_SVFF_EXT_PAUSE) : 0;
	e->pause_state = RTE_PMD_QDMA_PAUSE_NONE;
}

/* Append our extension block to a HELLO answer (after the payload is filled). */
void
qdma_pf_pause_hello_rsp(union qdma_mbox_msg *m)
{
	struct qdma_mbox_svff_ext x = { QDMA_MBOX_SVFF_MAGIC, QDMA_MBOX_SVFF_EXT_PAUSE };

	memcpy(&m->b[QDMA_MBOX_SVFF_HELLO_RSP_OFF], &x, sizeof(x));
}

/* PAUSE / RESUME answer from @p src.  Caller holds mbox_lock. */
void
qdma_pf_pause_ack(struct qdma_adapter *ad, uint16_t src, const union qdma_mbox_msg *m)
{
	struct qdma_fn_entry *e = &ad->pf->fn[src];

	if (m->hdr.op == qdma_mbox_op_rsp(QDMA_MBOX_OP_SVFF_PAUSE)) {
		if (e->pause_state != RTE_PMD_QDMA_PAUSE_REQUESTED)
			return;   /* late or unasked: ignored */
		e->pause_ack = m->svff_pause;
		e->pause_state = RTE_PMD_QDMA_PAUSE_ACKED;
		e->pauses++;
	}
	/* RESUME answers carry nothing the PF needs */
}

int
qdma_pf_pause_request(struct qdma_adapter *ad, uint16_t func)
{
	struct qdma_fn_entry *e = &ad->pf->fn[func];
	union qdma_mbox_msg m;
	int rc;

	rte_spinlock_lock(&ad->mbox_lock);
	if (!e->online)
		rc = -ENODEV;
	else if (!(e->svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE))
		rc = -ENOTSUP;
	else if (e->pause_state != RTE_PMD_QDMA_PAUSE_NONE)
		rc = -EALREADY;
	else
		rc = 0;
	if (rc == 0)
		e->pause_state = RTE_PMD_QDMA_PAUSE_REQUESTED;
	rte_spinlock_unlock(&ad->mbox_lock);
	if (rc < 0)
		return rc;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_SVFF_PAUSE, ad->func_id, func);
	return qdma_pf_send_msg(ad, func, &m);
}

/* Read (sel, qid) into @p w; false if the card did not answer. */
static bool
blk_read(struct qdma_adapter *ad, unsigned int b, uint16_t qid, uint32_t *w)
{
	return qdma_ind_ctxt(ad, blks[b].sel, QDMA_IND_OP_RD, qid, NULL, blks[b].nw,
		w + blks[b].off) == 0;
}

static int
blk_inv(struct qdma_adapter *ad, unsigned int b, uint16_t qid)
{
	return qdma_ind_ctxt(ad, blks[b].sel, QDMA_IND_OP_INV, qid, NULL, 0, NULL);
}

/*
 * Save one direction of queue @p qid: the SW context first (its pidx is live
 * only while valid), invalidate it, then the hardware-owned contexts, which
 * are frozen from then on.
 */
static int
save_dir(struct qdma_adapter *ad, uint16_t qid, struct rte_pmd_qdma_qctx *c, bool c2h)
{
	unsigned int sw = c2h ? BLK_SW_C2H : BLK_SW_H2C;
	struct qdma_sw_ctx s;

	if (!blk_read(ad, sw, qid, c->w))
		return -EIO;
	qdma_sw_ctx_decode(c->w + blks[sw].off, &s);
	if (!s.qen)
		return 0;
	if (blk_inv(ad, sw, qid) < 0 || !blk_read(ad, sw + 1, qid, c->w) ||
	    !blk_read(ad, sw + 2, qid, c->w))
		return -EIO;
	blk_inv(ad, sw + 1, qid);
	blk_inv(ad, sw + 2, qid);
	c->present |= (uint16_t)(1u << sw | 1u << (sw + 1) | 1u << (sw + 2));
	return 0;
}

static int
save_queue(struct qdma_adapter *ad, uint16_t qid, struct rte_pmd_qdma_qctx *c)
{
	struct qdma_pfch_ctx p;
	struct qdma_cmpt_ctx k;
	int rc;

	/* what sends first: a loopback packet never meets an invalid receiver */
	rc = save_dir(ad, qid, c, false);
	if (rc == 0)
		rc = save_dir(ad, qid, c, true);
	if (rc < 0)
		return rc;
	if (!blk_read(ad, BLK_PFCH, qid, c->w) || !blk_read(ad, BLK_CMPT, qid, c->w))
		return -EIO;
	qdma_pfch_ctx_decode(c->w + blks[BLK_PFCH].off, &p);
	if (p.valid) {
		blk_inv(ad, BLK_PFCH, qid);
		c->present |= 1u << BLK_PFCH;
	}
	qdma_cmpt_ctx_decode(c->w + blks[BLK_CMPT].off, &k);
	if (k.valid) {
		blk_inv(ad, BLK_CMPT, qid);
		c->present |= 1u << BLK_CMPT;
	}
	return 0;
}

int
qdma_pf_ctx_save(struct qdma_adapter *ad, uint16_t func, struct rte_pmd_qdma_qctx *snap,
		unsigned int max)
{
	struct qdma_fn_entry *e = &ad->pf->fn[func];
	unsigned int n = 0;
	int rc = 0;

	rte_spinlock_lock(&ad->mbox_lock);
	for (uint32_t i = 0; e->qbase >= 0 && i < e->qmax; i++) {
		struct rte_pmd_qdma_qctx c = { .rel_qid = (uint16_t)i };

		rc = save_queue(ad, (uint16_t)(e->qbase + i), &c);
		if (rc < 0)
			break;
		if (c.present == 0)
			continue;
		if (n == max) {
			rc = -ENOSPC;
			break;
		}
		snap[n++] = c;
	}
	if (rc == 0)
		e->pause_state = RTE_PMD_QDMA_PAUSE_SAVED;
	rte_spinlock_unlock(&ad->mbox_lock);
	return rc < 0 ? rc : (int)n;
}

int
qdma_pf_ctx_restore(struct qdma_adapter *ad, uint16_t func, const struct rte_pmd_qdma_qctx *snap,
		unsigned int n)
{
	struct qdma_fn_entry *e = &ad->pf->fn[func];
	int rc = 0;

	rte_spinlock_lock(&ad->mbox_lock);
	for (unsigned int i = 0; i < n; i++)
		if (e->qbase < 0 || snap[i].rel_qid >= e->qmax ||
		    (snap[i].present & ~((1u << BLK_NUM) - 1)) != 0)
			rc = -ERANGE;
	for (unsigned int i = 0; rc == 0 && i < n; i++) {
		uint16_t qid = (uint16_t)(e->qbase + snap[i].rel_qid);

		for (unsigned int k = 0; rc == 0 && k < BLK_NUM; k++) {
			unsigned int b = restore_order[k];

			if (snap[i].present & (1u << b))
				rc = qdma_ind_ctxt(ad, blks[b].sel, QDMA_IND_OP_WR, qid,
					snap[i].w + blks[b].off, blks[b].nw, NULL);
		}
	}
	if (rc == 0)
		e->pause_state = RTE_PMD_QDMA_PAUSE_RESTORED;
	rte_spinlock_unlock(&ad->mbox_lock);
	return rc;
}

int
qdma_pf_resume(struct qdma_adapter *ad, uint16_t func, bool known)
{
	struct qdma_fn_entry *e = &ad->pf->fn[func];
	union qdma_mbox_msg m;
	bool tell;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_SVFF_RESUME, ad->func_id, func);
	rte_spinlock_lock(&ad->mbox_lock);
	m.svff_resume.qbase = e->qbase;
	m.svff_resume.qmax = e->qmax;
	/* @p known: the caller knows the VF's driver speaks the extension (a pause it
	 * answered before this PF started) though it has not said HELLO here */
	tell = known || (e->online && (e->svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE));
	e->pause_state = RTE_PMD_QDMA_PAUSE_NONE;
	rte_spinlock_unlock(&ad->mbox_lock);
	return tell ? qdma_pf_send_msg(ad, func, &m) : 0;
}

/*
 * RESET_DONE to one VF, online or not: a stock VF driver paused with
 * RESET_PREPARE went offline (PF_RESET_VF_BYE) and waits for it to
 * re-initialise (qdma-reference 4.7).
 */
int
qdma_pf_reset_done(struct qdma_adapter *ad, uint16_t func)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_RESET_DONE, ad->func_id, func);
	return qdma_pf_send_msg(ad, func, &m);
}

/* What the PF holds of @p func's driver registration (a VF count change forgets it). */
void
qdma_pf_reg_get(struct qdma_adapter *ad, uint16_t func, struct rte_pmd_qdma_vf_reg *reg)
{
	const struct qdma_fn_entry *e = &ad->pf->fn[func];

	memset(reg, 0, sizeof(*reg));
	rte_spinlock_lock(&ad->mbox_lock);
	reg->online = e->online;
	reg->ext = e->svff_ext;
	reg->active_h2c = e->active[QDMA_MBOX_QTYPE_H2C];
	reg->active_c2h = e->active[QDMA_MBOX_QTYPE_C2H];
	reg->active_cmpt = e->active[QDMA_MBOX_QTYPE_CMPT];
	reg->pause_state = e->pause_state;
	rte_spinlock_unlock(&ad->mbox_lock);
}

/* The same driver instance is behind the re-created function: its registration back. */
int
qdma_pf_reg_set(struct qdma_adapter *ad, uint16_t func, const struct rte_pmd_qdma_vf_reg *reg)
{
	struct qdma_fn_entry *e = &ad->pf->fn[func];
	uint32_t most = RTE_MAX(reg->active_h2c, reg->active_c2h);
	int rc = 0;

	most = RTE_MAX(most, reg->active_cmpt);
	if (reg->pause_state > RTE_PMD_QDMA_PAUSE_RESTORED)
		return -EINVAL;
	rte_spinlock_lock(&ad->mbox_lock);
	if (most > 0 && (e->qbase < 0 || most > e->qmax))
		rc = -ERANGE;
	if (rc == 0) {
		e->online = reg->online;
		e->svff_ext = reg->online ? reg->ext : 0;
		e->active[QDMA_MBOX_QTYPE_H2C] = reg->active_h2c;
		e->active[QDMA_MBOX_QTYPE_C2H] = reg->active_c2h;
		e->active[QDMA_MBOX_QTYPE_CMPT] = reg->active_cmpt;
		e->pause_state = reg->pause_state;
		e->quarantined = false;
	}
	rte_spinlock_unlock(&ad->mbox_lock);
	return rc;
}
