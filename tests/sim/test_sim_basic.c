/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Card tests: PF init, FMAP and contexts through the indirect interface, ST loopback of every
 * size class, MM, generator and sink. The driver (tests/sim/simdrv.c) runs in a forked child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "simdrv.h"

#define PF_IOVA 0x100000000ull
#define DMA_SZ (16u << 20)

static int
setup(void **state)
{
	return harness_fx_setup(state, 4, 120);
}

static int
teardown(void **state)
{
	return harness_fx_teardown(state);
}

static void
run(void **state, child_fn fn)
{
	harness_fx_run(state, fn);
}

/* ---- PF init ------------------------------------------------------------------------------- */
static int
c_pf_init(const char *sock, void *arg)
{
	struct simdrv pf;
	uint32_t w[8];

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(pf.bar_size >= QDMA_PF_CONFIG_BAR_SIZE);
	CK(simdrv_rd(&pf, QDMA_CFG_BLOCK_ID) >> 16 == QDMA_MAGIC);
	CK(simdrv_rd(&pf, QDMA_GLBL2_MISC_CAP) == QDMA_MISC_CAP_QDMA31_DEFAULT);
	CK(simdrv_rd(&pf, QDMA_GLBL2_CHANNEL_QDMA_CAP) == 2048);
	CK(simdrv_rd(&pf, QDMA_C2H_PFCH_CACHE_DEPTH) == QDMA_C2H_PFCH_CACHE_DEPTH_EMU);
	CK(simdrv_rd(&pf, QDMA_C2H_CMPT_COAL_BUF_DEPTH) == QDMA_C2H_CMPT_COAL_BUF_DEPTH_EMU);
	CK(pf.ubar != NULL);
	/* the card asks for the conventions of qdma_hw_emu.h, at mailbox base + 0xF0..0xF8 */
	CK(simdrv_rd(&pf, 0x24F0) == 0x46465653u && simdrv_rd(&pf, 0x24F4) == 0x31554D45u);
	CK(simdrv_rd(&pf, 0x24F8) == (QDMA_EMU_CONV_IND_BUSY | QDMA_EMU_CONV_FN_CMD_CLEAR |
					 QDMA_EMU_CONV_W1C_STROBE | QDMA_EMU_CONV_VF_RESET));
	CK(qdma_emu_conventions(simdrv_rd(&pf, QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_SIG0),
		   simdrv_rd(&pf, QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_SIG1),
		   simdrv_rd(&pf, QDMA_PF_MBOX_BASE + QDMA_EMU_CAP_CONV)) == QDMA_EMU_CONV_ALL);
	CK(simdrv_pf_init(&pf) == 0);
	/* every context reads back cleared */
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 2047, NULL, w) == 0);
	CK(w[0] == 0 && w[1] == 0 && w[2] == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_ERR_STAT) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_ERR_MASK) == QDMA_GLBL_ERR_ALL);
	/* read-only registers come back whatever the driver stores */
	simdrv_wr(&pf, QDMA_CFG_BLOCK_ID, 0);
	simdrv_wr(&pf, QDMA_GLBL2_CHANNEL_QDMA_CAP, 7);
	CK(simdrv_wait(&pf, QDMA_GLBL2_CHANNEL_QDMA_CAP, ~0u, 2048, 5000) == 0);
	CK(simdrv_wait(&pf, QDMA_CFG_BLOCK_ID, 0xFFFF0000u, QDMA_MAGIC << 16, 5000) == 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_pf_init(void **state)
{
	run(state, c_pf_init);
}

/* ---- FMAP and contexts ------------------------------------------------------------------- */
static int
c_ctx(const char *sock, void *arg)
{
	struct simdrv pf;
	struct qdma_fmap_ctx fm;
	struct qdma_sw_ctx sw = { 0 }, sw2;
	struct qdma_cmpt_ctx cm = { 0 }, cm2;
	struct qdma_pfch_ctx pc = { 0 }, pc2;
	uint32_t w[8] = { 0 }, r[8];

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 16) == 0);
	CK(simdrv_fmap(&pf, 5, 100, 8) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, 5, NULL, r) == 0);
	qdma_fmap_ctx_decode(r, &fm);
	CK(fm.qbase == 100 && fm.qmax == 8);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, 0, NULL, r) == 0);
	qdma_fmap_ctx_decode(r, &fm);
	CK(fm.qbase == 0 && fm.qmax == 16);
	/* SW context write / read back (not started: qen = 0 so nothing runs) */
	sw.fnc_id = 0;
	sw.wbk_en = 1;
	sw.wbi_chk = 1;
	sw.rngsz_idx = 3;
	sw.desc_sz = QDMA_DESC_SZ_16B;
	sw.ring_base = 0x123456789000ull;
	sw.vec = 5;
	CK(qdma_sw_ctx_encode(&sw, w) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 7, w, NULL) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 7, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw2);
	CK(sw2.ring_base == sw.ring_base && sw2.rngsz_idx == 3 && sw2.vec == 5 && sw2.wbk_en);
	/* err is a 2-bit field, W1 [27:26] (reference 2.1): a read returns what is stored */
	for (unsigned int e = 0; e < 4; e++) {
		w[1] = (w[1] & ~(3u << 26)) | (e << 26);
		CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 7, w, NULL) == 0);
		CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 7, NULL, r) == 0);
		CK(((r[1] >> 26) & 3u) == e);
		CK((r[1] & ~(3u << 26)) == (w[1] & ~(3u << 26)));
	}
	w[1] &= ~(3u << 26);
	/* CMPT and prefetch */
	memset(w, 0, sizeof(w));
	cm.valid = 0;
	cm.en_stat_desc = 1;
	cm.trig_mode = QDMA_CMPT_TRIG_USER_TIMER;
	cm.ringsz_idx = 2;
	cm.base_addr = 0xABCDE000ull;
	cm.desc_sz = QDMA_CMPT_SZ_16B;
	cm.color = 1;
	CK(qdma_cmpt_ctx_encode(&cm, w) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_CMPT, QDMA_IND_OP_WR, 9, w, NULL) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_CMPT, QDMA_IND_OP_RD, 9, NULL, r) == 0);
	qdma_cmpt_ctx_decode(r, &cm2);
	CK(cm2.base_addr == cm.base_addr && cm2.ringsz_idx == 2 && cm2.desc_sz == 1 && cm2.color);
	memset(w, 0, sizeof(w));
	pc.valid = 1;
	pc.bufsz_idx = 4;
	CK(qdma_pfch_ctx_encode(&pc, w) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_WR, 9, w, NULL) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_RD, 9, NULL, r) == 0);
	qdma_pfch_ctx_decode(r, &pc2);
	CK(pc2.valid && pc2.bufsz_idx == 4 && !pc2.err);
	/* CLR then read: zero */
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_CMPT, QDMA_IND_OP_CLR, 9, NULL, NULL) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_CMPT, QDMA_IND_OP_RD, 9, NULL, r) == 0);
	CK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0 && r[4] == 0);
	/* context for a queue beyond the total, FMAP beyond the functions: TRQ qid_range */
	CK(simdrv_rd(&pf, QDMA_GLBL_TRQ_ERR_STS) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 3000, w, NULL) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_TRQ_ERR_STS) & QDMA_TRQ_ERR_QID_RANGE);
	CK(simdrv_rd(&pf, QDMA_GLBL_ERR_STAT) & QDMA_GLBL_ERR_TRQ);
	simdrv_w1c(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_QID_RANGE);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, ~0u, 0, 5000) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_ERR_STAT, QDMA_GLBL_ERR_TRQ);
	CK(simdrv_wait(&pf, QDMA_GLBL_ERR_STAT, ~0u, 0, 5000) == 0);
	CK(simdrv_fmap(&pf, 300, 0, 1) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_TRQ_ERR_STS) & QDMA_TRQ_ERR_QID_RANGE);
	simdrv_w1c(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, ~0u, 0, 5000) == 0);
	/* FMAP past the queue total: refused, old value kept */
	CK(simdrv_fmap(&pf, 5, 2040, 16) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_TRQ_ERR_STS) & QDMA_TRQ_ERR_QID_RANGE);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, 5, NULL, r) == 0);
	qdma_fmap_ctx_decode(r, &fm);
	CK(fm.qbase == 100 && fm.qmax == 8);
	simdrv_close(&pf);
	return 0;
}

static void
t_ctx(void **state)
{
	run(state, c_ctx);
}

/* ---- ST loopback -------------------------------------------------------------------------- */
static void
fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

static int
loop_queue(struct simq *q, unsigned rounds, uint32_t seg, unsigned *toggles)
{
	static const uint32_t sizes[] = { 64, 256, 1500, 4096, 9000 };
	static uint8_t tx[16384], rx[16384];
	unsigned k, s;
	uint8_t last_color = q->color;

	for (k = 0; k < rounds; k++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			uint64_t e;
			int n;

			fill(tx, sizes[s], k * 8 + s);
			CK(simq_tx(q, tx, sizes[s], seg) == 0);
			n = simq_rx(q, rx, sizeof(rx), &e, 5000);
			if (n != (int)sizes[s])
				fprintf(stderr, "round %u size %u: rx %d\n", k, sizes[s], n);
			CK(n == (int)sizes[s]);
			CK(qdma_cmpt_entry_desc_used(e) == 1);
			CK(qdma_cmpt_entry_len(e) == sizes[s]);
			CK((e >> 20) == 0);
			CK(memcmp(tx, rx, sizes[s]) == 0);
			if (q->color != last_color) {
				(*toggles)++;
				last_color = q->color;
			}
		}
	}
	CK(simq_tx_drain(q, 5000) == 0);
	CK(simq_h2c_status_cidx(q) == q->h2c_pidx);
	return 0;
}

static int
c_loopback(const char *sock, void *arg)
{
	struct simdrv pf;
	struct simq q0, q1;
	unsigned toggles = 0;
	uint32_t r[8];
	struct qdma_hw_ctx hw;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 4) == 0);
	/* q0: 65-entry rings, 129-entry CMPT, 4 KiB buffers, 8 B entries */
	CK(simq_init(&q0, &pf, &pf, 0, 0, 0, 1, 2, 0, QDMA_CMPT_SZ_8B) == 0);
	CK(simq_start_c2h(&q0) == 0);
	CK(simq_start_h2c(&q0) == 0);
	CK(loop_queue(&q0, 60, 0, &toggles) == 0);
	CK(toggles >= 2); /* 300 completions on a 128-slot CMPT ring */
	/* multi-descriptor H2C packets (SOP/EOP) */
	CK(loop_queue(&q0, 4, 1000, &toggles) == 0);
	/* q1: 16 B completion entries, 2 KiB buffers (9000 B spans 5) */
	CK(simq_init(&q1, &pf, &pf, 0, 3, 3, 1, 1, 4, QDMA_CMPT_SZ_16B) == 0);
	CK(simq_start_c2h(&q1) == 0);
	CK(simq_start_h2c(&q1) == 0);
	CK(loop_queue(&q1, 10, 0, &toggles) == 0);
	/* HW context: cidx caught up with pidx */
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_HW_H2C, QDMA_IND_OP_RD, 0, NULL, r) == 0);
	qdma_hw_ctx_decode(r, &hw);
	CK(hw.cidx == q0.h2c_pidx);
	CK(simdrv_rd(&pf, QDMA_GLBL_ERR_STAT) == 0);
	/* restart the queue (stop, start): first doorbells are seen again */
	simq_stop(&q0);
	CK(simq_start_c2h(&q0) == 0);
	CK(simq_start_h2c(&q0) == 0);
	CK(loop_queue(&q0, 2, 0, &toggles) == 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_loopback(void **state)
{
	run(state, c_loopback);
}

/* ---- MM ------------------------------------------------------------------------------------ */
static int
c_mm(const char *sock, void *arg)
{
	struct simdrv pf;
	struct simq q;
	static uint8_t a[60000], b[60000];
	uint32_t r[8];
	struct qdma_sw_ctx sw;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 8) == 0);
	CK(simq_init(&q, &pf, &pf, 0, 5, 5, 1, 2, 0, 0) == 0);
	CK(simq_start_mm(&q) == 0);
	fill(a, sizeof(a), 3);
	CK(simq_mm(&q, true, 0x1000, a, sizeof(a), 5000) == 0);
	memset(b, 0, sizeof(b));
	CK(simq_mm(&q, false, 0x1000, b, sizeof(b), 5000) == 0);
	CK(memcmp(a, b, sizeof(a)) == 0);
	CK(simq_mm(&q, false, 0x1000 + 100, b, 1000, 5000) == 0);
	CK(memcmp(a + 100, b, 1000) == 0);
	/* channel stopped: nothing moves until it runs again */
	simdrv_wr(&pf, QDMA_H2C_MM_CONTROL(0), 0);
	/* a context command round trip: the card has seen the store above once it answers */
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, 0, NULL, r) == 0);
	fill(a, 4096, 9);
	CK(simq_mm(&q, true, 0, a, 4096, 300) != 0);
	simdrv_wr(&pf, QDMA_H2C_MM_CONTROL(0), QDMA_MM_CONTROL_RUN);
	CK(simq_tx_drain(&q, 5000) == 0);
	CK(simq_mm(&q, false, 0, b, 4096, 5000) == 0);
	CK(memcmp(a, b, 4096) == 0);
	/* card address beyond card memory: DSC error, queue in error */
	CK(simq_mm(&q, true, (1u << 20) - 100, a, 4096, 300) != 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_DSC_ERR_STS) & QDMA_DSC_ERR_DSC);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 5, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw);
	CK(sw.err != 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_mm(void **state)
{
	run(state, c_mm);
}

/* ---- generator and sink ---------------------------------------------------------------------- */
static int
c_gen(const char *sock, void *arg)
{
	struct simdrv pf;
	struct simq q;
	static uint8_t rx[16384], tx[4096];
	uint64_t off = 0, e;
	unsigned i;
	int n;

	(void)arg;
	CK(parent_personality(QDMA_SIM_GENERATOR) == 0);
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 8) == 0);
	CK(simdrv_urd(&pf, QDMA_USER_ST_C2H_CONTROL) == 0);
	CK(simq_init(&q, &pf, &pf, 0, 2, 2, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q) == 0);
	/* 100 packets of 1000 B, continuing pattern (more than the 63 posted buffers: stalls) */
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_QID, 2);
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_PKTLEN, 1000);
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_PKT_CNT, 100);
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_CONTROL,
		simdrv_urd(&pf, QDMA_USER_ST_C2H_CONTROL) | QDMA_USER_C2H_CTRL_START_C2H);
	for (i = 0; i < 100; i++) {
		n = simq_rx(&q, rx, sizeof(rx), &e, 5000);
		CK(n == 1000);
		CK(qdma_user_pattern_check(rx, 1000, off) == 1000);
		off += 1000;
	}
	CK(simq_rx(&q, rx, sizeof(rx), &e, 200) == -ETIMEDOUT);
	CK(simdrv_urd(&pf, QDMA_USER_ST_C2H_PKT_ACCEPT) == 100);
	CK((simdrv_urd(&pf, QDMA_USER_ST_C2H_CONTROL) & QDMA_USER_C2H_CTRL_START_C2H) == 0);
	/* restart per packet, odd length */
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_PKTLEN, 333);
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_PKT_CNT, 5);
	simdrv_uwr(&pf, QDMA_USER_ST_C2H_CONTROL,
		QDMA_USER_C2H_CTRL_START_C2H | QDMA_USER_C2H_CTRL_RESTART_PATTERN);
	for (i = 0; i < 5; i++) {
		CK(simq_rx(&q, rx, sizeof(rx), &e, 5000) == 333);
		CK(qdma_user_pattern_check(rx, 333, 0) == 333);
	}
	/* sink: H2C checked against the pattern */
	CK(parent_personality(QDMA_SIM_SINK) == 0);
	CK(simq_start_h2c(&q) == 0);
	qdma_user_pattern_fill(tx, sizeof(tx), 0);
	for (i = 0; i < 10; i++)
		CK(simq_tx(&q, tx, sizeof(tx), 0) == 0);
	CK(simq_tx_drain(&q, 5000) == 0);
	CK(simdrv_urd(&pf, QDMA_USER_ST_H2C_XFER_CNT) == 10);
	CK(simdrv_urd(&pf, QDMA_USER_ST_H2C_STATUS) & QDMA_USER_H2C_STATUS_MATCH);
	tx[77] ^= 1;
	CK(simq_tx(&q, tx, sizeof(tx), 0) == 0);
	CK(simq_tx_drain(&q, 5000) == 0);
	CK(simdrv_urd(&pf, QDMA_USER_ST_H2C_XFER_CNT) == 11);
	CK((simdrv_urd(&pf, QDMA_USER_ST_H2C_STATUS) & QDMA_USER_H2C_STATUS_MATCH) == 0);
	simdrv_uwr(&pf, QDMA_USER_ST_H2C_CONTROL, QDMA_USER_H2C_CTRL_CLEAR);
	CK(simdrv_wait(&pf, 0, 0, 0, 1) == 0);
	for (i = 0; i < 1000 && simdrv_urd(&pf, QDMA_USER_ST_H2C_XFER_CNT) != 0; i++)
		usleep(1000);
	CK(simdrv_urd(&pf, QDMA_USER_ST_H2C_XFER_CNT) == 0);
	tx[77] ^= 1;
	CK(simq_tx(&q, tx, sizeof(tx), 0) == 0);
	CK(simq_tx_drain(&q, 5000) == 0);
	CK(simdrv_urd(&pf, QDMA_USER_ST_H2C_STATUS) & QDMA_USER_H2C_STATUS_MATCH);
	/* loopback personality: LOOPBACK set again at load */
	CK(parent_personality(QDMA_SIM_LOOPBACK) == 0);
	CK(simdrv_urd(&pf, QDMA_USER_ST_C2H_CONTROL) == QDMA_USER_C2H_CTRL_LOOPBACK);
	simdrv_close(&pf);
	return 0;
}

static void
t_gen_sink(void **state)
{
	run(state, c_gen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_pf_init, setup, teardown),
		cmocka_unit_test_setup_teardown(t_ctx, setup, teardown),
		cmocka_unit_test_setup_teardown(t_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(t_mm, setup, teardown),
		cmocka_unit_test_setup_teardown(t_gen_sink, setup, teardown),
	};

	return cmocka_run_group_tests_name("sim_basic", tests, NULL, NULL);
}
