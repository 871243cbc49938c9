/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the VF-message validator of lib/qdma_hw alone
 * (qdma_mbox_validate_vf_msg), no PF, no card, no DPDK.
 *
 * Input: byte 0 chooses the limits (queue space 8..2048 in steps of 8, and
 * the per-function queue cap), the rest is the message, of any length: the
 * input buffer is exactly that long, so ASan reports any read past it.
 *
 * Invariants checked after each input (a violation aborts):
 *   - the verdict is OK, the drop verdict, or a status of the enum;
 *   - a message shorter than 128 bytes is refused; bytes past 128 change
 *     nothing (the verdict on the first 128 bytes alone is the same);
 *   - the same message gets the same verdict twice;
 *   - an accepted message satisfies every documented range, checked here
 *     independently of the validator's code: windows, qids and interrupt
 *     rings inside the queue space, sizes in the CSR tables, descriptor
 *     sizes of the queue type, aligned non-zero ring bases, no reserved
 *     bits; and what the PF composes from it encodes (SW, PFTCH, CMPT,
 *     interrupt contexts);
 *   - unknown ops and PF->VF requests are never accepted.
 *
 *   tests/fuzz/run-fuzz.sh [seconds]      builds with clang and runs it
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdma_hw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
violation(const char *what, uint8_t op)
{
	fprintf(stderr, "VALIDATOR VIOLATION: %s (op 0x%02x)\n", what, op);
	abort();
}

static int
in_tab(const uint32_t *t, uint32_t v)
{
	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++)
		if (t[i] == v)
			return (int)i;
	return -1;
}

/* An accepted QCTXT_WRT: the ranges of 4.6/4.7, and the contexts the PF composes encode. */
static void
check_wrt(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	const struct qdma_mbox_descq_conf *d = &m->qctxt.descq;
	uint8_t fl = m->qctxt.flags, op = m->hdr.op;
	int st = fl & 1, c2h = (fl >> 1) & 1;
	unsigned int ct = (fl >> 2) & 3, dsz = (d->flags >> 16) & 3, trig = (d->flags >> 20) & 7;
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS];

	if ((d->flags >> 23) != 0 || (d->intr >> 12) != 0)
		violation("reserved descq bits accepted", op);
	if (ct != QDMA_MBOX_CMPT_CTXT_ONLY) {
		struct qdma_sw_ctx sw = { 0 };
		int rng = in_tab(lim->ring_sz, (uint32_t)d->ringsz + 1);

		if (rng < 0 || dsz != (st ? (c2h ? 0u : 1u) : 2u))
			violation("ring size / descriptor size accepted", op);
		if (d->ring_bs_addr == 0 || (d->ring_bs_addr & 63))
			violation("ring base accepted", op);
		if (st && c2h) {
			struct qdma_pfch_ctx p = { .valid = 1 };
			int b = in_tab(lim->buf_sz, d->bufsz);

			if (b < 0)
				violation("buffer size accepted", op);
			p.bufsz_idx = (uint8_t)b;
			if (qdma_pfch_ctx_encode(&p, w) != 0)
				violation("accepted PFTCH context does not encode", op);
		}
		sw.rngsz_idx = (uint8_t)rng;
		sw.desc_sz = (uint8_t)dsz;
		sw.ring_base = d->ring_bs_addr;
		sw.vec = d->intr & 0x7FF;
		sw.intr_aggr = (d->intr >> 11) & 1;
		sw.fnc_id = QDMA_CTX_FNC_ID_MAX;
		if (qdma_sw_ctx_encode(&sw, w) != 0)
			violation("accepted SW context does not encode", op);
	}
	if (c2h && ct != QDMA_MBOX_CMPT_CTXT_NONE) {
		struct qdma_cmpt_ctx c = { .valid = 1, .color = 1 };
		int crng = in_tab(lim->ring_sz, (uint32_t)d->cmpt_ringsz + 1);
		int cnt = in_tab(lim->cnt_th, d->cnt_thres), tmr = in_tab(lim->timer_cnt,
			d->timer_thres);

		if (crng < 0 || cnt < 0 || tmr < 0 || trig > 5)
			violation("CMPT values accepted", op);
		if (d->cmpt_ring_bs_addr == 0 || (d->cmpt_ring_bs_addr & 0xFFF))
			violation("CMPT base accepted", op);
		c.ringsz_idx = (uint8_t)crng;
		c.counter_idx = (uint8_t)cnt;
		c.timer_idx = (uint8_t)tmr;
		c.trig_mode = (uint8_t)trig;
		c.base_addr = d->cmpt_ring_bs_addr;
		c.desc_sz = (d->flags >> 18) & 3;
		c.vec = d->intr & 0x7FF;
		c.fnc_id = QDMA_CTX_FNC_ID_MAX;
		if (qdma_cmpt_ctx_encode(&c, w) != 0)
			violation("accepted CMPT context does not encode", op);
	}
}

static void
check_qctxt(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	uint8_t fl = m->qctxt.flags;
	int st = fl & 1, c2h = (fl >> 1) & 1;
	unsigned int ct = (fl >> 2) & 3;

	if (fl > 0x0F || m->qctxt.qid_hw >= lim->num_qs)
		violation("QCTXT flags / qid accepted", m->hdr.op);
	if ((!c2h && ct != QDMA_MBOX_CMPT_CTXT_NONE) ||
	    (ct == QDMA_MBOX_CMPT_CTXT_WITH_ST && !st) || (ct == QDMA_MBOX_CMPT_CTXT_WITH_MM && st))
		violation("QCTXT context-type combination accepted", m->hdr.op);
	if (m->hdr.op == QDMA_MBOX_OP_QCTXT_WRT)
		check_wrt(m, lim);
}

static void
check_intr(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	const struct qdma_mbox_ictxt *c = &m->intr_ctxt.ictxt;
	struct qdma_intr_ctx ic;
	uint32_t w[QDMA_INTR_CTX_WORDS];

	if (m->intr_ctxt.num_rings != 1 || m->intr_ctxt.ring_index_list[0] >= lim->num_qs)
		violation("interrupt ring accepted", m->hdr.op);
	if (m->hdr.op != QDMA_MBOX_OP_INTR_CTXT_WRT)
		return;
	qdma_mbox_ictxt_to_ctx(c, &ic);
	if (c->ring_base == 0 || qdma_intr_ctx_encode(&ic, w) != 0)
		violation("accepted interrupt context does not encode", m->hdr.op);
}

/* An accepted message, checked against the documented ranges. */
static void
check_accepted(const union qdma_mbox_msg *m, const struct qdma_mbox_limits *lim)
{
	uint8_t op = m->hdr.op;

	switch (op) {
	case QDMA_MBOX_OP_FMAP:
		if (m->fmap.qmax != 0 && (m->fmap.qbase < 0 ||
		    (uint64_t)m->fmap.qbase + m->fmap.qmax > lim->num_qs))
			violation("FMAP window outside the queue space accepted", op);
		break;
	case QDMA_MBOX_OP_QREQ:
		if (m->fmap.qmax > lim->max_qs_per_fn)
			violation("QREQ beyond the cap accepted", op);
		break;
	case QDMA_MBOX_OP_QNOTIFY_ADD:
	case QDMA_MBOX_OP_QNOTIFY_DEL:
		if (m->qnotify.qid_hw >= lim->num_qs || m->qnotify.q_type > 2)
			violation("QNOTIFY qid / type accepted", op);
		break;
	case QDMA_MBOX_OP_QCTXT_WRT:
	case QDMA_MBOX_OP_QCTXT_RD:
	case QDMA_MBOX_OP_QCTXT_CLR:
	case QDMA_MBOX_OP_QCTXT_INV:
		check_qctxt(m, lim);
		break;
	case QDMA_MBOX_OP_INTR_CTXT_WRT:
	case QDMA_MBOX_OP_INTR_CTXT_RD:
	case QDMA_MBOX_OP_INTR_CTXT_CLR:
	case QDMA_MBOX_OP_INTR_CTXT_INV:
		check_intr(m, lim);
		break;
	case QDMA_MBOX_OP_REG_LIST_READ:
		if (m->reg_list.group > 3)
			violation("REG_LIST_READ group accepted", op);
		break;
	case QDMA_MBOX_OP_VF_BYE:
	case QDMA_MBOX_OP_HELLO:
	case QDMA_MBOX_OP_CSR:
	case QDMA_MBOX_OP_GET_QACTIVE_CNT:
	case QDMA_MBOX_OP_PF_RESET_VF_BYE:
	case 0x90: case 0x91: case 0x93: case 0x95: case 0x96:
		break;
	default:
		violation("an op a VF does not send its PF accepted", op);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qdma_mbox_limits lim = {
		.ring_sz = qdma_glbl_rng_sz_default, .buf_sz = qdma_c2h_buf_sz_default,
		.timer_cnt = qdma_c2h_timer_cnt_default, .cnt_th = qdma_c2h_cnt_th_default,
	};
	const uint8_t *msg;
	union qdma_mbox_msg m;
	size_t len;
	int v;

	if (size < 1)
		return 0;
	lim.num_qs = 8u * ((data[0] & 0xFFu) + 1u);
	lim.max_qs_per_fn = data[0] & 1 ? 256u : lim.num_qs;
	msg = data + 1;
	len = size - 1;
	v = qdma_mbox_validate_vf_msg(msg, len, &lim);
	if (v != QDMA_MBOX_OK && v != QDMA_MBOX_VERDICT_IGNORE &&
	    (v < QDMA_MBOX_ERR_ALL_ZERO_MSG || v > QDMA_MBOX_ERR_INV_PARAM))
		violation("verdict outside the enum", len ? msg[0] : 0);
	if (len < QDMA_MBOX_MSG_BYTES) {
		if (v != QDMA_MBOX_ERR_INV_MSG)
			violation("short message not refused", len ? msg[0] : 0);
		return 0;
	}
	if (qdma_mbox_validate_vf_msg(msg, QDMA_MBOX_MSG_BYTES, &lim) != v)
		violation("bytes past the message changed the verdict", msg[0]);
	memcpy(m.b, msg, sizeof(m.b));
	if (qdma_mbox_validate_vf_msg(m.b, sizeof(m.b), &lim) != v)
		violation("verdict not deterministic", m.hdr.op);
	if (v == QDMA_MBOX_OK)
		check_accepted(&m, &lim);
	return 0;
}
