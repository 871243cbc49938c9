/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PF's VF-message service against a hostile VF.
 *
 * Parent process: the emulated card and the PF (our PMD, DPDK), serving the
 * mailbox with rte_pmd_qdma_mbox_service().  Child process: two VFs driven
 * by hand through their BARs only (lib/vslot client + lib/qdma_hw layouts):
 * VF1 is a well-behaved "victim" holding queues, VF0 is the attacker.
 * The child exchanges every mailbox message with the PF and, after each
 * refused request, asks the parent to check that nothing of any other
 * function changed (FMAP read from the card, the PF's function table).
 * The child prints one TAP line per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "qdma_hw.h"
#include "qdma_sim.h"
#include "rte_pmd_qdma.h"
#include "vslot_client.h"
#include "pmdtest.h"

#define TOKEN_ROGUE 0x5eedull
#define TOKEN_VICTIM 0xfeedull
#define NFUNCS 16

/* ------------------------------------------------------------ the PF side */

struct snap {
	struct rte_pmd_qdma_fn_state st[NFUNCS];
	uint32_t qb[NFUNCS], qm[NFUNCS];
};

static void
take_snap(uint16_t port, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (uint16_t f = 0; f < NFUNCS; f++) {
		rte_pmd_qdma_fn_state(port, f, &s->st[f]);
		rte_pmd_qdma_fmap_get(port, f, &s->qb[f], &s->qm[f]);
	}
}

/* Serve the mailbox and the child's requests until it exits. */
static int
pf_loop(uint16_t port, pid_t child, FILE *req, FILE *rsp)
{
	struct snap before;
	char line[128];
	int status;

	take_snap(port, &before);
	for (;;) {
		rte_pmd_qdma_mbox_service(port, 16);
		if (waitpid(child, &status, WNOHANG) == child)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		if (fgets(line, sizeof(line), req) == NULL) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				clearerr(req);
				usleep(100);
				continue;
			}
			clearerr(req);
			usleep(100);
			continue;
		}
		if (strncmp(line, "snap", 4) == 0) {
			take_snap(port, &before);
			fprintf(rsp, "ok\n");
		} else if (strncmp(line, "same", 4) == 0) {
			unsigned int except = (unsigned int)atoi(line + 5);
			struct snap now;
			int same = 1;

			take_snap(port, &now);
			for (unsigned int f = 0; f < NFUNCS; f++) {
				if (f == except)
					continue;
				if (memcmp(&now.st[f], &before.st[f], sizeof(now.st[f])) != 0 ||
				    now.qb[f] != before.qb[f] || now.qm[f] != before.qm[f]) {
					fprintf(stderr, "function %u changed: fmap %u/%u -> %u/%u\n", f,
						before.qb[f], before.qm[f], now.qb[f], now.qm[f]);
					same = 0;
				}
			}
			fprintf(rsp, "%d\n", same);
		} else if (strncmp(line, "state ", 6) == 0) {
			struct rte_pmd_qdma_fn_state st;
			uint32_t qb = 0, qm = 0;
			uint16_t f = (uint16_t)atoi(line + 6);

			rte_pmd_qdma_fn_state(port, f, &st);
			rte_pmd_qdma_fmap_get(port, f, &qb, &qm);
			fprintf(rsp, "%d %d %u %u %u %u\n", st.online, st.qbase, st.qmax, qb, qm,
				st.active_h2c);
		} else if (strncmp(line, "dropped", 7) == 0) {
			struct rte_pmd_qdma_mbox_stats ms;

			rte_pmd_qdma_mbox_stats(port, &ms);
			fprintf(rsp, "%" PRIu64 "\n", ms.dropped);
		} else if (strncmp(line, "notify ", 7) == 0) {
			unsigned int f, op;

			if (sscanf(line + 7, "%u %u", &f, &op) == 2)
				fprintf(rsp, "%d\n", rte_pmd_qdma_vf_notify(port, (uint16_t)f,
					(enum rte_pmd_qdma_vf_notice)op));
		} else {
			fprintf(rsp, "?\n");
		}
		fflush(rsp);
	}
}

/* ------------------------------------------------------- the VF side (child) */

static FILE *to_pf, *from_pf;

static void
ask(const char *q, char *ans, size_t len)
{
	fprintf(to_pf, "%s\n", q);
	fflush(to_pf);
	if (fgets(ans, (int)len, from_pf) == NULL)
		ans[0] = '\0';
}

static bool
others_unchanged(unsigned int except)
{
	char q[32], a[32];

	snprintf(q, sizeof(q), "same %u", except);
	ask(q, a, sizeof(a));
	return a[0] == '1';
}

static void
snap(void)
{
	char a[16];

	ask("snap", a, sizeof(a));
}

struct vf {
	struct vslot_client *c;
	volatile uint8_t *bar;
	uint16_t func;
};

static uint32_t
rd(struct vf *v, uint32_t off)
{
	return *(volatile uint32_t *)(v->bar + off);
}

static void
wr(struct vf *v, uint32_t off, uint32_t val)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile uint32_t *)(v->bar + off) = val;
}

static bool
wait_cmd_done(struct vf *v)
{
	for (int i = 0; i < 200000; i++) {
		if (rd(v, QDMA_VF_MBOX_FN_CMD) == 0)
			return true;
		usleep(10);
	}
	return false;
}

static bool
send_msg(struct vf *v, const union qdma_mbox_msg *m)
{
	for (int i = 0; i < 10000 && (rd(v, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG);
			i++)
		usleep(100);
	for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		wr(v, QDMA_VF_MBOX_MSG_OUT(i), m->w[i]);
	wr(v, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	return wait_cmd_done(v);
}

/* Receive one message within @p ms; false on timeout. */
static bool
recv_msg(struct vf *v, union qdma_mbox_msg *m, int ms)
{
	for (int t = 0; t < ms * 10; t++) {
		if (rd(v, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) {
			for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
				m->w[i] = rd(v, QDMA_VF_MBOX_MSG_IN(i));
			wr(v, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
			wait_cmd_done(v);
			return true;
		}
		usleep(100);
	}
	return false;
}

/* Request/response; returns the status, or 99 when no answer came. */
static int
req(struct vf *v, union qdma_mbox_msg *m, int timeout_ms)
{
	uint8_t want = qdma_mbox_op_rsp(m->hdr.op);
	union qdma_mbox_msg r;

	if (!send_msg(v, m))
		return 98;
	while (recv_msg(v, &r, timeout_ms)) {
		if (r.hdr.op == want) {
			*m = r;
			return r.hdr.status;
		}
	}
	return 99;
}

static void
msg(union qdma_mbox_msg *m, uint8_t op, struct vf *v)
{
	qdma_mbox_msg_init(m, op, v->func, 0);
}

static union qdma_mbox_msg last_rsp;

/* A QCTXT_* request; the response is left in last_rsp. */
static int
qctxt(struct vf *v, uint8_t op, uint16_t qid, bool c2h, uint16_t ringsz, uint16_t bufsz,
		uint8_t cnt, uint8_t tmr)
{
	union qdma_mbox_msg m;
	int st;

	msg(&m, op, v);
	m.qctxt.qid_hw = qid;
	m.qctxt.flags = qdma_mbox_qctxt_flags(1, c2h, c2h ? QDMA_MBOX_CMPT_CTXT_WITH_ST :
		QDMA_MBOX_CMPT_CTXT_NONE);
	m.qctxt.descq.ring_bs_addr = 0x100000;
	m.qctxt.descq.cmpt_ring_bs_addr = 0x200000;
	m.qctxt.descq.flags = ((uint32_t)(c2h ? QDMA_DESC_SZ_8B : QDMA_DESC_SZ_16B)
		<< QDMA_DESCQ_DESC_SZ_SHIFT) | QDMA_DESCQ_F_WBK_EN | QDMA_DESCQ_F_CMPL_STAT_EN |
		(4u << QDMA_DESCQ_TRIG_MODE_SHIFT);
	m.qctxt.descq.ringsz = ringsz;
	m.qctxt.descq.cmpt_ringsz = (uint16_t)(2 * ringsz);
	m.qctxt.descq.bufsz = bufsz;
	m.qctxt.descq.cnt_thres = cnt;
	m.qctxt.descq.timer_thres = tmr;
	st = req(v, &m, 2000);
	last_rsp = m;
	return st;
}

static int
open_vf(struct vf *v, const char *sock, unsigned int idx, uint64_t token)
{
	char err[256];
	size_t len;

	v->c = vslot_client_open(sock, VSLOT_FN_VF(idx), token, err, sizeof(err));
	if (v->c == NULL) {
		fprintf(stderr, "open vf%u: %s\n", idx, err);
		return -1;
	}
	v->bar = vslot_client_bar(v->c, 0, &len);
	return v->bar ? 0 : -1;
}

/*
 * QCTXT_RD of an ST C2H queue (programmed by qctxt(): ring 1024, buffer 4096, counter 64,
 * timer 5, trigger 4, WBK_EN requested) in the reference's response layout (4.6), with the
 * values the reference's tables give: GLBL_RNG_SZ 1025 is index 8 and 2049 index 0, C2H_BUF_SZ
 * 4096 index 0, C2H_CNT_TH 64 index 7, C2H_TIMER_CNT 5 index 3 (1.4); the PF forces wbk_en 0
 * for a VF's ST C2H SW context, color 1 and valid 1 (4.7); desc_sz 0 = 8 B (2.1).
 */
static void
qctxt_rd_layout(struct vf *v, uint16_t qid, int32_t qbase)
{
	const struct qdma_mbox_qctxt_rd_rsp *r = &last_rsp.qctxt_rd;
	const uint8_t *b = last_rsp.b;
	uint16_t fnc;
	uint64_t base;
	int st;

	st = qctxt(v, QDMA_MBOX_OP_QCTXT_WRT, qid, true, 1024, 4096, 64, 5);
	tap(st == 0, "QCTXT_WRT of its ST C2H queue %u", qid);
	st = qctxt(v, QDMA_MBOX_OP_QCTXT_RD, qid, true, 0, 0, 0, 0);
	memcpy(&fnc, b + 24 + 4, 2);
	memcpy(&base, b + 24 + 32, 8);
	tap(st == 0 && b[0] == 0x89 && r->qid2vec == 0 && r->fmap_qbase == qbase &&
		r->fmap_qmax == 8 && fnc == v->func && b[24 + 6] == 1 && base == 0x100000,
		"QCTXT_RD: fmap at +20, SW block at +24 (fnc_id %u at +4, qen, ring base at +32)", fnc);
	tap(r->sw.rngsz_idx == 8 && r->sw.desc_sz == 0 && r->sw.wbk_en == 0 && r->sw.irq_en == 0 &&
		r->sw.is_mm == 0, "QCTXT_RD SW block: rngsz_idx %u (1025), desc_sz 0, wbk_en forced 0",
		r->sw.rngsz_idx);
	memcpy(&base, b + 104 + 16, 8);
	tap(r->pfch.valid == 1 && r->pfch.bufsz_idx == 0 && b[92 + 8] == 1 &&
		r->cmpt.counter_idx == 7 && r->cmpt.timer_idx == 3 && r->cmpt.trig_mode == 4 &&
		r->cmpt.color == 1 && r->cmpt.ringsz_idx == 0 && r->cmpt.fnc_id == v->func &&
		b[104] == 1 && base == 0x200000,
		"QCTXT_RD PFTCH (+92) and CMPT (+104) blocks: cnt idx %u, timer idx %u, base at +16",
		r->cmpt.counter_idx, r->cmpt.timer_idx);
	st = qctxt(v, QDMA_MBOX_OP_QCTXT_INV, qid, true, 0, 0, 0, 0);
	tap(st == 0, "QCTXT_INV of it");
}

/* One INTR_CTXT_* request for ring @p ring; the response is left in last_rsp. */
static int
intr_req(struct vf *v, uint8_t op, uint32_t ring, const struct qdma_mbox_ictxt *c)
{
	union qdma_mbox_msg m;
	int st;

	msg(&m, op, v);
	m.intr_ctxt.num_rings = 1;
	m.intr_ctxt.ring_index_list[0] = ring;
	if (c != NULL)
		m.intr_ctxt.ictxt = *c;
	st = req(v, &m, 2000);
	last_rsp = m;
	return st;
}

/*
 * INTR_CTXT_*: accepted for a ring in the sender's window, read back as written (2.6 fields),
 * refused for another function's ring and for a context that does not encode.
 */
static void
intr_ctxt_checks(struct vf *rogue, struct vf *victim, int32_t vqbase)
{
	struct qdma_mbox_ictxt c = { 0 };
	const struct qdma_mbox_ictxt *r = &last_rsp.intr_ctxt.ictxt;
	uint32_t ring = (uint32_t)vqbase + 2;
	int st;

	c.ring_base = 0x345000;
	c.vec = 3;
	c.valid = 1;
	c.color = 1;
	c.page_size = 2;
	c.pidx = 0x10;
	snap();
	st = intr_req(rogue, QDMA_MBOX_OP_INTR_CTXT_WRT, ring, &c);
	tap(st == QDMA_MBOX_ERR_INV_QID && others_unchanged(rogue->func),
		"INTR_CTXT_WRT of the victim's ring %u refused (%d)", ring, st);
	st = intr_req(rogue, QDMA_MBOX_OP_INTR_CTXT_RD, ring, NULL);
	tap(st == QDMA_MBOX_ERR_INV_QID, "INTR_CTXT_RD of the victim's ring refused (%d)", st);
	st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_WRT, ring, &c);
	tap(st == 0, "INTR_CTXT_WRT of its own ring %u accepted (%d)", ring, st);
	st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_RD, ring, NULL);
	tap(st == 0 && r->ring_base == 0x345000 && r->vec == 3 && r->valid == 1 &&
		r->color == 1 && r->page_size == 2 && r->pidx == 0x10 && r->int_st == 0,
		"INTR_CTXT_RD returns it (base 0x%" PRIx64 ", vec %u, page_size %u)",
		r->ring_base, r->vec, r->page_size);
	c.ring_base = 0x345800;   /* not 4 KiB aligned (2.6: base [63:12]) */
	st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_WRT, ring, &c);
	tap(st == QDMA_MBOX_ERR_INV_PARAM, "INTR_CTXT_WRT of an unaligned ring refused (%d)", st);
	st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_INV, ring, NULL);
	tap(st == 0, "INTR_CTXT_INV of its own ring accepted");
	st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_CLR, ring, NULL);
	if (st == 0)
		st = intr_req(victim, QDMA_MBOX_OP_INTR_CTXT_RD, ring, NULL);
	tap(st == 0 && r->ring_base == 0 && r->valid == 0, "INTR_CTXT_CLR clears it");
}

/*
 * REG_LIST_READ of each group (4.6: from 0x000, 0x400, 0xB00, 0x1014), addresses from the
 * register map (1.2-1.4), values from the reference's defaults where it gives them.
 */
static void
reg_list_checks(struct vf *v, bool mm_en)
{
	static const uint32_t g0[] = { 0x000, 0x008, 0x00C, 0x018, 0x040, 0x044, 0x100, 0x114,
		0x118, 0x11C, 0x120, 0x134, 0x250 };
	static const uint32_t g2[] = { 0xB08, 0xB0C, 0xB50, 0xBC4, 0xBC8, 0xBCC, 0xBD0, 0xBD4,
		0xBD8, 0xBDC, 0xBE0, 0xBE4, 0xE24, 0x1004 };
	static const uint32_t timer_default[] = { 1, 2, 4, 5, 8, 10, 15, 20, 25, 30, 50, 75, 100,
		125 };
	union qdma_mbox_msg m;
	unsigned int g2n = mm_en ? 14 : 13;
	bool ok;
	int st;

	msg(&m, QDMA_MBOX_OP_REG_LIST_READ, v);
	m.reg_list.group = 0;
	st = req(v, &m, 2000);
	ok = st == 0 && m.reg_list.num_regs == RTE_DIM(g0);
	for (unsigned int i = 0; ok && i < RTE_DIM(g0); i++)
		ok = m.reg_list.regs[i].addr == g0[i];
	tap(ok && (m.reg_list.regs[0].val >> 16) == 0x1FD3 &&
		(m.reg_list.regs[10].val & 0xFFF) == 2048 && m.reg_list.regs[12].val == 0x35,
		"REG_LIST_READ group 0: %u identity/capability registers (magic, 2048 queues, "
		"GLBL_DSC_CFG 0x35)", m.reg_list.num_regs);
	msg(&m, QDMA_MBOX_OP_REG_LIST_READ, v);
	m.reg_list.group = 1;
	st = req(v, &m, 2000);
	ok = st == 0 && m.reg_list.num_regs == 14;
	for (unsigned int i = 0; ok && i < 14; i++)
		ok = m.reg_list.regs[i].addr == 0xA00 + 4 * i &&
		     m.reg_list.regs[i].val == timer_default[i];
	tap(ok, "REG_LIST_READ group 1: C2H_TIMER_CNT[0..13] with the default table");
	msg(&m, QDMA_MBOX_OP_REG_LIST_READ, v);
	m.reg_list.group = 2;
	st = req(v, &m, 2000);
	ok = st == 0 && m.reg_list.num_regs == g2n;
	for (unsigned int i = 0; ok && i < g2n; i++)
		ok = m.reg_list.regs[i].addr == g2[i];
	tap(ok && m.reg_list.regs[1].val == 25 && m.reg_list.regs[12].val == 0x00C14000,
		"REG_LIST_READ group 2: %u C2H/H2C settings (INT_TIMER_TICK 25, H2C_REQ_THROT "
		"0x00C14000)", m.reg_list.num_regs);
	msg(&m, QDMA_MBOX_OP_REG_LIST_READ, v);
	m.reg_list.group = 3;
	st = req(v, &m, 2000);
	tap(st == 0 && m.reg_list.num_regs == (mm_en ? 1 : 0) &&
		(!mm_en || (m.reg_list.regs[0].addr == 0x1204 && m.reg_list.regs[0].val == 1)),
		"REG_LIST_READ group 3: H2C MM channel 0 control (%u register)",
		m.reg_list.num_regs);
	msg(&m, QDMA_MBOX_OP_REG_LIST_READ, v);
	m.reg_list.group = 4;
	st = req(v, &m, 2000);
	tap(st == QDMA_MBOX_ERR_INV_PARAM && m.reg_list.num_regs == 0,
		"REG_LIST_READ of group 4 refused (%d)", st);
}

static int
child(const char *sock)
{
	struct vf rogue = { 0 }, victim = { 0 }, bad = { 0 };
	union qdma_mbox_msg m;
	char a[128];
	int st, on, qb, qm, fqb, fqm, act;
	int32_t vqbase, rqbase;
	bool mm_en;

	/* a wrong token cannot open a VF */
	tap(open_vf(&bad, sock, 0, 0x1234) < 0, "VF open with a wrong token is refused");
	if (open_vf(&victim, sock, 1, TOKEN_VICTIM) < 0 || open_vf(&rogue, sock, 0, TOKEN_ROGUE) < 0) {
		printf("Bail out! cannot open the VFs\n");
		return 1;
	}

	/* victim: HELLO, QREQ 8, FMAP: a well-behaved VF with queues */
	msg(&m, QDMA_MBOX_OP_HELLO, &victim);
	m.fmap.qbase = -1;
	st = req(&victim, &m, 3000);
	victim.func = m.hdr.dst_func_id;
	mm_en = !!(m.hello.cap.flags & QDMA_DEV_CAP_MM_EN);
	tap(st == 0 && victim.func == QDMA_SIM_VF_FUNC_BASE + 1 && m.hello.cap.num_qs > 0,
		"HELLO answered: victim is function %u (num_qs %u)", victim.func,
		m.hello.cap.num_qs);
	msg(&m, QDMA_MBOX_OP_QREQ, &victim);
	m.fmap.qbase = -1;
	m.fmap.qmax = 8;
	st = req(&victim, &m, 2000);
	vqbase = m.fmap.qbase;
	tap(st == 0 && m.fmap.qmax == 8 && vqbase >= 0, "QREQ 8 granted at %d", vqbase);
	msg(&m, QDMA_MBOX_OP_FMAP, &victim);
	m.fmap.qbase = vqbase;
	m.fmap.qmax = 8;
	tap(req(&victim, &m, 2000) == 0, "FMAP of the granted window accepted");
	snprintf(a, sizeof(a), "state %u", victim.func);
	ask(a, a, sizeof(a));
	sscanf(a, "%d %d %d %d %d %d", &on, &qb, &qm, &fqb, &fqm, &act);
	tap(on == 1 && qb == vqbase && qm == 8 && fqb == vqbase && fqm == 8,
		"card FMAP of the victim is [%d, +%d)", fqb, fqm);

	/* rogue: HELLO, CSR */
	msg(&m, QDMA_MBOX_OP_HELLO, &rogue);
	m.fmap.qbase = -1;
	st = req(&rogue, &m, 3000);
	rogue.func = m.hdr.dst_func_id;
	tap(st == 0 && rogue.func == QDMA_SIM_VF_FUNC_BASE, "rogue HELLO: function %u", rogue.func);
	msg(&m, QDMA_MBOX_OP_CSR, &rogue);
	st = req(&rogue, &m, 2000);
	tap(st == 0 && m.csr.ringsz[0] == qdma_glbl_rng_sz_default[0] &&
		m.csr.bufsz[4] == qdma_c2h_buf_sz_default[4] &&
		m.csr.cnt_thres[7] == qdma_c2h_cnt_th_default[7],
		"CSR returns the PF's tables");
	msg(&m, QDMA_MBOX_OP_QREQ, &rogue);
	m.fmap.qmax = 4;
	m.fmap.qbase = -1;
	st = req(&rogue, &m, 2000);
	rqbase = m.fmap.qbase;
	tap(st == 0 && m.fmap.qmax == 4 && (rqbase + 4 <= vqbase || rqbase >= vqbase + 8),
		"rogue QREQ 4 granted at %d, disjoint from the victim", rqbase);
	msg(&m, QDMA_MBOX_OP_FMAP, &rogue);
	m.fmap.qbase = rqbase;
	m.fmap.qmax = 4;
	tap(req(&rogue, &m, 2000) == 0, "rogue FMAP of its own window accepted");

	/* ---- attacks: each refused, nothing else changes ---- */
	snap();
	msg(&m, QDMA_MBOX_OP_FMAP, &rogue);
	m.fmap.qbase = vqbase;
	m.fmap.qmax = 8;
	st = req(&rogue, &m, 2000);
	tap(st < 0 && others_unchanged(rogue.func), "FMAP onto the victim's queues refused (%d)",
		st);
	msg(&m, QDMA_MBOX_OP_FMAP, &rogue);
	m.fmap.qbase = 0;
	m.fmap.qmax = 2048;
	st = req(&rogue, &m, 2000);
	tap(st < 0 && others_unchanged(rogue.func), "FMAP of the whole queue space refused");

	msg(&m, QDMA_MBOX_OP_QNOTIFY_ADD, &rogue);
	m.qnotify.qid_hw = (uint16_t)vqbase;
	m.qnotify.q_type = QDMA_MBOX_QTYPE_H2C;
	st = req(&rogue, &m, 2000);
	tap(st == QDMA_MBOX_ERR_INV_QID && others_unchanged(rogue.func),
		"QNOTIFY_ADD of a victim queue refused (%d)", st);

	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)vqbase, false, 1024, 0, 0, 0);
	tap(st < 0 && others_unchanged(rogue.func), "QCTXT_WRT of a victim queue refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_RD, (uint16_t)vqbase, false, 0, 0, 0, 0);
	tap(st < 0, "QCTXT_RD of a victim queue refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_INV, (uint16_t)vqbase, true, 0, 0, 0, 0);
	tap(st < 0 && others_unchanged(rogue.func), "QCTXT_INV of a victim queue refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_CLR, (uint16_t)(vqbase + 7), true, 0, 0, 0, 0);
	tap(st < 0 && others_unchanged(rogue.func), "QCTXT_CLR of a victim queue refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, 4095, false, 1024, 0, 0, 0);
	tap(st < 0 && others_unchanged(rogue.func), "QCTXT_WRT beyond the queue space refused");

	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)rqbase, false, 1000, 0, 0, 0);
	tap(st == QDMA_MBOX_ERR_INV_RINGSZ, "absurd ring size refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)rqbase, true, 1024, 1000, 64, 5);
	tap(st == QDMA_MBOX_ERR_INV_BUFSZ, "absurd buffer size refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)rqbase, true, 1024, 4096, 3, 5);
	tap(st == QDMA_MBOX_ERR_INV_CNTR_TH, "absurd counter threshold refused (%d)", st);
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)rqbase, true, 1024, 4096, 64, 7);
	tap(st == QDMA_MBOX_ERR_INV_TMR_TH, "absurd timer value refused (%d)", st);

	msg(&m, QDMA_MBOX_OP_QREQ, &rogue);
	m.fmap.qmax = 5000;
	m.fmap.qbase = -1;
	st = req(&rogue, &m, 2000);
	tap(st < 0 && m.fmap.qbase == rqbase && m.fmap.qmax == 4 && others_unchanged(rogue.func),
		"QREQ of 5000 queues refused, grant unchanged");


	/* a context the rogue leaves behind in its window */
	st = qctxt(&rogue, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)rqbase, true, 1024, 4096, 64, 5);
	tap(st == 0, "rogue programs a C2H context on its own queue %d", rqbase);

	/* a forged header (claims to be the victim) acts as the rogue */
	msg(&m, QDMA_MBOX_OP_QREQ, &rogue);
	m.hdr.src_func_id = victim.func;
	m.fmap.qmax = 0;
	st = req(&rogue, &m, 2000);
	snprintf(a, sizeof(a), "state %u", victim.func);
	ask(a, a, sizeof(a));
	sscanf(a, "%d %d %d %d %d %d", &on, &qb, &qm, &fqb, &fqm, &act);
	tap(st == 0 && m.hdr.dst_func_id == rogue.func && qb == vqbase && qm == 8 && fqm == 8,
		"a forged source id is ignored: the rogue's own window was released");

	/* the released window comes back clean: the victim grows over it and
	 * finds no trace of the rogue's context (fnc_id, ring, buffers) */
	msg(&m, QDMA_MBOX_OP_QREQ, &victim);
	m.fmap.qbase = -1;
	m.fmap.qmax = 16;
	st = req(&victim, &m, 2000);
	tap(st == 0 && m.fmap.qbase <= rqbase && m.fmap.qbase + 16 > rqbase,
		"victim regrows over the released queues [%d, +16)", m.fmap.qbase);
	st = qctxt(&victim, QDMA_MBOX_OP_QCTXT_RD, (uint16_t)rqbase, true, 0, 0, 0, 0);
	{
		const struct qdma_mbox_rd_sw *sw = &last_rsp.qctxt_rd.sw;

		tap(st == 0 && sw->qen == 0 && sw->fnc_id == 0 && sw->ring_bs_addr == 0 &&
			last_rsp.qctxt_rd.cmpt.bs_addr == 0,
			"no stale context on a reassigned queue (qen %u, fnc_id %u)", sw->qen,
			sw->fnc_id);
	}
	msg(&m, QDMA_MBOX_OP_QREQ, &victim);
	m.fmap.qbase = -1;
	m.fmap.qmax = 8;
	st = req(&victim, &m, 2000);
	vqbase = m.fmap.qbase;
	msg(&m, QDMA_MBOX_OP_FMAP, &victim);
	m.fmap.qbase = vqbase;
	m.fmap.qmax = 8;
	tap(st == 0 && req(&victim, &m, 2000) == 0, "victim back to 8 queues at %d", vqbase);

	/* unknown op: no answer, counted as dropped */
	ask("dropped", a, sizeof(a));
	{
		unsigned long before = strtoul(a, NULL, 10);

		msg(&m, 0x55, &rogue);
		st = req(&rogue, &m, 300);
		ask("dropped", a, sizeof(a));
		tap(st == 99 && strtoul(a, NULL, 10) == before + 1,
			"unknown op 0x55 gets no answer and is counted");
	}

	/* legitimate queue accounting on the victim */
	msg(&m, QDMA_MBOX_OP_QNOTIFY_ADD, &victim);
	m.qnotify.qid_hw = (uint16_t)vqbase;
	m.qnotify.q_type = QDMA_MBOX_QTYPE_H2C;
	tap(req(&victim, &m, 2000) == 0, "QNOTIFY_ADD of its own queue accepted");
	msg(&m, QDMA_MBOX_OP_GET_QACTIVE_CNT, &victim);
	st = req(&victim, &m, 2000);
	tap(st == 0 && m.qactive.h2c == 1 && m.qactive.c2h == 0, "GET_QACTIVE_CNT: 1 H2C active");
	msg(&m, QDMA_MBOX_OP_QREQ, &victim);
	m.fmap.qmax = 16;
	m.fmap.qbase = -1;
	st = req(&victim, &m, 2000);
	tap(st < 0 && m.fmap.qmax == 8, "QREQ while a queue is active refused");
	st = qctxt(&victim, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)vqbase, false, 1024, 0, 0, 0);
	tap(st == 0, "QCTXT_WRT of its own H2C queue accepted");
	st = qctxt(&victim, QDMA_MBOX_OP_QCTXT_WRT, (uint16_t)(vqbase + 1), true, 1024, 4096, 64, 5);
	tap(st == 0, "QCTXT_WRT of its own C2H queue (with CMPT) accepted");
	st = qctxt(&victim, QDMA_MBOX_OP_QCTXT_RD, (uint16_t)vqbase, false, 0, 0, 0, 0);
	{
		const struct qdma_mbox_rd_sw *sw = &last_rsp.qctxt_rd.sw;

		tap(st == 0 && sw->qen == 1 && sw->fnc_id == victim.func &&
			sw->ring_bs_addr == 0x100000 && last_rsp.qctxt_rd.fmap_qmax == 8,
			"QCTXT_RD returns its context (qen %u, fnc_id %u)", sw->qen, sw->fnc_id);
	}
	qctxt_rd_layout(&victim, (uint16_t)(vqbase + 1), vqbase);
	intr_ctxt_checks(&rogue, &victim, vqbase);
	st = qctxt(&victim, QDMA_MBOX_OP_QCTXT_INV, (uint16_t)vqbase, false, 0, 0, 0, 0);
	tap(st == 0, "QCTXT_INV of its own queue accepted");
	msg(&m, QDMA_MBOX_OP_QNOTIFY_DEL, &victim);
	m.qnotify.qid_hw = (uint16_t)vqbase;
	m.qnotify.q_type = QDMA_MBOX_QTYPE_H2C;
	tap(req(&victim, &m, 2000) == 0, "QNOTIFY_DEL accepted");
	reg_list_checks(&victim, mm_en);

	/* PF -> VF notice, answered by the VF */
	snprintf(a, sizeof(a), "notify %u %u", victim.func, RTE_PMD_QDMA_RESET_PREPARE);
	fprintf(to_pf, "%s\n", a);
	fflush(to_pf);
	st = recv_msg(&victim, &m, 3000) ? m.hdr.op : -1;
	{
		union qdma_mbox_msg r = m;

		qdma_mbox_msg_make_rsp(&r, victim.func, 0);
		send_msg(&victim, &r);
	}
	if (fgets(a, sizeof(a), from_pf) == NULL)
		a[0] = '\0';
	tap(st == QDMA_MBOX_OP_RESET_PREPARE && atoi(a) == 1, "RESET_PREPARE reaches the VF");

	/* BYE: the rogue's state is gone, the victim untouched */
	snap();
	msg(&m, QDMA_MBOX_OP_VF_BYE, &rogue);
	send_msg(&rogue, &m);
	usleep(200 * 1000);
	snprintf(a, sizeof(a), "state %u", rogue.func);
	ask(a, a, sizeof(a));
	sscanf(a, "%d %d %d %d %d %d", &on, &qb, &qm, &fqb, &fqm, &act);
	tap(on == 0 && qm == 0 && fqm == 0 && others_unchanged(rogue.func),
		"VF_BYE frees the rogue's window and FMAP only");

	vslot_client_close(rogue.c);
	vslot_client_close(victim.c);
	return tap_done();
}

int
main(void)
{
	char dir[] = "/tmp/svff-vfmbox-XXXXXX", sock[256], vdev[400], prefix[64];
	char *argv[] = { "test_vf_mbox", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m",
		"256", "--vdev", vdev, NULL };
	int to_parent[2], to_child[2], rc;
	struct qdma_sim_cfg cfg;
	struct qdma_sim *card;
	uint16_t port;
	char err[256];
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.engine_cpu = 1;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		printf("Bail out! card: %s\n", err);
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-vfmbox-%d", getpid());
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf,num_vfs=4", sock);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma0", &port) != 0) {
		printf("Bail out! EAL or PF probe failed\n");
		return 1;
	}
	rte_pmd_qdma_mbox_set_poll(port, true);
	if (rte_pmd_qdma_vf_grant(port, 0, TOKEN_ROGUE) < 0 ||
	    rte_pmd_qdma_vf_grant(port, 1, TOKEN_VICTIM) < 0) {
		printf("Bail out! grants failed\n");
		return 1;
	}
	if (pipe(to_parent) < 0 || pipe(to_child) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		to_pf = fdopen(to_parent[1], "w");
		from_pf = fdopen(to_child[0], "r");
		_exit(child(sock));
	}
	close(to_parent[1]);
	close(to_child[0]);
	{
		FILE *req = fdopen(to_parent[0], "r"), *rsp = fdopen(to_child[1], "w");
		int fl = fcntl(to_parent[0], F_GETFL);

		fcntl(to_parent[0], F_SETFL, fl | O_NONBLOCK);
		rc = pf_loop(port, pid, req, rsp);
		fclose(req);
		fclose(rsp);
	}
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	unlink(sock);
	rmdir(dir);
	return rc;
}
