/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the multi-process PMD tests share: TAP lines counted across the test
 * (one process writes them) and the emulated card in a process of its own.
 */
#ifndef SVFF_TEST_PMDTEST_H
#define SVFF_TEST_PMDTEST_H

#include <stdbool.h>

/** One TAP line, "ok N - ..." or "not ok N - ...", flushed. */
void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** The TAP plan ("1..N"); the process's exit status: 1 if a line was "not ok". */
int tap_done(void);

/**
 * The body of a forked card process: an emulated card with @p total_vfs VFs
 * on @p sock; writes one byte to @p ready once it listens, runs until
 * SIGTERM (or SIGKILL), never returns.
 */
void card_main(const char *sock, unsigned int total_vfs, int ready) __attribute__((noreturn));

#endif
