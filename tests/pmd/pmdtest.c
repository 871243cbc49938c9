/* SPDX-License-Identifier: BSD-3-Clause */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "qdma_sim.h"
#include "pmdtest.h"

static unsigned int n_test, n_fail;

void
tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (!ok)
		n_fail++;
	printf("%sok %u - ", ok ? "" : "not ", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int
tap_done(void)
{
	printf("1..%u\n", n_test);
	return n_fail ? 1 : 0;
}

void
card_main(const char *sock, unsigned int total_vfs, int ready)
{
	struct qdma_sim_cfg cfg;
	struct qdma_sim *card;
	char err[256];
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.total_vfs = total_vfs;
	cfg.log = NULL;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		fprintf(stderr, "card: %s\n", err);
		_exit(1);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	sigwait(&set, &sig);
	qdma_sim_destroy(card);
	_exit(0);
}
