/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svffctl's parts without svffd: the command line (every command's
 * telemetry line, every kind of bad usage), the judging and the tables on
 * canned replies, and the socket against a fake telemetry server in a
 * thread (greeting, reply, a server that hangs up, one that is not DPDK
 * telemetry, one that never answers, nobody listening).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "svffctl.h"

static char err[1024];

static int
parse(struct svffctl_req *r, ...)
{
	char *argv[16] = { "svffctl" };
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, r);
	while ((a = va_arg(ap, char *)) != NULL && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	err[0] = '\0';
	return svffctl_parse(argc, argv, r, err, sizeof(err));
}

/* ------------------------------------------------------------ command line */

static void
test_commands(void **state)
{
	struct svffctl_req r;

	(void)state;
	assert_int_equal(parse(&r, "info", NULL), 0);
	assert_string_equal(r.cmd, "/svff/info");
	assert_string_equal(r.prefix, "svff");
	assert_false(r.json);
	assert_ptr_equal(r.fmt, svffctl_fmt_kv);
	assert_int_equal(parse(&r, "-f", "p1", "--json", "vfs", NULL), 0);
	assert_string_equal(r.cmd, "/svff/vfs");
	assert_string_equal(r.prefix, "p1");
	assert_true(r.json);
	assert_int_equal(parse(&r, "vf", "12", NULL), 0);
	assert_string_equal(r.cmd, "/svff/vf,12");
	assert_int_equal(parse(&r, "init", "4", NULL), 0);
	assert_string_equal(r.cmd, "/svff/init,numvfs=4");
	assert_int_equal(parse(&r, "init", "252", "8", NULL), 0);
	assert_string_equal(r.cmd, "/svff/init,numvfs=252,qmax=8");
	assert_int_equal(parse(&r, "attach", "0", "guest-0.a_b", NULL), 0);
	assert_string_equal(r.cmd, "/svff/attach,vf=0,vm=guest-0.a_b");
	assert_int_equal(parse(&r, "detach", "3", NULL), 0);
	assert_string_equal(r.cmd, "/svff/detach,vf=3");
	assert_int_equal(parse(&r, "reconf", "3", "16", NULL), 0);
	assert_string_equal(r.cmd, "/svff/reconf,vf=3,qmax=16");
	assert_int_equal(parse(&r, "pause", "3", NULL), 0);
	assert_string_equal(r.cmd, "/svff/pause,vf=3");
	assert_int_equal(parse(&r, "unpause", "7", NULL), 0);
	assert_string_equal(r.cmd, "/svff/unpause,vf=7");
	assert_int_equal(parse(&r, "ops", NULL), 0);
	assert_string_equal(r.cmd, "/svff/ops");
	assert_int_equal(parse(&r, "--file-prefix", "x", "-s", "/tmp/s", "raw", "/eal/params",
		NULL), 0);
	assert_string_equal(r.cmd, "/eal/params");
	assert_string_equal(r.socket, "/tmp/s");
	assert_int_equal(parse(&r, "-h", NULL), 0);
	assert_true(r.help);
}

static void
test_bad_usage(void **state)
{
	static const char *const bad[][5] = {
		{ NULL },                              /* no command */
		{ "nosuch" },
		{ "--nosuch", "info" },
		{ "-f" },
		{ "-f", "", "info" },
		{ "-f", "a/b", "info" },
		{ "-s" },
		{ "info", "extra" },
		{ "vf" },
		{ "vf", "-1" },
		{ "vf", "1,vm=x" },                    /* no smuggled parameters */
		{ "vf", "0x3" },
		{ "vf", "12345678901" },
		{ "init" },
		{ "init", "4", "8", "9" },
		{ "init", "four" },
		{ "attach", "1" },
		{ "attach", "1", "bad name" },
		{ "attach", "1", "a,b" },
		{ "attach", "1", "" },
		{ "attach", "1", "a12345678901234567890123456789012345678901234567890123456789012345" },
		{ "detach", "x" },
		{ "reconf", "1" },
		{ "pause", "x" },
		{ "unpause" },
		{ "raw", "svff/info" },
		{ "raw", "/svff/info\n/x" },
	};
	struct svffctl_req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[8] = { "svffctl" };
		int argc = 1, j;

		for (j = 0; j < 5 && bad[i][j] != NULL; j++)
			argv[argc++] = (char *)(uintptr_t)bad[i][j];
		err[0] = '\0';
		if (svffctl_parse(argc, argv, &r, err, sizeof(err)) != -1)
			fail_msg("case %zu (%s ...) accepted", i, argc > 1 ? argv[1] : "");
		assert_true(strlen(err) > 10);
	}
}

/* ------------------------------------------------------------ judging, tables */

struct cap {
	char *out, *errs;
	size_t nout, nerr;
	FILE *o, *e;
};

static void
cap_open(struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->o = open_memstream(&c->out, &c->nout);
	c->e = open_memstream(&c->errs, &c->nerr);
	assert_non_null(c->o);
	assert_non_null(c->e);
}

static void
cap_close(struct cap *c)
{
	fclose(c->o);
	fclose(c->e);
}

static void
cap_free(struct cap *c)
{
	free(c->out);
	free(c->errs);
}

static int
show(struct cap *c, const char *cmd, const char *reply, bool json, svffctl_fmt_fn fmt)
{
	int st;

	cap_open(c);
	st = svffctl_show(cmd, reply, json, fmt, c->o, c->e);
	cap_close(c);
	return st;
}

static void
test_judge(void **state)
{
	const char *refused = "{\"/svff/attach\":{\"error\":\"VF 9 does not exist\","
		"\"code\":\"no-such-vf\"}}";
	struct cap c;

	(void)state;
	/* refused: exit 1, the sentence and the code on stderr, nothing on stdout */
	assert_int_equal(show(&c, "/svff/attach,vf=9,vm=x", refused, false,
		svffctl_fmt_attach), SVFFCTL_REFUSED);
	assert_string_equal(c.out, "");
	assert_string_equal(c.errs, "svffctl: refused: VF 9 does not exist [no-such-vf]\n");
	cap_free(&c);
	/* --json: the reply as is, still exit 1 */
	assert_int_equal(show(&c, "/svff/attach,vf=9,vm=x", refused, true, svffctl_fmt_attach),
		SVFFCTL_REFUSED);
	assert_non_null(strstr(c.out, refused));
	cap_free(&c);
	/* an unknown command is null in DPDK telemetry */
	assert_int_equal(show(&c, "/svff/nosuch", "{\"/svff/nosuch\": null}", false,
		svffctl_fmt_json), SVFFCTL_REFUSED);
	assert_non_null(strstr(c.errs, "no command /svff/nosuch"));
	cap_free(&c);
	/* not JSON, or filed under another name: a broken reply (2) */
	assert_int_equal(show(&c, "/svff/info", "{\"/svff/info\": {", false, svffctl_fmt_kv),
		SVFFCTL_FAILED);
	cap_free(&c);
	assert_int_equal(show(&c, "/svff/info", "{\"/svff/vfs\": {}}", false, svffctl_fmt_kv),
		SVFFCTL_FAILED);
	cap_free(&c);
	assert_int_equal(show(&c, "/svff/info", "[1]", false, svffctl_fmt_kv), SVFFCTL_FAILED);
	cap_free(&c);
	/* a list reply of another group, through raw */
	assert_int_equal(show(&c, "/ethdev/list", "{\"/ethdev/list\": [0, 1]}", false,
		svffctl_fmt_json), SVFFCTL_OK);
	assert_string_equal(c.out, "[\n  0,\n  1\n]\n");
	cap_free(&c);
}

static void
test_tables(void **state)
{
	struct cap c;

	(void)state;
	assert_int_equal(show(&c, "/svff/vfs", "{\"/svff/vfs\": {\"numvfs\": 3, \"totalvfs\": 252,"
		"\"vfs\": [\"attached 8@8 g0\", \"ready 16@16\", \"failed 8@32 vm-x\"]}}", false,
		svffctl_fmt_vfs), SVFFCTL_OK);
	assert_string_equal(c.out,
		"3 of 252 VFs enabled\n"
		"VF   STATE     QUEUES  QBASE  VM\n"
		"0    attached       8      8  g0\n"
		"1    ready         16     16  -\n"
		"2    failed         8     32  vm-x\n");
	cap_free(&c);

	assert_int_equal(show(&c, "/svff/vf,0", "{\"/svff/vf\": {\"vf\": 0, \"state\": \"ready\","
		"\"mbox\": {\"rx\": 5, \"send_timeouts\": 0}, \"ok\": true}}", false,
		svffctl_fmt_kv), SVFFCTL_OK);
	assert_string_equal(c.out,
		"vf                  0\n"
		"state               ready\n"
		"mbox.rx             5\n"
		"mbox.send_timeouts  0\n"
		"ok                  true\n");
	cap_free(&c);

	assert_int_equal(show(&c, "/svff/attach,vf=2,vm=g2", "{\"/svff/attach\": {\"op\": 7, "
		"\"vf\": 2, \"state\": \"attached\", \"vm\": \"g2\", \"qbase\": 24, \"qmax\": 8, "
		"\"duration_us\": 15034, \"devargs\": \"net_qdma2,card=/s,fn=vf2,token=0x1\"}}",
		false, svffctl_fmt_attach), SVFFCTL_OK);
	assert_string_equal(c.out, "VF 2: attached to VM g2, queues 8@24 (op 7, 15.0 ms)\n"
		"guest devargs: net_qdma2,card=/s,fn=vf2,token=0x1\n");
	cap_free(&c);

	assert_int_equal(show(&c, "/svff/init,numvfs=4", "{\"/svff/init\": {\"op\": 2, "
		"\"numvfs\": 4, \"qmax\": 8, \"duration_us\": 512}}", false, svffctl_fmt_init),
		SVFFCTL_OK);
	assert_string_equal(c.out, "4 VFs x 8 queues enabled (op 2, 512 us)\n");
	cap_free(&c);

	/* ops: newest first, whatever order the object has */
	assert_int_equal(show(&c, "/svff/ops", "{\"/svff/ops\": {\"running\": \"\", \"ops\": {"
		"\"op_1\": {\"id\": 1, \"op\": \"init\", \"target\": \"numvfs=4\", \"state\": "
		"\"done\", \"steps_done\": 6, \"steps_total\": 6, \"duration_us\": 52297, "
		"\"result\": \"4 VFs\"}, \"op_2\": {\"id\": 2, \"op\": \"attach\", \"target\": "
		"\"vf0 vm=g0\", \"state\": \"rolled-back\", \"steps_done\": 1, \"steps_total\": 2, "
		"\"duration_us\": 20000000, \"result\": \"cut\"}}}}", false, svffctl_fmt_ops),
		SVFFCTL_OK);
	assert_string_equal(c.out,
		"running: -\n"
		"ID    OP      TARGET                   STATE                  PROGRESS    DURATION"
		"  RESULT\n"
		"2     attach  vf0 vm=g0                rolled-back            1/2           20.0 s"
		"  cut\n"
		"1     init    numvfs=4                 done                   6/6          52.3 ms"
		"  4 VFs\n");
	cap_free(&c);
	/* an op in progress */
	assert_int_equal(show(&c, "/svff/ops", "{\"/svff/ops\": {\"running\": {\"id\": 9, "
		"\"op\": \"init\", \"target\": \"numvfs=250 qmax=8\", \"state\": \"running\", "
		"\"steps_done\": 40, \"steps_total\": 256}, \"ops\": {}}}", false,
		svffctl_fmt_ops), SVFFCTL_OK);
	assert_string_equal(strtok(c.out, "\n"), "running: 9 init numvfs=250 qmax=8, step 40 of 256");
	cap_free(&c);
}

/* ------------------------------------------------------------ socket */

enum fake_mode { FAKE_OK, FAKE_HANGUP, FAKE_NOT_TELEMETRY, FAKE_SILENT };

struct fake {
	int lfd;
	enum fake_mode mode;
	char got[256];
	char path[108];
	char dir[64];
};

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	const char *greet = "{\"version\": \"DPDK 22.11.11\", \"pid\": 1, \"max_output_len\": "
		"16384}";
	char reply[sizeof(((struct fake *)0)->got) + 32];
	ssize_t n;
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	switch (f->mode) {
	case FAKE_HANGUP:
		break;
	case FAKE_NOT_TELEMETRY:
		send(fd, "hello", 5, 0);
		break;
	case FAKE_SILENT:
		send(fd, greet, strlen(greet), 0);
		n = recv(fd, f->got, sizeof(f->got) - 1, 0);
		f->got[n > 0 ? n : 0] = '\0';
		/* no reply: wait for the client to give up */
		recv(fd, reply, sizeof(reply), 0);
		break;
	case FAKE_OK:
		send(fd, greet, strlen(greet), 0);
		n = recv(fd, f->got, sizeof(f->got) - 1, 0);
		f->got[n > 0 ? n : 0] = '\0';
		snprintf(reply, sizeof(reply), "{\"%s\": {\"echo\": 1}}", f->got);
		send(fd, reply, strlen(reply), 0);
		break;
	}
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode, pthread_t *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	snprintf(f->dir, sizeof(f->dir), "/tmp/svfft-ctl-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dpdk_telemetry.v2", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 1), 0);
	assert_int_equal(pthread_create(t, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f, pthread_t t)
{
	pthread_join(t, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

static void
test_query(void **state)
{
	struct fake f;
	pthread_t t;
	char *reply = NULL;

	(void)state;
	fake_start(&f, FAKE_OK, &t);
	assert_int_equal(svffctl_query(f.path, "/svff/vf,3", 10000, &reply, err, sizeof(err)),
		0);
	fake_stop(&f, t);
	assert_string_equal(f.got, "/svff/vf,3");
	assert_string_equal(reply, "{\"/svff/vf,3\": {\"echo\": 1}}");
	free(reply);

	fake_start(&f, FAKE_HANGUP, &t);
	assert_int_equal(svffctl_query(f.path, "/svff/info", 10000, &reply, err, sizeof(err)),
		-1);
	fake_stop(&f, t);
	assert_null(reply);
	assert_non_null(strstr(err, "closed the connection"));

	fake_start(&f, FAKE_NOT_TELEMETRY, &t);
	assert_int_equal(svffctl_query(f.path, "/svff/info", 10000, &reply, err, sizeof(err)),
		-1);
	fake_stop(&f, t);
	assert_non_null(strstr(err, "not a DPDK telemetry"));

	fake_start(&f, FAKE_SILENT, &t);
	assert_int_equal(svffctl_query(f.path, "/svff/info", 300, &reply, err, sizeof(err)), -1);
	fake_stop(&f, t);
	assert_non_null(strstr(err, "no reply"));

	assert_int_equal(svffctl_query("/tmp/svfft-ctl-nobody/dpdk_telemetry.v2", "/svff/info",
		1000, &reply, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot reach svffd"));
}

static void
test_socket_path(void **state)
{
	char p[600];

	(void)state;
	svffctl_socket_path("svfft-x", p, sizeof(p));
	if (getuid() == 0)
		assert_string_equal(p, "/var/run/dpdk/svfft-x/dpdk_telemetry.v2");
	else
		assert_non_null(strstr(p, "/dpdk/svfft-x/dpdk_telemetry.v2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_socket_path),
	};

	return cmocka_run_group_tests_name("svffctl", tests, NULL, NULL);
}
