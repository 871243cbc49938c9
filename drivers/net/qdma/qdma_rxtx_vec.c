/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vector ST data path (x86: SSE4.2, or AVX2 where the CPU has it and EAL
 * allows 256-bit vectors) and the choice between it and the scalar one.
 *
 * RX: four completion entries are checked at once (flags and length in one
 * compare each): when all four are plain single-buffer packets, their mbuf
 * pointers are copied out as one block and each mbuf gets two 16-byte
 * stores (rearm data + ol_flags, then type/lengths/VLAN/hash) instead of
 * five narrower ones. Anything else (an error, a chain, a completion-only
 * entry, a ring wrap inside the group) goes through the scalar per-entry
 * code, so both paths deliver exactly the same packets.
 * TX: descriptors are built in vector registers and written with streaming
 * stores (one 16-byte store each, or with AVX2 two descriptors per 32-byte
 * store); sw_ring slots are filled four at a time; chains go the scalar way.
 * The C2H refill uses 32-byte streaming stores too with AVX2 (qdma_rxtx.h
 * says why streaming stores).
 *
 * Chosen at dev_start like DPDK's own drivers: rte_vect_get_max_simd_bitwidth()
 * (EAL --force-max-simd-bitwidth=64 forces scalar) and the CPU flags.
 */
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "qdma_rxtx.h"

#if defined(RTE_ARCH_X86)

#include <immintrin.h>

/* the two 16-byte mbuf stores rely on the header layout */
static_assert(offsetof(struct rte_mbuf, ol_flags) == offsetof(struct rte_mbuf, rearm_data) + 8,
	"ol_flags follows rearm_data");
static_assert(offsetof(struct rte_mbuf, pkt_len) ==
	offsetof(struct rte_mbuf, rx_descriptor_fields1) + 4, "pkt_len at fields1 + 4");
static_assert(offsetof(struct rte_mbuf, data_len) ==
	offsetof(struct rte_mbuf, rx_descriptor_fields1) + 8, "data_len at fields1 + 8");
static_assert(offsetof(struct rte_mbuf, vlan_tci) ==
	offsetof(struct rte_mbuf, rx_descriptor_fields1) + 10, "vlan_tci at fields1 + 10");
static_assert(offsetof(struct rte_mbuf, hash) ==
	offsetof(struct rte_mbuf, rx_descriptor_fields1) + 12, "hash at fields1 + 12");
static_assert(sizeof(struct qdma_h2c_st_desc) == 16, "one H2C descriptor per xmm");

#define QDMA_CMPT_CHECK (QDMA_CMPT_ERR | QDMA_CMPT_DATA_FRMT | QDMA_CMPT_DESC_USED)

/* Header of one received single-buffer packet of @len bytes. */
static __rte_always_inline void
rx_vec_mbuf(struct rte_mbuf *m, __m128i rearm, uint32_t len)
{
	/* packet_type 0, pkt_len, data_len (vlan_tci 0 above it), hash 0 */
	__m128i f = _mm_set_epi32(0, (int)len, (int)len, 0);

	_mm_storeu_si128((__m128i *)(void *)&m->rearm_data, rearm);
	_mm_storeu_si128((__m128i *)(void *)&m->rx_descriptor_fields1, f);
}

/* Four mbufs of a group whose lengths are in @lens. */
static __rte_always_inline void
rx_vec_group(struct qdma_rxq *q, struct qdma_rx_burst *b, struct rte_mbuf **pkts,
	const uint64_t lens[4], __m128i rearm)
{
	struct rte_mbuf **sw = &q->sw_ring[b->tail];

	/* the next group's headers are written next: ask for them now */
	if (b->tail + 8u <= (unsigned int)q->r - 1u) {
		rte_prefetch0(sw[4]);
		rte_prefetch0(sw[5]);
		rte_prefetch0(sw[6]);
		rte_prefetch0(sw[7]);
	}
	_mm_storeu_si128((__m128i *)(void *)&pkts[b->nb_rx],
		_mm_loadu_si128((const __m128i *)(const void *)sw));
	_mm_storeu_si128((__m128i *)(void *)&pkts[b->nb_rx + 2],
		_mm_loadu_si128((const __m128i *)(const void *)&sw[2]));
	rx_vec_mbuf(sw[0], rearm, (uint32_t)lens[0]);
	rx_vec_mbuf(sw[1], rearm, (uint32_t)lens[1]);
	rx_vec_mbuf(sw[2], rearm, (uint32_t)lens[2]);
	rx_vec_mbuf(sw[3], rearm, (uint32_t)lens[3]);
	b->bytes += lens[0] + lens[1] + lens[2] + lens[3];
	b->nb_rx += 4;
	b->cidx += 4;
	if (b->cidx == q->rc - 1)
		b->cidx = 0;
	b->tail += 4;
	if (b->tail == q->r - 1)
		b->tail = 0;
}

/* A group of four may be taken whole: no ring wraps inside it. */
static __rte_always_inline bool
rx_vec_room(const struct qdma_rxq *q, const struct qdma_rx_burst *b, uint16_t i)
{
	return b->avail - i >= 4 && b->cidx + 4u <= (unsigned int)q->rc - 1u &&
	       b->tail + 4u <= (unsigned int)q->r - 1u;
}

/* Plain single-buffer packets: flags say "used a buffer, no error, our
 * format" and 1 <= len <= buffer size.  SSE4.2: two entries per register. */
static __rte_always_inline bool
rx_vec_check_sse(const uint8_t *e, uint64_t bufsz, uint64_t lens[4])
{
	const __m128i chk = _mm_set1_epi64x((long long)QDMA_CMPT_CHECK);
	const __m128i want = _mm_set1_epi64x((long long)QDMA_CMPT_DESC_USED);
	const __m128i lmask = _mm_set1_epi64x((long long)QDMA_CMPT_LEN_WMASK);
	const __m128i zero = _mm_setzero_si128();
	const __m128i lim = _mm_set1_epi64x((long long)bufsz + 1);
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)e);
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(e + 16));
	__m128i la = _mm_and_si128(_mm_srli_epi64(a, QDMA_CMPT_LEN_SHIFT), lmask);
	__m128i lc = _mm_and_si128(_mm_srli_epi64(c, QDMA_CMPT_LEN_SHIFT), lmask);
	__m128i ok = _mm_and_si128(
		_mm_and_si128(_mm_cmpeq_epi64(_mm_and_si128(a, chk), want),
			_mm_cmpeq_epi64(_mm_and_si128(c, chk), want)),
		_mm_and_si128(
			_mm_and_si128(_mm_cmpgt_epi64(la, zero), _mm_cmpgt_epi64(lim, la)),
			_mm_and_si128(_mm_cmpgt_epi64(lc, zero), _mm_cmpgt_epi64(lim, lc))));

	if (_mm_movemask_epi8(ok) != 0xFFFF)
		return false;
	_mm_storeu_si128((__m128i *)(void *)lens, la);
	_mm_storeu_si128((__m128i *)(void *)&lens[2], lc);
	return true;
}

/* The same with one 256-bit register for the four entries. */
static inline __attribute__((target("avx2"))) bool
rx_vec_check_avx2(const uint8_t *e, uint64_t bufsz, uint64_t lens[4])
{
	const __m256i chk = _mm256_set1_epi64x((long long)QDMA_CMPT_CHECK);
	const __m256i want = _mm256_set1_epi64x((long long)QDMA_CMPT_DESC_USED);
	const __m256i lmask = _mm256_set1_epi64x((long long)QDMA_CMPT_LEN_WMASK);
	const __m256i zero = _mm256_setzero_si256();
	const __m256i lim = _mm256_set1_epi64x((long long)bufsz + 1);
	__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)e);
	__m256i l = _mm256_and_si256(_mm256_srli_epi64(v, QDMA_CMPT_LEN_SHIFT), lmask);
	__m256i ok = _mm256_and_si256(_mm256_cmpeq_epi64(_mm256_and_si256(v, chk), want),
		_mm256_and_si256(_mm256_cmpgt_epi64(l, zero), _mm256_cmpgt_epi64(lim, l)));

	if (_mm256_movemask_epi8(ok) != -1)
		return false;
	_mm256_storeu_si256((__m256i *)(void *)lens, l);
	return true;
}

/*
 * One RX burst: groups of four while they are plain, the scalar per-entry
 * code for the rest (and for everything after the first entry that is not).
 */
static __rte_always_inline uint16_t
recv_vec(struct qdma_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, bool avx2)
{
	struct qdma_rx_burst b;
	const __m128i rearm = _mm_set_epi64x(0, (long long)q->mbuf_init);
	uint64_t lens[4] __rte_aligned(32);
	uint16_t i = 0;

	if (!qdma_rx_burst_begin(q, nb_pkts, &b, avx2))
		return 0;
	while (rx_vec_room(q, &b, i)) {
		const uint8_t *e = q->cmpt + (size_t)b.cidx * sizeof(uint64_t);
		bool plain = avx2 ? rx_vec_check_avx2(e, q->buf_size, lens) :
				    rx_vec_check_sse(e, q->buf_size, lens);

		if (!plain)
			break;
		rx_vec_group(q, &b, pkts, lens, rearm);
		i += 4;
	}
	for (; i < b.avail; i++)
		if (!qdma_rx_entry(q, &b, pkts))
			break;
	return qdma_rx_burst_end(q, &b, avx2);
}

static uint16_t
qdma_recv_pkts_sse(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return recv_vec(rxq, pkts, nb_pkts, false);
}

static __attribute__((target("avx2"))) uint16_t
qdma_recv_pkts_avx2(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return recv_vec(rxq, pkts, nb_pkts, true);
}

/*
 * C2H refill with AVX2: four buffer addresses per 32-byte streaming store
 * (two per line), the unaligned head and tail one by one.
 */
__attribute__((target("avx2"))) void
qdma_c2h_fill_avx2(struct qdma_rxq *q, uint16_t idx, unsigned int n)
{
	struct rte_mbuf **sw = q->sw_ring;
	unsigned int i = 0;

	for (; i < n && ((idx + i) & 3u) != 0; i++)
		qdma_c2h_desc_put(&q->ring[idx + i], sw[idx + i]->buf_iova + RTE_PKTMBUF_HEADROOM);
	for (; i + 4 <= n; i += 4) {
		struct rte_mbuf **m = &sw[idx + i];
		uintptr_t a = (uintptr_t)&q->ring[idx + i];   /* 32-byte aligned */
		__m256i v = _mm256_set_epi64x(
			(long long)(m[3]->buf_iova + RTE_PKTMBUF_HEADROOM),
			(long long)(m[2]->buf_iova + RTE_PKTMBUF_HEADROOM),
			(long long)(m[1]->buf_iova + RTE_PKTMBUF_HEADROOM),
			(long long)(m[0]->buf_iova + RTE_PKTMBUF_HEADROOM));

		_mm256_stream_si256((__m256i *)a, v);
	}
	for (; i < n; i++)
		qdma_c2h_desc_put(&q->ring[idx + i], sw[idx + i]->buf_iova + RTE_PKTMBUF_HEADROOM);
}

/*
 * Descriptors are built in registers from two words each (bytes 0-7, then
 * the address): a struct filled on the stack and loaded back as a vector
 * cannot be forwarded from the narrower stores and stalls every load
 * (~400 cycles in a burst of 32 on the bench machine).
 */
static __rte_always_inline long long
tx_vec_w0(const struct rte_mbuf *m)
{
	return (long long)qdma_h2c_st_desc_word0(m->data_len, QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
}

static __rte_always_inline long long
tx_vec_addr(const struct rte_mbuf *m)
{
	return (long long)rte_mbuf_data_iova(m);
}

/* H2C descriptor of a single-segment packet, in a register. */
static __rte_always_inline __m128i
tx_vec_desc(const struct rte_mbuf *m)
{
	return _mm_set_epi64x(tx_vec_addr(m), tx_vec_w0(m));
}

/* Four descriptors at ring[pidx], one 16-byte streaming store each. */
static __rte_always_inline void
tx_vec_store4_sse(struct qdma_h2c_st_desc *d, struct rte_mbuf **m)
{
	uintptr_t a = (uintptr_t)d;   /* 16-byte aligned: 4 KiB ring */

	_mm_stream_si128((__m128i *)a, tx_vec_desc(m[0]));
	_mm_stream_si128((__m128i *)(a + 16), tx_vec_desc(m[1]));
	_mm_stream_si128((__m128i *)(a + 32), tx_vec_desc(m[2]));
	_mm_stream_si128((__m128i *)(a + 48), tx_vec_desc(m[3]));
}

/* The same with two 32-byte stores (pidx even: 32-byte aligned). */
static inline __attribute__((target("avx2"))) void
tx_vec_store4_avx2(struct qdma_h2c_st_desc *d, struct rte_mbuf **m)
{
	uintptr_t a = (uintptr_t)d;

	_mm256_stream_si256((__m256i *)a, _mm256_set_epi64x(tx_vec_addr(m[1]), tx_vec_w0(m[1]),
		tx_vec_addr(m[0]), tx_vec_w0(m[0])));
	_mm256_stream_si256((__m256i *)(a + 32), _mm256_set_epi64x(tx_vec_addr(m[3]),
		tx_vec_w0(m[3]), tx_vec_addr(m[2]), tx_vec_w0(m[2])));
}

static __rte_always_inline uint16_t
xmit_vec(struct qdma_txq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, bool avx2)
{
	uint16_t r = q->r, pidx = q->pidx, nb_tx = 0, n;
	uint64_t bytes = 0;

	n = (uint16_t)RTE_MIN((unsigned int)nb_pkts, qdma_tx_room(q, nb_pkts));
	/* AVX2 stores two descriptors at once: start on an even slot */
	if (avx2 && (pidx & 1u) && n > 0 && pkts[0]->nb_segs == 1) {
		qdma_h2c_desc_put(&q->ring[pidx], rte_mbuf_data_iova(pkts[0]),
			pkts[0]->data_len, QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
		q->sw_ring[pidx] = pkts[0];
		bytes += pkts[0]->pkt_len;
		pidx = qdma_ring_inc(pidx, r);
		nb_tx = 1;
	}
	/* four single-segment packets at a time, while no wrap falls inside */
	while (n - nb_tx >= 4 && pidx + 4u <= (unsigned int)r - 1u && !(avx2 && (pidx & 1u))) {
		struct rte_mbuf **m = &pkts[nb_tx];

		if ((m[0]->nb_segs | m[1]->nb_segs | m[2]->nb_segs | m[3]->nb_segs) != 1)
			break;
		if (avx2)
			tx_vec_store4_avx2(&q->ring[pidx], m);
		else
			tx_vec_store4_sse(&q->ring[pidx], m);
		_mm_storeu_si128((__m128i *)(void *)&q->sw_ring[pidx],
			_mm_loadu_si128((const __m128i *)(const void *)m));
		_mm_storeu_si128((__m128i *)(void *)&q->sw_ring[pidx + 2],
			_mm_loadu_si128((const __m128i *)(const void *)&m[2]));
		bytes += (uint64_t)m[0]->pkt_len + m[1]->pkt_len + m[2]->pkt_len + m[3]->pkt_len;
		pidx += 4;
		if (pidx == r - 1)
			pidx = 0;
		nb_tx += 4;
	}
	/* single-segment packets of the tail (or across the wrap) one by one */
	for (; nb_tx < n && pkts[nb_tx]->nb_segs == 1; nb_tx++) {
		qdma_h2c_desc_put(&q->ring[pidx], rte_mbuf_data_iova(pkts[nb_tx]),
			pkts[nb_tx]->data_len, QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
		q->sw_ring[pidx] = pkts[nb_tx];
		bytes += pkts[nb_tx]->pkt_len;
		pidx = qdma_ring_inc(pidx, r);
	}
	if (nb_tx)
		qdma_tx_post(q, pkts, pidx, nb_tx, bytes);
	/* a chain: the scalar path takes it and what follows it */
	if (unlikely(nb_tx < nb_pkts && pkts[nb_tx]->nb_segs != 1))
		nb_tx = (uint16_t)(nb_tx + qdma_xmit_pkts(q, &pkts[nb_tx],
						       (uint16_t)(nb_pkts - nb_tx)));
	return nb_tx;
}

static uint16_t
qdma_xmit_pkts_vec(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return xmit_vec(txq, pkts, nb_pkts, false);
}

static __attribute__((target("avx2"))) uint16_t
qdma_xmit_pkts_avx2(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return xmit_vec(txq, pkts, nb_pkts, true);
}

#endif /* RTE_ARCH_X86 */

static const char *
path_name(eth_rx_burst_t rx, eth_tx_burst_t tx)
{
#if defined(RTE_ARCH_X86)
	if (rx == qdma_recv_pkts_avx2 || tx == qdma_xmit_pkts_avx2)
		return "Vector AVX2";
	if (rx == qdma_recv_pkts_sse || tx == qdma_xmit_pkts_vec)
		return "Vector SSE4.2";
#endif
	RTE_SET_USED(rx);
	RTE_SET_USED(tx);
	return "Scalar";
}

/* Vector RX needs 8-byte completion entries (one per 64-bit lane). */
static bool
rx_vec_usable(const struct rte_eth_dev *dev)
{
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct qdma_rxq *q = dev->data->rx_queues[i];

		if (q != NULL && q->esz != sizeof(uint64_t))
			return false;
	}
	return true;
}

void
qdma_set_burst_functions(struct rte_eth_dev *dev)
{
	dev->rx_pkt_burst = qdma_recv_pkts;
	dev->tx_pkt_burst = qdma_xmit_pkts;
#if defined(RTE_ARCH_X86)
	{
		uint16_t bw = rte_vect_get_max_simd_bitwidth();

		if (bw < RTE_VECT_SIMD_128 || !rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2))
			goto out;
		bool avx2 = bw >= RTE_VECT_SIMD_256 && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2);

		dev->tx_pkt_burst = avx2 ? qdma_xmit_pkts_avx2 : qdma_xmit_pkts_vec;
		if (!rx_vec_usable(dev))
			goto out;
		dev->rx_pkt_burst = avx2 ? qdma_recv_pkts_avx2 : qdma_recv_pkts_sse;
	}
out:
#endif
	QDMA_LOG(INFO, "port %u: RX %s, TX %s", dev->data->port_id,
		path_name(dev->rx_pkt_burst, NULL), path_name(NULL, dev->tx_pkt_burst));
}

int
qdma_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	RTE_SET_USED(qid);
	snprintf(mode->info, sizeof(mode->info), "%s", path_name(dev->rx_pkt_burst, NULL));
	return 0;
}

int
qdma_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	RTE_SET_USED(qid);
	snprintf(mode->info, sizeof(mode->info), "%s", path_name(NULL, dev->tx_pkt_burst));
	return 0;
}
