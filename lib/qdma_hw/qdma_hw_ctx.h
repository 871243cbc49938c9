/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * QDMA3.1 queue contexts, bit-exact (qdma-reference.md section 2).
 *
 * Contexts are read and written through the indirect interface (qdma_hw_regs.h: IND_CTXT_DATA[n]
 * = word Wn, IND_CTXT_CMD with enum qdma_ind_sel). Each context type has a plain struct with one
 * member per field and a pair of functions:
 *
 *  - qdma_<ctx>_ctx_encode(c, w): writes the context's data words. Every field must fit its bit
 *    width (and the CMPT / interrupt ring bases must be 4 KiB aligned); otherwise -ERANGE is
 *    returned and @p w is left untouched. Reserved bits are written as 0. Returns 0 on success.
 *  - qdma_<ctx>_ctx_decode(w, c): fills every member from the words; reserved bits are ignored.
 *
 * Flag members are uint8_t holding 0 or 1 (anything else is -ERANGE on encode).
 */
#ifndef QDMA_HW_CTX_H
#define QDMA_HW_CTX_H

#include <stdint.h>

#include "qdma_hw_desc.h"
#include "qdma_hw_regs.h"

/** Size of the indirect DATA window (IND_CTXT_DATA[0..7]). */
#define QDMA_CTX_MAX_WORDS 8u

/** @name Data words per context type (QDMA3.1) @{ */
#define QDMA_SW_CTX_WORDS 5u
#define QDMA_HW_CTX_WORDS 2u
#define QDMA_CREDIT_CTX_WORDS 1u
#define QDMA_PFCH_CTX_WORDS 2u
#define QDMA_CMPT_CTX_WORDS 5u
#define QDMA_INTR_CTX_WORDS 3u
#define QDMA_FMAP_CTX_WORDS 2u
/** @} */

/**
 * Data words of the context selected by @p sel (enum qdma_ind_sel), or 0 for selectors svff does
 * not model (PASID RAM, TIMER) and invalid ones.
 */
unsigned qdma_ctx_words(unsigned sel);

/**
 * Software descriptor context, sel 0 (C2H) / 1 (H2C), 5 words (2.1).
 */
struct qdma_sw_ctx {
	uint16_t pidx;        /**< W0[15:0] producer index (drivers write 0) */
	uint8_t irq_arm;      /**< W0[16] interrupt armed */
	uint16_t fnc_id;      /**< W0[24:17] owning function (8 bits) */
	uint8_t qen;          /**< W1[0] queue enable */
	uint8_t fcrd_en;      /**< W1[1] fetch-credit enable */
	uint8_t wbi_chk;      /**< W1[2] writeback/interrupt when idle */
	uint8_t wbi_intvl_en; /**< W1[3] writeback/interrupt every GLBL_DSC_CFG interval */
	uint8_t at;           /**< W1[4] address translation */
	uint8_t fetch_max;    /**< W1[7:5] max outstanding fetches */
	uint8_t rngsz_idx;    /**< W1[15:12] index into GLBL_RNG_SZ */
	uint8_t desc_sz;      /**< W1[17:16] enum qdma_desc_sz */
	uint8_t bypass;       /**< W1[18] descriptor bypass */
	uint8_t mm_chn;       /**< W1[19] MM channel */
	uint8_t wbk_en;       /**< W1[20] status writeback enable */
	uint8_t irq_en;       /**< W1[21] interrupt enable */
	uint8_t port_id;      /**< W1[24:22] */
	uint8_t irq_no_last;  /**< W1[25] HW state */
	uint8_t err;          /**< W1[27:26] HW state */
	uint8_t err_wb_sent;  /**< W1[28] */
	uint8_t irq_req;      /**< W1[29] */
	uint8_t mrkr_dis;     /**< W1[30] marker disable */
	uint8_t is_mm;        /**< W1[31] memory-mapped queue */
	uint64_t ring_base;   /**< W2 = base[31:0], W3 = base[63:32] */
	uint16_t vec;         /**< W4[10:0] MSI-X vector / interrupt ring */
	uint8_t intr_aggr;    /**< W4[11] interrupt aggregation */
};

/** Hardware context, sel 2 (C2H) / 3 (H2C), 2 words (2.2). */
struct qdma_hw_ctx {
	uint16_t cidx;     /**< W0[15:0] HW consumer index */
	uint16_t crd_use;  /**< W0[31:16] credits consumed */
	uint8_t dsc_pnd;   /**< W1[8] descriptors pending */
	uint8_t idl_stp_b; /**< W1[9] invalid and nothing pending */
	uint8_t evt_pnd;   /**< W1[10] event pending */
	uint8_t fetch_pnd; /**< W1[14:11] fetches pending */
};

/** Credit context, sel 4 (C2H) / 5 (H2C), 1 word (2.3). */
struct qdma_credit_ctx {
	uint16_t credit; /**< W0[15:0] fetch credits received */
};

/** C2H prefetch context, sel 7, 2 words (2.4). */
struct qdma_pfch_ctx {
	uint8_t bypass;    /**< W0[0] prefetch ("simple") bypass */
	uint8_t bufsz_idx; /**< W0[4:1] index into C2H_BUF_SZ */
	uint8_t port_id;   /**< W0[7:5] */
	uint8_t err;       /**< W0[26] */
	uint8_t pfch_en;   /**< W0[27] prefetch enable */
	uint8_t pfch;      /**< W0[28] queue currently in prefetch */
	uint16_t sw_crdt;  /**< W0[31:29] = sw_crdt[2:0], W1[12:0] = sw_crdt[15:3] */
	uint8_t valid;     /**< W1[13] */
};

/**
 * Completion (CMPT) context, sel 6, 5 words (2.5).
 *
 * Base address: W1[31:6] = base[37:12], W2[25:0] = base[63:38]. svff requires @c base_addr to be
 * 4 KiB aligned (encode returns -ERANGE otherwise), as the QDMA3.1 driver only programs bits >= 12.
 * The meaning of W1[5:0] is UNSURE in the reference (possibly base[11:6]); encode writes 0 there
 * and decode ignores it.
 */
struct qdma_cmpt_ctx {
	uint8_t en_stat_desc;   /**< W0[0] write CMPT status descriptor */
	uint8_t en_int;         /**< W0[1] */
	uint8_t trig_mode;      /**< W0[4:2] enum qdma_cmpt_trig */
	uint16_t fnc_id;        /**< W0[12:5] (8 bits) */
	uint8_t counter_idx;    /**< W0[20:17] into C2H_CNT_TH */
	uint8_t timer_idx;      /**< W0[24:21] into C2H_TIMER_CNT */
	uint8_t int_st;         /**< W0[26:25] interrupt state */
	uint8_t color;          /**< W0[27] (drivers write 1) */
	uint8_t ringsz_idx;     /**< W0[31:28] into GLBL_RNG_SZ */
	uint64_t base_addr;     /**< byte address, 4 KiB aligned (see above) */
	uint8_t desc_sz;        /**< W2[27:26] enum qdma_cmpt_sz (entry size) */
	uint16_t pidx;          /**< W2[31:28] = pidx[3:0], W3[11:0] = pidx[15:4] */
	uint16_t cidx;          /**< W3[27:12] */
	uint8_t valid;          /**< W3[28] */
	uint8_t err;            /**< W3[30:29] */
	uint8_t user_trig_pend; /**< W3[31] */
	uint8_t timer_running;  /**< W4[0] */
	uint8_t full_upd;       /**< W4[1] */
	uint8_t ovf_chk_dis;    /**< W4[2] disable overflow check */
	uint8_t at;             /**< W4[3] */
	uint16_t vec;           /**< W4[14:4] */
	uint8_t int_aggr;       /**< W4[15] */
};

/**
 * Interrupt (aggregation ring) context, sel 8, indexed by ring number, 3 words (2.6).
 *
 * Base address: W0[31:15] = base[28:12], W1 = base[60:29], W2[2:0] = base[63:61]; the ring is
 * 4 KiB aligned (encode returns -ERANGE otherwise).
 */
struct qdma_intr_ctx {
	uint8_t valid;      /**< W0[0] */
	uint16_t vec;       /**< W0[11:1] MSI-X vector */
	uint8_t int_st;     /**< W0[13] */
	uint8_t color;      /**< W0[14] */
	uint64_t base_addr; /**< byte address, 4 KiB aligned */
	uint8_t page_size;  /**< W2[5:3] 0 = 4 KiB (512 entries) ... 7 = 32 KiB */
	uint16_t pidx;      /**< W2[17:6] */
	uint8_t at;         /**< W2[18] */
};

/** Function map, sel 12, qid = function number, 2 words (1.5). */
struct qdma_fmap_ctx {
	uint16_t qbase; /**< W0[10:0] absolute first queue */
	uint16_t qmax;  /**< W1[11:0] number of queues (0 = none) */
};

/** @name Field limits worth knowing outside the codec @{ */
#define QDMA_CTX_FNC_ID_MAX 0xFFu      /**< 8-bit fnc_id (SW, CMPT) */
#define QDMA_CTX_VEC_MAX 0x7FFu        /**< 11-bit vectors */
#define QDMA_FMAP_QBASE_MAX 0x7FFu     /**< 11-bit qbase */
#define QDMA_FMAP_QMAX_MAX 0xFFFu      /**< 12-bit qmax */
#define QDMA_CTX_RING_ALIGN 4096u      /**< CMPT / interrupt ring base alignment */
/** @} */

int qdma_sw_ctx_encode(const struct qdma_sw_ctx *c, uint32_t w[QDMA_SW_CTX_WORDS]);
void qdma_sw_ctx_decode(const uint32_t w[QDMA_SW_CTX_WORDS], struct qdma_sw_ctx *c);

int qdma_hw_ctx_encode(const struct qdma_hw_ctx *c, uint32_t w[QDMA_HW_CTX_WORDS]);
void qdma_hw_ctx_decode(const uint32_t w[QDMA_HW_CTX_WORDS], struct qdma_hw_ctx *c);

int qdma_credit_ctx_encode(const struct qdma_credit_ctx *c, uint32_t w[QDMA_CREDIT_CTX_WORDS]);
void qdma_credit_ctx_decode(const uint32_t w[QDMA_CREDIT_CTX_WORDS], struct qdma_credit_ctx *c);

int qdma_pfch_ctx_encode(const struct qdma_pfch_ctx *c, uint32_t w[QDMA_PFCH_CTX_WORDS]);
void qdma_pfch_ctx_decode(const uint32_t w[QDMA_PFCH_CTX_WORDS], struct qdma_pfch_ctx *c);

int qdma_cmpt_ctx_encode(const struct qdma_cmpt_ctx *c, uint32_t w[QDMA_CMPT_CTX_WORDS]);
void qdma_cmpt_ctx_decode(const uint32_t w[QDMA_CMPT_CTX_WORDS], struct qdma_cmpt_ctx *c);

int qdma_intr_ctx_encode(const struct qdma_intr_ctx *c, uint32_t w[QDMA_INTR_CTX_WORDS]);
void qdma_intr_ctx_decode(const uint32_t w[QDMA_INTR_CTX_WORDS], struct qdma_intr_ctx *c);

int qdma_fmap_ctx_encode(const struct qdma_fmap_ctx *c, uint32_t w[QDMA_FMAP_CTX_WORDS]);
void qdma_fmap_ctx_decode(const uint32_t w[QDMA_FMAP_CTX_WORDS], struct qdma_fmap_ctx *c);

#endif /* QDMA_HW_CTX_H */
