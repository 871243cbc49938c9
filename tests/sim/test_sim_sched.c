/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's share per function, deterministically: the card runs in stepped mode
 * (qdma_sim_step(), no engine thread). VF0 has 16 busy queues, VF1 one; after every step,
 * VF0 moved at most one function quantum (plus the packet in progress), VF1 was served in the
 * same pass, and one pass moved at most the pass budget — so the PF's context commands (polled
 * once per pass) never wait behind one function's queues.
 *
 * A helper thread steps the card while the rings are set up (the set-up waits for the card);
 * the measured steps are taken by the test thread alone.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "simdrv.h"
#include "vslot_client.h"

#define VF0_FN (QDMA_SIM_VF_FUNC_BASE + 0)
#define VF1_FN (QDMA_SIM_VF_FUNC_BASE + 1)
#define NQ0 16                  /* busy queues of VF0 */
#define RSZ_IDX 1               /* GLBL_RNG_SZ[1] = 65 entries: 63 descriptors in flight */
#define BUF_IDX 1               /* 256-byte C2H buffers (unused: H2C only) */
#define FN_QUANTUM 256u         /* SIM_FN_QUANTUM of the card */
#define PASS_BUDGET 1024u       /* SIM_PASS_BUDGET of the card */
#define DMA_SZ (32u << 20)

struct stepper {
	struct qdma_sim *sim;
	pthread_t th;
	int run;
};

static void *
step_loop(void *arg)
{
	struct stepper *s = arg;

	while (__atomic_load_n(&s->run, __ATOMIC_ACQUIRE))
		if (qdma_sim_step(s->sim) == 0)
			usleep(20);
	return NULL;
}

static void
stepper_start(struct stepper *s)
{
	__atomic_store_n(&s->run, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&s->th, NULL, step_loop, s), 0);
}

static void
stepper_stop(struct stepper *s)
{
	__atomic_store_n(&s->run, 0, __ATOMIC_RELEASE);
	pthread_join(s->th, NULL);
}

static void
quiet(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= 3)
		fprintf(stderr, "card: %s\n", msg);
}

/* Descriptors the card consumed on @q since @base (its status cidx). */
static uint32_t
done_since(struct simq *q, uint32_t base)
{
	return qdma_ring_count(simq_h2c_status_cidx(q), base, q->r);
}

static void
t_share(void **state)
{
	static struct simq q0[NQ0], q1;
	static uint8_t pkt[64];
	struct simdrv pf, vf0, vf1;
	struct qdma_sim_cfg cfg;
	struct stepper st = { 0 };
	char dir[] = "/tmp/simsched.XXXXXX", sock[128], err[256];
	uint32_t left0 = 0, left1 = 0, steps = 0;
	unsigned int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.total_vfs = 2;
	cfg.open_mode = true;
	cfg.stepped = true;
	cfg.personality = QDMA_SIM_SINK;
	cfg.log = quiet;
	st.sim = qdma_sim_create(&cfg, err, sizeof(err));
	assert_non_null(st.sim);
	assert_int_equal(qdma_sim_step(st.sim) >= 0, 1);
	stepper_start(&st);

	assert_int_equal(simdrv_open(&pf, sock, VSLOT_FN_PF, 4u << 20, 0x100000000ull), 0);
	assert_int_equal(simdrv_pf_init(&pf), 0);
	assert_int_equal(vslot_client_set_numvfs(pf.c, 2), 0);
	assert_int_equal(simdrv_fmap(&pf, VF0_FN, 64, NQ0), 0);
	assert_int_equal(simdrv_fmap(&pf, VF1_FN, 128, 1), 0);
	assert_int_equal(simdrv_open(&vf0, sock, VSLOT_FN_VF(0), DMA_SZ, 0x200000000ull), 0);
	assert_int_equal(simdrv_open(&vf1, sock, VSLOT_FN_VF(1), DMA_SZ, 0x300000000ull), 0);
	for (i = 0; i < NQ0; i++) {
		assert_int_equal(simq_init(&q0[i], &pf, &vf0, VF0_FN, 64 + i, i, RSZ_IDX, RSZ_IDX,
			BUF_IDX, 0), 0);
		assert_int_equal(simq_start_h2c(&q0[i]), 0);
	}
	assert_int_equal(simq_init(&q1, &pf, &vf1, VF1_FN, 128, 0, RSZ_IDX, RSZ_IDX, BUF_IDX, 0),
		0);
	assert_int_equal(simq_start_h2c(&q1), 0);
	/* settle: every start doorbell taken, then only this thread steps the card */
	usleep(20 * 1000);
	stepper_stop(&st);
	for (i = 0; i < 8; i++)
		qdma_sim_step(st.sim);

	/* fill every ring: 63 one-descriptor packets per queue */
	for (i = 0; i < NQ0; i++)
		while (qdma_ring_free(q0[i].h2c_pidx, simq_h2c_status_cidx(&q0[i]), q0[i].r) > 0) {
			assert_int_equal(simq_tx(&q0[i], pkt, sizeof(pkt), 0), 0);
			left0++;
		}
	while (qdma_ring_free(q1.h2c_pidx, simq_h2c_status_cidx(&q1), q1.r) > 0) {
		assert_int_equal(simq_tx(&q1, pkt, sizeof(pkt), 0), 0);
		left1++;
	}
	assert_true(left0 > 2 * FN_QUANTUM);  /* several passes of VF0 alone */

	while ((left0 > 0 || left1 > 0) && steps < 1000) {
		uint32_t base0[NQ0], base1 = simq_h2c_status_cidx(&q1), d0 = 0, d1;

		for (i = 0; i < NQ0; i++)
			base0[i] = simq_h2c_status_cidx(&q0[i]);
		qdma_sim_step(st.sim);
		steps++;
		for (i = 0; i < NQ0; i++)
			d0 += done_since(&q0[i], base0[i]);
		d1 = done_since(&q1, base1);
		/* one function moves at most its quantum per pass (a packet in progress ends) */
		assert_true(d0 <= FN_QUANTUM + 1);
		assert_true(d0 + d1 <= PASS_BUDGET + 1);
		/* the one-queue VF is served in every pass while it has work */
		if (left1 > 0)
			assert_true(d1 > 0);
		/* and VF0 keeps its share too */
		if (left0 > 0)
			assert_true(d0 > 0);
		left0 -= d0 < left0 ? d0 : left0;
		left1 -= d1 < left1 ? d1 : left1;
	}
	assert_int_equal(left0, 0);
	assert_int_equal(left1, 0);
	print_message("drained %u + %u descriptors in %u steps\n", NQ0 * 63u, 63u, steps);

	stepper_start(&st);
	simdrv_close(&vf1);
	simdrv_close(&vf0);
	simdrv_close(&pf);
	stepper_stop(&st);
	qdma_sim_destroy(st.sim);
	unlink(sock);
	rmdir(dir);
}

/* Stepped mode refuses to run on a card with an engine thread. */
static void
t_step_refused(void **state)
{
	char sock[128];
	struct qdma_sim *sim = harness_card(sock, sizeof(sock), 64, 0, QDMA_SIM_LOOPBACK);

	(void)state;
	assert_non_null(sim);
	assert_int_equal(qdma_sim_step(sim), -22);
	harness_card_free(sim, sock);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_share),
		cmocka_unit_test(t_step_refused),
	};

	return cmocka_run_group_tests_name("sim_sched", tests, NULL, NULL);
}
