/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck's sequence accounting (app/svff-trafficcheck/tc_seq.c)
 * on made-up arrivals: what it calls lost, duplicated, reordered, foreign
 * and too late, and the gaps it lists.  The integration tests only ever see
 * a clean run; this is where the checker shows it can tell a bad one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tc.h"

#define MS 1000000ull   /* ns */

static void
rx_all(struct tc_seq *s, const uint64_t *seq, unsigned int n, uint64_t t)
{
	for (unsigned int i = 0; i < n; i++)
		tc_seq_rx(s, seq[i], t, t);
}

static void
clean_run(void **state)
{
	struct tc_seq s;
	const uint64_t seq[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	(void)state;
	assert_int_equal(tc_seq_init(&s, 1, 1000.0), 0);
	tc_seq_sent(&s, 8);
	rx_all(&s, seq, 8, 10);
	assert_int_equal(tc_seq_lost(&s), 0);
	assert_int_equal(s.received, 8);
	assert_int_equal(s.duplicated + s.reordered + s.foreign, 0);
	tc_seq_free(&s);
}

static void
loss_dup_reorder(void **state)
{
	struct tc_seq s;
	/* 4 never comes; 2 comes after 3; 1 twice; 9 was never sent */
	const uint64_t seq[] = { 0, 1, 3, 2, 1, 5, 6, 7, 9 };

	(void)state;
	assert_int_equal(tc_seq_init(&s, 1, 1000.0), 0);
	tc_seq_sent(&s, 8);
	rx_all(&s, seq, RTE_DIM(seq), 10);
	assert_int_equal(tc_seq_lost(&s), 1);
	assert_int_equal(s.duplicated, 1);
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.foreign, 1);
	assert_int_equal(s.received, 8);
	assert_int_equal(s.unique, 7);
	tc_seq_free(&s);
}

static void
late_and_too_late(void **state)
{
	struct tc_seq s;
	uint64_t n;

	(void)state;
	assert_int_equal(tc_seq_init(&s, 1, 1000.0), 0);
	n = s.nbits + 10;                  /* sequence 0..9 fall out of the tracked ring */
	tc_seq_sent(&s, n);
	for (uint64_t i = 10; i < n; i++)
		tc_seq_rx(&s, i, 1, 1);
	assert_int_equal(tc_seq_lost(&s), 10);
	tc_seq_rx(&s, 3, 1, 1);            /* arrives after its bit was reused */
	assert_int_equal(s.too_late, 1);
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.duplicated, 0);
	assert_int_equal(tc_seq_lost(&s), 10);
	tc_seq_free(&s);
}

static void
gaps(void **state)
{
	struct tc_seq s;

	(void)state;
	assert_int_equal(tc_seq_init(&s, 100 * MS, 1000.0), 0);   /* gaps >= 1 ms listed */
	tc_seq_note_rx_time(&s, 101 * MS);
	tc_seq_note_rx_time(&s, 101 * MS + 500000);              /* 0.5 ms: not listed */
	tc_seq_note_rx_time(&s, 131 * MS + 500000);              /* 30 ms */
	tc_seq_note_rx_time(&s, 133 * MS + 500000);              /* 2 ms */
	assert_int_equal(s.ngaps, 2);
	assert_true(s.gaps[0].start_us > 1499.0 && s.gaps[0].start_us < 1501.0);
	assert_true(s.gaps[0].us > 29999.0 && s.gaps[0].us < 30001.0);
	assert_true(s.gaps[1].us > 1999.0 && s.gaps[1].us < 2001.0);
	assert_int_equal(s.max_gap_ns, 30 * MS);
	assert_int_equal(s.first_rx_ns, 101 * MS);
	assert_int_equal(s.last_rx_ns, 133 * MS + 500000);
	tc_seq_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_run),
		cmocka_unit_test(loss_dup_reorder),
		cmocka_unit_test(late_and_too_late),
		cmocka_unit_test(gaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
