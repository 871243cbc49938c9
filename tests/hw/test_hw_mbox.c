/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox tests: register offsets, header/op/status codes, and every payload layout checked
 * against byte vectors written by hand from qdma-reference.md sections 4.1-4.6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_mbox.h"
#include "qdma_hw_regs.h"

static void
assert_msg_bytes(const union qdma_mbox_msg *m, const uint8_t exp[QDMA_MBOX_MSG_BYTES])
{
	unsigned i;

	for (i = 0; i < QDMA_MBOX_MSG_BYTES; i++) {
		if (m->b[i] != exp[i])
			print_error("byte +%u: got 0x%02x expected 0x%02x\n", i, m->b[i], exp[i]);
		assert_int_equal(m->b[i], exp[i]);
	}
}

static void
test_registers(void **state)
{
	(void)state;
	/* relative offsets (4.1) */
	assert_int_equal(QDMA_MBOX_FN_STATUS, 0x000);
	assert_int_equal(QDMA_MBOX_FN_CMD, 0x004);
	assert_int_equal(QDMA_MBOX_FN_INTR_VEC, 0x008);
	assert_int_equal(QDMA_MBOX_FN_TARGET, 0x00C);
	assert_int_equal(QDMA_MBOX_FN_INTR_CTRL, 0x010);
	assert_int_equal(QDMA_MBOX_FN_VERSION, 0x014);
	assert_int_equal(QDMA_MBOX_PF_ACK(0), 0x020);
	assert_int_equal(QDMA_MBOX_PF_ACK(7), 0x03C);
	assert_int_equal(QDMA_MBOX_FLR, 0x100);
	assert_int_equal(QDMA_MBOX_MSG_IN(0), 0x800);
	assert_int_equal(QDMA_MBOX_MSG_IN(31), 0x87C);
	assert_int_equal(QDMA_MBOX_MSG_OUT(0), 0xC00);
	assert_int_equal(QDMA_MBOX_MSG_OUT(31), 0xC7C);
	assert_int_equal(QDMA_MBOX_MSG_WORDS, 32);
	assert_int_equal(QDMA_MBOX_MSG_BYTES, 128);

	/* absolute PF (base 0x2400) */
	assert_int_equal(QDMA_PF_MBOX_BASE, 0x2400);
	assert_int_equal(QDMA_PF_MBOX_FN_STATUS, 0x2400);
	assert_int_equal(QDMA_PF_MBOX_FN_CMD, 0x2404);
	assert_int_equal(QDMA_PF_MBOX_FN_INTR_VEC, 0x2408);
	assert_int_equal(QDMA_PF_MBOX_FN_TARGET, 0x240C);
	assert_int_equal(QDMA_PF_MBOX_FN_INTR_CTRL, 0x2410);
	assert_int_equal(QDMA_PF_MBOX_PF_ACK(0), 0x2420);
	assert_int_equal(QDMA_PF_MBOX_PF_ACK(7), 0x243C);
	assert_int_equal(QDMA_PF_FLR, 0x2500);
	assert_int_equal(QDMA_PF_MBOX_MSG_IN(0), 0x2C00);
	assert_int_equal(QDMA_PF_MBOX_MSG_IN(31), 0x2C7C);
	assert_int_equal(QDMA_PF_MBOX_MSG_OUT(0), 0x3000);
	assert_int_equal(QDMA_PF_MBOX_MSG_OUT(31), 0x307C);

	/* absolute VF (base 0x1000, 1.8) */
	assert_int_equal(QDMA_VF_MBOX_BASE, 0x1000);
	assert_int_equal(QDMA_VF_MBOX_FN_STATUS, 0x1000);
	assert_int_equal(QDMA_VF_MBOX_FN_CMD, 0x1004);
	assert_int_equal(QDMA_VF_MBOX_FN_INTR_VEC, 0x1008);
	assert_int_equal(QDMA_VF_MBOX_FN_INTR_CTRL, 0x1010);
	assert_int_equal(QDMA_VF_VERSION, 0x1014);
	assert_int_equal(QDMA_VF_USER_BAR, 0x1018);
	assert_int_equal(QDMA_VF_FLR, 0x1100);
	assert_int_equal(QDMA_VF_MBOX_MSG_IN(0), 0x1800);
	assert_int_equal(QDMA_VF_MBOX_MSG_IN(31), 0x187C);
	assert_int_equal(QDMA_VF_MBOX_MSG_OUT(0), 0x1C00);
	assert_int_equal(QDMA_VF_MBOX_MSG_OUT(31), 0x1C7C);
	assert_int_equal(QDMA_EQDMA_VF_VERSION, 0x5014);
	assert_int_equal(QDMA_EQDMA_PF_MBOX_BASE + QDMA_MBOX_MSG_IN(0), 0x22C00);
	assert_int_equal(QDMA_EQDMA_PF_MBOX_BASE + QDMA_MBOX_MSG_OUT(0), 0x23000);
}

static void
test_register_bits(void **state)
{
	(void)state;
	uint32_t v;

	assert_int_equal(QDMA_MBOX_FN_STATUS_I_MSG, 1u << 0);
	assert_int_equal(QDMA_MBOX_FN_STATUS_O_MSG, 1u << 1);
	assert_int_equal(QDMA_MBOX_FN_STATUS_ACK, 1u << 2);
	assert_int_equal(QDMA_MBOX_FN_CMD_SEND, 0x1);
	assert_int_equal(QDMA_MBOX_FN_CMD_RCV, 0x2);
	assert_int_equal(QDMA_MBOX_FN_CMD_VF_RESET, 0x8);
	assert_int_equal(QDMA_MBOX_FN_INTR_CTRL_EN, 1);

	/* cur_src_fn [15:4] */
	v = qdma_mbox_fn_status(1, 0, 1, 0x0FF);
	assert_int_equal(v, (1u << 0) | (1u << 2) | (0x0FFu << 4));
	assert_int_equal(qdma_mbox_fn_status_src(0xABC5u), 0xABC);
	assert_int_equal(qdma_mbox_fn_status_src(0xFFFF0000u | (0x123u << 4)), 0x123);
	assert_int_equal(qdma_mbox_fn_status(0, 1, 0, 0x1234), (1u << 1) | (0x234u << 4));

	/* PF_ACK: bit f % 32 of word f / 32 */
	assert_int_equal(QDMA_MBOX_PF_ACK_WORD(0), 0);
	assert_int_equal(QDMA_MBOX_PF_ACK_BIT(0), 1u);
	assert_int_equal(QDMA_MBOX_PF_ACK_WORD(37), 1);
	assert_int_equal(QDMA_MBOX_PF_ACK_BIT(37), 1u << 5);
	assert_int_equal(QDMA_MBOX_PF_ACK_WORD(255), 7);
	assert_int_equal(QDMA_MBOX_PF_ACK_BIT(255), 1u << 31);
}

static void
test_ops_and_status(void **state)
{
	(void)state;
	assert_int_equal(QDMA_MBOX_OP_VF_BYE, 0x00);
	assert_int_equal(QDMA_MBOX_OP_HELLO, 0x01);
	assert_int_equal(QDMA_MBOX_OP_FMAP, 0x02);
	assert_int_equal(QDMA_MBOX_OP_CSR, 0x03);
	assert_int_equal(QDMA_MBOX_OP_QREQ, 0x04);
	assert_int_equal(QDMA_MBOX_OP_QNOTIFY_ADD, 0x05);
	assert_int_equal(QDMA_MBOX_OP_QNOTIFY_DEL, 0x06);
	assert_int_equal(QDMA_MBOX_OP_GET_QACTIVE_CNT, 0x07);
	assert_int_equal(QDMA_MBOX_OP_QCTXT_WRT, 0x08);
	assert_int_equal(QDMA_MBOX_OP_QCTXT_RD, 0x09);
	assert_int_equal(QDMA_MBOX_OP_QCTXT_CLR, 0x0A);
	assert_int_equal(QDMA_MBOX_OP_QCTXT_INV, 0x0B);
	assert_int_equal(QDMA_MBOX_OP_INTR_CTXT_WRT, 0x0C);
	assert_int_equal(QDMA_MBOX_OP_INTR_CTXT_RD, 0x0D);
	assert_int_equal(QDMA_MBOX_OP_INTR_CTXT_CLR, 0x0E);
	assert_int_equal(QDMA_MBOX_OP_INTR_CTXT_INV, 0x0F);
	assert_int_equal(QDMA_MBOX_OP_RESET_PREPARE, 0x10);
	assert_int_equal(QDMA_MBOX_OP_RESET_DONE, 0x11);
	assert_int_equal(QDMA_MBOX_OP_REG_LIST_READ, 0x12);
	assert_int_equal(QDMA_MBOX_OP_PF_BYE, 0x13);
	assert_int_equal(QDMA_MBOX_OP_PF_RESET_VF_BYE, 0x14);
	assert_int_equal(QDMA_MBOX_OP_XILINX_MAX, 0x14);
	assert_int_equal(qdma_mbox_op_rsp(QDMA_MBOX_OP_HELLO), 0x81);
	assert_int_equal(qdma_mbox_op_rsp(QDMA_MBOX_OP_PF_RESET_VF_BYE), 0x94);
	assert_true(qdma_mbox_op_is_rsp(0x81));
	assert_false(qdma_mbox_op_is_rsp(0x14));

	assert_int_equal(QDMA_MBOX_OK, 0);
	assert_int_equal(QDMA_MBOX_ERR_NO_QUEUES_LEFT, -12);
	assert_int_equal(QDMA_MBOX_ERR_QMAX_CONF_REJECTED, -13);
	assert_int_equal(QDMA_MBOX_ERR_FMAP_WR_FAILED, -14);
	assert_int_equal(QDMA_MBOX_ERR_NUM_QUEUES, -15);
	assert_int_equal(QDMA_MBOX_ERR_INV_QID, -16);
	assert_int_equal(QDMA_MBOX_ERR_INV_RINGSZ, -17);
	assert_int_equal(QDMA_MBOX_ERR_INV_BUFSZ, -18);
	assert_int_equal(QDMA_MBOX_ERR_INV_CNTR_TH, -19);
	assert_int_equal(QDMA_MBOX_ERR_INV_TMR_TH, -20);
	assert_int_equal(QDMA_MBOX_ERR_INV_MSG, -21);
	assert_int_equal(QDMA_MBOX_ERR_ALL_ZERO_MSG, -25);
}

static void
test_offsets(void **state)
{
	(void)state;
	/* 4.4 header */
	assert_int_equal(offsetof(struct qdma_mbox_hdr, op), 0);
	assert_int_equal(offsetof(struct qdma_mbox_hdr, status), 1);
	assert_int_equal(offsetof(struct qdma_mbox_hdr, src_func_id), 2);
	assert_int_equal(offsetof(struct qdma_mbox_hdr, dst_func_id), 4);
	/* 4.6 */
	assert_int_equal(offsetof(union qdma_mbox_msg, fmap.qbase), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, fmap.qmax), 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.qbase), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.qmax), 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap.num_pfs), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap.num_qs), 18);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap.flags), 20);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap.mm_channel_max), 21);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.cap.cap_flags), 22);
	assert_int_equal(offsetof(union qdma_mbox_msg, hello.dma_device_index), 24);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.ringsz), 6);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.ringsz[15]), 36);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.bufsz), 38);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.bufsz[15]), 68);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.timer_cnt), 70);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.cnt_thres), 86);
	assert_int_equal(offsetof(union qdma_mbox_msg, csr.wb_intvl), 102);
	assert_int_equal(offsetof(union qdma_mbox_msg, qnotify.qid_hw), 6);
	assert_int_equal(offsetof(union qdma_mbox_msg, qnotify.q_type), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, qactive.h2c), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, qactive.c2h), 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, qactive.cmpt), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.qid_hw), 6);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.flags), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.ring_bs_addr), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.cmpt_ring_bs_addr), 24);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.flags), 32);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.func_id), 36);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.cnt_thres), 38);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.timer_thres), 39);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.intr), 40);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.ringsz), 42);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.bufsz), 44);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt.descq.cmpt_ringsz), 46);
	assert_int_equal(sizeof(struct qdma_mbox_descq_conf), 32);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.qid2vec), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.fmap_qbase), 20);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.fmap_qmax), 22);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.sw), 24);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.hw), 80);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.cr), 88);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.pfch), 92);
	assert_int_equal(offsetof(union qdma_mbox_msg, qctxt_rd.cmpt), 104);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.num_rings), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ring_index_list), 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt), 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.ring_base), 16 + 0);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.vec), 16 + 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.pidx), 16 + 10);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.valid), 16 + 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.int_st), 16 + 13);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.color), 16 + 14);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.page_size), 16 + 15);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.at), 16 + 16);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.host_id), 16 + 17);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.pasid), 16 + 20);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.pasid_en), 16 + 24);
	assert_int_equal(offsetof(union qdma_mbox_msg, intr_ctxt.ictxt.func_id), 16 + 26);
	assert_int_equal(sizeof(struct qdma_mbox_ictxt), 32);
	assert_int_equal(offsetof(union qdma_mbox_msg, reg_list.group), 6);
	assert_int_equal(offsetof(union qdma_mbox_msg, reg_list.num_regs), 8);
	assert_int_equal(offsetof(union qdma_mbox_msg, reg_list.regs), 12);
	assert_int_equal(offsetof(union qdma_mbox_msg, reg_list.regs[13].val), 12 + 13 * 8 + 4);
	assert_int_equal(sizeof(union qdma_mbox_msg), 128);
}

/* HELLO request as a VF sends it: src 0, qbase -1, qmax 0 (4.8). */
static void
test_hello_req(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp[128] = {
		[0] = 0x01,                                    /* op HELLO */
		[8] = 0xFF, [9] = 0xFF, [10] = 0xFF, [11] = 0xFF, /* qbase = -1 */
	};

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	m.fmap.qbase = -1;
	m.fmap.qmax = 0;
	assert_msg_bytes(&m, exp);
	/* as words in MSG_OUT: w0 = op, w2 = qbase */
	assert_int_equal(m.w[0], 0x00000001u);
	assert_int_equal(m.w[1], 0);
	assert_int_equal(m.w[2], 0xFFFFFFFFu);
}

static void
test_hello_rsp(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp[128] = {
		[0] = 0x81,                 /* op */
		[2] = 0x00, [3] = 0x00,     /* src = PF 0 */
		[4] = 0x05, [5] = 0x00,     /* dst = 5 */
		[8] = 0x00, [9] = 0x01,     /* qbase 0x100 */
		[12] = 0x08,                /* qmax 8 */
		[16] = 0x01,                /* dev_cap num_pfs */
		[18] = 0x00, [19] = 0x08,   /* num_qs 2048 */
		[20] = 0x17,                /* flr[0] st[1] mm[2] mailbox[4] */
		[21] = 0x01,                /* mm_channel_max */
		[22] = 0xFE,                /* bits 1..7 (QDMA3.1 hard-coded caps) */
		[24] = 0x44, [25] = 0x33, [26] = 0x22, [27] = 0x11, /* dma_device_index */
	};

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	m.hdr.src_func_id = 5; /* as the PF sees it after FN_STATUS substitution */
	qdma_mbox_msg_make_rsp(&m, 0, QDMA_MBOX_OK);
	m.hello.qbase = 0x100;
	m.hello.qmax = 8;
	m.hello.cap.num_pfs = 1;
	m.hello.cap.num_qs = 2048;
	m.hello.cap.flags = QDMA_DEV_CAP_FLR_PRESENT | QDMA_DEV_CAP_ST_EN | QDMA_DEV_CAP_MM_EN |
			    QDMA_DEV_CAP_MAILBOX_EN;
	m.hello.cap.mm_channel_max = 1;
	m.hello.cap.cap_flags = QDMA_DEV_CAP_QDMA31_CAP_FLAGS;
	m.hello.dma_device_index = 0x11223344u;
	assert_msg_bytes(&m, exp);

	/* and parse the same bytes received as words */
	union qdma_mbox_msg r;
	memcpy(r.b, exp, 128);
	assert_int_equal(r.hdr.op, 0x81);
	assert_int_equal(r.hdr.dst_func_id, 5);
	assert_int_equal(r.hello.cap.num_qs, 2048);
	assert_true(r.hello.cap.flags & QDMA_DEV_CAP_MAILBOX_EN);
	assert_false(r.hello.cap.flags & QDMA_DEV_CAP_MM_CMPT_EN);
	assert_true(r.hello.cap.cap_flags & QDMA_DEV_CAP_MAILBOX_INTR);
	assert_false(r.hello.cap.cap_flags & QDMA_DEV_CAP_QID2VEC_CTX);
	assert_int_equal(QDMA_DEV_CAP_DESC_ENG_MODE_SHIFT, 6);
}

static void
test_qreq_fmap(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	/* QREQ response from PF 1 to function 9, status -15, qbase 0x7FF, qmax 0x12345 */
	const uint8_t exp[128] = {
		[0] = 0x84, [1] = 0xF1,   /* op, status -15 as s8 */
		[2] = 0x01, [4] = 0x09,   /* src 1, dst 9 */
		[8] = 0xFF, [9] = 0x07,   /* qbase */
		[12] = 0x45, [13] = 0x23, [14] = 0x01, /* qmax */
	};

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QREQ, 9, 1);
	qdma_mbox_msg_make_rsp(&m, 1, QDMA_MBOX_ERR_NUM_QUEUES);
	m.fmap.qbase = 0x7FF;
	m.fmap.qmax = 0x12345;
	assert_msg_bytes(&m, exp);
	assert_int_equal(m.hdr.status, -15);

	/* FMAP request words: w0 = op 2 | src 9 << 16, w1 = dst 0, w2 = qbase 16, w3 = qmax 4 */
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_FMAP, 9, 0);
	m.fmap.qbase = 16;
	m.fmap.qmax = 4;
	assert_int_equal(m.w[0], 0x02u | (9u << 16));
	assert_int_equal(m.w[1], 0);
	assert_int_equal(m.w[2], 16);
	assert_int_equal(m.w[3], 4);
}

static void
test_csr_rsp(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	uint8_t exp[128] = { [0] = 0x83 };
	unsigned i;

	qdma_mbox_msg_init(&m, qdma_mbox_op_rsp(QDMA_MBOX_OP_CSR), 0, 0);
	for (i = 0; i < 16; i++) {
		m.csr.ringsz[i] = (uint16_t)(0x100 * i + 1);
		m.csr.bufsz[i] = (uint16_t)(0xA000 + i);
		m.csr.timer_cnt[i] = (uint8_t)(0x10 + i);
		m.csr.cnt_thres[i] = (uint8_t)(0x80 + i);
		/* +6 ringsz[i] u16, +38 bufsz[i] u16, +70 timer_cnt[i], +86 cnt_thres[i] */
		exp[6 + 2 * i] = 0x01;
		exp[7 + 2 * i] = (uint8_t)i;
		exp[38 + 2 * i] = (uint8_t)i;
		exp[39 + 2 * i] = 0xA0;
		exp[70 + i] = (uint8_t)(0x10 + i);
		exp[86 + i] = (uint8_t)(0x80 + i);
	}
	m.csr.wb_intvl = 0x5A;
	exp[102] = 0x5A;
	assert_msg_bytes(&m, exp);
}

static void
test_qnotify_qactive(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp_n[128] = {
		[0] = 0x05, [2] = 0x07,   /* QNOTIFY_ADD from 7 */
		[6] = 0x34, [7] = 0x02,   /* qid_hw 0x234 */
		[8] = 0x02,               /* q_type CMPT */
	};
	const uint8_t exp_a[128] = {
		[0] = 0x87, [4] = 0x07,
		[8] = 0x03,               /* h2c 3 */
		[12] = 0x04,              /* c2h 4 */
		[16] = 0x05, [17] = 0x01, /* cmpt 0x105 */
	};

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QNOTIFY_ADD, 7, 0);
	m.qnotify.qid_hw = 0x234;
	m.qnotify.q_type = QDMA_MBOX_QTYPE_CMPT;
	assert_msg_bytes(&m, exp_n);
	assert_int_equal(QDMA_MBOX_QTYPE_H2C, 0);
	assert_int_equal(QDMA_MBOX_QTYPE_C2H, 1);

	qdma_mbox_msg_init(&m, qdma_mbox_op_rsp(QDMA_MBOX_OP_GET_QACTIVE_CNT), 0, 7);
	m.qactive.h2c = 3;
	m.qactive.c2h = 4;
	m.qactive.cmpt = 0x105;
	assert_msg_bytes(&m, exp_a);
}

static void
test_qctxt_wrt(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp[128] = {
		[0] = 0x08, [2] = 0x07,            /* QCTXT_WRT from 7 */
		[6] = 0x23, [7] = 0x01,            /* qid_hw 0x123 */
		[8] = 0x0B,                        /* st [0] | c2h [1] | cmpt type 2 [3:2] */
		/* +16 ring base 0x1122334455667000 */
		[16] = 0x00, [17] = 0x70, [18] = 0x66, [19] = 0x55,
		[20] = 0x44, [21] = 0x33, [22] = 0x22, [23] = 0x11,
		/* +24 cmpt base 0x0000000ABCDE0000 */
		[26] = 0xDE, [27] = 0xBC, [28] = 0x0A,
		/* +32 flags: forced_en [0] | wbk_en [6] | cmpl_stat_en [15] |
		 *      cmpt_desc_sz 1 [19:18] | triggermode 4 [22:20] = 0x00448041 */
		[32] = 0x41, [33] = 0x80, [34] = 0x44, [35] = 0x00,
		[36] = 0x07,                       /* func_id [15:0] */
		[38] = 64,                         /* cnt_thres [23:16] */
		[39] = 5,                          /* timer_thres [31:24] */
		[40] = 0x03, [41] = 0x08,          /* intr_id 3 [10:0] | intr_aggr [11] */
		[42] = 0x00, [43] = 0x04,          /* ringsz 1024 */
		[44] = 0x00, [45] = 0x10,          /* bufsz 4096 */
		[46] = 0x00, [47] = 0x08,          /* cmpt_ringsz 2048 */
	};
	struct qdma_mbox_descq_conf *d = &m.qctxt.descq;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QCTXT_WRT, 7, 0);
	m.qctxt.qid_hw = 0x123;
	m.qctxt.flags = qdma_mbox_qctxt_flags(1, 1, QDMA_MBOX_CMPT_CTXT_WITH_ST);
	d->ring_bs_addr = 0x1122334455667000ull;
	d->cmpt_ring_bs_addr = 0x0000000ABCDE0000ull;
	d->flags = QDMA_DESCQ_F_FORCED_EN | QDMA_DESCQ_F_WBK_EN | QDMA_DESCQ_F_CMPL_STAT_EN |
		   (1u << QDMA_DESCQ_CMPT_DESC_SZ_SHIFT) | (4u << QDMA_DESCQ_TRIG_MODE_SHIFT);
	d->func_id = 7;
	d->cnt_thres = 64;
	d->timer_thres = 5;
	d->intr = 3 | QDMA_DESCQ_INTR_AGGR;
	d->ringsz = 1024;
	d->bufsz = 4096;
	d->cmpt_ringsz = 2048;
	assert_msg_bytes(&m, exp);
	assert_int_equal(m.w[8], 0x00448041u); /* +32 */
	assert_int_equal(m.w[9], 0x05400007u); /* +36: timer 5 [31:24] | cnt 64 [23:16] | fid 7 */
	assert_int_equal(qdma_mbox_qctxt_cmpt_type(m.qctxt.flags), QDMA_MBOX_CMPT_CTXT_WITH_ST);
}

static void
test_descq_flag_bits(void **state)
{
	(void)state;
	/* 4.6 descq_conf bit table */
	assert_int_equal(QDMA_DESCQ_F_FORCED_EN, 1u << 0);
	assert_int_equal(QDMA_DESCQ_F_EN_BYPASS, 1u << 1);
	assert_int_equal(QDMA_DESCQ_F_IRQ_ARM, 1u << 2);
	assert_int_equal(QDMA_DESCQ_F_WBI_INTVL_EN, 1u << 3);
	assert_int_equal(QDMA_DESCQ_F_WBI_CHK, 1u << 4);
	assert_int_equal(QDMA_DESCQ_F_AT, 1u << 5);
	assert_int_equal(QDMA_DESCQ_F_WBK_EN, 1u << 6);
	assert_int_equal(QDMA_DESCQ_F_IRQ_EN, 1u << 7);
	assert_int_equal(QDMA_DESCQ_F_PFCH_EN, 1u << 8);
	assert_int_equal(QDMA_DESCQ_F_EN_BYPASS_PFCH, 1u << 9);
	assert_int_equal(QDMA_DESCQ_F_DIS_OVF_CHK, 1u << 10);
	assert_int_equal(QDMA_DESCQ_F_CMPT_INT_EN, 1u << 11);
	assert_int_equal(QDMA_DESCQ_F_CMPT_AT, 1u << 12);
	assert_int_equal(QDMA_DESCQ_F_CMPT_COLOR, 1u << 13);
	assert_int_equal(QDMA_DESCQ_F_CMPT_FULL_UPD, 1u << 14);
	assert_int_equal(QDMA_DESCQ_F_CMPL_STAT_EN, 1u << 15);
	assert_int_equal(QDMA_DESCQ_DESC_SZ_SHIFT, 16);
	assert_int_equal(QDMA_DESCQ_CMPT_DESC_SZ_SHIFT, 18);
	assert_int_equal(QDMA_DESCQ_TRIG_MODE_SHIFT, 20);
	assert_int_equal(QDMA_DESCQ_TRIG_MODE_MASK, 7);
	assert_int_equal(QDMA_DESCQ_INTR_ID_MASK, 0x7FF);
	assert_int_equal(qdma_mbox_qctxt_flags(0, 0, QDMA_MBOX_CMPT_CTXT_NONE), 0x0C);
	assert_int_equal(qdma_mbox_qctxt_flags(0, 1, QDMA_MBOX_CMPT_CTXT_WITH_MM), 0x06);
	assert_int_equal(qdma_mbox_qctxt_flags(1, 0, QDMA_MBOX_CMPT_CTXT_ONLY), 0x01);
}

static void
test_qctxt_rd_rsp(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp[128] = {
		[0] = 0x89,
		[6] = 0x10,                   /* qid_hw 0x10 */
		[16] = 0x78, [17] = 0x56, [18] = 0x34, [19] = 0x12, /* qid2vec */
		[20] = 0x20, [22] = 0x08,     /* fmap qbase 0x20, qmax 8 */
		[24] = 0xA1,                  /* sw.pidx (+0) */
		[28] = 0x05,                  /* sw.fnc_id (+4) */
		[57] = 0x10, [63] = 0xA2,     /* sw.ring_bs_addr 0xA200000000001000 (+32) */
		[64] = 0x07,                  /* sw.vec (+40) */
		[80] = 0xB1,                  /* hw.cidx */
		[88] = 0xC1,                  /* credit */
		[92] = 0xD1, [98] = 0x34, [99] = 0x12, /* pfch.bypass, pfch.sw_crdt (+6) */
		[104] = 0xE1, [108] = 0x05,   /* cmpt.en_stat_desc, cmpt.fnc_id (+4) */
		[127] = 0xE2,                 /* cmpt.bs_addr (+16) top byte */
	};

	qdma_mbox_msg_init(&m, qdma_mbox_op_rsp(QDMA_MBOX_OP_QCTXT_RD), 0, 0);
	m.qctxt_rd.qid_hw = 0x10;
	m.qctxt_rd.qid2vec = 0x12345678u;
	m.qctxt_rd.fmap_qbase = 0x20;
	m.qctxt_rd.fmap_qmax = 8;
	m.qctxt_rd.sw.pidx = 0xA1;
	m.qctxt_rd.sw.fnc_id = 5;
	m.qctxt_rd.sw.ring_bs_addr = 0xA200000000001000ull;
	m.qctxt_rd.sw.vec = 7;
	m.qctxt_rd.hw.cidx = 0xB1;
	m.qctxt_rd.cr.credit = 0xC1;
	m.qctxt_rd.pfch.bypass = 0xD1;
	m.qctxt_rd.pfch.sw_crdt = 0x1234;
	m.qctxt_rd.cmpt.en_stat_desc = 0xE1;
	m.qctxt_rd.cmpt.fnc_id = 5;
	m.qctxt_rd.cmpt.bs_addr = 0xE200000000000000ull;
	assert_msg_bytes(&m, exp);
}

static void
test_intr_ctxt(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	const uint8_t exp[128] = {
		[0] = 0x0C, [2] = 0x06,
		[8] = 0x01,                              /* num_rings */
		[12] = 0x03,                             /* ring_index_list[0] = 3 */
		[16] = 0x00, [17] = 0x30, [18] = 0x02,   /* ring base 0x23000 */
		[24] = 0x05,                             /* vec 5 (+8) */
		[26] = 0x11, [27] = 0x01,                /* pidx 0x111 (+10) */
		[28] = 1, [29] = 1, [30] = 1, [31] = 2,  /* valid, int_st, color, page_size */
		[32] = 1, [33] = 4,                      /* at, host_id */
		[36] = 0xEF, [37] = 0xBE,                /* pasid 0xBEEF (+20) */
		[40] = 1,                                /* pasid_en (+24) */
		[42] = 0x06,                             /* func_id (+26) */
	};
	struct qdma_mbox_ictxt *ic = &m.intr_ctxt.ictxt;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_INTR_CTXT_WRT, 6, 0);
	m.intr_ctxt.num_rings = 1;
	m.intr_ctxt.ring_index_list[0] = 3;
	ic->ring_base = 0x23000;
	ic->vec = 5;
	ic->pidx = 0x111;
	ic->valid = 1;
	ic->int_st = 1;
	ic->color = 1;
	ic->page_size = 2;
	ic->at = 1;
	ic->host_id = 4;
	ic->pasid = 0xBEEF;
	ic->pasid_en = 1;
	ic->func_id = 6;
	assert_msg_bytes(&m, exp);
}

static void
test_reg_list(void **state)
{
	(void)state;
	union qdma_mbox_msg m;
	uint8_t exp[128] = {
		[0] = 0x92, [4] = 0x03,
		[6] = 0x02,             /* group 2 (0xB00) */
		[8] = 14,               /* num_regs */
	};
	unsigned i;

	qdma_mbox_msg_init(&m, qdma_mbox_op_rsp(QDMA_MBOX_OP_REG_LIST_READ), 0, 3);
	m.reg_list.group = QDMA_MBOX_REG_GROUP_2;
	m.reg_list.num_regs = QDMA_MBOX_REG_LIST_MAX;
	for (i = 0; i < QDMA_MBOX_REG_LIST_MAX; i++) {
		m.reg_list.regs[i].addr = 0xB00u + 4u * i;
		m.reg_list.regs[i].val = 0xAA000000u | i;
		/* +12 + 8i addr, +16 + 8i value */
		exp[12 + 8 * i] = (uint8_t)(4 * i);
		exp[13 + 8 * i] = 0x0B;
		exp[16 + 8 * i] = (uint8_t)i;
		exp[19 + 8 * i] = 0xAA;
	}
	assert_msg_bytes(&m, exp);
	assert_int_equal(QDMA_MBOX_REG_LIST_MAX, 14);
}

static void
test_helpers(void **state)
{
	(void)state;
	union qdma_mbox_msg m;

	memset(&m, 0, sizeof(m));
	assert_true(qdma_mbox_msg_is_zero(&m));
	m.w[31] = 1;
	assert_false(qdma_mbox_msg_is_zero(&m));

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QCTXT_INV, 12, 0);
	assert_int_equal(m.w[31], 0);
	m.qctxt.qid_hw = 99;
	qdma_mbox_msg_make_rsp(&m, 0, QDMA_MBOX_ERR_INV_QID);
	assert_int_equal(m.hdr.op, 0x8B);
	assert_int_equal(m.hdr.status, -16);
	assert_int_equal(m.b[1], 0xF0);
	assert_int_equal(m.hdr.src_func_id, 0);
	assert_int_equal(m.hdr.dst_func_id, 12);
	assert_int_equal(m.qctxt.qid_hw, 99);
	/* w0 = op | status << 8 | src << 16; w1 low half = dst */
	assert_int_equal(m.w[0], 0x8Bu | (0xF0u << 8));
	assert_int_equal(m.w[1] & 0xFFFFu, 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_register_bits),
		cmocka_unit_test(test_ops_and_status),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_hello_req),
		cmocka_unit_test(test_hello_rsp),
		cmocka_unit_test(test_qreq_fmap),
		cmocka_unit_test(test_csr_rsp),
		cmocka_unit_test(test_qnotify_qactive),
		cmocka_unit_test(test_qctxt_wrt),
		cmocka_unit_test(test_descq_flag_bits),
		cmocka_unit_test(test_qctxt_rd_rsp),
		cmocka_unit_test(test_intr_ctxt),
		cmocka_unit_test(test_reg_list),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
