/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-test fixture: a card and up to four agents, always cleaned up by the
 * teardown (even when an assertion failed in the middle of the test).
 */
#ifndef VSLOT_FIXTURE_H
#define VSLOT_FIXTURE_H

#include <stdlib.h>

#include "vslot_test_util.h"

#define FX_AGENTS 4

struct fx {
	struct tcard card;
	bool card_up;
	struct agent ag[FX_AGENTS];
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < FX_AGENTS; i++)
		agent_kill(&f->ag[i]);
	if (f->card_up)
		tcard_fini(&f->card);
	free(f);
	return 0;
}

/* Spawn @n agents (before any thread exists), then create and start the card. */
static inline struct fx *
fx_begin(void **state, unsigned n, const struct tcard_opts *o)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(agent_spawn(&f->ag[i]), 0);
	tcard_init(&f->card, o);
	f->card_up = true;
	tcard_start(&f->card);
	return f;
}

#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

#endif /* VSLOT_FIXTURE_H */
