/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor, status-descriptor, completion-entry and ring-geometry tests. Expected bytes are
 * written by hand from qdma-reference.md section 3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_desc.h"

static void
test_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct qdma_h2c_st_desc), 16);
	assert_int_equal(sizeof(struct qdma_c2h_st_desc), 8);
	assert_int_equal(sizeof(struct qdma_mm_desc), 32);
	assert_int_equal(sizeof(struct qdma_status_desc), 8);
	assert_int_equal(offsetof(struct qdma_h2c_st_desc, cdh_flags), 0);
	assert_int_equal(offsetof(struct qdma_h2c_st_desc, pld_len), 2);
	assert_int_equal(offsetof(struct qdma_h2c_st_desc, len), 4);
	assert_int_equal(offsetof(struct qdma_h2c_st_desc, flags), 6);
	assert_int_equal(offsetof(struct qdma_h2c_st_desc, src_addr), 8);
	assert_int_equal(offsetof(struct qdma_mm_desc, src_addr), 0);
	assert_int_equal(offsetof(struct qdma_mm_desc, ctl), 8);
	assert_int_equal(offsetof(struct qdma_mm_desc, dst_addr), 16);
	assert_int_equal(offsetof(struct qdma_status_desc, pidx), 0);
	assert_int_equal(offsetof(struct qdma_status_desc, cidx), 2);
	assert_int_equal(offsetof(struct qdma_status_desc, rsvd), 4);
}

static void
test_h2c_st(void **state)
{
	(void)state;
	struct qdma_h2c_st_desc d;
	/* bytes 0-1 cdh_flags 0, 2-3 pld_len, 4-5 len, 6-7 flags SOP|EOP, 8-15 src (LE) */
	const uint8_t exp[16] = { 0x00, 0x00, 0x34, 0x12, 0x34, 0x12, 0x03, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	uint64_t lo;

	memset(&d, 0xEE, sizeof(d));
	qdma_h2c_st_desc_fill(&d, 0x1122334455667788ull, 0x1234,
		QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
	assert_memory_equal(&d, exp, 16);

	/* the SSE path's low qword: len << 16 | len << 32 | flags << 48 */
	memcpy(&lo, &d, 8);
	assert_int_equal(lo, (0x1234ull << 16) | (0x1234ull << 32) | (0x3ull << 48));
	/* the word the vector paths build in registers: the same bytes 0-7 */
	lo = qdma_h2c_st_desc_word0(0x1234, QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
	assert_memory_equal(&lo, exp, 8);
	lo = qdma_h2c_st_desc_word0(0xFFFF, QDMA_H2C_ST_F_EOP);
	memset(&d, 0xEE, sizeof(d));
	qdma_h2c_st_desc_fill(&d, 0, 0xFFFF, QDMA_H2C_ST_F_EOP);
	assert_memory_equal(&lo, &d, 8);
	assert_int_equal(QDMA_H2C_ST_F_SOP, 0x1);
	assert_int_equal(QDMA_H2C_ST_F_EOP, 0x2);
}

static void
test_c2h_st(void **state)
{
	(void)state;
	struct qdma_c2h_st_desc d = { .dst_addr = 0x0102030405060708ull };
	const uint8_t exp[8] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };

	assert_memory_equal(&d, exp, 8);
}

static void
test_mm(void **state)
{
	(void)state;
	struct qdma_mm_desc d;
	/* src LE; ctl = len 0x0ABCDEF | dv [28] | sop [29] | eop [30] = 0x70ABCDEF; dst LE */
	const uint8_t exp[32] = {
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* src 0x1000 */
		0xEF, 0xCD, 0xAB, 0x70, 0x00, 0x00, 0x00, 0x00, /* ctl, rsvd */
		0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, /* dst 0x80000 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* rsvd */
	};

	memset(&d, 0xEE, sizeof(d));
	qdma_mm_desc_fill(&d, 0x1000, 0x80000, 0x0ABCDEF);
	assert_memory_equal(&d, exp, 32);
	assert_int_equal(qdma_mm_desc_len(&d), 0x0ABCDEF);

	assert_int_equal(qdma_mm_desc_ctl(0x10, 1, 0, 0), 0x10u | (1u << 28));
	assert_int_equal(qdma_mm_desc_ctl(0x10, 0, 1, 0), 0x10u | (1u << 29));
	assert_int_equal(qdma_mm_desc_ctl(0x10, 0, 0, 1), 0x10u | (1u << 30));
	/* length is 28 bits */
	assert_int_equal(qdma_mm_desc_ctl(0xFFFFFFFFu, 0, 0, 0), 0x0FFFFFFFu);
	assert_int_equal(QDMA_MM_DESC_LEN_MAX, 0x0FFFFFFFu);
}

static void
test_status(void **state)
{
	(void)state;
	/* pidx 0x0010 at bytes 0-1, cidx 0x0020 at 2-3, byte 4: color [0] = 1, int_st [2:1] = 2 */
	const uint8_t raw[8] = { 0x10, 0x00, 0x20, 0x00, 0x05, 0x00, 0x00, 0x00 };
	struct qdma_status_desc s;

	memcpy(&s, raw, 8);
	assert_int_equal(s.pidx, 0x10);
	assert_int_equal(s.cidx, 0x20);
	assert_int_equal(qdma_status_color(&s), 1);
	assert_int_equal(qdma_status_int_st(&s), 2);
	s.rsvd = 0x2;
	assert_int_equal(qdma_status_color(&s), 0);
	assert_int_equal(qdma_status_int_st(&s), 1);
}

static void
test_cmpt_entry(void **state)
{
	(void)state;
	uint64_t q;

	/* color [1], desc_used [3], length 1500 = 0x5DC at [19:4] */
	q = qdma_cmpt_entry_make(1, 0, 1, 1500);
	assert_int_equal(q, (1ull << 1) | (1ull << 3) | (0x5DCull << 4));
	assert_int_equal(q, 0x5DCAull);
	assert_int_equal(qdma_cmpt_entry_data_frmt(q), 0);
	assert_int_equal(qdma_cmpt_entry_color(q), 1);
	assert_int_equal(qdma_cmpt_entry_err(q), 0);
	assert_int_equal(qdma_cmpt_entry_desc_used(q), 1);
	assert_int_equal(qdma_cmpt_entry_len(q), 1500);

	/* err [2], max length */
	q = qdma_cmpt_entry_make(0, 1, 0, 0xFFFF);
	assert_int_equal(q, (1ull << 2) | (0xFFFFull << 4));
	assert_int_equal(qdma_cmpt_entry_err(q), 1);
	assert_int_equal(qdma_cmpt_entry_color(q), 0);
	assert_int_equal(qdma_cmpt_entry_desc_used(q), 0);
	assert_int_equal(qdma_cmpt_entry_len(q), 0xFFFF);

	/* getters ignore user bits; data_frmt [0] */
	q = 0xFFFFFFFFFFF00001ull;
	assert_int_equal(qdma_cmpt_entry_data_frmt(q), 1);
	assert_int_equal(qdma_cmpt_entry_color(q), 0);
	assert_int_equal(qdma_cmpt_entry_len(q), 0);
	q = 0x00000000000ABCDEull; /* len [19:4] = 0xABCD, bits 3..0 = 0xE */
	assert_int_equal(qdma_cmpt_entry_len(q), 0xABCD);
	assert_int_equal(qdma_cmpt_entry_desc_used(q), 1);
	assert_int_equal(qdma_cmpt_entry_err(q), 1);
	assert_int_equal(qdma_cmpt_entry_color(q), 1);
	assert_int_equal(qdma_cmpt_entry_data_frmt(q), 0);
}

static void
test_sizes_enum(void **state)
{
	(void)state;
	assert_int_equal(QDMA_DESC_SZ_8B, 0);
	assert_int_equal(QDMA_DESC_SZ_16B, 1);
	assert_int_equal(QDMA_DESC_SZ_32B, 2);
	assert_int_equal(QDMA_DESC_SZ_64B, 3);
	assert_int_equal(QDMA_CMPT_SZ_8B, 0);
	assert_int_equal(QDMA_CMPT_SZ_64B, 3);
	assert_int_equal(qdma_desc_sz_bytes(QDMA_DESC_SZ_8B), 8);
	assert_int_equal(qdma_desc_sz_bytes(QDMA_DESC_SZ_16B), 16);
	assert_int_equal(qdma_desc_sz_bytes(QDMA_DESC_SZ_32B), 32);
	assert_int_equal(qdma_desc_sz_bytes(QDMA_DESC_SZ_64B), 64);
	assert_int_equal(qdma_cmpt_sz_bytes(QDMA_CMPT_SZ_8B), 8);
	assert_int_equal(qdma_cmpt_sz_bytes(QDMA_CMPT_SZ_16B), 16);
	assert_int_equal(qdma_cmpt_sz_bytes(QDMA_CMPT_SZ_32B), 32);
	assert_int_equal(qdma_cmpt_sz_bytes(QDMA_CMPT_SZ_64B), 64);
	assert_int_equal(qdma_desc_sz_from_bytes(16), QDMA_DESC_SZ_16B);
	assert_int_equal(qdma_cmpt_sz_from_bytes(64), QDMA_CMPT_SZ_64B);
	assert_int_equal(qdma_cmpt_sz_from_bytes(8), QDMA_CMPT_SZ_8B);
	assert_int_equal(qdma_desc_sz_from_bytes(24), -1);
	assert_int_equal(qdma_cmpt_sz_from_bytes(0), -1);
}

static void
test_ring_geometry(void **state)
{
	(void)state;
	const uint32_t r = 65; /* GLBL_RNG_SZ[1]: 64 usable indices + status slot */
	uint32_t i, idx;

	/* indices live in [0, 63] and wrap from 63 to 0 */
	assert_int_equal(qdma_ring_next(0, r), 1);
	assert_int_equal(qdma_ring_next(62, r), 63);
	assert_int_equal(qdma_ring_next(63, r), 0);
	idx = 0;
	for (i = 0; i < 64; i++)
		idx = qdma_ring_next(idx, r);
	assert_int_equal(idx, 0);
	assert_int_equal(qdma_ring_add(60, 10, r), 6);
	assert_int_equal(qdma_ring_add(0, 64, r), 0);
	assert_int_equal(qdma_ring_add(63, 1, r), 0);

	/* count = (pidx - cidx) mod 64 */
	assert_int_equal(qdma_ring_count(0, 0, r), 0);
	assert_int_equal(qdma_ring_count(5, 60, r), 9);
	assert_int_equal(qdma_ring_count(60, 5, r), 55);
	assert_int_equal(qdma_ring_count(63, 0, r), 63);
	assert_int_equal(qdma_ring_count(0, 1, r), 63);
	/* at most R-2 = 63 outstanding */
	assert_int_equal(qdma_ring_free(0, 0, r), 63);
	assert_int_equal(qdma_ring_free(63, 0, r), 0);
	assert_int_equal(qdma_ring_free(10, 11, r), 0);

	/* status slot = entry 64 */
	assert_int_equal(qdma_ring_status_off(r, 8), 64 * 8);
	assert_int_equal(qdma_ring_status_off(r, 16), 64 * 16);
	assert_int_equal(qdma_ring_status_off(r, 32), 64 * 32);
	assert_int_equal(qdma_ring_bytes(r, 16), 65 * 16);
	assert_int_equal(qdma_ring_status_off(16385, 64), 16384ull * 64);

	/* the C2H ST start doorbell: C2H_PIDX = R - 2 posts R-2 buffers */
	assert_int_equal(qdma_ring_count(r - 2, 0, r), r - 2);

	/* large ring: 2049 entries, wrap at 2047 */
	assert_int_equal(qdma_ring_next(2047, 2049), 0);
	assert_int_equal(qdma_ring_next(2046, 2049), 2047);
	assert_int_equal(qdma_ring_count(3, 2047, 2049), 4);
}

static void
test_intr_entry_layout(void **state)
{
	(void)state;
	assert_int_equal(QDMA_INTR_ENTRY_CIDX_SHIFT, 16);
	assert_int_equal(QDMA_INTR_ENTRY_SRC_COLOR_SHIFT, 32);
	assert_int_equal(QDMA_INTR_ENTRY_TYPE_SHIFT, 38);
	assert_int_equal(QDMA_INTR_ENTRY_QID_SHIFT, 39);
	assert_int_equal(QDMA_INTR_ENTRY_COLOR_SHIFT, 63);
	assert_int_equal(QDMA_INTR_ENTRY_QID_SHIFT + 24, QDMA_INTR_ENTRY_COLOR_SHIFT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_h2c_st),
		cmocka_unit_test(test_c2h_st),
		cmocka_unit_test(test_mm),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_cmpt_entry),
		cmocka_unit_test(test_sizes_enum),
		cmocka_unit_test(test_ring_geometry),
		cmocka_unit_test(test_intr_entry_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
