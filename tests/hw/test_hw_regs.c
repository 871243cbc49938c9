/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register map tests: offsets, fields, defaults, doorbell and IND_CTXT_CMD encodings, all
 * checked against values written by hand from qdma-reference.md section 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_regs.h"
#include "qdma_hw_emu.h"

static void
test_offsets(void **state)
{
	(void)state;
	/* 1.3 GLBL1 */
	assert_int_equal(QDMA_CFG_BLOCK_ID, 0x00);
	assert_int_equal(QDMA_CFG_MISC_CTRL, 0x4C);
	assert_int_equal(QDMA_CFG_SCRATCH(0), 0x80);
	assert_int_equal(QDMA_CFG_SCRATCH(7), 0x9C);
	assert_int_equal(QDMA_RAM_SBE_MSK_A, 0xF0);
	assert_int_equal(QDMA_RAM_DBE_STS_A, 0xFC);
	/* 1.2 GLBL2 */
	assert_int_equal(QDMA_GLBL2_PF_BARLITE_INT, 0x104);
	assert_int_equal(QDMA_GLBL2_PF_BARLITE_EXT, 0x10C);
	assert_int_equal(QDMA_GLBL2_CHANNEL_MDMA, 0x118);
	assert_int_equal(QDMA_GLBL2_CHANNEL_QDMA_CAP, 0x120);
	assert_int_equal(QDMA_GLBL2_CHANNEL_FUNC_RET, 0x12C);
	assert_int_equal(QDMA_GLBL2_MISC_CAP, 0x134);
	assert_int_equal(QDMA_GLBL2_DBG_AXIMM_RD1, 0x1CC);
	/* GLBL */
	assert_int_equal(QDMA_GLBL_RNG_SZ(0), 0x204);
	assert_int_equal(QDMA_GLBL_RNG_SZ(15), 0x240);
	assert_int_equal(QDMA_GLBL_SCRATCH, 0x244);
	assert_int_equal(QDMA_GLBL_ERR_STAT, 0x248);
	assert_int_equal(QDMA_GLBL_ERR_MASK, 0x24C);
	assert_int_equal(QDMA_GLBL_DSC_CFG, 0x250);
	assert_int_equal(QDMA_GLBL_DSC_ERR_STS, 0x254);
	assert_int_equal(QDMA_GLBL_DSC_ERR_MSK, 0x258);
	assert_int_equal(QDMA_GLBL_DSC_ERR_LOG0, 0x25C);
	assert_int_equal(QDMA_GLBL_DSC_ERR_LOG1, 0x260);
	assert_int_equal(QDMA_GLBL_TRQ_ERR_STS, 0x264);
	assert_int_equal(QDMA_GLBL_TRQ_ERR_MSK, 0x268);
	assert_int_equal(QDMA_GLBL_TRQ_ERR_LOG, 0x26C);
	assert_int_equal(QDMA_GLBL_DSC_ERR_LOG2, 0x27C);
	assert_int_equal(QDMA_GLBL_INTERRUPT_CFG, 0x2C4);
	assert_int_equal(QDMA_FMAP_DIRECT(0), 0x400);
	assert_int_equal(QDMA_FMAP_DIRECT(255), 0x7FC);
	/* 1.6 IND */
	assert_int_equal(QDMA_IND_CTXT_DATA(0), 0x804);
	assert_int_equal(QDMA_IND_CTXT_DATA(7), 0x820);
	assert_int_equal(QDMA_IND_CTXT_MASK(0), 0x824);
	assert_int_equal(QDMA_IND_CTXT_MASK(7), 0x840);
	assert_int_equal(QDMA_IND_CTXT_CMD, 0x844);
	/* C2H */
	assert_int_equal(QDMA_C2H_TIMER_CNT(0), 0xA00);
	assert_int_equal(QDMA_C2H_TIMER_CNT(15), 0xA3C);
	assert_int_equal(QDMA_C2H_CNT_TH(0), 0xA40);
	assert_int_equal(QDMA_C2H_CNT_TH(15), 0xA7C);
	assert_int_equal(QDMA_C2H_QID2VEC_MAP_QID, 0xA80);
	assert_int_equal(QDMA_C2H_STAT_S_AXIS_C2H_ACCEPTED, 0xA88);
	assert_int_equal(QDMA_C2H_STAT_TOTAL_WPL_LEN, 0xAAC);
	assert_int_equal(QDMA_C2H_BUF_SZ(0), 0xAB0);
	assert_int_equal(QDMA_C2H_BUF_SZ(15), 0xAEC);
	assert_int_equal(QDMA_C2H_ERR_STAT, 0xAF0);
	assert_int_equal(QDMA_C2H_ERR_MASK, 0xAF4);
	assert_int_equal(QDMA_C2H_FATAL_ERR_STAT, 0xAF8);
	assert_int_equal(QDMA_C2H_FATAL_ERR_MASK, 0xAFC);
	assert_int_equal(QDMA_C2H_FATAL_ERR_ENABLE, 0xB00);
	assert_int_equal(QDMA_GLBL_ERR_INT, 0xB04);
	assert_int_equal(QDMA_C2H_PFCH_CFG, 0xB08);
	assert_int_equal(QDMA_C2H_INT_TIMER_TICK, 0xB0C);
	assert_int_equal(QDMA_C2H_FIRST_ERR_QID, 0xB30);
	assert_int_equal(QDMA_C2H_STAT_NUM_CMPT_IN, 0xB34);
	assert_int_equal(QDMA_C2H_STAT_NUM_BYP_DSC_RCVD, 0xB4C);
	assert_int_equal(QDMA_C2H_WRB_COAL_CFG, 0xB50);
	assert_int_equal(QDMA_C2H_CMPT_FORMAT(0), 0xBC4);
	assert_int_equal(QDMA_C2H_CMPT_FORMAT(6), 0xBDC);
	assert_int_equal(QDMA_C2H_PFCH_CACHE_DEPTH, 0xBE0);
	assert_int_equal(QDMA_C2H_CMPT_COAL_BUF_DEPTH, 0xBE4);
	assert_int_equal(QDMA_C2H_PFCH_CRDT, 0xBE8);
	/* H2C */
	assert_int_equal(QDMA_H2C_ERR_STAT, 0xE00);
	assert_int_equal(QDMA_H2C_ERR_MASK, 0xE04);
	assert_int_equal(QDMA_H2C_FIRST_ERR_QID, 0xE08);
	assert_int_equal(QDMA_H2C_DBG_REG(0), 0xE0C);
	assert_int_equal(QDMA_H2C_DBG_REG(4), 0xE1C);
	assert_int_equal(QDMA_H2C_FATAL_ERR_EN, 0xE20);
	assert_int_equal(QDMA_H2C_REQ_THROT, 0xE24);
	assert_int_equal(QDMA_H2C_ALN_DBG_REG0, 0xE28);
	/* MM channels */
	assert_int_equal(QDMA_C2H_MM_CONTROL(0), 0x1004);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_CONTROL_W1S, 0x1008);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_CONTROL_W1C, 0x100C);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_STATUS, 0x1040);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_COMPLETED_DESC_COUNT, 0x1048);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_ERR_CODE, 0x1058);
	assert_int_equal(QDMA_C2H_MM_BASE(0) + QDMA_MM_DEBUG, 0x10E8);
	assert_int_equal(QDMA_H2C_MM_CONTROL(0), 0x1204);
	assert_int_equal(QDMA_H2C_MM_REQ_THROT, 0x12EC);
	assert_int_equal(QDMA_MM_CONTROL_RUN, 1);
	/* BAR sizes */
	assert_int_equal(QDMA_PF_CONFIG_BAR_SIZE, 128 * 1024);
	assert_int_equal(QDMA_VF_CONFIG_BAR_SIZE, 16 * 1024);
	/* FLR */
	assert_int_equal(QDMA_PF_FLR, 0x2500);
	assert_int_equal(QDMA_VF_FLR, 0x1100);
	assert_int_equal(QDMA_FLR_START, 1);
}

static void
test_dmap(void **state)
{
	(void)state;
	assert_int_equal(QDMA_PF_DMAP_BASE, 0x18000);
	assert_int_equal(QDMA_VF_DMAP_BASE, 0x3000);
	assert_int_equal(QDMA_PF_DMAP_INT_CIDX(0), 0x18000);
	assert_int_equal(QDMA_PF_DMAP_H2C_PIDX(0), 0x18004);
	assert_int_equal(QDMA_PF_DMAP_C2H_PIDX(0), 0x18008);
	assert_int_equal(QDMA_PF_DMAP_CMPT_CIDX(0), 0x1800C);
	assert_int_equal(QDMA_PF_DMAP_C2H_PIDX(5), 0x18058);
	assert_int_equal(QDMA_PF_DMAP_CMPT_CIDX(2047), 0x1FFFC);
	assert_int_equal(QDMA_VF_DMAP_INT_CIDX(0), 0x3000);
	assert_int_equal(QDMA_VF_DMAP_H2C_PIDX(0), 0x3004);
	assert_int_equal(QDMA_VF_DMAP_C2H_PIDX(1), 0x3018);
	assert_int_equal(QDMA_VF_DMAP_CMPT_CIDX(255), 0x3FFC);
	assert_int_equal(QDMA_PF_DMAP_MAX_QUEUES, 2048);
	assert_int_equal(QDMA_VF_DMAP_MAX_QUEUES, 256);
}

static void
test_doorbells(void **state)
{
	(void)state;
	struct qdma_cmpt_cidx_db d = {
		.cidx = 0x10, .counter_idx = 7, .timer_idx = 3, .trig_mode = QDMA_CMPT_TRIG_USER_TIMER,
		.stat_desc_en = 1, .irq_en = 0,
	};
	struct qdma_cmpt_cidx_db e;
	uint32_t v;

	/* PIDX: [15:0] pidx, [16] irq_en */
	assert_int_equal(qdma_db_pidx(0x1234, 1), 0x1234u | (1u << 16));
	assert_int_equal(qdma_db_pidx(0xFFFF, 0), 0xFFFFu);
	assert_int_equal(qdma_db_pidx_get(0x1ABCDu), 0xABCD);
	assert_true(qdma_db_pidx_irq_en(0x1ABCDu));
	assert_false(qdma_db_pidx_irq_en(0x0ABCDu));

	/* CMPT_CIDX: [15:0] cidx, [19:16] cnt, [23:20] tmr, [26:24] trig, [27] stat, [28] irq */
	v = qdma_db_cmpt_cidx(&d);
	assert_int_equal(v, 0x10u | (7u << 16) | (3u << 20) | (4u << 24) | (1u << 27));
	assert_int_equal(v, 0x0C370010u);
	qdma_db_cmpt_cidx_decode(0x1FFFFFFFu, &e); /* every field all-ones */
	assert_int_equal(e.cidx, 0xFFFF);
	assert_int_equal(e.counter_idx, 0xF);
	assert_int_equal(e.timer_idx, 0xF);
	assert_int_equal(e.trig_mode, 7);
	assert_int_equal(e.stat_desc_en, 1);
	assert_int_equal(e.irq_en, 1);
	qdma_db_cmpt_cidx_decode(v, &e);
	assert_int_equal(e.cidx, 0x10);
	assert_int_equal(e.counter_idx, 7);
	assert_int_equal(e.timer_idx, 3);
	assert_int_equal(e.trig_mode, 4);
	assert_int_equal(e.stat_desc_en, 1);
	assert_int_equal(e.irq_en, 0);
	d = (struct qdma_cmpt_cidx_db){ .irq_en = 1 };
	assert_int_equal(qdma_db_cmpt_cidx(&d), 1u << 28);

	/* INT_CIDX: [15:0] sw_cidx, [23:16] ring_idx */
	assert_int_equal(qdma_db_int_cidx(0x22, 3), 0x30022u);

	assert_int_equal(QDMA_CMPT_TRIG_DISABLE, 0);
	assert_int_equal(QDMA_CMPT_TRIG_EVERY, 1);
	assert_int_equal(QDMA_CMPT_TRIG_USER_COUNT, 2);
	assert_int_equal(QDMA_CMPT_TRIG_USER, 3);
	assert_int_equal(QDMA_CMPT_TRIG_USER_TIMER, 4);
	assert_int_equal(QDMA_CMPT_TRIG_TIMER_CNTR, 5);
}

static void
test_ind_cmd(void **state)
{
	(void)state;
	unsigned sel, op;

	/* busy [0] (set by the IP, written 0) | sel [4:1] | op [6:5] | qid [18:7] (reference 1.6) */
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 5),
		(1u << 1) | (1u << 5) | (5u << 7));
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 5), 0x2A2u);
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_FMAP, QDMA_IND_OP_CLR, 0xFFF),
		(12u << 1) | (0u << 5) | (0xFFFu << 7));
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_FMAP, QDMA_IND_OP_CLR, 0xFFF), 0x7FF98u);
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_CMPT, QDMA_IND_OP_INV, 0x800), 0x4006Cu);
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_RD, 0), 0x40u);
	/* qid is 12 bits */
	assert_int_equal(qdma_ind_cmd(QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_CLR, 0x1000), 0x0u);
	/* the emulated card's convention 1 (qdma_hw_emu.h) adds the busy bit, nothing else */
	assert_int_equal(qdma_emu_ind_cmd(0x2A2u), 0x2A3u);
	assert_int_equal(qdma_emu_ind_cmd(0x7FF98u), 0x7FF99u);

	assert_int_equal(qdma_ind_cmd_sel(0x7FF99u), QDMA_IND_SEL_FMAP);
	assert_int_equal(qdma_ind_cmd_op(0x7FF99u), QDMA_IND_OP_CLR);
	assert_int_equal(qdma_ind_cmd_qid(0x7FF99u), 0xFFF);
	assert_true(qdma_ind_cmd_busy(0x7FF99u));
	assert_false(qdma_ind_cmd_busy(0x7FF98u));
	assert_int_equal(qdma_ind_cmd_qid(0xFFF80000u), 0); /* bits above [18] ignored */

	for (sel = 0; sel < QDMA_IND_SEL_NUM; sel++)
		for (op = 0; op < 4; op++) {
			uint32_t c = qdma_ind_cmd((enum qdma_ind_sel)sel, (enum qdma_ind_op)op,
				(sel * 311u + op) & 0xFFF);
			assert_int_equal(qdma_ind_cmd_sel(c), sel);
			assert_int_equal(qdma_ind_cmd_op(c), op);
			assert_int_equal(qdma_ind_cmd_qid(c), (sel * 311u + op) & 0xFFF);
			assert_false(qdma_ind_cmd_busy(c));
			assert_true(qdma_ind_cmd_busy(qdma_emu_ind_cmd(c)));
			assert_int_equal(qdma_emu_ind_cmd(c) & ~QDMA_IND_CTXT_CMD_BUSY, c);
		}

	assert_int_equal(QDMA_IND_SEL_SW_C2H, 0);
	assert_int_equal(QDMA_IND_SEL_HW_H2C, 3);
	assert_int_equal(QDMA_IND_SEL_CR_C2H, 4);
	assert_int_equal(QDMA_IND_SEL_CR_H2C, 5);
	assert_int_equal(QDMA_IND_SEL_CMPT, 6);
	assert_int_equal(QDMA_IND_SEL_PFTCH, 7);
	assert_int_equal(QDMA_IND_SEL_INT_COAL, 8);
	assert_int_equal(QDMA_IND_SEL_PASID_RAM_LOW, 9);
	assert_int_equal(QDMA_IND_SEL_PASID_RAM_HIGH, 10);
	assert_int_equal(QDMA_IND_SEL_TIMER, 11);
	assert_int_equal(QDMA_IND_SEL_FMAP, 12);
	assert_int_equal(QDMA_IND_OP_CLR, 0);
	assert_int_equal(QDMA_IND_OP_WR, 1);
	assert_int_equal(QDMA_IND_OP_RD, 2);
	assert_int_equal(QDMA_IND_OP_INV, 3);
}

static void
test_csr_tables(void **state)
{
	(void)state;
	const uint32_t rng[16] = { 2049, 65, 129, 193, 257, 385, 513, 769, 1025, 1537, 3073,
		4097, 6145, 8193, 12289, 16385 };
	const uint32_t tmr[16] = { 1, 2, 4, 5, 8, 10, 15, 20, 25, 30, 50, 75, 100, 125, 150,
		200 };
	const uint32_t cnt[16] = { 2, 4, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176,
		192 };
	const uint32_t buf[16] = { 4096, 256, 512, 1024, 2048, 3968, 4096, 4096, 4096, 4096,
		4096, 4096, 4096, 8192, 9018, 16384 };

	assert_int_equal(QDMA_CSR_TABLE_ENTRIES, 16);
	assert_memory_equal(qdma_glbl_rng_sz_default, rng, sizeof(rng));
	assert_memory_equal(qdma_c2h_timer_cnt_default, tmr, sizeof(tmr));
	assert_memory_equal(qdma_c2h_cnt_th_default, cnt, sizeof(cnt));
	assert_memory_equal(qdma_c2h_buf_sz_default, buf, sizeof(buf));

	/* reference 2.8: timer value 5 -> index 3, counter 64 -> index 7 */
	assert_int_equal(qdma_csr_table_find(qdma_c2h_timer_cnt_default, 5), 3);
	assert_int_equal(qdma_csr_table_find(qdma_c2h_cnt_th_default, 64), 7);
	assert_int_equal(qdma_csr_table_find(qdma_glbl_rng_sz_default, 65), 1);
	assert_int_equal(qdma_csr_table_find(qdma_glbl_rng_sz_default, 1024 + 1), 8);
	assert_int_equal(qdma_csr_table_find(qdma_c2h_buf_sz_default, 4096), 0);
	assert_int_equal(qdma_csr_table_find(qdma_glbl_rng_sz_default, 64), -1);
}

static void
test_defaults(void **state)
{
	(void)state;
	/* GLBL_DSC_CFG: wb_acc_int [2:0] = 5, max_dsc_fetch [5:3] = 6 */
	assert_int_equal(QDMA_GLBL_DSC_CFG_DEFAULT, 5u | (6u << 3));
	assert_int_equal(qdma_wb_acc_int_descs(0), 4);
	assert_int_equal(qdma_wb_acc_int_descs(5), 128);
	assert_int_equal(qdma_wb_acc_int_descs(6), 256);
	assert_int_equal(qdma_wb_acc_int_descs(7), 512);
	/* H2C_REQ_THROT: data_thresh 0x4000 [15:0], en_data [16], req_thresh 0x60 [25:17] */
	assert_int_equal(QDMA_H2C_REQ_THROT_DEFAULT, 0x4000u | (1u << 16) | (0x60u << 17));
	/* C2H_PFCH_CFG with depth 16: fl_th 256 [8:0], num 8 [17:9], qcnt 8 [24:18],
	 * evt_qcnt_th 6 [31:25] */
	assert_int_equal(qdma_c2h_pfch_cfg_default(16),
		256u | (8u << 9) | (8u << 18) | (6u << 25));
	assert_int_equal(qdma_c2h_pfch_cfg_default(16), 0x0C201100u);
	/* C2H_WRB_COAL_CFG with depth 16: tick_cnt 10 [13:2], tick_val 25 [25:14],
	 * max_buf_sz 16 [31:26] */
	assert_int_equal(qdma_c2h_wrb_coal_cfg_default(16),
		(10u << 2) | (25u << 14) | (16u << 26));
	assert_int_equal(qdma_c2h_wrb_coal_cfg_default(16), 0x40064028u);
	assert_int_equal(QDMA_C2H_INT_TIMER_TICK_DEFAULT, 25);
	assert_int_equal(QDMA_C2H_WRB_COAL_SET_GLB_FLUSH, 1u << 1);
	assert_int_equal(QDMA_C2H_WRB_COAL_DONE_GLB_FLUSH, 1u << 0);
}

static void
test_identity(void **state)
{
	(void)state;
	const uint32_t misc = QDMA_MISC_CAP_QDMA31_DEFAULT;
	const uint32_t vfv = QDMA_VF_VERSION_QDMA31_DEFAULT;

	assert_int_equal(QDMA_MAGIC, 0x1FD3);
	assert_int_equal(qdma_magic_of(QDMA_CFG_BLOCK_ID_DEFAULT), 0x1FD3);
	assert_int_equal(misc, 0x02000003u);
	assert_int_equal((misc >> 28) & 0xF, QDMA_DEVICE_TYPE_SOFT);
	assert_int_equal((misc >> 24) & 0xF, 2); /* 2019.2 */
	assert_int_equal((misc >> 20) & 0xF, QDMA_IP_TYPE_QDMA31);
	assert_int_equal((misc >> 16) & 0xF, 0);
	assert_true(misc & QDMA_MISC_CAP_FLR_PRESENT);
	assert_true(misc & QDMA_MISC_CAP_MAILBOX_EN);
	assert_false(misc & QDMA_MISC_CAP_MM_CMPT_EN);
	assert_int_equal(QDMA_MISC_CAP_FLR_PRESENT, 1u << 1);
	assert_int_equal(QDMA_MISC_CAP_MAILBOX_EN, 1u << 0);
	assert_int_equal(QDMA_MISC_CAP_MM_CMPT_EN, 1u << 2);
	assert_int_equal(QDMA_MISC_CAP_VIVADO_REL_SHIFT, 24);
	assert_int_equal(vfv, 0x1FD30200u);
	assert_int_equal(qdma_magic_of(vfv), 0x1FD3);
	assert_int_equal((vfv >> QDMA_VF_VERSION_DEVICE_TYPE_SHIFT) & 0xF, 0);
	assert_int_equal((vfv >> QDMA_VF_VERSION_VIVADO_REL_SHIFT) & 0xF, 2);
	assert_int_equal((vfv >> QDMA_VF_VERSION_IP_TYPE_SHIFT) & 0xF, 0);
	assert_int_equal((vfv >> QDMA_VF_VERSION_RTL_VERSION_SHIFT) & 0xF, 0);

	/* channel bits (QDMA3.1) */
	assert_int_equal(QDMA_GLBL2_CHANNEL_MM_H2C, 1u << 0);
	assert_int_equal(QDMA_GLBL2_CHANNEL_MM_C2H, 1u << 8);
	assert_int_equal(QDMA_GLBL2_CHANNEL_ST_H2C, 1u << 16);
	assert_int_equal(QDMA_GLBL2_CHANNEL_ST_C2H, 1u << 17);
	assert_int_equal(QDMA_GLBL2_CHANNEL_MM_EN | QDMA_GLBL2_CHANNEL_ST_EN, 0x30101u);
	assert_int_equal(QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK, 0xFFF);
	assert_int_equal(QDMA_GLBL2_QDMA_CAP_DEFAULT & QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK, 2048);
}

static void
test_barlite(void **state)
{
	(void)state;
	uint32_t v = 0;

	/* PF0 [5:0], PF1 [11:6], PF2 [17:12], PF3 [23:18] */
	v = qdma_barlite_set(v, 0, 0x04);
	v = qdma_barlite_set(v, 3, 0x3F);
	assert_int_equal(v, 0x04u | (0x3Fu << 18));
	assert_int_equal(qdma_barlite_get(v, 0), 0x04);
	assert_int_equal(qdma_barlite_get(v, 1), 0);
	assert_int_equal(qdma_barlite_get(v, 3), 0x3F);
	v = qdma_barlite_set(v, 3, 0x1);
	assert_int_equal(v, 0x04u | (0x1u << 18));
	assert_int_equal(qdma_barlite_get(0x00000FC0u, 1), 0x3F);

	assert_int_equal(qdma_user_bar_from_bitmap(0x04), 2);
	assert_int_equal(qdma_user_bar_from_bitmap(0x06), 1);
	assert_int_equal(qdma_user_bar_from_bitmap(0x20), 5);
	assert_int_equal(qdma_user_bar_from_bitmap(0), -1);
	assert_int_equal(qdma_user_bar_from_bitmap(0x40), -1); /* only 6 bits */
}

static void
test_errors(void **state)
{
	(void)state;
	const uint32_t leaves[] = { QDMA_DSC_ERR_ALL, QDMA_TRQ_ERR_ALL, QDMA_C2H_ERR_ALL,
		QDMA_C2H_FATAL_ERR_ALL, QDMA_H2C_ERR_ALL, QDMA_GLBL_ERR_ALL,
		QDMA_GLBL_INTERRUPT_CFG_LGCY_PENDING };
	size_t i;

	/* GLBL_ERR_STAT bits 0, 1, 2, 3, 8, 11 */
	assert_int_equal(QDMA_GLBL_ERR_ALL, 0x90Fu);
	assert_int_equal(QDMA_GLBL_ERR_ST_C2H, 1u << 8);
	assert_int_equal(QDMA_GLBL_ERR_ST_H2C, 1u << 11);
	/* leaf ALL masks (1.9) */
	assert_int_equal(QDMA_RAM_SBE_ALL, 0xFFFFFF11u);
	assert_int_equal(QDMA_RAM_DBE_ALL, 0xFFFFFF11u);
	assert_int_equal(QDMA_DSC_ERR_ALL,
		QDMA_DSC_ERR_POISON | QDMA_DSC_ERR_UR_CA | QDMA_DSC_ERR_PARAM | QDMA_DSC_ERR_ADDR |
			QDMA_DSC_ERR_TAG | QDMA_DSC_ERR_FLR | QDMA_DSC_ERR_TIMEOUT |
			QDMA_DSC_ERR_DAT_POISON | QDMA_DSC_ERR_FLR_CANCEL | QDMA_DSC_ERR_DMA |
			QDMA_DSC_ERR_DSC | QDMA_DSC_ERR_RQ_CANCEL | QDMA_DSC_ERR_DBE |
			QDMA_DSC_ERR_SBE);
	assert_int_equal(QDMA_DSC_ERR_ALL, 0x1F9023Fu);
	assert_int_equal(QDMA_TRQ_ERR_ALL, QDMA_TRQ_ERR_UNMAPPED | QDMA_TRQ_ERR_QID_RANGE |
		QDMA_TRQ_ERR_VF_ACCESS | QDMA_TRQ_ERR_TCP_TIMEOUT);
	assert_int_equal(QDMA_TRQ_ERR_QID_RANGE, 1u << 1);
	assert_int_equal(QDMA_C2H_ERR_ALL,
		QDMA_C2H_ERR_MTY_MISMATCH | QDMA_C2H_ERR_LEN_MISMATCH | QDMA_C2H_ERR_QID_MISMATCH |
			QDMA_C2H_ERR_DESC_RSP_ERR | QDMA_C2H_ERR_ENG_WPL_DATA_PAR |
			QDMA_C2H_ERR_MSI_INT_FAIL | QDMA_C2H_ERR_DESC_CNT |
			QDMA_C2H_ERR_PORTID_CTXT_MISMATCH | QDMA_C2H_ERR_PORTID_BYP_IN_MISMATCH |
			QDMA_C2H_ERR_CMPT_INV_Q | QDMA_C2H_ERR_CMPT_QFULL |
			QDMA_C2H_ERR_CMPT_CIDX | QDMA_C2H_ERR_CMPT_PRTY);
	assert_int_equal(QDMA_C2H_ERR_ALL, 0xFEDBu);
	assert_int_equal(QDMA_C2H_ERR_CMPT_QFULL, 1u << 13);
	assert_int_equal(QDMA_C2H_FATAL_ERR_ALL,
		QDMA_C2H_FATAL_ERR_MTY_MISMATCH | QDMA_C2H_FATAL_ERR_LEN_MISMATCH |
			QDMA_C2H_FATAL_ERR_QID_MISMATCH | QDMA_C2H_FATAL_ERR_TIMER_FIFO_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_PFCH_II_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_CMPT_CTXT_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_PFCH_CTXT_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_DESC_REQ_FIFO_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_INT_CTXT_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_CMPT_COAL_DATA_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_TUSER_FIFO_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_QID_FIFO_RAM_RDBE |
			QDMA_C2H_FATAL_ERR_PAYLOAD_FIFO_RAM_RDBE | QDMA_C2H_FATAL_ERR_WPL_DATA_PAR);
	assert_int_equal(QDMA_C2H_FATAL_ERR_ALL, 0x7DF1Bu);
	assert_int_equal(QDMA_H2C_ERR_ALL, 0x1Fu);

	/* the emulated card's W1C strobe (qdma_hw_emu.h): bit 31, reserved in every leaf the PF
	 * clears except the RAM SBE/DBE ones */
	assert_int_equal(QDMA_EMU_W1C_STROBE, 0x80000000u);
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		assert_int_equal(leaves[i] & QDMA_EMU_W1C_STROBE, 0);
	assert_int_equal(qdma_emu_w1c_value(0x5), 0x80000005u);
	assert_int_equal(qdma_emu_w1c_value(0), 0x80000000u);
	assert_int_equal(qdma_emu_w1c_value(QDMA_C2H_ERR_ALL) & ~QDMA_EMU_W1C_STROBE,
		QDMA_C2H_ERR_ALL);

	/* GLBL_ERR_INT: func [7:0], vec [22:12], arm [24] */
	assert_int_equal(QDMA_GLBL_ERR_INT_VEC_SHIFT, 12);
	assert_int_equal(QDMA_GLBL_ERR_INT_ARM, 1u << 24);
	assert_int_equal(QDMA_GLBL_INTERRUPT_CFG_EN_LGCY, 1u << 0);
}

/* The emulated card's capability (qdma_hw_emu.h): signature or nothing, in a register hole. */
static void
test_emu_cap(void **state)
{
	(void)state;
	assert_int_equal(QDMA_EMU_SIG0, 0x46465653u); /* "SVFF" little-endian */
	assert_memory_equal("SVFF", &(uint32_t){ QDMA_EMU_SIG0 }, 4);
	assert_memory_equal("EMU1", &(uint32_t){ QDMA_EMU_SIG1 }, 4);
	assert_int_equal(qdma_emu_conventions(QDMA_EMU_SIG0, QDMA_EMU_SIG1, 7), 7);
	assert_int_equal(qdma_emu_conventions(QDMA_EMU_SIG0, QDMA_EMU_SIG1, 0), 0);
	/* a card without the signature (what a real IP's unassigned addresses read) asks nothing */
	assert_int_equal(qdma_emu_conventions(0, 0, 7), 0);
	assert_int_equal(qdma_emu_conventions(~0u, ~0u, ~0u), 0);
	assert_int_equal(qdma_emu_conventions(QDMA_EMU_SIG0, 0, 7), 0);
	assert_int_equal(qdma_emu_conventions(0, QDMA_EMU_SIG1, 7), 0);
	assert_int_equal(QDMA_EMU_CONV_ALL, 0xFu);
	/* the words lie between the last mailbox register and FLR, for the PF and the VF */
	assert_true(QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_SIG0 > QDMA_PF_MBOX_PF_ACK(7));
	assert_true(QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_CONV < QDMA_PF_FLR);
	assert_true(QDMA_VF_MBOX_BASE + QDMA_EMU_CAP_SIG0 > QDMA_VF_USER_BAR);
	assert_true(QDMA_VF_MBOX_BASE + QDMA_EMU_CAP_CONV < QDMA_VF_FLR);
	assert_int_equal(QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_SIG0, 0x24F0);
	assert_int_equal(QDMA_VF_MBOX_BASE + QDMA_EMU_CAP_SIG0, 0x10F0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_dmap),
		cmocka_unit_test(test_doorbells),
		cmocka_unit_test(test_ind_cmd),
		cmocka_unit_test(test_csr_tables),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_barlite),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_emu_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
