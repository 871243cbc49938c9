/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PMD's register writes, recorded on a fake BAR, against the sequences qdma-reference.md
 * prescribes (1.6 indirect context programming, 1.9 W1C error clears, 2.8 queue start and stop
 * with their clear order, 4.7 a VF's contexts composed by the PF, 4.2 mailbox send / receive).
 *
 * The PMD's sources are compiled into this test with QDMA_REG_TRACE, which routes qdma_wr() (the
 * one function through which the driver writes control registers) to qdma_reg_trace_wr() below:
 * it records (offset, value) and stores into the fake BAR. Plain memory behaves as the real IP
 * does for what the driver reads back: the busy bit it never writes reads 0, FN_CMD reads what was
 * written (so a driver that waited for 0 would time out). The expected sequences are spelt out
 * from the reference's tables with literal bit positions, not with lib/qdma_hw's helpers.
 *
 * Card "real": no capability words -> exactly the reference's writes.
 * Card "emulated": the capability of qdma_hw_emu.h -> the same writes with the conventions, and
 * this fake card answers as the emulated card (clears busy, clears FN_CMD). FN_CMD.vf_reset
 * (bit 3, a placeholder the reference never writes) is written to the emulated card only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qdma.h"

#define MAX_WR 256

struct wr {
	uint32_t off, v;
};

static struct wr rec[MAX_WR];
static unsigned int nrec;
/* The expected sequence, built by the helpers below. */
static struct wr want[MAX_WR];
static unsigned int nwant;
static uint32_t *fake_bar;

void
qdma_reg_trace_wr(const struct qdma_adapter *ad, uint32_t off, uint32_t v)
{
	assert_true(nrec < MAX_WR);
	rec[nrec].off = off;
	rec[nrec].v = v;
	nrec++;
	fake_bar[off / 4] = v;
	/* the emulated card acts on what it sees, then clears */
	if ((ad->emu_conv & QDMA_EMU_CONV_IND_BUSY) && off == 0x844)
		fake_bar[off / 4] &= ~1u;
	if ((ad->emu_conv & QDMA_EMU_CONV_FN_CMD_CLEAR) && off == ad->mbox_base + 0x004)
		fake_bar[off / 4] = 0;
}

struct fx {
	struct qdma_adapter ad;
	struct qdma_pf pf;
	bool emu;
};

static void
bar_set(uint32_t off, uint32_t v)
{
	fake_bar[off / 4] = v;
}

/* A fake PF (or VF) BAR with the identity the probe reads; @emu adds the capability words. */
static int
fx_open(void **state, bool vf, bool emu)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t len = vf ? 0x4000 : 0x20000;
	uint32_t mb = vf ? 0x1000 : 0x2400;

	assert_non_null(f);
	fake_bar = calloc(1, len);
	assert_non_null(fake_bar);
	if (vf) {
		bar_set(0x1014, 0x1FD30200u);
	} else {
		bar_set(0x000, 0x1FD30000u);          /* CFG_BLOCK_ID magic */
		bar_set(0x134, 0x02000003u);          /* MISC_CAP: QDMA3.1 soft, FLR, mailbox */
		bar_set(0x120, 2048);                 /* QDMA_CAP */
		bar_set(0x104, 1);                    /* BARLITE_INT: PF0 */
		bar_set(0x118, 0x30101u);             /* MM + ST */
	}
	if (emu) {
		bar_set(mb + 0xF0, 0x46465653u);      /* "SVFF" */
		bar_set(mb + 0xF4, 0x31554D45u);      /* "EMU1" */
		bar_set(mb + 0xF8, 0xF);
	}
	f->ad.bar = (uint8_t *)fake_bar;
	f->ad.bar_len = len;
	f->ad.is_vf = vf;
	f->ad.pf = vf ? NULL : &f->pf;
	f->emu = emu;
	snprintf(f->ad.name, sizeof(f->ad.name), "trace");
	rte_spinlock_init(&f->ad.ind_lock);
	rte_spinlock_init(&f->ad.mbox_lock);
	assert_int_equal(qdma_identify(&f->ad), 0);
	assert_int_equal(f->ad.emu_conv, emu ? 0xFu : 0u);
	memcpy(f->ad.csr.ring_sz, qdma_glbl_rng_sz_default, sizeof(f->ad.csr.ring_sz));
	memcpy(f->ad.csr.buf_sz, qdma_c2h_buf_sz_default, sizeof(f->ad.csr.buf_sz));
	memcpy(f->ad.csr.timer_cnt, qdma_c2h_timer_cnt_default, sizeof(f->ad.csr.timer_cnt));
	memcpy(f->ad.csr.cnt_th, qdma_c2h_cnt_th_default, sizeof(f->ad.csr.cnt_th));
	nrec = nwant = 0;     /* a failed case leaves its expectations behind */
	*state = f;
	return 0;
}

static int setup_pf_real(void **s) { return fx_open(s, false, false); }
static int setup_pf_emu(void **s) { return fx_open(s, false, true); }
static int setup_vf_real(void **s) { return fx_open(s, true, false); }
static int setup_vf_emu(void **s) { return fx_open(s, true, true); }

static int
teardown(void **state)
{
	free(fake_bar);
	fake_bar = NULL;
	free(*state);
	return 0;
}


static void
expect(uint32_t off, uint32_t v)
{
	assert_true(nwant < MAX_WR);
	want[nwant].off = off;
	want[nwant].v = v;
	nwant++;
}

/* IND_CTXT_CMD (reference 1.6): busy [0], sel [4:1], op [6:5], qid [18:7]. */
static uint32_t
cmd_word(const struct fx *f, uint32_t sel, uint32_t op, uint32_t qid)
{
	uint32_t v = (sel << 1) | (op << 5) | (qid << 7);

	return f->emu ? v | 1u : v;   /* the emulated card wants busy written */
}

/* Reference 1.6 write: DATA[0..7] (unused 0), MASK[0..7] all ones, CMD. */
static void
expect_ctx_wr(const struct fx *f, uint32_t sel, uint32_t qid, const uint32_t *w, unsigned int n)
{
	for (unsigned int i = 0; i < 8; i++)
		expect(0x804 + 4 * i, i < n ? w[i] : 0);
	for (unsigned int i = 0; i < 8; i++)
		expect(0x824 + 4 * i, 0xFFFFFFFFu);
	expect(0x844, cmd_word(f, sel, 1, qid));
}

/* Reference 1.6 clear / invalidate / read: CMD only. */
static void
expect_ctx_cmd(const struct fx *f, uint32_t sel, uint32_t op, uint32_t qid)
{
	expect(0x844, cmd_word(f, sel, op, qid));
}

static void
check(void)
{
	for (unsigned int i = 0; i < nwant && i < nrec; i++) {
		if (rec[i].off != want[i].off || rec[i].v != want[i].v)
			fail_msg("write %u: got 0x%05x <- 0x%08x, the reference writes 0x%05x <- 0x%08x",
				i, rec[i].off, rec[i].v, want[i].off, want[i].v);
	}
	assert_int_equal(nrec, nwant);
	nrec = nwant = 0;
}

/* FMAP (1.5): W0 [10:0] qbase, W1 [11:0] qmax, sel 12 with the function as qid. */
static void
t_fmap(void **state)
{
	struct fx *f = *state;
	uint32_t w[2] = { 100, 8 };

	assert_int_equal(qdma_fmap_write(&f->ad, 5, 100, 8), 0);
	expect_ctx_wr(f, 12, 5, w, 2);
	check();
	assert_int_equal(qdma_ind_ctxt(&f->ad, 0, 0, 7, NULL, 0, NULL), 0);    /* CLR SW_C2H */
	expect_ctx_cmd(f, 0, 0, 7);
	assert_int_equal(qdma_ind_ctxt(&f->ad, 6, 3, 2047, NULL, 0, NULL), 0); /* INV CMPT */
	expect_ctx_cmd(f, 6, 3, 2047);
	check();
}

/* ST H2C queue start (2.8): CLR SW_H2C, HW_H2C, CR_H2C; WR SW_H2C (2.1 bit positions). */
static void
t_h2c_start(void **state)
{
	struct fx *f = *state;
	struct qdma_mbox_descq_conf d = { 0 };
	uint64_t base = 0x123456789000ull;
	uint32_t sw[5];

	d.ring_bs_addr = base;
	d.ringsz = 1024;    /* GLBL_RNG_SZ 1025 = index 8 */
	d.flags = QDMA_DESCQ_F_WBI_CHK | QDMA_DESCQ_F_WBI_INTVL_EN | QDMA_DESCQ_F_WBK_EN |
		  (1u << QDMA_DESCQ_DESC_SZ_SHIFT);
	assert_int_equal(qdma_queue_ctxt_write(&f->ad, 0, 3, true, false,
		QDMA_MBOX_CMPT_CTXT_NONE, &d), 0);
	expect_ctx_cmd(f, 1, 0, 3);
	expect_ctx_cmd(f, 3, 0, 3);
	expect_ctx_cmd(f, 5, 0, 3);
	sw[0] = 0u << 17;                                   /* fnc_id 0, pidx 0 */
	sw[1] = (1u << 0) | (1u << 2) | (1u << 3) | (8u << 12) | (1u << 16) | (1u << 20);
	sw[2] = (uint32_t)base;
	sw[3] = (uint32_t)(base >> 32);
	sw[4] = 0;
	expect_ctx_wr(f, 1, 3, sw, 5);
	check();
}

/* An ST C2H descq: ring 1025 (index 8), buffer 4096 (index 0), CMPT ring 2049 (index 0),
 * counter 64 (index 7), timer 5 (index 3), trigger 4, stat desc, fcrd_en, wbk_en (1.4, 4.6). */
static void
c2h_conf(struct qdma_mbox_descq_conf *d)
{
	memset(d, 0, sizeof(*d));
	d->ring_bs_addr = 0x200000;
	d->cmpt_ring_bs_addr = 0x300000;
	d->ringsz = 1024;
	d->cmpt_ringsz = 2048;
	d->bufsz = 4096;
	d->cnt_thres = 64;
	d->timer_thres = 5;
	d->flags = QDMA_DESCQ_F_FORCED_EN | QDMA_DESCQ_F_WBK_EN | QDMA_DESCQ_F_CMPL_STAT_EN |
		(4u << QDMA_DESCQ_TRIG_MODE_SHIFT);
}

/* The three context writes of an ST C2H start for function @p fn (2.1, 2.4, 2.5 bit positions). */
static void
expect_c2h_writes(const struct fx *f, uint32_t fn, uint32_t qid, bool vf)
{
	uint32_t sw[5] = { fn << 17,
		/* qen [0], fcrd_en [1], rngsz_idx [15:12] 8, desc_sz [17:16] 0, wbk_en [20]
		 * (forced 0 for a VF's ST C2H, 4.7) */
		(1u << 0) | (1u << 1) | (8u << 12) | (vf ? 0 : 1u << 20), 0x200000, 0, 0 };
	uint32_t pf[2] = { 0, 1u << 13 };   /* bufsz_idx [4:1] 0, valid W1[13] */
	uint32_t cm[5] = {
		/* en_stat_desc [0], trig_mode [4:2] 4, fnc_id [12:5], counter_idx [20:17] 7,
		 * timer_idx [24:21] 3, color [27], ringsz_idx [31:28] 0 */
		(1u << 0) | (4u << 2) | (fn << 5) | (7u << 17) | (3u << 21) | (1u << 27),
		(0x300000u >> 12) << 6,          /* W1 [31:6] base[37:12] */
		0, 1u << 28, 0 };                /* W3 [28] valid */

	expect_ctx_wr(f, 0, qid, sw, 5);
	expect_ctx_wr(f, 7, qid, pf, 2);
	expect_ctx_wr(f, 6, qid, cm, 5);
}

/* The PF's own ST C2H queue start (2.8): CLR SW_C2H, HW_C2H, PFTCH, CMPT, CR_C2H; WR SW, PFTCH,
 * CMPT. */
static void
t_c2h_start(void **state)
{
	struct fx *f = *state;
	struct qdma_mbox_descq_conf d;

	c2h_conf(&d);
	assert_int_equal(qdma_queue_ctxt_write(&f->ad, f->ad.func_id, 9, true, true,
		QDMA_MBOX_CMPT_CTXT_WITH_ST, &d), 0);
	expect_ctx_cmd(f, 0, 0, 9);
	expect_ctx_cmd(f, 2, 0, 9);
	expect_ctx_cmd(f, 7, 0, 9);
	expect_ctx_cmd(f, 6, 0, 9);
	expect_ctx_cmd(f, 4, 0, 9);
	expect_c2h_writes(f, f->ad.func_id, 9, false);
	check();
}

/* A VF's ST C2H queue, composed by the PF for its QCTXT_WRT (4.7): CLR SW, HW, CR, PFTCH, CMPT;
 * WR SW, PFTCH, CMPT, with the VF as fnc_id. */
static void
t_vf_c2h_start(void **state)
{
	struct fx *f = *state;
	struct qdma_mbox_descq_conf d;

	c2h_conf(&d);
	assert_int_equal(qdma_queue_ctxt_write(&f->ad, 5, 9, true, true,
		QDMA_MBOX_CMPT_CTXT_WITH_ST, &d), 0);
	expect_ctx_cmd(f, 0, 0, 9);
	expect_ctx_cmd(f, 2, 0, 9);
	expect_ctx_cmd(f, 4, 0, 9);
	expect_ctx_cmd(f, 7, 0, 9);
	expect_ctx_cmd(f, 6, 0, 9);
	expect_c2h_writes(f, 5, 9, true);
	check();
	/* a value outside the CSR tables: nothing written at all */
	d.cnt_thres = 3;
	assert_int_equal(qdma_queue_ctxt_write(&f->ad, 5, 9, true, true,
		QDMA_MBOX_CMPT_CTXT_WITH_ST, &d), -EINVAL);
	check();
}

/* The PF's own MM H2C queue start (2.8): CLR SW_H2C, HW_H2C (no credit context); WR SW. */
static void
t_mm_h2c_start(void **state)
{
	struct fx *f = *state;
	struct qdma_mbox_descq_conf d = { 0 };
	uint32_t sw[5];

	d.ring_bs_addr = 0x400000;
	d.ringsz = 1024;
	d.flags = QDMA_DESCQ_F_WBI_CHK | QDMA_DESCQ_F_WBI_INTVL_EN | QDMA_DESCQ_F_WBK_EN |
		  (2u << QDMA_DESCQ_DESC_SZ_SHIFT);
	assert_int_equal(qdma_queue_ctxt_write(&f->ad, f->ad.func_id, 4, false, false,
		QDMA_MBOX_CMPT_CTXT_NONE, &d), 0);
	expect_ctx_cmd(f, 1, 0, 4);
	expect_ctx_cmd(f, 3, 0, 4);
	sw[0] = 0;
	/* qen, wbi_chk, wbi_intvl_en, rngsz_idx 8, desc_sz 2, wbk_en, is_mm [31] */
	sw[1] = (1u << 0) | (1u << 2) | (1u << 3) | (8u << 12) | (2u << 16) | (1u << 20) |
		(1u << 31);
	sw[2] = 0x400000;
	sw[3] = 0;
	sw[4] = 0;
	expect_ctx_wr(f, 1, 4, sw, 5);
	check();
}

/* ST C2H queue stop (2.8): INV SW, HW, then PFTCH, CMPT, CR. ST H2C: INV SW, HW, CR. */
static void
t_queue_stop(void **state)
{
	struct fx *f = *state;

	assert_int_equal(qdma_queue_ctxt_inv(&f->ad, 9, true, true, QDMA_MBOX_CMPT_CTXT_WITH_ST,
		false), 0);
	expect_ctx_cmd(f, 0, 3, 9);
	expect_ctx_cmd(f, 2, 3, 9);
	expect_ctx_cmd(f, 7, 3, 9);
	expect_ctx_cmd(f, 6, 3, 9);
	expect_ctx_cmd(f, 4, 3, 9);
	check();
	assert_int_equal(qdma_queue_ctxt_inv(&f->ad, 3, true, false, QDMA_MBOX_CMPT_CTXT_NONE,
		false), 0);
	expect_ctx_cmd(f, 1, 3, 3);
	expect_ctx_cmd(f, 3, 3, 3);
	expect_ctx_cmd(f, 5, 3, 3);
	check();
}

/* Error poll (1.9): each set leaf written back with the value read, then GLBL_ERR_STAT. */
static void
t_w1c(void **state)
{
	struct fx *f = *state;
	uint32_t strobe = f->emu ? 0x80000000u : 0;

	bar_set(0x248, (1u << 2) | (1u << 3));  /* GLBL_ERR_STAT: DSC, TRQ */
	bar_set(0x254, 0x21);                   /* DSC: poison, tag */
	bar_set(0x264, 0x2);                    /* TRQ: qid_range */
	assert_int_equal(qdma_pf_error_poll(&f->ad), 2);
	expect(0x254, 0x21 | strobe);
	expect(0x264, 0x2 | strobe);
	expect(0x248, 0xC | strobe);
	check();
	/* nothing pending: nothing written */
	bar_set(0x248, 0);
	assert_int_equal(qdma_pf_error_poll(&f->ad), 0);
	check();
}

/* Mailbox send (4.2): PF: TARGET_FN, MSG_OUT[0..31], PF_ACK bit, FN_CMD = 1. VF: no TARGET/ACK. */
static void
t_mbox_send(void **state)
{
	struct fx *f = *state;
	uint32_t mb = f->ad.is_vf ? 0x1000 : 0x2400;
	union qdma_mbox_msg m;

	for (unsigned int i = 0; i < 32; i++)
		m.w[i] = 0x01010101u * (i + 1);
	assert_int_equal(qdma_mbox_send(&f->ad, 37, &m), 0);
	if (!f->ad.is_vf)
		expect(mb + 0x00C, 37);
	for (unsigned int i = 0; i < 32; i++)
		expect(mb + 0xC00 + 4 * i, m.w[i]);
	if (!f->ad.is_vf)
		expect(mb + 0x020 + 4 * (37 / 32), 1u << (37 % 32));
	expect(mb + 0x004, 0x1);
	check();
	/* outbox still busy (o_msg): nothing is written */
	bar_set(mb, 1u << 1);
	assert_int_equal(qdma_mbox_send(&f->ad, 37, &m), -EBUSY);
	check();
}

/* Mailbox receive (4.2): PF: TARGET_FN = FN_STATUS[15:4]; read MSG_IN; FN_CMD = 2. */
static void
t_mbox_recv(void **state)
{
	struct fx *f = *state;
	uint32_t mb = f->ad.is_vf ? 0x1000 : 0x2400;
	union qdma_mbox_msg m;
	uint16_t src = 0;

	bar_set(mb, 1u | (9u << 4));
	for (unsigned int i = 0; i < 32; i++)
		bar_set(mb + 0x800 + 4 * i, 0x100 + i);
	assert_int_equal(qdma_mbox_recv(&f->ad, &m, &src), 1);
	assert_int_equal(m.w[31], 0x100 + 31);
	if (!f->ad.is_vf) {
		assert_int_equal(src, 9);
		expect(mb + 0x00C, 9);
	}
	expect(mb + 0x004, 0x2);
	check();
}

/* FN_CMD.vf_reset (4.1: bit 3, PF only, a placeholder no reference driver writes): on a card
 * without the capability nothing is written; on the emulated card TARGET_FN, then FN_CMD = 8. */
static void
t_mbox_vf_reset(void **state)
{
	struct fx *f = *state;

	if (!f->emu) {
		assert_int_equal(qdma_mbox_vf_reset(&f->ad, 9), -ENOTSUP);
	} else {
		assert_int_equal(qdma_mbox_vf_reset(&f->ad, 9), 0);
		expect(0x2400 + 0x00C, 9);
		expect(0x2400 + 0x004, 0x8);
	}
	check();
}

/* The PF learns that VF function 9 was reset while its outbox still holds a message to it: it
 * releases the VF (FMAP cleared: 1.5 with qbase 0, qmax 0). The emulated card also gets the
 * outbox back with FN_CMD.vf_reset; a real card only the reference's FMAP write. */
static void
t_vf_gone_outbox_busy(void **state)
{
	struct fx *f = *state;
	uint32_t fmap0[2] = { 0, 0 };

	f->ad.cap.num_qs = 2048;
	assert_int_equal(qdma_pf_init_state(&f->ad), 0);
	f->pf.fn[9].online = true;
	f->pf.out_fn = 9;
	bar_set(0x2400, 1u << 1);               /* FN_STATUS: o_msg, our message to it waits */
	nrec = 0;
	qdma_pf_vf_reset(&f->ad, 9);
	if (f->emu) {
		expect(0x2400 + 0x00C, 9);
		expect(0x2400 + 0x004, 0x8);
	}
	expect_ctx_wr(f, 12, 9, fmap0, 2);
	check();
	assert_false(f->pf.fn[9].online);
	assert_int_equal(f->pf.fn[9].resets, 1);
}

#define T(name, fn, setup) { name, fn, setup, teardown, NULL }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* a card without the capability: the reference's writes */
		T("real_pf_fmap_and_commands", t_fmap, setup_pf_real),
		T("real_pf_h2c_queue_start", t_h2c_start, setup_pf_real),
		T("real_pf_st_c2h_queue_start", t_c2h_start, setup_pf_real),
		T("real_pf_vf_st_c2h_queue_start", t_vf_c2h_start, setup_pf_real),
		T("real_pf_mm_h2c_queue_start", t_mm_h2c_start, setup_pf_real),
		T("real_pf_queue_stop", t_queue_stop, setup_pf_real),
		T("real_pf_w1c_error_clear", t_w1c, setup_pf_real),
		T("real_pf_mbox_send", t_mbox_send, setup_pf_real),
		T("real_pf_mbox_recv", t_mbox_recv, setup_pf_real),
		T("real_vf_mbox_send", t_mbox_send, setup_vf_real),
		T("real_vf_mbox_recv", t_mbox_recv, setup_vf_real),
		T("real_pf_mbox_vf_reset_not_written", t_mbox_vf_reset, setup_pf_real),
		T("real_pf_vf_gone_outbox_busy", t_vf_gone_outbox_busy, setup_pf_real),
		/* the emulated card's capability: the same with the conventions */
		T("emu_pf_fmap_and_commands", t_fmap, setup_pf_emu),
		T("emu_pf_h2c_queue_start", t_h2c_start, setup_pf_emu),
		T("emu_pf_st_c2h_queue_start", t_c2h_start, setup_pf_emu),
		T("emu_pf_w1c_error_clear", t_w1c, setup_pf_emu),
		T("emu_pf_mbox_send", t_mbox_send, setup_pf_emu),
		T("emu_pf_mbox_recv", t_mbox_recv, setup_pf_emu),
		T("emu_vf_mbox_send", t_mbox_send, setup_vf_emu),
		T("emu_vf_mbox_recv", t_mbox_recv, setup_vf_emu),
		T("emu_pf_mbox_vf_reset", t_mbox_vf_reset, setup_pf_emu),
		T("emu_pf_vf_gone_outbox_busy", t_vf_gone_outbox_busy, setup_pf_emu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
