/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Mailbox messages of a VF checked on their own (no PF state), the QCTXT_RD response blocks,
 * the interrupt context of INTR_CTXT_* and the REG_LIST_READ groups (qdma-reference.md 2, 4.6,
 * 4.7). Pure C, libc only.
 */
#include <string.h>

#include "qdma_hw_ctx.h"
#include "qdma_hw_mbox.h"
#include "qdma_hw_regs.h"

/* ------------------------------------------------------------ validator */

/* Is @p v one of the 16 values of @p table? */
static int
in_table(const uint32_t *table, uint32_t v)
{
	return qdma_csr_table_find(table, v) >= 0;
}

/* FMAP: a window inside the queue space (qmax 0: none). */
static int
check_fmap(const struct qdma_mbox_fmap_msg *f, const struct qdma_mbox_limits *lim)
{
	if (f->qmax == 0)
		return QDMA_MBOX_OK;
	if (f->qbase < 0 || f->qmax > lim->num_qs || (uint32_t)f->qbase > lim->num_qs - f->qmax)
		return QDMA_MBOX_ERR_INV_QID;
	return QDMA_MBOX_OK;
}

static int
check_qreq(const struct qdma_mbox_fmap_msg *f, const struct qdma_mbox_limits *lim)
{
	return f->qmax > lim->max_qs_per_fn ? QDMA_MBOX_ERR_NUM_QUEUES : QDMA_MBOX_OK;
}

static int
check_qnotify(const struct qdma_mbox_qnotify *q, const struct qdma_mbox_limits *lim)
{
	if (q->qid_hw >= lim->num_qs || q->q_type > QDMA_MBOX_QTYPE_CMPT)
		return QDMA_MBOX_ERR_INV_QID;
	return QDMA_MBOX_OK;
}

/* Flags byte of QCTXT_*: reserved bits, and a CMPT type that fits the queue type. */
static int
check_qctxt_flags(uint8_t fl)
{
	int st = fl & QDMA_MBOX_QCTXT_F_ST, c2h = fl & QDMA_MBOX_QCTXT_F_C2H;
	unsigned int ct = qdma_mbox_qctxt_cmpt_type(fl);

	if (fl & ~QDMA_MBOX_QCTXT_FLAGS_VALID_MASK)
		return QDMA_MBOX_ERR_INV_PARAM;
	if (!c2h && ct != QDMA_MBOX_CMPT_CTXT_NONE)
		return QDMA_MBOX_ERR_INV_PARAM;   /* completion rings belong to C2H queues */
	if ((ct == QDMA_MBOX_CMPT_CTXT_WITH_ST && !st) || (ct == QDMA_MBOX_CMPT_CTXT_WITH_MM && st))
		return QDMA_MBOX_ERR_INV_PARAM;
	return QDMA_MBOX_OK;
}

/* The descriptor ring part of a descq_conf (SW and PFTCH contexts). */
static int
check_descq_ring(const struct qdma_mbox_descq_conf *d, int st, int c2h,
		const struct qdma_mbox_limits *lim)
{
	unsigned int desc_sz = (d->flags >> QDMA_DESCQ_DESC_SZ_SHIFT) & QDMA_DESCQ_DESC_SZ_MASK;

	if (!in_table(lim->ring_sz, (uint32_t)d->ringsz + 1))
		return QDMA_MBOX_ERR_INV_RINGSZ;
	/* the descriptor size of the queue type (3.2-3.4) */
	if (desc_sz != (!st ? QDMA_DESC_SZ_32B : c2h ? QDMA_DESC_SZ_8B : QDMA_DESC_SZ_16B))
		return QDMA_MBOX_ERR_INV_PARAM;
	if (d->ring_bs_addr == 0 || (d->ring_bs_addr & 63) != 0)
		return QDMA_MBOX_ERR_INV_PARAM;
	if (st && c2h && !in_table(lim->buf_sz, d->bufsz))
		return QDMA_MBOX_ERR_INV_BUFSZ;
	return QDMA_MBOX_OK;
}

/* The completion ring part of a descq_conf (CMPT context). */
static int
check_descq_cmpt(const struct qdma_mbox_descq_conf *d, const struct qdma_mbox_limits *lim)
{
	unsigned int trig = (d->flags >> QDMA_DESCQ_TRIG_MODE_SHIFT) & QDMA_DESCQ_TRIG_MODE_MASK;

	if (!in_table(lim->ring_sz, (uint32_t)d->cmpt_ringsz + 1))
		return QDMA_MBOX_ERR_INV_RINGSZ;
	if (!in_table(lim->cnt_th, d->cnt_thres))
		return QDMA_MBOX_ERR_INV_CNTR_TH;
	if (!in_table(lim->timer_cnt, d->timer_thres))
		return QDMA_MBOX_ERR_INV_TMR_TH;
	if (trig > QDMA_CMPT_TRIG_MAX)
		return QDMA_MBOX_ERR_INV_PARAM;
	if (d->cmpt_ring_bs_addr == 0 || (d->cmpt_ring_bs_addr & (QDMA_CTX_RING_ALIGN - 1)) != 0)
		return QDMA_MBOX_ERR_INV_PARAM;
	return QDMA_MBOX_OK;
}

static int
check_qctxt(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	const struct qdma_mbox_descq_conf *d = &m->qctxt.descq;
	uint8_t fl = m->qctxt.flags;
	int st = fl & QDMA_MBOX_QCTXT_F_ST, c2h = fl & QDMA_MBOX_QCTXT_F_C2H;
	unsigned int ct = qdma_mbox_qctxt_cmpt_type(fl);
	int rc;

	rc = check_qctxt_flags(fl);
	if (rc != QDMA_MBOX_OK)
		return rc;
	if (m->qctxt.qid_hw >= lim->num_qs)
		return QDMA_MBOX_ERR_INV_QID;
	if (m->hdr.op != QDMA_MBOX_OP_QCTXT_WRT)
		return QDMA_MBOX_OK;
	if ((d->flags & ~QDMA_DESCQ_FLAGS_VALID_MASK) || (d->intr & ~QDMA_DESCQ_INTR_VALID_MASK))
		return QDMA_MBOX_ERR_INV_PARAM;
	if (ct != QDMA_MBOX_CMPT_CTXT_ONLY) {
		rc = check_descq_ring(d, st, c2h, lim);
		if (rc != QDMA_MBOX_OK)
			return rc;
	}
	if (c2h && ct != QDMA_MBOX_CMPT_CTXT_NONE)
		return check_descq_cmpt(d, lim);
	return QDMA_MBOX_OK;
}

/* INTR_CTXT_*: one ring inside the queue space; WRT: an interrupt context that encodes (2.6). */
static int
check_intr_ctxt(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	const struct qdma_mbox_ictxt *c = &m->intr_ctxt.ictxt;

	if (m->intr_ctxt.num_rings != QDMA_MBOX_INTR_RINGS)
		return QDMA_MBOX_ERR_INV_PARAM;
	if (m->intr_ctxt.ring_index_list[0] >= lim->num_qs)
		return QDMA_MBOX_ERR_INV_QID;
	if (m->hdr.op != QDMA_MBOX_OP_INTR_CTXT_WRT)
		return QDMA_MBOX_OK;
	if (c->ring_base == 0 || (c->ring_base & (QDMA_CTX_RING_ALIGN - 1)) != 0 ||
	    c->vec > QDMA_CTX_VEC_MAX || c->pidx > QDMA_INTR_PIDX_MAX ||
	    c->page_size > QDMA_INTR_PAGE_SIZE_MAX || c->valid > 1 || c->int_st > 1 ||
	    c->color > 1 || c->at > 1)
		return QDMA_MBOX_ERR_INV_PARAM;
	return QDMA_MBOX_OK;
}

int
qdma_mbox_validate_vf_msg(const uint8_t *msg, size_t len, const struct qdma_mbox_limits *lim)
{
	union qdma_mbox_msg m;

	if (msg == NULL || len < QDMA_MBOX_MSG_BYTES || lim == NULL || lim->ring_sz == NULL ||
	    lim->buf_sz == NULL || lim->timer_cnt == NULL || lim->cnt_th == NULL)
		return QDMA_MBOX_ERR_INV_MSG;
	memcpy(m.b, msg, QDMA_MBOX_MSG_BYTES);   /* aligned copy; never more */
	switch (m.hdr.op) {
	case QDMA_MBOX_OP_VF_BYE:
	case QDMA_MBOX_OP_HELLO:
	case QDMA_MBOX_OP_CSR:
	case QDMA_MBOX_OP_GET_QACTIVE_CNT:
	case QDMA_MBOX_OP_PF_RESET_VF_BYE:
		return QDMA_MBOX_OK;
	case QDMA_MBOX_OP_FMAP:
		return check_fmap(&m.fmap, lim);
	case QDMA_MBOX_OP_QREQ:
		return check_qreq(&m.fmap, lim);
	case QDMA_MBOX_OP_QNOTIFY_ADD:
	case QDMA_MBOX_OP_QNOTIFY_DEL:
		return check_qnotify(&m.qnotify, lim);
	case QDMA_MBOX_OP_QCTXT_WRT:
	case QDMA_MBOX_OP_QCTXT_RD:
	case QDMA_MBOX_OP_QCTXT_CLR:
	case QDMA_MBOX_OP_QCTXT_INV:
		return check_qctxt(&m, lim);
	case QDMA_MBOX_OP_INTR_CTXT_WRT:
	case QDMA_MBOX_OP_INTR_CTXT_RD:
	case QDMA_MBOX_OP_INTR_CTXT_CLR:
	case QDMA_MBOX_OP_INTR_CTXT_INV:
		return check_intr_ctxt(&m, lim);
	case QDMA_MBOX_OP_REG_LIST_READ:
		return m.reg_list.group > QDMA_MBOX_REG_GROUP_3 ? QDMA_MBOX_ERR_INV_PARAM :
			QDMA_MBOX_OK;
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_PREPARE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_DONE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_PF_BYE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_PAUSE:
	case QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_RESUME:
		return QDMA_MBOX_OK;   /* a VF's answers to the PF's notices */
	default:
		return QDMA_MBOX_VERDICT_IGNORE;
	}
}

/* ------------------------------------------------------ QCTXT_RD blocks */

static void
rd_sw(struct qdma_mbox_rd_sw *o, const struct qdma_sw_ctx *c)
{
	memset(o, 0, sizeof(*o));
	o->pidx = c->pidx;
	o->irq_arm = c->irq_arm;
	o->fnc_id = c->fnc_id;
	o->qen = c->qen;
	o->fcrd_en = c->fcrd_en;
	o->wbi_chk = c->wbi_chk;
	o->wbi_intvl_en = c->wbi_intvl_en;
	o->at = c->at;
	o->fetch_max = c->fetch_max;
	o->rngsz_idx = c->rngsz_idx;
	o->desc_sz = c->desc_sz;
	o->bypass = c->bypass;
	o->mm_chn = c->mm_chn;
	o->wbk_en = c->wbk_en;
	o->irq_en = c->irq_en;
	o->port_id = c->port_id;
	o->irq_no_last = c->irq_no_last;
	o->err = c->err;
	o->err_wb_sent = c->err_wb_sent;
	o->irq_req = c->irq_req;
	o->mrkr_dis = c->mrkr_dis;
	o->is_mm = c->is_mm;
	o->ring_bs_addr = c->ring_base;
	o->vec = c->vec;
	o->intr_aggr = c->intr_aggr;
}

static void
rd_pfch(struct qdma_mbox_rd_pfch *o, const struct qdma_pfch_ctx *c)
{
	memset(o, 0, sizeof(*o));
	o->bypass = c->bypass;
	o->bufsz_idx = c->bufsz_idx;
	o->port_id = c->port_id;
	o->err = c->err;
	o->pfch_en = c->pfch_en;
	o->pfch = c->pfch;
	o->sw_crdt = c->sw_crdt;
	o->valid = c->valid;
}

static void
rd_cmpt(struct qdma_mbox_rd_cmpt *o, const struct qdma_cmpt_ctx *c)
{
	memset(o, 0, sizeof(*o));
	o->en_stat_desc = c->en_stat_desc;
	o->en_int = c->en_int;
	o->trig_mode = c->trig_mode;
	o->fnc_id = c->fnc_id;
	o->counter_idx = c->counter_idx;
	o->timer_idx = c->timer_idx;
	o->int_st = c->int_st;
	o->color = c->color;
	o->ringsz_idx = c->ringsz_idx;
	o->bs_addr = c->base_addr;
}

void
qdma_mbox_qctxt_rd_fill(struct qdma_mbox_qctxt_rd_rsp *r, const struct qdma_sw_ctx *sw,
		const struct qdma_hw_ctx *hw, const struct qdma_credit_ctx *cr,
		const struct qdma_pfch_ctx *pfch, const struct qdma_cmpt_ctx *cmpt)
{
	memset(&r->sw, 0, sizeof(r->sw) + sizeof(r->hw) + sizeof(r->cr) + sizeof(r->pfch) +
		sizeof(r->cmpt));
	if (sw != NULL)
		rd_sw(&r->sw, sw);
	if (hw != NULL) {
		r->hw.cidx = hw->cidx;
		r->hw.crd_use = hw->crd_use;
		r->hw.dsc_pnd = hw->dsc_pnd;
		r->hw.idl_stp_b = hw->idl_stp_b;
		r->hw.evt_pnd = hw->evt_pnd;
		r->hw.fetch_pnd = hw->fetch_pnd;
	}
	if (cr != NULL)
		r->cr.credit = cr->credit;
	if (pfch != NULL)
		rd_pfch(&r->pfch, pfch);
	if (cmpt != NULL)
		rd_cmpt(&r->cmpt, cmpt);
}

/* ------------------------------------------------- interrupt contexts */

void
qdma_mbox_ictxt_to_ctx(const struct qdma_mbox_ictxt *m, struct qdma_intr_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->valid = m->valid;
	c->vec = m->vec;
	c->int_st = m->int_st;
	c->color = m->color;
	c->base_addr = m->ring_base;
	c->page_size = m->page_size;
	c->pidx = m->pidx;
	c->at = m->at;
}

void
qdma_mbox_ictxt_from_ctx(const struct qdma_intr_ctx *c, struct qdma_mbox_ictxt *m)
{
	memset(m, 0, sizeof(*m));
	m->ring_base = c->base_addr;
	m->vec = c->vec;
	m->pidx = c->pidx;
	m->valid = c->valid;
	m->int_st = c->int_st;
	m->color = c->color;
	m->page_size = c->page_size;
	m->at = c->at;
}

/* ----------------------------------------------------- REG_LIST_READ */

/* What a VF-readable register needs of the card (1.4: "written only when ... exists"). */
enum reg_need { NEED_NONE, NEED_ST, NEED_MM };

struct vf_reg {
	uint32_t addr;
	uint8_t need;   /* enum reg_need */
};

/*
 * The VF-readable registers, in address order (the rule is in qdma_hw_mbox.h, the map in
 * qdma-reference.md 1.2-1.4); no group holds more than a response carries.
 */
static const struct vf_reg vf_regs[] = {
	/* from 0x000: identity, capabilities, transfer sizes, writeback interval */
	{ QDMA_CFG_BLOCK_ID, NEED_NONE }, { QDMA_CFG_PCIE_MAX_PL_SZ, NEED_NONE },
	{ QDMA_CFG_PCIE_MAX_RDRQ_SZ, NEED_NONE }, { QDMA_CFG_PCIE_DATA_WIDTH, NEED_NONE },
	{ QDMA_CFG_AXI_USR_MAX_PL_SZ, NEED_NONE }, { QDMA_CFG_AXI_USR_MAX_RDRQ_SZ, NEED_NONE },
	{ QDMA_GLBL2_ID, NEED_NONE }, { QDMA_GLBL2_CHANNEL_INST, NEED_NONE },
	{ QDMA_GLBL2_CHANNEL_MDMA, NEED_NONE }, { QDMA_GLBL2_CHANNEL_STRM, NEED_NONE },
	{ QDMA_GLBL2_CHANNEL_QDMA_CAP, NEED_NONE }, { QDMA_GLBL2_MISC_CAP, NEED_NONE },
	{ QDMA_GLBL_DSC_CFG, NEED_NONE },
	/* from 0x400 (FMAP and the indirect interface are not): the C2H global tables */
	{ QDMA_C2H_TIMER_CNT(0), NEED_ST }, { QDMA_C2H_TIMER_CNT(1), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(2), NEED_ST }, { QDMA_C2H_TIMER_CNT(3), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(4), NEED_ST }, { QDMA_C2H_TIMER_CNT(5), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(6), NEED_ST }, { QDMA_C2H_TIMER_CNT(7), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(8), NEED_ST }, { QDMA_C2H_TIMER_CNT(9), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(10), NEED_ST }, { QDMA_C2H_TIMER_CNT(11), NEED_ST },
	{ QDMA_C2H_TIMER_CNT(12), NEED_ST }, { QDMA_C2H_TIMER_CNT(13), NEED_ST },
	/* from 0xB00: C2H/H2C global settings, MM channel 0 C2H run control */
	{ QDMA_C2H_PFCH_CFG, NEED_ST }, { QDMA_C2H_INT_TIMER_TICK, NEED_ST },
	{ QDMA_C2H_WRB_COAL_CFG, NEED_ST },
	{ QDMA_C2H_CMPT_FORMAT(0), NEED_ST }, { QDMA_C2H_CMPT_FORMAT(1), NEED_ST },
	{ QDMA_C2H_CMPT_FORMAT(2), NEED_ST }, { QDMA_C2H_CMPT_FORMAT(3), NEED_ST },
	{ QDMA_C2H_CMPT_FORMAT(4), NEED_ST }, { QDMA_C2H_CMPT_FORMAT(5), NEED_ST },
	{ QDMA_C2H_CMPT_FORMAT(6), NEED_ST },
	{ QDMA_C2H_PFCH_CACHE_DEPTH, NEED_ST }, { QDMA_C2H_CMPT_COAL_BUF_DEPTH, NEED_ST },
	{ QDMA_H2C_REQ_THROT, NEED_ST }, { QDMA_C2H_MM_CONTROL(0), NEED_MM },
	/* from 0x1014: MM channel 0 H2C run control */
	{ QDMA_H2C_MM_CONTROL(0), NEED_MM },
};

/* Start address of each REG_LIST_READ group (4.6), and the end of the last. */
static const uint32_t group_start[] = { 0x000u, 0x400u, 0xB00u, 0x1014u, UINT32_MAX };

unsigned int
qdma_mbox_reg_group(unsigned int group, int st_en, int mm_en,
		uint32_t addr[QDMA_MBOX_REG_LIST_MAX])
{
	unsigned int n = 0;

	if (group > QDMA_MBOX_REG_GROUP_3)
		return 0;
	for (unsigned int i = 0; i < sizeof(vf_regs) / sizeof(vf_regs[0]); i++) {
		const struct vf_reg *r = &vf_regs[i];

		if (r->addr < group_start[group] || r->addr >= group_start[group + 1])
			continue;
		if ((r->need == NEED_ST && !st_en) || (r->need == NEED_MM && !mm_en))
			continue;
		if (n == QDMA_MBOX_REG_LIST_MAX)
			break;
		addr[n++] = r->addr;
	}
	return n;
}
