/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine thread: the only owner of the card state. Each iteration it reports a QSBR
 * quiescent state, runs queued requests, and polls what drivers store into the BARs: the PF's
 * IND_CTXT_CMD, W1C error registers, MM channel CONTROL, mailbox FN_CMD / FLR of every function,
 * the user BAR, and the doorbells of the active queues. DMA goes only through the requester
 * function's map (vslot_dma_ptr = the IOMMU).
 *
 * DMA error policy (svff's card; one place):
 *  - descriptor ring, status slot or CMPT ring not reachable through the function's map:
 *    DSC addr (bit 3); an H2C/C2H data buffer (address taken from a descriptor) not reachable,
 *    or an injected DMA read/write fault: DSC dma (bit 20); a malformed descriptor (injected
 *    BAD_DESC, MM card address beyond card memory, too many segments): DSC dsc (bit 21); a PIDX
 *    doorbell beyond R-2: DSC param (bit 2). DSC LOG0/1 record the queue and cidx.
 *  - the queue goes to error (SW ctxt err = 1, stopped until re-programmed by CLR + WR); a
 *    failing packet is validated before anything is written, so nothing is written anywhere.
 *  - a queue whose fnc_id names no existing function cannot DMA: DSC addr, error.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_priv.h"

#define SIM_MAX_SEGS 256u

/* ---- translation -------------------------------------------------------------------------- */
static uint8_t *
xlate(struct qdma_sim *sim, const struct sim_fn *f, uint64_t iova, size_t len)
{
	if (sim->rd != NULL)
		return vslot_reader_dma_ptr(sim->rd, f->slot, iova, len);
	return vslot_dma_ptr(sim->srv, f->slot, iova, len);
}

/* Translate [iova, iova+len) into host-contiguous segments appended to @segs. */
static bool
xlate_segs(struct qdma_sim *sim, const struct sim_fn *f, uint64_t iova, uint32_t len,
	struct sim_seg *segs, unsigned *n)
{
	uint8_t *p = xlate(sim, f, iova, len);

	if (p != NULL) {
		if (*n >= SIM_MAX_SEGS)
			return false;
		segs[(*n)++] = (struct sim_seg){ p, len };
		return true;
	}
	while (len > 0) {
		size_t avail = 0;

		p = vslot_dma_ptr_prefix(sim->srv, f->slot, iova, len, &avail);
		if (p == NULL || avail == 0 || *n >= SIM_MAX_SEGS)
			return false;
		segs[(*n)++] = (struct sim_seg){ p, (uint32_t)avail };
		iova += avail;
		len -= (uint32_t)avail;
	}
	return true;
}

/* The whole ring (status slot included), translated once per iteration; NULL: per entry. */
static uint8_t *
ring_ptr(struct qdma_sim *sim, struct sim_ring *r, const struct sim_fn *f)
{
	if (r->xepoch != sim->epoch) {
		r->xring = xlate(sim, f, r->base, (size_t)r->r * r->dsz);
		r->xepoch = sim->epoch;
	}
	return r->xring;
}

static uint8_t *
ring_entry(struct qdma_sim *sim, struct sim_ring *r, const struct sim_fn *f, uint32_t idx)
{
	uint8_t *ring = ring_ptr(sim, r, f);

	if (ring != NULL)
		return ring + (size_t)idx * r->dsz;
	return xlate(sim, f, r->base + (uint64_t)idx * r->dsz, r->dsz);
}

static uint8_t *
cmpt_entry(struct qdma_sim *sim, struct sim_cmpt *m, const struct sim_fn *f, uint32_t idx)
{
	if (m->xepoch != sim->epoch) {
		m->xring = xlate(sim, f, m->base, (size_t)m->r * m->esz);
		m->xepoch = sim->epoch;
	}
	if (m->xring != NULL)
		return m->xring + (size_t)idx * m->esz;
	return xlate(sim, f, m->base + (uint64_t)idx * m->esz, m->esz);
}

static void
queue_err(struct qdma_sim *sim, unsigned qid, int d, uint32_t bits)
{
	struct sim_ring *r = &sim->q[qid].ring[d];

	r->err = true;
	r->valid = false;
	r->pending = false;
	sim->active_dirty = true;
	sim_err_dsc(sim, bits, qid, d == SIM_C2H, r->cidx);
}

/* Descriptor-ring status descriptor {pidx, cidx}. */
static void
ring_status(struct qdma_sim *sim, unsigned qid, int d, const struct sim_fn *f)
{
	struct sim_ring *r = &sim->q[qid].ring[d];
	uint8_t *p;

	r->since_wb = 0;
	if (!r->wbk_en)
		return;
	p = ring_entry(sim, r, f, r->r - 1);
	if (p == NULL) {
		queue_err(sim, qid, d, QDMA_DSC_ERR_ADDR);
		return;
	}
	__atomic_store_n((uint32_t *)p, (r->pidx & 0xFFFFu) | (r->cidx << 16), __ATOMIC_RELEASE);
}

/* ---- data movement -------------------------------------------------------------------------- */
static void
pattern_fill(uint8_t *dst, uint32_t len, uint64_t off)
{
	uint32_t i = 0;

	if (off & 1u) {
		dst[i++] = qdma_user_pattern_byte(off);
		off++;
	}
	for (; i + 1 < len; i += 2, off += 2) {
		uint16_t w = (uint16_t)(off >> 1);

		memcpy(dst + i, &w, 2);
	}
	if (i < len)
		dst[i] = qdma_user_pattern_byte(off);
}

/* Scatter-gather copy of @len bytes from @src (or the pattern) into @dst. */
static void
sg_copy(const struct sim_seg *dst, unsigned nd, const struct sim_seg *src, unsigned ns,
	uint64_t pat_off)
{
	unsigned di = 0, si = 0;
	uint32_t doff = 0, soff = 0;

	if (src == NULL) {
		for (di = 0; di < nd; di++) {
			pattern_fill((uint8_t *)dst[di].p, dst[di].len, pat_off);
			pat_off += dst[di].len;
		}
		return;
	}
	while (di < nd && si < ns) {
		uint32_t n = dst[di].len - doff;

		if (src[si].len - soff < n)
			n = src[si].len - soff;
		memcpy((uint8_t *)dst[di].p + doff, src[si].p + soff, n);
		doff += n;
		soff += n;
		if (doff == dst[di].len) {
			di++;
			doff = 0;
		}
		if (soff == src[si].len) {
			si++;
			soff = 0;
		}
	}
}

int
sim_c2h_put(struct qdma_sim *sim, unsigned qid, uint32_t len, const struct sim_seg *segs,
	unsigned nseg, uint64_t pat_off, bool imm)
{
	struct sim_seg dst[QDMA_CMPT_MAX_DESCS_PER_PKT];
	struct sim_queue *q;
	struct sim_ring *r;
	struct sim_cmpt *m;
	struct sim_fn *f, *cf;
	uint32_t nd = 0, idx, left, k, used;
	uint8_t *e;

	if (qid >= sim->nb_q)
		return -1;
	q = &sim->q[qid];
	r = &q->ring[SIM_C2H];
	m = &q->cmpt;
	if (!r->valid || r->is_mm || !q->pfch_valid || !m->valid)
		return -1;
	f = sim_fn_of(sim, r->fnc);
	cf = sim_fn_of(sim, m->fnc);
	if (f == NULL || cf == NULL)
		return -1;
	if (f->stalled || cf->stalled)
		return 0;
	if (!imm) {
		nd = len ? (len + q->bufsz - 1) / q->bufsz : 1;
		if (nd > QDMA_CMPT_MAX_DESCS_PER_PKT) {
			sim_err_c2h(sim, QDMA_C2H_ERR_LEN_MISMATCH, qid);
			return -1;
		}
		if (qdma_ring_count(r->pidx, r->cidx, r->r) < nd)
			return 0;
	}
	used = qdma_ring_count(m->pidx, m->cidx, m->r);
	if (used >= m->r - 2) {
		if (!m->ovf_chk_dis && !m->full_raised) {
			m->full_raised = true;
			sim_err_c2h(sim, QDMA_C2H_ERR_CMPT_QFULL, qid);
		}
		return 0;
	}
	/* validate every destination before writing anything */
	idx = r->cidx;
	left = len;
	for (k = 0; k < nd; k++) {
		const uint8_t *dp = ring_entry(sim, r, f, idx);
		uint64_t addr;
		uint32_t chunk = left < q->bufsz ? left : q->bufsz;

		if (dp == NULL) {
			queue_err(sim, qid, SIM_C2H, QDMA_DSC_ERR_ADDR);
			return -1;
		}
		memcpy(&addr, dp, sizeof(addr));
		dst[k].len = chunk;
		dst[k].p = chunk ? xlate(sim, f, addr, chunk) : (const uint8_t *)dp;
		if (q->f_bad > 0) {
			q->f_bad--;
			queue_err(sim, qid, SIM_C2H, QDMA_DSC_ERR_DSC);
			return -1;
		}
		if (q->f_wr > 0 && chunk > 0) {
			q->f_wr--;
			dst[k].p = NULL;
		}
		if (dst[k].p == NULL) {
			queue_err(sim, qid, SIM_C2H, QDMA_DSC_ERR_DMA);
			return -1;
		}
		left -= chunk;
		idx = qdma_ring_next(idx, r->r);
	}
	e = cmpt_entry(sim, m, cf, m->pidx);
	if (e == NULL) {
		m->err = true;
		m->valid = false;
		sim->active_dirty = true;
		sim_err_dsc(sim, QDMA_DSC_ERR_ADDR, qid, true, m->pidx);
		return -1;
	}
	if (!imm)
		sg_copy(dst, nd, segs, nseg, pat_off);
	if (m->esz > 8)
		memset(e + 8, 0, m->esz - 8);
	if (imm) {
		/* completion-only entry: user data (ST_C2H_CMPT_DATA) above the low nibble */
		uint64_t ud = (uint64_t)bar_rd(sim->user.bar, QDMA_USER_ST_C2H_CMPT_DATA(0)) |
			      ((uint64_t)bar_rd(sim->user.bar, QDMA_USER_ST_C2H_CMPT_DATA(1)) << 32);

		__atomic_store_n((uint64_t *)e,
			(ud << 4) | qdma_cmpt_entry_make(m->color, 0, 0, 0), __ATOMIC_RELEASE);
	} else {
		__atomic_store_n((uint64_t *)e, qdma_cmpt_entry_make(m->color, 0, 1, (uint16_t)len),
			__ATOMIC_RELEASE);
	}
	m->pidx = qdma_ring_next(m->pidx, m->r);
	if (m->pidx == 0)
		m->color ^= 1u;
	r->cidx = idx;
	r->crd_use += nd;
	r->since_wb += nd;
	q->c2h_dirty = true;
	SIM_STAT_ADD(sim->st.c2h_pkts, 1);
	SIM_STAT_ADD(sim->st.c2h_bytes, len);
	return 1;
}

void
sim_c2h_flush(struct qdma_sim *sim, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	struct sim_cmpt *m = &q->cmpt;
	struct sim_fn *f;

	if (!q->c2h_dirty)
		return;
	q->c2h_dirty = false;
	if (m->valid && m->en_stat && m->trig != QDMA_CMPT_TRIG_DISABLE &&
	    (f = sim_fn_of(sim, m->fnc)) != NULL) {
		uint8_t *p = cmpt_entry(sim, m, f, m->r - 1);
		uint64_t v = (uint64_t)(m->pidx & 0xFFFFu) | ((uint64_t)(m->cidx & 0xFFFFu) << 16) |
			     ((uint64_t)(m->color ? QDMA_STATUS_COLOR : 0) << 32);

		if (p == NULL) {
			m->err = true;
			m->valid = false;
			sim->active_dirty = true;
			sim_err_dsc(sim, QDMA_DSC_ERR_ADDR, qid, true, m->pidx);
		} else {
			__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE);
		}
	}
	if (q->ring[SIM_C2H].valid && (f = sim_fn_of(sim, q->ring[SIM_C2H].fnc)) != NULL)
		ring_status(sim, qid, SIM_C2H, f);
}

/* ---- H2C stream ------------------------------------------------------------------------------ */
/* Up to @budget descriptors (a packet in progress is finished); returns descriptors done. */
static int
h2c_st(struct qdma_sim *sim, unsigned qid, struct sim_queue *q, unsigned budget)
{
	struct sim_seg segs[SIM_MAX_SEGS];
	struct sim_ring *r = &q->ring[SIM_H2C];
	struct sim_fn *f = sim_fn_of(sim, r->fnc);
	bool lb = sim_user_loopback(sim);
	unsigned done = 0;
	int progress = 0;

	if (f == NULL) {
		queue_err(sim, qid, SIM_H2C, QDMA_DSC_ERR_ADDR);
		return 1;
	}
	if (f->stalled)
		return 0;
	r->pending = false;
	if (budget > SIM_H2C_BATCH)
		budget = SIM_H2C_BATCH;
	while (done < budget) {
		uint32_t avail = qdma_ring_count(r->pidx, r->cidx, r->r);
		uint32_t idx = r->cidx, nd = 0, total = 0;
		unsigned nseg = 0;
		bool complete = false;
		int rc;

		if (avail == 0)
			break;
		while (nd < avail) {
			struct qdma_h2c_st_desc dsc;
			const uint8_t *dp = ring_entry(sim, r, f, idx);

			if (dp == NULL) {
				queue_err(sim, qid, SIM_H2C, QDMA_DSC_ERR_ADDR);
				return 1;
			}
			memcpy(&dsc, dp, sizeof(dsc));
			nd++;
			if (q->f_bad > 0) {
				q->f_bad--;
				queue_err(sim, qid, SIM_H2C, QDMA_DSC_ERR_DSC);
				return 1;
			}
			if (dsc.len > 0) {
				bool ok = xlate_segs(sim, f, dsc.src_addr, dsc.len, segs, &nseg);

				if (ok && q->f_rd > 0) {
					q->f_rd--;
					ok = false;
				}
				if (!ok) {
					queue_err(sim, qid, SIM_H2C,
						nseg >= SIM_MAX_SEGS ? QDMA_DSC_ERR_DSC :
								       QDMA_DSC_ERR_DMA);
					return 1;
				}
			}
			total += dsc.len;
			idx = qdma_ring_next(idx, r->r);
			if ((dsc.flags & QDMA_H2C_ST_F_EOP) || (nd == 1 && dsc.flags == 0)) {
				complete = true;
				break;
			}
		}
		if (!complete)
			break; /* the rest of the packet is not posted yet */
		if (lb) {
			rc = total ? sim_c2h_put(sim, qid, total, segs, nseg, 0, false) : -1;
			if (rc == 0) {
				r->pending = true; /* back-pressure: retry without a doorbell */
				break;
			}
			if (rc < 0)
				sim_user_drop(sim);
			else
				sim_user_accept(sim);
		} else {
			uint64_t off = 0;
			unsigned i;

			for (i = 0; i < nseg; i++) {
				sim_user_check(sim, segs[i].p, segs[i].len, off);
				off += segs[i].len;
			}
			sim_user_pkt_done(sim);
		}
		r->cidx = idx;
		r->crd_use += nd;
		r->since_wb += nd;
		done += nd;
		progress = 1;
		SIM_STAT_ADD(sim->st.h2c_pkts, 1);
		SIM_STAT_ADD(sim->st.h2c_bytes, total);
	}
	if (done >= budget && r->cidx != r->pidx)
		r->pending = true;
	if (progress) {
		/* the sink's counters are visible before the status write says "done" */
		if (!lb)
			sim_user_republish(sim);
		ring_status(sim, qid, SIM_H2C, f);
		if (lb)
			sim_c2h_flush(sim, qid);
	}
	return (int)done;
}

/* ---- memory-mapped queues ------------------------------------------------------------------- */
/* Up to @budget descriptors; returns descriptors done (1 when the queue went to error). */
static int
mm_run(struct qdma_sim *sim, unsigned qid, struct sim_queue *q, int d, unsigned budget)
{
	struct sim_seg segs[SIM_MAX_SEGS];
	struct sim_ring *r = &q->ring[d];
	struct sim_fn *f = sim_fn_of(sim, r->fnc);
	unsigned n = 0;

	if (f == NULL) {
		queue_err(sim, qid, d, QDMA_DSC_ERR_ADDR);
		return 1;
	}
	if (!(sim->mm_ctrl[d] & QDMA_MM_CONTROL_RUN) || f->stalled) {
		r->pending = true;
		return 0;
	}
	r->pending = false;
	if (budget > SIM_H2C_BATCH)
		budget = SIM_H2C_BATCH;
	while (r->cidx != r->pidx && n < budget) {
		struct qdma_mm_desc dsc;
		const uint8_t *dp = ring_entry(sim, r, f, r->cidx);
		uint64_t card, host;
		uint32_t len, i;
		unsigned nseg = 0;
		uint8_t *cm;

		if (dp == NULL) {
			queue_err(sim, qid, d, QDMA_DSC_ERR_ADDR);
			return 1;
		}
		memcpy(&dsc, dp, sizeof(dsc));
		len = qdma_mm_desc_len(&dsc);
		card = d == SIM_H2C ? dsc.dst_addr : dsc.src_addr;
		host = d == SIM_H2C ? dsc.src_addr : dsc.dst_addr;
		if (q->f_bad > 0) {
			q->f_bad--;
			queue_err(sim, qid, d, QDMA_DSC_ERR_DSC);
			return 1;
		}
		if (card > sim->cfg.card_mem || len > sim->cfg.card_mem - card) {
			queue_err(sim, qid, d, QDMA_DSC_ERR_DSC);
			return 1;
		}
		if (len > 0) {
			bool ok = xlate_segs(sim, f, host, len, segs, &nseg);
			uint32_t *fault = d == SIM_H2C ? &q->f_rd : &q->f_wr;

			if (ok && *fault > 0) {
				(*fault)--;
				ok = false;
			}
			if (!ok) {
				queue_err(sim, qid, d, QDMA_DSC_ERR_DMA);
				return 1;
			}
			cm = sim->card_mem + card;
			for (i = 0; i < nseg; i++) {
				if (d == SIM_H2C)
					memcpy(cm, segs[i].p, segs[i].len);
				else
					memcpy((uint8_t *)segs[i].p, cm, segs[i].len);
				cm += segs[i].len;
			}
			if (d == SIM_H2C)
				SIM_STAT_ADD(sim->st.mm_h2c_bytes, len);
			else
				SIM_STAT_ADD(sim->st.mm_c2h_bytes, len);
		}
		r->cidx = qdma_ring_next(r->cidx, r->r);
		r->crd_use++;
		n++;
	}
	if (r->cidx != r->pidx)
		r->pending = true;
	if (n > 0)
		ring_status(sim, qid, d, f);
	return (int)n;
}

/* ---- doorbells ------------------------------------------------------------------------------ */
static int
cmpt_doorbell(struct qdma_sim *sim, unsigned qid, struct sim_cmpt *m, uint32_t v)
{
	struct qdma_cmpt_cidx_db d;

	m->last_db = v;
	qdma_db_cmpt_cidx_decode(v, &d);
	m->trig = d.trig_mode;
	m->cnt_idx = d.counter_idx;
	m->tmr_idx = d.timer_idx;
	m->en_stat = d.stat_desc_en;
	m->irq_en = d.irq_en;
	if (d.cidx > m->r - 2 ||
	    qdma_ring_count(d.cidx, m->cidx, m->r) > qdma_ring_count(m->pidx, m->cidx, m->r)) {
		sim_err_c2h(sim, QDMA_C2H_ERR_CMPT_CIDX, qid);
		return 1;
	}
	m->cidx = d.cidx;
	m->full_raised = false;
	return 1;
}

/* Take the doorbells of queue @qid (cheap: three loads); 1 if one changed. */
static int
queue_doorbells(struct qdma_sim *sim, unsigned qid)
{
	struct sim_queue *q = &sim->q[qid];
	struct sim_ring *h = &q->ring[SIM_H2C], *c = &q->ring[SIM_C2H];
	uint32_t *db = q->db;
	int work = 0;
	uint32_t v;

	if (db != NULL) {
		if (h->valid) {
			v = __atomic_load_n(&db[QDMA_DMAP_H2C_PIDX / 4u], __ATOMIC_ACQUIRE);
			if (v != h->last_db) {
				uint32_t p = qdma_db_pidx_get(v);

				h->last_db = v;
				work = 1;
				if (p > h->r - 2) {
					queue_err(sim, qid, SIM_H2C, QDMA_DSC_ERR_PARAM);
				} else {
					h->pidx = p;
					h->pending = true;
				}
			}
		}
		if (c->valid) {
			v = __atomic_load_n(&db[QDMA_DMAP_C2H_PIDX / 4u], __ATOMIC_ACQUIRE);
			if (v != c->last_db) {
				uint32_t p = qdma_db_pidx_get(v);

				c->last_db = v;
				work = 1;
				if (p > c->r - 2) {
					queue_err(sim, qid, SIM_C2H, QDMA_DSC_ERR_PARAM);
				} else {
					c->pidx = p;
					if (c->is_mm)
						c->pending = true;
				}
			}
		}
		if (q->cmpt.valid) {
			v = __atomic_load_n(&db[QDMA_DMAP_CMPT_CIDX / 4u], __ATOMIC_ACQUIRE);
			if (v != q->cmpt.last_db)
				work |= cmpt_doorbell(sim, qid, &q->cmpt, v);
		}
	}
	return work;
}

/* Move up to about @budget descriptors of queue @qid; returns descriptors moved. */
static unsigned
queue_run(struct qdma_sim *sim, unsigned qid, unsigned budget)
{
	struct sim_queue *q = &sim->q[qid];
	struct sim_ring *h = &q->ring[SIM_H2C], *c = &q->ring[SIM_C2H];
	unsigned n = 0;

	if (h->valid && h->pending)
		n += (unsigned)(h->is_mm ? mm_run(sim, qid, q, SIM_H2C, budget) :
					   h2c_st(sim, qid, q, budget));
	if (c->valid && c->is_mm && c->pending && n < budget)
		n += (unsigned)mm_run(sim, qid, q, SIM_C2H, budget - n);
	return n;
}

/* ---- scheduling: each function gets its share of the engine -------------------------------- */
/* Owning function of an active queue (its descriptor rings' requester). */
static unsigned
queue_owner(const struct sim_queue *q)
{
	if (q->ring[SIM_H2C].valid)
		return q->ring[SIM_H2C].fnc;
	if (q->ring[SIM_C2H].valid)
		return q->ring[SIM_C2H].fnc;
	return q->cmpt.fnc;
}

/* Group the active queues by function (counting sort), keeping each function's cursor. */
static void
sched_rebuild(struct qdma_sim *sim)
{
	uint16_t cnt[SIM_NB_FUNCS] = { 0 }, pos[SIM_NB_FUNCS];
	uint16_t old_next[SIM_NB_FUNCS] = { 0 };
	unsigned i, nfn = 0, at = 0;

	for (i = 0; i < sim->sched_nfn; i++)
		old_next[sim->sched_fn[i].fnc] = sim->sched_fn[i].next;
	for (i = 0; i < sim->nb_active; i++)
		cnt[queue_owner(&sim->q[sim->active[i]]) % SIM_NB_FUNCS]++;
	for (i = 0; i < SIM_NB_FUNCS; i++) {
		pos[i] = (uint16_t)at;
		if (cnt[i] == 0)
			continue;
		sim->sched_fn[nfn] = (struct sim_sched_fn){ .fnc = (uint16_t)i, .first = (uint16_t)at,
			.n = cnt[i], .next = (uint16_t)(old_next[i] % cnt[i]) };
		nfn++;
		at += cnt[i];
	}
	for (i = 0; i < sim->nb_active; i++) {
		uint16_t qid = sim->active[i];

		sim->sched_q[pos[queue_owner(&sim->q[qid]) % SIM_NB_FUNCS]++] = qid;
	}
	sim->sched_nfn = nfn;
	if (sim->sched_cur >= nfn)
		sim->sched_cur = 0;
	sim->sched_dirty = false;
}

/*
 * Serve the queues of one function, from its cursor, until its quantum is used or every one
 * of its queues had a turn; returns descriptors moved.
 */
static unsigned
sched_fn_run(struct qdma_sim *sim, struct sim_sched_fn *sf, unsigned quantum)
{
	unsigned used = 0, k;

	for (k = 0; k < sf->n && used < quantum; k++) {
		uint16_t qid = sim->sched_q[sf->first + sf->next];

		sf->next = (uint16_t)((sf->next + 1u) % sf->n);
		used += queue_run(sim, qid, quantum - used);
	}
	return used;
}

/*
 * One pass over the active queues: every doorbell is read, then functions are served
 * round-robin, each with a quantum of SIM_FN_QUANTUM descriptors, until SIM_PASS_BUDGET
 * descriptors moved or every function had its turn. The next pass starts at the next
 * function. So one function's busy queues delay the PF's context commands (polled once per
 * pass) by one pass at most, and every function gets its share.
 */
static int
run_queues(struct qdma_sim *sim)
{
	unsigned i, visited, budget = SIM_PASS_BUDGET;
	int work = 0;

	for (i = 0; i < sim->nb_active; i++)
		work |= queue_doorbells(sim, sim->active[i]);
	if (sim->sched_dirty)
		sched_rebuild(sim);
	for (visited = 0; visited < sim->sched_nfn && budget > 0; visited++) {
		struct sim_sched_fn *sf = &sim->sched_fn[sim->sched_cur];
		unsigned used;

		sim->sched_cur = (sim->sched_cur + 1u) % sim->sched_nfn;
		used = sched_fn_run(sim, sf, budget < SIM_FN_QUANTUM ? budget : SIM_FN_QUANTUM);
		budget -= used < budget ? used : budget;
		if (used > 0)
			work = 1;
	}
	return work;
}

/* ---- requests ------------------------------------------------------------------------------- */
static void
vf_remove_all(struct qdma_sim *sim)
{
	unsigned i;

	for (i = QDMA_SIM_VF_FUNC_BASE; i < SIM_NB_FUNCS; i++) {
		struct sim_fn *f = &sim->fn[i];

		if (!f->present)
			continue;
		sim_fn_reset_queues(sim, f->qfn);
		sim_mbox_reset_fn(sim, f);
		f->present = false;
		f->bar = NULL;
		f->stalled = false;
		f->mbox_drop = 0;
		f->mbox_delay_ms = 0;
	}
	sim->numvfs = 0;
	sim_active_rebuild(sim);
}

/* The DMA memory of function @qfn faulted: every queue it owns goes to error (DSC dma). */
static void
fn_fault(struct qdma_sim *sim, unsigned qfn)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sim->nb_q; i++) {
		struct sim_queue *q = &sim->q[i];

		for (int d = 0; d < 2; d++) {
			if (q->ring[d].valid && q->ring[d].fnc == qfn) {
				queue_err(sim, i, d, QDMA_DSC_ERR_DMA);
				n++;
			}
		}
		if (q->cmpt.valid && q->cmpt.fnc == qfn) {
			q->cmpt.err = true;
			q->cmpt.valid = false;
			sim->active_dirty = true;
			n++;
		}
	}
	sim_log(sim, 3, "function %u: its DMA memory faulted: %u rings put in error", qfn, n);
}

static int
inject(struct qdma_sim *sim, unsigned fault, unsigned target, uint32_t count)
{
	unsigned i;

	switch (fault) {
	case QDMA_SIM_FAULT_NONE:
		for (i = 0; i < sim->nb_q; i++)
			sim->q[i].f_rd = sim->q[i].f_wr = sim->q[i].f_bad = 0;
		for (i = 0; i < SIM_NB_FUNCS; i++) {
			sim->fn[i].mbox_drop = 0;
			sim->fn[i].mbox_delay_ms = 0;
			sim->fn[i].stalled = false;
		}
		return 0;
	case QDMA_SIM_FAULT_DMA_READ:
	case QDMA_SIM_FAULT_DMA_WRITE:
	case QDMA_SIM_FAULT_BAD_DESC:
		if (target >= sim->nb_q)
			return -EINVAL;
		if (fault == QDMA_SIM_FAULT_DMA_READ)
			sim->q[target].f_rd = count;
		else if (fault == QDMA_SIM_FAULT_DMA_WRITE)
			sim->q[target].f_wr = count;
		else
			sim->q[target].f_bad = count;
		return 0;
	case QDMA_SIM_FAULT_MBOX_DROP:
	case QDMA_SIM_FAULT_MBOX_DELAY:
	case QDMA_SIM_FAULT_STALL:
		if (target >= SIM_NB_FUNCS)
			return -EINVAL;
		if (fault == QDMA_SIM_FAULT_MBOX_DROP)
			sim->fn[target].mbox_drop = count;
		else if (fault == QDMA_SIM_FAULT_MBOX_DELAY)
			sim->fn[target].mbox_delay_ms = count;
		else
			sim->fn[target].stalled = count != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

void
sim_exec_request(struct qdma_sim *sim, struct sim_req *rq)
{
	unsigned i;

	rq->result = 0;
	switch (rq->type) {
	case SIM_REQ_VF_ADD:
		if (rq->a > sim->cfg.total_vfs || rq->bars == NULL) {
			rq->result = -EINVAL;
			break;
		}
		for (i = 0; i < rq->a; i++) {
			struct sim_fn *f = &sim->fn[QDMA_SIM_VF_FUNC_BASE + i];
			struct qdma_fmap_ctx fm;

			memset(&f->o_target, 0, sizeof(*f) - offsetof(struct sim_fn, o_target));
			f->present = true;
			f->is_vf = true;
			f->qfn = QDMA_SIM_VF_FUNC_BASE + i;
			f->slot = VSLOT_FN_VF(i);
			f->bar = rq->bars[i];
			f->bar_size = QDMA_VF_CONFIG_BAR_SIZE;
			f->i_msg = f->o_msg = false;
			qdma_fmap_ctx_decode(f->fmap_w, &fm);
			f->qbase = fm.qbase;
			f->qmax = fm.qmax;
			sim_regs_init_vf(sim, f);
			sim_mbox_publish(sim, f);
		}
		sim->numvfs = rq->a;
		sim_active_rebuild(sim);
		break;
	case SIM_REQ_VF_REMOVE:
		vf_remove_all(sim);
		break;
	case SIM_REQ_FN_RESET: {
		unsigned qfn = rq->a == VSLOT_FN_PF ? SIM_PF_QFN :
				 QDMA_SIM_VF_FUNC_BASE + VSLOT_FN_VF_INDEX(rq->a);
		struct sim_fn *f = sim_fn_of(sim, qfn);

		if (f != NULL)
			sim_fn_flr(sim, f);
		break;
	}
	case SIM_REQ_PERSONALITY:
		sim_user_reset(sim, (enum qdma_sim_personality)rq->a);
		sim_log(sim, 6, "personality %s loaded",
			qdma_sim_personality_name((enum qdma_sim_personality)rq->a));
		break;
	case SIM_REQ_INJECT:
		rq->result = inject(sim, rq->a, rq->b, rq->c);
		break;
	case SIM_REQ_CALL:
		rq->call(rq->arg);
		break;
	case SIM_REQ_FN_FAULT:
		fn_fault(sim, rq->a == VSLOT_FN_PF ? SIM_PF_QFN :
			QDMA_SIM_VF_FUNC_BASE + VSLOT_FN_VF_INDEX(rq->a));
		break;
	}
}

static void
run_requests(struct qdma_sim *sim)
{
	pthread_mutex_lock(&sim->req_lock);
	while (sim->req_head != NULL) {
		struct sim_req *rq = sim->req_head;

		sim->req_head = rq->next;
		sim_exec_request(sim, rq);
		rq->done = true;
	}
	__atomic_store_n(&sim->req_pending, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&sim->req_cond);
	pthread_mutex_unlock(&sim->req_lock);
}

/* ---- the loop ------------------------------------------------------------------------------- */
static int
poll_vfs(struct qdma_sim *sim)
{
	unsigned n = sim->numvfs, k, budget = n < SIM_FN_POLL_BATCH ? n : SIM_FN_POLL_BATCH;
	int work = 0;

	for (k = 0; k < budget; k++) {
		struct sim_fn *f;

		if (sim->fn_poll_next >= n)
			sim->fn_poll_next = 0;
		f = &sim->fn[QDMA_SIM_VF_FUNC_BASE + sim->fn_poll_next++];
		if (f->present)
			work |= sim_mbox_poll_fn(sim, f);
	}
	return work;
}

/* Background check of the next function (and a full republish once per round). */
static int
scan_step(struct qdma_sim *sim)
{
	unsigned nfn = 1 + sim->numvfs;
	unsigned i = sim->scan_next++ % nfn;
	struct sim_fn *f = &sim->fn[i == 0 ? SIM_PF_QFN : QDMA_SIM_VF_FUNC_BASE + i - 1];

	if (i == 0) {
		sim_regs_republish(sim);
		sim_user_republish(sim);
	}
	return f->present ? sim_scan_fn(sim, f) : 0;
}

static int
engine_once(struct qdma_sim *sim)
{
	int work = 0;

	work |= sim_ctx_poll(sim);
	work |= sim_regs_poll_w1c(sim);
	sim->mm_ctrl[SIM_C2H] = bar_rd(sim->pf_bar, QDMA_C2H_MM_CONTROL(0));
	sim->mm_ctrl[SIM_H2C] = bar_rd(sim->pf_bar, QDMA_H2C_MM_CONTROL(0));
	work |= sim_mbox_poll_fn(sim, &sim->fn[SIM_PF_QFN]);
	if (sim->numvfs > 0)
		work |= poll_vfs(sim);
	if (sim->active_dirty)
		sim_active_rebuild(sim);
	work |= sim_user_poll(sim);
	work |= run_queues(sim);
	return work;
}

static void
engine_sleep(struct qdma_sim *sim, uint32_t ns)
{
	struct timespec ts;

	if (sim->rd != NULL)
		vslot_reader_offline(sim->rd);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += ns;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&sim->req_lock);
	if (!__atomic_load_n(&sim->req_pending, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&sim->stop, __ATOMIC_ACQUIRE))
		pthread_cond_timedwait(&sim->wake_cond, &sim->req_lock, &ts);
	pthread_mutex_unlock(&sim->req_lock);
	if (sim->rd != NULL)
		vslot_reader_online(sim->rd);
	SIM_STAT_ADD(sim->st.sleeps, 1);
}

void *
sim_engine_main(void *arg)
{
	struct qdma_sim *sim = arg;
	uint64_t iter = 0;
	uint32_t idle = 0, sleep_ns = 0;

	if (sim->cfg.engine_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(sim->cfg.engine_cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
			sim_log(sim, 4, "cannot pin the engine to CPU %d", sim->cfg.engine_cpu);
	}
	sim->rd = vslot_reader_register(sim->srv);
	if (sim->rd == NULL)
		sim_log(sim, 4, "no QSBR reader: DMA translation without the reader cache");
	while (!__atomic_load_n(&sim->stop, __ATOMIC_ACQUIRE)) {
		int work;

		if (sim->rd != NULL)
			vslot_reader_quiescent(sim->rd);
		sim->epoch++;
		if (__atomic_load_n(&sim->req_pending, __ATOMIC_ACQUIRE))
			run_requests(sim);
		work = engine_once(sim);
		iter++;
		SIM_STAT_ADD(sim->st.polls, 1);
		if ((iter & (SIM_SCAN_EVERY - 1)) == 0) {
			work |= scan_step(sim);
			work |= sim_mbox_timers(sim);
		}
		if (work) {
			idle = 0;
			sleep_ns = 0;
			continue;
		}
		SIM_STAT_ADD(sim->st.idle_polls, 1);
		if (++idle < SIM_SPIN_IDLE) {
			sim_cpu_relax();
			continue;
		}
		{
			unsigned k;

			for (k = 0; k < 8; k++)
				scan_step(sim);
		}
		sim_mbox_timers(sim);
		sleep_ns = sleep_ns ? sleep_ns * 2 : SIM_SLEEP_MIN_NS;
		if (sleep_ns > SIM_SLEEP_MAX_NS)
			sleep_ns = SIM_SLEEP_MAX_NS;
		engine_sleep(sim, sleep_ns);
	}
	pthread_mutex_lock(&sim->req_lock);
	sim->engine_dead = true;
	pthread_mutex_unlock(&sim->req_lock);
	run_requests(sim);
	if (sim->rd != NULL) {
		vslot_reader_unregister(sim->rd);
		sim->rd = NULL;
	}
	return NULL;
}

/*
 * Stepped mode (cfg.stepped): no engine thread; the caller's thread runs one engine iteration
 * per call. The request lock makes the step and the slot server's requests (run inline in this
 * mode) exclusive. Between steps the QSBR reader is offline, so DMA unmaps never wait for it.
 */
int
qdma_sim_step(struct qdma_sim *sim)
{
	int work;

	if (sim == NULL || !sim->cfg.stepped)
		return -EINVAL;
	pthread_mutex_lock(&sim->req_lock);
	if (sim->rd != NULL)
		vslot_reader_online(sim->rd);
	sim->epoch++;
	work = engine_once(sim);
	SIM_STAT_ADD(sim->st.polls, 1);
	if ((++sim->step_iter & (SIM_STEP_SCAN_EVERY - 1)) == 0) {
		work |= scan_step(sim);
		work |= sim_mbox_timers(sim);
	}
	if (!work)
		SIM_STAT_ADD(sim->st.idle_polls, 1);
	if (sim->rd != NULL)
		vslot_reader_offline(sim->rd);
	pthread_mutex_unlock(&sim->req_lock);
	return work;
}
