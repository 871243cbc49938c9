/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a VF's message does at the PF, in three steps:
 *
 *  1. validate: qdma_mbox_validate_vf_msg() (lib/qdma_hw) checks the message
 *     on its own - op, field ranges, reserved bits, context-type
 *     combinations - against the card's limits; no state;
 *  2. policy: admission (quarantine, per-VF token bucket), then the PF's
 *     state (HELLO first, ownership of every queue / ring named) and its
 *     rules (MM queues only if the owner allows, no bypass, no queue
 *     interrupts chosen by a VF, the owner's hooks);
 *  3. act: one small handler per op code, from handlers[].
 *
 * A VF is untrusted: the sender is the function the hardware reports (the
 * header's claim is ignored), every queue id and interrupt ring must lie in
 * the sender's own window, every size must be a value of the CSR tables.
 * Stricter than the reference PF where it is lax: FMAP must match the
 * granted window, QCTXT_RD/CLR/INV and INTR_CTXT_* are ownership-checked
 * (a VF owns the interrupt rings whose index lies in its queue window).
 * A refused request is answered with an error status (enum
 * qdma_mbox_status, never an errno) and changes nothing.  Unknown ops are
 * dropped unanswered and counted.
 *
 * Caller holds mbox_lock.
 */
#include <errno.h>
#include <string.h>

#include <inttypes.h>

#include <rte_cycles.h>

#include "qdma.h"

/** One message being handled. */
struct pf_req {
	struct qdma_adapter *ad;
	struct qdma_pf *pf;
	struct qdma_fn_entry *e;   /**< the sender's entry */
	union qdma_mbox_msg *m;    /**< request in, response out (in place) */
	uint16_t src;              /**< the sender (hardware-reported) */
	uint16_t port;
};

/* ------------------------------------------------------------ policy */

/*
 * Rate limit and quarantine.  The card's reset notice always passes.
 * Returns false when the message is dropped (counted here).
 */
static bool
admit(struct qdma_adapter *ad, uint16_t src, const union qdma_mbox_msg *m)
{
	struct qdma_pf *pf = ad->pf;
	struct qdma_fn_entry *e = &pf->fn[src];
	uint64_t now, hz, add;

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
		qdma_pf_evt_push(pf, src, RTE_PMD_QDMA_VF_EVT_FLOOD);
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

static bool
owned(const struct qdma_fn_entry *e, uint32_t qid)
{
	return e->qbase >= 0 && qid >= (uint32_t)e->qbase && qid < (uint32_t)e->qbase + e->qmax;
}

/* What this PF allows of a (well-formed) descq_conf. */
static int
descq_policy(const struct pf_req *r, bool st, unsigned int ct)
{
	const struct qdma_mbox_descq_conf *d = &r->m->qctxt.descq;
	uint32_t fl = d->flags;

	/* card memory is one space for every function: MM only if the owner allows */
	if (!st && !r->pf->policy.vf_mm)
		return QDMA_MBOX_ERR_INV_MSG;
	if (ct != QDMA_MBOX_CMPT_CTXT_ONLY && (fl & QDMA_DESCQ_F_EN_BYPASS))
		return QDMA_MBOX_ERR_HWACC_FEATURE_NOT_SUPPORTED;  /* no bypass logic here */
	/* no interrupts for VF queues: vectors are not the VF's to choose */
	if ((fl & (QDMA_DESCQ_F_IRQ_EN | QDMA_DESCQ_F_IRQ_ARM | QDMA_DESCQ_F_CMPT_INT_EN)) ||
	    (d->intr & QDMA_DESCQ_INTR_AGGR))
		return QDMA_MBOX_ERR_INV_MSG;
	return QDMA_MBOX_OK;
}

/* The owner's ctxt_request hook (write: program, else clear/invalidate). */
static int
ctxt_hook(const struct pf_req *r, uint16_t qid, bool c2h, bool write)
{
	const struct rte_pmd_qdma_policy *p = &r->pf->policy;

	if (p->ctxt_request != NULL &&
	    p->ctxt_request(r->pf->policy_arg, r->port, r->src, qid, c2h, write) < 0)
		return QDMA_MBOX_ERR_INV_MSG;
	return QDMA_MBOX_OK;
}

static void
clear_payload(union qdma_mbox_msg *m, size_t from)
{
	memset(&m->b[from], 0, QDMA_MBOX_MSG_BYTES - from);
}

/* ---------------------------------------------------------- handlers */

static int
h_vf_bye(struct pf_req *r)
{
	/* the card's notice of a reset (a VF faking it resets only itself) */
	if (r->m->hdr.status == QDMA_MBOX_BYE_ST_FN_RESET)
		qdma_pf_vf_reset(r->ad, r->src);
	else
		qdma_pf_vf_gone(r->ad, r->src, true);
	return QDMA_MBOX_OK;
}

static int
h_reset_vf_bye(struct pf_req *r)
{
	qdma_pf_vf_gone(r->ad, r->src, true);
	return QDMA_MBOX_OK;
}

static int
h_pause_ack(struct pf_req *r)
{
	qdma_pf_pause_ack(r->ad, r->src, r->m);
	return QDMA_MBOX_OK;
}

static int
h_hello(struct pf_req *r)
{
	const struct rte_pmd_qdma_policy *p = &r->pf->policy;
	union qdma_mbox_msg *m = r->m;

	if (p->vf_hello != NULL && p->vf_hello(r->pf->policy_arg, r->port, r->src) < 0)
		return QDMA_MBOX_ERR_INV_MSG;
	/* a new instance of the VF driver: whatever the old one left is gone */
	qdma_pf_clear_window(r->ad, r->e);
	memset(r->e->active, 0, sizeof(r->e->active));
	qdma_fmap_write(r->ad, r->src, 0, 0);
	r->e->online = true;
	qdma_pf_pause_hello(r->ad, r->src, m);
	clear_payload(m, sizeof(m->hdr));
	m->hello.qbase = r->e->qbase;
	m->hello.qmax = r->e->qmax;
	m->hello.cap = r->ad->cap;
	m->hello.dma_device_index = 0;
	qdma_pf_pause_hello_rsp(m);
	return QDMA_MBOX_OK;
}

static int
h_fmap(struct pf_req *r)
{
	int32_t qb = r->m->fmap.qbase;
	uint32_t qm = r->m->fmap.qmax;

	/* stricter than the reference: exactly the granted window (or none) */
	if (qm != 0 && (r->e->qbase < 0 || qb != r->e->qbase || qm != r->e->qmax))
		return QDMA_MBOX_ERR_INV_QID;
	if (qdma_fmap_write(r->ad, r->src, qm ? (uint32_t)qb : 0, qm) < 0)
		return QDMA_MBOX_ERR_FMAP_WR_FAILED;
	return QDMA_MBOX_OK;
}

static int
h_csr(struct pf_req *r)
{
	const struct qdma_csr *c = &r->ad->csr;
	union qdma_mbox_msg *m = r->m;

	clear_payload(m, sizeof(m->hdr));
	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		m->csr.ringsz[i] = (uint16_t)c->ring_sz[i];
		m->csr.bufsz[i] = (uint16_t)c->buf_sz[i];
		m->csr.timer_cnt[i] = (uint8_t)c->timer_cnt[i];
		m->csr.cnt_thres[i] = (uint8_t)c->cnt_th[i];
	}
	return QDMA_MBOX_OK;
}

/* A QREQ answer always carries the window the VF has after it (granted or kept). */
static void
qreq_window(struct pf_req *r)
{
	r->m->fmap.qbase = r->e->qbase;
	r->m->fmap.qmax = r->e->qmax;
}

static int
h_qreq(struct pf_req *r)
{
	const struct rte_pmd_qdma_policy *p = &r->pf->policy;
	struct qdma_fn_entry *e = r->e;
	uint32_t qm = r->m->fmap.qmax;
	int32_t qb = -1;
	int st = QDMA_MBOX_OK;

	if (e->active[0] || e->active[1] || e->active[2])
		st = QDMA_MBOX_ERR_NUM_QUEUES;  /* -13 QMAX_CONF_REJECTED, reported as -15 (4.7) */
	else if (p->queue_request != NULL && qm != 0 &&
		 (p->queue_request(r->pf->policy_arg, r->port, r->src, qm, &qb) < 0 || qb < 0))
		st = QDMA_MBOX_ERR_NUM_QUEUES;  /* the owner refused */
	else if (qdma_fn_window_set(r->ad, r->src, qm, qb, &qb) < 0)
		st = QDMA_MBOX_ERR_NUM_QUEUES;
	else if (qdma_fmap_write(r->ad, r->src, 0, 0) < 0)
		st = QDMA_MBOX_ERR_FMAP_WR_FAILED;
	qreq_window(r);
	return st;
}

static int
h_qnotify(struct pf_req *r)
{
	struct qdma_fn_entry *e = r->e;
	uint32_t t = r->m->qnotify.q_type;

	if (!owned(e, r->m->qnotify.qid_hw))
		return QDMA_MBOX_ERR_INV_QID;
	if (r->m->hdr.op == QDMA_MBOX_OP_QNOTIFY_ADD) {
		if (e->active[t] >= e->qmax)
			return QDMA_MBOX_ERR_NO_QUEUES_LEFT;
		e->active[t]++;
	} else {
		if (e->active[t] == 0)
			return QDMA_MBOX_ERR_INV_QID;
		e->active[t]--;
	}
	return QDMA_MBOX_OK;
}

static int
h_qactive(struct pf_req *r)
{
	union qdma_mbox_msg *m = r->m;

	clear_payload(m, sizeof(m->hdr));
	m->qactive.h2c = r->e->active[QDMA_MBOX_QTYPE_H2C];
	m->qactive.c2h = r->e->active[QDMA_MBOX_QTYPE_C2H];
	m->qactive.cmpt = r->e->active[QDMA_MBOX_QTYPE_CMPT];
	return QDMA_MBOX_OK;
}

static int
h_qctxt_wrt(struct pf_req *r)
{
	uint16_t qid = r->m->qctxt.qid_hw;
	uint8_t fl = r->m->qctxt.flags;
	bool st = fl & QDMA_MBOX_QCTXT_F_ST, c2h = fl & QDMA_MBOX_QCTXT_F_C2H;
	unsigned int ct = qdma_mbox_qctxt_cmpt_type(fl);
	int rc;

	if (!owned(r->e, qid))
		return QDMA_MBOX_ERR_INV_QID;
	rc = descq_policy(r, st, ct);
	if (rc == QDMA_MBOX_OK)
		rc = ctxt_hook(r, qid, c2h, true);
	if (rc != QDMA_MBOX_OK)
		return rc;
	return qdma_mbox_status_from_errno(qdma_queue_ctxt_write(r->ad, r->src, qid, st, c2h, ct,
		&r->m->qctxt.descq));
}

static int
h_qctxt_clr_inv(struct pf_req *r)
{
	uint16_t qid = r->m->qctxt.qid_hw;
	uint8_t fl = r->m->qctxt.flags;
	bool c2h = fl & QDMA_MBOX_QCTXT_F_C2H;
	int rc;

	if (!owned(r->e, qid))
		return QDMA_MBOX_ERR_INV_QID;
	rc = ctxt_hook(r, qid, c2h, false);
	if (rc != QDMA_MBOX_OK)
		return rc;
	return qdma_mbox_status_from_errno(qdma_queue_ctxt_inv(r->ad, qid,
		fl & QDMA_MBOX_QCTXT_F_ST, c2h, qdma_mbox_qctxt_cmpt_type(fl),
		r->m->hdr.op == QDMA_MBOX_OP_QCTXT_CLR));
}

/* Read one context of @p qid into @p w; -errno on failure. */
static int
ctxt_rd(struct pf_req *r, unsigned int sel, uint16_t qid, unsigned int words, uint32_t *w)
{
	return qdma_ind_ctxt(r->ad, sel, QDMA_IND_OP_RD, qid, NULL, words, w);
}

/* QCTXT_RD: the contexts in the reference's response layout (4.6); a failed read is an error. */
static int
h_qctxt_rd(struct pf_req *r)
{
	struct qdma_mbox_qctxt_rd_rsp *rsp = &r->m->qctxt_rd;
	uint16_t qid = r->m->qctxt.qid_hw;
	bool c2h = r->m->qctxt.flags & QDMA_MBOX_QCTXT_F_C2H;
	uint32_t w[5][QDMA_IND_CTXT_DATA_WORDS] = { { 0 } };
	struct qdma_sw_ctx sw;
	struct qdma_hw_ctx hw;
	struct qdma_credit_ctx cr;
	struct qdma_pfch_ctx pfch;
	struct qdma_cmpt_ctx cmpt;
	uint32_t qb = 0, qm = 0;
	int rc;

	if (!owned(r->e, qid))
		return QDMA_MBOX_ERR_INV_QID;
	clear_payload(r->m, offsetof(struct qdma_mbox_qctxt_rd_rsp, qid2vec));
	rc = qdma_fmap_read(r->ad, r->src, &qb, &qm);
	if (rc == 0)
		rc = ctxt_rd(r, c2h ? QDMA_IND_SEL_SW_C2H : QDMA_IND_SEL_SW_H2C, qid,
			QDMA_SW_CTX_WORDS, w[0]);
	if (rc == 0)
		rc = ctxt_rd(r, c2h ? QDMA_IND_SEL_HW_C2H : QDMA_IND_SEL_HW_H2C, qid,
			QDMA_HW_CTX_WORDS, w[1]);
	if (rc == 0)
		rc = ctxt_rd(r, c2h ? QDMA_IND_SEL_CR_C2H : QDMA_IND_SEL_CR_H2C, qid,
			QDMA_CREDIT_CTX_WORDS, w[2]);
	if (rc == 0 && c2h)
		rc = ctxt_rd(r, QDMA_IND_SEL_PFTCH, qid, QDMA_PFCH_CTX_WORDS, w[3]);
	if (rc == 0 && c2h)
		rc = ctxt_rd(r, QDMA_IND_SEL_CMPT, qid, QDMA_CMPT_CTX_WORDS, w[4]);
	if (rc < 0)
		return qdma_mbox_status_from_errno(rc);   /* nothing of a partial read is sent */
	rsp->fmap_qbase = (uint16_t)qb;
	rsp->fmap_qmax = (uint16_t)qm;
	qdma_sw_ctx_decode(w[0], &sw);
	qdma_hw_ctx_decode(w[1], &hw);
	qdma_credit_ctx_decode(w[2], &cr);
	qdma_pfch_ctx_decode(w[3], &pfch);
	qdma_cmpt_ctx_decode(w[4], &cmpt);
	qdma_mbox_qctxt_rd_fill(rsp, &sw, &hw, &cr, c2h ? &pfch : NULL, c2h ? &cmpt : NULL);
	return QDMA_MBOX_OK;
}

/* INTR_CTXT_*: the interrupt ring of an index in the sender's window (2.6). */
static int
h_intr_ctxt(struct pf_req *r)
{
	struct qdma_mbox_intr_ctxt *ic = &r->m->intr_ctxt;
	uint32_t ring = ic->ring_index_list[0];
	uint32_t w[QDMA_INTR_CTX_WORDS] = { 0 };
	struct qdma_intr_ctx c;
	int rc;

	if (!owned(r->e, ring))
		return QDMA_MBOX_ERR_INV_QID;
	switch (ic->hdr.op) {
	case QDMA_MBOX_OP_INTR_CTXT_WRT:   /* clear + write (4.5) */
		qdma_mbox_ictxt_to_ctx(&ic->ictxt, &c);
		if (qdma_intr_ctx_encode(&c, w) < 0)
			return QDMA_MBOX_ERR_INV_PARAM;
		rc = qdma_ind_ctxt(r->ad, QDMA_IND_SEL_INT_COAL, QDMA_IND_OP_CLR, ring, NULL, 0,
			NULL);
		if (rc == 0)
			rc = qdma_ind_ctxt(r->ad, QDMA_IND_SEL_INT_COAL, QDMA_IND_OP_WR, ring, w,
				QDMA_INTR_CTX_WORDS, NULL);
		break;
	case QDMA_MBOX_OP_INTR_CTXT_RD:
		rc = qdma_ind_ctxt(r->ad, QDMA_IND_SEL_INT_COAL, QDMA_IND_OP_RD, ring, NULL,
			QDMA_INTR_CTX_WORDS, w);
		qdma_intr_ctx_decode(w, &c);
		if (rc == 0)
			qdma_mbox_ictxt_from_ctx(&c, &ic->ictxt);
		else
			memset(&ic->ictxt, 0, sizeof(ic->ictxt));
		break;
	default:
		rc = qdma_ind_ctxt(r->ad, QDMA_IND_SEL_INT_COAL,
			ic->hdr.op == QDMA_MBOX_OP_INTR_CTXT_CLR ? QDMA_IND_OP_CLR :
			QDMA_IND_OP_INV, ring, NULL, 0, NULL);
		break;
	}
	return qdma_mbox_status_from_errno(rc);
}

/* REG_LIST_READ: the VF-readable registers of the group (qdma_mbox_reg_group()). */
static int
h_reg_list(struct pf_req *r)
{
	struct qdma_mbox_reg_list *rl = &r->m->reg_list;
	uint32_t addr[QDMA_MBOX_REG_LIST_MAX];
	unsigned int n;

	clear_payload(r->m, offsetof(struct qdma_mbox_reg_list, num_regs));
	n = qdma_mbox_reg_group(rl->group, !!(r->ad->cap.flags & QDMA_DEV_CAP_ST_EN),
		!!(r->ad->cap.flags & QDMA_DEV_CAP_MM_EN), addr);
	for (unsigned int i = 0; i < n; i++) {
		rl->regs[i].addr = addr[i];
		rl->regs[i].val = qdma_rd(r->ad, addr[i]);
	}
	rl->num_regs = (uint16_t)n;
	return r->ad->dev_gone ? QDMA_MBOX_ERR_REG_READ_FAILED : QDMA_MBOX_OK;
}

/* ----------------------------------------------------------- dispatch */

#define H_ANSWER 0x1u   /**< the VF waits for an answer */
#define H_ONLINE 0x2u   /**< only after HELLO */

static const struct pf_handler {
	uint8_t op;
	uint8_t flags;                      /**< H_* */
	int (*fn)(struct pf_req *r);        /**< NULL: nothing to do */
	void (*refused)(struct pf_req *r);  /**< fills a refusal's answer (NULL: header only) */
} handlers[] = {
	{ QDMA_MBOX_OP_VF_BYE, 0, h_vf_bye, NULL },
	{ QDMA_MBOX_OP_HELLO, H_ANSWER, h_hello, NULL },
	{ QDMA_MBOX_OP_FMAP, H_ANSWER | H_ONLINE, h_fmap, NULL },
	{ QDMA_MBOX_OP_CSR, H_ANSWER | H_ONLINE, h_csr, NULL },
	{ QDMA_MBOX_OP_QREQ, H_ANSWER | H_ONLINE, h_qreq, qreq_window },
	{ QDMA_MBOX_OP_QNOTIFY_ADD, H_ANSWER | H_ONLINE, h_qnotify, NULL },
	{ QDMA_MBOX_OP_QNOTIFY_DEL, H_ANSWER | H_ONLINE, h_qnotify, NULL },
	{ QDMA_MBOX_OP_GET_QACTIVE_CNT, H_ANSWER | H_ONLINE, h_qactive, NULL },
	{ QDMA_MBOX_OP_QCTXT_WRT, H_ANSWER | H_ONLINE, h_qctxt_wrt, NULL },
	{ QDMA_MBOX_OP_QCTXT_RD, H_ANSWER | H_ONLINE, h_qctxt_rd, NULL },
	{ QDMA_MBOX_OP_QCTXT_CLR, H_ANSWER | H_ONLINE, h_qctxt_clr_inv, NULL },
	{ QDMA_MBOX_OP_QCTXT_INV, H_ANSWER | H_ONLINE, h_qctxt_clr_inv, NULL },
	{ QDMA_MBOX_OP_INTR_CTXT_WRT, H_ANSWER | H_ONLINE, h_intr_ctxt, NULL },
	{ QDMA_MBOX_OP_INTR_CTXT_RD, H_ANSWER | H_ONLINE, h_intr_ctxt, NULL },
	{ QDMA_MBOX_OP_INTR_CTXT_CLR, H_ANSWER | H_ONLINE, h_intr_ctxt, NULL },
	{ QDMA_MBOX_OP_INTR_CTXT_INV, H_ANSWER | H_ONLINE, h_intr_ctxt, NULL },
	{ QDMA_MBOX_OP_REG_LIST_READ, H_ANSWER | H_ONLINE, h_reg_list, NULL },
	{ QDMA_MBOX_OP_PF_RESET_VF_BYE, H_ANSWER, h_reset_vf_bye, NULL },
	/* acknowledgements of our notices: nothing to answer */
	{ QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_PREPARE, 0, NULL, NULL },
	{ QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_RESET_DONE, 0, NULL, NULL },
	{ QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_PF_BYE, 0, NULL, NULL },
	{ QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_PAUSE, 0, h_pause_ack, NULL },
	{ QDMA_MBOX_OP_RSP | QDMA_MBOX_OP_SVFF_RESUME, 0, h_pause_ack, NULL },
};

static const struct pf_handler *
handler_of(uint8_t op)
{
	for (unsigned int i = 0; i < RTE_DIM(handlers); i++)
		if (handlers[i].op == op)
			return &handlers[i];
	return NULL;
}

/* The limits the validator checks against: this card's queue space and CSR tables. */
static void
limits_of(const struct qdma_adapter *ad, struct qdma_mbox_limits *lim)
{
	lim->num_qs = ad->pf->num_qs;
	lim->max_qs_per_fn = QDMA_MAX_QUEUES_PER_FN;
	lim->ring_sz = ad->csr.ring_sz;
	lim->buf_sz = ad->csr.buf_sz;
	lim->timer_cnt = ad->csr.timer_cnt;
	lim->cnt_th = ad->csr.cnt_th;
}

/* A message nobody answers: counted as dropped. */
static int
drop(struct pf_req *r)
{
	r->e->dropped++;
	r->pf->mbox_dropped++;
	return QDMA_MBOX_ERR_INV_MSG;
}

/*
 * Handle one message from function @p src (the hardware-reported sender).
 * Fills the response in place; *respond tells whether to send it.
 * Returns the status put in the response (enum qdma_mbox_status).
 */
int
qdma_pf_handle_msg(struct qdma_adapter *ad, uint16_t src, union qdma_mbox_msg *m,
		bool *respond)
{
	struct pf_req r = { .ad = ad, .pf = ad->pf, .m = m, .src = src };
	const struct pf_handler *h;
	struct qdma_mbox_limits lim;
	int verdict, st;

	*respond = false;
	if (src >= QDMA_MAX_FUNCS || src == ad->func_id) {
		ad->pf->mbox_dropped++;
		return QDMA_MBOX_ERR_INV_MSG;
	}
	/* 1. the message on its own */
	limits_of(ad, &lim);
	verdict = qdma_mbox_validate_vf_msg(m->b, sizeof(m->b), &lim);
	/* 2. admission, then the PF's state */
	if (!admit(ad, src, m))
		return QDMA_MBOX_ERR_INV_MSG;
	r.e = &ad->pf->fn[src];
	r.port = ad->eth->data->port_id;
	r.e->msgs++;
	m->hdr.src_func_id = src;      /* never trust the header's claim */
	h = handler_of(m->hdr.op);
	if (verdict == QDMA_MBOX_VERDICT_IGNORE || h == NULL)
		return drop(&r);       /* unknown op, or a response we never asked for */
	st = verdict;
	if (st == QDMA_MBOX_OK && (h->flags & H_ONLINE) && !r.e->online)
		st = QDMA_MBOX_ERR_INV_MSG;   /* HELLO first */
	/* 3. act */
	if (st == QDMA_MBOX_OK) {
		if (h->fn != NULL)
			st = h->fn(&r);
	} else if (h->flags & H_ANSWER) {
		clear_payload(m, sizeof(m->hdr));
		if (h->refused != NULL)
			h->refused(&r);
	}
	if (st != QDMA_MBOX_OK) {
		r.e->rejects++;
		r.pf->mbox_rejects++;
		QDMA_MBOX_LOG(INFO, "%s: refused op 0x%02x from function %u (status %d)", ad->name,
			m->hdr.op, src, st);
	}
	*respond = (h->flags & H_ANSWER) != 0;
	if (*respond)
		qdma_mbox_msg_make_rsp(m, ad->func_id, st);
	return st;
}
