/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ST data path pieces shared by the scalar burst functions (qdma_rxtx.c) and
 * the vector ones (qdma_rxtx_vec.c): ring arithmetic, RX refill, the start
 * and end of an RX burst, one completion entry, TX reclaim.  Private to the
 * PMD.
 */
#ifndef QDMA_RXTX_H
#define QDMA_RXTX_H

#include <string.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "qdma.h"

/*
 * The card reads descriptor and doorbell lines, so each store to one of them
 * first has to take the line away from the card's core.  Asking for all the
 * lines a burst will write at once (prefetchw; a NOP on CPUs without it)
 * overlaps those transfers instead of paying them one after another.
 */
static __rte_always_inline void
qdma_prefetch_w_range(const void *base, uint32_t first, uint32_t n, uint32_t esz, uint32_t slots)
{
	for (uint32_t i = 0; i < n; i += RTE_CACHE_LINE_SIZE / esz) {
		uint32_t k = first + i;

		if (k >= slots)
			k -= slots;
		__builtin_prefetch((const char *)base + (size_t)k * esz, 1, 3);
	}
}

/* Indices live in [0, r-2]: one step forward / backward with wrap. */
static __rte_always_inline uint16_t
qdma_ring_inc(uint16_t i, uint16_t r)
{
	return (uint16_t)(i + 1 == r - 1 ? 0 : i + 1);
}

static __rte_always_inline uint16_t
qdma_ring_dist(uint16_t from, uint16_t to, uint16_t r)
{
	int d = (int)to - (int)from;

	return (uint16_t)(d < 0 ? d + r - 1 : d);
}

/* ------------------------------------------------------------------ RX */

/* data_off, refcnt 1, nb_segs 1, port: one 8-byte store */
static __rte_always_inline void
qdma_rearm(struct rte_mbuf *m, uint64_t init)
{
	uintptr_t p = (uintptr_t)&m->rearm_data;

	*(uint64_t *)p = init;
}

/*
 * Post buffers in [pidx, rx_tail - 1) (keeping one slot empty), in bulk,
 * then ring the C2H_PIDX doorbell once.  Returns buffers posted.
 */
static __rte_always_inline unsigned int
qdma_rxq_refill(struct qdma_rxq *q, unsigned int min)
{
	uint16_t r = q->r, idx = q->pidx;
	/* posted buffers are [rx_tail, pidx); at most r-2 (one slot stays
	 * empty so that pidx == cidx means "nothing posted") */
	unsigned int free = (unsigned int)(r - 2) - qdma_ring_dist(q->rx_tail, q->pidx, r);
	unsigned int n = 0;

	if (free < min || free == 0)
		return 0;
	qdma_prefetch_w_range(q->ring, idx, free, sizeof(*q->ring), r - 1u);
	/* in contiguous chunks, so that a short pool still refills something */
	while (n < free) {
		unsigned int chunk = RTE_MIN(free - n, (unsigned int)(r - 1 - idx));

		chunk = RTE_MIN(chunk, 64u);
		if (rte_mempool_get_bulk(q->mp, (void **)&q->sw_ring[idx], chunk) < 0) {
			q->nombuf++;
			break;
		}
		for (unsigned int i = 0; i < chunk; i++) {
			/* only the buffer address: the header is written on receive */
			q->ring[idx].dst_addr = q->sw_ring[idx]->buf_iova + RTE_PKTMBUF_HEADROOM;
			idx = qdma_ring_inc(idx, r);
		}
		n += chunk;
	}
	if (n == 0)
		return 0;
	q->pidx = idx;
	rte_write32(qdma_db_pidx(idx, 0), q->db_c2h_pidx);
	q->st.doorbells++;
	return n;
}

/* An RX burst in progress: what the burst functions carry between its steps. */
struct qdma_rx_burst {
	uint16_t cidx;     /**< next completion to read */
	uint16_t tail;     /**< next C2H slot the card fills */
	uint16_t nb_rx;    /**< packets handed out */
	uint16_t avail;    /**< completions to read in this burst */
	uint64_t bytes;
};

/*
 * Start a burst: how many completions the card has finished (its status
 * descriptor's pidx, written once per batch, as the reference PMD reads it:
 * whole batches, and no reading of lines the card is still writing), capped
 * by the caller's room.  Returns false when there is nothing to do.
 */
static __rte_always_inline bool
qdma_rx_burst_begin(struct qdma_rxq *q, uint16_t nb_pkts, struct qdma_rx_burst *b)
{
	uint16_t rc = q->rc, avail;
	const uint32_t esz = q->esz;

	if (unlikely(q->in_error))
		return false;
	b->cidx = q->cmpt_cidx;
	b->tail = q->rx_tail;
	b->nb_rx = 0;
	b->bytes = 0;
	avail = qdma_ring_dist(b->cidx, q->cmpt_status->pidx, rc);
	if (avail == 0) {
		qdma_rxq_refill(q, q->refill_thresh);
		return false;
	}
	if (avail > nb_pkts)
		avail = nb_pkts;
	if (avail > QDMA_RX_BURST_MAX)
		avail = QDMA_RX_BURST_MAX;
	b->avail = avail;
	rte_smp_rmb();   /* entries are read after the status pidx */
	/* the card wrote these lines: fetch them all at once, not one by one */
	for (uint32_t o = 0; o < (uint32_t)avail * esz; o += RTE_CACHE_LINE_SIZE) {
		uint32_t c = b->cidx + o / esz;

		rte_prefetch0(q->cmpt + (size_t)(c >= (uint32_t)rc - 1 ? c - (rc - 1) : c) * esz);
	}
	return true;
}

/*
 * One completion entry at b->cidx: a packet (possibly chained) appended to
 * @pkts, or a completion-only entry.  Returns false when the card flagged
 * the entry: the queue stops, as the reference's does.
 */
static __rte_always_inline bool
qdma_rx_entry(struct qdma_rxq *q, struct qdma_rx_burst *b, struct rte_mbuf **pkts)
{
	uint16_t r = q->r;
	const uint32_t bufsz = q->buf_size;
	uint64_t e = *(volatile uint64_t *)(q->cmpt + (size_t)b->cidx * q->esz);
	uint32_t len = qdma_cmpt_entry_len(e), left;
	struct rte_mbuf *first, *last;

	if (unlikely(qdma_cmpt_entry_err(e) || qdma_cmpt_entry_data_frmt(e))) {
		q->in_error = true;
		q->st.errors++;
		return false;
	}
	b->cidx = qdma_ring_inc(b->cidx, q->rc);
	if (unlikely(!qdma_cmpt_entry_desc_used(e) || len == 0)) {
		q->st.completions++;   /* completion-only entry: no buffer used */
		return true;
	}
	first = q->sw_ring[b->tail];
	b->tail = qdma_ring_inc(b->tail, r);
	rte_prefetch0(q->sw_ring[qdma_ring_inc(b->tail, r)]);
	/* mbufs in a pool have next == NULL: only the first cache line of the
	 * header is written */
	qdma_rearm(first, q->mbuf_init);
	first->ol_flags = 0;
	first->packet_type = 0;
	first->pkt_len = len;
	first->data_len = (uint16_t)(len < bufsz ? len : bufsz);
	left = len - first->data_len;
	last = first;
	while (unlikely(left > 0)) {
		struct rte_mbuf *seg = q->sw_ring[b->tail];

		b->tail = qdma_ring_inc(b->tail, r);
		qdma_rearm(seg, q->mbuf_init);
		seg->data_len = (uint16_t)(left < bufsz ? left : bufsz);
		left -= seg->data_len;
		last->next = seg;
		last = seg;
		first->nb_segs++;
	}
	b->bytes += len;
	pkts[b->nb_rx++] = first;
	return true;
}

/* End a burst: publish the indices, tell the card, refill. */
static __rte_always_inline uint16_t
qdma_rx_burst_end(struct qdma_rxq *q, struct qdma_rx_burst *b)
{
	if (b->cidx != q->cmpt_cidx) {
		q->cmpt_cidx = b->cidx;
		q->rx_tail = b->tail;
		q->st.completions += b->nb_rx;
		/*
		 * The card needs our completion cidx to know the ring has room
		 * (2N+1 entries for N buffers) and to re-arm its status trigger.
		 * Under load, every cmpt_db_thresh completions is plenty and saves
		 * a doorbell (a line the card polls) per burst; whenever we have
		 * caught up with the card, it is told at once, so that light
		 * traffic never waits on a trigger that was not re-armed.
		 */
		if (qdma_ring_dist(q->cmpt_db_cidx, b->cidx, q->rc) >= q->cmpt_db_thresh) {
			q->cmpt_db_cidx = b->cidx;
			rte_write32(q->cmpt_db_bits | b->cidx, q->db_cmpt_cidx);
			q->st.doorbells++;
		}
	}
	q->st.pkts += b->nb_rx;
	q->st.bytes += b->bytes;
	qdma_rxq_refill(q, q->refill_thresh);
	return b->nb_rx;
}

/*
 * Free what the card has consumed: each descriptor slot holds its segment.
 * With MBUF_FAST_FREE (one pool, refcnt 1) they go back to the pool in bulk
 * without being touched.
 */
static __rte_always_inline void
qdma_txq_reclaim(struct qdma_txq *q)
{
	uint16_t cidx = q->status->cidx, i = q->cons, r = q->r;
	void *batch[64];
	unsigned int n = 0;

	while (i != cidx) {
		struct rte_mbuf *m = q->sw_ring[i];

		i = qdma_ring_inc(i, r);
		if (unlikely((uintptr_t)m & 1)) {
			/* a segment of a chain: next must be reset on the way back */
			rte_pktmbuf_free_seg((struct rte_mbuf *)((uintptr_t)m & ~(uintptr_t)1));
		} else if (q->fast_free) {
			batch[n++] = m;
			if (n == RTE_DIM(batch)) {
				rte_mempool_put_bulk(q->fast_free_mp, batch, n);
				n = 0;
			}
		} else {
			rte_pktmbuf_free_seg(m);
		}
	}
	if (n)
		rte_mempool_put_bulk(q->fast_free_mp, batch, n);
	q->cons = i;
}

/* Free TX slots, reclaiming first once free_thresh descriptors are
 * outstanding (see qdma_xmit_pkts). */
static __rte_always_inline unsigned int
qdma_tx_room(struct qdma_txq *q, uint16_t nb_pkts)
{
	uint16_t r = q->r;
	unsigned int used = qdma_ring_dist(q->cons, q->pidx, r);

	if (used >= q->free_thresh || (unsigned int)(r - 2) - used < nb_pkts) {
		qdma_txq_reclaim(q);
		used = qdma_ring_dist(q->cons, q->pidx, r);
	}
	return (unsigned int)(r - 2) - used;
}

/* Ring the H2C doorbell for what was posted up to @pidx. */
static __rte_always_inline void
qdma_tx_post(struct qdma_txq *q, struct rte_mbuf **pkts, uint16_t pidx, uint16_t nb_tx,
	uint64_t bytes)
{
	if (q->fast_free && q->fast_free_mp == NULL)
		q->fast_free_mp = pkts[0]->pool;
	q->pidx = pidx;
	rte_write32(qdma_db_pidx(pidx, 0), q->db_h2c_pidx);
	q->st.doorbells++;
	q->st.pkts += nb_tx;
	q->st.bytes += bytes;
}

#endif /* QDMA_RXTX_H */
