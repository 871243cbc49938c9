/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Example-design user logic behind the AXI-Lite "user" BAR (qdma-reference.md section 7).
 *
 * The user BAR is found through GLBL2_PF_BARLITE_EXT (PF) / VF 0x1018 (see
 * qdma_user_bar_from_bitmap() in qdma_hw_regs.h); it is typically BAR2. Offsets below are byte
 * offsets into that BAR.
 *
 * @par Behaviour the software relies on
 *  - C2H generator: after QID, PKT_CNT and PKTLEN are written, setting ST_C2H_CONTROL
 *    START_C2H emits PKT_CNT packets of PKTLEN bytes on queue QID, filled with the 16-bit
 *    incrementing little-endian pattern (qdma_user_pattern_byte()). Each packet produces one
 *    completion entry with desc_used = 1 and the length; with IMM_DATA set it produces
 *    completion-only entries (desc_used = 0) instead. A packet of L bytes takes
 *    ceil(L / bufsz) C2H descriptors, at most 7 (QDMA_CMPT_MAX_DESCS_PER_PKT). With
 *    RESTART_PATTERN each packet restarts the pattern at 0.
 *  - Loopback: with ST_C2H_CONTROL LOOPBACK set, data received on H2C is returned on C2H (queue
 *    QID), one buffer (e.g. 4 KiB) per packet at most.
 *  - H2C checker: compares incoming H2C stream data with the same pattern; ST_H2C_STATUS MATCH
 *    reports the result; writing ST_H2C_CONTROL CLEAR resets the checker.
 *  - MM queues target card memory (BRAM; DPDK assumes 512 KiB).
 */
#ifndef QDMA_HW_USER_H
#define QDMA_HW_USER_H

#include <stddef.h>
#include <stdint.h>

/** @name User-BAR registers @{ */
#define QDMA_USER_ST_C2H_QID 0x00u      /**< absolute qid the generator / loopback targets */
#define QDMA_USER_ST_C2H_PKTLEN 0x04u   /**< generated packet length, bytes */
#define QDMA_USER_ST_C2H_CONTROL 0x08u  /**< QDMA_USER_C2H_CTRL_* */
#define QDMA_USER_ST_H2C_CONTROL 0x0Cu  /**< QDMA_USER_H2C_CTRL_* */
#define QDMA_USER_ST_H2C_STATUS 0x10u   /**< QDMA_USER_H2C_STATUS_* */
#define QDMA_USER_ST_H2C_XFER_CNT 0x14u /**< H2C transfer count */
#define QDMA_USER_C2H_STATUS 0x18u      /**< QDMA_USER_C2H_STATUS_* */
#define QDMA_USER_ST_C2H_PKT_CNT 0x20u  /**< packets to generate */
#define QDMA_USER_ST_C2H_CMPT_DATA(i) (0x30u + 4u * (i)) /**< i = 0..7 user completion data */
#define QDMA_USER_ST_C2H_CMPT_DATA_NUM 8u
/** Completion entry size selector (encoding UNSURE; likely 0 = 8 B ... 3 = 64 B). */
#define QDMA_USER_ST_C2H_CMPT_SIZE 0x50u
#define QDMA_USER_ST_SCRATCH(i) (0x60u + 4u * (i)) /**< i = 0..1 */
#define QDMA_USER_ST_SCRATCH_NUM 2u
#define QDMA_USER_ST_C2H_PKT_DROP 0x88u   /**< dropped packet count */
#define QDMA_USER_ST_C2H_PKT_ACCEPT 0x8Cu /**< accepted packet count */
#define QDMA_USER_DSC_BYPASS_LOOP 0x90u   /**< QDMA_USER_BYP_* */
#define QDMA_USER_INTERRUPT 0x94u
#define QDMA_USER_INTERRUPT_MASK 0x98u
#define QDMA_USER_INTERRUPT_VEC 0x9Cu
#define QDMA_USER_DMA_CONTROL 0xA0u
#define QDMA_USER_VDM_MSG_READ 0xA4u
/** Bytes covered by the register map (last register ends here). */
#define QDMA_USER_REG_SPAN 0xA8u
/** @} */

/**
 * @name User BAR of svff's emulated card
 * The example design maps the AXI-Lite user logic on PF BAR2 (GLBL2_PF_BARLITE_EXT PF0 field =
 * 1 << QDMA_USER_BAR_EMU); 4 KiB covers the register map. VFs have no user BAR (0x1018 = 0).
 * @{ */
#define QDMA_USER_BAR_EMU 2u
#define QDMA_USER_BAR_SIZE_EMU 0x1000u
/** @} */

/** @name ST_C2H_CONTROL (0x08) bits @{ */
#define QDMA_USER_C2H_CTRL_LOOPBACK (1u << 0)        /**< ST loopback H2C -> C2H */
#define QDMA_USER_C2H_CTRL_START_C2H (1u << 1)       /**< start the C2H generator */
#define QDMA_USER_C2H_CTRL_IMM_DATA (1u << 2)        /**< completion-only entries */
#define QDMA_USER_C2H_CTRL_RESTART_PATTERN (1u << 3) /**< pattern restarts at 0 per packet */
#define QDMA_USER_C2H_CTRL_MARKER (1u << 5)          /**< send marker packet (written as 0x22) */
#define QDMA_USER_C2H_CTRL_DUMP_C2H (1u << 17)       /**< immediate dump of C2H data */
#define QDMA_USER_C2H_CTRL_STOP_C2H (1u << 18)       /**< stop C2H transfer */
#define QDMA_USER_C2H_CTRL_DROP_EN (1u << 19)        /**< drop enable */
#define QDMA_USER_C2H_CTRL_DUMP_CMPT (1u << 20)      /**< immediate dump of CMPT FIFO */
#define QDMA_USER_C2H_CTRL_STOP_CMPT (1u << 21)      /**< stop CMPT transfer */
#define QDMA_USER_C2H_CTRL_USER_RESET_N (1u << 31)   /**< user reset, active low */
/** Marker request as software writes it: start + marker. */
#define QDMA_USER_C2H_CTRL_MARKER_REQ (QDMA_USER_C2H_CTRL_START_C2H | QDMA_USER_C2H_CTRL_MARKER)
/** @} */

/** ST_H2C_CONTROL (0x0C): clear the checker. */
#define QDMA_USER_H2C_CTRL_CLEAR (1u << 0)
/** ST_H2C_STATUS (0x10): received H2C data matched the pattern. */
#define QDMA_USER_H2C_STATUS_MATCH (1u << 0)
/** C2H status (0x18): marker response completed. */
#define QDMA_USER_C2H_STATUS_MARKER_DONE (1u << 0)

/** @name DSC_BYPASS_LOOP (0x90) values @{ */
#define QDMA_USER_BYP_NONE 0u
#define QDMA_USER_BYP_MM_H2C 1u          /**< MM: H2C bypass */
#define QDMA_USER_BYP_MM_C2H 2u          /**< MM: C2H bypass */
#define QDMA_USER_BYP_MM_BOTH 3u         /**< MM: both */
#define QDMA_USER_BYP_ST_H2C 1u          /**< ST: H2C (cache or simple) */
#define QDMA_USER_BYP_ST_C2H_CACHE 2u    /**< ST: C2H cache bypass */
#define QDMA_USER_BYP_ST_BOTH_CACHE 3u   /**< ST: both, cache */
#define QDMA_USER_BYP_ST_C2H_SIMPLE 4u   /**< ST: C2H simple bypass */
#define QDMA_USER_BYP_ST_BOTH_SIMPLE 5u  /**< ST: both, simple */
/** @} */

/** Size of the reference pattern file (scripts/datafile_16bit_pattern.bin). */
#define QDMA_USER_PATTERN_FILE_BYTES (256u * 1024u)

/**
 * Byte at stream offset @p off of the 16-bit incrementing little-endian pattern
 * (0x0000, 0x0001, ... wrapping after 0xFFFF): even offsets give the low byte of word off/2,
 * odd offsets the high byte.
 */
static inline uint8_t
qdma_user_pattern_byte(uint64_t off)
{
	uint16_t word = (uint16_t)(off >> 1);

	return (off & 1u) ? (uint8_t)(word >> 8) : (uint8_t)word;
}

/** Fill @p len bytes of @p buf with the pattern starting at stream offset @p off. */
static inline void
qdma_user_pattern_fill(void *buf, size_t len, uint64_t off)
{
	uint8_t *p = (uint8_t *)buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = qdma_user_pattern_byte(off + i);
}

/**
 * Check @p len bytes of @p buf against the pattern starting at stream offset @p off.
 * @return the index of the first mismatching byte, or @p len if everything matches.
 */
static inline size_t
qdma_user_pattern_check(const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = (const uint8_t *)buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != qdma_user_pattern_byte(off + i))
			return i;
	return len;
}

#endif /* QDMA_HW_USER_H */
