/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot QSBR: an unmap (or a client death) while reader threads are
 * actively touching the memory must not unmap it under them; after the
 * unmap returns the translation is gone. Churn of maps/unmaps while readers
 * translate must always give the right memory. No timing assumptions: every
 * wait is on a condition with a generous deadline.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

#define REGION_IOVA 0x40000000ull
#define REGION_LEN 0x10000u

struct rctx {
	struct vslot_server *srv;
	atomic_bool stop;
	atomic_int holding;    /* a reader holds a pointer into the region */
	atomic_ulong hits;     /* full passes over the region */
	atomic_ulong misses;
	atomic_ulong offline_passes;
	bool use_cache; /* also selects which half of each cache line it touches */
};

/* Engine-like reader: quiescent at the top of each iteration. */
static void *
toucher(void *arg)
{
	struct rctx *x = arg;
	struct vslot_reader *r = vslot_reader_register(x->srv);
	unsigned idle = 0;

	if (r == NULL)
		return NULL;
	while (!atomic_load(&x->stop)) {
		volatile uint8_t *p;

		vslot_reader_quiescent(r);
		p = x->use_cache ? vslot_reader_dma_ptr(r, 0, REGION_IOVA, REGION_LEN) :
			vslot_dma_ptr(x->srv, 0, REGION_IOVA, REGION_LEN);
		if (p == NULL) {
			atomic_fetch_add(&x->misses, 1);
			if (++idle % 64 == 0) {
				/* back off as an idle engine would: offline around the sleep */
				vslot_reader_offline(r);
				t_sleep_ms(1);
				vslot_reader_online(r);
			} else {
				sched_yield();
			}
			continue;
		}
		atomic_store(&x->holding, 1);
		/* slowly read and write the whole region while holding the pointer */
		for (size_t off = x->use_cache ? 32 : 0; off < REGION_LEN; off += 64) {
			uint8_t v = p[off];

			p[off] = (uint8_t)(v + 1);
			if ((off & 0x3fff) == 0)
				sched_yield();
		}
		atomic_store(&x->holding, 0);
		atomic_fetch_add(&x->hits, 1);
	}
	vslot_reader_unregister(r);
	return NULL;
}

/* A reader that is mostly offline (sleeping) and reads briefly when online. */
static void *
sleeper(void *arg)
{
	struct rctx *x = arg;
	struct vslot_reader *r = vslot_reader_register(x->srv);

	if (r == NULL)
		return NULL;
	while (!atomic_load(&x->stop)) {
		volatile uint8_t *p;

		vslot_reader_offline(r);
		t_sleep_ms(1);
		vslot_reader_online(r);
		p = vslot_dma_ptr(x->srv, 0, REGION_IOVA + 4096, 64);
		if (p != NULL)
			(void)p[63];
		atomic_fetch_add(&x->offline_passes, 1);
	}
	vslot_reader_unregister(r);
	return NULL;
}

static bool
wait_hits(struct rctx *x, unsigned long target)
{
	uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

	while (atomic_load(&x->hits) < target) {
		if (t_now_ms() >= deadline)
			return false;
		t_sleep_ms(1);
	}
	return true;
}

static void
test_qsbr_unmap_under_readers(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *a = &f->ag[0];
	struct rctx x = { .srv = f->card.srv };
	struct rctx y = { .srv = f->card.srv, .use_cache = true };
	pthread_t t1, t2, t3;
	struct agent_res r;
	const unsigned rounds = 25;

	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, REGION_LEN, 0, 0, 0), 0);
	assert_int_equal(pthread_create(&t1, NULL, toucher, &x), 0);
	assert_int_equal(pthread_create(&t2, NULL, toucher, &y), 0);
	assert_int_equal(pthread_create(&t3, NULL, sleeper, &x), 0);

	for (unsigned i = 0; i < rounds; i++) {
		unsigned long h1 = atomic_load(&x.hits), h2 = atomic_load(&y.hits);

		assert_int_equal(agent_call(a, &r, A_DMA_MAP, REGION_IOVA, REGION_LEN, 0, 0), 0);
		/* both readers are actively using the region ... */
		assert_true(wait_hits(&x, h1 + 2));
		assert_true(wait_hits(&y, h2 + 2));
		/* ... when the driver unmaps it */
		assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, REGION_IOVA, REGION_LEN, 0, 0), 0);
		/* the reply came after the grace period: nobody holds the old pointer */
		assert_int_equal(atomic_load(&x.holding), 0);
		assert_int_equal(atomic_load(&y.holding), 0);
		assert_null(vslot_dma_ptr(f->card.srv, 0, REGION_IOVA, REGION_LEN));
		assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), 0);
	}

	/* the driver dies while readers use its memory: FLR under load */
	{
		unsigned long h1 = atomic_load(&x.hits);

		assert_int_equal(agent_call(a, &r, A_DMA_MAP, REGION_IOVA, REGION_LEN, 0, 0), 0);
		assert_true(wait_hits(&x, h1 + 2));
		agent_kill(a);
		assert_true(tcard_wait_resets(&f->card, 0, 1));
		assert_int_equal(atomic_load(&x.holding), 0);
		assert_int_equal(atomic_load(&y.holding), 0);
		assert_null(vslot_dma_ptr(f->card.srv, 0, REGION_IOVA, REGION_LEN));
	}

	/* a new driver, then card shutdown with readers still running */
	assert_int_equal(agent_open(&f->ag[1], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[1], &r, A_MEM_CREATE, REGION_LEN, 0, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[1], &r, A_DMA_MAP, REGION_IOVA, REGION_LEN, 0, 0), 0);
	{
		unsigned long h1 = atomic_load(&x.hits);

		assert_true(wait_hits(&x, h1 + 2));
	}
	atomic_store(&x.stop, true);
	atomic_store(&y.stop, true);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_join(t3, NULL);
	assert_true(atomic_load(&x.offline_passes) > 0);
	fprintf(stderr, "hits %lu/%lu misses %lu/%lu sleeper passes %lu\n",
		atomic_load(&x.hits), atomic_load(&y.hits), atomic_load(&x.misses),
		atomic_load(&y.misses), atomic_load(&x.offline_passes));
}

/* ------------------------------------------------------------------------ */

#define CHURN_SLOTS 32
#define CHURN_PAGE 0x1000u

struct cctx {
	struct vslot_server *srv;
	atomic_bool stop;
	atomic_ulong checked;
	atomic_ulong bad;
	bool use_cache;
	uint64_t seed;
};

static uint64_t
slot_iova(unsigned k)
{
	return 0x100000ull * (k + 1);
}

/* Every slot k maps page k, whose 64-bit words all hold k. */
static void *
churn_reader(void *arg)
{
	struct cctx *x = arg;
	struct vslot_reader *r = vslot_reader_register(x->srv);
	uint64_t s = x->seed;

	if (r == NULL)
		return NULL;
	while (!atomic_load(&x->stop)) {
		unsigned k;
		const volatile uint64_t *p;
		uint64_t off;

		vslot_reader_quiescent(r);
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		k = (unsigned)(s % CHURN_SLOTS);
		off = (s >> 20) % (CHURN_PAGE / 8) * 8;
		p = x->use_cache ? vslot_reader_dma_ptr(r, 0, slot_iova(k) + off, 8) :
			vslot_dma_ptr(x->srv, 0, slot_iova(k) + off, 8);
		/* gaps between slots never translate */
		if (vslot_dma_ptr(x->srv, 0, slot_iova(k) + CHURN_PAGE, 8) != NULL)
			atomic_fetch_add(&x->bad, 1);
		if (p == NULL) {
			sched_yield();
			continue;
		}
		for (unsigned i = 0; i < 4; i++)
			if (p[0] != k)
				atomic_fetch_add(&x->bad, 1);
		atomic_fetch_add(&x->checked, 1);
	}
	vslot_reader_unregister(r);
	return NULL;
}

static void
test_qsbr_churn(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 0, &o);
	struct cctx x = { .srv = f->card.srv, .seed = 0x9e3779b97f4a7c15ull };
	struct cctx y = { .srv = f->card.srv, .seed = 0x2545f4914f6cdd1dull, .use_cache = true };
	bool mapped[CHURN_SLOTS] = { false };
	uint64_t s = 0x1234567ull;
	char err[256];
	struct vslot_client *c;
	pthread_t t1, t2;
	uint64_t *mem;
	int mfd;

	c = vslot_client_open(f->card.path, 0, 0, err, sizeof(err));
	assert_non_null(c);
	mfd = memfd_create("churn", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, CHURN_SLOTS * CHURN_PAGE), 0);
	mem = mmap(NULL, CHURN_SLOTS * CHURN_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	assert_true(mem != MAP_FAILED);
	for (unsigned k = 0; k < CHURN_SLOTS; k++)
		for (unsigned i = 0; i < CHURN_PAGE / 8; i++)
			mem[k * CHURN_PAGE / 8 + i] = k;

	assert_int_equal(pthread_create(&t1, NULL, churn_reader, &x), 0);
	assert_int_equal(pthread_create(&t2, NULL, churn_reader, &y), 0);
	for (unsigned op = 0; op < 1500; op++) {
		unsigned k;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		k = (unsigned)(s % CHURN_SLOTS);
		if (mapped[k])
			assert_int_equal(vslot_client_dma_unmap(c, slot_iova(k), CHURN_PAGE), 0);
		else
			assert_int_equal(vslot_client_dma_map(c, slot_iova(k), CHURN_PAGE, mfd,
				(uint64_t)k * CHURN_PAGE), 0);
		mapped[k] = !mapped[k];
	}
	/* let the readers see the final state, then check it */
	{
		unsigned long c1 = atomic_load(&x.checked) + 100;
		uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

		while (atomic_load(&x.checked) < c1 && t_now_ms() < deadline)
			t_sleep_ms(1);
	}
	atomic_store(&x.stop, true);
	atomic_store(&y.stop, true);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(atomic_load(&x.bad), 0);
	assert_int_equal(atomic_load(&y.bad), 0);
	assert_true(atomic_load(&x.checked) > 0);
	{
		unsigned n = 0;

		for (unsigned k = 0; k < CHURN_SLOTS; k++) {
			uint64_t v;

			n += mapped[k];
			assert_int_equal(t_dma_read(f->card.srv, 0, slot_iova(k), &v, 8), mapped[k]);
			if (mapped[k])
				assert_int_equal(v, k);
		}
		assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), n);
	}
	fprintf(stderr, "checked %lu + %lu translations\n", atomic_load(&x.checked),
		atomic_load(&y.checked));
	vslot_client_close(c);
	munmap(mem, CHURN_SLOTS * CHURN_PAGE);
	close(mfd);
}

/* A card thread calling the blocking API while the server thread runs. */
static void
test_api_from_other_threads(void **state)
{
	struct tcard_opts o = { .total_vfs = 3 };
	struct fx *f = fx_begin(state, 0, &o);
	const struct vslot_bar_desc bar = { .index = 0, .size = 4096 };
	struct vslot_reader *r = vslot_reader_register(f->card.srv);

	assert_non_null(r);
	/* an offline reader does not block the grace periods of these calls */
	vslot_reader_offline(r);
	for (unsigned i = 0; i < 50; i++) {
		assert_int_equal(vslot_server_add_function(f->card.srv, 3, &bar, 1), 0);
		assert_non_null(vslot_server_bar(f->card.srv, 3, 0, NULL));
		assert_int_equal(vslot_server_remove_function(f->card.srv, 3), 0);
		assert_null(vslot_server_bar(f->card.srv, 3, 0, NULL));
		vslot_server_synchronize(f->card.srv);
	}
	vslot_reader_online(r);
	vslot_reader_quiescent(r);
	vslot_reader_unregister(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_qsbr_unmap_under_readers),
		FX_TEST(test_qsbr_churn),
		FX_TEST(test_api_from_other_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
