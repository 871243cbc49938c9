/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * PF <-> VF mailbox of the QDMA3.1 soft IP: registers, message header, op codes, status codes and
 * payload layouts (qdma-reference.md sections 4.1-4.7).
 *
 * Each function has one 128-byte inbox (MSG_IN) and one 128-byte outbox (MSG_OUT), 32 little-endian
 * words each. A message always moves as all 32 words. Register offsets below are relative to the
 * function's mailbox base (@ref QDMA_PF_MBOX_BASE / @ref QDMA_VF_MBOX_BASE); qdma_hw_regs.h gives
 * the absolute addresses.
 *
 * Handshake summary (4.2). Send: read FN_STATUS, busy while O_MSG; PF: write TARGET_FN; write the
 * 32 MSG_OUT words; PF: clear the target's PF_ACK bit; write FN_CMD = SEND. Receive: read FN_STATUS,
 * nothing while !I_MSG; PF: TARGET_FN = FN_STATUS.cur_src_fn; read the 32 MSG_IN words; write
 * FN_CMD = RCV (clears I_MSG here and O_MSG at the sender). An all-zero message means a broken
 * mailbox (@ref QDMA_MBOX_ERR_ALL_ZERO_MSG). The PF overwrites hdr.src_func_id with the hardware
 * cur_src_fn; a VF learns its own function id from the dst_func_id of the HELLO response.
 * FN_CMD reads back as 0 on svff's emulated card only (qdma_hw_emu.h, not a fact of the IP).
 */
#ifndef QDMA_HW_MBOX_H
#define QDMA_HW_MBOX_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* the context structs of qdma_hw_ctx.h (which includes this header through qdma_hw_regs.h) */
struct qdma_sw_ctx;
struct qdma_hw_ctx;
struct qdma_credit_ctx;
struct qdma_pfch_ctx;
struct qdma_cmpt_ctx;
struct qdma_intr_ctx;

/** @name Mailbox bases in the config BAR @{ */
#define QDMA_PF_MBOX_BASE 0x2400u        /**< QDMA3.1 PF */
#define QDMA_VF_MBOX_BASE 0x1000u        /**< QDMA3.1 VF */
#define QDMA_EQDMA_PF_MBOX_BASE 0x22400u /**< EQDMA PF (not emulated; for reference) */
#define QDMA_EQDMA_VF_MBOX_BASE 0x5000u  /**< EQDMA VF (not emulated; for reference) */
/** @} */

/** @name Register offsets relative to the mailbox base @{ */
#define QDMA_MBOX_FN_STATUS 0x000u    /**< RO status, see QDMA_MBOX_FN_STATUS_* */
#define QDMA_MBOX_FN_CMD 0x004u       /**< WO command (reads 0), see QDMA_MBOX_FN_CMD_* */
#define QDMA_MBOX_FN_INTR_VEC 0x008u  /**< [4:0] MSI-X vector for mailbox interrupts */
#define QDMA_MBOX_FN_TARGET 0x00Cu    /**< PF only: [11:0] target / source function id */
#define QDMA_MBOX_FN_INTR_CTRL 0x010u /**< [0] mailbox interrupt enable */
#define QDMA_MBOX_FN_VERSION 0x014u   /**< RTL/version register (VF copy carries 0x1FD3 id) */
#define QDMA_MBOX_VF_USER_BAR 0x018u  /**< VF only: user (AXI-Lite) BAR bitmap [5:0] */
#define QDMA_MBOX_PF_ACK_BASE 0x020u  /**< PF only: PF_ACK[0..7], W1C */
#define QDMA_MBOX_PF_ACK_WORDS 8u     /**< 256-bit PF_ACK bitmap */
#define QDMA_MBOX_PF_ACK(i) (QDMA_MBOX_PF_ACK_BASE + 4u * (i)) /**< PF_ACK word @p i */
#define QDMA_MBOX_FLR 0x100u     /**< FLR control/status, [0] (see QDMA_FLR_* in qdma_hw_regs.h) */
#define QDMA_MBOX_MSG_IN_BASE 0x800u  /**< MSG_IN[0..31] (functional offset) */
#define QDMA_MBOX_MSG_OUT_BASE 0xC00u /**< MSG_OUT[0..31] (functional offset) */
#define QDMA_MBOX_MSG_IN(i) (QDMA_MBOX_MSG_IN_BASE + 4u * (i))   /**< inbox word @p i */
#define QDMA_MBOX_MSG_OUT(i) (QDMA_MBOX_MSG_OUT_BASE + 4u * (i)) /**< outbox word @p i */
/** @} */

/** Words in one mailbox message. */
#define QDMA_MBOX_MSG_WORDS 32u
/** Bytes in one mailbox message. */
#define QDMA_MBOX_MSG_BYTES 128u

/** @name FN_STATUS bits @{ */
#define QDMA_MBOX_FN_STATUS_I_MSG (1u << 0) /**< a message waits in my inbox */
#define QDMA_MBOX_FN_STATUS_O_MSG (1u << 1) /**< my outbox message not yet consumed */
#define QDMA_MBOX_FN_STATUS_ACK (1u << 2)   /**< PF only: some PF_ACK bit is set */
#define QDMA_MBOX_FN_STATUS_SRC_SHIFT 4     /**< PF only: cur_src_fn [15:4] */
#define QDMA_MBOX_FN_STATUS_SRC_MASK 0xFFFu /**< width mask of cur_src_fn */
/** @} */

/** cur_src_fn field of FN_STATUS. */
static inline uint32_t
qdma_mbox_fn_status_src(uint32_t v)
{
	return (v >> QDMA_MBOX_FN_STATUS_SRC_SHIFT) & QDMA_MBOX_FN_STATUS_SRC_MASK;
}

/** Compose FN_STATUS from its fields (used by the emulated card). */
static inline uint32_t
qdma_mbox_fn_status(int i_msg, int o_msg, int ack, uint32_t src_fn)
{
	return (i_msg ? QDMA_MBOX_FN_STATUS_I_MSG : 0) | (o_msg ? QDMA_MBOX_FN_STATUS_O_MSG : 0) |
	       (ack ? QDMA_MBOX_FN_STATUS_ACK : 0) |
	       ((src_fn & QDMA_MBOX_FN_STATUS_SRC_MASK) << QDMA_MBOX_FN_STATUS_SRC_SHIFT);
}

/** @name FN_CMD bits @{ */
#define QDMA_MBOX_FN_CMD_SEND (1u << 0)     /**< deliver my outbox to the target */
#define QDMA_MBOX_FN_CMD_RCV (1u << 1)      /**< my inbox was consumed; ack the sender */
#define QDMA_MBOX_FN_CMD_VF_RESET (1u << 3) /**< PF only; placeholder, unused by drivers */
/** @} */

/**
 * Status byte of a VF_BYE that the emulated card sends to the PF on behalf of a VF whose
 * function was reset (FLR register, or the slot: disconnect, revoke). A VF driver's own VF_BYE
 * carries status 0. svff emulation convention (qdma_hw_regs.h "Emulation conventions" (4)):
 * the reference has no notice of a VF's reset to its PF.
 */
#define QDMA_MBOX_BYE_ST_FN_RESET 1

/** FN_INTR_VEC vector mask. */
#define QDMA_MBOX_FN_INTR_VEC_MASK 0x1Fu
/** TARGET_FN function-id mask. */
#define QDMA_MBOX_FN_TARGET_MASK 0xFFFu
/** FN_INTR_CTRL enable bit. */
#define QDMA_MBOX_FN_INTR_CTRL_EN (1u << 0)

/** PF_ACK word index holding function @p f. */
#define QDMA_MBOX_PF_ACK_WORD(f) ((f) / 32u)
/** PF_ACK bit for function @p f within its word. */
#define QDMA_MBOX_PF_ACK_BIT(f) (1u << ((f) % 32u))

/**
 * @name Op codes (4.5)
 * A response carries op + @ref QDMA_MBOX_OP_RSP (0x81..0x94; 0x80 itself is unused).
 *
 * svff extension room: the Xilinx protocol uses request ops 0x00..0x14 only (responses
 * 0x80..0x94). Ops 0x15..0x7F (responses 0x95..0xFF) are unused by it; the svff extension
 * (pause/resume) takes its ops from there (block "svff extension" below).
 * @{
 */
enum qdma_mbox_op {
	QDMA_MBOX_OP_VF_BYE = 0x00,          /**< VF->PF, not answered */
	QDMA_MBOX_OP_HELLO = 0x01,           /**< VF->PF */
	QDMA_MBOX_OP_FMAP = 0x02,            /**< VF->PF */
	QDMA_MBOX_OP_CSR = 0x03,             /**< VF->PF */
	QDMA_MBOX_OP_QREQ = 0x04,            /**< VF->PF */
	QDMA_MBOX_OP_QNOTIFY_ADD = 0x05,     /**< VF->PF */
	QDMA_MBOX_OP_QNOTIFY_DEL = 0x06,     /**< VF->PF */
	QDMA_MBOX_OP_GET_QACTIVE_CNT = 0x07, /**< VF->PF */
	QDMA_MBOX_OP_QCTXT_WRT = 0x08,       /**< VF->PF */
	QDMA_MBOX_OP_QCTXT_RD = 0x09,        /**< VF->PF */
	QDMA_MBOX_OP_QCTXT_CLR = 0x0A,       /**< VF->PF */
	QDMA_MBOX_OP_QCTXT_INV = 0x0B,       /**< VF->PF */
	QDMA_MBOX_OP_INTR_CTXT_WRT = 0x0C,   /**< VF->PF */
	QDMA_MBOX_OP_INTR_CTXT_RD = 0x0D,    /**< VF->PF */
	QDMA_MBOX_OP_INTR_CTXT_CLR = 0x0E,   /**< VF->PF */
	QDMA_MBOX_OP_INTR_CTXT_INV = 0x0F,   /**< VF->PF */
	QDMA_MBOX_OP_RESET_PREPARE = 0x10,   /**< PF->VF */
	QDMA_MBOX_OP_RESET_DONE = 0x11,      /**< PF->VF */
	QDMA_MBOX_OP_REG_LIST_READ = 0x12,   /**< VF->PF */
	QDMA_MBOX_OP_PF_BYE = 0x13,          /**< PF->VF */
	QDMA_MBOX_OP_PF_RESET_VF_BYE = 0x14, /**< VF->PF (answered) */
};
/** @} */

/**
 * @name svff extension (not part of the Xilinx protocol; svff convention)
 *
 * Negotiated at HELLO: a VF driver that implements it puts a @ref qdma_mbox_svff_ext block
 * at HELLO request +16 (bytes the Xilinx HELLO leaves zero, which a PF that does not know the
 * extension ignores); a PF that implements it answers with its own block at HELLO response +28
 * (after dma_device_index). The PF sends the ops below only to a VF that advertised them.
 *
 * PAUSE (PF->VF): the VF stops posting descriptors, lets what is in flight complete (bounded),
 * and answers with its ring positions (@ref qdma_mbox_svff_pause_rsp); its burst functions
 * return 0 until RESUME. RESUME (PF->VF) carries the VF's (possibly new) queue window; the VF
 * re-rings its doorbells and continues where it stopped (RESUME is not answered).
 *
 * RESTORE (PF->VF, not answered): the PF's driver restarted while the VF kept its device (a VF
 * in a VM keeps its BAR across a restart of the host's control plane), and the card lost
 * everything the PF had set up for it: its HELLO, window, FMAP and queue contexts. The VF
 * says HELLO again, asks for its window again and rewrites the contexts of its started
 * queues, whose rings start over (what was in flight is lost); a VF that was paused gets its
 * window back and stays paused (RESUME brings back its contexts). The restarted PF cannot know
 * whether the VF advertised the extension: it sends RESTORE anyway, and a driver without the
 * extension drops the unknown op.
 * @{
 */
#define QDMA_MBOX_OP_SVFF_PAUSE 0x15u  /**< PF->VF, answered with the ring positions */
#define QDMA_MBOX_OP_SVFF_RESUME 0x16u /**< PF->VF, not answered */
#define QDMA_MBOX_OP_SVFF_RESTORE 0x17u /**< PF->VF, not answered: the PF restarted */
#define QDMA_MBOX_SVFF_MAGIC 0x46465653u   /**< "SVFF", little-endian */
#define QDMA_MBOX_SVFF_EXT_PAUSE (1u << 0) /**< PAUSE / RESUME understood */
#define QDMA_MBOX_SVFF_HELLO_REQ_OFF 16u   /**< ext block in the HELLO request */
#define QDMA_MBOX_SVFF_HELLO_RSP_OFF 28u   /**< ext block in the HELLO response */
#define QDMA_MBOX_SVFF_PAUSE_POS_MAX 14u   /**< queues whose positions fit a PAUSE answer */
/** @} */

/** Highest request op of the Xilinx protocol; ops above it (up to 0x7F) are unused by it. */
#define QDMA_MBOX_OP_XILINX_MAX 0x14u
/** Added to a request op to form its response op. */
#define QDMA_MBOX_OP_RSP 0x80u

/** Response op for request @p op. */
static inline uint8_t
qdma_mbox_op_rsp(uint8_t op)
{
	return (uint8_t)(op + QDMA_MBOX_OP_RSP);
}

/** True if @p op is a response op (bit 7 set). */
static inline int
qdma_mbox_op_is_rsp(uint8_t op)
{
	return (op & QDMA_MBOX_OP_RSP) != 0;
}

/**
 * @name Status codes (hdr.status, 4.4/4.6/4.7)
 * 0 = success; errors are the negated Xilinx access-error numbers, truncated to s8.
 * @{
 */
enum qdma_mbox_status {
	QDMA_MBOX_OK = 0,
	QDMA_MBOX_ERR_INV_PARAM = -1,
	QDMA_MBOX_ERR_NO_MEM = -2,
	QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT = -3,
	QDMA_MBOX_ERR_HWACC_INV_CONFIG_BAR = -4,
	QDMA_MBOX_ERR_HWACC_NO_PEND_LEGCY_INTR = -5,
	QDMA_MBOX_ERR_HWACC_BAR_NOT_FOUND = -6,
	QDMA_MBOX_ERR_HWACC_FEATURE_NOT_SUPPORTED = -7,
	QDMA_MBOX_ERR_RM_RES_EXISTS = -8,
	QDMA_MBOX_ERR_RM_RES_NOT_EXISTS = -9,
	QDMA_MBOX_ERR_RM_DEV_EXISTS = -10,
	QDMA_MBOX_ERR_RM_DEV_NOT_EXISTS = -11,
	QDMA_MBOX_ERR_NO_QUEUES_LEFT = -12,     /**< resource manager: no fit */
	QDMA_MBOX_ERR_QMAX_CONF_REJECTED = -13, /**< resize refused: queues active */
	QDMA_MBOX_ERR_FMAP_WR_FAILED = -14,
	QDMA_MBOX_ERR_NUM_QUEUES = -15, /**< QREQ failure as reported to the VF */
	QDMA_MBOX_ERR_INV_QID = -16,    /**< QNOTIFY qid outside the sender's range */
	QDMA_MBOX_ERR_INV_RINGSZ = -17, /**< ring size not in GLBL_RNG_SZ */
	QDMA_MBOX_ERR_INV_BUFSZ = -18,  /**< buffer size not in C2H_BUF_SZ */
	QDMA_MBOX_ERR_INV_CNTR_TH = -19, /**< counter threshold not in C2H_CNT_TH */
	QDMA_MBOX_ERR_INV_TMR_TH = -20,  /**< timer value not in C2H_TIMER_CNT */
	QDMA_MBOX_ERR_INV_MSG = -21,     /**< unknown op */
	QDMA_MBOX_ERR_SEND_BUSY = -22,   /**< outbox busy (O_MSG set) */
	QDMA_MBOX_ERR_NO_MSG_IN = -23,   /**< inbox empty (I_MSG clear) */
	QDMA_MBOX_ERR_REG_READ_FAILED = -24,
	QDMA_MBOX_ERR_ALL_ZERO_MSG = -25, /**< all-zero message: broken mailbox */
};
/** @} */

/**
 * The -errno an application sees for mailbox status @p st (0 for @ref QDMA_MBOX_OK).
 * The one place a status becomes an errno (a status is never returned as an errno as is: -15
 * would read as -ENOTBLK). Values outside the enum give -EIO.
 */
static inline int
qdma_mbox_status_to_errno(int st)
{
	switch (st) {
	case QDMA_MBOX_OK:
		return 0;
	case QDMA_MBOX_ERR_NO_MEM:
		return -ENOMEM;
	case QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT:
		return -ETIMEDOUT;
	case QDMA_MBOX_ERR_HWACC_FEATURE_NOT_SUPPORTED:
		return -ENOTSUP;
	case QDMA_MBOX_ERR_RM_RES_EXISTS:
	case QDMA_MBOX_ERR_RM_DEV_EXISTS:
		return -EEXIST;
	case QDMA_MBOX_ERR_RM_RES_NOT_EXISTS:
	case QDMA_MBOX_ERR_RM_DEV_NOT_EXISTS:
		return -ENOENT;
	case QDMA_MBOX_ERR_NO_QUEUES_LEFT:
	case QDMA_MBOX_ERR_NUM_QUEUES:
		return -ENOSPC;
	case QDMA_MBOX_ERR_QMAX_CONF_REJECTED:
	case QDMA_MBOX_ERR_SEND_BUSY:
		return -EBUSY;
	case QDMA_MBOX_ERR_INV_PARAM:
	case QDMA_MBOX_ERR_INV_QID:
	case QDMA_MBOX_ERR_INV_RINGSZ:
	case QDMA_MBOX_ERR_INV_BUFSZ:
	case QDMA_MBOX_ERR_INV_CNTR_TH:
	case QDMA_MBOX_ERR_INV_TMR_TH:
		return -EINVAL;
	case QDMA_MBOX_ERR_INV_MSG:
		return -EPERM;   /* the PF refused the request as a whole */
	case QDMA_MBOX_ERR_NO_MSG_IN:
		return -EAGAIN;
	default:
		return -EIO;     /* hardware-access errors, FMAP write, register read, broken mailbox */
	}
}

/**
 * The mailbox status a PF reports for a local failure -errno @p err of its own (a context
 * or FMAP write that failed, no fit in the queue space...). 0 gives @ref QDMA_MBOX_OK.
 */
static inline int
qdma_mbox_status_from_errno(int err)
{
	switch (err) {
	case 0:
		return QDMA_MBOX_OK;
	case -ENOMEM:
		return QDMA_MBOX_ERR_NO_MEM;
	case -ENOSPC:
		return QDMA_MBOX_ERR_NO_QUEUES_LEFT;
	case -EBUSY:
		return QDMA_MBOX_ERR_QMAX_CONF_REJECTED;
	case -EINVAL:
	case -ERANGE:
		return QDMA_MBOX_ERR_INV_PARAM;
	case -ENOTSUP:
		return QDMA_MBOX_ERR_HWACC_FEATURE_NOT_SUPPORTED;
	case -EPERM:
	case -EACCES:
		return QDMA_MBOX_ERR_INV_MSG;
	default:
		return QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT; /* -EIO, -ETIMEDOUT, -ENODEV: the card */
	}
}

/** Message header (4.4): bytes 0..5 of every message. */
struct qdma_mbox_hdr {
	uint8_t op;           /**< +0 op code (enum qdma_mbox_op, + 0x80 for responses) */
	int8_t status;        /**< +1 0 or enum qdma_mbox_status */
	uint16_t src_func_id; /**< +2 sender function id */
	uint16_t dst_func_id; /**< +4 destination function id */
} __attribute__((packed));

/**
 * HELLO / FMAP / QREQ requests, FMAP and QREQ responses (4.6).
 * qbase = -1 in a request: no preference. HELLO sends qmax = 0.
 */
struct qdma_mbox_fmap_msg {
	struct qdma_mbox_hdr hdr; /**< +0 */
	uint8_t rsvd0[2];         /**< +6 */
	int32_t qbase;            /**< +8 */
	uint32_t qmax;            /**< +12 */
} __attribute__((packed));

/** @name dev_cap byte +4 bits @{ */
#define QDMA_DEV_CAP_FLR_PRESENT (1u << 0)
#define QDMA_DEV_CAP_ST_EN (1u << 1)
#define QDMA_DEV_CAP_MM_EN (1u << 2)
#define QDMA_DEV_CAP_MM_CMPT_EN (1u << 3)
#define QDMA_DEV_CAP_MAILBOX_EN (1u << 4)
#define QDMA_DEV_CAP_DEBUG_MODE (1u << 5)
#define QDMA_DEV_CAP_DESC_ENG_MODE_SHIFT 6
#define QDMA_DEV_CAP_DESC_ENG_MODE_MASK 0x3u
/** @} */

/** @name dev_cap byte +6 bits @{ */
#define QDMA_DEV_CAP_QID2VEC_CTX (1u << 0)
#define QDMA_DEV_CAP_CMPT_OVF_CHK_DIS (1u << 1)
#define QDMA_DEV_CAP_MAILBOX_INTR (1u << 2)
#define QDMA_DEV_CAP_SW_DESC_64B (1u << 3)
#define QDMA_DEV_CAP_CMPT_DESC_64B (1u << 4)
#define QDMA_DEV_CAP_DYNAMIC_BAR (1u << 5)
#define QDMA_DEV_CAP_LEGACY_INTR (1u << 6)
#define QDMA_DEV_CAP_CMPT_TRIG_COUNT_TIMER (1u << 7)
/** @} */

/**
 * dev_cap block of the HELLO response (8 bytes).
 * QDMA3.1 hard-codes in @c cap_flags: CMPT_OVF_CHK_DIS, MAILBOX_INTR, SW_DESC_64B,
 * CMPT_DESC_64B, DYNAMIC_BAR, LEGACY_INTR, CMPT_TRIG_COUNT_TIMER (not QID2VEC_CTX), and
 * mm_channel_max = 1 (reference 1.2).
 */
struct qdma_mbox_dev_cap {
	uint8_t num_pfs;        /**< +0 */
	uint8_t rsvd0;          /**< +1 */
	uint16_t num_qs;        /**< +2 */
	uint8_t flags;          /**< +4 QDMA_DEV_CAP_FLR_PRESENT ... DESC_ENG_MODE */
	uint8_t mm_channel_max; /**< +5 */
	uint8_t cap_flags;      /**< +6 QDMA_DEV_CAP_QID2VEC_CTX ... CMPT_TRIG_COUNT_TIMER */
	uint8_t rsvd1;          /**< +7 */
} __attribute__((packed));

/** Value of dev_cap.cap_flags for QDMA3.1 soft IP. */
#define QDMA_DEV_CAP_QDMA31_CAP_FLAGS                                                              \
	(QDMA_DEV_CAP_CMPT_OVF_CHK_DIS | QDMA_DEV_CAP_MAILBOX_INTR | QDMA_DEV_CAP_SW_DESC_64B |    \
		QDMA_DEV_CAP_CMPT_DESC_64B | QDMA_DEV_CAP_DYNAMIC_BAR | QDMA_DEV_CAP_LEGACY_INTR | \
		QDMA_DEV_CAP_CMPT_TRIG_COUNT_TIMER)

/** HELLO response (0x81). */
struct qdma_mbox_hello_rsp {
	struct qdma_mbox_hdr hdr;     /**< +0 */
	uint8_t rsvd0[2];             /**< +6 */
	int32_t qbase;                /**< +8 */
	uint32_t qmax;                /**< +12 */
	struct qdma_mbox_dev_cap cap; /**< +16..+23 */
	uint32_t dma_device_index;    /**< +24 */
} __attribute__((packed));

/** Entries per global CSR table. */
#define QDMA_MBOX_CSR_ENTRIES 16u

/** CSR response (0x83): copies of the PF's global tables (values, not indices). */
struct qdma_mbox_csr_rsp {
	struct qdma_mbox_hdr hdr;                   /**< +0 */
	uint16_t ringsz[QDMA_MBOX_CSR_ENTRIES];     /**< +6  GLBL_RNG_SZ[i] */
	uint16_t bufsz[QDMA_MBOX_CSR_ENTRIES];      /**< +38 C2H_BUF_SZ[i] */
	uint8_t timer_cnt[QDMA_MBOX_CSR_ENTRIES];   /**< +70 C2H_TIMER_CNT[i] */
	uint8_t cnt_thres[QDMA_MBOX_CSR_ENTRIES];   /**< +86 C2H_CNT_TH[i] */
	uint8_t wb_intvl;                           /**< +102 (not filled by the Xilinx PF) */
} __attribute__((packed));

/** Queue types of QNOTIFY_ADD/DEL. */
enum qdma_mbox_qtype {
	QDMA_MBOX_QTYPE_H2C = 0,
	QDMA_MBOX_QTYPE_C2H = 1,
	QDMA_MBOX_QTYPE_CMPT = 2,
};

/** QNOTIFY_ADD / QNOTIFY_DEL request (and its response). */
struct qdma_mbox_qnotify {
	struct qdma_mbox_hdr hdr; /**< +0 */
	uint16_t qid_hw;          /**< +6 absolute queue id */
	uint32_t q_type;          /**< +8 enum qdma_mbox_qtype */
} __attribute__((packed));

/** GET_QACTIVE_CNT response. */
struct qdma_mbox_qactive_cnt {
	struct qdma_mbox_hdr hdr; /**< +0 */
	uint8_t rsvd0[2];         /**< +6 */
	uint32_t h2c;             /**< +8 */
	uint32_t c2h;             /**< +12 */
	uint32_t cmpt;            /**< +16 */
} __attribute__((packed));

/** @name QCTXT_* request flags byte (+8) @{ */
#define QDMA_MBOX_QCTXT_F_ST (1u << 0)  /**< stream queue (else MM) */
#define QDMA_MBOX_QCTXT_F_C2H (1u << 1) /**< C2H (else H2C) */
#define QDMA_MBOX_QCTXT_CMPT_TYPE_SHIFT 2
#define QDMA_MBOX_QCTXT_CMPT_TYPE_MASK 0x3u
/** @} */

/** cmpt_ctxt_type, QCTXT_* flags [3:2]. */
enum qdma_mbox_cmpt_ctxt_type {
	QDMA_MBOX_CMPT_CTXT_ONLY = 0,    /**< program only the CMPT context */
	QDMA_MBOX_CMPT_CTXT_WITH_MM = 1, /**< MM queue with completion ring */
	QDMA_MBOX_CMPT_CTXT_WITH_ST = 2, /**< ST C2H queue with its completion ring */
	QDMA_MBOX_CMPT_CTXT_NONE = 3,    /**< no CMPT context */
};

/** Compose a QCTXT_* flags byte. */
static inline uint8_t
qdma_mbox_qctxt_flags(int st, int c2h, unsigned cmpt_type)
{
	return (uint8_t)((st ? QDMA_MBOX_QCTXT_F_ST : 0) | (c2h ? QDMA_MBOX_QCTXT_F_C2H : 0) |
			 ((cmpt_type & QDMA_MBOX_QCTXT_CMPT_TYPE_MASK)
				 << QDMA_MBOX_QCTXT_CMPT_TYPE_SHIFT));
}

/** cmpt_ctxt_type of a QCTXT_* flags byte. */
static inline unsigned
qdma_mbox_qctxt_cmpt_type(uint8_t flags)
{
	return (flags >> QDMA_MBOX_QCTXT_CMPT_TYPE_SHIFT) & QDMA_MBOX_QCTXT_CMPT_TYPE_MASK;
}

/** @name descq_conf.flags bits (message +32) @{ */
#define QDMA_DESCQ_F_FORCED_EN (1u << 0)     /**< -> SW ctxt fcrd_en */
#define QDMA_DESCQ_F_EN_BYPASS (1u << 1)     /**< -> SW ctxt bypass */
#define QDMA_DESCQ_F_IRQ_ARM (1u << 2)       /**< -> SW ctxt irq_arm */
#define QDMA_DESCQ_F_WBI_INTVL_EN (1u << 3)  /**< -> SW ctxt wbi_intvl_en */
#define QDMA_DESCQ_F_WBI_CHK (1u << 4)       /**< -> SW ctxt wbi_chk */
#define QDMA_DESCQ_F_AT (1u << 5)            /**< address translation */
#define QDMA_DESCQ_F_WBK_EN (1u << 6)        /**< -> SW ctxt wbk_en */
#define QDMA_DESCQ_F_IRQ_EN (1u << 7)        /**< -> SW ctxt irq_en */
#define QDMA_DESCQ_F_PFCH_EN (1u << 8)       /**< -> PFTCH ctxt pfch_en */
#define QDMA_DESCQ_F_EN_BYPASS_PFCH (1u << 9) /**< -> PFTCH ctxt bypass */
#define QDMA_DESCQ_F_DIS_OVF_CHK (1u << 10)  /**< -> CMPT ctxt ovf_chk_dis */
#define QDMA_DESCQ_F_CMPT_INT_EN (1u << 11)  /**< -> CMPT ctxt en_int */
#define QDMA_DESCQ_F_CMPT_AT (1u << 12)      /**< ignored by the PF */
#define QDMA_DESCQ_F_CMPT_COLOR (1u << 13)   /**< ignored by the PF (color forced to 1) */
#define QDMA_DESCQ_F_CMPT_FULL_UPD (1u << 14) /**< ignored by the PF */
#define QDMA_DESCQ_F_CMPL_STAT_EN (1u << 15) /**< -> CMPT ctxt en_stat_desc */
#define QDMA_DESCQ_DESC_SZ_SHIFT 16          /**< [17:16] desc_sz (enum qdma_desc_sz) */
#define QDMA_DESCQ_DESC_SZ_MASK 0x3u
#define QDMA_DESCQ_CMPT_DESC_SZ_SHIFT 18     /**< [19:18] cmpt_desc_sz (enum qdma_cmpt_sz) */
#define QDMA_DESCQ_CMPT_DESC_SZ_MASK 0x3u
#define QDMA_DESCQ_TRIG_MODE_SHIFT 20        /**< [22:20] trigger mode */
#define QDMA_DESCQ_TRIG_MODE_MASK 0x7u
/** @} */

/** @name descq_conf.intr bits (message +40) @{ */
#define QDMA_DESCQ_INTR_ID_MASK 0x7FFu    /**< [10:0] intr_id (vector / ring) */
#define QDMA_DESCQ_INTR_AGGR (1u << 11)   /**< [11] intr_aggr */
/** @} */

/**
 * descq_conf of QCTXT_WRT: 32 bytes at message +16 (offsets below are within the struct).
 * Sizes are sent as values: the PF maps them to table indices (misses: -17..-20).
 */
struct qdma_mbox_descq_conf {
	uint64_t ring_bs_addr;      /**< +0  (msg +16) descriptor ring base */
	uint64_t cmpt_ring_bs_addr; /**< +8  (msg +24) CMPT ring base */
	uint32_t flags;             /**< +16 (msg +32) QDMA_DESCQ_F_* and fields */
	uint16_t func_id;           /**< +20 (msg +36) ignored: the PF uses the sender */
	uint8_t cnt_thres;          /**< +22 (msg +38) counter threshold value */
	uint8_t timer_thres;        /**< +23 (msg +39) timer value */
	uint16_t intr;              /**< +24 (msg +40) intr_id [10:0], intr_aggr [11] */
	uint16_t ringsz;            /**< +26 (msg +42) ring entries - 1 */
	uint16_t bufsz;             /**< +28 (msg +44) C2H buffer bytes */
	uint16_t cmpt_ringsz;       /**< +30 (msg +46) CMPT entries - 1 */
} __attribute__((packed));

/** QCTXT_WRT / QCTXT_RD / QCTXT_CLR / QCTXT_INV request (and the WRT/CLR/INV responses). */
struct qdma_mbox_qctxt {
	struct qdma_mbox_hdr hdr;          /**< +0 */
	uint16_t qid_hw;                   /**< +6 absolute queue id */
	uint8_t flags;                     /**< +8 QDMA_MBOX_QCTXT_F_*, cmpt_ctxt_type */
	uint8_t rsvd0[7];                  /**< +9 */
	struct qdma_mbox_descq_conf descq; /**< +16..+47 (WRT only) */
} __attribute__((packed));

/**
 * @name QCTXT_RD response blocks (4.6)
 *
 * The response carries the reference driver's context structs, one member per context field.
 * The reference gives each block's offset and size (4.6) and each context's fields (2.1-2.5),
 * not the members' types: svff lays the members out in the order of section 2 (the order of
 * qdma_hw_ctx.h's structs) with the types that hold each field at its widest (fnc_id is 12 bits
 * on EQDMA, so 16 bits here), naturally aligned as GCC x86-64 does (UNSURE beyond the block
 * offsets; this is the only place the choice is made). Members of EQDMA-only fields follow the
 * QDMA3.1 ones and are 0 on QDMA3.1 (rsvd below). Only the first 24 bytes of the 40-byte CMPT
 * block fit in the 128-byte message.
 * @{
 */
/** Software context block (+24, 56 bytes). */
struct qdma_mbox_rd_sw {
	uint16_t pidx;         /**< +0 */
	uint8_t irq_arm;       /**< +2 */
	uint8_t rsvd0;         /**< +3 (alignment) */
	uint16_t fnc_id;       /**< +4 */
	uint8_t qen;           /**< +6 */
	uint8_t fcrd_en;       /**< +7 */
	uint8_t wbi_chk;       /**< +8 */
	uint8_t wbi_intvl_en;  /**< +9 */
	uint8_t at;            /**< +10 */
	uint8_t fetch_max;     /**< +11 */
	uint8_t rngsz_idx;     /**< +12 */
	uint8_t desc_sz;       /**< +13 */
	uint8_t bypass;        /**< +14 */
	uint8_t mm_chn;        /**< +15 */
	uint8_t wbk_en;        /**< +16 */
	uint8_t irq_en;        /**< +17 */
	uint8_t port_id;       /**< +18 */
	uint8_t irq_no_last;   /**< +19 */
	uint8_t err;           /**< +20 (2 bits) */
	uint8_t err_wb_sent;   /**< +21 */
	uint8_t irq_req;       /**< +22 */
	uint8_t mrkr_dis;      /**< +23 */
	uint8_t is_mm;         /**< +24 */
	uint8_t rsvd1[7];      /**< +25 (alignment) */
	uint64_t ring_bs_addr; /**< +32 */
	uint16_t vec;          /**< +40 */
	uint8_t intr_aggr;     /**< +42 */
	uint8_t rsvd2[13];     /**< +43 EQDMA-only fields: 0 */
} __attribute__((packed));

/** Hardware context block (+80, 8 bytes). */
struct qdma_mbox_rd_hw {
	uint16_t cidx;     /**< +0 */
	uint16_t crd_use;  /**< +2 */
	uint8_t dsc_pnd;   /**< +4 */
	uint8_t idl_stp_b; /**< +5 */
	uint8_t evt_pnd;   /**< +6 */
	uint8_t fetch_pnd; /**< +7 */
} __attribute__((packed));

/** Credit context block (+88, 4 bytes). */
struct qdma_mbox_rd_cr {
	uint32_t credit; /**< +0 (16 bits used) */
} __attribute__((packed));

/** Prefetch context block (+92, 12 bytes). */
struct qdma_mbox_rd_pfch {
	uint8_t bypass;    /**< +0 */
	uint8_t bufsz_idx; /**< +1 */
	uint8_t port_id;   /**< +2 */
	uint8_t err;       /**< +3 */
	uint8_t pfch_en;   /**< +4 */
	uint8_t pfch;      /**< +5 */
	uint16_t sw_crdt;  /**< +6 */
	uint8_t valid;     /**< +8 */
	uint8_t rsvd0[3];  /**< +9 EQDMA-only fields / alignment: 0 */
} __attribute__((packed));

/** Completion context block (+104): its first 24 of 40 bytes, what fits the message. */
struct qdma_mbox_rd_cmpt {
	uint8_t en_stat_desc; /**< +0 */
	uint8_t en_int;       /**< +1 */
	uint8_t trig_mode;    /**< +2 */
	uint8_t rsvd0;        /**< +3 (alignment) */
	uint16_t fnc_id;      /**< +4 */
	uint8_t counter_idx;  /**< +6 */
	uint8_t timer_idx;    /**< +7 */
	uint8_t int_st;       /**< +8 */
	uint8_t color;        /**< +9 */
	uint8_t ringsz_idx;   /**< +10 */
	uint8_t rsvd1[5];     /**< +11 (alignment) */
	uint64_t bs_addr;     /**< +16 */
	/* desc_sz, pidx, cidx, valid, err, ... (+24..+39) are beyond the message */
} __attribute__((packed));
/** @} */

/** QCTXT_RD response (0x89). */
struct qdma_mbox_qctxt_rd_rsp {
	struct qdma_mbox_hdr hdr;      /**< +0 */
	uint16_t qid_hw;               /**< +6 */
	uint8_t flags;                 /**< +8 */
	uint8_t rsvd0[7];              /**< +9 */
	uint32_t qid2vec;              /**< +16 (0: QDMA3.1 has no qid2vec context) */
	uint16_t fmap_qbase;           /**< +20 */
	uint16_t fmap_qmax;            /**< +22 */
	struct qdma_mbox_rd_sw sw;     /**< +24 */
	struct qdma_mbox_rd_hw hw;     /**< +80 */
	struct qdma_mbox_rd_cr cr;     /**< +88 */
	struct qdma_mbox_rd_pfch pfch; /**< +92 */
	struct qdma_mbox_rd_cmpt cmpt; /**< +104 (truncated) */
} __attribute__((packed));

/**
 * Fill the context blocks of a QCTXT_RD response from decoded contexts (NULL: block left 0).
 * Other bytes of @p r are not touched.
 */
void qdma_mbox_qctxt_rd_fill(struct qdma_mbox_qctxt_rd_rsp *r, const struct qdma_sw_ctx *sw,
		const struct qdma_hw_ctx *hw, const struct qdma_credit_ctx *cr,
		const struct qdma_pfch_ctx *pfch, const struct qdma_cmpt_ctx *cmpt);

/** The interrupt (aggregation ring) context as carried in INTR_CTXT_* messages (32 bytes). */
struct qdma_mbox_ictxt {
	uint64_t ring_base; /**< +0 */
	uint16_t vec;       /**< +8 */
	uint16_t pidx;      /**< +10 */
	uint8_t valid;      /**< +12 */
	uint8_t int_st;     /**< +13 */
	uint8_t color;      /**< +14 */
	uint8_t page_size;  /**< +15 */
	uint8_t at;         /**< +16 */
	uint8_t host_id;    /**< +17 */
	uint8_t rsvd0[2];   /**< +18 */
	uint32_t pasid;     /**< +20 */
	uint8_t pasid_en;   /**< +24 */
	uint8_t rsvd1;      /**< +25 */
	uint16_t func_id;   /**< +26 */
	uint8_t rsvd2[4];   /**< +28 */
} __attribute__((packed));

/** INTR_CTXT_WRT / _RD / _CLR / _INV request and response. */
struct qdma_mbox_intr_ctxt {
	struct qdma_mbox_hdr hdr;      /**< +0 */
	uint8_t rsvd0[2];              /**< +6 */
	uint8_t num_rings;             /**< +8 always 1 */
	uint8_t rsvd1[3];              /**< +9 */
	uint32_t ring_index_list[1];   /**< +12 */
	struct qdma_mbox_ictxt ictxt;  /**< +16..+47 */
} __attribute__((packed));

/** Register groups of REG_LIST_READ (request +6). */
enum qdma_mbox_reg_group {
	QDMA_MBOX_REG_GROUP_0 = 0, /**< registers from 0x000 */
	QDMA_MBOX_REG_GROUP_1 = 1, /**< registers from 0x400 */
	QDMA_MBOX_REG_GROUP_2 = 2, /**< registers from 0xB00 */
	QDMA_MBOX_REG_GROUP_3 = 3, /**< registers from 0x1014 */
};

/** Maximum (addr, value) pairs in a REG_LIST_READ response. */
#define QDMA_MBOX_REG_LIST_MAX 14u

/** One (address, value) pair of REG_LIST_READ. */
struct qdma_mbox_reg_val {
	uint32_t addr; /**< register offset */
	uint32_t val;  /**< value read */
} __attribute__((packed));

/** REG_LIST_READ request (group) and response (num_regs, pairs). */
struct qdma_mbox_reg_list {
	struct qdma_mbox_hdr hdr;                             /**< +0 */
	uint16_t group;                                       /**< +6 enum qdma_mbox_reg_group */
	uint16_t num_regs;                                    /**< +8 */
	uint8_t rsvd0[2];                                     /**< +10 */
	struct qdma_mbox_reg_val regs[QDMA_MBOX_REG_LIST_MAX]; /**< +12..+123 */
} __attribute__((packed));

/** svff extension block of HELLO (request +16, response +28). */
struct qdma_mbox_svff_ext {
	uint32_t magic; /**< +0 @ref QDMA_MBOX_SVFF_MAGIC */
	uint32_t ext;   /**< +4 QDMA_MBOX_SVFF_EXT_* */
} __attribute__((packed));

/** Ring positions of one queue in a PAUSE answer (relative queue @c index of the entry). */
struct qdma_mbox_svff_qpos {
	uint16_t h2c_pidx;  /**< +0 last H2C pidx posted */
	uint16_t h2c_cidx;  /**< +2 H2C cidx the card reported */
	uint16_t c2h_pidx;  /**< +4 last C2H pidx posted */
	uint16_t cmpt_cidx; /**< +6 next completion the VF reads */
} __attribute__((packed));

/** PAUSE answer (0x95). */
struct qdma_mbox_svff_pause_rsp {
	struct qdma_mbox_hdr hdr;  /**< +0 */
	uint16_t nb_q;             /**< +6 queues of the VF (positions of the first 14 follow) */
	uint32_t drained;          /**< +8 1: every H2C ring was consumed before the answer */
	uint32_t rsvd0;            /**< +12 */
	struct qdma_mbox_svff_qpos pos[QDMA_MBOX_SVFF_PAUSE_POS_MAX]; /**< +16..+127 */
} __attribute__((packed));

/** RESUME request (0x16): the VF's queue window from now on. */
struct qdma_mbox_svff_resume {
	struct qdma_mbox_hdr hdr; /**< +0 */
	uint8_t rsvd0[2];         /**< +6 */
	int32_t qbase;            /**< +8 */
	uint32_t qmax;            /**< +12 */
} __attribute__((packed));

/**
 * One mailbox message: 32 little-endian words. @c w[i] is MSG_IN/MSG_OUT word i.
 * Little-endian hosts only (as the IP and the drivers).
 */
union qdma_mbox_msg {
	uint32_t w[QDMA_MBOX_MSG_WORDS];   /**< raw words as moved through the registers */
	uint8_t b[QDMA_MBOX_MSG_BYTES];    /**< raw bytes */
	struct qdma_mbox_hdr hdr;          /**< header of any message */
	struct qdma_mbox_fmap_msg fmap;    /**< HELLO req, FMAP req/rsp, QREQ req/rsp */
	struct qdma_mbox_hello_rsp hello;  /**< HELLO rsp */
	struct qdma_mbox_csr_rsp csr;      /**< CSR rsp (the request is header only) */
	struct qdma_mbox_qnotify qnotify;  /**< QNOTIFY_ADD/DEL */
	struct qdma_mbox_qactive_cnt qactive; /**< GET_QACTIVE_CNT rsp */
	struct qdma_mbox_qctxt qctxt;      /**< QCTXT_* req */
	struct qdma_mbox_qctxt_rd_rsp qctxt_rd; /**< QCTXT_RD rsp */
	struct qdma_mbox_intr_ctxt intr_ctxt; /**< INTR_CTXT_* */
	struct qdma_mbox_reg_list reg_list; /**< REG_LIST_READ */
	struct qdma_mbox_svff_pause_rsp svff_pause; /**< svff PAUSE answer */
	struct qdma_mbox_svff_resume svff_resume;   /**< svff RESUME request */
};

_Static_assert(sizeof(struct qdma_mbox_hdr) == 6, "mbox hdr");
_Static_assert(offsetof(struct qdma_mbox_hdr, status) == 1, "hdr.status");
_Static_assert(offsetof(struct qdma_mbox_hdr, src_func_id) == 2, "hdr.src_func_id");
_Static_assert(offsetof(struct qdma_mbox_hdr, dst_func_id) == 4, "hdr.dst_func_id");
_Static_assert(offsetof(struct qdma_mbox_fmap_msg, qbase) == 8, "fmap.qbase");
_Static_assert(offsetof(struct qdma_mbox_fmap_msg, qmax) == 12, "fmap.qmax");
_Static_assert(sizeof(struct qdma_mbox_dev_cap) == 8, "dev_cap size");
_Static_assert(offsetof(struct qdma_mbox_dev_cap, num_qs) == 2, "dev_cap.num_qs");
_Static_assert(offsetof(struct qdma_mbox_dev_cap, flags) == 4, "dev_cap.flags");
_Static_assert(offsetof(struct qdma_mbox_dev_cap, mm_channel_max) == 5, "dev_cap.mm_ch_max");
_Static_assert(offsetof(struct qdma_mbox_dev_cap, cap_flags) == 6, "dev_cap.cap_flags");
_Static_assert(offsetof(struct qdma_mbox_hello_rsp, qbase) == 8, "hello.qbase");
_Static_assert(offsetof(struct qdma_mbox_hello_rsp, qmax) == 12, "hello.qmax");
_Static_assert(offsetof(struct qdma_mbox_hello_rsp, cap) == 16, "hello.cap");
_Static_assert(offsetof(struct qdma_mbox_hello_rsp, dma_device_index) == 24, "hello.ddi");
_Static_assert(offsetof(struct qdma_mbox_csr_rsp, ringsz) == 6, "csr.ringsz");
_Static_assert(offsetof(struct qdma_mbox_csr_rsp, bufsz) == 38, "csr.bufsz");
_Static_assert(offsetof(struct qdma_mbox_csr_rsp, timer_cnt) == 70, "csr.timer_cnt");
_Static_assert(offsetof(struct qdma_mbox_csr_rsp, cnt_thres) == 86, "csr.cnt_thres");
_Static_assert(offsetof(struct qdma_mbox_csr_rsp, wb_intvl) == 102, "csr.wb_intvl");
_Static_assert(offsetof(struct qdma_mbox_qnotify, qid_hw) == 6, "qnotify.qid_hw");
_Static_assert(offsetof(struct qdma_mbox_qnotify, q_type) == 8, "qnotify.q_type");
_Static_assert(offsetof(struct qdma_mbox_qactive_cnt, h2c) == 8, "qactive.h2c");
_Static_assert(offsetof(struct qdma_mbox_qactive_cnt, c2h) == 12, "qactive.c2h");
_Static_assert(offsetof(struct qdma_mbox_qactive_cnt, cmpt) == 16, "qactive.cmpt");
_Static_assert(sizeof(struct qdma_mbox_descq_conf) == 32, "descq_conf size");
_Static_assert(offsetof(struct qdma_mbox_qctxt, qid_hw) == 6, "qctxt.qid_hw");
_Static_assert(offsetof(struct qdma_mbox_qctxt, flags) == 8, "qctxt.flags");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq) == 16, "qctxt.descq");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.cmpt_ring_bs_addr) == 24, "descq.cmpt");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.flags) == 32, "descq.flags");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.func_id) == 36, "descq.func_id");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.cnt_thres) == 38, "descq.cnt_thres");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.timer_thres) == 39, "descq.timer_thres");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.intr) == 40, "descq.intr");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.ringsz) == 42, "descq.ringsz");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.bufsz) == 44, "descq.bufsz");
_Static_assert(offsetof(struct qdma_mbox_qctxt, descq.cmpt_ringsz) == 46, "descq.cmpt_ringsz");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, qid2vec) == 16, "qctxt_rd.qid2vec");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, fmap_qbase) == 20, "qctxt_rd.fmap");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, sw) == 24, "qctxt_rd.sw");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, hw) == 80, "qctxt_rd.hw");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, cr) == 88, "qctxt_rd.cr");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, pfch) == 92, "qctxt_rd.pfch");
_Static_assert(offsetof(struct qdma_mbox_qctxt_rd_rsp, cmpt) == 104, "qctxt_rd.cmpt");
_Static_assert(sizeof(struct qdma_mbox_rd_sw) == 56, "qctxt_rd sw block");
_Static_assert(offsetof(struct qdma_mbox_rd_sw, ring_bs_addr) == 32, "rd sw.ring_bs_addr");
_Static_assert(offsetof(struct qdma_mbox_rd_sw, vec) == 40, "rd sw.vec");
_Static_assert(sizeof(struct qdma_mbox_rd_hw) == 8, "qctxt_rd hw block");
_Static_assert(sizeof(struct qdma_mbox_rd_cr) == 4, "qctxt_rd credit block");
_Static_assert(sizeof(struct qdma_mbox_rd_pfch) == 12, "qctxt_rd pfch block");
_Static_assert(offsetof(struct qdma_mbox_rd_pfch, sw_crdt) == 6, "rd pfch.sw_crdt");
_Static_assert(sizeof(struct qdma_mbox_rd_cmpt) == 24, "qctxt_rd cmpt block (fitting part)");
_Static_assert(offsetof(struct qdma_mbox_rd_cmpt, bs_addr) == 16, "rd cmpt.bs_addr");
_Static_assert(sizeof(struct qdma_mbox_qctxt_rd_rsp) == 128, "qctxt_rd size");
_Static_assert(sizeof(struct qdma_mbox_ictxt) == 32, "ictxt size");
_Static_assert(offsetof(struct qdma_mbox_ictxt, vec) == 8, "ictxt.vec");
_Static_assert(offsetof(struct qdma_mbox_ictxt, pidx) == 10, "ictxt.pidx");
_Static_assert(offsetof(struct qdma_mbox_ictxt, valid) == 12, "ictxt.valid");
_Static_assert(offsetof(struct qdma_mbox_ictxt, int_st) == 13, "ictxt.int_st");
_Static_assert(offsetof(struct qdma_mbox_ictxt, color) == 14, "ictxt.color");
_Static_assert(offsetof(struct qdma_mbox_ictxt, page_size) == 15, "ictxt.page_size");
_Static_assert(offsetof(struct qdma_mbox_ictxt, at) == 16, "ictxt.at");
_Static_assert(offsetof(struct qdma_mbox_ictxt, host_id) == 17, "ictxt.host_id");
_Static_assert(offsetof(struct qdma_mbox_ictxt, pasid) == 20, "ictxt.pasid");
_Static_assert(offsetof(struct qdma_mbox_ictxt, pasid_en) == 24, "ictxt.pasid_en");
_Static_assert(offsetof(struct qdma_mbox_ictxt, func_id) == 26, "ictxt.func_id");
_Static_assert(offsetof(struct qdma_mbox_intr_ctxt, num_rings) == 8, "intr.num_rings");
_Static_assert(offsetof(struct qdma_mbox_intr_ctxt, ring_index_list) == 12, "intr.ring_idx");
_Static_assert(offsetof(struct qdma_mbox_intr_ctxt, ictxt) == 16, "intr.ictxt");
_Static_assert(offsetof(struct qdma_mbox_reg_list, group) == 6, "reg_list.group");
_Static_assert(offsetof(struct qdma_mbox_reg_list, num_regs) == 8, "reg_list.num_regs");
_Static_assert(offsetof(struct qdma_mbox_reg_list, regs) == 12, "reg_list.regs");
_Static_assert(sizeof(struct qdma_mbox_reg_list) == 124, "reg_list size");
_Static_assert(QDMA_MBOX_OP_SVFF_PAUSE > QDMA_MBOX_OP_XILINX_MAX, "svff op outside Xilinx");
_Static_assert(QDMA_MBOX_OP_SVFF_RESUME > QDMA_MBOX_OP_XILINX_MAX, "svff op outside Xilinx");
_Static_assert(QDMA_MBOX_OP_SVFF_RESUME < QDMA_MBOX_OP_RSP, "svff op is a request");
_Static_assert(QDMA_MBOX_OP_SVFF_RESTORE < QDMA_MBOX_OP_RSP, "svff op is a request");
_Static_assert(sizeof(struct qdma_mbox_svff_ext) == 8, "svff ext size");
_Static_assert(QDMA_MBOX_SVFF_HELLO_REQ_OFF >= sizeof(struct qdma_mbox_fmap_msg), "ext req");
_Static_assert(QDMA_MBOX_SVFF_HELLO_RSP_OFF >= sizeof(struct qdma_mbox_hello_rsp), "ext rsp");
_Static_assert(sizeof(struct qdma_mbox_svff_qpos) == 8, "svff qpos");
_Static_assert(offsetof(struct qdma_mbox_svff_pause_rsp, nb_q) == 6, "svff pause.nb_q");
_Static_assert(offsetof(struct qdma_mbox_svff_pause_rsp, drained) == 8, "svff pause.drained");
_Static_assert(offsetof(struct qdma_mbox_svff_pause_rsp, pos) == 16, "svff pause.pos");
_Static_assert(sizeof(struct qdma_mbox_svff_pause_rsp) == 128, "svff pause size");
_Static_assert(offsetof(struct qdma_mbox_svff_resume, qbase) == 8, "svff resume.qbase");
_Static_assert(offsetof(struct qdma_mbox_svff_resume, qmax) == 12, "svff resume.qmax");
_Static_assert(sizeof(union qdma_mbox_msg) == QDMA_MBOX_MSG_BYTES, "mbox msg size");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "QDMA layouts are little-endian");

/** Initialise @p m to an all-zero message with the given header. */
static inline void
qdma_mbox_msg_init(union qdma_mbox_msg *m, uint8_t op, uint16_t src, uint16_t dst)
{
	unsigned i;

	for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		m->w[i] = 0;
	m->hdr.op = op;
	m->hdr.src_func_id = src;
	m->hdr.dst_func_id = dst;
}

/**
 * Turn request @p m into its response in place: op += 0x80, src/dst swapped (src = @p self),
 * status = @p status. The payload is left as is for the responder to fill.
 */
static inline void
qdma_mbox_msg_make_rsp(union qdma_mbox_msg *m, uint16_t self, int status)
{
	uint16_t requester = m->hdr.src_func_id;

	m->hdr.op = qdma_mbox_op_rsp(m->hdr.op);
	m->hdr.status = (int8_t)status;
	m->hdr.dst_func_id = requester;
	m->hdr.src_func_id = self;
}

/** True if all 32 words of @p m are zero (the "broken mailbox" condition, error -25). */
static inline int
qdma_mbox_msg_is_zero(const union qdma_mbox_msg *m)
{
	unsigned i;

	for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		if (m->w[i] != 0)
			return 0;
	return 1;
}

/**
 * @name Validation of a VF's message (qdma_hw_mbox.c)
 *
 * What a message can be checked for on its own, before a PF looks at any state: the op is one a
 * VF sends its PF, every field it carries is in range, reserved bits of the fields a PF reads are
 * 0, the combination of flags names contexts that exist. No state: ownership, "HELLO first" and
 * the PF's own policy (bypass, interrupts, MM) are checked by the PF afterwards.
 * @{
 */

/** What the validator needs to know of the receiving PF (plain values, no state). */
struct qdma_mbox_limits {
	uint32_t num_qs;          /**< queue space: every qid, ring index and window lies in it */
	uint32_t max_qs_per_fn;   /**< most queues a QREQ may ask for */
	const uint32_t *ring_sz;  /**< GLBL_RNG_SZ values (16) */
	const uint32_t *buf_sz;   /**< C2H_BUF_SZ values (16) */
	const uint32_t *timer_cnt; /**< C2H_TIMER_CNT values (16) */
	const uint32_t *cnt_th;   /**< C2H_CNT_TH values (16) */
};

/** Verdict of qdma_mbox_validate_vf_msg(): not a message a VF sends its PF; dropped unanswered. */
#define QDMA_MBOX_VERDICT_IGNORE 1

/** Highest valid bit of descq_conf.flags ([22:20] trigger mode). */
#define QDMA_DESCQ_FLAGS_VALID_MASK 0x007FFFFFu
/** Valid bits of descq_conf.intr. */
#define QDMA_DESCQ_INTR_VALID_MASK (QDMA_DESCQ_INTR_ID_MASK | QDMA_DESCQ_INTR_AGGR)
/** Valid bits of the QCTXT_* flags byte. */
#define QDMA_MBOX_QCTXT_FLAGS_VALID_MASK 0x0Fu
/** Interrupt rings per INTR_CTXT_* message (4.6: always 1). */
#define QDMA_MBOX_INTR_RINGS 1u
/** Largest page_size of an interrupt ring (2.6: 7 = 32 KiB). */
#define QDMA_INTR_PAGE_SIZE_MAX 7u
/** Largest interrupt-ring pidx (2.6: W2[17:6], 12 bits). */
#define QDMA_INTR_PIDX_MAX 0xFFFu

/**
 * Check the @p len bytes at @p msg (a message received from a VF) against the message layouts
 * and @p lim. Reads at most QDMA_MBOX_MSG_BYTES bytes of @p msg and nothing beyond @p len.
 *
 * @return @ref QDMA_MBOX_OK: well-formed; a negative enum qdma_mbox_status: the status to
 *   answer with (the message must change nothing); @ref QDMA_MBOX_VERDICT_IGNORE: unknown op or
 *   a PF->VF request, to drop unanswered. A message shorter than QDMA_MBOX_MSG_BYTES, or
 *   @p lim without tables, gives @ref QDMA_MBOX_ERR_INV_MSG.
 */
int qdma_mbox_validate_vf_msg(const uint8_t *msg, size_t len, const struct qdma_mbox_limits *lim);

/**
 * Registers a PF answers to REG_LIST_READ of @p group (4.6: groups from 0x000, 0x400, 0xB00,
 * 0x1014), in address order, at most @ref QDMA_MBOX_REG_LIST_MAX. @p st_en / @p mm_en: the
 * card's capabilities (registers of an absent engine are left out).
 *
 * The reference states that the PF answers its registers marked VF-readable, without the list.
 * svff's reading, one rule over the register map of 1.2-1.4 (UNSURE): VF-readable are the IP's
 * identity and capabilities and the global settings a VF's queues run under (transfer sizes,
 * writeback interval, the C2H tables and the engine settings the master PF programs, MM channel
 * run control); not the PF's own PCIe/BAR configuration, FMAP, the indirect-context interface,
 * error status/logs, counters or debug registers (they describe the PF or other functions).
 * A group answers those in [its start, the next group's start).
 *
 * @return the number of addresses written to @p addr (0 for an unknown group).
 */
unsigned int qdma_mbox_reg_group(unsigned int group, int st_en, int mm_en,
		uint32_t addr[QDMA_MBOX_REG_LIST_MAX]);

/** Interrupt context of an INTR_CTXT_WRT request as the IP's context (2.6). */
void qdma_mbox_ictxt_to_ctx(const struct qdma_mbox_ictxt *m, struct qdma_intr_ctx *c);
/** An interrupt context (2.6) as carried in an INTR_CTXT_RD response. */
void qdma_mbox_ictxt_from_ctx(const struct qdma_intr_ctx *c, struct qdma_mbox_ictxt *m);
/** @} */

#endif /* QDMA_HW_MBOX_H */
