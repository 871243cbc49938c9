/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

enum { REQ_INJECT = 1, REQ_PERS, REQ_STATS };

struct hreq {
	int op;
	unsigned a, b;
	uint32_t c;
};

struct hrep {
	int rc;
	struct qdma_sim_stats st;
};

static int req_fd = -1, rep_fd = -1;

static int
ask(const struct hreq *rq, struct hrep *rp)
{
	if (write(req_fd, rq, sizeof(*rq)) != (ssize_t)sizeof(*rq))
		return -EIO;
	if (read(rep_fd, rp, sizeof(*rp)) != (ssize_t)sizeof(*rp))
		return -EIO;
	return rp->rc;
}

int
parent_inject(enum qdma_sim_fault f, unsigned target, uint32_t count)
{
	struct hreq rq = { REQ_INJECT, (unsigned)f, target, count };
	struct hrep rp;

	return ask(&rq, &rp);
}

int
parent_personality(enum qdma_sim_personality p)
{
	struct hreq rq = { REQ_PERS, (unsigned)p, 0, 0 };
	struct hrep rp;

	return ask(&rq, &rp);
}

int
parent_stats(struct qdma_sim_stats *st)
{
	struct hreq rq = { REQ_STATS, 0, 0, 0 };
	struct hrep rp;
	int rc = ask(&rq, &rp);

	*st = rp.st;
	return rc;
}

int
harness_run(struct qdma_sim *sim, const char *sock, child_fn fn, void *arg, int timeout_s)
{
	int rq[2], rp[2], status = 0;
	pid_t pid;
	time_t end = time(NULL) + timeout_s;

	if (pipe(rq) < 0 || pipe(rp) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(rq[0]);
		close(rp[1]);
		req_fd = rq[1];
		rep_fd = rp[0];
		_exit(fn(sock, arg) ? 1 : 0);
	}
	close(rq[1]);
	close(rp[0]);
	for (;;) {
		struct pollfd pfd = { .fd = rq[0], .events = POLLIN };
		struct hreq r;
		struct hrep a;
		int n = poll(&pfd, 1, 200);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0) {
			ssize_t got = read(rq[0], &r, sizeof(r));

			if (got <= 0)
				break; /* child closed its end: exited */
			memset(&a, 0, sizeof(a));
			if (sim == NULL)
				a.rc = -ENODEV;
			else if (r.op == REQ_INJECT)
				a.rc = qdma_sim_inject(sim, (enum qdma_sim_fault)r.a, r.b, r.c);
			else if (r.op == REQ_PERS)
				a.rc = qdma_sim_load_personality(sim, (enum qdma_sim_personality)r.a);
			else
				qdma_sim_get_stats(sim, &a.st);
			if (write(rp[1], &a, sizeof(a)) != (ssize_t)sizeof(a))
				break;
		}
		if (time(NULL) > end) {
			fprintf(stderr, "harness: child %d timed out, killing it\n", (int)pid);
			kill(pid, SIGKILL);
			break;
		}
	}
	close(rq[0]);
	close(rp[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	(void)sock;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void
quiet_log(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= 4 || getenv("SIM_VERBOSE") != NULL)
		fprintf(stderr, "card: %s\n", msg);
}

struct qdma_sim *
harness_card(char *sock, size_t len, unsigned nb_q, unsigned total_vfs,
	enum qdma_sim_personality p)
{
	char tmpl[] = "/tmp/simtest.XXXXXX";
	struct qdma_sim_cfg cfg;
	struct qdma_sim *sim;
	char err[256];

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	snprintf(sock, len, "%s/card.sock", tmpl);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.nb_queues = nb_q;
	cfg.total_vfs = total_vfs;
	cfg.personality = p;
	cfg.open_mode = true;
	cfg.log = quiet_log;
	sim = qdma_sim_create(&cfg, err, sizeof(err));
	if (sim == NULL)
		fprintf(stderr, "harness: card: %s\n", err);
	return sim;
}

void
harness_card_free(struct qdma_sim *sim, const char *sock)
{
	char dir[256];

	qdma_sim_destroy(sim);
	snprintf(dir, sizeof(dir), "%s", sock);
	unlink(sock);
	rmdir(dirname(dir));
}

int
harness_fx_setup(void **state, unsigned total_vfs, int timeout_s)
{
	struct harness_fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->timeout_s = timeout_s;
	f->sim = harness_card(f->sock, sizeof(f->sock), 2048, total_vfs, QDMA_SIM_LOOPBACK);
	if (f->sim == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int
harness_fx_teardown(void **state)
{
	struct harness_fx *f = *state;

	harness_card_free(f->sim, f->sock);
	free(f);
	return 0;
}

void
harness_fx_run(void **state, child_fn fn)
{
	struct harness_fx *f = *state;

	assert_int_equal(harness_run(f->sim, f->sock, fn, NULL, f->timeout_s), 0);
}
