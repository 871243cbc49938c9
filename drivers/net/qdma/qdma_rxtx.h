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

#include <rte_atomic.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#if defined(RTE_ARCH_X86)
#include <immintrin.h>
#endif

#include "qdma.h"

/*
 * Descriptor stores.  The card's engine reads the descriptor rings from
 * another core, so every ring line we write was read by it one lap before
 * and sits in its cache: an ordinary store first has to take the line back,
 * and since stores leave the core in order, the lines of a burst are taken
 * back one after another (the 8 H2C lines of a 32-packet burst cost ~1,500
 * cycles on the bench machine, half the burst).  Streaming stores need no
 * ownership: each line fills a write-combining buffer and goes out whole.
 * qdma_desc_publish() orders them before the doorbell that hands them over.
 */
static __rte_always_inline void
qdma_h2c_desc_put(struct qdma_h2c_st_desc *d, uint64_t src, uint16_t len, uint16_t flags)
{
#if defined(RTE_ARCH_X86_64)
	/* built in a register: going through a struct on the stack makes the
	 * 16-byte load wait for two 8-byte stores (no store forwarding) */
	uintptr_t a = (uintptr_t)d;   /* 16-byte aligned: 4 KiB ring */

	_mm_stream_si128((__m128i *)a,
		_mm_set_epi64x((long long)src, (long long)qdma_h2c_st_desc_word0(len, flags)));
#else
	struct qdma_h2c_st_desc v;

	qdma_h2c_st_desc_fill(&v, src, len, flags);
	memcpy(d, &v, sizeof(v));
#endif
}

static __rte_always_inline void
qdma_c2h_desc_put(struct qdma_c2h_st_desc *d, uint64_t addr)
{
#if defined(RTE_ARCH_X86_64)
	uintptr_t a = (uintptr_t)d;

	_mm_stream_si64((long long *)a, (long long)addr);
#else
	d->dst_addr = addr;
#endif
}

#if defined(RTE_ARCH_X86)
/* qdma_rxtx_vec.c (AVX2): the same as qdma_c2h_fill() with 32-byte streaming stores. */
void qdma_c2h_fill_avx2(struct qdma_rxq *q, uint16_t idx, unsigned int n);
#endif

/* Post the buffers of sw_ring[idx, idx + n) (no wrap inside) in the C2H ring. */
static __rte_always_inline void
qdma_c2h_fill(struct qdma_rxq *q, uint16_t idx, unsigned int n, bool wide)
{
#if defined(RTE_ARCH_X86)
	if (wide) {
		qdma_c2h_fill_avx2(q, idx, n);
		return;
	}
#else
	RTE_SET_USED(wide);
#endif
	for (unsigned int i = 0; i < n; i++)
		qdma_c2h_desc_put(&q->ring[idx + i],
			q->sw_ring[idx + i]->buf_iova + RTE_PKTMBUF_HEADROOM);
}

/* Descriptors written before this are visible before any later store (the doorbell). */
static __rte_always_inline void
qdma_desc_publish(void)
{
	rte_wmb();
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
 * then ring the C2H_PIDX doorbell once.  The new pidx is put on a cache-line
 * boundary (a few slots stay for the next refill), so the card never reads
 * a line we write again later.  @wide: AVX2 stores.  Returns buffers posted.
 */
static __rte_always_inline unsigned int
qdma_rxq_refill(struct qdma_rxq *q, unsigned int min, bool wide)
{
	const unsigned int per_line = RTE_CACHE_LINE_SIZE / sizeof(struct qdma_c2h_st_desc);
	uint16_t r = q->r, idx = q->pidx;
	/* posted buffers are [rx_tail, pidx); at most r-2 (one slot stays
	 * empty so that pidx == cidx means "nothing posted") */
	unsigned int free = (unsigned int)(r - 2) - qdma_ring_dist(q->rx_tail, q->pidx, r);
	unsigned int n = 0, end;

	if (free < min || free == 0)
		return 0;
	end = idx + free;
	if (end >= r - 1u)
		end -= r - 1u;
	if ((r - 1u) % per_line == 0 && free > end % per_line)
		free -= end % per_line;
	/* in contiguous chunks, so that a short pool still refills something */
	while (n < free) {
		unsigned int chunk = RTE_MIN(free - n, (unsigned int)(r - 1 - idx));

		chunk = RTE_MIN(chunk, 64u);
		if (rte_mempool_get_bulk(q->mp, (void **)&q->sw_ring[idx], chunk) < 0) {
			q->nombuf++;
			break;
		}
		/* only the buffer addresses: the headers are written on receive */
		qdma_c2h_fill(q, idx, chunk, wide);
		idx = (uint16_t)(idx + chunk == r - 1u ? 0 : idx + chunk);
		n += chunk;
	}
	if (n == 0)
		return 0;
	q->pidx = idx;
	qdma_desc_publish();
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
 * (Requesting the entry lines before the status, so that the two misses
 * overlap, saves ~100 cycles of a burst but pulls the lines the card is
 * writing at every empty poll: the card's stores then bounce, and its
 * throughput fell by ~40 %; see README "Performance".)
 */
static __rte_always_inline bool
qdma_rx_burst_begin(struct qdma_rxq *q, uint16_t nb_pkts, struct qdma_rx_burst *b, bool wide)
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
		qdma_rxq_refill(q, q->refill_thresh, wide);
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
qdma_rx_burst_end(struct qdma_rxq *q, struct qdma_rx_burst *b, bool wide)
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
	qdma_rxq_refill(q, q->refill_thresh, wide);
	return b->nb_rx;
}

/*
 * Free what the card has consumed: each descriptor slot holds its segment
 * (the segments of a chain tagged in bit 0: next must be reset on the way
 * back).  With MBUF_FAST_FREE (one pool, refcnt 1) plain ones go back to
 * the pool in bulk, straight from the ring's slots, without being touched
 * (a copy to a local array first would be reloaded wider than it was
 * stored, which the CPU cannot forward from its store buffer).
 */
static __rte_always_inline void
qdma_txq_reclaim(struct qdma_txq *q)
{
	uint16_t cidx = q->status->cidx, i = q->cons, r = q->r;
	struct rte_mbuf **sw = q->sw_ring;

	if (unlikely(cidx > r - 2))
		return;   /* not an index of this ring: nothing is taken as done */
	while (i != cidx) {
		/* up to cidx or the end of the ring, whichever comes first */
		uint16_t end = cidx > i ? cidx : r - 1, j = i;

		if (q->fast_free) {
			while (j != end && !((uintptr_t)sw[j] & 1))
				j++;
			if (j != i)
				rte_mempool_put_bulk(q->fast_free_mp, (void **)&sw[i], j - i);
			if (j != end) {
				rte_pktmbuf_free_seg((struct rte_mbuf *)((uintptr_t)sw[j] & ~(uintptr_t)1));
				j++;
			}
		} else {
			for (; j != end; j++)
				rte_pktmbuf_free_seg(
					(struct rte_mbuf *)((uintptr_t)sw[j] & ~(uintptr_t)1));
		}
		i = j == r - 1 ? 0 : j;
	}
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
	qdma_desc_publish();
	rte_write32(qdma_db_pidx(pidx, 0), q->db_h2c_pidx);
	q->st.doorbells++;
	q->st.pkts += nb_tx;
	q->st.bytes += bytes;
}

#endif /* QDMA_RXTX_H */
