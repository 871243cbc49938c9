/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Isolation of the emulated card against former holders and against memory pulled from under
 * it. The card runs in the test process; the attacker is the driver child, which keeps a
 * private mapping of a BAR it held (as any process may) and goes on writing through it after
 * closing the function; the victim's side is read from the card (contexts, FMAP, mailbox
 * status, counters):
 *  - a closed PF's old mapping writes indirect context commands: no context, no FMAP changes;
 *  - a closed VF's old mapping writes its mailbox, FLR and doorbell registers: nothing happens;
 *  - a VF truncates the memory behind its running queue: the card survives, that VF's queues
 *    go to error, the PF's queue keeps moving packets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "simdrv.h"

#define PF_IOVA 0x100000000ull
#define VF0_IOVA 0x200000000ull
#define DMA_SZ (8u << 20)
#define VF0_FN (QDMA_SIM_VF_FUNC_BASE + 0)

static int
setup(void **state)
{
	return harness_fx_setup(state, 4, 180);
}

static int
teardown(void **state)
{
	return harness_fx_teardown(state);
}

/* A second mapping of the BAR's pages, surviving simdrv_close() (what an attacker keeps). */
static uint32_t *
keep_bar(struct simdrv *d)
{
	void *p = mremap(d->bar, 0, d->bar_size, MREMAP_MAYMOVE);

	return p == MAP_FAILED ? NULL : p;
}

static void
old_wr(uint32_t *bar, uint32_t off, uint32_t v)
{
	__atomic_store_n(&bar[off / 4u], v, __ATOMIC_RELEASE);
}

static uint32_t
old_rd(uint32_t *bar, uint32_t off)
{
	return __atomic_load_n(&bar[off / 4u], __ATOMIC_ACQUIRE);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000l };

	nanosleep(&ts, NULL);
}

/* Through a stale PF mapping: program queue 3's SW context and VF0's FMAP. */
static void
old_pf_program(uint32_t *old)
{
	struct qdma_fmap_ctx fm = { .qbase = 100, .qmax = 50 };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };
	unsigned i;

	for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++) {
		old_wr(old, QDMA_IND_CTXT_DATA(i), 0xFFFFFFFFu);
		old_wr(old, QDMA_IND_CTXT_MASK(i), 0xFFFFFFFFu);
	}
	old_wr(old, QDMA_IND_CTXT_CMD, qdma_ind_cmd(QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_WR, 3));
	sleep_ms(50);
	qdma_fmap_ctx_encode(&fm, w);
	for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
		old_wr(old, QDMA_IND_CTXT_DATA(i), w[i]);
	old_wr(old, QDMA_IND_CTXT_CMD, qdma_ind_cmd(QDMA_IND_SEL_FMAP, QDMA_IND_OP_WR, VF0_FN));
	sleep_ms(50);
}

static int
c_old_pf(const char *sock, void *arg)
{
	struct simdrv pf, pf2;
	uint32_t *old, r[QDMA_IND_CTXT_DATA_WORDS];
	struct qdma_fmap_ctx fm;
	unsigned i;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(vslot_client_set_numvfs(pf.c, 1) == 0);
	CK(simdrv_fmap(&pf, VF0_FN, 8, 2) == 0);
	CK((old = keep_bar(&pf)) != NULL);
	/* while held, the kept mapping is the live one: a read of the card's identity works */
	CK(qdma_magic_of(old_rd(old, QDMA_CFG_BLOCK_ID)) == QDMA_MAGIC);
	simdrv_close(&pf);

	/* the control plane comes back: the register file is there */
	CK(simdrv_open(&pf2, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(qdma_magic_of(simdrv_rd(&pf2, QDMA_CFG_BLOCK_ID)) == QDMA_MAGIC);
	/* the attacker's reads see nothing of the new holder */
	simdrv_wr(&pf2, QDMA_IND_CTXT_DATA(0), 0x5EC2E7u);
	CK(old_rd(old, QDMA_IND_CTXT_DATA(0)) != 0x5EC2E7u);
	/* its writes change no context and no FMAP */
	old_pf_program(old);
	CK((simdrv_rd(&pf2, QDMA_IND_CTXT_CMD) & QDMA_IND_CTXT_CMD_BUSY) == 0);
	CK(simdrv_ctx(&pf2, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 3, NULL, r) == 0);
	for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
		CK(r[i] == 0);
	CK(simdrv_ctx(&pf2, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, VF0_FN, NULL, r) == 0);
	qdma_fmap_ctx_decode(r, &fm);
	CK(fm.qbase == 8 && fm.qmax == 2);
	/* the same commands through the live mapping do work (the check above can fail) */
	old_pf_program(pf2.bar);
	CK(simdrv_ctx(&pf2, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, VF0_FN, NULL, r) == 0);
	qdma_fmap_ctx_decode(r, &fm);
	CK(fm.qbase == 100 && fm.qmax == 50);
	munmap(old, pf2.bar_size);
	simdrv_close(&pf2);
	return 0;
}

static void
t_old_pf(void **state)
{
	harness_fx_run(state, c_old_pf);
}

static int
c_old_vf(const char *sock, void *arg)
{
	struct simdrv pf, vf, vf2;
	struct qdma_sim_stats st0, st1;
	struct qdma_mbox_hdr h = { .op = QDMA_MBOX_OP_HELLO };
	uint32_t *old;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 0, 0) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(vslot_client_set_numvfs(pf.c, 1) == 0);
	CK(simdrv_fmap(&pf, VF0_FN, 8, 2) == 0);
	CK(simdrv_open(&vf, sock, VSLOT_FN_VF(0), 0, 0) == 0);
	CK((old = keep_bar(&vf)) != NULL);
	simdrv_close(&vf);
	CK(simdrv_open(&vf2, sock, VSLOT_FN_VF(0), 0, 0) == 0);
	sleep_ms(50);
	/* the card told the PF of the first holder's disconnect (a VF_BYE with the reset
	 * status, emulation convention 4): the PF consumes it */
	while (simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) {
		uint32_t w0 = simdrv_rd(&pf, QDMA_PF_MBOX_MSG_IN(0));

		CK((w0 & 0xFF) == QDMA_MBOX_OP_VF_BYE &&
		   (int8_t)(w0 >> 8) == QDMA_MBOX_BYE_ST_FN_RESET);
		simdrv_wr(&pf, QDMA_PF_MBOX_FN_TARGET,
			qdma_mbox_fn_status_src(simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS)));
		simdrv_wr(&pf, QDMA_PF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
		CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_CMD, ~0u, 0, 5000) == 0);
	}
	CK(parent_stats(&st0) == 0);

	/* mailbox: a message and a SEND through the stale mapping reach nobody */
	old_wr(old, QDMA_VF_MBOX_MSG_OUT(0), h.op);
	old_wr(old, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	/* FLR of the new tenant, and a doorbell of its queue */
	old_wr(old, QDMA_VF_FLR, QDMA_FLR_START);
	old_wr(old, QDMA_VF_DMAP_H2C_PIDX(0), 5);
	sleep_ms(200);
	CK(parent_stats(&st1) == 0);
	CK((simdrv_rd(&pf, QDMA_PF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG) == 0);
	CK(st1.mbox_msgs == st0.mbox_msgs);
	CK(st1.flrs == st0.flrs);
	CK(simdrv_rd(&vf2, QDMA_VF_MBOX_FN_CMD) == 0);
	CK(simdrv_rd(&vf2, QDMA_VF_FLR) == 0);
	/* the same SEND from the live mapping arrives (the check above can fail) */
	simdrv_wr(&vf2, QDMA_VF_MBOX_MSG_OUT(0), h.op);
	simdrv_wr(&vf2, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	CK(simdrv_wait(&pf, QDMA_PF_MBOX_FN_STATUS, QDMA_MBOX_FN_STATUS_I_MSG,
		QDMA_MBOX_FN_STATUS_I_MSG, 5000) == 0);
	munmap(old, vf2.bar_size);
	simdrv_close(&vf2);
	simdrv_close(&pf);
	return 0;
}

static void
t_old_vf(void **state)
{
	harness_fx_run(state, c_old_vf);
}

static int
one_packet(struct simq *q, uint32_t len)
{
	static uint8_t tx[4096], rx[4096];
	uint64_t e;

	memset(tx, (int)(len & 0xFF), len);
	CK(simq_tx(q, tx, len, 0) == 0);
	CK(simq_rx(q, rx, sizeof(rx), &e, 5000) == (int)len);
	CK(memcmp(tx, rx, len) == 0);
	return 0;
}

static int
c_truncate(const char *sock, void *arg)
{
	struct simdrv pf, vf;
	struct simq qp, qv;
	uint32_t r[QDMA_IND_CTXT_DATA_WORDS];
	struct qdma_sw_ctx sw;
	uint8_t *d;
	int i;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, DMA_SZ, PF_IOVA) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(vslot_client_set_numvfs(pf.c, 1) == 0);
	CK(simdrv_fmap(&pf, 0, 0, 4) == 0);
	CK(simdrv_fmap(&pf, VF0_FN, 8, 2) == 0);
	CK(simdrv_open(&vf, sock, VSLOT_FN_VF(0), DMA_SZ, VF0_IOVA) == 0);
	CK(simq_init(&qp, &pf, &pf, 0, 0, 0, 1, 2, 0, 0) == 0);
	CK(simq_init(&qv, &pf, &vf, VF0_FN, 8, 0, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&qp) == 0 && simq_start_h2c(&qp) == 0);
	CK(simq_start_c2h(&qv) == 0 && simq_start_h2c(&qv) == 0);
	CK(one_packet(&qp, 200) == 0);
	CK(one_packet(&qv, 300) == 0);

	/* a descriptor is posted, then the VF pulls its memory from under the card */
	d = qv.h2c + (size_t)qv.h2c_pidx * 16;
	qdma_h2c_st_desc_fill((void *)d, qv.tx_iova, 256, 0);
	qv.h2c_pidx = qdma_ring_next(qv.h2c_pidx, qv.r);
	CK(ftruncate(vf.memfd, 0) == 0);
	simq_db_h2c(&qv, qv.h2c_pidx);

	/* the card lives on: the VF's queue goes to error ... */
	for (i = 0; i < 500; i++) {
		CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, 8, NULL, r) == 0);
		qdma_sw_ctx_decode(r, &sw);
		if (sw.err)
			break;
		sleep_ms(10);
	}
	CK(sw.err != 0);
	CK(simdrv_ctx(&pf, QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_RD, 8, NULL, r) == 0);
	qdma_sw_ctx_decode(r, &sw);
	CK(sw.err != 0);
	/* ... and the PF's queue keeps moving packets */
	simdrv_w1c(&pf, QDMA_GLBL_DSC_ERR_STS, QDMA_DSC_ERR_ALL);
	simdrv_w1c(&pf, QDMA_GLBL_ERR_STAT, QDMA_GLBL_ERR_ALL);
	CK(one_packet(&qp, 1000) == 0);
	CK(one_packet(&qp, 64) == 0);
	simdrv_close(&vf);
	simdrv_close(&pf);
	return 0;
}

static void
t_truncate(void **state)
{
	harness_fx_run(state, c_truncate);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_old_pf, setup, teardown),
		cmocka_unit_test_setup_teardown(t_old_vf, setup, teardown),
		cmocka_unit_test_setup_teardown(t_truncate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
