/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue manager (lib/svff/svff_qm.c): unit cases, then a property test that
 * runs 10,000 random operation sequences against a reference model (a
 * per-queue owner map rebuilt from scratch and the lengths each function
 * should have).  Pure C: no DPDK.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svff_qm.h"

#define PF 0
#define VF(n) (4 + (n))

static struct svff_qm qm;
static char err[256];

static void
test_best_fit_and_coalescing(void **state)
{
	struct svff_qm_req r;
	struct svff_qm_plan p;

	(void)state;
	svff_qm_init(&qm, 64);
	assert_int_equal(svff_qm_set(&qm, PF, 0, 8), 0);
	for (unsigned int i = 0; i < 7; i++) {
		r = (struct svff_qm_req){ VF(i), 8 };
		assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
		svff_qm_apply(&qm, &p);
		assert_int_equal(qm.fn[VF(i)].base, 8 + 8 * i);
	}
	assert_int_equal(svff_qm_free(&qm), 0);
	/* free VF1 and VF2: their gaps coalesce into one of 16 */
	r = (struct svff_qm_req){ VF(1), 0 };
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
	svff_qm_apply(&qm, &p);
	r = (struct svff_qm_req){ VF(2), 0 };
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
	svff_qm_apply(&qm, &p);
	r = (struct svff_qm_req){ VF(5), 0 };
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
	svff_qm_apply(&qm, &p);
	assert_int_equal(svff_qm_largest_gap(&qm), 16);
	/* 12 queues: the 16-gap is the only fit; 6 queues: best fit is the 8-gap */
	r = (struct svff_qm_req){ VF(10), 6 };
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
	svff_qm_apply(&qm, &p);
	assert_int_equal(qm.fn[VF(10)].base, 48);
	r = (struct svff_qm_req){ VF(11), 12 };
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), 0);
	svff_qm_apply(&qm, &p);
	assert_int_equal(qm.fn[VF(11)].base, 16);
	assert_int_equal(svff_qm_check(&qm, err, sizeof(err)), 0);
}

static void
test_relocation(void **state)
{
	struct svff_qm_req r = { VF(3), 32 };
	struct svff_qm_plan p;
	bool movable[SVFF_QM_MAX_FUNCS] = { false };

	(void)state;
	svff_qm_init(&qm, 64);
	assert_int_equal(svff_qm_set(&qm, PF, 0, 8), 0);
	assert_int_equal(svff_qm_set(&qm, VF(0), 8, 8), 0);
	assert_int_equal(svff_qm_set(&qm, VF(1), 24, 8), 0);   /* holes 16-24, 32-40 */
	assert_int_equal(svff_qm_set(&qm, VF(2), 40, 8), 0);
	assert_int_equal(svff_qm_set(&qm, VF(3), 56, 8), 0);   /* hole 48-56 */
	/* 32 queues for VF3: no gap fits without moving both VF1 and VF2 */
	assert_int_equal(svff_qm_plan(&qm, &r, 1, NULL, &p), -ENOSPC);
	movable[VF(1)] = true;
	assert_int_equal(svff_qm_plan(&qm, &r, 1, movable, &p), -ENOSPC);
	movable[VF(2)] = true;
	assert_int_equal(svff_qm_plan(&qm, &r, 1, movable, &p), 0);
	svff_qm_apply(&qm, &p);
	assert_int_equal(svff_qm_check(&qm, err, sizeof(err)), 0);
	assert_int_equal(qm.fn[PF].base, 0);
	assert_int_equal(qm.fn[VF(0)].base, 8);
	assert_int_equal(qm.fn[VF(3)].len, 32);
	assert_int_equal(qm.fn[VF(1)].len, 8);
	assert_int_equal(qm.fn[VF(2)].len, 8);
	assert_int_equal(svff_qm_free(&qm), 0);
}

static void
test_bad_requests(void **state)
{
	struct svff_qm_req r[2] = { { VF(0), 4 }, { VF(0), 4 } };
	struct svff_qm_plan p;

	(void)state;
	svff_qm_init(&qm, 32);
	assert_int_equal(svff_qm_plan(&qm, r, 2, NULL, &p), -EINVAL);   /* duplicate */
	r[0].len = 33;
	assert_int_equal(svff_qm_plan(&qm, r, 1, NULL, &p), -EINVAL);   /* larger than space */
	r[0] = (struct svff_qm_req){ SVFF_QM_MAX_FUNCS, 1 };
	assert_int_equal(svff_qm_plan(&qm, r, 1, NULL, &p), -EINVAL);
	assert_int_equal(svff_qm_set(&qm, VF(0), 30, 4), -ENOSPC);
	assert_int_equal(svff_qm_set(&qm, VF(0), -1, 4), -EINVAL);
	assert_int_equal(svff_qm_free(&qm), 32);
}

/* ------------------------------------------------------ property test */

struct model {
	uint32_t len[SVFF_QM_MAX_FUNCS];   /* what each function should own */
};

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* Owner of every queue, rebuilt from the table; fails on any overlap. */
static void
check_against_model(const struct svff_qm *t, const struct model *m, unsigned int seq)
{
	static int16_t owner[2048];
	uint64_t sum = 0;

	assert_int_equal(svff_qm_check(t, err, sizeof(err)), 0);
	for (uint32_t q = 0; q < t->nb_queues; q++)
		owner[q] = -1;
	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++) {
		const struct svff_qm_range *r = &t->fn[f];

		if (r->len != m->len[f])
			fail_msg("seq %u: function %u owns %u queues, model says %u", seq, f,
				r->len, m->len[f]);
		for (uint32_t q = 0; q < r->len; q++) {
			assert_true((uint32_t)r->base + q < t->nb_queues);
			if (owner[r->base + q] != -1)
				fail_msg("seq %u: queue %u owned by %d and %u", seq, r->base + q,
					owner[r->base + q], f);
			owner[r->base + q] = (int16_t)f;
		}
		sum += r->len;
	}
	assert_int_equal(svff_qm_free(t), t->nb_queues - sum);
}

/* Longest run of unowned queues with @p skip's range counted as free. */
static uint32_t
model_largest_gap(const struct svff_qm *t, uint16_t skip)
{
	struct svff_qm tmp = *t;

	tmp.fn[skip] = (struct svff_qm_range){ -1, 0 };
	return svff_qm_largest_gap(&tmp);
}

static void
one_op(struct svff_qm *t, struct model *m, unsigned int nvf, bool all_movable, unsigned int seq)
{
	struct svff_qm_req req[SVFF_QM_MAX_FUNCS];
	static struct svff_qm_plan p;
	bool movable[SVFF_QM_MAX_FUNCS] = { false };
	struct svff_qm before = *t;
	unsigned int n = 0;
	uint64_t total = m->len[PF];
	bool use_movable;
	int rc;

	if (rnd(8) == 0) {          /* init-style: every VF at once */
		uint32_t len = rnd(t->nb_queues / nvf + 2);

		if (len > t->nb_queues)
			len = t->nb_queues;

		for (unsigned int i = 0; i < nvf; i++)
			req[n++] = (struct svff_qm_req){ VF(i), len };
	} else {                    /* one VF resized / freed */
		req[n++] = (struct svff_qm_req){ VF(rnd(nvf)), rnd(4) == 0 ? 0 : rnd(t->nb_queues / 4 + 1) };
	}
	for (unsigned int i = 0; i < nvf; i++)
		movable[VF(i)] = all_movable || rnd(2);
	use_movable = rnd(4) != 0;
	rc = svff_qm_plan(t, req, n, use_movable ? movable : NULL, &p);
	assert_memory_equal(&before, t, sizeof(before));     /* planning changes nothing */
	for (unsigned int i = 0; i < nvf; i++) {
		bool in_req = false;

		for (unsigned int k = 0; k < n; k++)
			in_req |= req[k].func == VF(i);
		if (!in_req)
			total += m->len[VF(i)];
	}
	for (unsigned int k = 0; k < n; k++)
		total += req[k].len;
	/* everything but the PF (a prefix) may move: refused iff it cannot fit */
	if (use_movable && all_movable && (rc == -ENOSPC) != (total > t->nb_queues))
		fail_msg("seq %u: rc %d for %" PRIu64 " of %u queues", seq, rc, total,
			t->nb_queues);
	if (rc == -ENOSPC) {
		/* a single request is refused only when no gap fits it */
		if (n == 1 && req[0].len <= model_largest_gap(t, req[0].func))
			fail_msg("seq %u: refused %u queues with a gap of %u", seq, req[0].len,
				model_largest_gap(t, req[0].func));
		return;
	}
	assert_int_equal(rc, 0);
	for (unsigned int i = 0; i < p.nb; i++) {
		uint16_t f = p.mv[i].func;

		assert_memory_equal(&p.mv[i].from, &before.fn[f], sizeof(p.mv[i].from));
		assert_true(f != PF);                            /* fixed never moves */
		if (before.fn[f].len > 0 && p.mv[i].to.len == before.fn[f].len &&
		    p.mv[i].to.base != before.fn[f].base) {
			bool in_req = false;

			for (unsigned int k = 0; k < n; k++)
				in_req |= req[k].func == f;
			assert_true(in_req || movable[f]);     /* only movable ones moved */
		}
	}
	svff_qm_apply(t, &p);
	for (unsigned int k = 0; k < n; k++)
		m->len[req[k].func] = req[k].len;
	check_against_model(t, m, seq);
}

static void
test_property_random_sequences(void **state)
{
	static const uint32_t spaces[] = { 16, 64, 256, 2048 };
	unsigned int seqs = 10000;
	const char *env = getenv("SVFF_QM_SEQS");

	(void)state;
	if (env != NULL)
		seqs = (unsigned int)strtoul(env, NULL, 10);
	for (unsigned int s = 0; s < seqs; s++) {
		struct svff_qm t;
		struct model m = { { 0 } };
		uint32_t space = spaces[s % 4];
		unsigned int nvf = 1 + rnd(space < 256 ? 12 : s % 16 == 3 ? 252 : 48);
		bool all_movable = (s & 1) != 0;

		rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)s * 0x2545F4914F6CDD1Dull);
		svff_qm_init(&t, space);
		m.len[PF] = rnd(space / 8 + 1);
		if (m.len[PF] > 0)
			assert_int_equal(svff_qm_set(&t, PF, 0, m.len[PF]), 0);
		for (unsigned int op = 0; op < 16; op++)
			one_op(&t, &m, nvf, all_movable, s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_fit_and_coalescing),
		cmocka_unit_test(test_relocation),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_property_random_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
