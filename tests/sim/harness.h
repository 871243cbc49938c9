/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness: the card runs in the test process, the driver in a forked child. The child may
 * ask the parent (over a pipe) to inject faults or load a personality; the parent always reaps
 * the child, killing it after a timeout.
 */
#ifndef SIM_HARNESS_H
#define SIM_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#include "qdma_sim.h"

/* Check inside a child: print and fail. */
#define CK(x)                                                                                      \
	do {                                                                                       \
		if (!(x)) {                                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x);       \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

typedef int (*child_fn)(const char *sock, void *arg);

/* Fork @fn(sock, arg) and serve its requests; returns the child's exit status (0 = pass). */
int harness_run(struct qdma_sim *sim, const char *sock, child_fn fn, void *arg, int timeout_s);

/** cmocka fixture: a loopback card with 2048 queues and @p total_vfs VFs. */
struct harness_fx {
	struct qdma_sim *sim;
	char sock[128];
	int timeout_s;
};
int harness_fx_setup(void **state, unsigned total_vfs, int timeout_s);
int harness_fx_teardown(void **state);
/** Run @p fn in a child process against the fixture's card; fails the test on failure. */
void harness_fx_run(void **state, child_fn fn);

/* From the child: ask the parent. */
int parent_inject(enum qdma_sim_fault f, unsigned target, uint32_t count);
int parent_personality(enum qdma_sim_personality p);
int parent_stats(struct qdma_sim_stats *st);

/* Card with defaults changed by @nb_q / @total_vfs, socket in a fresh temp dir. */
struct qdma_sim *harness_card(char *sock, size_t len, unsigned nb_q, unsigned total_vfs,
	enum qdma_sim_personality p);
void harness_card_free(struct qdma_sim *sim, const char *sock);

#endif
