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
 *
 * Bit positions are stated once, in the layout tables of qdma_hw_ctx.c (struct
 * qdma_ctx_layout, exported below for tests and tools); the member comments here say what a
 * field means, not where it is.
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
	uint16_t pidx;        /**< producer index (drivers write 0) */
	uint8_t irq_arm;      /**< interrupt armed */
	uint16_t fnc_id;      /**< owning function (8 bits) */
	uint8_t qen;          /**< queue enable */
	uint8_t fcrd_en;      /**< fetch-credit enable */
	uint8_t wbi_chk;      /**< writeback/interrupt when idle */
	uint8_t wbi_intvl_en; /**< writeback/interrupt every GLBL_DSC_CFG interval */
	uint8_t at;           /**< address translation */
	uint8_t fetch_max;    /**< max outstanding fetches */
	uint8_t rngsz_idx;    /**< index into GLBL_RNG_SZ */
	uint8_t desc_sz;      /**< enum qdma_desc_sz */
	uint8_t bypass;       /**< descriptor bypass */
	uint8_t mm_chn;       /**< MM channel */
	uint8_t wbk_en;       /**< status writeback enable */
	uint8_t irq_en;       /**< interrupt enable */
	uint8_t port_id;      /**< port id */
	uint8_t irq_no_last;  /**< HW state */
	uint8_t err;          /**< HW state */
	uint8_t err_wb_sent;  /**< writeback/interrupt sent for the error */
	uint8_t irq_req;      /**< interrupt due to error pending */
	uint8_t mrkr_dis;     /**< marker disable */
	uint8_t is_mm;        /**< memory-mapped queue */
	uint64_t ring_base;   /**< ring base address */
	uint16_t vec;         /**< MSI-X vector / interrupt ring */
	uint8_t intr_aggr;    /**< interrupt aggregation */
};

/** Hardware context, sel 2 (C2H) / 3 (H2C), 2 words (2.2). */
struct qdma_hw_ctx {
	uint16_t cidx;     /**< HW consumer index */
	uint16_t crd_use;  /**< credits consumed */
	uint8_t dsc_pnd;   /**< descriptors pending */
	uint8_t idl_stp_b; /**< invalid and nothing pending */
	uint8_t evt_pnd;   /**< event pending */
	uint8_t fetch_pnd; /**< fetches pending */
};

/** Credit context, sel 4 (C2H) / 5 (H2C), 1 word (2.3). */
struct qdma_credit_ctx {
	uint16_t credit; /**< fetch credits received */
};

/** C2H prefetch context, sel 7, 2 words (2.4). */
struct qdma_pfch_ctx {
	uint8_t bypass;    /**< prefetch ("simple") bypass */
	uint8_t bufsz_idx; /**< index into C2H_BUF_SZ */
	uint8_t port_id;   /**< port id */
	uint8_t err;       /**< error (HW state) */
	uint8_t pfch_en;   /**< prefetch enable */
	uint8_t pfch;      /**< queue currently in prefetch */
	uint16_t sw_crdt;  /**< software credits (split over two words) */
	uint8_t valid;     /**< context valid */
};

/**
 * Completion (CMPT) context, sel 6, 5 words (2.5).
 *
 * The base address is split over W1 and W2 (see the layout). svff requires @c base_addr to be
 * 4 KiB aligned (encode returns -ERANGE otherwise), as the QDMA3.1 driver only programs bits >= 12.
 * The meaning of W1[5:0] is UNSURE in the reference (possibly base[11:6]); encode writes 0 there
 * and decode ignores it.
 */
struct qdma_cmpt_ctx {
	uint8_t en_stat_desc;   /**< write CMPT status descriptor */
	uint8_t en_int;         /**< interrupt enable */
	uint8_t trig_mode;      /**< enum qdma_cmpt_trig */
	uint16_t fnc_id;        /**< (8 bits) */
	uint8_t counter_idx;    /**< into C2H_CNT_TH */
	uint8_t timer_idx;      /**< into C2H_TIMER_CNT */
	uint8_t int_st;         /**< interrupt state */
	uint8_t color;          /**< (drivers write 1) */
	uint8_t ringsz_idx;     /**< into GLBL_RNG_SZ */
	uint64_t base_addr;     /**< byte address, 4 KiB aligned (see above) */
	uint8_t desc_sz;        /**< enum qdma_cmpt_sz (entry size) */
	uint16_t pidx;          /**< producer index (split over two words) */
	uint16_t cidx;          /**< consumer index */
	uint8_t valid;          /**< context valid */
	uint8_t err;            /**< error (HW state) */
	uint8_t user_trig_pend; /**< user trigger pending */
	uint8_t timer_running;  /**< timer running */
	uint8_t full_upd;       /**< full update */
	uint8_t ovf_chk_dis;    /**< disable overflow check */
	uint8_t at;             /**< address translation */
	uint16_t vec;           /**< MSI-X vector / interrupt ring */
	uint8_t int_aggr;       /**< interrupt aggregation */
};

/**
 * Interrupt (aggregation ring) context, sel 8, indexed by ring number, 3 words (2.6).
 *
 * The base address is split over W0..W2 (see the layout); the ring is
 * 4 KiB aligned (encode returns -ERANGE otherwise).
 */
struct qdma_intr_ctx {
	uint8_t valid;      /**< context valid */
	uint16_t vec;       /**< MSI-X vector */
	uint8_t int_st;     /**< interrupt state */
	uint8_t color;      /**< color */
	uint64_t base_addr; /**< byte address, 4 KiB aligned */
	uint8_t page_size;  /**< 0 = 4 KiB (512 entries) ... 7 = 32 KiB */
	uint16_t pidx;      /**< producer index */
	uint8_t at;         /**< address translation */
};

/** Function map, sel 12, qid = function number, 2 words (1.5). */
struct qdma_fmap_ctx {
	uint16_t qbase; /**< absolute first queue */
	uint16_t qmax;  /**< number of queues (0 = none) */
};

/** One piece of a context field: where bits of a struct member live in the data words. */
struct qdma_ctx_field {
	const char *name;  /**< the member's name */
	uint16_t off;      /**< offsetof the member */
	uint8_t size;      /**< sizeof the member (1, 2, 4, 8) */
	uint8_t word;      /**< data word Wn */
	uint8_t lo;        /**< first bit in the word */
	uint8_t width;     /**< bits */
	uint8_t vlo;       /**< first bit of the member's value held here (split fields) */
};

/** A context type: its fields (the one statement of their positions) and sizes. */
struct qdma_ctx_layout {
	const char *name;                    /**< the struct's name */
	const struct qdma_ctx_field *fields; /**< pieces, in word/bit order */
	unsigned nb_fields;                  /**< entries in @p fields */
	unsigned words;                      /**< data words of the context */
	unsigned size;                       /**< sizeof the struct */
};

/** Largest context struct (for generic code holding any of them). */
#define QDMA_CTX_MAX_STRUCT 64u

/** @name Layouts (qdma_hw_ctx.c) @{ */
extern const struct qdma_ctx_layout qdma_sw_ctx_layout;
extern const struct qdma_ctx_layout qdma_hw_ctx_layout;
extern const struct qdma_ctx_layout qdma_credit_ctx_layout;
extern const struct qdma_ctx_layout qdma_pfch_ctx_layout;
extern const struct qdma_ctx_layout qdma_cmpt_ctx_layout;
extern const struct qdma_ctx_layout qdma_intr_ctx_layout;
extern const struct qdma_ctx_layout qdma_fmap_ctx_layout;
/** @} */

/**
 * Generic encode of struct @p c of layout @p l into @p w (l->words words). @return 0, or -ERANGE
 * when a member does not fit its fields (too wide, or bits below a split base's first piece
 * set); @p w is then untouched.
 */
int qdma_ctx_encode(const struct qdma_ctx_layout *l, const void *c, uint32_t *w);
/** Generic decode of @p w into struct @p c of layout @p l (every member set). */
void qdma_ctx_decode(const struct qdma_ctx_layout *l, const uint32_t *w, void *c);

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
