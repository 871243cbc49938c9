/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The indirect context interface (IND_CTXT_DATA/MASK/CMD), the context RAM, FMAP, and the list of
 * active queues whose doorbells the engine polls.
 *
 * Choices for bad inputs (svff's card; nothing crashes, the card keeps running):
 *  - a command whose qid is >= nb_queues (queue contexts, interrupt rings) or >= 256 (FMAP) has no
 *    effect and raises TRQ qid_range (log: function = the qid, offset = IND_CTXT_CMD); a RD then
 *    returns zeros;
 *  - an unknown selector (13..15) is ignored (busy cleared); PASID/TIMER selectors are accepted and
 *    hold nothing (RD returns zeros);
 *  - SW ctxt WR with qen whose GLBL_RNG_SZ[rngsz_idx] entry is < 3 (no usable slot besides the
 *    status slot) or whose desc_sz does not match the queue type (ST H2C 16 B, ST C2H 8 B, MM
 *    32 B; bypass descriptor formats are not emulated): the queue is put in error (err bit 0 set in
 *    the SW ctxt, doorbells ignored) and DSC param is raised;
 *  - PFTCH WR whose C2H_BUF_SZ[bufsz_idx] is 0: prefetch ctxt err, the C2H ring in error, DSC
 *    param; CMPT WR with an unusable ring size: CMPT err, DSC param;
 *  - FMAP WR with qbase + qmax > nb_queues: refused (FMAP unchanged), TRQ qid_range.
 * A SW or CMPT ctxt WR zeroes the queue's doorbell register (the driver's previous value would
 * otherwise hide an identical first doorbell of the restarted queue); FMAP changes zero the
 * function's whole doorbell window.
 */
#include <string.h>

#include "sim_priv.h"

/*
 * The err fields of the SW (W1 [27:26]) and CMPT (W3 [30:29]) contexts are 2 bits whose encoding
 * the reference does not give. A read returns the stored field; when the card has put the ring in
 * error (the cases above) it also shows this bit (svff's card's choice).
 */
#define SIM_CTX_ERR_CARD 1u

/* Field updates through the qdma_hw codecs (no bit position is repeated here). */
static void
sw_set_qen(uint32_t *w, uint8_t qen)
{
	struct qdma_sw_ctx c;

	qdma_sw_ctx_decode(w, &c);
	c.qen = qen;
	qdma_sw_ctx_encode(&c, w);
}

static void
cmpt_set_valid(uint32_t *w, uint8_t valid)
{
	struct qdma_cmpt_ctx c;

	qdma_cmpt_ctx_decode(w, &c);
	c.valid = valid;
	qdma_cmpt_ctx_encode(&c, w);
}

static void
pfch_set(uint32_t *w, int valid, int err)
{
	struct qdma_pfch_ctx c;

	qdma_pfch_ctx_decode(w, &c);
	if (valid >= 0)
		c.valid = (uint8_t)valid;
	if (err >= 0)
		c.err = (uint8_t)err;
	qdma_pfch_ctx_encode(&c, w);
}

static uint32_t
rng_sz(struct qdma_sim *sim, unsigned idx)
{
	return bar_rd(sim->pf_bar, QDMA_GLBL_RNG_SZ(idx & 0xFu)) & QDMA_GLBL_RNG_SZ_MASK;
}

/* DMAP slot of absolute queue @qid when requested by function @qfn, or NULL. */
static uint32_t *
queue_slot(struct qdma_sim *sim, unsigned qid, unsigned qfn)
{
	struct sim_fn *f = sim_fn_of(sim, qfn);
	uint32_t rel, nslots;

	if (f == NULL || qid < f->qbase || qid >= (unsigned)f->qbase + f->qmax)
		return NULL;
	rel = qid - f->qbase;
	nslots = f->is_vf ? QDMA_VF_DMAP_MAX_QUEUES : QDMA_PF_DMAP_MAX_QUEUES;
	if (rel >= nslots)
		return NULL;
	return f->bar +
	       QDMA_DMAP_REG(f->is_vf ? QDMA_VF_DMAP_BASE : QDMA_PF_DMAP_BASE, rel, 0) / 4u;
}

static bool
queue_is_active(const struct sim_queue *q)
{
	return q->ring[0].valid || q->ring[1].valid || q->cmpt.valid;
}

static unsigned
queue_fnc(const struct sim_queue *q)
{
	if (q->ring[SIM_H2C].valid)
		return q->ring[SIM_H2C].fnc;
	if (q->ring[SIM_C2H].valid)
		return q->ring[SIM_C2H].fnc;
	return q->cmpt.fnc;
}

void
sim_active_rebuild(struct qdma_sim *sim)
{
	unsigned i, n = 0;

	for (i = 0; i < sim->nb_q; i++) {
		struct sim_queue *q = &sim->q[i];

		q->active = queue_is_active(q);
		if (!q->active) {
			q->db = NULL;
			continue;
		}
		q->db = queue_slot(sim, i, queue_fnc(q));
		sim->active[n++] = (uint16_t)i;
	}
	sim->nb_active = n;
	sim->active_dirty = false;
	sim->sched_dirty = true;
}

static void
db_zero(struct qdma_sim *sim, unsigned qid, unsigned qfn, uint32_t reg)
{
	uint32_t *slot = queue_slot(sim, qid, qfn);

	if (slot != NULL)
		__atomic_store_n(&slot[reg / 4u], 0, __ATOMIC_RELEASE);
}

static void
sw_setup(struct qdma_sim *sim, unsigned qid, int d)
{
	struct sim_queue *q = &sim->q[qid];
	struct sim_ring *r = &q->ring[d];
	struct qdma_sw_ctx c;
	uint32_t want, rs;

	qdma_sw_ctx_decode(q->sw[d], &c);
	r->valid = false;
	r->err = false;
	r->pending = false;
	r->fnc = c.fnc_id;
	r->is_mm = c.is_mm;
	r->wbk_en = c.wbk_en;
	r->wbi_chk = c.wbi_chk;
	r->wbi_intvl_en = c.wbi_intvl_en;
	r->base = c.ring_base;
	r->since_wb = 0;
	r->last_db = 0;
	r->xepoch = 0;
	db_zero(sim, qid, c.fnc_id, d == SIM_H2C ? QDMA_DMAP_H2C_PIDX : QDMA_DMAP_C2H_PIDX);
	if (!c.qen)
		return;
	want = c.is_mm ? 32u : (d == SIM_H2C ? 16u : 8u);
	rs = rng_sz(sim, c.rngsz_idx);
	if (rs < 3 || qdma_desc_sz_bytes(c.desc_sz) != want) {
		r->err = true;
		sim_err_dsc(sim, QDMA_DSC_ERR_PARAM, qid, d == SIM_C2H, r->cidx);
		return;
	}
	r->r = rs;
	r->dsz = want;
	r->pidx = c.pidx <= rs - 2 ? c.pidx : 0;
	if (r->cidx > rs - 2)
		r->cidx = 0;
	r->valid = true;
}

static void
cmpt_setup(struct qdma_sim *sim, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	struct sim_cmpt *m = &q->cmpt;
	struct qdma_cmpt_ctx c;
	uint32_t rs;

	qdma_cmpt_ctx_decode(q->cmpt_w, &c);
	memset(m, 0, sizeof(*m));
	m->fnc = c.fnc_id;
	db_zero(sim, qid, c.fnc_id, QDMA_DMAP_CMPT_CIDX);
	if (!c.valid)
		return;
	rs = rng_sz(sim, c.ringsz_idx);
	if (rs < 3) {
		m->err = true;
		sim_err_dsc(sim, QDMA_DSC_ERR_PARAM, qid, true, 0);
		return;
	}
	m->r = rs;
	m->esz = qdma_cmpt_sz_bytes(c.desc_sz);
	m->base = c.base_addr;
	m->color = c.color;
	m->pidx = c.pidx <= rs - 2 ? c.pidx : 0;
	m->cidx = c.cidx <= rs - 2 ? c.cidx : 0;
	m->en_stat = c.en_stat_desc;
	m->trig = c.trig_mode;
	m->cnt_idx = c.counter_idx;
	m->tmr_idx = c.timer_idx;
	m->ovf_chk_dis = c.ovf_chk_dis;
	m->valid = true;
}

static void
pfch_setup(struct qdma_sim *sim, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	struct qdma_pfch_ctx c;

	qdma_pfch_ctx_decode(q->pfch_w, &c);
	q->pfch_valid = false;
	q->bufsz = 0;
	if (!c.valid)
		return;
	q->bufsz = bar_rd(sim->pf_bar, QDMA_C2H_BUF_SZ(c.bufsz_idx)) & QDMA_C2H_BUF_SZ_MASK;
	if (q->bufsz == 0) {
		pfch_set(q->pfch_w, -1, 1);
		q->ring[SIM_C2H].err = true;
		q->ring[SIM_C2H].valid = false;
		sim_err_dsc(sim, QDMA_DSC_ERR_PARAM, qid, true, q->ring[SIM_C2H].cidx);
		return;
	}
	q->pfch_valid = true;
}

/* Zero every doorbell of function @f (its FMAP changed or it was reset). */
static void
fn_db_clear(struct sim_fn *f)
{
	uint32_t base = f->is_vf ? QDMA_VF_DMAP_BASE : QDMA_PF_DMAP_BASE;
	uint32_t n = f->is_vf ? QDMA_VF_DMAP_MAX_QUEUES : QDMA_PF_DMAP_MAX_QUEUES;

	if (f->bar != NULL)
		memset((uint8_t *)f->bar + base, 0, (size_t)n * QDMA_DMAP_STRIDE);
}

static void
fmap_apply(struct qdma_sim *sim, unsigned qfn, const uint32_t *w)
{
	struct sim_fn *f = &sim->fn[qfn];
	struct qdma_fmap_ctx c;

	qdma_fmap_ctx_decode(w, &c);
	if ((unsigned)c.qbase + c.qmax > sim->nb_q) {
		sim_err_trq(sim, QDMA_TRQ_ERR_QID_RANGE, qfn, QDMA_IND_CTXT_CMD);
		return;
	}
	memcpy(f->fmap_w, w, sizeof(f->fmap_w));
	if (f->qbase != c.qbase || f->qmax != c.qmax) {
		f->qbase = c.qbase;
		f->qmax = c.qmax;
		if (f->present)
			fn_db_clear(f);
		sim->active_dirty = true;
	}
}

void
sim_queue_stop(struct qdma_sim *sim, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	int d;

	for (d = 0; d < 2; d++) {
		sw_set_qen(q->sw[d], 0);
		q->ring[d].valid = false;
		q->ring[d].pending = false;
	}
	cmpt_set_valid(q->cmpt_w, 0);
	q->cmpt.valid = false;
	pfch_set(q->pfch_w, 0, -1);
	q->pfch_valid = false;
	sim->active_dirty = true;
}

static bool
sw_qen(const uint32_t *sw)
{
	struct qdma_sw_ctx c;

	qdma_sw_ctx_decode(sw, &c);
	return c.qen != 0;
}

static unsigned
words_fnc(const uint32_t *sw)
{
	struct qdma_sw_ctx c;

	qdma_sw_ctx_decode(sw, &c);
	return c.fnc_id;
}

void
sim_fn_reset_queues(struct qdma_sim *sim, unsigned qfn)
{
	unsigned i;

	for (i = 0; i < sim->nb_q; i++) {
		struct sim_queue *q = &sim->q[i];
		bool mine = words_fnc(q->sw[0]) == qfn || words_fnc(q->sw[1]) == qfn;

		if ((q->ring[0].valid || q->ring[0].err) && q->ring[0].fnc == qfn)
			mine = true;
		if ((q->ring[1].valid || q->ring[1].err) && q->ring[1].fnc == qfn)
			mine = true;
		if (q->cmpt.valid && q->cmpt.fnc == qfn)
			mine = true;
		if (mine && (queue_is_active(q) || sw_qen(q->sw[0]) || sw_qen(q->sw[1]))) {
			sim_queue_stop(sim, i);
			q->ring[0].err = q->ring[1].err = false;
		}
	}
	if (sim->fn[qfn].present)
		fn_db_clear(&sim->fn[qfn]);
}

/* Fold the hardware-owned fields into the words returned by RD. */
static void
ctx_fold(struct qdma_sim *sim, unsigned sel, unsigned qid, uint32_t *out)
{
	struct sim_queue *q = &sim->q[qid];
	int d = (sel & 1u) ? SIM_H2C : SIM_C2H;
	struct sim_ring *r = &q->ring[d];

	switch (sel) {
	case QDMA_IND_SEL_SW_C2H:
	case QDMA_IND_SEL_SW_H2C: {
		struct qdma_sw_ctx c;

		qdma_sw_ctx_decode(q->sw[d], &c);
		if (r->valid)
			c.pidx = (uint16_t)r->pidx;
		/* err is 2 bits, stored as written; a queue error the card raised shows as bit 0 */
		if (r->err)
			c.err |= SIM_CTX_ERR_CARD;
		qdma_sw_ctx_encode(&c, out);
		break;
	}
	case QDMA_IND_SEL_HW_C2H:
	case QDMA_IND_SEL_HW_H2C: {
		struct qdma_hw_ctx c = { 0 };

		c.cidx = (uint16_t)r->cidx;
		c.crd_use = (uint16_t)r->crd_use;
		c.dsc_pnd = r->valid && r->pidx != r->cidx;
		c.idl_stp_b = !r->valid && !c.dsc_pnd;
		c.evt_pnd = r->pending;
		qdma_hw_ctx_encode(&c, out);
		break;
	}
	case QDMA_IND_SEL_CR_C2H:
	case QDMA_IND_SEL_CR_H2C: {
		struct qdma_credit_ctx c = { 0 };

		if (r->valid)
			c.credit = (uint16_t)qdma_ring_count(r->pidx, r->cidx, r->r);
		qdma_credit_ctx_encode(&c, out);
		break;
	}
	case QDMA_IND_SEL_CMPT: {
		struct qdma_cmpt_ctx c;

		qdma_cmpt_ctx_decode(q->cmpt_w, &c);
		if (q->cmpt.valid) {
			c.pidx = (uint16_t)q->cmpt.pidx;
			c.cidx = (uint16_t)q->cmpt.cidx;
			c.color = q->cmpt.color;
		}
		if (q->cmpt.err)
			c.err |= SIM_CTX_ERR_CARD;
		if (qdma_cmpt_ctx_encode(&c, out) < 0)
			memcpy(out, q->cmpt_w, sizeof(q->cmpt_w));
		break;
	}
	default:
		break;
	}
}

static uint32_t *
ctx_words(struct qdma_sim *sim, unsigned sel, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];

	switch (sel) {
	case QDMA_IND_SEL_SW_C2H: return q->sw[SIM_C2H];
	case QDMA_IND_SEL_SW_H2C: return q->sw[SIM_H2C];
	case QDMA_IND_SEL_HW_C2H: return q->hw[SIM_C2H];
	case QDMA_IND_SEL_HW_H2C: return q->hw[SIM_H2C];
	case QDMA_IND_SEL_CR_C2H: return q->cr[SIM_C2H];
	case QDMA_IND_SEL_CR_H2C: return q->cr[SIM_H2C];
	case QDMA_IND_SEL_CMPT: return q->cmpt_w;
	case QDMA_IND_SEL_PFTCH: return q->pfch_w;
	case QDMA_IND_SEL_INT_COAL: return &sim->intr_w[(size_t)qid * QDMA_INTR_CTX_WORDS];
	default: return NULL;
	}
}

/* Apply a CLR / WR / INV that changed the words of (sel, qid) to the runtime state. */
static void
ctx_apply(struct qdma_sim *sim, unsigned sel, unsigned op, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	bool was = q->active;
	int d = (sel & 1u) ? SIM_H2C : SIM_C2H;

	switch (sel) {
	case QDMA_IND_SEL_SW_C2H:
	case QDMA_IND_SEL_SW_H2C:
		if (op == QDMA_IND_OP_WR) {
			sw_setup(sim, qid, d);
		} else {
			if (op == QDMA_IND_OP_INV)
				sw_set_qen(q->sw[d], 0);
			q->ring[d].valid = false;
			q->ring[d].err = false;
			q->ring[d].pending = false;
		}
		break;
	case QDMA_IND_SEL_HW_C2H:
	case QDMA_IND_SEL_HW_H2C:
		if (op == QDMA_IND_OP_CLR) {
			q->ring[d].cidx = 0;
			q->ring[d].crd_use = 0;
		} else if (op == QDMA_IND_OP_WR) {
			struct qdma_hw_ctx c;

			qdma_hw_ctx_decode(q->hw[d], &c);
			q->ring[d].cidx = c.cidx;
			q->ring[d].crd_use = c.crd_use;
		}
		break;
	case QDMA_IND_SEL_CMPT:
		if (op == QDMA_IND_OP_WR) {
			cmpt_setup(sim, qid);
		} else {
			if (op == QDMA_IND_OP_INV)
				cmpt_set_valid(q->cmpt_w, 0);
			q->cmpt.valid = false;
			q->cmpt.err = false;
		}
		break;
	case QDMA_IND_SEL_PFTCH:
		if (op == QDMA_IND_OP_WR) {
			pfch_setup(sim, qid);
		} else {
			if (op == QDMA_IND_OP_INV)
				pfch_set(q->pfch_w, 0, -1);
			q->pfch_valid = false;
			q->bufsz = 0;
		}
		break;
	default:
		return;
	}
	if (was || queue_is_active(q))
		sim->active_dirty = true;
}

static void
ind_exec(struct qdma_sim *sim, uint32_t cmd)
{
	unsigned sel = qdma_ind_cmd_sel(cmd), op = qdma_ind_cmd_op(cmd);
	unsigned qid = qdma_ind_cmd_qid(cmd);
	unsigned nw = qdma_ctx_words(sel), i;
	uint32_t data[QDMA_IND_CTXT_DATA_WORDS] = { 0 };
	uint32_t *w;

	if (sel >= QDMA_IND_SEL_NUM)
		return;
	if (sel == QDMA_IND_SEL_FMAP ? qid >= SIM_NB_FUNCS : qid >= sim->nb_q) {
		sim_err_trq(sim, QDMA_TRQ_ERR_QID_RANGE, qid, QDMA_IND_CTXT_CMD);
		if (op == QDMA_IND_OP_RD)
			for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
				bar_wr(sim->pf_bar, QDMA_IND_CTXT_DATA(i), 0);
		return;
	}
	if (sel == QDMA_IND_SEL_FMAP) {
		uint32_t nwv[QDMA_FMAP_CTX_WORDS];

		switch (op) {
		case QDMA_IND_OP_RD:
			memcpy(data, sim->fn[qid].fmap_w, sizeof(sim->fn[qid].fmap_w));
			break;
		case QDMA_IND_OP_WR:
			for (i = 0; i < QDMA_FMAP_CTX_WORDS; i++) {
				uint32_t m = bar_rd(sim->pf_bar, QDMA_IND_CTXT_MASK(i));

				nwv[i] = (sim->fn[qid].fmap_w[i] & ~m) |
					 (bar_rd(sim->pf_bar, QDMA_IND_CTXT_DATA(i)) & m);
			}
			fmap_apply(sim, qid, nwv);
			return;
		default:
			memset(nwv, 0, sizeof(nwv));
			fmap_apply(sim, qid, nwv);
			return;
		}
	} else {
		w = ctx_words(sim, sel, qid);
		if (w == NULL || nw == 0) {
			if (op != QDMA_IND_OP_RD)
				return;
		} else if (op == QDMA_IND_OP_RD) {
			memcpy(data, w, nw * sizeof(uint32_t));
			ctx_fold(sim, sel, qid, data);
		} else {
			if (op == QDMA_IND_OP_CLR) {
				memset(w, 0, nw * sizeof(uint32_t));
			} else if (op == QDMA_IND_OP_WR) {
				for (i = 0; i < nw; i++) {
					uint32_t m = bar_rd(sim->pf_bar, QDMA_IND_CTXT_MASK(i));

					w[i] = (w[i] & ~m) |
					       (bar_rd(sim->pf_bar, QDMA_IND_CTXT_DATA(i)) & m);
				}
			}
			ctx_apply(sim, sel, op, qid);
			return;
		}
	}
	for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
		bar_wr(sim->pf_bar, QDMA_IND_CTXT_DATA(i), data[i]);
}

int
sim_ctx_poll(struct qdma_sim *sim)
{
	uint32_t cmd = bar_rd(sim->pf_bar, QDMA_IND_CTXT_CMD);

	if (!qdma_ind_cmd_busy(cmd))
		return 0;
	ind_exec(sim, cmd);
	SIM_STAT_ADD(sim->st.ind_cmds, 1);
	bar_wr(sim->pf_bar, QDMA_IND_CTXT_CMD, cmd & ~QDMA_IND_CTXT_CMD_BUSY);
	return 1;
}
