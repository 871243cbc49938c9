/* SPDX-License-Identifier: BSD-3-Clause */
/* Example-design user-BAR tests (qdma-reference.md section 7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_user.h"

static void
test_offsets(void **state)
{
	(void)state;
	assert_int_equal(QDMA_USER_ST_C2H_QID, 0x00);
	assert_int_equal(QDMA_USER_ST_C2H_PKTLEN, 0x04);
	assert_int_equal(QDMA_USER_ST_C2H_CONTROL, 0x08);
	assert_int_equal(QDMA_USER_ST_H2C_CONTROL, 0x0C);
	assert_int_equal(QDMA_USER_ST_H2C_STATUS, 0x10);
	assert_int_equal(QDMA_USER_ST_H2C_XFER_CNT, 0x14);
	assert_int_equal(QDMA_USER_C2H_STATUS, 0x18);
	assert_int_equal(QDMA_USER_ST_C2H_PKT_CNT, 0x20);
	assert_int_equal(QDMA_USER_ST_C2H_CMPT_DATA(0), 0x30);
	assert_int_equal(QDMA_USER_ST_C2H_CMPT_DATA(7), 0x4C);
	assert_int_equal(QDMA_USER_ST_C2H_CMPT_SIZE, 0x50);
	assert_int_equal(QDMA_USER_ST_SCRATCH(1), 0x64);
	assert_int_equal(QDMA_USER_ST_C2H_PKT_DROP, 0x88);
	assert_int_equal(QDMA_USER_ST_C2H_PKT_ACCEPT, 0x8C);
	assert_int_equal(QDMA_USER_DSC_BYPASS_LOOP, 0x90);
	assert_int_equal(QDMA_USER_INTERRUPT, 0x94);
	assert_int_equal(QDMA_USER_INTERRUPT_MASK, 0x98);
	assert_int_equal(QDMA_USER_INTERRUPT_VEC, 0x9C);
	assert_int_equal(QDMA_USER_DMA_CONTROL, 0xA0);
	assert_int_equal(QDMA_USER_VDM_MSG_READ, 0xA4);
	/* control bits */
	assert_int_equal(QDMA_USER_C2H_CTRL_LOOPBACK, 1u << 0);
	assert_int_equal(QDMA_USER_C2H_CTRL_START_C2H, 1u << 1);
	assert_int_equal(QDMA_USER_C2H_CTRL_IMM_DATA, 1u << 2);
	assert_int_equal(QDMA_USER_C2H_CTRL_MARKER_REQ, 0x22u);
	assert_int_equal(QDMA_USER_C2H_CTRL_STOP_CMPT, 1u << 21);
	assert_int_equal(QDMA_USER_C2H_CTRL_USER_RESET_N, 1u << 31);
	assert_int_equal(QDMA_USER_H2C_STATUS_MATCH, 1);
	assert_int_equal(QDMA_USER_BYP_ST_BOTH_SIMPLE, 5);
}

static void
test_pattern(void **state)
{
	(void)state;
	/* words 0x0000, 0x0001, 0x0002, 0x0003 little-endian */
	const uint8_t head[8] = { 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00 };
	uint8_t buf[64];
	unsigned i;

	qdma_user_pattern_fill(buf, 8, 0);
	assert_memory_equal(buf, head, 8);
	/* word 0x00FF at offset 0x1FE, word 0x0100 at 0x200 */
	assert_int_equal(qdma_user_pattern_byte(0x1FE), 0xFF);
	assert_int_equal(qdma_user_pattern_byte(0x1FF), 0x00);
	assert_int_equal(qdma_user_pattern_byte(0x200), 0x00);
	assert_int_equal(qdma_user_pattern_byte(0x201), 0x01);
	/* word 0xABCD at offset 2 * 0xABCD */
	assert_int_equal(qdma_user_pattern_byte(2 * 0xABCDu), 0xCD);
	assert_int_equal(qdma_user_pattern_byte(2 * 0xABCDu + 1), 0xAB);
	/* wraps after 0xFFFF: offset 128 KiB is word 0 again */
	assert_int_equal(qdma_user_pattern_byte(0x1FFFE), 0xFF);
	assert_int_equal(qdma_user_pattern_byte(0x1FFFF), 0xFF);
	assert_int_equal(qdma_user_pattern_byte(0x20000), 0x00);
	assert_int_equal(qdma_user_pattern_byte(0x20002), 0x01);

	/* odd starting offset: stream bytes 3.. = 00 02 00 03 ... */
	qdma_user_pattern_fill(buf, 5, 3);
	assert_int_equal(buf[0], 0x00);
	assert_int_equal(buf[1], 0x02);
	assert_int_equal(buf[2], 0x00);
	assert_int_equal(buf[3], 0x03);
	assert_int_equal(buf[4], 0x00);

	qdma_user_pattern_fill(buf, sizeof(buf), 1000);
	assert_int_equal(qdma_user_pattern_check(buf, sizeof(buf), 1000), sizeof(buf));
	assert_int_equal(qdma_user_pattern_check(buf, sizeof(buf), 1002), 0);
	buf[17] ^= 0x40;
	assert_int_equal(qdma_user_pattern_check(buf, sizeof(buf), 1000), 17);
	for (i = 0; i < 8; i++)
		assert_int_equal(qdma_user_pattern_byte(i), head[i]);
	assert_int_equal(QDMA_USER_PATTERN_FILE_BYTES, 262144);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
