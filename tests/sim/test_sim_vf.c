/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Card tests with VFs: numvfs rules, the mailbox round trip, the per-function IOMMU, bad inputs,
 * W1C, fault injection, FLR and client death. Driver in a forked child (PF and VFs opened by it).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "simdrv.h"

#define PF_IOVA 0x100000000ull
#define VF0_IOVA 0x200000000ull
#define VF1_IOVA 0x300000000ull
#define DMA_SZ (16u << 20)
#define VF0_FN (QDMA_SIM_VF_FUNC_BASE + 0)
#define VF1_FN (QDMA_SIM_VF_FUNC_BASE + 1)

static int
setup(void **state)
{
	return harness_fx_setup(state, 8, 180);
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

/* PF init, 2 VFs, FMAP: PF 0..3, VF0 8..9, VF1 10..11. */
static int
bringup(const char *sock, struct simdrv *pf, struct simdrv *vf0, struct simdrv *vf1)
{
	CK(simdrv_open(pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(pf) == 0);
	CK(vslot_client_set_numvfs(pf->c, 2) == 0);
	CK(simdrv_fmap(pf, 0, 0, 4) == 0);
	CK(simdrv_fmap(pf, VF0_FN, 8, 2) == 0);
	CK(simdrv_fmap(pf, VF1_FN, 10, 2) == 0);
	if (vf0 != NULL)
		CK(simdrv_open(vf0, sock, VSLOT_FN_VF(0), DMA_SZ, VF0_IOVA) == 0);
	if (vf1 != NULL)
		CK(simdrv_open(vf1, sock, VSLOT_FN_VF(1), DMA_SZ, VF1_IOVA) == 0);
	return 0;
}

static int
one_packet(struct simq *q, uint32_t len)
{
	static uint8_t tx[9000], rx[9000];
	uint64_t e;

	memset(tx, (int)(len & 0xFF), len);
	CK(simq_tx(q, tx, len, 0) == 0);
	CK(simq_rx(q, rx, sizeof(rx), &e, 5000) == (int)len);
	CK(memcmp(tx, rx, len) == 0);
	return 0;
}

/* ---- numvfs ------------------------------------------------------------------------------- */
static int
c_numvfs(const char *sock, void *arg)
{
	struct simdrv pf, vf;
	unsigned n = 99;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(vslot_client_get_totalvfs(pf.c, &n) == 0 && n == 8);
	CK(vslot_client_set_numvfs(pf.c, 9) == -EINVAL);
	CK(vslot_client_set_numvfs(pf.c, 3) == 0);
	CK(vslot_client_get_numvfs(pf.c, &n) == 0 && n == 3);
	CK(vslot_client_set_numvfs(pf.c, 2) == -EBUSY);
	CK(simdrv_open(&vf, sock, VSLOT_FN_VF(2), 0, 0) == 0);
	CK(simdrv_rd(&vf, QDMA_VF_VERSION) == QDMA_VF_VERSION_QDMA31_DEFAULT);
	CK(simdrv_rd(&vf, QDMA_VF_USER_BAR) == 0);
	/* a VF asks for the conventions too, at its mailbox base (0x1000) + 0xF0..0xF8 */
	CK(simdrv_rd(&vf, 0x10F0) == QDMA_EMU_SIG0 && simdrv_rd(&vf, 0x10F4) == QDMA_EMU_SIG1);
	CK(simdrv_rd(&vf, 0x10F8) == QDMA_EMU_CONV_ALL);
	CK(vslot_client_set_numvfs(pf.c, 0) == 0);
	simdrv_close(&vf);
	CK(simdrv_open(&vf, sock, VSLOT_FN_VF(0), 0, 0) != 0);
	CK(vslot_client_set_numvfs(pf.c, 8) == 0);
	CK(simdrv_open(&vf, sock, VSLOT_FN_VF(7), 0, 0) == 0);
	simdrv_close(&vf);
	CK(vslot_client_set_numvfs(pf.c, 0) == 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_numvfs(void **state)
{
	run(state, c_numvfs);
}

/* ---- mailbox ------------------------------------------------------------------------------ */
static int
irq_wait(struct simdrv *d, int ms)
{
	struct pollfd p = { .fd = vslot_client_irq_fd(d->c, 0), .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) != 1)
		return -1;
	return read(p.fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static void
mbox_write(struct simdrv *d, uint32_t out0, const struct qdma_mbox_hdr *h)
{
	uint32_t w[QDMA_MBOX_MSG_WORDS] = { 0 };
	unsigned i;

	memcpy(w, h, sizeof(*h));
	w[2] = 0xFFFFFFFFu; /* HELLO qbase = -1 */
	for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		simdrv_wr(d, out0 + 4 * i, w[i]);
}

static int
c_mbox(const char *sock, void *arg)
{
	struct simdrv pf, vf0, vf1;
	struct qdma_mbox_hdr h = { 0 };
	uint32_t st, w0;
	struct qdma_sim_stats s0, s1;

	(void)arg;
	CK(bringup(sock, &pf, &vf0, &vf1) == 0);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_INTR_VEC, 0);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_INTR_CTRL, QDMA_MBOX_FN_INTR_CTRL_EN);
	simdrv_wr(&vf1, QDMA_VF_MBOX_FN_INTR_VEC, 0);
	simdrv_wr(&vf1, QDMA_VF_MBOX_FN_INTR_CTRL, QDMA_MBOX_FN_INTR_CTRL_EN);
	CK(parent_stats(&s0) == 0);
	/* VF1 sends HELLO (src 0: it does not know its function id) */
	h.op = QDMA_MBOX_OP_HELLO;
	mbox_write(&vf1, QDMA_VF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&vf1, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK(simdrv_rd(&vf1, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG);
	CK(irq_wait(&pf, 5000) == 0);
	st = simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS);
	CK(st & QDMA_MBOX_FN_STATUS_I_MSG);
	CK(qdma_mbox_fn_status_src(st) == VF1_FN);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF1_FN);
	w0 = simdrv_rd(&pf, QDMA_PF_MBOX_MSG_IN(0));
	CK((w0 & 0xFF) == QDMA_MBOX_OP_HELLO);
	CK(simdrv_rd(&pf, QDMA_PF_MBOX_MSG_IN(2)) == 0xFFFFFFFFu);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_O_MSG, 0, 5000) == 0);
	/* PF answers */
	h.op = qdma_mbox_op_rsp(QDMA_MBOX_OP_HELLO);
	h.src_func_id = 0;
	h.dst_func_id = VF1_FN;
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF1_FN);
	mbox_write(&pf, QDMA_PF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK(simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG);
	CK(irq_wait(&vf1, 5000) == 0);
	CK(simdrv_rd(&vf1, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG);
	w0 = simdrv_rd(&vf1, QDMA_VF_MBOX_MSG_IN(1));
	CK((simdrv_rd(&vf1, QDMA_VF_MBOX_MSG_IN(0)) & 0xFF) == 0x81);
	CK((w0 & 0xFFFF) == VF1_FN);
	simdrv_wr(&vf1, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&vf1, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_O_MSG, 0, 5000) == 0);
	/* PF_ACK of VF1 set, FN_STATUS ack */
	CK(simdrv_rd(&pf, QDMA_PF_MBOX_PF_ACK(0)) & QDMA_MBOX_PF_ACK_BIT(VF1_FN));
	CK(simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_ACK);
	/* two VFs send at once: FIFO, one at a time, true sources */
	h.op = QDMA_MBOX_OP_CSR;
	mbox_write(&vf0, QDMA_VF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&vf0, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&vf0, QDMA_VF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	mbox_write(&vf1, QDMA_VF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&vf1, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK(qdma_mbox_fn_status_src(simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS)) == VF0_FN);
	/* the rcv consumes the message of the function selected in TARGET_FN, exactly:
	 * selecting VF1 (second in line) leaves VF0's message in place */
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF1_FN);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	st = simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS);
	CK((st & QDMA_MBOX_FN_STATUS_I_MSG) && qdma_mbox_fn_status_src(st) == VF0_FN);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_O_MSG, 0, 5000) == 0);
	CK(simdrv_rd(&vf0, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG);
	/* a rcv for a function with nothing queued consumes nothing */
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	st = simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS);
	CK((st & QDMA_MBOX_FN_STATUS_I_MSG) && qdma_mbox_fn_status_src(st) == VF0_FN);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF0_FN);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK(simdrv_wait(&vf0, QDMA_VF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_O_MSG, 0, 5000) == 0);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF1_FN);
	/* the PF sends to VF1 again: the card clears its PF_ACK bit */
	mbox_write(&pf, QDMA_PF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_PF_ACK(0)) & QDMA_MBOX_PF_ACK_BIT(VF1_FN)) == 0);
	/* the PF's VF reset command withdraws its message from VF1's inbox */
	CK(simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG);
	CK(simdrv_wait(&vf1, QDMA_VF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_I_MSG,
		   QDMA_MBOX_FN_STATUS_I_MSG, 5000) == 0);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_VF_RESET);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&vf1, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	/* again, then VF1 FLR drops its inbox, frees the PF's outbox and tells the PF:
	 * a VF_BYE from VF1 with the reset status lands in the PF's inbox */
	mbox_write(&pf, QDMA_PF_MBOX_MSG_OUT(0), &h);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	simdrv_wr(&vf1, QDMA_VF_FLR, QDMA_FLR_START);
	CK(simdrv_wait(&vf1, QDMA_VF_FLR, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&vf1, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG) == 0);
	st = simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS);
	CK((st & QDMA_MBOX_FN_STATUS_I_MSG) && qdma_mbox_fn_status_src(st) == VF1_FN);
	w0 = simdrv_rd(&pf, QDMA_PF_MBOX_MSG_IN(0));
	CK((w0 & 0xFF) == QDMA_MBOX_OP_VF_BYE);
	CK((int8_t)((w0 >> 8) & 0xFF) == QDMA_MBOX_BYE_ST_FN_RESET);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, VF1_FN);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	/* PF send to a function that does not exist: dropped, outbox free */
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET, 200);
	simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG) == 0);
	CK(parent_stats(&s1) == 0);
	CK(s1.mbox_msgs - s0.mbox_msgs == 7);
	CK(s1.flrs > s0.flrs);
	simdrv_close(&vf1);
	simdrv_close(&vf0);
	simdrv_close(&pf);
	return 0;
}

static void
t_mbox(void **state)
{
	run(state, c_mbox);
}

/* ---- IOMMU: a function reaches only its own maps -------------------------------------------- */
static int
c_iommu(const char *sock, void *arg)
{
	struct simdrv pf, vf0, vf1;
	struct simq pq, q0, q1;
	uint8_t *pfmem, *vf0mem;
	uint64_t pfiova;
	static uint8_t pfcopy[4096], vf0copy[4096];
	uint32_t r[8];
	struct qdma_sw_ctx sw;
	struct qdma_h2c_st_desc *d;

	(void)arg;
	CK(bringup(sock, &pf, &vf0, &vf1) == 0);
	CK(simdrv_wait(&pf, QDMA_GLBL_ERR_STAT, ~0u, 0, 10) == 0);
	/* PF traffic on queue 0 */
	CK(simq_init(&pq, &pf, &pf, 0, 0, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&pq) == 0);
	CK(simq_start_h2c(&pq) == 0);
	CK(one_packet(&pq, 1500) == 0);
	pfmem = simdrv_alloc(&pf, 4096, 4096, &pfiova);
	memset(pfmem, 0x5A, 4096);
	memcpy(pfcopy, pfmem, 4096);

	/* VF0 queue (abs 8, rel 0): an H2C descriptor pointing at the PF's IOVA */
	CK(simq_init(&q0, &pf, &vf0, VF0_FN, 8, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q0) == 0);
	CK(simq_start_h2c(&q0) == 0);
	CK(one_packet(&q0, 256) == 0);
	d = (void *)(q0.h2c + (size_t)q0.h2c_pidx * 16);
	qdma_h2c_st_desc_fill(d, pfiova, 1000, 0);
	q0.h2c_pidx = qdma_ring_next(q0.h2c_pidx, q0.r);
	simq_db_h2c(&q0, q0.h2c_pidx);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DMA, QDMA_DSC_ERR_DMA, 5000) == 0);
	CK((simdrv_rd(&pf, QDMA_GLBL_DSC_ERR_LOG0) & QDMA_DSC_ERR_LOG0_QID_MASK) == 8);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 8, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw);
	CK(sw.err != 0);
	CK(memcmp(pfmem, pfcopy, 4096) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	simdrv_w1c(&pf, QDMA_GLBL_ERR_STAT, QDMA_GLBL_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_ERR_STAT, ~0u, 0, 5000) == 0);

	/* VF1 queue (abs 10) whose C2H buffers point at VF0's memory: loopback write refused */
	vf0mem = q0.rx;
	memcpy(vf0copy, vf0mem, 4096);
	CK(simq_init(&q1, &pf, &vf1, VF1_FN, 10, 0, 1, 2, 0, 0) == 0);
	q1.rx_iova = q0.rx_iova; /* VF0's IOVA, not mapped for VF1 */
	CK(simq_start_c2h(&q1) == 0);
	CK(simq_start_h2c(&q1) == 0);
	{
		static uint8_t tx[512];

		memset(tx, 0xEE, sizeof(tx));
		CK(simq_tx(&q1, tx, sizeof(tx), 0) == 0);
	}
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DMA, QDMA_DSC_ERR_DMA, 5000) == 0);
	CK(memcmp(vf0mem, vf0copy, 4096) == 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_RD, 10, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw);
	CK(sw.err != 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	simdrv_w1c(&pf, QDMA_GLBL_ERR_STAT, QDMA_GLBL_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_ERR_STAT, ~0u, 0, 5000) == 0);

	/* a VF doorbell beyond its FMAP: TRQ qid_range, zeroed, nothing else changes */
	simdrv_wr(&vf0, QDMA_VF_DMAP_H2C_PIDX(5), 3);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_QID_RANGE, QDMA_TRQ_ERR_QID_RANGE,
		   5000) == 0);
	CK(simdrv_wait(&vf0, QDMA_VF_DMAP_H2C_PIDX(5), ~0u, 0, 5000) == 0);
	CK(((simdrv_rd(&pf, QDMA_GLBL_TRQ_ERR_LOG) >> QDMA_TRQ_ERR_LOG_FUNC_SHIFT) &
		   QDMA_TRQ_ERR_LOG_FUNC_WMASK) == VF0_FN);
	simdrv_w1c(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, ~0u, 0, 5000) == 0);
	/* a VF storing to a PF-only register offset (IND_CTXT_CMD) or an undefined one */
	simdrv_wr(&vf0, QDMA_IND_CTXT_CMD, qdma_ind_cmd(QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_CLR, 0));
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_VF_ACCESS, QDMA_TRQ_ERR_VF_ACCESS,
		   5000) == 0);
	CK(simdrv_wait(&vf0, QDMA_IND_CTXT_CMD, ~0u, 0, 5000) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, ~0u, 0, 5000) == 0);
	simdrv_wr(&vf1, 0x2000, 1);
	CK(simdrv_wait(&pf, QDMA_GLBL_TRQ_ERR_STS, QDMA_TRQ_ERR_VF_ACCESS, QDMA_TRQ_ERR_VF_ACCESS,
		   5000) == 0);
	/* the PF queue and VF0's other traffic are unaffected */
	CK(one_packet(&pq, 9000) == 0);
	simdrv_close(&vf1);
	simdrv_close(&vf0);
	simdrv_close(&pf);
	return 0;
}

static void
t_iommu(void **state)
{
	run(state, c_iommu);
}

/* ---- bad inputs ------------------------------------------------------------------------------ */
static int
c_bad(const char *sock, void *arg)
{
	struct simdrv pf;
	struct simq good, q;
	uint32_t r[8];
	struct qdma_sw_ctx sw;
	struct qdma_h2c_st_desc *d;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 8) == 0);
	CK(simq_init(&good, &pf, &pf, 0, 0, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&good) == 0);
	CK(simq_start_h2c(&good) == 0);
	/* 1. ring at an unmapped IOVA */
	CK(simq_init(&q, &pf, &pf, 0, 1, 1, 1, 2, 0, 0) == 0);
	q.h2c_iova = 0x7000000000ull;
	CK(simq_start_h2c(&q) == 0);
	simq_db_h2c(&q, 1);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ADDR, QDMA_DSC_ERR_ADDR, 5000) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_ERR_STAT) & QDMA_GLBL_ERR_DSC);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, ~0u, 0, 5000) == 0);
	/* 2. descriptor beyond the map (length crosses its end) */
	CK(simq_init(&q, &pf, &pf, 0, 2, 2, 1, 2, 0, 0) == 0);
	CK(simq_start_h2c(&q) == 0);
	d = (void *)q.h2c;
	qdma_h2c_st_desc_fill(d, PF_IOVA + pf.mem_size - 100, 1000, 0);
	simq_db_h2c(&q, 1);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DMA, QDMA_DSC_ERR_DMA, 5000) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* 3. pidx beyond R-2 */
	CK(simq_init(&q, &pf, &pf, 0, 3, 3, 1, 2, 0, 0) == 0);
	CK(simq_start_h2c(&q) == 0);
	simq_db_h2c(&q, q.r - 1);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_PARAM, QDMA_DSC_ERR_PARAM, 5000) ==
		0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* 4. ring size index whose table entry is invalid */
	simdrv_wr(&pf, QDMA_GLBL_RNG_SZ(15), 1);
	CK(simq_init(&q, &pf, &pf, 0, 4, 4, 1, 2, 0, 0) == 0);
	q.rsz_idx = 15;
	CK(simq_start_h2c(&q) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_DSC_ERR_STS) & QDMA_DSC_ERR_PARAM);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 4, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw);
	CK(sw.err != 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* 5. buffer size index giving 0 */
	simdrv_wr(&pf, QDMA_C2H_BUF_SZ(15), 0);
	CK(simq_init(&q, &pf, &pf, 0, 5, 5, 1, 2, 0, 0) == 0);
	q.bufsz_idx = 15;
	CK(simq_start_c2h(&q) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL_DSC_ERR_STS) & QDMA_DSC_ERR_PARAM);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* 6. CMPT CIDX beyond what was produced */
	simq_db_cmpt(&good, 5);
	CK(simdrv_wait(&pf, QDMA_C2H_ERR_STAT, QDMA_C2H_ERR_CMPT_CIDX, QDMA_C2H_ERR_CMPT_CIDX,
		   5000) == 0);
	simq_db_cmpt(&good, 0);
	simdrv_w1c(&pf, QDMA_C2H_ERR_STAT, QDMA_C2H_ERR_ALL);
	/* 7. packet larger than 7 buffers: dropped, len_mismatch */
	{
		static uint8_t big[16384];
		uint64_t e;

		simdrv_wr(&pf, QDMA_C2H_BUF_SZ(14), 1024);
		CK(simq_init(&q, &pf, &pf, 0, 6, 6, 1, 2, 14, 0) == 0);
		CK(simq_start_c2h(&q) == 0);
		CK(simq_start_h2c(&q) == 0);
		CK(simq_tx(&q, big, 8000, 0) == 0);
		CK(simdrv_wait(&pf, QDMA_C2H_ERR_STAT, QDMA_C2H_ERR_LEN_MISMATCH,
			   QDMA_C2H_ERR_LEN_MISMATCH, 5000) == 0);
		CK(simq_rx(&q, big, sizeof(big), &e, 200) == -ETIMEDOUT);
		CK(simq_tx_drain(&q, 5000) == 0);
		CK(one_packet(&q, 7000) == 0);
	}
	/* the card keeps running, other queues unaffected */
	CK(one_packet(&good, 4096) == 0);
	CK(one_packet(&good, 64) == 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_bad(void **state)
{
	run(state, c_bad);
}

/* ---- faults --------------------------------------------------------------------------------- */
static int
c_faults(const char *sock, void *arg)
{
	struct simdrv pf, vf0;
	struct simq q;
	static uint8_t buf[4096];
	uint64_t e, t0;
	struct timespec ts;
	struct qdma_mbox_hdr h = { .op = QDMA_MBOX_OP_HELLO };

	(void)arg;
	CK(bringup(sock, &pf, &vf0, NULL) == 0);
	/* DMA read fault: H2C data */
	CK(simq_init(&q, &pf, &pf, 0, 0, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q) == 0);
	CK(simq_start_h2c(&q) == 0);
	CK(parent_inject(QDMA_SIM_FAULT_DMA_READ, 0, 1) == 0);
	CK(simq_tx(&q, buf, 100, 0) == 0);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DMA, QDMA_DSC_ERR_DMA, 5000) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* DMA write fault: C2H data */
	CK(simq_start_c2h(&q) == 0);
	CK(simq_start_h2c(&q) == 0);
	CK(parent_inject(QDMA_SIM_FAULT_DMA_WRITE, 0, 1) == 0);
	CK(simq_tx(&q, buf, 100, 0) == 0);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DMA, QDMA_DSC_ERR_DMA, 5000) == 0);
	CK(simq_rx(&q, buf, sizeof(buf), &e, 100) == -ETIMEDOUT);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* bad descriptor */
	CK(simq_start_c2h(&q) == 0);
	CK(simq_start_h2c(&q) == 0);
	CK(parent_inject(QDMA_SIM_FAULT_BAD_DESC, 0, 1) == 0);
	CK(simq_tx(&q, buf, 100, 0) == 0);
	CK(simdrv_wait(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_DSC, QDMA_DSC_ERR_DSC, 5000) == 0);
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	/* fault consumed: traffic flows again after a restart */
	CK(simq_start_c2h(&q) == 0);
	CK(simq_start_h2c(&q) == 0);
	CK(one_packet(&q, 1500) == 0);
	/* stall: the PF's queues freeze, then resume */
	CK(parent_inject(QDMA_SIM_FAULT_STALL, 0, 1) == 0);
	CK(simq_tx(&q, buf, 200, 0) == 0);
	CK(simq_rx(&q, buf, sizeof(buf), &e, 300) == -ETIMEDOUT);
	CK(parent_inject(QDMA_SIM_FAULT_STALL, 0, 0) == 0);
	CK(simq_rx(&q, buf, sizeof(buf), &e, 5000) == 200);
	/* mailbox drop: VF0's next message is lost */
	CK(parent_inject(QDMA_SIM_FAULT_MBOX_DROP, VF0_FN, 1) == 0);
	simdrv_wr(&vf0, QDMA_VF_MBOX_MSG_OUT(0), h.op);
	simdrv_wr(&vf0, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&vf0, QDMA_VF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	usleep(100000);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	/* mailbox delay: delivered, but not before 200 ms */
	CK(parent_inject(QDMA_SIM_FAULT_MBOX_DELAY, VF0_FN, 200) == 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	simdrv_wr(&vf0, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_I_MSG,
		   QDMA_MBOX_FN_STATUS_I_MSG, 5000) == 0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	CK((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 - t0 >= 190);
	CK(parent_inject(QDMA_SIM_FAULT_NONE, 0, 0) == 0);
	CK(parent_inject(QDMA_SIM_FAULT_DMA_READ, 5000, 1) == -EINVAL);
	simdrv_close(&vf0);
	simdrv_close(&pf);
	return 0;
}

static void
t_faults(void **state)
{
	run(state, c_faults);
}

/* ---- FLR and client death -------------------------------------------------------------------- */
static int
vf_queue_running(struct simdrv *pf, unsigned qid)
{
	uint32_t r[8];
	struct qdma_sw_ctx sw;

	if (simdrv_ctx(pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, qid, NULL, r) < 0)
		return -1;
	qdma_sw_ctx_decode(r, &sw);
	return sw.qen;
}

static int
c_flr(const char *sock, void *arg)
{
	struct simdrv pf, vf0, vf1;
	struct simq q0, q1;
	struct qdma_sim_stats s0, s1;

	(void)arg;
	CK(bringup(sock, &pf, &vf0, &vf1) == 0);
	CK(simq_init(&q0, &pf, &vf0, VF0_FN, 8, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q0) == 0);
	CK(simq_start_h2c(&q0) == 0);
	CK(one_packet(&q0, 1500) == 0);
	CK(simq_init(&q1, &pf, &vf1, VF1_FN, 10, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q1) == 0);
	CK(simq_start_h2c(&q1) == 0);
	CK(one_packet(&q1, 1500) == 0);
	CK(parent_stats(&s0) == 0);
	/* FLR through the VF's register */
	simdrv_wr(&vf0, QDMA_VF_FLR, QDMA_FLR_START);
	CK(simdrv_wait(&vf0, QDMA_VF_FLR, ~0u, 0, 5000) == 0);
	CK(vf_queue_running(&pf, 8) == 0);
	CK(vf_queue_running(&pf, 10) == 1);
	CK(simdrv_rd(&vf0, QDMA_VF_VERSION) == QDMA_VF_VERSION_QDMA31_DEFAULT);
	/* DMA maps survive the FLR: the queue works again once re-programmed */
	CK(simq_start_c2h(&q0) == 0);
	CK(simq_start_h2c(&q0) == 0);
	CK(one_packet(&q0, 64) == 0);
	/* client death = FLR */
	simdrv_close(&vf1);
	{
		int i;

		for (i = 0; i < 500 && vf_queue_running(&pf, 10) != 0; i++)
			usleep(10000);
	}
	CK(vf_queue_running(&pf, 10) == 0);
	CK(parent_stats(&s1) == 0);
	CK(s1.flrs >= s0.flrs + 2);
	/* VF0 still fine */
	CK(one_packet(&q0, 4096) == 0);
	/* PF FLR stops the PF's own queues only */
	simdrv_close(&vf0);
	simdrv_close(&pf);
	return 0;
}

static void
t_flr(void **state)
{
	run(state, c_flr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_numvfs, setup, teardown),
		cmocka_unit_test_setup_teardown(t_mbox, setup, teardown),
		cmocka_unit_test_setup_teardown(t_iommu, setup, teardown),
		cmocka_unit_test_setup_teardown(t_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(t_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(t_flr, setup, teardown),
	};

	return cmocka_run_group_tests_name("sim_vf", tests, NULL, NULL);
}
