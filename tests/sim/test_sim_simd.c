/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The card as its own process: start build/app/qdma-simd/qdma-simd, drive its PF (init, ST
 * loopback), stop it with SIGTERM (by PID, always) and check the clean shutdown.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "simdrv.h"

static pid_t simd_pid = -1;

static void
stop_simd(int sig)
{
	int st;

	if (simd_pid > 0) {
		kill(simd_pid, sig);
		waitpid(simd_pid, &st, 0);
		simd_pid = -1;
	}
}

static int
c_simd(const char *sock, void *arg)
{
	struct simdrv pf;
	struct simq q;
	static uint8_t tx[4096], rx[4096];
	uint64_t e;
	unsigned i;

	(void)arg;
	CK(simdrv_open(&pf, sock, VSLOT_FN_PF, 8u << 20, 0x100000000ull) == 0);
	CK(simdrv_pf_init(&pf) == 0);
	CK(simdrv_rd(&pf, QDMA_GLBL2_CHANNEL_QDMA_CAP) == 256);
	CK(simdrv_fmap(&pf, 0, 0, 2) == 0);
	CK(simq_init(&q, &pf, &pf, 0, 1, 1, 1, 2, 0, 0) == 0);
	CK(simq_start_c2h(&q) == 0);
	CK(simq_start_h2c(&q) == 0);
	for (i = 0; i < 200; i++) {
		memset(tx, (int)i, sizeof(tx));
		CK(simq_tx(&q, tx, 64 + i * 17, 0) == 0);
		CK(simq_rx(&q, rx, sizeof(rx), &e, 5000) == (int)(64 + i * 17));
		CK(memcmp(tx, rx, 64 + i * 17) == 0);
	}
	CK(vslot_client_set_numvfs(pf.c, 4) == 0);
	CK(vslot_client_set_numvfs(pf.c, 0) == 0);
	simdrv_close(&pf);
	return 0;
}

static void
t_simd(void **state)
{
	char dir[] = "/tmp/simd.XXXXXX", sock[128], bin[512];
	const char *root = getenv("SVFF_BUILD_ROOT");
	struct stat sb;
	int st = 0, i, rc;

	(void)state;
	if (root == NULL)
		root = "build";
	snprintf(bin, sizeof(bin), "%s/app/qdma-simd/qdma-simd", root);
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "no %s\n", bin);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	simd_pid = fork();
	assert_true(simd_pid >= 0);
	if (simd_pid == 0) {
		execl(bin, bin, "--socket", sock, "--queues", "256", "--total-vfs", "8",
			"--personality", "loopback", "--card-mem", "2M", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && stat(sock, &sb) != 0; i++)
		usleep(10000);
	if (stat(sock, &sb) != 0) {
		stop_simd(SIGKILL);
		fail_msg("qdma-simd did not create its socket");
	}
	rc = harness_run(NULL, sock, c_simd, NULL, 120);
	kill(simd_pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(simd_pid, &st, WNOHANG) == simd_pid) {
			simd_pid = -1;
			break;
		}
		usleep(10000);
	}
	if (simd_pid > 0) {
		stop_simd(SIGKILL);
		fail_msg("qdma-simd did not stop on SIGTERM");
	}
	assert_int_equal(rc, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_not_equal(stat(sock, &sb), 0); /* socket removed */
	rmdir(dir);
}

static void
t_simd_help(void **state)
{
	char cmd[600];
	const char *root = getenv("SVFF_BUILD_ROOT");

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/app/qdma-simd/qdma-simd --help >/dev/null",
		root ? root : "build");
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/app/qdma-simd/qdma-simd --queues 0 2>/dev/null",
		root ? root : "build");
	assert_int_not_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_simd_help),
		cmocka_unit_test(t_simd),
	};

	return cmocka_run_group_tests_name("sim_simd", tests, NULL, NULL);
}
