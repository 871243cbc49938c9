/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ST data path.
 *
 * RX: the completion ring's status descriptor pidx says how many packets
 * the card finished; each completion entry carries a length, a packet takes
 * as many consecutive C2H buffers as its length needs (chained mbufs); a
 * CMPT_CIDX doorbell every cmpt_db_thresh completions; C2H buffers are
 * refilled in bulk, in whole cache lines, with one C2H_PIDX doorbell per
 * refill.
 * TX: one H2C descriptor per segment, one H2C_PIDX doorbell per burst,
 * completed mbufs reclaimed in bulk from the status descriptor's cidx.
 * Descriptors are written with streaming stores (qdma_rxtx.h says why).
 * No locks, no syscalls, no allocation beyond the mempool, no division.
 */
#include <rte_cycles.h>

#include "qdma_rxtx.h"

/* ------------------------------------------------------------------ RX */

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
	for (uint16_t i = q->rx_tail; i != q->pidx; i = qdma_ring_inc(i, q->r)) {
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
	struct qdma_rx_burst b;

	if (!qdma_rx_burst_begin(q, nb_pkts, &b, false))
		return 0;
	for (uint16_t i = 0; i < b.avail; i++)
		if (!qdma_rx_entry(q, &b, pkts))
			break;
	return qdma_rx_burst_end(q, &b, false);
}

/* ------------------------------------------------------------------ TX */

uint16_t
qdma_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct qdma_txq *q = txq;
	uint16_t r = q->r, pidx = q->pidx, nb_tx;
	unsigned int free;
	uint64_t bytes = 0;

	/* r-1 usable slots, one kept empty.  Reclaim once QDMA_TX_FREE_THRESH
	 * descriptors are outstanding: reading the status descriptor is a cache
	 * miss (the card wrote it), and small batches of freed mbufs stay in
	 * the mempool cache, where the next RX refill finds them still hot. */
	free = qdma_tx_room(q, nb_pkts);
	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		struct rte_mbuf *m = pkts[nb_tx], *seg;
		uint16_t nseg = m->nb_segs;

		if (unlikely(nseg > free)) {
			/* a long chain: see whether the card has made room */
			qdma_txq_reclaim(q);
			free = (unsigned int)(r - 2) - qdma_ring_dist(q->cons, pidx, r);
			if (nseg > free)
				break;
		}
		free -= nseg;
		if (likely(nseg == 1)) {
			qdma_h2c_desc_put(&q->ring[pidx], rte_mbuf_data_iova(m), m->data_len,
				QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
			q->sw_ring[pidx] = m;
			pidx = qdma_ring_inc(pidx, r);
			bytes += m->pkt_len;
			continue;
		}
		seg = m;
		for (uint16_t s = 0; s < nseg; s++) {
			uint16_t fl = (s == 0 ? QDMA_H2C_ST_F_SOP : 0) |
				(s == nseg - 1 ? QDMA_H2C_ST_F_EOP : 0);

			qdma_h2c_desc_put(&q->ring[pidx], rte_mbuf_data_iova(seg), seg->data_len, fl);
			q->sw_ring[pidx] = (struct rte_mbuf *)((uintptr_t)seg | 1);
			pidx = qdma_ring_inc(pidx, r);
			seg = seg->next;
		}
		bytes += m->pkt_len;
	}
	if (likely(nb_tx))
		qdma_tx_post(q, pkts, pidx, nb_tx, bytes);
	return nb_tx;
}

void
qdma_txq_release_mbufs(struct qdma_txq *q)
{
	if (q->sw_ring == NULL)
		return;
	/* segments still owned by the ring: [cons, pidx) */
	for (uint16_t i = q->cons; i != q->pidx; i = qdma_ring_inc(i, q->r)) {
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
	qdma_txq_reclaim(q);
	return 0;
}
