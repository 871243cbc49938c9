/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ST data path.
 *
 * RX: the completion ring's status descriptor pidx says how many packets
 * the card finished; each completion entry carries a length, a packet takes
 * as many consecutive C2H buffers as its length needs (chained mbufs); one
 * CMPT_CIDX doorbell per burst; C2H buffers are refilled in bulk with one
 * C2H_PIDX doorbell per refill.
 * TX: one H2C descriptor per segment, one H2C_PIDX doorbell per burst,
 * completed mbufs reclaimed in bulk from the status descriptor's cidx.
 * No locks, no syscalls, no allocation beyond the mempool, no division.
 */
#include <string.h>

#include <rte_cycles.h>
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
prefetch_w_range(const void *base, uint32_t first, uint32_t n, uint32_t esz, uint32_t slots)
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
ring_inc(uint16_t i, uint16_t r)
{
	return (uint16_t)(i + 1 == r - 1 ? 0 : i + 1);
}

static __rte_always_inline uint16_t
ring_dist(uint16_t from, uint16_t to, uint16_t r)
{
	int d = (int)to - (int)from;

	return (uint16_t)(d < 0 ? d + r - 1 : d);
}

/* ------------------------------------------------------------------ RX */

/* data_off, refcnt 1, nb_segs 1, port: one 8-byte store */
static __rte_always_inline void
rearm(struct rte_mbuf *m, uint64_t init)
{
	uintptr_t p = (uintptr_t)&m->rearm_data;

	*(uint64_t *)p = init;
}

/*
 * Post buffers in [pidx, rx_tail - 1) (keeping one slot empty), in bulk,
 * then ring the C2H_PIDX doorbell once.  Returns buffers posted.
 */
static __rte_always_inline unsigned int
rxq_refill(struct qdma_rxq *q, unsigned int min)
{
	uint16_t r = q->r, idx = q->pidx;
	/* posted buffers are [rx_tail, pidx); at most r-2 (one slot stays
	 * empty so that pidx == cidx means "nothing posted") */
	unsigned int free = (unsigned int)(r - 2) - ring_dist(q->rx_tail, q->pidx, r);
	unsigned int n = 0;

	if (free < min || free == 0)
		return 0;
	prefetch_w_range(q->ring, idx, free, sizeof(*q->ring), r - 1u);
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
			idx = ring_inc(idx, r);
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

/* Start: post r-2 buffers (indices 0..r-3), doorbell pidx r-2 by the caller. */
int
qdma_rxq_fill(struct qdma_rxq *q)
{
	unsigned int n = q->r - 2u;

	if (rte_mempool_get_bulk(q->mp, (void **)q->sw_ring, n) < 0) {
		QDMA_LOG(ERR, "rx queue %u: cannot allocate %u mbufs", q->queue_id, n);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++)
		q->ring[i].dst_addr = q->sw_ring[i]->buf_iova + RTE_PKTMBUF_HEADROOM;
	q->sw_ring[n] = NULL;
	q->rx_tail = 0;
	q->pidx = (uint16_t)n;
	return 0;
}

void
qdma_rxq_release_mbufs(struct qdma_rxq *q)
{
	if (q->sw_ring == NULL || q->pidx == q->rx_tail)
		return;
	for (uint16_t i = q->rx_tail; i != q->pidx; i = ring_inc(i, q->r)) {
		if (q->sw_ring[i] != NULL)
			rte_mempool_put(q->mp, q->sw_ring[i]);
		q->sw_ring[i] = NULL;
	}
	q->rx_tail = q->pidx;
}

uint16_t
qdma_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct qdma_rxq *q = rxq;
	uint16_t r = q->r, rc = q->rc, cidx = q->cmpt_cidx, tail = q->rx_tail;
	uint16_t pidx, avail, nb_rx = 0;
	const uint32_t bufsz = q->buf_size, esz = q->esz;
	uint64_t bytes = 0;

	if (unlikely(q->in_error))
		return 0;
	/*
	 * Progress is the status descriptor's pidx, which the card writes once
	 * per batch of completions (as the reference PMD reads it): whole
	 * batches, and no reading of lines the card is still writing.
	 */
	pidx = q->cmpt_status->pidx;
	avail = ring_dist(cidx, pidx, rc);
	if (avail == 0) {
		rxq_refill(q, q->refill_thresh);
		return 0;
	}
	if (avail > nb_pkts)
		avail = nb_pkts;
	if (avail > QDMA_RX_BURST_MAX)
		avail = QDMA_RX_BURST_MAX;
	rte_smp_rmb();   /* entries are read after the status pidx */
	/* the card wrote these lines: fetch them all at once, not one by one */
	for (uint32_t o = 0; o < (uint32_t)avail * esz; o += RTE_CACHE_LINE_SIZE) {
		uint32_t c = cidx + o / esz;

		rte_prefetch0(q->cmpt + (size_t)(c >= (uint32_t)rc - 1 ? c - (rc - 1) : c) * esz);
	}

	for (uint16_t i = 0; i < avail; i++) {
		uint64_t e = *(volatile uint64_t *)(q->cmpt + (size_t)cidx * esz);
		uint32_t len = qdma_cmpt_entry_len(e);
		struct rte_mbuf *first, *last;
		uint32_t left;

		if (unlikely(qdma_cmpt_entry_err(e) || qdma_cmpt_entry_data_frmt(e))) {
			/* the card flagged this packet: stop the queue, as the reference */
			q->in_error = true;
			q->st.errors++;
			break;
		}
		cidx = ring_inc(cidx, rc);
		if (unlikely(!qdma_cmpt_entry_desc_used(e) || len == 0)) {
			q->st.completions++;   /* completion-only entry: no buffer used */
			continue;
		}
		first = q->sw_ring[tail];
		tail = ring_inc(tail, r);
		rte_prefetch0(q->sw_ring[ring_inc(tail, r)]);
		/* mbufs in a pool have next == NULL: only the first cache line
		 * of the header is written */
		rearm(first, q->mbuf_init);
		first->ol_flags = 0;
		first->packet_type = 0;
		first->pkt_len = len;
		first->data_len = (uint16_t)(len < bufsz ? len : bufsz);
		left = len - first->data_len;
		last = first;
		while (unlikely(left > 0)) {
			struct rte_mbuf *seg = q->sw_ring[tail];

			tail = ring_inc(tail, r);
			rearm(seg, q->mbuf_init);
			seg->data_len = (uint16_t)(left < bufsz ? left : bufsz);
			left -= seg->data_len;
			last->next = seg;
			last = seg;
			first->nb_segs++;
		}
		bytes += len;
		pkts[nb_rx++] = first;
	}
	if (cidx != q->cmpt_cidx) {
		q->cmpt_cidx = cidx;
		q->rx_tail = tail;
		q->st.completions += nb_rx;
		/*
		 * The card needs our completion cidx to know the ring has room
		 * (2N+1 entries for N buffers) and to re-arm its status trigger.
		 * Under load, every cmpt_db_thresh completions is plenty and saves
		 * a doorbell (a line the card polls) per burst; whenever we have
		 * caught up with the card, it is told at once, so that light
		 * traffic never waits on a trigger that was not re-armed.
		 */
		if (ring_dist(q->cmpt_db_cidx, cidx, rc) >= q->cmpt_db_thresh) {
			q->cmpt_db_cidx = cidx;
			rte_write32(q->cmpt_db_bits | cidx, q->db_cmpt_cidx);
			q->st.doorbells++;
		}
	}
	q->st.pkts += nb_rx;
	q->st.bytes += bytes;
	rxq_refill(q, q->refill_thresh);
	return nb_rx;
}

/* ------------------------------------------------------------------ TX */

/*
 * Free what the card has consumed: each descriptor slot holds its segment.
 * With MBUF_FAST_FREE (one pool, refcnt 1) they go back to the pool in bulk
 * without being touched.
 */
static __rte_always_inline void
txq_reclaim(struct qdma_txq *q)
{
	uint16_t cidx = q->status->cidx, i = q->cons, r = q->r;
	void *batch[64];
	unsigned int n = 0;

	while (i != cidx) {
		struct rte_mbuf *m = q->sw_ring[i];

		i = ring_inc(i, r);
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

uint16_t
qdma_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct qdma_txq *q = txq;
	uint16_t r = q->r, pidx = q->pidx, nb_tx;
	unsigned int free;
	uint64_t bytes = 0;

	prefetch_w_range(q->ring, pidx, nb_pkts, sizeof(*q->ring), r - 1u);
	/* r-1 usable slots, one kept empty.  Reclaim once QDMA_TX_FREE_THRESH
	 * descriptors are outstanding: reading the status descriptor is a cache
	 * miss (the card wrote it), and small batches of freed mbufs stay in
	 * the mempool cache, where the next RX refill finds them still hot. */
	free = (unsigned int)(r - 2) - ring_dist(q->cons, pidx, r);
	if (ring_dist(q->cons, pidx, r) >= q->free_thresh || free < nb_pkts) {
		txq_reclaim(q);
		free = (unsigned int)(r - 2) - ring_dist(q->cons, pidx, r);
	}
	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		struct rte_mbuf *m = pkts[nb_tx], *seg;
		uint16_t nseg = m->nb_segs;

		if (unlikely(nseg > free)) {
			/* a long chain: see whether the card has made room */
			txq_reclaim(q);
			free = (unsigned int)(r - 2) - ring_dist(q->cons, pidx, r);
			if (nseg > free)
				break;
		}
		free -= nseg;
		if (likely(nseg == 1)) {
			struct qdma_h2c_st_desc v;

			qdma_h2c_st_desc_fill(&v, rte_mbuf_data_iova(m), m->data_len,
				QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
			memcpy(&q->ring[pidx], &v, sizeof(v));
			q->sw_ring[pidx] = m;
			pidx = ring_inc(pidx, r);
			bytes += m->pkt_len;
			continue;
		}
		seg = m;
		for (uint16_t s = 0; s < nseg; s++) {
			struct qdma_h2c_st_desc *d = &q->ring[pidx];
			uint16_t fl = (s == 0 ? QDMA_H2C_ST_F_SOP : 0) |
				(s == nseg - 1 ? QDMA_H2C_ST_F_EOP : 0);

			struct qdma_h2c_st_desc v;

			/* built in registers, stored as one 16-byte write */
			qdma_h2c_st_desc_fill(&v, rte_mbuf_data_iova(seg), seg->data_len, fl);
			memcpy(d, &v, sizeof(v));
			q->sw_ring[pidx] = (struct rte_mbuf *)((uintptr_t)seg | 1);
			pidx = ring_inc(pidx, r);
			seg = seg->next;
		}
		bytes += m->pkt_len;
	}
	if (likely(nb_tx)) {
		if (q->fast_free && q->fast_free_mp == NULL)
			q->fast_free_mp = pkts[0]->pool;
		q->pidx = pidx;
		rte_write32(qdma_db_pidx(pidx, 0), q->db_h2c_pidx);
		q->st.doorbells++;
		q->st.pkts += nb_tx;
		q->st.bytes += bytes;
	}
	return nb_tx;
}

void
qdma_txq_release_mbufs(struct qdma_txq *q)
{
	if (q->sw_ring == NULL)
		return;
	/* segments still owned by the ring: [cons, pidx) */
	for (uint16_t i = q->cons; i != q->pidx; i = ring_inc(i, q->r)) {
		if (q->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg((struct rte_mbuf *)((uintptr_t)q->sw_ring[i] &
				~(uintptr_t)1));
		q->sw_ring[i] = NULL;
	}
	q->cons = q->pidx;
}

/* Wait (bounded) until the card has consumed everything posted. */
int
qdma_txq_drain(struct qdma_txq *q, unsigned int timeout_ms)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;

	while (q->status->cidx != q->pidx) {
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(100);
	}
	txq_reclaim(q);
	return 0;
}
