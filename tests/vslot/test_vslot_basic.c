/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot basics: function names, open errors, HELLO PF with BARs shared
 * both ways (client in another process), interrupts, one client per
 * function, card shutdown notice, socket lifecycle.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

static void
test_fn_names(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(vslot_fn_parse("pf"), 0);
	assert_int_equal(vslot_fn_parse("PF"), 0);
	assert_int_equal(vslot_fn_parse("vf0"), 1);
	assert_int_equal(vslot_fn_parse("vf12"), 13);
	assert_int_equal(vslot_fn_parse("7"), 7);
	assert_int_equal(vslot_fn_parse("vf"), -EINVAL);
	assert_int_equal(vslot_fn_parse("vf-1"), -EINVAL);
	assert_int_equal(vslot_fn_parse("vf1x"), -EINVAL);
	assert_int_equal(vslot_fn_parse(""), -EINVAL);
	assert_int_equal(vslot_fn_parse(NULL), -EINVAL);
	assert_int_equal(vslot_fn_parse("vf99999999999999999999"), -EINVAL);
	assert_string_equal(vslot_fn_name(0, buf, sizeof(buf)), "pf");
	assert_string_equal(vslot_fn_name(VSLOT_FN_VF(3), buf, sizeof(buf)), "vf3");
	assert_int_equal(VSLOT_FN_VF_INDEX(VSLOT_FN_VF(5)), 5);
}

static void
test_open_errors(void **state)
{
	struct fx *f = *state;
	struct tcard_opts o = { .total_vfs = 2 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[256], stale[100];
	struct vslot_client *c;
	int s;

	/* no socket at all */
	c = vslot_client_open("/nonexistent-dir-xyz/card.sock", 0, 0, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "no socket"));

	f = fx_begin(state, 0, &o);

	/* a stale socket: bound, nobody listening */
	snprintf(stale, sizeof(stale), "%s/stale.sock", f->card.dir);
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", stale);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	c = vslot_client_open(stale, 0, 0, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(strstr(err, "stale"));

	/* the server replaces a stale socket */
	{
		struct vslot_server_cfg cfg = { .path = stale, .log_level = VSLOT_LOG_ERR };
		struct vslot_server *s2 = vslot_server_create(&cfg, NULL, NULL, err, sizeof(err));

		assert_non_null(s2);
		/* and refuses to steal a live one */
		assert_null(vslot_server_create(&cfg, NULL, NULL, err, sizeof(err)));
		assert_int_equal(errno, EADDRINUSE);
		vslot_server_destroy(s2);
		/* destroy unlinked it */
		assert_int_equal(access(stale, F_OK), -1);
	}

	/* no such function */
	c = vslot_client_open(f->card.path, 99, 0, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(err, "open refused"));

	/* VF beyond numvfs (0) */
	c = vslot_client_open(f->card.path, VSLOT_FN_VF(0), 1, err, sizeof(err));
	assert_null(c);
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(err, "open refused"));

	/* in-process PF client works, then a second one is busy */
	c = vslot_client_open(f->card.path, 0, 0, err, sizeof(err));
	assert_non_null(c);
	assert_null(vslot_client_open(f->card.path, 0, 0, err, sizeof(err)));
	/* the same answer as any refusal: nothing about the holder */
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(err, "open refused"));
	assert_null(strstr(err, "pid"));
	vslot_client_close(c);
	assert_true(tcard_wait_resets(&f->card, 0, 1));

	/* path too long */
	{
		char longp[200];

		memset(longp, 'a', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		assert_null(vslot_client_open(longp, 0, 0, err, sizeof(err)));
		assert_int_equal(errno, ENAMETOOLONG);
		struct vslot_server_cfg cfg = { .path = longp };

		assert_null(vslot_server_create(&cfg, NULL, NULL, err, sizeof(err)));
		assert_int_equal(errno, ENAMETOOLONG);
	}
}

static void
test_pf_bar_shared(void **state)
{
	struct tcard_opts o = { .total_vfs = 2, .nb_irqs = 4 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *a = &f->ag[0];
	struct agent_res r;
	volatile uint32_t *bar0;
	size_t sz;

	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_true(vslot_server_fn_connected(f->card.srv, 0));
	assert_int_equal(tcard_opened(&f->card, 0), 1);

	bar0 = vslot_server_bar(f->card.srv, 0, 0, &sz);
	assert_non_null(bar0);
	assert_int_equal(sz, T_PF_BAR0_SIZE);
	assert_null(vslot_server_bar(f->card.srv, 0, 1, &sz));
	assert_int_equal(sz, 0);

	/* card stores, driver loads */
	bar0[0x10 / 4] = 0xdeadbeef;
	bar0[(T_PF_BAR0_SIZE - 4) / 4] = 0xcafef00d;
	assert_int_equal(agent_call(a, &r, A_BAR_READ32, 0, 0x10, 0, 0), 0);
	assert_int_equal(r.v[0], 0xdeadbeef);
	assert_int_equal(r.v[1], T_PF_BAR0_SIZE);
	assert_int_equal(agent_call(a, &r, A_BAR_READ32, 0, T_PF_BAR0_SIZE - 4, 0, 0), 0);
	assert_int_equal(r.v[0], 0xcafef00d);

	/* driver stores, card loads */
	assert_int_equal(agent_call(a, &r, A_BAR_WRITE32, 0, 0x20, 0x12345678, 0), 0);
	assert_int_equal(bar0[0x20 / 4], 0x12345678);
	assert_int_equal(agent_call(a, &r, A_BAR_WRITE32, 2, 0x40, 0xa5a5a5a5, 0), 0);
	{
		volatile uint32_t *bar2 = vslot_server_bar(f->card.srv, 0, 2, &sz);

		assert_non_null(bar2);
		assert_int_equal(sz, T_PF_BAR2_SIZE);
		assert_int_equal(bar2[0x40 / 4], 0xa5a5a5a5);
	}
	/* absent BAR on the client side */
	assert_int_equal(agent_call(a, &r, A_BAR_READ32, 1, 0, 0, 0), -ENOENT);

	/* interrupts: 4 eventfds; raise vector 3 twice */
	assert_int_equal(agent_call(a, &r, A_NB_IRQS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 4);
	assert_int_equal(vslot_irq_raise(f->card.srv, 0, 3), 1);
	assert_int_equal(vslot_irq_raise(f->card.srv, 0, 3), 1);
	assert_int_equal(agent_call(a, &r, A_IRQ_WAIT, 3, T_TIMEOUT_MS, 0, 0), 1);
	assert_int_equal(r.v[0], 2);
	assert_int_equal(agent_call(a, &r, A_IRQ_WAIT, 0, 0, 0, 0), 0); /* vector 0 quiet */
	assert_int_equal(vslot_irq_raise(f->card.srv, 0, 4), -EINVAL);
	assert_int_equal(vslot_irq_raise(f->card.srv, 5, 0), -EINVAL);
	/* function without a client: no-op */
	assert_int_equal(vslot_irq_raise(f->card.srv, 1, 0), 0);

	/* the driver goes away: FLR */
	assert_int_equal(agent_call(a, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, 0, 1));
	assert_true(tcard_wait_connected(&f->card, 0, false));
	assert_int_equal(vslot_irq_raise(f->card.srv, 0, 0), 0);
	/* BAR content survives (the card resets registers itself) */
	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_BAR_READ32, 0, 0x20, 0, 0), 0);
	assert_int_equal(r.v[0], 0x12345678);
	/* stale interrupt counts are not delivered to a new client */
	assert_int_equal(agent_call(a, &r, A_IRQ_WAIT, 3, 0, 0, 0), 0);
}

static void
test_pf_busy_across_processes(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent_res r;

	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_open(&f->ag[1], f->card.path, 0, 0, &r), -EACCES);
	assert_non_null(strstr(r.err, "open refused"));
	/* the holder dies: the PF becomes free */
	agent_kill(&f->ag[0]);
	assert_true(tcard_wait_resets(&f->card, 0, 1));
	assert_int_equal(agent_open(&f->ag[1], f->card.path, 0, 0, &r), 0);
	/* totalvfs 0 */
	assert_int_equal(agent_call(&f->ag[1], &r, A_GET_TOTALVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 0);
	assert_int_equal(agent_call(&f->ag[1], &r, A_SET_NUMVFS, 1, 0, 0, 0), -EINVAL);
}

static void
test_shutdown_notice(void **state)
{
	struct tcard_opts o = { .total_vfs = 1 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *a = &f->ag[0];
	struct agent_res r;

	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_POLL_NOTICE, 0, 0, 0, 0), 0);
	vslot_server_destroy(f->card.srv);
	f->card.srv = NULL;
	assert_int_equal(agent_call(a, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), 1);
	assert_int_equal(r.v[0], VSLOT_MSG_NOTICE_REMOVED);
	assert_int_equal(r.v[1], 0);
	assert_int_equal(r.v[2], VSLOT_REMOVED_SHUTDOWN);
	/* then nothing more, and the connection is known closed */
	assert_int_equal(agent_call(a, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), -ENOTCONN);
	assert_int_equal(agent_call(a, &r, A_GET_NUMVFS, 0, 0, 0, 0), -ENOTCONN);
	assert_non_null(strstr(r.err, "not connected"));
	/* the socket is gone */
	assert_int_equal(access(f->card.path, F_OK), -1);
}

/* Server killed without a notice (as a crash): the client reports "server gone". */
static void
test_server_gone(void **state)
{
	struct fx *f = *state;
	struct tcard_opts o = { .total_vfs = 0 };
	int sv[2];
	pid_t card;
	char err[256], dir[64], path[128];
	struct vslot_client *c = NULL;
	struct vslot_notice n;
	char ok;

	(void)f;
	snprintf(dir, sizeof(dir), "/tmp/vslot-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/card.sock", dir);
	assert_int_equal(pipe(sv), 0);
	card = fork();
	assert_true(card >= 0);
	if (card == 0) {
		struct vslot_server_cfg cfg = { .path = path, .log_level = VSLOT_LOG_ERR };
		struct vslot_bar_desc bar = { .index = 0, .size = 4096 };
		struct vslot_server *s = vslot_server_create(&cfg, NULL, NULL, NULL, 0);

		(void)o;
		if (s == NULL || vslot_server_add_function(s, 0, &bar, 1) < 0 ||
				vslot_server_start(s) < 0)
			_exit(1);
		if (write(sv[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], &ok, 1), 1);
	close(sv[0]);
	c = vslot_client_open(path, 0, 0, err, sizeof(err));
	if (c == NULL) {
		kill(card, SIGKILL);
		waitpid(card, NULL, 0);
		fail_msg("open: %s", err);
	}
	kill(card, SIGKILL);
	waitpid(card, NULL, 0);
	/* the notice fd becomes readable */
	{
		struct pollfd pfd = { .fd = vslot_client_notice_fd(c), .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, T_TIMEOUT_MS), 1);
	}
	assert_int_equal(vslot_client_poll_notice(c, &n), 1);
	assert_int_equal(n.reason, VSLOT_REMOVED_SERVER_GONE);
	assert_int_equal(n.function, 0);
	assert_int_equal(vslot_client_poll_notice(c, &n), -ENOTCONN);
	{
		/* nothing left: the notice fd is quiet now */
		struct pollfd pfd = { .fd = vslot_client_notice_fd(c), .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 0), 0);
	}
	assert_int_equal(vslot_client_dma_unmap(c, 0, 4096), -ENOTCONN);
	vslot_client_close(c);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fn_names),
		FX_TEST(test_open_errors),
		FX_TEST(test_pf_bar_shared),
		FX_TEST(test_pf_busy_across_processes),
		FX_TEST(test_shutdown_notice),
		FX_TEST(test_server_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
