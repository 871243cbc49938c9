/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Encode/decode of the QDMA3.1 queue contexts (qdma-reference.md section 2).
 */
#include <errno.h>
#include <string.h>

#include "qdma_hw_ctx.h"

/* True if v fits in an unsigned field of `bits` bits (bits < 64). */
#define FITS(v, bits) ((((uint64_t)(v)) >> (bits)) == 0)
/* Place v at bit lo of a word (v already range-checked). */
#define PUT(v, lo) (((uint32_t)(v)) << (lo))
/* Extract `bits` bits (< 32) at bit lo of word w. */
#define GET(w, lo, bits) (((w) >> (lo)) & ((1u << (bits)) - 1u))

unsigned
qdma_ctx_words(unsigned sel)
{
	switch (sel) {
	case QDMA_IND_SEL_SW_C2H:
	case QDMA_IND_SEL_SW_H2C:
		return QDMA_SW_CTX_WORDS;
	case QDMA_IND_SEL_HW_C2H:
	case QDMA_IND_SEL_HW_H2C:
		return QDMA_HW_CTX_WORDS;
	case QDMA_IND_SEL_CR_C2H:
	case QDMA_IND_SEL_CR_H2C:
		return QDMA_CREDIT_CTX_WORDS;
	case QDMA_IND_SEL_CMPT:
		return QDMA_CMPT_CTX_WORDS;
	case QDMA_IND_SEL_PFTCH:
		return QDMA_PFCH_CTX_WORDS;
	case QDMA_IND_SEL_INT_COAL:
		return QDMA_INTR_CTX_WORDS;
	case QDMA_IND_SEL_FMAP:
		return QDMA_FMAP_CTX_WORDS;
	default:
		return 0;
	}
}

/* ---- software descriptor context (2.1) ---------------------------------------------------- */

int
qdma_sw_ctx_encode(const struct qdma_sw_ctx *c, uint32_t w[QDMA_SW_CTX_WORDS])
{
	uint32_t t[QDMA_SW_CTX_WORDS];

	if (!FITS(c->irq_arm, 1) || !FITS(c->fnc_id, 8) || !FITS(c->qen, 1) ||
		!FITS(c->fcrd_en, 1) || !FITS(c->wbi_chk, 1) || !FITS(c->wbi_intvl_en, 1) ||
		!FITS(c->at, 1) || !FITS(c->fetch_max, 3) || !FITS(c->rngsz_idx, 4) ||
		!FITS(c->desc_sz, 2) || !FITS(c->bypass, 1) || !FITS(c->mm_chn, 1) ||
		!FITS(c->wbk_en, 1) || !FITS(c->irq_en, 1) || !FITS(c->port_id, 3) ||
		!FITS(c->irq_no_last, 1) || !FITS(c->err, 2) || !FITS(c->err_wb_sent, 1) ||
		!FITS(c->irq_req, 1) || !FITS(c->mrkr_dis, 1) || !FITS(c->is_mm, 1) ||
		!FITS(c->vec, 11) || !FITS(c->intr_aggr, 1))
		return -ERANGE;

	t[0] = PUT(c->pidx, 0) | PUT(c->irq_arm, 16) | PUT(c->fnc_id, 17);
	t[1] = PUT(c->qen, 0) | PUT(c->fcrd_en, 1) | PUT(c->wbi_chk, 2) | PUT(c->wbi_intvl_en, 3) |
	       PUT(c->at, 4) | PUT(c->fetch_max, 5) | PUT(c->rngsz_idx, 12) | PUT(c->desc_sz, 16) |
	       PUT(c->bypass, 18) | PUT(c->mm_chn, 19) | PUT(c->wbk_en, 20) | PUT(c->irq_en, 21) |
	       PUT(c->port_id, 22) | PUT(c->irq_no_last, 25) | PUT(c->err, 26) |
	       PUT(c->err_wb_sent, 28) | PUT(c->irq_req, 29) | PUT(c->mrkr_dis, 30) |
	       PUT(c->is_mm, 31);
	t[2] = (uint32_t)c->ring_base;
	t[3] = (uint32_t)(c->ring_base >> 32);
	t[4] = PUT(c->vec, 0) | PUT(c->intr_aggr, 11);
	memcpy(w, t, sizeof(t));
	return 0;
}

void
qdma_sw_ctx_decode(const uint32_t w[QDMA_SW_CTX_WORDS], struct qdma_sw_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->pidx = (uint16_t)GET(w[0], 0, 16);
	c->irq_arm = (uint8_t)GET(w[0], 16, 1);
	c->fnc_id = (uint16_t)GET(w[0], 17, 8);
	c->qen = (uint8_t)GET(w[1], 0, 1);
	c->fcrd_en = (uint8_t)GET(w[1], 1, 1);
	c->wbi_chk = (uint8_t)GET(w[1], 2, 1);
	c->wbi_intvl_en = (uint8_t)GET(w[1], 3, 1);
	c->at = (uint8_t)GET(w[1], 4, 1);
	c->fetch_max = (uint8_t)GET(w[1], 5, 3);
	c->rngsz_idx = (uint8_t)GET(w[1], 12, 4);
	c->desc_sz = (uint8_t)GET(w[1], 16, 2);
	c->bypass = (uint8_t)GET(w[1], 18, 1);
	c->mm_chn = (uint8_t)GET(w[1], 19, 1);
	c->wbk_en = (uint8_t)GET(w[1], 20, 1);
	c->irq_en = (uint8_t)GET(w[1], 21, 1);
	c->port_id = (uint8_t)GET(w[1], 22, 3);
	c->irq_no_last = (uint8_t)GET(w[1], 25, 1);
	c->err = (uint8_t)GET(w[1], 26, 2);
	c->err_wb_sent = (uint8_t)GET(w[1], 28, 1);
	c->irq_req = (uint8_t)GET(w[1], 29, 1);
	c->mrkr_dis = (uint8_t)GET(w[1], 30, 1);
	c->is_mm = (uint8_t)GET(w[1], 31, 1);
	c->ring_base = (uint64_t)w[2] | ((uint64_t)w[3] << 32);
	c->vec = (uint16_t)GET(w[4], 0, 11);
	c->intr_aggr = (uint8_t)GET(w[4], 11, 1);
}

/* ---- hardware context (2.2) --------------------------------------------------------------- */

int
qdma_hw_ctx_encode(const struct qdma_hw_ctx *c, uint32_t w[QDMA_HW_CTX_WORDS])
{
	if (!FITS(c->dsc_pnd, 1) || !FITS(c->idl_stp_b, 1) || !FITS(c->evt_pnd, 1) ||
		!FITS(c->fetch_pnd, 4))
		return -ERANGE;
	w[0] = PUT(c->cidx, 0) | PUT(c->crd_use, 16);
	w[1] = PUT(c->dsc_pnd, 8) | PUT(c->idl_stp_b, 9) | PUT(c->evt_pnd, 10) |
	       PUT(c->fetch_pnd, 11);
	return 0;
}

void
qdma_hw_ctx_decode(const uint32_t w[QDMA_HW_CTX_WORDS], struct qdma_hw_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cidx = (uint16_t)GET(w[0], 0, 16);
	c->crd_use = (uint16_t)GET(w[0], 16, 16);
	c->dsc_pnd = (uint8_t)GET(w[1], 8, 1);
	c->idl_stp_b = (uint8_t)GET(w[1], 9, 1);
	c->evt_pnd = (uint8_t)GET(w[1], 10, 1);
	c->fetch_pnd = (uint8_t)GET(w[1], 11, 4);
}

/* ---- credit context (2.3) ----------------------------------------------------------------- */

int
qdma_credit_ctx_encode(const struct qdma_credit_ctx *c, uint32_t w[QDMA_CREDIT_CTX_WORDS])
{
	w[0] = PUT(c->credit, 0);
	return 0;
}

void
qdma_credit_ctx_decode(const uint32_t w[QDMA_CREDIT_CTX_WORDS], struct qdma_credit_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->credit = (uint16_t)GET(w[0], 0, 16);
}

/* ---- prefetch context (2.4) --------------------------------------------------------------- */

int
qdma_pfch_ctx_encode(const struct qdma_pfch_ctx *c, uint32_t w[QDMA_PFCH_CTX_WORDS])
{
	if (!FITS(c->bypass, 1) || !FITS(c->bufsz_idx, 4) || !FITS(c->port_id, 3) ||
		!FITS(c->err, 1) || !FITS(c->pfch_en, 1) || !FITS(c->pfch, 1) ||
		!FITS(c->valid, 1))
		return -ERANGE;
	w[0] = PUT(c->bypass, 0) | PUT(c->bufsz_idx, 1) | PUT(c->port_id, 5) | PUT(c->err, 26) |
	       PUT(c->pfch_en, 27) | PUT(c->pfch, 28) | PUT(c->sw_crdt & 0x7u, 29);
	w[1] = PUT(c->sw_crdt >> 3, 0) | PUT(c->valid, 13);
	return 0;
}

void
qdma_pfch_ctx_decode(const uint32_t w[QDMA_PFCH_CTX_WORDS], struct qdma_pfch_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->bypass = (uint8_t)GET(w[0], 0, 1);
	c->bufsz_idx = (uint8_t)GET(w[0], 1, 4);
	c->port_id = (uint8_t)GET(w[0], 5, 3);
	c->err = (uint8_t)GET(w[0], 26, 1);
	c->pfch_en = (uint8_t)GET(w[0], 27, 1);
	c->pfch = (uint8_t)GET(w[0], 28, 1);
	c->sw_crdt = (uint16_t)(GET(w[0], 29, 3) | (GET(w[1], 0, 13) << 3));
	c->valid = (uint8_t)GET(w[1], 13, 1);
}

/* ---- completion context (2.5) ------------------------------------------------------------- */

int
qdma_cmpt_ctx_encode(const struct qdma_cmpt_ctx *c, uint32_t w[QDMA_CMPT_CTX_WORDS])
{
	uint32_t t[QDMA_CMPT_CTX_WORDS];
	uint64_t pg = c->base_addr >> 12;

	if ((c->base_addr & (QDMA_CTX_RING_ALIGN - 1u)) != 0)
		return -ERANGE;
	if (!FITS(c->en_stat_desc, 1) || !FITS(c->en_int, 1) || !FITS(c->trig_mode, 3) ||
		!FITS(c->fnc_id, 8) || !FITS(c->counter_idx, 4) || !FITS(c->timer_idx, 4) ||
		!FITS(c->int_st, 2) || !FITS(c->color, 1) || !FITS(c->ringsz_idx, 4) ||
		!FITS(c->desc_sz, 2) || !FITS(c->valid, 1) || !FITS(c->err, 2) ||
		!FITS(c->user_trig_pend, 1) || !FITS(c->timer_running, 1) ||
		!FITS(c->full_upd, 1) || !FITS(c->ovf_chk_dis, 1) || !FITS(c->at, 1) ||
		!FITS(c->vec, 11) || !FITS(c->int_aggr, 1))
		return -ERANGE;

	t[0] = PUT(c->en_stat_desc, 0) | PUT(c->en_int, 1) | PUT(c->trig_mode, 2) |
	       PUT(c->fnc_id, 5) | PUT(c->counter_idx, 17) | PUT(c->timer_idx, 21) |
	       PUT(c->int_st, 25) | PUT(c->color, 27) | PUT(c->ringsz_idx, 28);
	/* base[37:12] -> W1[31:6]; base[63:38] -> W2[25:0] */
	t[1] = PUT(pg & 0x3FFFFFFu, 6);
	t[2] = PUT((pg >> 26) & 0x3FFFFFFu, 0) | PUT(c->desc_sz, 26) | PUT(c->pidx & 0xFu, 28);
	t[3] = PUT(c->pidx >> 4, 0) | PUT(c->cidx, 12) | PUT(c->valid, 28) | PUT(c->err, 29) |
	       PUT(c->user_trig_pend, 31);
	t[4] = PUT(c->timer_running, 0) | PUT(c->full_upd, 1) | PUT(c->ovf_chk_dis, 2) |
	       PUT(c->at, 3) | PUT(c->vec, 4) | PUT(c->int_aggr, 15);
	memcpy(w, t, sizeof(t));
	return 0;
}

void
qdma_cmpt_ctx_decode(const uint32_t w[QDMA_CMPT_CTX_WORDS], struct qdma_cmpt_ctx *c)
{
	uint64_t pg;

	memset(c, 0, sizeof(*c));
	c->en_stat_desc = (uint8_t)GET(w[0], 0, 1);
	c->en_int = (uint8_t)GET(w[0], 1, 1);
	c->trig_mode = (uint8_t)GET(w[0], 2, 3);
	c->fnc_id = (uint16_t)GET(w[0], 5, 8);
	c->counter_idx = (uint8_t)GET(w[0], 17, 4);
	c->timer_idx = (uint8_t)GET(w[0], 21, 4);
	c->int_st = (uint8_t)GET(w[0], 25, 2);
	c->color = (uint8_t)GET(w[0], 27, 1);
	c->ringsz_idx = (uint8_t)GET(w[0], 28, 4);
	pg = (uint64_t)GET(w[1], 6, 26) | ((uint64_t)GET(w[2], 0, 26) << 26);
	c->base_addr = pg << 12;
	c->desc_sz = (uint8_t)GET(w[2], 26, 2);
	c->pidx = (uint16_t)(GET(w[2], 28, 4) | (GET(w[3], 0, 12) << 4));
	c->cidx = (uint16_t)GET(w[3], 12, 16);
	c->valid = (uint8_t)GET(w[3], 28, 1);
	c->err = (uint8_t)GET(w[3], 29, 2);
	c->user_trig_pend = (uint8_t)GET(w[3], 31, 1);
	c->timer_running = (uint8_t)GET(w[4], 0, 1);
	c->full_upd = (uint8_t)GET(w[4], 1, 1);
	c->ovf_chk_dis = (uint8_t)GET(w[4], 2, 1);
	c->at = (uint8_t)GET(w[4], 3, 1);
	c->vec = (uint16_t)GET(w[4], 4, 11);
	c->int_aggr = (uint8_t)GET(w[4], 15, 1);
}

/* ---- interrupt context (2.6) -------------------------------------------------------------- */

int
qdma_intr_ctx_encode(const struct qdma_intr_ctx *c, uint32_t w[QDMA_INTR_CTX_WORDS])
{
	uint32_t t[QDMA_INTR_CTX_WORDS];
	uint64_t pg = c->base_addr >> 12;

	if ((c->base_addr & (QDMA_CTX_RING_ALIGN - 1u)) != 0)
		return -ERANGE;
	if (!FITS(c->valid, 1) || !FITS(c->vec, 11) || !FITS(c->int_st, 1) ||
		!FITS(c->color, 1) || !FITS(c->page_size, 3) || !FITS(c->pidx, 12) ||
		!FITS(c->at, 1))
		return -ERANGE;

	/* base[28:12] -> W0[31:15]; base[60:29] -> W1; base[63:61] -> W2[2:0] */
	t[0] = PUT(c->valid, 0) | PUT(c->vec, 1) | PUT(c->int_st, 13) | PUT(c->color, 14) |
	       PUT(pg & 0x1FFFFu, 15);
	t[1] = (uint32_t)(pg >> 17);
	t[2] = PUT((pg >> 49) & 0x7u, 0) | PUT(c->page_size, 3) | PUT(c->pidx, 6) | PUT(c->at, 18);
	memcpy(w, t, sizeof(t));
	return 0;
}

void
qdma_intr_ctx_decode(const uint32_t w[QDMA_INTR_CTX_WORDS], struct qdma_intr_ctx *c)
{
	uint64_t pg;

	memset(c, 0, sizeof(*c));
	c->valid = (uint8_t)GET(w[0], 0, 1);
	c->vec = (uint16_t)GET(w[0], 1, 11);
	c->int_st = (uint8_t)GET(w[0], 13, 1);
	c->color = (uint8_t)GET(w[0], 14, 1);
	pg = (uint64_t)GET(w[0], 15, 17) | ((uint64_t)w[1] << 17) |
	     ((uint64_t)GET(w[2], 0, 3) << 49);
	c->base_addr = pg << 12;
	c->page_size = (uint8_t)GET(w[2], 3, 3);
	c->pidx = (uint16_t)GET(w[2], 6, 12);
	c->at = (uint8_t)GET(w[2], 18, 1);
}

/* ---- function map (1.5) ------------------------------------------------------------------- */

int
qdma_fmap_ctx_encode(const struct qdma_fmap_ctx *c, uint32_t w[QDMA_FMAP_CTX_WORDS])
{
	if (!FITS(c->qbase, 11) || !FITS(c->qmax, 12))
		return -ERANGE;
	w[0] = PUT(c->qbase, 0);
	w[1] = PUT(c->qmax, 0);
	return 0;
}

void
qdma_fmap_ctx_decode(const uint32_t w[QDMA_FMAP_CTX_WORDS], struct qdma_fmap_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->qbase = (uint16_t)GET(w[0], 0, 11);
	c->qmax = (uint16_t)GET(w[1], 0, 12);
}
