/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Descriptor, status-descriptor and completion-entry formats, and ring geometry
 * (qdma-reference.md section 3). All layouts are little-endian; big-endian hosts are unsupported.
 *
 * @par Ring geometry (3.1)
 * A ring configured with rngsz_idx has R = GLBL_RNG_SZ[idx] entries. Entries 0..R-2 carry
 * descriptors (or completion entries); entry R-1 is the status ("writeback") descriptor written by
 * the hardware. Producer and consumer indices live in [0, R-2] and wrap from R-2 to 0. Software
 * never fills the last free slot, so at most R-2 entries are outstanding and pidx == cidx always
 * means empty. Rings are 4 KiB aligned.
 */
#ifndef QDMA_HW_DESC_H
#define QDMA_HW_DESC_H

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "QDMA layouts are little-endian");

/* ============================================================================================ */
/** @name Descriptor size codes (SW ctxt desc_sz) @{ */
enum qdma_desc_sz {
	QDMA_DESC_SZ_8B = 0,  /**< C2H stream descriptor */
	QDMA_DESC_SZ_16B = 1, /**< H2C stream descriptor */
	QDMA_DESC_SZ_32B = 2, /**< memory-mapped descriptor */
	QDMA_DESC_SZ_64B = 3, /**< bypass only */
};
/** @} */

/** Bytes of a descriptor of size code @p sz (0..3): 8 << sz. */
static inline uint32_t
qdma_desc_sz_bytes(unsigned sz)
{
	return 8u << (sz & 3u);
}

/** Size code for @p bytes (8/16/32/64), or -1. */
static inline int
qdma_desc_sz_from_bytes(uint32_t bytes)
{
	switch (bytes) {
	case 8:
		return QDMA_DESC_SZ_8B;
	case 16:
		return QDMA_DESC_SZ_16B;
	case 32:
		return QDMA_DESC_SZ_32B;
	case 64:
		return QDMA_DESC_SZ_64B;
	default:
		return -1;
	}
}

/** @name CMPT entry size codes (CMPT ctxt desc_sz, descq_conf cmpt_desc_sz) @{ */
enum qdma_cmpt_sz {
	QDMA_CMPT_SZ_8B = 0,
	QDMA_CMPT_SZ_16B = 1,
	QDMA_CMPT_SZ_32B = 2,
	QDMA_CMPT_SZ_64B = 3,
};
/** @} */

/** Bytes of a completion entry of size code @p sz (0..3): 8 << sz. */
static inline uint32_t
qdma_cmpt_sz_bytes(unsigned sz)
{
	return 8u << (sz & 3u);
}

/** CMPT size code for @p bytes (8/16/32/64), or -1. */
static inline int
qdma_cmpt_sz_from_bytes(uint32_t bytes)
{
	return qdma_desc_sz_from_bytes(bytes);
}

/* ============================================================================================ */
/** @name H2C stream descriptor flags (example design) @{ */
#define QDMA_H2C_ST_F_SOP 0x1u /**< start of packet */
#define QDMA_H2C_ST_F_EOP 0x2u /**< end of packet */
/** @} */

/** H2C stream descriptor, 16 bytes, desc_sz = 1 (3.2). */
struct qdma_h2c_st_desc {
	uint16_t cdh_flags; /**< bytes 0-1: metadata[15:0] (driver writes 0) */
	uint16_t pld_len;   /**< bytes 2-3: metadata[31:16] (= len, example-design field) */
	uint16_t len;       /**< bytes 4-5: length in bytes */
	uint16_t flags;     /**< bytes 6-7: QDMA_H2C_ST_F_SOP / _EOP */
	uint64_t src_addr;  /**< bytes 8-15: host IOVA */
} __attribute__((packed));
_Static_assert(sizeof(struct qdma_h2c_st_desc) == 16, "H2C ST descriptor is 16 B");
_Static_assert(offsetof(struct qdma_h2c_st_desc, len) == 4, "H2C ST len at byte 4");
_Static_assert(offsetof(struct qdma_h2c_st_desc, src_addr) == 8, "H2C ST src at byte 8");

/** Fill an H2C stream descriptor (cdh_flags 0, pld_len = len). */
static inline void
qdma_h2c_st_desc_fill(struct qdma_h2c_st_desc *d, uint64_t src, uint16_t len, uint16_t flags)
{
	d->cdh_flags = 0;
	d->pld_len = len;
	d->len = len;
	d->flags = flags;
	d->src_addr = src;
}

/**
 * Bytes 0-7 of the same descriptor as one little-endian word (hosts are
 * little-endian, 3.1): cdh_flags 0, pld_len = len, len, flags; bytes 8-15
 * are the source address.  For data paths that build descriptors in
 * registers.
 */
static inline uint64_t
qdma_h2c_st_desc_word0(uint16_t len, uint16_t flags)
{
	return ((uint64_t)len << 16) | ((uint64_t)len << 32) | ((uint64_t)flags << 48);
}

/** C2H stream descriptor, 8 bytes, desc_sz = 0 (3.3); buffer size comes from C2H_BUF_SZ. */
struct qdma_c2h_st_desc {
	uint64_t dst_addr; /**< host IOVA of the buffer */
} __attribute__((packed));
_Static_assert(sizeof(struct qdma_c2h_st_desc) == 8, "C2H ST descriptor is 8 B");

/** @name Memory-mapped descriptor control word (bytes 8-11) @{ */
#define QDMA_MM_DESC_LEN_MASK 0x0FFFFFFFu /**< [27:0] length */
#define QDMA_MM_DESC_DV (1u << 28)        /**< descriptor valid */
#define QDMA_MM_DESC_SOP (1u << 29)
#define QDMA_MM_DESC_EOP (1u << 30)
#define QDMA_MM_DESC_LEN_MAX QDMA_MM_DESC_LEN_MASK
/** @} */

/** Memory-mapped descriptor, 32 bytes, desc_sz = 2 (3.4). */
struct qdma_mm_desc {
	uint64_t src_addr; /**< bytes 0-7: H2C host / C2H card address */
	uint32_t ctl;      /**< bytes 8-11: len [27:0], dv [28], sop [29], eop [30] */
	uint32_t rsvd0;    /**< bytes 12-15 */
	uint64_t dst_addr; /**< bytes 16-23: H2C card / C2H host address */
	uint64_t rsvd1;    /**< bytes 24-31 */
} __attribute__((packed));
_Static_assert(sizeof(struct qdma_mm_desc) == 32, "MM descriptor is 32 B");
_Static_assert(offsetof(struct qdma_mm_desc, ctl) == 8, "MM ctl at byte 8");
_Static_assert(offsetof(struct qdma_mm_desc, dst_addr) == 16, "MM dst at byte 16");

/** MM control word from its fields (len masked to 28 bits). */
static inline uint32_t
qdma_mm_desc_ctl(uint32_t len, int dv, int sop, int eop)
{
	return (len & QDMA_MM_DESC_LEN_MASK) | (dv ? QDMA_MM_DESC_DV : 0u) |
	       (sop ? QDMA_MM_DESC_SOP : 0u) | (eop ? QDMA_MM_DESC_EOP : 0u);
}

/** Fill an MM descriptor the way the PMD does (dv = sop = eop = 1). */
static inline void
qdma_mm_desc_fill(struct qdma_mm_desc *d, uint64_t src, uint64_t dst, uint32_t len)
{
	d->src_addr = src;
	d->ctl = qdma_mm_desc_ctl(len, 1, 1, 1);
	d->rsvd0 = 0;
	d->dst_addr = dst;
	d->rsvd1 = 0;
}

/** Length of an MM descriptor. */
static inline uint32_t
qdma_mm_desc_len(const struct qdma_mm_desc *d)
{
	return d->ctl & QDMA_MM_DESC_LEN_MASK;
}

/* ============================================================================================ */
/** @name Status descriptor rsvd word (CMPT rings only) @{ */
#define QDMA_STATUS_COLOR (1u << 0)     /**< byte 4 bit 0: color */
#define QDMA_STATUS_INT_ST_SHIFT 1      /**< byte 4 bits [2:1]: interrupt state (UNSURE) */
#define QDMA_STATUS_INT_ST_WMASK 0x3u
/** @} */

/**
 * Status ("writeback") descriptor, 8 bytes at entry R-1 of a ring (3.5).
 * Descriptor rings: pidx, cidx = HW consumer index. CMPT rings: pidx = HW producer index, cidx =
 * last SW CIDX, @c rsvd bit 0 color, bits [2:1] interrupt state.
 */
struct qdma_status_desc {
	uint16_t pidx; /**< bytes 0-1 */
	uint16_t cidx; /**< bytes 2-3 */
	uint32_t rsvd; /**< bytes 4-7 */
} __attribute__((packed));
_Static_assert(sizeof(struct qdma_status_desc) == 8, "status descriptor is 8 B");

/** Color bit of a CMPT status descriptor. */
static inline unsigned
qdma_status_color(const struct qdma_status_desc *s)
{
	return s->rsvd & QDMA_STATUS_COLOR;
}

/** Interrupt state of a CMPT status descriptor. */
static inline unsigned
qdma_status_int_st(const struct qdma_status_desc *s)
{
	return (s->rsvd >> QDMA_STATUS_INT_ST_SHIFT) & QDMA_STATUS_INT_ST_WMASK;
}

/* ============================================================================================ */
/**
 * @name C2H completion entry, first 64-bit word (3.6, example-design format)
 * Bits above [19:4] (and any further bytes of a 16/32/64 B entry) are user data. With
 * desc_used = 0 ("immediate data") everything above bit 3 is user data.
 * @{
 */
#define QDMA_CMPT_DATA_FRMT (1ull << 0) /**< 1 = user format (PMD treats as error) */
#define QDMA_CMPT_COLOR (1ull << 1)     /**< ring color, flips on each wrap */
#define QDMA_CMPT_ERR (1ull << 2)       /**< C2H engine hit a descriptor error */
#define QDMA_CMPT_DESC_USED (1ull << 3) /**< entry consumed C2H descriptors */
#define QDMA_CMPT_LEN_SHIFT 4           /**< [19:4] packet length */
#define QDMA_CMPT_LEN_WMASK 0xFFFFull
#define QDMA_CMPT_USER_SHIFT 20 /**< [63:20]: reserved/user bits (Linux: [20] EOT, [21] user irq) */
/** @} */

/** First qword of a completion entry (data_frmt = 0, no user bits). */
static inline uint64_t
qdma_cmpt_entry_make(unsigned color, unsigned err, unsigned desc_used, uint16_t len)
{
	return (color ? QDMA_CMPT_COLOR : 0) | (err ? QDMA_CMPT_ERR : 0) |
	       (desc_used ? QDMA_CMPT_DESC_USED : 0) | ((uint64_t)len << QDMA_CMPT_LEN_SHIFT);
}

/** data_frmt bit. */
static inline unsigned
qdma_cmpt_entry_data_frmt(uint64_t q)
{
	return (unsigned)(q & 1u);
}

/** color bit. */
static inline unsigned
qdma_cmpt_entry_color(uint64_t q)
{
	return (unsigned)((q >> 1) & 1u);
}

/** err bit. */
static inline unsigned
qdma_cmpt_entry_err(uint64_t q)
{
	return (unsigned)((q >> 2) & 1u);
}

/** desc_used bit. */
static inline unsigned
qdma_cmpt_entry_desc_used(uint64_t q)
{
	return (unsigned)((q >> 3) & 1u);
}

/** Packet length [19:4]. */
static inline uint16_t
qdma_cmpt_entry_len(uint64_t q)
{
	return (uint16_t)((q >> QDMA_CMPT_LEN_SHIFT) & QDMA_CMPT_LEN_WMASK);
}

/** Maximum C2H descriptors one completion may span in the example design. */
#define QDMA_CMPT_MAX_DESCS_PER_PKT 7u

/* ============================================================================================ */
/**
 * @name Interrupt-aggregation ring entry (3.7, kernel generic layout; UNSURE for QDMA3.1,
 * not used by DPDK)
 * @{
 */
#define QDMA_INTR_ENTRY_PIDX_SHIFT 0       /**< [15:0] */
#define QDMA_INTR_ENTRY_CIDX_SHIFT 16      /**< [31:16] */
#define QDMA_INTR_ENTRY_SRC_COLOR_SHIFT 32 /**< [32] */
#define QDMA_INTR_ENTRY_INT_ST_SHIFT 33    /**< [34:33] */
#define QDMA_INTR_ENTRY_ERR_SHIFT 35       /**< [36:35] */
#define QDMA_INTR_ENTRY_TYPE_SHIFT 38      /**< [38] 0 H2C, 1 C2H */
#define QDMA_INTR_ENTRY_QID_SHIFT 39       /**< [62:39] */
#define QDMA_INTR_ENTRY_QID_WMASK 0xFFFFFFull
#define QDMA_INTR_ENTRY_COLOR_SHIFT 63 /**< [63] ring color */
#define QDMA_INTR_ENTRY_BYTES 8u
/** @} */

/* ============================================================================================ */
/** @name Ring geometry (R = GLBL_RNG_SZ value, including the status slot) @{ */

/** Index after @p idx: indices live in [0, R-2] and wrap from R-2 to 0. */
static inline uint32_t
qdma_ring_next(uint32_t idx, uint32_t r)
{
	return (idx + 1u >= r - 1u) ? 0u : idx + 1u;
}

/** @p idx advanced by @p n (n may exceed R-1). */
static inline uint32_t
qdma_ring_add(uint32_t idx, uint32_t n, uint32_t r)
{
	return (uint32_t)(((uint64_t)idx + n) % (r - 1u));
}

/** Entries between cidx and pidx: (pidx - cidx) mod. */
static inline uint32_t
qdma_ring_count(uint32_t pidx, uint32_t cidx, uint32_t r)
{
	return (pidx + (r - 1u) - cidx) % (r - 1u);
}

/** Entries software may still post: R-2 - count (one slot always stays free). */
static inline uint32_t
qdma_ring_free(uint32_t pidx, uint32_t cidx, uint32_t r)
{
	return (r - 2u) - qdma_ring_count(pidx, cidx, r);
}

/** Byte offset of the status descriptor: (R-1) * entry_size. */
static inline uint64_t
qdma_ring_status_off(uint32_t r, uint32_t entry_size)
{
	return (uint64_t)(r - 1u) * entry_size;
}

/** Bytes of ring memory including the status slot: R * entry_size. */
static inline uint64_t
qdma_ring_bytes(uint32_t r, uint32_t entry_size)
{
	return (uint64_t)r * entry_size;
}
/** @} */

#endif /* QDMA_HW_DESC_H */
