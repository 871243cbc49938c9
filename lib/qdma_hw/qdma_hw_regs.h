/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Config-BAR register map of the QDMA3.1 soft IP, PF and VF (qdma-reference.md section 1).
 *
 * All offsets are byte offsets into the function's config BAR (BAR0); all registers are 32-bit
 * little-endian. Naming: QDMA_<REG> is an offset, QDMA_<REG>_<FIELD>_SHIFT / _MASK (mask already
 * shifted unless named _WMASK = width mask) or QDMA_<REG>_<BIT> a field, QDMA_<REG>_DEFAULT a value.
 *
 * Mailbox offsets (relative and bases) are in qdma_hw_mbox.h; this header derives the absolute
 * PF/VF addresses from them.
 *
 * The conventions svff's emulated card needs on top of these (busy bit written on IND_CTXT_CMD,
 * bit-31 strobe on W1C writes, FN_CMD read back as 0) are NOT facts of the IP: they are in
 * qdma_hw_emu.h, and a driver applies them only to a card that advertises them.
 *
 * @par Convention 4: mailbox, function resets and a stuck VF
 * svff's choices where the reference is silent (or UNSURE), followed by the emulated card and
 * relied on by the PMD (conventions 1-3, which only the emulated card needs, are in
 * qdma_hw_emu.h):
 *  - PF rcv (FN_CMD.rcv) consumes the inbox message of the function in TARGET_FN (which the
 *       driver writes with FN_STATUS.cur_src_fn before reading MSG_IN, 4.2), not whatever the
 *       inbox shows at that moment;
 *  - a function reset of a VF (FLR, or the slot's disconnect/revoke) empties its inbox,
 *       withdraws the PF's message waiting for it, drops its queued messages, and then lands
 *       a VF_BYE from it in the PF's inbox with status @ref QDMA_MBOX_BYE_ST_FN_RESET;
 *  - PF FN_CMD.vf_reset (bit 3, a placeholder on the IP) resets the mailbox of the function
 *       in TARGET_FN: its inbox is emptied and the PF's outbox message to it is withdrawn.
 *       A driver writes it only to a card that advertises @ref QDMA_EMU_CONV_VF_RESET
 *       (qdma_hw_emu.h): the reference never writes it.
 */
#ifndef QDMA_HW_REGS_H
#define QDMA_HW_REGS_H

#include <stdint.h>

#include "qdma_hw_mbox.h"

/* ============================================================================================ */
/** @name Config-BAR sizes @{ */
#define QDMA_PF_CONFIG_BAR_SIZE 0x20000u /**< 128 KiB: DMAP ends at 0x20000 */
#define QDMA_VF_CONFIG_BAR_SIZE 0x4000u  /**< 16 KiB: DMAP 0x3000-0x3FFF */
/** @} */

/** Number of entries in each global CSR table (RNG_SZ, TIMER_CNT, CNT_TH, BUF_SZ). */
#define QDMA_CSR_TABLE_ENTRIES 16u
_Static_assert(QDMA_CSR_TABLE_ENTRIES == QDMA_MBOX_CSR_ENTRIES, "CSR mailbox copy matches tables");

/* ============================================================================================ */
/** @name GLBL1 / config block (0x000-0x0FF) @{ */
#define QDMA_CFG_BLOCK_ID 0x000u
#define QDMA_CFG_BUSDEV 0x004u
#define QDMA_CFG_PCIE_MAX_PL_SZ 0x008u
#define QDMA_CFG_PCIE_MAX_RDRQ_SZ 0x00Cu
#define QDMA_CFG_SYS_ID 0x010u
#define QDMA_CFG_MSI_EN 0x014u
#define QDMA_CFG_PCIE_DATA_WIDTH 0x018u
#define QDMA_CFG_PCIE_CTRL 0x01Cu
#define QDMA_CFG_AXI_USR_MAX_PL_SZ 0x040u
#define QDMA_CFG_AXI_USR_MAX_RDRQ_SZ 0x044u
#define QDMA_CFG_MISC_CTRL 0x04Cu
#define QDMA_CFG_SCRATCH(i) (0x080u + 4u * (i)) /**< i = 0..7 */
#define QDMA_CFG_SCRATCH_NUM 8u
#define QDMA_RAM_SBE_MSK_A 0x0F0u
#define QDMA_RAM_SBE_STS_A 0x0F4u
#define QDMA_RAM_DBE_MSK_A 0x0F8u
#define QDMA_RAM_DBE_STS_A 0x0FCu
/** @} */

/** @name Identity @{ */
#define QDMA_MAGIC 0x1FD3u             /**< CFG_BLOCK_ID[31:16] (PF), VF version [31:16] */
#define QDMA_CFG_BLOCK_ID_MAGIC_SHIFT 16
#define QDMA_CFG_BLOCK_ID_MAGIC_MASK 0xFFFF0000u
#define QDMA_CFG_BLOCK_ID_VERSION_MASK 0xFFu /**< [7:0] version (EQDMA header) */
/** CFG_BLOCK_ID value of svff's emulated QDMA3.1 PF (magic, version 0). */
#define QDMA_CFG_BLOCK_ID_DEFAULT (QDMA_MAGIC << QDMA_CFG_BLOCK_ID_MAGIC_SHIFT)
/** @} */

/** Magic field of CFG_BLOCK_ID (PF) or of the VF version register. */
static inline uint32_t
qdma_magic_of(uint32_t v)
{
	return v >> 16;
}

/* ============================================================================================ */
/** @name GLBL2 capability block (0x100-0x1CC) @{ */
#define QDMA_GLBL2_ID 0x100u
#define QDMA_GLBL2_PF_BARLITE_INT 0x104u    /**< 6 bits per PF; num_pfs = non-zero fields */
#define QDMA_GLBL2_PF_VF_BARLITE_INT 0x108u
#define QDMA_GLBL2_PF_BARLITE_EXT 0x10Cu    /**< 6-bit user-BAR bitmap per PF */
#define QDMA_GLBL2_PF_VF_BARLITE_EXT 0x110u
#define QDMA_GLBL2_CHANNEL_INST 0x114u
#define QDMA_GLBL2_CHANNEL_MDMA 0x118u
#define QDMA_GLBL2_CHANNEL_STRM 0x11Cu
#define QDMA_GLBL2_CHANNEL_QDMA_CAP 0x120u
#define QDMA_GLBL2_CHANNEL_PASID_CAP 0x128u
#define QDMA_GLBL2_CHANNEL_FUNC_RET 0x12Cu  /**< requester's function number, [7:0] */
#define QDMA_GLBL2_SYSTEM_ID 0x130u         /**< [15:0] */
#define QDMA_GLBL2_MISC_CAP 0x134u          /**< PF version register */
#define QDMA_GLBL2_DBG_PCIE_RQ0 0x1B8u
#define QDMA_GLBL2_DBG_PCIE_RQ1 0x1BCu
#define QDMA_GLBL2_DBG_AXIMM_WR0 0x1C0u
#define QDMA_GLBL2_DBG_AXIMM_WR1 0x1C4u
#define QDMA_GLBL2_DBG_AXIMM_RD0 0x1C8u
#define QDMA_GLBL2_DBG_AXIMM_RD1 0x1CCu
/** @} */

/** @name BARLITE per-PF packing (0x104-0x110): bits [6*pf+5 : 6*pf] @{ */
#define QDMA_GLBL2_BARLITE_BITS 6u
#define QDMA_GLBL2_BARLITE_WMASK 0x3Fu
#define QDMA_GLBL2_BARLITE_MAX_PF 4u
/** @} */

/** 6-bit BARLITE field of PF @p pf in register value @p v. */
static inline uint32_t
qdma_barlite_get(uint32_t v, unsigned pf)
{
	return (v >> (QDMA_GLBL2_BARLITE_BITS * pf)) & QDMA_GLBL2_BARLITE_WMASK;
}

/** @p v with the 6-bit BARLITE field of PF @p pf replaced by @p bars. */
static inline uint32_t
qdma_barlite_set(uint32_t v, unsigned pf, uint32_t bars)
{
	unsigned sh = QDMA_GLBL2_BARLITE_BITS * pf;

	return (v & ~(QDMA_GLBL2_BARLITE_WMASK << sh)) | ((bars & QDMA_GLBL2_BARLITE_WMASK) << sh);
}

/**
 * User (AXI-Lite) BAR from a 6-bit bitmap (PF: qdma_barlite_get(0x10C, pf); VF: 0x1018 [5:0]):
 * the lowest set bit. @return the BAR number, or -1 when no bit is set (no user BAR).
 */
static inline int
qdma_user_bar_from_bitmap(uint32_t bitmap)
{
	int i;

	for (i = 0; i < (int)QDMA_GLBL2_BARLITE_BITS; i++)
		if (bitmap & (1u << i))
			return i;
	return -1;
}

/** @name GLBL2_CHANNEL_MDMA / _INST / _STRM bits (QDMA3.1) @{ */
#define QDMA_GLBL2_CHANNEL_MM_H2C (1u << 0)
#define QDMA_GLBL2_CHANNEL_MM_C2H (1u << 8)
#define QDMA_GLBL2_CHANNEL_ST_H2C (1u << 16)
#define QDMA_GLBL2_CHANNEL_ST_C2H (1u << 17)
/** mm_en = both MM bits, st_en = both ST bits. */
#define QDMA_GLBL2_CHANNEL_MM_EN (QDMA_GLBL2_CHANNEL_MM_H2C | QDMA_GLBL2_CHANNEL_MM_C2H)
#define QDMA_GLBL2_CHANNEL_ST_EN (QDMA_GLBL2_CHANNEL_ST_H2C | QDMA_GLBL2_CHANNEL_ST_C2H)
/** @} */

/** @name GLBL2_CHANNEL_QDMA_CAP @{ */
#define QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK 0xFFFu /**< [11:0] total queue count */
#define QDMA_GLBL2_QDMA_CAP_DEFAULT 2048u          /**< standard builds */
/** @} */

/** @name GLBL2_CHANNEL_FUNC_RET / SYSTEM_ID @{ */
#define QDMA_GLBL2_FUNC_RET_MASK 0xFFu
#define QDMA_GLBL2_SYSTEM_ID_MASK 0xFFFFu
/** @} */

/** @name GLBL2_MISC_CAP (PF version register, 0x134) @{ */
#define QDMA_MISC_CAP_DEVICE_TYPE_SHIFT 28 /**< [31:28] 0 soft, 1 CPM4, 2 CPM5 */
#define QDMA_MISC_CAP_VIVADO_REL_SHIFT 24  /**< [27:24] soft3.1: 0 2018.3, 1 2019.1, 2 2019.2 */
#define QDMA_MISC_CAP_IP_TYPE_SHIFT 20     /**< [23:20] 0 QDMA3.1, 1 QDMA4.0, 2 QDMA5.0 */
#define QDMA_MISC_CAP_RTL_VERSION_SHIFT 16 /**< [19:16] 0 base, 1 patch */
#define QDMA_MISC_CAP_NIBBLE_WMASK 0xFu
#define QDMA_MISC_CAP_MM_CMPT_EN (1u << 2)
#define QDMA_MISC_CAP_FLR_PRESENT (1u << 1)
#define QDMA_MISC_CAP_MAILBOX_EN (1u << 0)
/** QDMA3.1 soft, 2019.2, base RTL, FLR + mailbox present. */
#define QDMA_MISC_CAP_QDMA31_DEFAULT 0x02000003u
/** @} */

/** @name VF version register (VF 0x1014) fields @{ */
#define QDMA_VF_VERSION_MAGIC_SHIFT 16       /**< [31:16] 0x1FD3 */
#define QDMA_VF_VERSION_DEVICE_TYPE_SHIFT 12 /**< [15:12] */
#define QDMA_VF_VERSION_VIVADO_REL_SHIFT 8   /**< [11:8] */
#define QDMA_VF_VERSION_IP_TYPE_SHIFT 4      /**< [7:4] */
#define QDMA_VF_VERSION_RTL_VERSION_SHIFT 0  /**< [3:0] */
/** Same identity as QDMA_MISC_CAP_QDMA31_DEFAULT, VF form. */
#define QDMA_VF_VERSION_QDMA31_DEFAULT 0x1FD30200u
/** @} */

/** @name Device types / IP types (both version registers) @{ */
#define QDMA_DEVICE_TYPE_SOFT 0u
#define QDMA_DEVICE_TYPE_VERSAL_CPM4 1u
#define QDMA_DEVICE_TYPE_VERSAL_CPM5 2u
#define QDMA_IP_TYPE_QDMA31 0u
#define QDMA_IP_TYPE_QDMA40 1u
#define QDMA_IP_TYPE_QDMA50 2u
/** @} */

/* ============================================================================================ */
/** @name GLBL block (0x200-0x2FF) @{ */
#define QDMA_GLBL_RNG_SZ_BASE 0x204u
#define QDMA_GLBL_RNG_SZ(i) (QDMA_GLBL_RNG_SZ_BASE + 4u * (i)) /**< i = 0..15 */
#define QDMA_GLBL_RNG_SZ_MASK 0xFFFFu /**< [15:0] entries incl. the status slot */
#define QDMA_GLBL_SCRATCH 0x244u
#define QDMA_GLBL_ERR_STAT 0x248u
#define QDMA_GLBL_ERR_MASK 0x24Cu
#define QDMA_GLBL_DSC_CFG 0x250u
#define QDMA_GLBL_DSC_ERR_STS 0x254u
#define QDMA_GLBL_DSC_ERR_MSK 0x258u
#define QDMA_GLBL_DSC_ERR_LOG0 0x25Cu
#define QDMA_GLBL_DSC_ERR_LOG1 0x260u
#define QDMA_GLBL_TRQ_ERR_STS 0x264u
#define QDMA_GLBL_TRQ_ERR_MSK 0x268u
#define QDMA_GLBL_TRQ_ERR_LOG 0x26Cu
#define QDMA_GLBL_DSC_DBG_DAT0 0x270u
#define QDMA_GLBL_DSC_DBG_DAT1 0x274u
#define QDMA_GLBL_DSC_ERR_LOG2 0x27Cu
/**
 * GLBL_INTERRUPT_CFG. UNSURE (reference 1.3): the register-dump table lists 0x288, the header and
 * EQDMA use 0x2C4; svff uses 0x2C4.
 */
#define QDMA_GLBL_INTERRUPT_CFG 0x2C4u
#define QDMA_GLBL_INTERRUPT_CFG_EN_LGCY (1u << 0)      /**< enable legacy INTx */
#define QDMA_GLBL_INTERRUPT_CFG_LGCY_PENDING (1u << 1) /**< pending, W1C */
/** @} */

/** @name GLBL_DSC_CFG (0x250) @{ */
#define QDMA_GLBL_DSC_CFG_WB_ACC_INT_SHIFT 0 /**< [2:0] writeback interval 4 << v descriptors */
#define QDMA_GLBL_DSC_CFG_WB_ACC_INT_WMASK 0x7u
#define QDMA_GLBL_DSC_CFG_MAX_DSC_FETCH_SHIFT 3 /**< [5:3] */
#define QDMA_GLBL_DSC_CFG_MAX_DSC_FETCH_WMASK 0x7u
/** wb_acc_int = 5 (128 descriptors), max_dsc_fetch = 6. */
#define QDMA_GLBL_DSC_CFG_DEFAULT 0x35u
/** @} */

/** Writeback interval in descriptors for a wb_acc_int code (0 -> 4 ... 7 -> 512). */
static inline uint32_t
qdma_wb_acc_int_descs(uint32_t code)
{
	return 4u << (code & QDMA_GLBL_DSC_CFG_WB_ACC_INT_WMASK);
}

/* ============================================================================================ */
/** @name FMAP legacy direct window (0x400-0x7FC)
 * 2018.2 layout, 4 bytes per function. Since 2018.3 drivers program FMAP indirectly
 * (@ref QDMA_IND_SEL_FMAP); UNSURE whether this window is live in QDMA3.1. svff's card need not
 * implement it.
 * @{ */
#define QDMA_FMAP_DIRECT(fn) (0x400u + 4u * (fn))
#define QDMA_FMAP_DIRECT_QBASE_MASK 0x7FFu /**< [10:0] */
#define QDMA_FMAP_DIRECT_QMAX_SHIFT 11     /**< [21:11] */
#define QDMA_FMAP_DIRECT_QMAX_WMASK 0x7FFu
/** @} */

/* ============================================================================================ */
/** @name Indirect context programming (0x800-0x8FF) @{ */
#define QDMA_IND_CTXT_DATA(i) (0x804u + 4u * (i)) /**< i = 0..7 */
#define QDMA_IND_CTXT_MASK(i) (0x824u + 4u * (i)) /**< i = 0..7, drivers write all-ones */
#define QDMA_IND_CTXT_CMD 0x844u
#define QDMA_IND_CTXT_DATA_WORDS 8u
#define QDMA_IND_CTXT_CMD_BUSY (1u << 0) /**< set by the IP while executing; SW polls for 0 */
#define QDMA_IND_CTXT_CMD_SEL_SHIFT 1    /**< [4:1] */
#define QDMA_IND_CTXT_CMD_SEL_WMASK 0xFu
#define QDMA_IND_CTXT_CMD_OP_SHIFT 5     /**< [6:5] */
#define QDMA_IND_CTXT_CMD_OP_WMASK 0x3u
#define QDMA_IND_CTXT_CMD_QID_SHIFT 7    /**< [18:7] */
#define QDMA_IND_CTXT_CMD_QID_WMASK 0xFFFu
/** @} */

/** Context selector, IND_CTXT_CMD [4:1]. */
enum qdma_ind_sel {
	QDMA_IND_SEL_SW_C2H = 0,         /**< software descriptor ctxt, C2H */
	QDMA_IND_SEL_SW_H2C = 1,         /**< software descriptor ctxt, H2C */
	QDMA_IND_SEL_HW_C2H = 2,         /**< hardware ctxt, C2H */
	QDMA_IND_SEL_HW_H2C = 3,         /**< hardware ctxt, H2C */
	QDMA_IND_SEL_CR_C2H = 4,         /**< credit ctxt, C2H */
	QDMA_IND_SEL_CR_H2C = 5,         /**< credit ctxt, H2C */
	QDMA_IND_SEL_CMPT = 6,           /**< completion ctxt */
	QDMA_IND_SEL_PFTCH = 7,          /**< C2H prefetch ctxt */
	QDMA_IND_SEL_INT_COAL = 8,       /**< interrupt (aggregation ring) ctxt, qid = ring */
	QDMA_IND_SEL_PASID_RAM_LOW = 9,  /**< not used by the drivers */
	QDMA_IND_SEL_PASID_RAM_HIGH = 10, /**< not used by the drivers */
	QDMA_IND_SEL_TIMER = 11,         /**< not used by the drivers */
	QDMA_IND_SEL_FMAP = 12,          /**< function map, qid = function number */
};
/** Number of defined selectors. */
#define QDMA_IND_SEL_NUM 13u

/** Context operation, IND_CTXT_CMD [6:5]. */
enum qdma_ind_op {
	QDMA_IND_OP_CLR = 0, /**< zero the context */
	QDMA_IND_OP_WR = 1,  /**< write DATA[] under MASK[] */
	QDMA_IND_OP_RD = 2,  /**< read into DATA[] */
	QDMA_IND_OP_INV = 3, /**< invalidate (stop the queue) */
};

/**
 * IND_CTXT_CMD value as the reference driver writes it: sel, op, qid (masked to 12 bits), busy
 * clear (the IP sets it). The emulated card wants the busy bit written: qdma_emu_ind_cmd().
 */
static inline uint32_t
qdma_ind_cmd(enum qdma_ind_sel sel, enum qdma_ind_op op, uint32_t qid)
{
	return (((uint32_t)sel & QDMA_IND_CTXT_CMD_SEL_WMASK) << QDMA_IND_CTXT_CMD_SEL_SHIFT) |
	       (((uint32_t)op & QDMA_IND_CTXT_CMD_OP_WMASK) << QDMA_IND_CTXT_CMD_OP_SHIFT) |
	       ((qid & QDMA_IND_CTXT_CMD_QID_WMASK) << QDMA_IND_CTXT_CMD_QID_SHIFT);
}

/** sel field of an IND_CTXT_CMD value (may be >= QDMA_IND_SEL_NUM for a bad command). */
static inline unsigned
qdma_ind_cmd_sel(uint32_t cmd)
{
	return (cmd >> QDMA_IND_CTXT_CMD_SEL_SHIFT) & QDMA_IND_CTXT_CMD_SEL_WMASK;
}

/** op field of an IND_CTXT_CMD value (enum qdma_ind_op). */
static inline unsigned
qdma_ind_cmd_op(uint32_t cmd)
{
	return (cmd >> QDMA_IND_CTXT_CMD_OP_SHIFT) & QDMA_IND_CTXT_CMD_OP_WMASK;
}

/** qid field of an IND_CTXT_CMD value. */
static inline uint32_t
qdma_ind_cmd_qid(uint32_t cmd)
{
	return (cmd >> QDMA_IND_CTXT_CMD_QID_SHIFT) & QDMA_IND_CTXT_CMD_QID_WMASK;
}

/** Non-zero while the busy bit is set. */
static inline int
qdma_ind_cmd_busy(uint32_t cmd)
{
	return (cmd & QDMA_IND_CTXT_CMD_BUSY) != 0;
}

/* ============================================================================================ */
/** @name C2H block (0xA00-0xBFF) @{ */
#define QDMA_C2H_TIMER_CNT_BASE 0xA00u
#define QDMA_C2H_TIMER_CNT(i) (QDMA_C2H_TIMER_CNT_BASE + 4u * (i)) /**< i = 0..15 */
#define QDMA_C2H_TIMER_CNT_MASK 0xFFu                              /**< 8 bits reported */
#define QDMA_C2H_CNT_TH_BASE 0xA40u
#define QDMA_C2H_CNT_TH(i) (QDMA_C2H_CNT_TH_BASE + 4u * (i)) /**< i = 0..15 */
#define QDMA_C2H_CNT_TH_MASK 0xFFu                           /**< 8 bits reported */
#define QDMA_C2H_QID2VEC_MAP_QID 0xA80u
#define QDMA_C2H_QID2VEC_MAP 0xA84u
#define QDMA_C2H_STAT_S_AXIS_C2H_ACCEPTED 0xA88u
#define QDMA_C2H_STAT_S_AXIS_CMPT_ACCEPTED 0xA8Cu
#define QDMA_C2H_STAT_DESC_RSP_PKT_ACCEPTED 0xA90u
#define QDMA_C2H_STAT_AXIS_PKG_CMP 0xA94u
#define QDMA_C2H_STAT_DESC_RSP_ACCEPTED 0xA98u
#define QDMA_C2H_STAT_DESC_RSP_CMP 0xA9Cu
#define QDMA_C2H_STAT_WRQ_OUT 0xAA0u
#define QDMA_C2H_STAT_WPL_REN_ACCEPTED 0xAA4u
#define QDMA_C2H_STAT_TOTAL_WRQ_LEN 0xAA8u
#define QDMA_C2H_STAT_TOTAL_WPL_LEN 0xAACu
#define QDMA_C2H_BUF_SZ_BASE 0xAB0u
#define QDMA_C2H_BUF_SZ(i) (QDMA_C2H_BUF_SZ_BASE + 4u * (i)) /**< i = 0..15 */
#define QDMA_C2H_BUF_SZ_MASK 0xFFFFu                         /**< 16 bits reported */
#define QDMA_C2H_ERR_STAT 0xAF0u
#define QDMA_C2H_ERR_MASK 0xAF4u
#define QDMA_C2H_FATAL_ERR_STAT 0xAF8u
#define QDMA_C2H_FATAL_ERR_MASK 0xAFCu
#define QDMA_C2H_FATAL_ERR_ENABLE 0xB00u
#define QDMA_GLBL_ERR_INT 0xB04u
#define QDMA_C2H_PFCH_CFG 0xB08u
#define QDMA_C2H_INT_TIMER_TICK 0xB0Cu
#define QDMA_C2H_DBG_PFCH_ERR_CTXT 0xB2Cu
#define QDMA_C2H_FIRST_ERR_QID 0xB30u
#define QDMA_C2H_STAT_NUM_CMPT_IN 0xB34u
#define QDMA_C2H_STAT_NUM_CMPT_OUT 0xB38u
#define QDMA_C2H_STAT_NUM_CMPT_DRP 0xB3Cu
#define QDMA_C2H_STAT_NUM_STAT_DESC_OUT 0xB40u
#define QDMA_C2H_STAT_NUM_DSC_CRDT_SENT 0xB44u
#define QDMA_C2H_STAT_NUM_FCH_DSC_RCVD 0xB48u
#define QDMA_C2H_STAT_NUM_BYP_DSC_RCVD 0xB4Cu
#define QDMA_C2H_WRB_COAL_CFG 0xB50u
#define QDMA_C2H_CMPT_FORMAT(i) (0xBC4u + 4u * (i)) /**< i = 0..6 */
#define QDMA_C2H_CMPT_FORMAT_NUM 7u
#define QDMA_C2H_PFCH_CACHE_DEPTH 0xBE0u   /**< RO */
#define QDMA_C2H_CMPT_COAL_BUF_DEPTH 0xBE4u /**< RO */
#define QDMA_C2H_PFCH_CRDT 0xBE8u
/** @} */

/**
 * @name Read-only depths returned by svff's emulated card
 * Not given by the reference (svff's choice, typical for the soft IP); the PF derives the
 * C2H_PFCH_CFG and C2H_WRB_COAL_CFG defaults from them.
 * @{
 */
#define QDMA_C2H_PFCH_CACHE_DEPTH_EMU 16u
#define QDMA_C2H_CMPT_COAL_BUF_DEPTH_EMU 16u
/** @} */

/** @name C2H_PFCH_CFG (0xB08) @{ */
#define QDMA_C2H_PFCH_CFG_FL_TH_SHIFT 0 /**< [8:0] pfch_fl_th (stop threshold) */
#define QDMA_C2H_PFCH_CFG_FL_TH_WMASK 0x1FFu
#define QDMA_C2H_PFCH_CFG_NUM_SHIFT 9 /**< [17:9] num_pfch (entries per queue) */
#define QDMA_C2H_PFCH_CFG_NUM_WMASK 0x1FFu
#define QDMA_C2H_PFCH_CFG_QCNT_SHIFT 18 /**< [24:18] pfch_qcnt */
#define QDMA_C2H_PFCH_CFG_QCNT_WMASK 0x7Fu
#define QDMA_C2H_PFCH_CFG_EVT_QCNT_TH_SHIFT 25 /**< [31:25] evt_qcnt_th */
#define QDMA_C2H_PFCH_CFG_EVT_QCNT_TH_WMASK 0x7Fu
#define QDMA_C2H_PFCH_CFG_FL_TH_DEFAULT 256u
#define QDMA_C2H_PFCH_CFG_NUM_DEFAULT 8u
/** @} */

/** C2H_PFCH_CFG default for a prefetch cache depth @p d (read of 0xBE0): 256, 8, d/2, d/2-2. */
static inline uint32_t
qdma_c2h_pfch_cfg_default(uint32_t d)
{
	uint32_t qcnt = d / 2u;
	uint32_t evt = qcnt >= 2u ? qcnt - 2u : 0u;

	return (QDMA_C2H_PFCH_CFG_FL_TH_DEFAULT << QDMA_C2H_PFCH_CFG_FL_TH_SHIFT) |
	       (QDMA_C2H_PFCH_CFG_NUM_DEFAULT << QDMA_C2H_PFCH_CFG_NUM_SHIFT) |
	       ((qcnt & QDMA_C2H_PFCH_CFG_QCNT_WMASK) << QDMA_C2H_PFCH_CFG_QCNT_SHIFT) |
	       ((evt & QDMA_C2H_PFCH_CFG_EVT_QCNT_TH_WMASK) << QDMA_C2H_PFCH_CFG_EVT_QCNT_TH_SHIFT);
}

/** C2H_INT_TIMER_TICK default. */
#define QDMA_C2H_INT_TIMER_TICK_DEFAULT 25u

/** @name C2H_WRB_COAL_CFG (0xB50) @{ */
#define QDMA_C2H_WRB_COAL_DONE_GLB_FLUSH (1u << 0) /**< global flush done */
#define QDMA_C2H_WRB_COAL_SET_GLB_FLUSH (1u << 1)  /**< global flush request */
#define QDMA_C2H_WRB_COAL_TICK_CNT_SHIFT 2         /**< [13:2] */
#define QDMA_C2H_WRB_COAL_TICK_CNT_WMASK 0xFFFu
#define QDMA_C2H_WRB_COAL_TICK_VAL_SHIFT 14 /**< [25:14] */
#define QDMA_C2H_WRB_COAL_TICK_VAL_WMASK 0xFFFu
#define QDMA_C2H_WRB_COAL_MAX_BUF_SZ_SHIFT 26 /**< [31:26] */
#define QDMA_C2H_WRB_COAL_MAX_BUF_SZ_WMASK 0x3Fu
#define QDMA_C2H_WRB_COAL_TICK_CNT_DEFAULT 10u /**< DPDK THROUGHPUT_MEASUREMENT build (else 5) */
#define QDMA_C2H_WRB_COAL_TICK_VAL_DEFAULT 25u
/** @} */

/** C2H_WRB_COAL_CFG default for a coalescing buffer depth @p d (read of 0xBE4). */
static inline uint32_t
qdma_c2h_wrb_coal_cfg_default(uint32_t d)
{
	return (QDMA_C2H_WRB_COAL_TICK_CNT_DEFAULT << QDMA_C2H_WRB_COAL_TICK_CNT_SHIFT) |
	       (QDMA_C2H_WRB_COAL_TICK_VAL_DEFAULT << QDMA_C2H_WRB_COAL_TICK_VAL_SHIFT) |
	       ((d & QDMA_C2H_WRB_COAL_MAX_BUF_SZ_WMASK) << QDMA_C2H_WRB_COAL_MAX_BUF_SZ_SHIFT);
}

/** @name GLBL_ERR_INT (0xB04) @{ */
#define QDMA_GLBL_ERR_INT_FUNC_MASK 0xFFu /**< [7:0] function */
#define QDMA_GLBL_ERR_INT_VEC_SHIFT 12    /**< [22:12] MSI-X vector */
#define QDMA_GLBL_ERR_INT_VEC_WMASK 0x7FFu
#define QDMA_GLBL_ERR_INT_ARM (1u << 24)  /**< re-arm */
/** @} */

/* ============================================================================================ */
/** @name H2C ST block (0xE00-0xEFF) @{ */
#define QDMA_H2C_ERR_STAT 0xE00u
#define QDMA_H2C_ERR_MASK 0xE04u
#define QDMA_H2C_FIRST_ERR_QID 0xE08u
#define QDMA_H2C_DBG_REG(i) (0xE0Cu + 4u * (i)) /**< i = 0..4 */
#define QDMA_H2C_DBG_REG_NUM 5u
#define QDMA_H2C_FATAL_ERR_EN 0xE20u
#define QDMA_H2C_REQ_THROT 0xE24u
#define QDMA_H2C_ALN_DBG_REG0 0xE28u
/** @} */

/** @name H2C_REQ_THROT (0xE24) @{ */
#define QDMA_H2C_REQ_THROT_DATA_THRESH_MASK 0xFFFFu /**< [15:0] */
#define QDMA_H2C_REQ_THROT_EN_DATA (1u << 16)
#define QDMA_H2C_REQ_THROT_REQ_THRESH_SHIFT 17 /**< [25:17] */
#define QDMA_H2C_REQ_THROT_REQ_THRESH_WMASK 0x1FFu
#define QDMA_H2C_REQ_THROT_EN_REQ (1u << 31)
/** data_thresh 0x4000, en_data 1, req_thresh 0x60, en_req 0 (QDMA3.1). */
#define QDMA_H2C_REQ_THROT_DEFAULT 0x00C14000u
/** @} */

/* ============================================================================================ */
/** @name MM channels (C2H ch0 0x1000, H2C ch0 0x1200, channel n at +0x100*n)
 * Register offsets below are relative to a channel base. QDMA3.1 has one channel.
 * @{ */
#define QDMA_C2H_MM_BASE(ch) (0x1000u + 0x100u * (ch))
#define QDMA_H2C_MM_BASE(ch) (0x1200u + 0x100u * (ch))
#define QDMA_MM_CHANNEL_MAX 1u
#define QDMA_MM_CONTROL 0x04u
#define QDMA_MM_CONTROL_W1S 0x08u
#define QDMA_MM_CONTROL_W1C 0x0Cu
#define QDMA_MM_STATUS 0x40u
#define QDMA_MM_STATUS_RC 0x44u
#define QDMA_MM_COMPLETED_DESC_COUNT 0x48u
#define QDMA_MM_ERR_CODE_EN_MASK 0x54u
#define QDMA_MM_ERR_CODE 0x58u
#define QDMA_MM_ERR_INFO 0x5Cu
#define QDMA_MM_PERF_MON_BASE 0xC0u /**< 0xC0-0xD0 */
#define QDMA_MM_DEBUG 0xE8u
#define QDMA_MM_CONTROL_RUN (1u << 0) /**< 1 = run (written when mm_en), 0 = stop */
/** Absolute CONTROL of C2H MM channel @p ch (0x1004 for ch0). */
#define QDMA_C2H_MM_CONTROL(ch) (QDMA_C2H_MM_BASE(ch) + QDMA_MM_CONTROL)
/** Absolute CONTROL of H2C MM channel @p ch (0x1204 for ch0). */
#define QDMA_H2C_MM_CONTROL(ch) (QDMA_H2C_MM_BASE(ch) + QDMA_MM_CONTROL)
#define QDMA_H2C_MM_REQ_THROT 0x12ECu
/** @} */

/* ============================================================================================ */
/** @name Error aggregation: GLBL_ERR_STAT (0x248) / GLBL_ERR_MASK (0x24C) bits @{ */
#define QDMA_GLBL_ERR_RAM_SBE (1u << 0) /**< leaf RAM_SBE_STS_A */
#define QDMA_GLBL_ERR_RAM_DBE (1u << 1) /**< leaf RAM_DBE_STS_A */
#define QDMA_GLBL_ERR_DSC (1u << 2)     /**< leaf GLBL_DSC_ERR_STS */
#define QDMA_GLBL_ERR_TRQ (1u << 3)     /**< leaf GLBL_TRQ_ERR_STS */
#define QDMA_GLBL_ERR_ST_C2H (1u << 8)  /**< leaves C2H_ERR_STAT and C2H_FATAL_ERR_STAT */
#define QDMA_GLBL_ERR_ST_H2C (1u << 11) /**< leaf H2C_ERR_STAT */
/** Every aggregated bit the master PF enables. */
#define QDMA_GLBL_ERR_ALL                                                                          \
	(QDMA_GLBL_ERR_RAM_SBE | QDMA_GLBL_ERR_RAM_DBE | QDMA_GLBL_ERR_DSC | QDMA_GLBL_ERR_TRQ |  \
		QDMA_GLBL_ERR_ST_C2H | QDMA_GLBL_ERR_ST_H2C)
/** @} */

/** @name RAM SBE / DBE leaves (0xF4/0xF0, 0xFC/0xF8) @{ */
#define QDMA_RAM_SBE_ALL 0xFFFFFF11u
#define QDMA_RAM_DBE_ALL 0xFFFFFF11u
/** @} */

/** @name Descriptor-engine errors GLBL_DSC_ERR_STS (0x254) / _MSK (0x258) @{ */
#define QDMA_DSC_ERR_POISON (1u << 0)
#define QDMA_DSC_ERR_UR_CA (1u << 1)
#define QDMA_DSC_ERR_PARAM (1u << 2)
#define QDMA_DSC_ERR_ADDR (1u << 3)
#define QDMA_DSC_ERR_TAG (1u << 4)
#define QDMA_DSC_ERR_FLR (1u << 5)
#define QDMA_DSC_ERR_TIMEOUT (1u << 9)
#define QDMA_DSC_ERR_DAT_POISON (1u << 16)
#define QDMA_DSC_ERR_FLR_CANCEL (1u << 19)
#define QDMA_DSC_ERR_DMA (1u << 20)
#define QDMA_DSC_ERR_DSC (1u << 21)
#define QDMA_DSC_ERR_RQ_CANCEL (1u << 22)
#define QDMA_DSC_ERR_DBE (1u << 23)
#define QDMA_DSC_ERR_SBE (1u << 24)
#define QDMA_DSC_ERR_ALL 0x1F9023Fu
/** @} */

/** @name Queue-request errors GLBL_TRQ_ERR_STS (0x264) / _MSK (0x268) @{ */
#define QDMA_TRQ_ERR_UNMAPPED (1u << 0)
#define QDMA_TRQ_ERR_QID_RANGE (1u << 1) /**< doorbell qid >= FMAP qmax */
#define QDMA_TRQ_ERR_VF_ACCESS (1u << 2) /**< illegal VF access */
#define QDMA_TRQ_ERR_TCP_TIMEOUT (1u << 3)
#define QDMA_TRQ_ERR_ALL 0xFu
/** @} */

/**
 * @name Error log registers as svff's emulated card fills them
 * The reference gives the EQDMA layout of GLBL_DSC_ERR_LOG0/1 only; svff's QDMA3.1 card uses it
 * (UNSURE for QDMA3.1). GLBL_TRQ_ERR_LOG has no documented layout: svff's card records the
 * requester function and the config-BAR offset of the offending access as below (svff's choice).
 * C2H_FIRST_ERR_QID / H2C_FIRST_ERR_QID hold the absolute qid in [11:0] with QDMA_ERR_LOG_VALID.
 * Logs are overwritten by each new error (last error wins) except FIRST_ERR_QID (first wins until
 * the driver writes it to 0).
 * @{ */
#define QDMA_ERR_LOG_VALID (1u << 31)            /**< log holds an entry */
#define QDMA_DSC_ERR_LOG0_SEL_C2H (1u << 30)     /**< [30] 1 = C2H queue, 0 = H2C */
#define QDMA_DSC_ERR_LOG0_QID_MASK 0x1FFFu       /**< [12:0] absolute qid */
#define QDMA_DSC_ERR_LOG1_CIDX_SHIFT 12          /**< [27:12] cidx at the error */
#define QDMA_DSC_ERR_LOG1_CIDX_WMASK 0xFFFFu
#define QDMA_DSC_ERR_LOG1_SUB_TYPE_SHIFT 5       /**< [8:5] sub type (svff: 0) */
#define QDMA_TRQ_ERR_LOG_ADDR_MASK 0x3FFFFu      /**< [17:0] config-BAR byte offset */
#define QDMA_TRQ_ERR_LOG_FUNC_SHIFT 18           /**< [29:18] QDMA function id */
#define QDMA_TRQ_ERR_LOG_FUNC_WMASK 0xFFFu
#define QDMA_FIRST_ERR_QID_MASK 0xFFFu           /**< [11:0] absolute qid */
/** @} */

/** TRQ_ERR_LOG value for an access of function @p fn at config-BAR offset @p off. */
static inline uint32_t
qdma_trq_err_log(uint32_t fn, uint32_t off)
{
	return QDMA_ERR_LOG_VALID | ((fn & QDMA_TRQ_ERR_LOG_FUNC_WMASK) << QDMA_TRQ_ERR_LOG_FUNC_SHIFT) |
	       (off & QDMA_TRQ_ERR_LOG_ADDR_MASK);
}

/** @name ST C2H errors C2H_ERR_STAT (0xAF0) / C2H_ERR_MASK (0xAF4) @{ */
#define QDMA_C2H_ERR_MTY_MISMATCH (1u << 0)
#define QDMA_C2H_ERR_LEN_MISMATCH (1u << 1)
#define QDMA_C2H_ERR_QID_MISMATCH (1u << 3)
#define QDMA_C2H_ERR_DESC_RSP_ERR (1u << 4)
#define QDMA_C2H_ERR_ENG_WPL_DATA_PAR (1u << 6)
#define QDMA_C2H_ERR_MSI_INT_FAIL (1u << 7)
#define QDMA_C2H_ERR_DESC_CNT (1u << 9)
#define QDMA_C2H_ERR_PORTID_CTXT_MISMATCH (1u << 10)
#define QDMA_C2H_ERR_PORTID_BYP_IN_MISMATCH (1u << 11)
#define QDMA_C2H_ERR_CMPT_INV_Q (1u << 12)
#define QDMA_C2H_ERR_CMPT_QFULL (1u << 13)
#define QDMA_C2H_ERR_CMPT_CIDX (1u << 14)
#define QDMA_C2H_ERR_CMPT_PRTY (1u << 15)
#define QDMA_C2H_ERR_ALL 0xFEDBu
/** @} */

/** @name ST C2H fatal errors C2H_FATAL_ERR_STAT (0xAF8) / _MASK (0xAFC) @{ */
#define QDMA_C2H_FATAL_ERR_MTY_MISMATCH (1u << 0)
#define QDMA_C2H_FATAL_ERR_LEN_MISMATCH (1u << 1)
#define QDMA_C2H_FATAL_ERR_QID_MISMATCH (1u << 3)
#define QDMA_C2H_FATAL_ERR_TIMER_FIFO_RAM_RDBE (1u << 4)
#define QDMA_C2H_FATAL_ERR_PFCH_II_RAM_RDBE (1u << 8)
#define QDMA_C2H_FATAL_ERR_CMPT_CTXT_RAM_RDBE (1u << 9)
#define QDMA_C2H_FATAL_ERR_PFCH_CTXT_RAM_RDBE (1u << 10)
#define QDMA_C2H_FATAL_ERR_DESC_REQ_FIFO_RAM_RDBE (1u << 11)
#define QDMA_C2H_FATAL_ERR_INT_CTXT_RAM_RDBE (1u << 12)
#define QDMA_C2H_FATAL_ERR_CMPT_COAL_DATA_RAM_RDBE (1u << 14)
#define QDMA_C2H_FATAL_ERR_TUSER_FIFO_RAM_RDBE (1u << 15)
#define QDMA_C2H_FATAL_ERR_QID_FIFO_RAM_RDBE (1u << 16)
#define QDMA_C2H_FATAL_ERR_PAYLOAD_FIFO_RAM_RDBE (1u << 17)
#define QDMA_C2H_FATAL_ERR_WPL_DATA_PAR (1u << 18)
#define QDMA_C2H_FATAL_ERR_ALL 0x7DF1Bu
/** @} */

/** @name ST H2C errors H2C_ERR_STAT (0xE00) / H2C_ERR_MASK (0xE04) @{ */
#define QDMA_H2C_ERR_ZERO_LEN_DESC (1u << 0)
#define QDMA_H2C_ERR_CSI_MOP (1u << 1)
#define QDMA_H2C_ERR_NO_DMA_DSC (1u << 2)
#define QDMA_H2C_ERR_SBE (1u << 3)
#define QDMA_H2C_ERR_DBE (1u << 4)
#define QDMA_H2C_ERR_ALL 0x1Fu
/** @} */

/* ============================================================================================ */
/** @name Mailbox and FLR, absolute (relative offsets in qdma_hw_mbox.h) @{ */
#define QDMA_PF_MBOX_FN_STATUS (QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_STATUS)     /**< 0x2400 */
#define QDMA_PF_MBOX_FN_CMD (QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_CMD)           /**< 0x2404 */
#define QDMA_PF_MBOX_FN_INTR_VEC (QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_INTR_VEC) /**< 0x2408 */
#define QDMA_PF_MBOX_FN_TARGET (QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_TARGET)     /**< 0x240C */
#define QDMA_PF_MBOX_FN_INTR_CTRL (QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_INTR_CTRL) /**< 0x2410 */
#define QDMA_PF_MBOX_PF_ACK(i) (QDMA_PF_MBOX_BASE + QDMA_MBOX_PF_ACK(i))     /**< 0x2420 + 4i */
#define QDMA_PF_MBOX_MSG_IN(i) (QDMA_PF_MBOX_BASE + QDMA_MBOX_MSG_IN(i))     /**< 0x2C00 + 4i */
#define QDMA_PF_MBOX_MSG_OUT(i) (QDMA_PF_MBOX_BASE + QDMA_MBOX_MSG_OUT(i))   /**< 0x3000 + 4i */
#define QDMA_VF_MBOX_FN_STATUS (QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_STATUS)     /**< 0x1000 */
#define QDMA_VF_MBOX_FN_CMD (QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_CMD)           /**< 0x1004 */
#define QDMA_VF_MBOX_FN_INTR_VEC (QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_INTR_VEC) /**< 0x1008 */
#define QDMA_VF_MBOX_FN_INTR_CTRL (QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_INTR_CTRL) /**< 0x1010 */
#define QDMA_VF_MBOX_MSG_IN(i) (QDMA_VF_MBOX_BASE + QDMA_MBOX_MSG_IN(i))     /**< 0x1800 + 4i */
#define QDMA_VF_MBOX_MSG_OUT(i) (QDMA_VF_MBOX_BASE + QDMA_MBOX_MSG_OUT(i))   /**< 0x1C00 + 4i */
/** VF version / ID register (0x1014), also VF_CONFIG_BAR_ID. */
#define QDMA_VF_VERSION (QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_VERSION)
/** VF user-BAR bitmap (0x1018), [5:0]. */
#define QDMA_VF_USER_BAR (QDMA_VF_MBOX_BASE + QDMA_MBOX_VF_USER_BAR)
#define QDMA_VF_USER_BAR_MASK 0x3Fu
/** EQDMA VF version register (probed when 0x1014 lacks the magic; not emulated). */
#define QDMA_EQDMA_VF_VERSION (QDMA_EQDMA_VF_MBOX_BASE + QDMA_MBOX_FN_VERSION)
/** PF FLR control/status (0x2500). */
#define QDMA_PF_FLR (QDMA_PF_MBOX_BASE + QDMA_MBOX_FLR)
/** VF FLR control/status (0x1100). */
#define QDMA_VF_FLR (QDMA_VF_MBOX_BASE + QDMA_MBOX_FLR)
/** FLR bit: software writes 1 to start, then polls until it reads 0. */
#define QDMA_FLR_START (1u << 0)
/** @} */

/* ============================================================================================ */
/** @name DMAP doorbells (16 bytes per function-relative queue) @{ */
#define QDMA_PF_DMAP_BASE 0x18000u
#define QDMA_VF_DMAP_BASE 0x3000u
#define QDMA_DMAP_STRIDE 0x10u
#define QDMA_DMAP_INT_CIDX 0x0u  /**< indexed by interrupt ring */
#define QDMA_DMAP_H2C_PIDX 0x4u
#define QDMA_DMAP_C2H_PIDX 0x8u
#define QDMA_DMAP_CMPT_CIDX 0xCu
/** Queues addressable by a PF's DMAP window (0x18000-0x1FFFF). */
#define QDMA_PF_DMAP_MAX_QUEUES ((QDMA_PF_CONFIG_BAR_SIZE - QDMA_PF_DMAP_BASE) / QDMA_DMAP_STRIDE)
/** Queues addressable by a VF's DMAP window (0x3000-0x3FFF): 256 (UNSURE limit, 1.8). */
#define QDMA_VF_DMAP_MAX_QUEUES ((QDMA_VF_CONFIG_BAR_SIZE - QDMA_VF_DMAP_BASE) / QDMA_DMAP_STRIDE)
/** Doorbell @p reg (QDMA_DMAP_*) of relative queue @p q in a DMAP window at @p base. */
#define QDMA_DMAP_REG(base, q, reg) ((base) + QDMA_DMAP_STRIDE * (q) + (reg))
#define QDMA_PF_DMAP_H2C_PIDX(q) QDMA_DMAP_REG(QDMA_PF_DMAP_BASE, q, QDMA_DMAP_H2C_PIDX)
#define QDMA_PF_DMAP_C2H_PIDX(q) QDMA_DMAP_REG(QDMA_PF_DMAP_BASE, q, QDMA_DMAP_C2H_PIDX)
#define QDMA_PF_DMAP_CMPT_CIDX(q) QDMA_DMAP_REG(QDMA_PF_DMAP_BASE, q, QDMA_DMAP_CMPT_CIDX)
#define QDMA_PF_DMAP_INT_CIDX(r) QDMA_DMAP_REG(QDMA_PF_DMAP_BASE, r, QDMA_DMAP_INT_CIDX)
#define QDMA_VF_DMAP_H2C_PIDX(q) QDMA_DMAP_REG(QDMA_VF_DMAP_BASE, q, QDMA_DMAP_H2C_PIDX)
#define QDMA_VF_DMAP_C2H_PIDX(q) QDMA_DMAP_REG(QDMA_VF_DMAP_BASE, q, QDMA_DMAP_C2H_PIDX)
#define QDMA_VF_DMAP_CMPT_CIDX(q) QDMA_DMAP_REG(QDMA_VF_DMAP_BASE, q, QDMA_DMAP_CMPT_CIDX)
#define QDMA_VF_DMAP_INT_CIDX(r) QDMA_DMAP_REG(QDMA_VF_DMAP_BASE, r, QDMA_DMAP_INT_CIDX)
/** @} */

/** @name H2C_DSC_PIDX / C2H_DSC_PIDX doorbell fields @{ */
#define QDMA_DB_PIDX_MASK 0xFFFFu     /**< [15:0] pidx */
#define QDMA_DB_PIDX_IRQ_EN (1u << 16) /**< [16] irq_en (arm) */
/** @} */

/** H2C/C2H PIDX doorbell value. */
static inline uint32_t
qdma_db_pidx(uint16_t pidx, int irq_en)
{
	return (uint32_t)pidx | (irq_en ? QDMA_DB_PIDX_IRQ_EN : 0u);
}

/** pidx of an H2C/C2H PIDX doorbell value. */
static inline uint16_t
qdma_db_pidx_get(uint32_t v)
{
	return (uint16_t)(v & QDMA_DB_PIDX_MASK);
}

/** irq_en of an H2C/C2H PIDX doorbell value. */
static inline int
qdma_db_pidx_irq_en(uint32_t v)
{
	return (v & QDMA_DB_PIDX_IRQ_EN) != 0;
}

/** @name CMPT_CIDX doorbell fields @{ */
#define QDMA_DB_CMPT_CIDX_MASK 0xFFFFu          /**< [15:0] wrb_cidx */
#define QDMA_DB_CMPT_CNT_IDX_SHIFT 16           /**< [19:16] counter_idx */
#define QDMA_DB_CMPT_CNT_IDX_WMASK 0xFu
#define QDMA_DB_CMPT_TMR_IDX_SHIFT 20           /**< [23:20] timer_idx */
#define QDMA_DB_CMPT_TMR_IDX_WMASK 0xFu
#define QDMA_DB_CMPT_TRIG_SHIFT 24              /**< [26:24] trig_mode */
#define QDMA_DB_CMPT_TRIG_WMASK 0x7u
#define QDMA_DB_CMPT_STAT_EN (1u << 27)         /**< [27] stat_desc_en (wrb_en) */
#define QDMA_DB_CMPT_IRQ_EN (1u << 28)          /**< [28] irq_en */
/** @} */

/** CMPT trigger modes (CMPT ctxt trig_mode, CMPT_CIDX doorbell, descq_conf). */
enum qdma_cmpt_trig {
	QDMA_CMPT_TRIG_DISABLE = 0,    /**< no status writes */
	QDMA_CMPT_TRIG_EVERY = 1,      /**< every entry */
	QDMA_CMPT_TRIG_USER_COUNT = 2, /**< counter threshold */
	QDMA_CMPT_TRIG_USER = 3,       /**< user trigger */
	QDMA_CMPT_TRIG_USER_TIMER = 4, /**< user + timer (driver default) */
	QDMA_CMPT_TRIG_TIMER_CNTR = 5, /**< timer + counter combo */
};
/** Highest valid trigger mode (drivers reject larger values). */
#define QDMA_CMPT_TRIG_MAX 5u

/** Decoded CMPT_CIDX doorbell. */
struct qdma_cmpt_cidx_db {
	uint16_t cidx;        /**< wrb_cidx */
	uint8_t counter_idx;  /**< 4 bits */
	uint8_t timer_idx;    /**< 4 bits */
	uint8_t trig_mode;    /**< 3 bits, enum qdma_cmpt_trig */
	uint8_t stat_desc_en; /**< 0/1 */
	uint8_t irq_en;       /**< 0/1 */
};

/** Encode a CMPT_CIDX doorbell (fields masked to their widths). */
static inline uint32_t
qdma_db_cmpt_cidx(const struct qdma_cmpt_cidx_db *d)
{
	return (uint32_t)d->cidx |
	       (((uint32_t)d->counter_idx & QDMA_DB_CMPT_CNT_IDX_WMASK)
		       << QDMA_DB_CMPT_CNT_IDX_SHIFT) |
	       (((uint32_t)d->timer_idx & QDMA_DB_CMPT_TMR_IDX_WMASK) << QDMA_DB_CMPT_TMR_IDX_SHIFT) |
	       (((uint32_t)d->trig_mode & QDMA_DB_CMPT_TRIG_WMASK) << QDMA_DB_CMPT_TRIG_SHIFT) |
	       (d->stat_desc_en ? QDMA_DB_CMPT_STAT_EN : 0u) | (d->irq_en ? QDMA_DB_CMPT_IRQ_EN : 0u);
}

/** Decode a CMPT_CIDX doorbell value. */
static inline void
qdma_db_cmpt_cidx_decode(uint32_t v, struct qdma_cmpt_cidx_db *d)
{
	d->cidx = (uint16_t)(v & QDMA_DB_CMPT_CIDX_MASK);
	d->counter_idx = (uint8_t)((v >> QDMA_DB_CMPT_CNT_IDX_SHIFT) & QDMA_DB_CMPT_CNT_IDX_WMASK);
	d->timer_idx = (uint8_t)((v >> QDMA_DB_CMPT_TMR_IDX_SHIFT) & QDMA_DB_CMPT_TMR_IDX_WMASK);
	d->trig_mode = (uint8_t)((v >> QDMA_DB_CMPT_TRIG_SHIFT) & QDMA_DB_CMPT_TRIG_WMASK);
	d->stat_desc_en = (v & QDMA_DB_CMPT_STAT_EN) != 0;
	d->irq_en = (v & QDMA_DB_CMPT_IRQ_EN) != 0;
}

/** @name INT_CIDX doorbell fields @{ */
#define QDMA_DB_INT_CIDX_MASK 0xFFFFu   /**< [15:0] sw_cidx */
#define QDMA_DB_INT_RING_IDX_SHIFT 16   /**< [23:16] ring_idx */
#define QDMA_DB_INT_RING_IDX_WMASK 0xFFu
/** @} */

/** INT_CIDX doorbell value. */
static inline uint32_t
qdma_db_int_cidx(uint16_t sw_cidx, uint8_t ring_idx)
{
	return (uint32_t)sw_cidx | ((uint32_t)ring_idx << QDMA_DB_INT_RING_IDX_SHIFT);
}

/* ============================================================================================ */
/**
 * @name Default global CSR tables (1.4), written once by the master PF
 * Defined in qdma_hw_regs.c. GLBL_RNG_SZ values count ring entries INCLUDING the status slot.
 * @{
 */
extern const uint32_t qdma_glbl_rng_sz_default[QDMA_CSR_TABLE_ENTRIES];
extern const uint32_t qdma_c2h_timer_cnt_default[QDMA_CSR_TABLE_ENTRIES];
extern const uint32_t qdma_c2h_cnt_th_default[QDMA_CSR_TABLE_ENTRIES];
extern const uint32_t qdma_c2h_buf_sz_default[QDMA_CSR_TABLE_ENTRIES];
/** @} */

/**
 * Index of @p value in a 16-entry table, or -1. The first match wins (the tables may repeat
 * values, e.g. C2H_BUF_SZ holds 4096 several times).
 */
int qdma_csr_table_find(const uint32_t table[QDMA_CSR_TABLE_ENTRIES], uint32_t value);

#endif /* QDMA_HW_REGS_H */
