/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Encode/decode of the QDMA3.1 queue contexts (qdma-reference.md section 2).
 *
 * Every field's position is stated once, in the layout tables below (in the spirit of QEMU's
 * registerfields.h): one generic encoder and decoder walk them, and so do the round-trip tests.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "qdma_hw_ctx.h"

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

/* ---- the generic codec --------------------------------------------------------------------- */

static uint64_t
member_get(const void *c, const struct qdma_ctx_field *f)
{
	const uint8_t *p = (const uint8_t *)c + f->off;

	switch (f->size) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void
member_or(void *c, const struct qdma_ctx_field *f, uint64_t bits)
{
	uint8_t *p = (uint8_t *)c + f->off;
	uint64_t v = member_get(c, f) | bits;

	switch (f->size) {
	case 1: *p = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static uint64_t
width_mask(unsigned width)
{
	return width >= 64 ? ~0ull : (1ull << width) - 1u;
}

void
qdma_ctx_decode(const struct qdma_ctx_layout *l, const uint32_t *w, void *c)
{
	memset(c, 0, l->size);
	for (unsigned i = 0; i < l->nb_fields; i++) {
		const struct qdma_ctx_field *f = &l->fields[i];

		member_or(c, f, (((uint64_t)w[f->word] >> f->lo) & width_mask(f->width)) << f->vlo);
	}
}

int
qdma_ctx_encode(const struct qdma_ctx_layout *l, const void *c, uint32_t *w)
{
	uint32_t t[QDMA_CTX_MAX_WORDS] = { 0 };
	uint8_t back[QDMA_CTX_MAX_STRUCT];

	for (unsigned i = 0; i < l->nb_fields; i++) {
		const struct qdma_ctx_field *f = &l->fields[i];

		t[f->word] |= (uint32_t)(((member_get(c, f) >> f->vlo) & width_mask(f->width))
			<< f->lo);
	}
	/* a value the fields cannot hold (too wide, or below a base's alignment) does not
	 * come back: refused, nothing written */
	qdma_ctx_decode(l, t, back);
	for (unsigned i = 0; i < l->nb_fields; i++)
		if (member_get(c, &l->fields[i]) != member_get(back, &l->fields[i]))
			return -ERANGE;
	memcpy(w, t, l->words * sizeof(uint32_t));
	return 0;
}

#define F(T, m, w, lo, width) { #m, offsetof(T, m), sizeof(((T *)0)->m), w, lo, width, 0 }
/* piece of a field split over words: bits [vlo, vlo + width) of the member's value */
#define P(T, m, w, lo, width, vlo) { #m, offsetof(T, m), sizeof(((T *)0)->m), w, lo, width, vlo }
#define LAYOUT(name, T, nw, tbl) \
	const struct qdma_ctx_layout name = { #T, tbl, sizeof(tbl) / sizeof(tbl[0]), nw, sizeof(T) }

/* Software descriptor context, 2.1 */
static const struct qdma_ctx_field sw_fields[] = {
	F(struct qdma_sw_ctx, pidx, 0, 0, 16),
	F(struct qdma_sw_ctx, irq_arm, 0, 16, 1),
	F(struct qdma_sw_ctx, fnc_id, 0, 17, 8),
	F(struct qdma_sw_ctx, qen, 1, 0, 1),
	F(struct qdma_sw_ctx, fcrd_en, 1, 1, 1),
	F(struct qdma_sw_ctx, wbi_chk, 1, 2, 1),
	F(struct qdma_sw_ctx, wbi_intvl_en, 1, 3, 1),
	F(struct qdma_sw_ctx, at, 1, 4, 1),
	F(struct qdma_sw_ctx, fetch_max, 1, 5, 3),
	F(struct qdma_sw_ctx, rngsz_idx, 1, 12, 4),
	F(struct qdma_sw_ctx, desc_sz, 1, 16, 2),
	F(struct qdma_sw_ctx, bypass, 1, 18, 1),
	F(struct qdma_sw_ctx, mm_chn, 1, 19, 1),
	F(struct qdma_sw_ctx, wbk_en, 1, 20, 1),
	F(struct qdma_sw_ctx, irq_en, 1, 21, 1),
	F(struct qdma_sw_ctx, port_id, 1, 22, 3),
	F(struct qdma_sw_ctx, irq_no_last, 1, 25, 1),
	F(struct qdma_sw_ctx, err, 1, 26, 2),
	F(struct qdma_sw_ctx, err_wb_sent, 1, 28, 1),
	F(struct qdma_sw_ctx, irq_req, 1, 29, 1),
	F(struct qdma_sw_ctx, mrkr_dis, 1, 30, 1),
	F(struct qdma_sw_ctx, is_mm, 1, 31, 1),
	P(struct qdma_sw_ctx, ring_base, 2, 0, 32, 0),
	P(struct qdma_sw_ctx, ring_base, 3, 0, 32, 32),
	F(struct qdma_sw_ctx, vec, 4, 0, 11),
	F(struct qdma_sw_ctx, intr_aggr, 4, 11, 1),
};
LAYOUT(qdma_sw_ctx_layout, struct qdma_sw_ctx, QDMA_SW_CTX_WORDS, sw_fields);

/* Hardware context, 2.2 */
static const struct qdma_ctx_field hw_fields[] = {
	F(struct qdma_hw_ctx, cidx, 0, 0, 16),
	F(struct qdma_hw_ctx, crd_use, 0, 16, 16),
	F(struct qdma_hw_ctx, dsc_pnd, 1, 8, 1),
	F(struct qdma_hw_ctx, idl_stp_b, 1, 9, 1),
	F(struct qdma_hw_ctx, evt_pnd, 1, 10, 1),
	F(struct qdma_hw_ctx, fetch_pnd, 1, 11, 4),
};
LAYOUT(qdma_hw_ctx_layout, struct qdma_hw_ctx, QDMA_HW_CTX_WORDS, hw_fields);

/* Credit context, 2.3 */
static const struct qdma_ctx_field credit_fields[] = {
	F(struct qdma_credit_ctx, credit, 0, 0, 16),
};
LAYOUT(qdma_credit_ctx_layout, struct qdma_credit_ctx, QDMA_CREDIT_CTX_WORDS, credit_fields);

/* C2H prefetch context, 2.4 */
static const struct qdma_ctx_field pfch_fields[] = {
	F(struct qdma_pfch_ctx, bypass, 0, 0, 1),
	F(struct qdma_pfch_ctx, bufsz_idx, 0, 1, 4),
	F(struct qdma_pfch_ctx, port_id, 0, 5, 3),
	F(struct qdma_pfch_ctx, err, 0, 26, 1),
	F(struct qdma_pfch_ctx, pfch_en, 0, 27, 1),
	F(struct qdma_pfch_ctx, pfch, 0, 28, 1),
	P(struct qdma_pfch_ctx, sw_crdt, 0, 29, 3, 0),
	P(struct qdma_pfch_ctx, sw_crdt, 1, 0, 13, 3),
	F(struct qdma_pfch_ctx, valid, 1, 13, 1),
};
LAYOUT(qdma_pfch_ctx_layout, struct qdma_pfch_ctx, QDMA_PFCH_CTX_WORDS, pfch_fields);

/*
 * Completion context, 2.5. The base is held from bit 12 (4 KiB aligned rings); W1[5:0] (UNSURE,
 * possibly base[11:6]) is not a field: written 0, ignored.
 */
static const struct qdma_ctx_field cmpt_fields[] = {
	F(struct qdma_cmpt_ctx, en_stat_desc, 0, 0, 1),
	F(struct qdma_cmpt_ctx, en_int, 0, 1, 1),
	F(struct qdma_cmpt_ctx, trig_mode, 0, 2, 3),
	F(struct qdma_cmpt_ctx, fnc_id, 0, 5, 8),
	F(struct qdma_cmpt_ctx, counter_idx, 0, 17, 4),
	F(struct qdma_cmpt_ctx, timer_idx, 0, 21, 4),
	F(struct qdma_cmpt_ctx, int_st, 0, 25, 2),
	F(struct qdma_cmpt_ctx, color, 0, 27, 1),
	F(struct qdma_cmpt_ctx, ringsz_idx, 0, 28, 4),
	P(struct qdma_cmpt_ctx, base_addr, 1, 6, 26, 12),
	P(struct qdma_cmpt_ctx, base_addr, 2, 0, 26, 38),
	F(struct qdma_cmpt_ctx, desc_sz, 2, 26, 2),
	P(struct qdma_cmpt_ctx, pidx, 2, 28, 4, 0),
	P(struct qdma_cmpt_ctx, pidx, 3, 0, 12, 4),
	F(struct qdma_cmpt_ctx, cidx, 3, 12, 16),
	F(struct qdma_cmpt_ctx, valid, 3, 28, 1),
	F(struct qdma_cmpt_ctx, err, 3, 29, 2),
	F(struct qdma_cmpt_ctx, user_trig_pend, 3, 31, 1),
	F(struct qdma_cmpt_ctx, timer_running, 4, 0, 1),
	F(struct qdma_cmpt_ctx, full_upd, 4, 1, 1),
	F(struct qdma_cmpt_ctx, ovf_chk_dis, 4, 2, 1),
	F(struct qdma_cmpt_ctx, at, 4, 3, 1),
	F(struct qdma_cmpt_ctx, vec, 4, 4, 11),
	F(struct qdma_cmpt_ctx, int_aggr, 4, 15, 1),
};
LAYOUT(qdma_cmpt_ctx_layout, struct qdma_cmpt_ctx, QDMA_CMPT_CTX_WORDS, cmpt_fields);

/* Interrupt (aggregation ring) context, 2.6; the base is held from bit 12 */
static const struct qdma_ctx_field intr_fields[] = {
	F(struct qdma_intr_ctx, valid, 0, 0, 1),
	F(struct qdma_intr_ctx, vec, 0, 1, 11),
	F(struct qdma_intr_ctx, int_st, 0, 13, 1),
	F(struct qdma_intr_ctx, color, 0, 14, 1),
	P(struct qdma_intr_ctx, base_addr, 0, 15, 17, 12),
	P(struct qdma_intr_ctx, base_addr, 1, 0, 32, 29),
	P(struct qdma_intr_ctx, base_addr, 2, 0, 3, 61),
	F(struct qdma_intr_ctx, page_size, 2, 3, 3),
	F(struct qdma_intr_ctx, pidx, 2, 6, 12),
	F(struct qdma_intr_ctx, at, 2, 18, 1),
};
LAYOUT(qdma_intr_ctx_layout, struct qdma_intr_ctx, QDMA_INTR_CTX_WORDS, intr_fields);

/* Function map, 1.5 */
static const struct qdma_ctx_field fmap_fields[] = {
	F(struct qdma_fmap_ctx, qbase, 0, 0, 11),
	F(struct qdma_fmap_ctx, qmax, 1, 0, 12),
};
LAYOUT(qdma_fmap_ctx_layout, struct qdma_fmap_ctx, QDMA_FMAP_CTX_WORDS, fmap_fields);

/* The typed entry points. */
#define CODEC(ctx, nw)                                                                             \
	int qdma_##ctx##_ctx_encode(const struct qdma_##ctx##_ctx *c, uint32_t w[nw])              \
	{                                                                                          \
		return qdma_ctx_encode(&qdma_##ctx##_ctx_layout, c, w);                              \
	}                                                                                          \
	void qdma_##ctx##_ctx_decode(const uint32_t w[nw], struct qdma_##ctx##_ctx *c)             \
	{                                                                                          \
		qdma_ctx_decode(&qdma_##ctx##_ctx_layout, w, c);                                     \
	}
CODEC(sw, QDMA_SW_CTX_WORDS)
CODEC(hw, QDMA_HW_CTX_WORDS)
CODEC(credit, QDMA_CREDIT_CTX_WORDS)
CODEC(pfch, QDMA_PFCH_CTX_WORDS)
CODEC(cmpt, QDMA_CMPT_CTX_WORDS)
CODEC(intr, QDMA_INTR_CTX_WORDS)
CODEC(fmap, QDMA_FMAP_CTX_WORDS)
