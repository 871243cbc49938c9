/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Context encode/decode tests. Golden words are written by hand from the bit tables of
 * qdma-reference.md section 2 (word, bit range, field), never produced by the encoder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_ctx.h"

#define SENTINEL 0xDEADBEEFu

static void
fill_sentinel(uint32_t *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		w[i] = SENTINEL;
}

static void
assert_sentinel(const uint32_t *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(w[i], SENTINEL);
}

static void
assert_words(const uint32_t *got, const uint32_t *exp, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (got[i] != exp[i])
			print_error("word W%u: got 0x%08x expected 0x%08x\n", i, got[i], exp[i]);
		assert_int_equal(got[i], exp[i]);
	}
}

/* Small deterministic PRNG (xorshift64*) for round-trip values. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t
rbits(unsigned bits)
{
	return (uint32_t)(rnd() & ((1ull << bits) - 1u));
}

/* ------------------------------------------------------------------------------------------ */
/* Software descriptor context (2.1)                                                           */

static void
test_sw_golden(void **state)
{
	(void)state;
	struct qdma_sw_ctx c = {
		.pidx = 0x1234, .irq_arm = 1, .fnc_id = 0xA5,
		.qen = 1, .fcrd_en = 1, .wbi_chk = 0, .wbi_intvl_en = 1, .at = 0, .fetch_max = 5,
		.rngsz_idx = 0xC, .desc_sz = 2, .bypass = 1, .mm_chn = 0, .wbk_en = 1, .irq_en = 0,
		.port_id = 6, .irq_no_last = 1, .err = 2, .err_wb_sent = 0, .irq_req = 1,
		.mrkr_dis = 0, .is_mm = 1,
		.ring_base = 0x123456789ABCD000ull,
		.vec = 0x5A5, .intr_aggr = 1,
	};
	const uint32_t exp[5] = {
		/* W0 */ 0x1234u          /* pidx [15:0] */
			| (1u << 16)      /* irq_arm [16] */
			| (0xA5u << 17),  /* fnc_id [24:17] */
		/* W1 */ (1u << 0)        /* qen [0] */
			| (1u << 1)       /* fcrd_en [1] */
			| (1u << 3)       /* wbi_intvl_en [3] */
			| (5u << 5)       /* fetch_max [7:5] */
			| (0xCu << 12)    /* rngsz_idx [15:12] */
			| (2u << 16)      /* desc_sz [17:16] */
			| (1u << 18)      /* bypass [18] */
			| (1u << 20)      /* wbk_en [20] */
			| (6u << 22)      /* port_id [24:22] */
			| (1u << 25)      /* irq_no_last [25] */
			| (2u << 26)      /* err [27:26] */
			| (1u << 29)      /* irq_req [29] */
			| (1u << 31),     /* is_mm [31] */
		/* W2 */ 0x9ABCD000u,     /* ring base [31:0] */
		/* W3 */ 0x12345678u,     /* ring base [63:32] */
		/* W4 */ 0x5A5u           /* vec [10:0] */
			| (1u << 11),     /* intr_aggr [11] */
	};
	uint32_t w[QDMA_SW_CTX_WORDS];
	struct qdma_sw_ctx d;

	assert_int_equal(qdma_sw_ctx_encode(&c, w), 0);
	assert_words(w, exp, 5);

	/* decode of the hand-written words gives the fields back */
	qdma_sw_ctx_decode(exp, &d);
	assert_int_equal(d.pidx, 0x1234);
	assert_int_equal(d.irq_arm, 1);
	assert_int_equal(d.fnc_id, 0xA5);
	assert_int_equal(d.fetch_max, 5);
	assert_int_equal(d.rngsz_idx, 0xC);
	assert_int_equal(d.desc_sz, 2);
	assert_int_equal(d.port_id, 6);
	assert_int_equal(d.err, 2);
	assert_int_equal(d.is_mm, 1);
	assert_int_equal(d.wbi_chk, 0);
	assert_int_equal(d.ring_base, 0x123456789ABCD000ull);
	assert_int_equal(d.vec, 0x5A5);
	assert_int_equal(d.intr_aggr, 1);
}

/* What the PF writes for an H2C ST queue start (reference 2.8), hex computed by hand. */
static void
test_sw_h2c_start_vector(void **state)
{
	(void)state;
	struct qdma_sw_ctx c = {
		.qen = 1, .fnc_id = 3, .rngsz_idx = 1, .desc_sz = 1, .wbk_en = 1, .wbi_chk = 1,
		.wbi_intvl_en = 1, .ring_base = 0x1000,
	};
	/* W0: fnc_id 3 << 17 = 0x60000. W1: qen 0x1 | wbi_chk 0x4 | wbi_intvl_en 0x8 |
	 * rngsz 0x1000 | desc_sz 0x10000 | wbk_en 0x100000 */
	const uint32_t exp[5] = { 0x00060000u, 0x0011100Du, 0x00001000u, 0, 0 };
	uint32_t w[QDMA_SW_CTX_WORDS];

	assert_int_equal(qdma_sw_ctx_encode(&c, w), 0);
	assert_words(w, exp, 5);
}

/* Each field alone at its maximum lands exactly on its bit range. */
#define SW_FIELD(member, val, word, mask)                                                          \
	do {                                                                                       \
		struct qdma_sw_ctx c_ = { 0 };                                                     \
		uint32_t w_[QDMA_SW_CTX_WORDS], e_[QDMA_SW_CTX_WORDS] = { 0 };                     \
		c_.member = (val);                                                                 \
		e_[word] = (mask);                                                                 \
		assert_int_equal(qdma_sw_ctx_encode(&c_, w_), 0);                                  \
		assert_words(w_, e_, QDMA_SW_CTX_WORDS);                                           \
	} while (0)

static void
test_sw_fields(void **state)
{
	(void)state;
	SW_FIELD(pidx, 0xFFFF, 0, 0x0000FFFFu);      /* W0 [15:0] */
	SW_FIELD(irq_arm, 1, 0, 1u << 16);           /* W0 [16] */
	SW_FIELD(fnc_id, 0xFF, 0, 0xFFu << 17);      /* W0 [24:17] */
	SW_FIELD(qen, 1, 1, 1u << 0);                /* W1 [0] */
	SW_FIELD(fcrd_en, 1, 1, 1u << 1);            /* W1 [1] */
	SW_FIELD(wbi_chk, 1, 1, 1u << 2);            /* W1 [2] */
	SW_FIELD(wbi_intvl_en, 1, 1, 1u << 3);       /* W1 [3] */
	SW_FIELD(at, 1, 1, 1u << 4);                 /* W1 [4] */
	SW_FIELD(fetch_max, 7, 1, 7u << 5);          /* W1 [7:5] */
	SW_FIELD(rngsz_idx, 0xF, 1, 0xFu << 12);     /* W1 [15:12] */
	SW_FIELD(desc_sz, 3, 1, 3u << 16);           /* W1 [17:16] */
	SW_FIELD(bypass, 1, 1, 1u << 18);            /* W1 [18] */
	SW_FIELD(mm_chn, 1, 1, 1u << 19);            /* W1 [19] */
	SW_FIELD(wbk_en, 1, 1, 1u << 20);            /* W1 [20] */
	SW_FIELD(irq_en, 1, 1, 1u << 21);            /* W1 [21] */
	SW_FIELD(port_id, 7, 1, 7u << 22);           /* W1 [24:22] */
	SW_FIELD(irq_no_last, 1, 1, 1u << 25);       /* W1 [25] */
	SW_FIELD(err, 3, 1, 3u << 26);               /* W1 [27:26] */
	SW_FIELD(err_wb_sent, 1, 1, 1u << 28);       /* W1 [28] */
	SW_FIELD(irq_req, 1, 1, 1u << 29);           /* W1 [29] */
	SW_FIELD(mrkr_dis, 1, 1, 1u << 30);          /* W1 [30] */
	SW_FIELD(is_mm, 1, 1, 1u << 31);             /* W1 [31] */
	SW_FIELD(ring_base, 0xFFFFFFFFull, 2, 0xFFFFFFFFu);          /* W2 base[31:0] */
	SW_FIELD(ring_base, 0xFFFFFFFF00000000ull, 3, 0xFFFFFFFFu);  /* W3 base[63:32] */
	SW_FIELD(vec, 0x7FF, 4, 0x7FFu);             /* W4 [10:0] */
	SW_FIELD(intr_aggr, 1, 4, 1u << 11);         /* W4 [11] */
}

#define SW_OVF(member, val)                                                                        \
	do {                                                                                       \
		struct qdma_sw_ctx c_ = { 0 };                                                     \
		uint32_t w_[QDMA_SW_CTX_WORDS];                                                    \
		c_.member = (val);                                                                 \
		fill_sentinel(w_, QDMA_SW_CTX_WORDS);                                              \
		assert_int_equal(qdma_sw_ctx_encode(&c_, w_), -ERANGE);                            \
		assert_sentinel(w_, QDMA_SW_CTX_WORDS);                                            \
	} while (0)

static void
test_sw_overflow(void **state)
{
	(void)state;
	SW_OVF(irq_arm, 2);
	SW_OVF(fnc_id, 0x100);
	SW_OVF(qen, 2);
	SW_OVF(fcrd_en, 2);
	SW_OVF(wbi_chk, 2);
	SW_OVF(wbi_intvl_en, 2);
	SW_OVF(at, 2);
	SW_OVF(fetch_max, 8);
	SW_OVF(rngsz_idx, 16);
	SW_OVF(desc_sz, 4);
	SW_OVF(bypass, 2);
	SW_OVF(mm_chn, 2);
	SW_OVF(wbk_en, 2);
	SW_OVF(irq_en, 2);
	SW_OVF(port_id, 8);
	SW_OVF(irq_no_last, 2);
	SW_OVF(err, 4);
	SW_OVF(err_wb_sent, 2);
	SW_OVF(irq_req, 2);
	SW_OVF(mrkr_dis, 2);
	SW_OVF(is_mm, 2);
	SW_OVF(vec, 0x800);
	SW_OVF(intr_aggr, 2);
}

static void
test_sw_roundtrip(void **state)
{
	(void)state;
	int i;

	for (i = 0; i < 1000; i++) {
		struct qdma_sw_ctx c = {
			.pidx = (uint16_t)rbits(16), .irq_arm = (uint8_t)rbits(1),
			.fnc_id = (uint16_t)rbits(8), .qen = (uint8_t)rbits(1),
			.fcrd_en = (uint8_t)rbits(1), .wbi_chk = (uint8_t)rbits(1),
			.wbi_intvl_en = (uint8_t)rbits(1), .at = (uint8_t)rbits(1),
			.fetch_max = (uint8_t)rbits(3), .rngsz_idx = (uint8_t)rbits(4),
			.desc_sz = (uint8_t)rbits(2), .bypass = (uint8_t)rbits(1),
			.mm_chn = (uint8_t)rbits(1), .wbk_en = (uint8_t)rbits(1),
			.irq_en = (uint8_t)rbits(1), .port_id = (uint8_t)rbits(3),
			.irq_no_last = (uint8_t)rbits(1), .err = (uint8_t)rbits(2),
			.err_wb_sent = (uint8_t)rbits(1), .irq_req = (uint8_t)rbits(1),
			.mrkr_dis = (uint8_t)rbits(1), .is_mm = (uint8_t)rbits(1),
			.ring_base = rnd(), .vec = (uint16_t)rbits(11),
			.intr_aggr = (uint8_t)rbits(1),
		};
		struct qdma_sw_ctx d;
		uint32_t w[QDMA_SW_CTX_WORDS];

		assert_int_equal(qdma_sw_ctx_encode(&c, w), 0);
		qdma_sw_ctx_decode(w, &d);
		assert_int_equal(d.pidx, c.pidx);
		assert_int_equal(d.irq_arm, c.irq_arm);
		assert_int_equal(d.fnc_id, c.fnc_id);
		assert_int_equal(d.qen, c.qen);
		assert_int_equal(d.fcrd_en, c.fcrd_en);
		assert_int_equal(d.wbi_chk, c.wbi_chk);
		assert_int_equal(d.wbi_intvl_en, c.wbi_intvl_en);
		assert_int_equal(d.at, c.at);
		assert_int_equal(d.fetch_max, c.fetch_max);
		assert_int_equal(d.rngsz_idx, c.rngsz_idx);
		assert_int_equal(d.desc_sz, c.desc_sz);
		assert_int_equal(d.bypass, c.bypass);
		assert_int_equal(d.mm_chn, c.mm_chn);
		assert_int_equal(d.wbk_en, c.wbk_en);
		assert_int_equal(d.irq_en, c.irq_en);
		assert_int_equal(d.port_id, c.port_id);
		assert_int_equal(d.irq_no_last, c.irq_no_last);
		assert_int_equal(d.err, c.err);
		assert_int_equal(d.err_wb_sent, c.err_wb_sent);
		assert_int_equal(d.irq_req, c.irq_req);
		assert_int_equal(d.mrkr_dis, c.mrkr_dis);
		assert_int_equal(d.is_mm, c.is_mm);
		assert_int_equal(d.ring_base, c.ring_base);
		assert_int_equal(d.vec, c.vec);
		assert_int_equal(d.intr_aggr, c.intr_aggr);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Hardware context (2.2) and credit context (2.3)                                             */

static void
test_hw_golden(void **state)
{
	(void)state;
	struct qdma_hw_ctx c = {
		.cidx = 0xBEEF, .crd_use = 0x1234, .dsc_pnd = 1, .idl_stp_b = 0, .evt_pnd = 1,
		.fetch_pnd = 0xA,
	};
	const uint32_t exp[2] = {
		0xBEEFu             /* W0 cidx [15:0] */
			| (0x1234u << 16), /* W0 crd_use [31:16] */
		(1u << 8)           /* W1 dsc_pnd [8] */
			| (1u << 10) /* W1 evt_pnd [10] */
			| (0xAu << 11), /* W1 fetch_pnd [14:11] */
	};
	uint32_t w[QDMA_HW_CTX_WORDS];
	struct qdma_hw_ctx d;

	assert_int_equal(qdma_hw_ctx_encode(&c, w), 0);
	assert_words(w, exp, 2);
	qdma_hw_ctx_decode((const uint32_t[]){ 0, 1u << 9 }, &d); /* idl_stp_b [9] */
	assert_int_equal(d.idl_stp_b, 1);
	assert_int_equal(d.dsc_pnd, 0);
	qdma_hw_ctx_decode(exp, &d);
	assert_int_equal(d.cidx, 0xBEEF);
	assert_int_equal(d.crd_use, 0x1234);
	assert_int_equal(d.dsc_pnd, 1);
	assert_int_equal(d.idl_stp_b, 0);
	assert_int_equal(d.evt_pnd, 1);
	assert_int_equal(d.fetch_pnd, 0xA);
}

static void
test_hw_overflow_roundtrip(void **state)
{
	(void)state;
	struct qdma_hw_ctx c = { .fetch_pnd = 16 };
	uint32_t w[QDMA_HW_CTX_WORDS];
	int i;

	fill_sentinel(w, 2);
	assert_int_equal(qdma_hw_ctx_encode(&c, w), -ERANGE);
	assert_sentinel(w, 2);
	c = (struct qdma_hw_ctx){ .dsc_pnd = 2 };
	assert_int_equal(qdma_hw_ctx_encode(&c, w), -ERANGE);
	assert_sentinel(w, 2);
	c = (struct qdma_hw_ctx){ .idl_stp_b = 2 };
	assert_int_equal(qdma_hw_ctx_encode(&c, w), -ERANGE);
	c = (struct qdma_hw_ctx){ .evt_pnd = 2 };
	assert_int_equal(qdma_hw_ctx_encode(&c, w), -ERANGE);
	assert_sentinel(w, 2);

	for (i = 0; i < 1000; i++) {
		struct qdma_hw_ctx d;

		c = (struct qdma_hw_ctx){
			.cidx = (uint16_t)rbits(16), .crd_use = (uint16_t)rbits(16),
			.dsc_pnd = (uint8_t)rbits(1), .idl_stp_b = (uint8_t)rbits(1),
			.evt_pnd = (uint8_t)rbits(1), .fetch_pnd = (uint8_t)rbits(4),
		};
		assert_int_equal(qdma_hw_ctx_encode(&c, w), 0);
		qdma_hw_ctx_decode(w, &d);
		assert_int_equal(d.cidx, c.cidx);
		assert_int_equal(d.crd_use, c.crd_use);
		assert_int_equal(d.dsc_pnd, c.dsc_pnd);
		assert_int_equal(d.idl_stp_b, c.idl_stp_b);
		assert_int_equal(d.evt_pnd, c.evt_pnd);
		assert_int_equal(d.fetch_pnd, c.fetch_pnd);
	}
}

static void
test_credit(void **state)
{
	(void)state;
	struct qdma_credit_ctx c = { .credit = 0xCAFE }, d;
	uint32_t w[QDMA_CREDIT_CTX_WORDS];

	assert_int_equal(qdma_credit_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 0xCAFEu); /* W0 credit [15:0] */
	qdma_credit_ctx_decode((const uint32_t[]){ 0xFFFF1234u }, &d);
	assert_int_equal(d.credit, 0x1234);
}

/* ------------------------------------------------------------------------------------------ */
/* Prefetch context (2.4)                                                                      */

static void
test_pfch_golden(void **state)
{
	(void)state;
	struct qdma_pfch_ctx c = {
		.bypass = 1, .bufsz_idx = 9, .port_id = 5, .err = 1, .pfch_en = 1, .pfch = 0,
		.sw_crdt = 0xABCD, .valid = 1,
	};
	const uint32_t exp[2] = {
		(1u << 0)            /* W0 bypass [0] */
			| (9u << 1)  /* W0 bufsz_idx [4:1] */
			| (5u << 5)  /* W0 port_id [7:5] */
			| (1u << 26) /* W0 err [26] */
			| (1u << 27) /* W0 pfch_en [27] */
			| (5u << 29), /* W0 sw_crdt[2:0] [31:29]: 0xABCD & 7 = 5 */
		0x1579u              /* W1 sw_crdt[15:3] [12:0]: 0xABCD >> 3 = 0x1579 */
			| (1u << 13), /* W1 valid [13] */
	};
	uint32_t w[QDMA_PFCH_CTX_WORDS];
	struct qdma_pfch_ctx d;

	assert_int_equal(qdma_pfch_ctx_encode(&c, w), 0);
	assert_words(w, exp, 2);
	qdma_pfch_ctx_decode(exp, &d);
	assert_int_equal(d.bypass, 1);
	assert_int_equal(d.bufsz_idx, 9);
	assert_int_equal(d.port_id, 5);
	assert_int_equal(d.err, 1);
	assert_int_equal(d.pfch_en, 1);
	assert_int_equal(d.pfch, 0);
	assert_int_equal(d.sw_crdt, 0xABCD);
	assert_int_equal(d.valid, 1);

	/* pfch [28] alone */
	c = (struct qdma_pfch_ctx){ .pfch = 1 };
	assert_int_equal(qdma_pfch_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 1u << 28);
	assert_int_equal(w[1], 0);
}

static void
test_pfch_overflow_roundtrip(void **state)
{
	(void)state;
	const struct qdma_pfch_ctx bad[] = {
		{ .bypass = 2 }, { .bufsz_idx = 16 }, { .port_id = 8 }, { .err = 2 },
		{ .pfch_en = 2 }, { .pfch = 2 }, { .valid = 2 },
	};
	uint32_t w[QDMA_PFCH_CTX_WORDS];
	size_t k;
	int i;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		fill_sentinel(w, 2);
		assert_int_equal(qdma_pfch_ctx_encode(&bad[k], w), -ERANGE);
		assert_sentinel(w, 2);
	}
	for (i = 0; i < 1000; i++) {
		struct qdma_pfch_ctx c = {
			.bypass = (uint8_t)rbits(1), .bufsz_idx = (uint8_t)rbits(4),
			.port_id = (uint8_t)rbits(3), .err = (uint8_t)rbits(1),
			.pfch_en = (uint8_t)rbits(1), .pfch = (uint8_t)rbits(1),
			.sw_crdt = (uint16_t)rbits(16), .valid = (uint8_t)rbits(1),
		};
		struct qdma_pfch_ctx d;

		assert_int_equal(qdma_pfch_ctx_encode(&c, w), 0);
		qdma_pfch_ctx_decode(w, &d);
		assert_int_equal(d.bypass, c.bypass);
		assert_int_equal(d.bufsz_idx, c.bufsz_idx);
		assert_int_equal(d.port_id, c.port_id);
		assert_int_equal(d.err, c.err);
		assert_int_equal(d.pfch_en, c.pfch_en);
		assert_int_equal(d.pfch, c.pfch);
		assert_int_equal(d.sw_crdt, c.sw_crdt);
		assert_int_equal(d.valid, c.valid);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Completion context (2.5)                                                                    */

static void
test_cmpt_golden(void **state)
{
	(void)state;
	/* base[37:12] = 0x2AAAAAA, base[63:38] = 0x1555555 */
	const uint64_t base = (0x2AAAAAAull << 12) | (0x1555555ull << 38);
	struct qdma_cmpt_ctx c = {
		.en_stat_desc = 1, .en_int = 0, .trig_mode = 4, .fnc_id = 0x42, .counter_idx = 7,
		.timer_idx = 3, .int_st = 2, .color = 1, .ringsz_idx = 0xB, .base_addr = base,
		.desc_sz = 1, .pidx = 0xABCD, .cidx = 0x1234, .valid = 1, .err = 1,
		.user_trig_pend = 1, .timer_running = 1, .full_upd = 0, .ovf_chk_dis = 1, .at = 0,
		.vec = 0x3FF, .int_aggr = 1,
	};
	const uint32_t exp[5] = {
		(1u << 0)                /* W0 en_stat_desc [0] */
			| (4u << 2)      /* W0 trig_mode [4:2] */
			| (0x42u << 5)   /* W0 fnc_id [12:5] */
			| (7u << 17)     /* W0 counter_idx [20:17] */
			| (3u << 21)     /* W0 timer_idx [24:21] */
			| (2u << 25)     /* W0 int_st [26:25] */
			| (1u << 27)     /* W0 color [27] */
			| (0xBu << 28),  /* W0 ringsz_idx [31:28] */
		0x2AAAAAAu << 6,         /* W1 [31:6] = base[37:12] */
		0x1555555u               /* W2 [25:0] = base[63:38] */
			| (1u << 26)     /* W2 desc_sz [27:26] */
			| (0xDu << 28),  /* W2 [31:28] = pidx[3:0] */
		0xABCu                   /* W3 [11:0] = pidx[15:4] */
			| (0x1234u << 12) /* W3 cidx [27:12] */
			| (1u << 28)     /* W3 valid [28] */
			| (1u << 29)     /* W3 err [30:29] */
			| (1u << 31),    /* W3 user_trig_pend [31] */
		(1u << 0)                /* W4 timer_running [0] */
			| (1u << 2)      /* W4 ovf_chk_dis [2] */
			| (0x3FFu << 4)  /* W4 vec [14:4] */
			| (1u << 15),    /* W4 int_aggr [15] */
	};
	uint32_t w[QDMA_CMPT_CTX_WORDS];
	struct qdma_cmpt_ctx d;

	assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
	assert_words(w, exp, 5);

	qdma_cmpt_ctx_decode(exp, &d);
	assert_int_equal(d.en_stat_desc, 1);
	assert_int_equal(d.trig_mode, 4);
	assert_int_equal(d.fnc_id, 0x42);
	assert_int_equal(d.counter_idx, 7);
	assert_int_equal(d.timer_idx, 3);
	assert_int_equal(d.int_st, 2);
	assert_int_equal(d.color, 1);
	assert_int_equal(d.ringsz_idx, 0xB);
	assert_int_equal(d.base_addr, base);
	assert_int_equal(d.desc_sz, 1);
	assert_int_equal(d.pidx, 0xABCD);
	assert_int_equal(d.cidx, 0x1234);
	assert_int_equal(d.valid, 1);
	assert_int_equal(d.err, 1);
	assert_int_equal(d.user_trig_pend, 1);
	assert_int_equal(d.timer_running, 1);
	assert_int_equal(d.full_upd, 0);
	assert_int_equal(d.ovf_chk_dis, 1);
	assert_int_equal(d.at, 0);
	assert_int_equal(d.vec, 0x3FF);
	assert_int_equal(d.int_aggr, 1);

	/* A concrete ring address: 0x0000_0123_4567_8000.
	 * base >> 12 = 0x12345678; base[37:12] = 0x12345678 & 0x3FFFFFF = 0x2345678
	 * -> W1 = 0x2345678 << 6 = 0x8D159E00; base[63:38] = 0x12345678 >> 26 = 0x4 -> W2 = 0x4. */
	c = (struct qdma_cmpt_ctx){ .base_addr = 0x0000012345678000ull };
	assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 0);
	assert_int_equal(w[1], 0x8D159E00u);
	assert_int_equal(w[2], 0x4u);
	assert_int_equal(w[3], 0);
	assert_int_equal(w[4], 0);

	/* full_upd [1] and at [3] alone */
	c = (struct qdma_cmpt_ctx){ .full_upd = 1, .at = 1, .en_int = 1 };
	assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 1u << 1); /* en_int [1] */
	assert_int_equal(w[4], (1u << 1) | (1u << 3));
}

/* The C2H ST start CMPT context the PF writes (reference 2.8), hex by hand. */
static void
test_cmpt_c2h_start_vector(void **state)
{
	(void)state;
	struct qdma_cmpt_ctx c = {
		.en_stat_desc = 1, .trig_mode = 4, .counter_idx = 7, .timer_idx = 3, .color = 1,
		.ringsz_idx = 1, .fnc_id = 0, .base_addr = 0x40000000ull, .desc_sz = 0, .valid = 1,
	};
	/* W0: 0x1 | 4<<2 = 0x10 | 7<<17 = 0xE0000 | 3<<21 = 0x600000 | 1<<27 = 0x8000000 |
	 *     1<<28 = 0x10000000  -> 0x186E0011.
	 * W1: base[37:12] = 0x40000 -> 0x40000 << 6 = 0x01000000. W3: valid = 0x10000000. */
	const uint32_t exp[5] = { 0x186E0011u, 0x01000000u, 0, 0x10000000u, 0 };
	uint32_t w[QDMA_CMPT_CTX_WORDS];

	assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
	assert_words(w, exp, 5);
}

static void
test_cmpt_overflow(void **state)
{
	(void)state;
	const struct qdma_cmpt_ctx bad[] = {
		{ .en_stat_desc = 2 }, { .en_int = 2 }, { .trig_mode = 8 }, { .fnc_id = 0x100 },
		{ .counter_idx = 16 }, { .timer_idx = 16 }, { .int_st = 4 }, { .color = 2 },
		{ .ringsz_idx = 16 }, { .desc_sz = 4 }, { .valid = 2 }, { .err = 4 },
		{ .user_trig_pend = 2 }, { .timer_running = 2 }, { .full_upd = 2 },
		{ .ovf_chk_dis = 2 }, { .at = 2 }, { .vec = 0x800 }, { .int_aggr = 2 },
		/* base must be 4 KiB aligned */
		{ .base_addr = 0x1040 }, { .base_addr = 0x1001 }, { .base_addr = 0x800 },
	};
	uint32_t w[QDMA_CMPT_CTX_WORDS];
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		fill_sentinel(w, QDMA_CMPT_CTX_WORDS);
		assert_int_equal(qdma_cmpt_ctx_encode(&bad[k], w), -ERANGE);
		assert_sentinel(w, QDMA_CMPT_CTX_WORDS);
	}
	/* highest 4 KiB page is representable */
	struct qdma_cmpt_ctx c = { .base_addr = 0xFFFFFFFFFFFFF000ull };
	assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
	assert_int_equal(w[1], 0xFFFFFFC0u); /* [31:6] all ones */
	assert_int_equal(w[2], 0x03FFFFFFu); /* [25:0] all ones */
}

static void
test_cmpt_roundtrip(void **state)
{
	(void)state;
	int i;

	for (i = 0; i < 1000; i++) {
		struct qdma_cmpt_ctx c = {
			.en_stat_desc = (uint8_t)rbits(1), .en_int = (uint8_t)rbits(1),
			.trig_mode = (uint8_t)rbits(3), .fnc_id = (uint16_t)rbits(8),
			.counter_idx = (uint8_t)rbits(4), .timer_idx = (uint8_t)rbits(4),
			.int_st = (uint8_t)rbits(2), .color = (uint8_t)rbits(1),
			.ringsz_idx = (uint8_t)rbits(4), .base_addr = rnd() & ~0xFFFull,
			.desc_sz = (uint8_t)rbits(2), .pidx = (uint16_t)rbits(16),
			.cidx = (uint16_t)rbits(16), .valid = (uint8_t)rbits(1),
			.err = (uint8_t)rbits(2), .user_trig_pend = (uint8_t)rbits(1),
			.timer_running = (uint8_t)rbits(1), .full_upd = (uint8_t)rbits(1),
			.ovf_chk_dis = (uint8_t)rbits(1), .at = (uint8_t)rbits(1),
			.vec = (uint16_t)rbits(11), .int_aggr = (uint8_t)rbits(1),
		};
		struct qdma_cmpt_ctx d;
		uint32_t w[QDMA_CMPT_CTX_WORDS];

		assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
		qdma_cmpt_ctx_decode(w, &d);
		assert_int_equal(d.en_stat_desc, c.en_stat_desc);
		assert_int_equal(d.en_int, c.en_int);
		assert_int_equal(d.trig_mode, c.trig_mode);
		assert_int_equal(d.fnc_id, c.fnc_id);
		assert_int_equal(d.counter_idx, c.counter_idx);
		assert_int_equal(d.timer_idx, c.timer_idx);
		assert_int_equal(d.int_st, c.int_st);
		assert_int_equal(d.color, c.color);
		assert_int_equal(d.ringsz_idx, c.ringsz_idx);
		assert_int_equal(d.base_addr, c.base_addr);
		assert_int_equal(d.desc_sz, c.desc_sz);
		assert_int_equal(d.pidx, c.pidx);
		assert_int_equal(d.cidx, c.cidx);
		assert_int_equal(d.valid, c.valid);
		assert_int_equal(d.err, c.err);
		assert_int_equal(d.user_trig_pend, c.user_trig_pend);
		assert_int_equal(d.timer_running, c.timer_running);
		assert_int_equal(d.full_upd, c.full_upd);
		assert_int_equal(d.ovf_chk_dis, c.ovf_chk_dis);
		assert_int_equal(d.at, c.at);
		assert_int_equal(d.vec, c.vec);
		assert_int_equal(d.int_aggr, c.int_aggr);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Interrupt context (2.6)                                                                     */

static void
test_intr_golden(void **state)
{
	(void)state;
	/* base[28:12] = 0x1ABCD, base[60:29] = 0x89ABCDEF, base[63:61] = 5 */
	const uint64_t base = (0x1ABCDull << 12) | (0x89ABCDEFull << 29) | (5ull << 61);
	struct qdma_intr_ctx c = {
		.valid = 1, .vec = 0x555, .int_st = 1, .color = 0, .base_addr = base,
		.page_size = 6, .pidx = 0xFED, .at = 1,
	};
	const uint32_t exp[3] = {
		(1u << 0)                 /* W0 valid [0] */
			| (0x555u << 1)   /* W0 vec [11:1] */
			| (1u << 13)      /* W0 int_st [13] */
			| (0x1ABCDu << 15), /* W0 [31:15] = base[28:12] */
		0x89ABCDEFu,              /* W1 = base[60:29] */
		5u                        /* W2 [2:0] = base[63:61] */
			| (6u << 3)       /* W2 page_size [5:3] */
			| (0xFEDu << 6)   /* W2 pidx [17:6] */
			| (1u << 18),     /* W2 at [18] */
	};
	uint32_t w[QDMA_INTR_CTX_WORDS];
	struct qdma_intr_ctx d;

	assert_int_equal(qdma_intr_ctx_encode(&c, w), 0);
	assert_words(w, exp, 3);
	qdma_intr_ctx_decode(exp, &d);
	assert_int_equal(d.valid, 1);
	assert_int_equal(d.vec, 0x555);
	assert_int_equal(d.int_st, 1);
	assert_int_equal(d.color, 0);
	assert_int_equal(d.base_addr, base);
	assert_int_equal(d.page_size, 6);
	assert_int_equal(d.pidx, 0xFED);
	assert_int_equal(d.at, 1);

	c = (struct qdma_intr_ctx){ .color = 1 };
	assert_int_equal(qdma_intr_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 1u << 14); /* color [14] */
}

static void
test_intr_overflow_roundtrip(void **state)
{
	(void)state;
	const struct qdma_intr_ctx bad[] = {
		{ .valid = 2 }, { .vec = 0x800 }, { .int_st = 2 }, { .color = 2 },
		{ .page_size = 8 }, { .pidx = 0x1000 }, { .at = 2 }, { .base_addr = 0x10 },
		{ .base_addr = 0x2000 | 0x800 },
	};
	uint32_t w[QDMA_INTR_CTX_WORDS];
	size_t k;
	int i;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		fill_sentinel(w, QDMA_INTR_CTX_WORDS);
		assert_int_equal(qdma_intr_ctx_encode(&bad[k], w), -ERANGE);
		assert_sentinel(w, QDMA_INTR_CTX_WORDS);
	}
	for (i = 0; i < 1000; i++) {
		struct qdma_intr_ctx c = {
			.valid = (uint8_t)rbits(1), .vec = (uint16_t)rbits(11),
			.int_st = (uint8_t)rbits(1), .color = (uint8_t)rbits(1),
			.base_addr = rnd() & ~0xFFFull, .page_size = (uint8_t)rbits(3),
			.pidx = (uint16_t)rbits(12), .at = (uint8_t)rbits(1),
		};
		struct qdma_intr_ctx d;

		assert_int_equal(qdma_intr_ctx_encode(&c, w), 0);
		qdma_intr_ctx_decode(w, &d);
		assert_int_equal(d.valid, c.valid);
		assert_int_equal(d.vec, c.vec);
		assert_int_equal(d.int_st, c.int_st);
		assert_int_equal(d.color, c.color);
		assert_int_equal(d.base_addr, c.base_addr);
		assert_int_equal(d.page_size, c.page_size);
		assert_int_equal(d.pidx, c.pidx);
		assert_int_equal(d.at, c.at);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* FMAP (1.5)                                                                                  */

static void
test_fmap(void **state)
{
	(void)state;
	struct qdma_fmap_ctx c = { .qbase = 0x123, .qmax = 0x800 }, d;
	uint32_t w[QDMA_FMAP_CTX_WORDS];
	int i;

	assert_int_equal(qdma_fmap_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 0x123u); /* W0 qbase [10:0] */
	assert_int_equal(w[1], 0x800u); /* W1 qmax [11:0] */

	qdma_fmap_ctx_decode((const uint32_t[]){ 0xFFFFF805u, 0xFFFFF010u }, &d);
	assert_int_equal(d.qbase, 0x005); /* only [10:0] */
	assert_int_equal(d.qmax, 0x010);  /* only [11:0] */

	c = (struct qdma_fmap_ctx){ .qbase = 0x7FF, .qmax = 0xFFF };
	assert_int_equal(qdma_fmap_ctx_encode(&c, w), 0);
	assert_int_equal(w[0], 0x7FFu);
	assert_int_equal(w[1], 0xFFFu);

	c = (struct qdma_fmap_ctx){ .qbase = 0x800 };
	fill_sentinel(w, 2);
	assert_int_equal(qdma_fmap_ctx_encode(&c, w), -ERANGE);
	assert_sentinel(w, 2);
	c = (struct qdma_fmap_ctx){ .qmax = 0x1000 };
	assert_int_equal(qdma_fmap_ctx_encode(&c, w), -ERANGE);
	assert_sentinel(w, 2);

	for (i = 0; i < 200; i++) {
		c = (struct qdma_fmap_ctx){ .qbase = (uint16_t)rbits(11),
			.qmax = (uint16_t)rbits(12) };
		assert_int_equal(qdma_fmap_ctx_encode(&c, w), 0);
		qdma_fmap_ctx_decode(w, &d);
		assert_int_equal(d.qbase, c.qbase);
		assert_int_equal(d.qmax, c.qmax);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* decode(all ones) -> encode gives exactly the defined bits of each word (reserved bits 0).   */

static void
test_defined_bits(void **state)
{
	(void)state;
	const uint32_t ones[QDMA_CTX_MAX_WORDS] = { 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
		0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu };
	uint32_t w[QDMA_CTX_MAX_WORDS];

	{
		struct qdma_sw_ctx c;
		/* W0 [24:0]; W1 all but [11:8]; W2, W3 all; W4 [11:0] */
		const uint32_t exp[5] = { 0x01FFFFFFu, 0xFFFFF0FFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
			0x00000FFFu };
		qdma_sw_ctx_decode(ones, &c);
		assert_int_equal(qdma_sw_ctx_encode(&c, w), 0);
		assert_words(w, exp, 5);
	}
	{
		struct qdma_hw_ctx c;
		const uint32_t exp[2] = { 0xFFFFFFFFu, 0x00007F00u }; /* W1 [14:8] */
		qdma_hw_ctx_decode(ones, &c);
		assert_int_equal(qdma_hw_ctx_encode(&c, w), 0);
		assert_words(w, exp, 2);
	}
	{
		struct qdma_credit_ctx c;
		qdma_credit_ctx_decode(ones, &c);
		assert_int_equal(qdma_credit_ctx_encode(&c, w), 0);
		assert_int_equal(w[0], 0xFFFFu);
	}
	{
		struct qdma_pfch_ctx c;
		/* W0 [7:0] and [31:26]; W1 [13:0] */
		const uint32_t exp[2] = { 0xFC0000FFu, 0x00003FFFu };
		qdma_pfch_ctx_decode(ones, &c);
		assert_int_equal(qdma_pfch_ctx_encode(&c, w), 0);
		assert_words(w, exp, 2);
	}
	{
		struct qdma_cmpt_ctx c;
		/* W0 [12:0] and [31:17]; W1 [31:6]; W2, W3 all; W4 [15:0] */
		const uint32_t exp[5] = { 0xFFFE1FFFu, 0xFFFFFFC0u, 0xFFFFFFFFu, 0xFFFFFFFFu,
			0x0000FFFFu };
		qdma_cmpt_ctx_decode(ones, &c);
		assert_int_equal(qdma_cmpt_ctx_encode(&c, w), 0);
		assert_words(w, exp, 5);
	}
	{
		struct qdma_intr_ctx c;
		/* W0 all but [12]; W1 all; W2 [18:0] */
		const uint32_t exp[3] = { 0xFFFFEFFFu, 0xFFFFFFFFu, 0x0007FFFFu };
		qdma_intr_ctx_decode(ones, &c);
		assert_int_equal(qdma_intr_ctx_encode(&c, w), 0);
		assert_words(w, exp, 3);
	}
	{
		struct qdma_fmap_ctx c;
		const uint32_t exp[2] = { 0x7FFu, 0xFFFu };
		qdma_fmap_ctx_decode(ones, &c);
		assert_int_equal(qdma_fmap_ctx_encode(&c, w), 0);
		assert_words(w, exp, 2);
	}
}

static void
test_ctx_words(void **state)
{
	(void)state;
	assert_int_equal(QDMA_CTX_MAX_WORDS, 8);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_SW_C2H), 5);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_SW_H2C), 5);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_HW_C2H), 2);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_HW_H2C), 2);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_CR_C2H), 1);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_CR_H2C), 1);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_CMPT), 5);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_PFTCH), 2);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_INT_COAL), 3);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_FMAP), 2);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_PASID_RAM_LOW), 0);
	assert_int_equal(qdma_ctx_words(QDMA_IND_SEL_TIMER), 0);
	assert_int_equal(qdma_ctx_words(13), 0);
	assert_int_equal(qdma_ctx_words(15), 0);
}

/* ---- driven by the layout tables (the one statement of each field's position) ------------ */

static const struct qdma_ctx_layout *const layouts[] = {
	&qdma_sw_ctx_layout, &qdma_hw_ctx_layout, &qdma_credit_ctx_layout, &qdma_pfch_ctx_layout,
	&qdma_cmpt_ctx_layout, &qdma_intr_ctx_layout, &qdma_fmap_ctx_layout,
};

static uint64_t
piece_mask(const struct qdma_ctx_field *f)
{
	return (f->width >= 64 ? ~0ull : (1ull << f->width) - 1u) << f->vlo;
}

static void
set_member(void *c, const struct qdma_ctx_field *f, uint64_t v)
{
	memcpy((uint8_t *)c + f->off, &v, f->size); /* little-endian host */
}

static uint64_t
get_member(const void *c, const struct qdma_ctx_field *f)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)c + f->off, f->size);
	return v;
}

/* The pieces of a layout are disjoint, inside the context's words, and the word counts agree. */
static void
test_layout_tables(void **state)
{
	(void)state;
	assert_int_equal(qdma_sw_ctx_layout.words, qdma_ctx_words(QDMA_IND_SEL_SW_C2H));
	assert_int_equal(qdma_cmpt_ctx_layout.words, qdma_ctx_words(QDMA_IND_SEL_CMPT));
	assert_int_equal(qdma_intr_ctx_layout.words, qdma_ctx_words(QDMA_IND_SEL_INT_COAL));
	for (unsigned l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		const struct qdma_ctx_layout *L = layouts[l];
		uint32_t used[QDMA_CTX_MAX_WORDS] = { 0 };

		assert_true(L->size <= QDMA_CTX_MAX_STRUCT);
		assert_true(L->words <= QDMA_CTX_MAX_WORDS);
		for (unsigned i = 0; i < L->nb_fields; i++) {
			const struct qdma_ctx_field *f = &L->fields[i];
			uint32_t m = (uint32_t)((f->width >= 32 ? ~0ull : (1ull << f->width) - 1u)
				<< f->lo);

			assert_true(f->word < L->words);
			assert_true(f->lo + f->width <= 32);
			assert_true(f->vlo + f->width <= 8u * f->size);
			if (used[f->word] & m)
				fail_msg("%s.%s overlaps another field in W%u", L->name, f->name,
					f->word);
			used[f->word] |= m;
		}
	}
}

/*
 * Every piece alone: all ones in it encode to exactly its bits of its word and decode back;
 * one bit above the member's highest piece (when the member has room for it) is -ERANGE.
 */
static void
test_layout_roundtrip(void **state)
{
	(void)state;
	for (unsigned l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		const struct qdma_ctx_layout *L = layouts[l];

		for (unsigned i = 0; i < L->nb_fields; i++) {
			const struct qdma_ctx_field *f = &L->fields[i];
			uint8_t c[QDMA_CTX_MAX_STRUCT] = { 0 }, d[QDMA_CTX_MAX_STRUCT];
			uint32_t w[QDMA_CTX_MAX_WORDS], top = 0;

			set_member(c, f, piece_mask(f));
			assert_int_equal(qdma_ctx_encode(L, c, w), 0);
			for (unsigned k = 0; k < L->words; k++) {
				uint32_t want = k == f->word ?
					(uint32_t)(((f->width >= 32 ? ~0ull : (1ull << f->width) - 1u))
						<< f->lo) : 0;

				if (w[k] != want)
					fail_msg("%s.%s: W%u = 0x%08x, want 0x%08x", L->name, f->name,
						k, w[k], want);
			}
			qdma_ctx_decode(L, w, d);
			assert_true(get_member(d, f) == piece_mask(f));
			/* the member's top bit: the highest vlo + width over its pieces */
			for (unsigned j = 0; j < L->nb_fields; j++)
				if (L->fields[j].off == f->off &&
				    L->fields[j].vlo + L->fields[j].width > top)
					top = L->fields[j].vlo + L->fields[j].width;
			if (top < 8u * f->size) {
				memset(c, 0, sizeof(c));
				set_member(c, f, 1ull << top);
				fill_sentinel(w, QDMA_CTX_MAX_WORDS);
				assert_int_equal(qdma_ctx_encode(L, c, w), -ERANGE);
				assert_sentinel(w, QDMA_CTX_MAX_WORDS);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sw_golden),
		cmocka_unit_test(test_sw_h2c_start_vector),
		cmocka_unit_test(test_sw_fields),
		cmocka_unit_test(test_sw_overflow),
		cmocka_unit_test(test_sw_roundtrip),
		cmocka_unit_test(test_hw_golden),
		cmocka_unit_test(test_hw_overflow_roundtrip),
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_pfch_golden),
		cmocka_unit_test(test_pfch_overflow_roundtrip),
		cmocka_unit_test(test_cmpt_golden),
		cmocka_unit_test(test_cmpt_c2h_start_vector),
		cmocka_unit_test(test_cmpt_overflow),
		cmocka_unit_test(test_cmpt_roundtrip),
		cmocka_unit_test(test_intr_golden),
		cmocka_unit_test(test_intr_overflow_roundtrip),
		cmocka_unit_test(test_fmap),
		cmocka_unit_test(test_defined_bits),
		cmocka_unit_test(test_ctx_words),
		cmocka_unit_test(test_layout_tables),
		cmocka_unit_test(test_layout_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
