/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VF-message validator of lib/qdma_hw (qdma_mbox_validate_vf_msg) on a table of good and
 * bad messages, each bad one with the status it must get; the status <-> errno conversion; the
 * REG_LIST_READ groups; the QCTXT_RD and INTR_CTXT conversions. Messages are built by patching
 * bytes at the offsets of qdma-reference.md 4.6 into a well-formed base message, so a case
 * names the byte it breaks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qdma_hw_ctx.h"
#include "qdma_hw_mbox.h"
#include "qdma_hw_regs.h"

#define NUM_QS 2048u
#define MAX_PER_FN 256u

/* Base messages. */
enum base {
	B_OP,      /* header only, op = .op */
	B_FMAP,    /* FMAP qbase 8, qmax 8 */
	B_H2C,     /* QCTXT_WRT ST H2C: ring 1024+1, 16 B descriptors, base 0x10000 */
	B_C2H,     /* QCTXT_WRT ST C2H with CMPT: ring 1025, buf 4096, cnt 64, timer 5, trig 4 */
	B_MMC2H,   /* QCTXT_WRT MM C2H with an MM completion ring */
	B_INTR,    /* INTR_CTXT_WRT ring 5: base 0x20000, vec 3, page_size 1, valid */
};

struct patch {
	uint8_t off, len;   /* len 0: end of the list */
	uint64_t val;
};

struct vcase {
	const char *name;
	enum base base;
	uint8_t op;          /* B_OP: the op; others: 0 keeps the base's op */
	struct patch p[3];
	int want;
};

static const uint32_t h2c_flags = 1u << 16;                         /* desc_sz 1 (16 B) */
static const uint32_t c2h_flags = (4u << 20) | (1u << 15) | (1u << 6); /* trig 4, stat, wbk */

static void
build(const struct vcase *c, union qdma_mbox_msg *m)
{
	qdma_mbox_msg_init(m, c->op, 0, 0);
	switch (c->base) {
	case B_OP:
		break;
	case B_FMAP:
		m->hdr.op = QDMA_MBOX_OP_FMAP;
		m->fmap.qbase = 8;
		m->fmap.qmax = 8;
		break;
	case B_H2C:
		m->hdr.op = QDMA_MBOX_OP_QCTXT_WRT;
		m->qctxt.qid_hw = 7;
		m->qctxt.flags = qdma_mbox_qctxt_flags(1, 0, QDMA_MBOX_CMPT_CTXT_NONE);
		m->qctxt.descq.ring_bs_addr = 0x10000;
		m->qctxt.descq.flags = h2c_flags;
		m->qctxt.descq.ringsz = 1024;
		break;
	case B_C2H:
	case B_MMC2H:
		m->hdr.op = QDMA_MBOX_OP_QCTXT_WRT;
		m->qctxt.qid_hw = 7;
		m->qctxt.flags = c->base == B_C2H ?
			qdma_mbox_qctxt_flags(1, 1, QDMA_MBOX_CMPT_CTXT_WITH_ST) :
			qdma_mbox_qctxt_flags(0, 1, QDMA_MBOX_CMPT_CTXT_WITH_MM);
		m->qctxt.descq.ring_bs_addr = 0x10000;
		m->qctxt.descq.cmpt_ring_bs_addr = 0x20000;
		m->qctxt.descq.flags = c->base == B_C2H ? c2h_flags :
			(2u << 16) | (4u << 20);                    /* desc_sz 2 (32 B) */
		m->qctxt.descq.ringsz = 1024;
		m->qctxt.descq.cmpt_ringsz = 2048;
		m->qctxt.descq.bufsz = 4096;
		m->qctxt.descq.cnt_thres = 64;
		m->qctxt.descq.timer_thres = 5;
		break;
	case B_INTR:
		m->hdr.op = QDMA_MBOX_OP_INTR_CTXT_WRT;
		m->intr_ctxt.num_rings = 1;
		m->intr_ctxt.ring_index_list[0] = 5;
		m->intr_ctxt.ictxt.ring_base = 0x20000;
		m->intr_ctxt.ictxt.vec = 3;
		m->intr_ctxt.ictxt.page_size = 1;
		m->intr_ctxt.ictxt.valid = 1;
		break;
	}
	if (c->base != B_OP && c->op != 0)
		m->hdr.op = c->op;
	for (unsigned int i = 0; i < 3 && c->p[i].len; i++)
		memcpy(&m->b[c->p[i].off], &c->p[i].val, c->p[i].len);
}

#define P(o, l, v) { (o), (l), (uint64_t)(v) }
#define OK QDMA_MBOX_OK
#define IGN QDMA_MBOX_VERDICT_IGNORE

static const struct vcase cases[] = {
	/* ops a VF sends its PF, and its answers to the PF's notices */
	{ "VF_BYE", B_OP, 0x00, { { 0 } }, OK },
	{ "VF_BYE with the card's reset status", B_OP, 0x00, { P(1, 1, 1) }, OK },
	{ "HELLO", B_OP, 0x01, { P(8, 4, -1) }, OK },
	{ "CSR", B_OP, 0x03, { { 0 } }, OK },
	{ "GET_QACTIVE_CNT", B_OP, 0x07, { { 0 } }, OK },
	{ "PF_RESET_VF_BYE", B_OP, 0x14, { { 0 } }, OK },
	{ "answer to RESET_PREPARE", B_OP, 0x90, { { 0 } }, OK },
	{ "answer to RESET_DONE", B_OP, 0x91, { { 0 } }, OK },
	{ "answer to PF_BYE", B_OP, 0x93, { { 0 } }, OK },
	{ "answer to svff PAUSE", B_OP, 0x95, { { 0 } }, OK },
	/* ops a VF does not send its PF: dropped */
	{ "unknown op 0x55", B_OP, 0x55, { { 0 } }, IGN },
	{ "RESET_PREPARE (PF->VF)", B_OP, 0x10, { { 0 } }, IGN },
	{ "PF_BYE (PF->VF)", B_OP, 0x13, { { 0 } }, IGN },
	{ "svff PAUSE (PF->VF)", B_OP, 0x15, { { 0 } }, IGN },
	{ "op 0x80", B_OP, 0x80, { { 0 } }, IGN },
	{ "HELLO answer from a VF", B_OP, 0x81, { { 0 } }, IGN },
	{ "op 0xFF", B_OP, 0xFF, { { 0 } }, IGN },
	/* FMAP: +8 qbase, +12 qmax */
	{ "FMAP [8, +8)", B_FMAP, 0, { { 0 } }, OK },
	{ "FMAP none (qmax 0, any qbase)", B_FMAP, 0, { P(8, 4, -5), P(12, 4, 0) }, OK },
	{ "FMAP the last queues", B_FMAP, 0, { P(8, 4, 2040) }, OK },
	{ "FMAP one beyond the queue space", B_FMAP, 0, { P(8, 4, 2041) },
		QDMA_MBOX_ERR_INV_QID },
	{ "FMAP qbase -1 with queues", B_FMAP, 0, { P(8, 4, -1) }, QDMA_MBOX_ERR_INV_QID },
	{ "FMAP qmax 2049", B_FMAP, 0, { P(8, 4, 0), P(12, 4, 2049) }, QDMA_MBOX_ERR_INV_QID },
	{ "FMAP qbase INT32_MAX (overflow)", B_FMAP, 0, { P(8, 4, 0x7FFFFFFF), P(12, 4, 1) },
		QDMA_MBOX_ERR_INV_QID },
	{ "FMAP qmax 0xFFFFFFFF", B_FMAP, 0, { P(12, 4, 0xFFFFFFFFu) }, QDMA_MBOX_ERR_INV_QID },
	/* QREQ: +12 qmax */
	{ "QREQ 256", B_OP, 0x04, { P(8, 4, -1), P(12, 4, 256) }, OK },
	{ "QREQ 0 (free)", B_OP, 0x04, { P(8, 4, -1) }, OK },
	{ "QREQ 257", B_OP, 0x04, { P(12, 4, 257) }, QDMA_MBOX_ERR_NUM_QUEUES },
	/* QNOTIFY: +6 qid_hw, +8 q_type */
	{ "QNOTIFY_ADD CMPT 2047", B_OP, 0x05, { P(6, 2, 2047), P(8, 4, 2) }, OK },
	{ "QNOTIFY_DEL qid 2048", B_OP, 0x06, { P(6, 2, 2048) }, QDMA_MBOX_ERR_INV_QID },
	{ "QNOTIFY_ADD type 3", B_OP, 0x05, { P(8, 4, 3) }, QDMA_MBOX_ERR_INV_QID },
	/* QCTXT_*: +6 qid_hw, +8 flags [0] st [1] c2h [3:2] cmpt type */
	{ "QCTXT_WRT ST H2C", B_H2C, 0, { { 0 } }, OK },
	{ "QCTXT_WRT ST C2H with CMPT", B_C2H, 0, { { 0 } }, OK },
	{ "QCTXT_WRT MM C2H with CMPT", B_MMC2H, 0, { { 0 } }, OK },
	{ "QCTXT_WRT MM H2C", B_H2C, 0, { P(8, 1, 0x0C), P(32, 4, 2u << 16) }, OK },
	{ "QCTXT_WRT ST C2H without CMPT", B_C2H, 0, { P(8, 1, 0x0F) }, OK },
	{ "QCTXT_WRT CMPT only (ring fields not read)", B_C2H, 0,
		{ P(8, 1, 0x03), P(42, 2, 1000), P(16, 8, 0) }, OK },
	{ "QCTXT_RD (descq not read)", B_C2H, QDMA_MBOX_OP_QCTXT_RD, { P(42, 2, 1000) }, OK },
	{ "QCTXT_INV", B_C2H, QDMA_MBOX_OP_QCTXT_INV, { P(16, 8, 0) }, OK },
	{ "QCTXT_CLR of queue 2048", B_C2H, QDMA_MBOX_OP_QCTXT_CLR, { P(6, 2, 2048) },
		QDMA_MBOX_ERR_INV_QID },
	{ "QCTXT_RD flags bit 4", B_C2H, QDMA_MBOX_OP_QCTXT_RD, { P(8, 1, 0x1B) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "QCTXT_WRT H2C with a CMPT type", B_H2C, 0, { P(8, 1, 0x09) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "QCTXT_INV H2C CMPT only", B_H2C, QDMA_MBOX_OP_QCTXT_INV, { P(8, 1, 0x01) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "QCTXT_WRT MM C2H typed 'with ST'", B_MMC2H, 0, { P(8, 1, 0x0A) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "QCTXT_WRT ST C2H typed 'with MM'", B_C2H, 0, { P(8, 1, 0x07) },
		QDMA_MBOX_ERR_INV_PARAM },
	/* descq_conf: +16 ring base, +24 cmpt base, +32 flags, +38 cnt, +39 timer, +40 intr,
	 * +42 ringsz, +44 bufsz, +46 cmpt_ringsz */
	{ "ring size not in GLBL_RNG_SZ", B_H2C, 0, { P(42, 2, 1000) }, QDMA_MBOX_ERR_INV_RINGSZ },
	{ "ring size 0xFFFF (+1 overflows 16 bits)", B_H2C, 0, { P(42, 2, 0xFFFF) },
		QDMA_MBOX_ERR_INV_RINGSZ },
	{ "H2C with 8 B descriptors", B_H2C, 0, { P(32, 4, 0) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "C2H with 16 B descriptors", B_C2H, 0, { P(32, 4, c2h_flags | (1u << 16)) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "ring base 0", B_H2C, 0, { P(16, 8, 0) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "ring base not 64 B aligned", B_H2C, 0, { P(16, 8, 0x10010) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "flags bit 23 (reserved)", B_H2C, 0, { P(32, 4, h2c_flags | (1u << 23)) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "intr bit 12 (reserved)", B_H2C, 0, { P(40, 2, 1u << 12) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "buffer size not in C2H_BUF_SZ", B_C2H, 0, { P(44, 2, 1000) }, QDMA_MBOX_ERR_INV_BUFSZ },
	{ "CMPT ring size not in GLBL_RNG_SZ", B_C2H, 0, { P(46, 2, 100) },
		QDMA_MBOX_ERR_INV_RINGSZ },
	{ "counter threshold not in C2H_CNT_TH", B_C2H, 0, { P(38, 1, 3) },
		QDMA_MBOX_ERR_INV_CNTR_TH },
	{ "timer not in C2H_TIMER_CNT", B_C2H, 0, { P(39, 1, 7) }, QDMA_MBOX_ERR_INV_TMR_TH },
	{ "trigger mode 6", B_C2H, 0, { P(32, 4, (c2h_flags & ~(7u << 20)) | (6u << 20)) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "CMPT base not 4 KiB aligned", B_C2H, 0, { P(24, 8, 0x20800) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "CMPT base 0", B_MMC2H, 0, { P(24, 8, 0) }, QDMA_MBOX_ERR_INV_PARAM },
	/* INTR_CTXT_*: +8 num_rings, +12 ring, +16 ictxt (+0 base, +8 vec, +10 pidx, +12 valid,
	 * +13 int_st, +14 color, +15 page_size, +16 at) */
	{ "INTR_CTXT_WRT", B_INTR, 0, { { 0 } }, OK },
	{ "INTR_CTXT_RD (ictxt not read)", B_INTR, QDMA_MBOX_OP_INTR_CTXT_RD, { P(16, 8, 1) }, OK },
	{ "INTR_CTXT_CLR ring 2047", B_INTR, QDMA_MBOX_OP_INTR_CTXT_CLR, { P(12, 4, 2047) }, OK },
	{ "INTR_CTXT_INV ring 2048", B_INTR, QDMA_MBOX_OP_INTR_CTXT_INV, { P(12, 4, 2048) },
		QDMA_MBOX_ERR_INV_QID },
	{ "INTR_CTXT 0 rings", B_INTR, 0, { P(8, 1, 0) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR_CTXT 2 rings", B_INTR, QDMA_MBOX_OP_INTR_CTXT_RD, { P(8, 1, 2) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR ring base 0", B_INTR, 0, { P(16, 8, 0) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR ring base not 4 KiB aligned", B_INTR, 0, { P(16, 8, 0x20800) },
		QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR vec 0x800 (11 bits)", B_INTR, 0, { P(24, 2, 0x800) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR pidx 0x1000 (12 bits)", B_INTR, 0, { P(26, 2, 0x1000) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR valid 2", B_INTR, 0, { P(28, 1, 2) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR page_size 8", B_INTR, 0, { P(31, 1, 8) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "INTR at 2", B_INTR, 0, { P(32, 1, 2) }, QDMA_MBOX_ERR_INV_PARAM },
	/* REG_LIST_READ: +6 group */
	{ "REG_LIST_READ group 3", B_OP, 0x12, { P(6, 2, 3) }, OK },
	{ "REG_LIST_READ group 4", B_OP, 0x12, { P(6, 2, 4) }, QDMA_MBOX_ERR_INV_PARAM },
	{ "REG_LIST_READ group 0xFFFF", B_OP, 0x12, { P(6, 2, 0xFFFF) }, QDMA_MBOX_ERR_INV_PARAM },
};

static void
limits(struct qdma_mbox_limits *lim)
{
	lim->num_qs = NUM_QS;
	lim->max_qs_per_fn = MAX_PER_FN;
	lim->ring_sz = qdma_glbl_rng_sz_default;
	lim->buf_sz = qdma_c2h_buf_sz_default;
	lim->timer_cnt = qdma_c2h_timer_cnt_default;
	lim->cnt_th = qdma_c2h_cnt_th_default;
}

static void
test_table(void **state)
{
	struct qdma_mbox_limits lim;
	unsigned int bad = 0;

	(void)state;
	limits(&lim);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		union qdma_mbox_msg m, copy;
		int got;

		build(&cases[i], &m);
		copy = m;
		got = qdma_mbox_validate_vf_msg(m.b, sizeof(m.b), &lim);
		if (got != cases[i].want) {
			print_error("%s: got %d, expected %d\n", cases[i].name, got, cases[i].want);
			bad++;
		}
		assert_memory_equal(&m, &copy, sizeof(m));   /* never written */
	}
	assert_int_equal(bad, 0);
}

/* Bad arguments: short message, no tables. */
static void
test_args(void **state)
{
	struct qdma_mbox_limits lim;
	union qdma_mbox_msg m;

	(void)state;
	limits(&lim);
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_CSR, 0, 0);
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, sizeof(m.b), &lim), QDMA_MBOX_OK);
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, 127, &lim), QDMA_MBOX_ERR_INV_MSG);
	assert_int_equal(qdma_mbox_validate_vf_msg(NULL, 128, &lim), QDMA_MBOX_ERR_INV_MSG);
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, 128, NULL), QDMA_MBOX_ERR_INV_MSG);
	lim.cnt_th = NULL;
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, 128, &lim), QDMA_MBOX_ERR_INV_MSG);
	/* a card with fewer queues: the same FMAP goes out of range */
	limits(&lim);
	lim.num_qs = 16;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_FMAP, 0, 0);
	m.fmap.qbase = 8;
	m.fmap.qmax = 8;
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, 128, &lim), QDMA_MBOX_OK);
	m.fmap.qbase = 9;
	assert_int_equal(qdma_mbox_validate_vf_msg(m.b, 128, &lim), QDMA_MBOX_ERR_INV_QID);
}

/* Every status is one negative errno (never the status itself), 0 stays 0. */
static void
test_errno(void **state)
{
	(void)state;
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_OK), 0);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_NUM_QUEUES), -ENOSPC);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_NO_QUEUES_LEFT), -ENOSPC);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_QMAX_CONF_REJECTED), -EBUSY);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_INV_QID), -EINVAL);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_INV_RINGSZ), -EINVAL);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_INV_MSG), -EPERM);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_HWACC_FEATURE_NOT_SUPPORTED),
		-ENOTSUP);
	assert_int_equal(qdma_mbox_status_to_errno(QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT), -ETIMEDOUT);
	assert_int_equal(qdma_mbox_status_to_errno(-100), -EIO);
	assert_int_equal(qdma_mbox_status_to_errno(5), -EIO);
	for (int st = QDMA_MBOX_ERR_ALL_ZERO_MSG; st < 0; st++)
		assert_true(qdma_mbox_status_to_errno(st) < 0);
	assert_int_equal(qdma_mbox_status_from_errno(0), QDMA_MBOX_OK);
	assert_int_equal(qdma_mbox_status_from_errno(-ENOSPC), QDMA_MBOX_ERR_NO_QUEUES_LEFT);
	assert_int_equal(qdma_mbox_status_from_errno(-EINVAL), QDMA_MBOX_ERR_INV_PARAM);
	assert_int_equal(qdma_mbox_status_from_errno(-ETIMEDOUT),
		QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT);
	assert_int_equal(qdma_mbox_status_from_errno(-EIO), QDMA_MBOX_ERR_HWACC_BUSY_TIMEOUT);
	/* a PF's local failure reaches the application as the same errno class */
	assert_int_equal(qdma_mbox_status_to_errno(qdma_mbox_status_from_errno(-ENOSPC)), -ENOSPC);
	assert_int_equal(qdma_mbox_status_to_errno(qdma_mbox_status_from_errno(-EINVAL)), -EINVAL);
	assert_int_equal(qdma_mbox_status_to_errno(qdma_mbox_status_from_errno(-ETIMEDOUT)),
		-ETIMEDOUT);
}

/* REG_LIST_READ groups: addresses from the register map (1.2-1.4), capabilities applied. */
static void
test_reg_groups(void **state)
{
	static const uint32_t g0[] = { 0x000, 0x008, 0x00C, 0x018, 0x040, 0x044, 0x100, 0x114,
		0x118, 0x11C, 0x120, 0x134, 0x250 };
	uint32_t a[QDMA_MBOX_REG_LIST_MAX];
	unsigned int n;

	(void)state;
	n = qdma_mbox_reg_group(0, 1, 1, a);
	assert_int_equal(n, sizeof(g0) / sizeof(g0[0]));
	assert_memory_equal(a, g0, sizeof(g0));
	n = qdma_mbox_reg_group(1, 1, 1, a);
	assert_int_equal(n, 14);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(a[i], 0xA00 + 4 * i);          /* C2H_TIMER_CNT[i] */
	assert_int_equal(qdma_mbox_reg_group(1, 0, 1, a), 0);   /* no ST: no C2H tables */
	n = qdma_mbox_reg_group(2, 1, 1, a);
	assert_int_equal(n, 14);
	assert_int_equal(a[0], 0xB08);
	assert_int_equal(a[12], 0xE24);
	assert_int_equal(a[13], 0x1004);
	assert_int_equal(qdma_mbox_reg_group(2, 1, 0, a), 13);
	assert_int_equal(qdma_mbox_reg_group(2, 0, 1, a), 1);
	assert_int_equal(a[0], 0x1004);
	assert_int_equal(qdma_mbox_reg_group(3, 1, 1, a), 1);
	assert_int_equal(a[0], 0x1204);
	assert_int_equal(qdma_mbox_reg_group(3, 1, 0, a), 0);
	assert_int_equal(qdma_mbox_reg_group(4, 1, 1, a), 0);
	/* every group: ascending, inside its range, never FMAP / IND / error / mailbox */
	for (unsigned int g = 0; g < 4; g++) {
		n = qdma_mbox_reg_group(g, 1, 1, a);
		for (unsigned int i = 0; i < n; i++) {
			assert_true(i == 0 || a[i] > a[i - 1]);
			assert_false(a[i] >= 0x400 && a[i] < 0x900);      /* FMAP, indirect */
			assert_false(a[i] >= 0x248 && a[i] < 0x250);      /* GLBL_ERR_STAT/MASK */
			assert_false(a[i] >= 0xAF0 && a[i] < 0xB08);      /* C2H errors, ERR_INT */
			assert_false(a[i] >= 0x2400);                     /* mailbox */
		}
	}
}

/* QCTXT_RD blocks: decoded contexts land at the reference's offsets (4.6). */
static void
test_qctxt_rd_fill(void **state)
{
	struct qdma_sw_ctx sw = { .pidx = 0x1234, .fnc_id = 0x0AB, .qen = 1, .rngsz_idx = 8,
		.desc_sz = 1, .err = 3, .is_mm = 1, .ring_base = 0x1122334455667000ull,
		.vec = 0x7FF, .intr_aggr = 1 };
	struct qdma_hw_ctx hw = { .cidx = 0x55AA, .crd_use = 0x0102, .fetch_pnd = 0xF };
	struct qdma_credit_ctx cr = { .credit = 0xBEEF };
	struct qdma_pfch_ctx pf = { .bufsz_idx = 5, .sw_crdt = 0x1FFF, .valid = 1 };
	struct qdma_cmpt_ctx cm = { .en_stat_desc = 1, .trig_mode = 5, .fnc_id = 0x0CD,
		.counter_idx = 7, .timer_idx = 3, .color = 1, .ringsz_idx = 15,
		.base_addr = 0xAABBCCDDEEFF1000ull };
	union qdma_mbox_msg m;
	uint64_t v64;
	uint16_t v16;
	uint32_t v32;

	(void)state;
	memset(&m, 0xEE, sizeof(m));
	qdma_mbox_qctxt_rd_fill(&m.qctxt_rd, &sw, &hw, &cr, &pf, &cm);
	assert_int_equal(m.b[23], 0xEE);                 /* fmap and before: untouched */
	memcpy(&v16, &m.b[24], 2);
	assert_int_equal(v16, 0x1234);                   /* sw.pidx */
	memcpy(&v16, &m.b[28], 2);
	assert_int_equal(v16, 0x0AB);                    /* sw.fnc_id */
	assert_int_equal(m.b[30], 1);                    /* sw.qen */
	assert_int_equal(m.b[36], 8);                    /* sw.rngsz_idx */
	assert_int_equal(m.b[37], 1);                    /* sw.desc_sz */
	assert_int_equal(m.b[44], 3);                    /* sw.err: both bits */
	assert_int_equal(m.b[48], 1);                    /* sw.is_mm */
	memcpy(&v64, &m.b[56], 8);
	assert_true(v64 == 0x1122334455667000ull);       /* sw.ring_bs_addr */
	memcpy(&v16, &m.b[64], 2);
	assert_int_equal(v16, 0x7FF);                    /* sw.vec */
	assert_int_equal(m.b[66], 1);                    /* sw.intr_aggr */
	assert_int_equal(m.b[79], 0);                    /* EQDMA-only: 0 */
	memcpy(&v16, &m.b[80], 2);
	assert_int_equal(v16, 0x55AA);                   /* hw.cidx */
	assert_int_equal(m.b[87], 0xF);                  /* hw.fetch_pnd */
	memcpy(&v32, &m.b[88], 4);
	assert_int_equal(v32, 0xBEEF);                   /* credit */
	assert_int_equal(m.b[93], 5);                    /* pfch.bufsz_idx */
	memcpy(&v16, &m.b[98], 2);
	assert_int_equal(v16, 0x1FFF);                   /* pfch.sw_crdt */
	assert_int_equal(m.b[100], 1);                   /* pfch.valid */
	assert_int_equal(m.b[104], 1);                   /* cmpt.en_stat_desc */
	assert_int_equal(m.b[106], 5);                   /* cmpt.trig_mode */
	memcpy(&v16, &m.b[108], 2);
	assert_int_equal(v16, 0x0CD);                    /* cmpt.fnc_id */
	assert_int_equal(m.b[110], 7);                   /* cmpt.counter_idx */
	assert_int_equal(m.b[111], 3);                   /* cmpt.timer_idx */
	assert_int_equal(m.b[113], 1);                   /* cmpt.color */
	assert_int_equal(m.b[114], 15);                  /* cmpt.ringsz_idx */
	memcpy(&v64, &m.b[120], 8);
	assert_true(v64 == 0xAABBCCDDEEFF1000ull);       /* cmpt.bs_addr */
	/* absent blocks are zero */
	memset(&m, 0xEE, sizeof(m));
	qdma_mbox_qctxt_rd_fill(&m.qctxt_rd, &sw, &hw, &cr, NULL, NULL);
	for (unsigned int i = 92; i < 128; i++)
		assert_int_equal(m.b[i], 0);
}

/* INTR_CTXT: the message's ictxt and the IP's context (2.6) convert both ways. */
static void
test_ictxt(void **state)
{
	struct qdma_mbox_ictxt in = { .ring_base = 0x7654321000ull, .vec = 0x123, .pidx = 0xABC,
		.valid = 1, .int_st = 1, .color = 1, .page_size = 7, .at = 1, .host_id = 9,
		.pasid = 0x55, .pasid_en = 1, .func_id = 77 }, out;
	struct qdma_intr_ctx c;
	uint32_t w[QDMA_INTR_CTX_WORDS];

	(void)state;
	qdma_mbox_ictxt_to_ctx(&in, &c);
	assert_int_equal(qdma_intr_ctx_encode(&c, w), 0);
	/* 2.6: W0 [0] valid, [11:1] vec, [13] int_st, [14] color, [31:15] base[28:12] */
	assert_int_equal(w[0] & 1, 1);
	assert_int_equal((w[0] >> 1) & 0x7FF, 0x123);
	assert_int_equal((w[2] >> 3) & 7, 7);            /* page_size */
	assert_int_equal((w[2] >> 6) & 0xFFF, 0xABC);    /* pidx */
	qdma_intr_ctx_decode(w, &c);
	qdma_mbox_ictxt_from_ctx(&c, &out);
	assert_true(out.ring_base == in.ring_base);
	assert_int_equal(out.vec, in.vec);
	assert_int_equal(out.pidx, in.pidx);
	assert_int_equal(out.page_size, 7);
	assert_int_equal(out.valid + out.int_st + out.color + out.at, 4);
	/* EQDMA-only fields do not exist on QDMA3.1: not carried back */
	assert_int_equal(out.host_id + out.pasid + out.pasid_en + out.func_id, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_reg_groups),
		cmocka_unit_test(test_qctxt_rd_fill),
		cmocka_unit_test(test_ictxt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
