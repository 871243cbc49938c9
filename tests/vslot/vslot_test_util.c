/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_test_util.h"

void
t_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000l };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

uint64_t
t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool
io_full(int fd, void *buf, size_t len, bool wr)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = wr ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

const char *
t_disk_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp", "." };

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct statfs sfs;

		if (statfs(dirs[i], &sfs) == 0 && (uint32_t)sfs.f_type != 0x01021994u &&
				(uint32_t)sfs.f_type != 0x958458f6u && access(dirs[i], W_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* agent (child side) */

struct agent_state {
	struct vslot_client *c;
	int memfd;
	uint8_t *mem;
	size_t memsz;
	/* what an attacker keeps of a function it held (A_KEEP) */
	uint8_t *old_bar[VSLOT_MAX_BARS];
	size_t old_bar_size[VSLOT_MAX_BARS];
	int old_irq[VSLOT_MAX_IRQS];
	int idle[1024];
	unsigned nb_idle;
};

static int
agent_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* @n datagrams of @len bytes (0: empty), each with @nfds fds, on as many connections as it takes. */
static int
agent_flood_fds(const char *path, uint64_t n, unsigned nfds, size_t len)
{
	char buf[VSLOT_MSG_SIZE];
	int fds[16];
	int sock = -1;
	uint64_t sent = 0;

	if (nfds > 16 || len > sizeof(buf))
		return -EINVAL;
	memset(buf, 0xA5, sizeof(buf));
	for (unsigned i = 0; i < nfds; i++) {
		fds[i] = (i & 1) ? memfd_create("flood", MFD_CLOEXEC) : eventfd(0, EFD_CLOEXEC);
		if (fds[i] < 0)
			return -errno;
	}
	while (sent < n) {
		char cbuf[CMSG_SPACE(sizeof(int) * 16)];
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (sock < 0) {
			sock = agent_connect(path);
			if (sock < 0) {
				t_sleep_ms(1);
				continue;
			}
		}
		if (nfds > 0) {
			struct cmsghdr *c;

			memset(cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
			/* the server closed this one: next connection */
			close(sock);
			sock = -1;
			continue;
		}
		sent++;
	}
	if (sock >= 0)
		close(sock);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}

static int
agent_flood_idle(struct agent_state *s, const char *path, unsigned n)
{
	for (unsigned i = 0; i < n && s->nb_idle < sizeof(s->idle) / sizeof(s->idle[0]); i++) {
		int fd = agent_connect(path);

		if (fd < 0)
			return fd;
		s->idle[s->nb_idle++] = fd;
	}
	return 0;
}

/* A second mapping of the same pages as @p (mremap with old size 0), and a dup of each irq. */
static int
agent_keep(struct agent_state *s)
{
	for (unsigned b = 0; b < VSLOT_MAX_BARS; b++) {
		size_t sz;
		void *p = vslot_client_bar(s->c, b, &sz);

		if (p == NULL)
			continue;
		s->old_bar[b] = mremap(p, 0, sz, MREMAP_MAYMOVE);
		if (s->old_bar[b] == MAP_FAILED) {
			s->old_bar[b] = NULL;
			return -errno;
		}
		s->old_bar_size[b] = sz;
	}
	for (unsigned v = 0; v < vslot_client_nb_irqs(s->c) && v < VSLOT_MAX_IRQS; v++)
		s->old_irq[v] = dup(vslot_client_irq_fd(s->c, v));
	return 0;
}

static int
agent_wait_notice(struct agent_state *s, int timeout_ms, struct agent_res *r)
{
	uint64_t deadline = t_now_ms() + (uint64_t)timeout_ms;
	struct vslot_notice n;

	for (;;) {
		int rc = vslot_client_poll_notice(s->c, &n);
		struct pollfd pfd = { .fd = vslot_client_notice_fd(s->c), .events = POLLIN };
		uint64_t now;

		if (rc != 0) {
			if (rc == 1) {
				r->v[0] = n.type;
				r->v[1] = n.function;
				r->v[2] = n.reason;
			}
			return rc;
		}
		now = t_now_ms();
		if (timeout_ms == 0 || now >= deadline)
			return 0;
		poll(&pfd, 1, (int)(deadline - now));
	}
}

static void
agent_exec(struct agent_state *s, const struct agent_cmd *cmd, struct agent_res *r)
{
	const uint64_t *a = cmd->a;
	size_t bsz;
	uint8_t *bar;

	if (cmd->op != A_OPEN && cmd->op != A_MEM_CREATE && cmd->op != A_FLOOD_FDS &&
			cmd->op != A_FLOOD_IDLE && cmd->op != A_SETUID && cmd->op != A_MEM_READ64 &&
			cmd->op != A_MEM_WRITE64 && cmd->op != A_EXIT && cmd->op != A_CLOSE &&
			cmd->op != A_OLD_READ32 && cmd->op != A_OLD_WRITE32 &&
			cmd->op != A_OLD_IRQ_WAIT && cmd->op != A_MEM_TRUNCATE && s->c == NULL) {
		r->rc = -ESRCH;
		return;
	}
	switch (cmd->op) {
	case A_OPEN: {
		char err[256];

		if (s->c != NULL) {
			r->rc = -EALREADY;
			break;
		}
		if (a[2] == 1) {
			char key[160];

			snprintf(key, sizeof(key), "%s.wrong", cmd->path);
			s->c = vslot_client_open_pf(cmd->path, key, err, sizeof(err));
		} else {
			s->c = vslot_client_open(cmd->path, (unsigned)a[0], a[1], err, sizeof(err));
		}
		r->rc = s->c != NULL ? 0 : -errno;
		snprintf(r->err, sizeof(r->err), "%s", s->c != NULL ? "" : err);
		break;
	}
	case A_CLOSE:
		vslot_client_close(s->c);
		s->c = NULL;
		break;
	case A_BAR_READ32:
	case A_BAR_WRITE32:
		bar = vslot_client_bar(s->c, (unsigned)a[0], &bsz);
		r->v[1] = bsz;
		if (bar == NULL || a[1] + 4 > bsz) {
			r->rc = -ENOENT;
			break;
		}
		if (cmd->op == A_BAR_READ32)
			r->v[0] = *(volatile uint32_t *)(bar + a[1]);
		else
			*(volatile uint32_t *)(bar + a[1]) = (uint32_t)a[2];
		break;
	case A_MEM_CREATE:
		if (s->mem != NULL)
			munmap(s->mem, s->memsz);
		if (s->memfd >= 0)
			close(s->memfd);
		s->memsz = (size_t)a[0];
		s->memfd = memfd_create("agent-mem", MFD_CLOEXEC);
		if (s->memfd < 0 || ftruncate(s->memfd, (off_t)s->memsz) < 0) {
			r->rc = -errno;
			break;
		}
		s->mem = mmap(NULL, s->memsz, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
		if (s->mem == MAP_FAILED) {
			s->mem = NULL;
			r->rc = -errno;
			break;
		}
		for (size_t off = 0; off + 8 <= s->memsz; off += 8) {
			uint64_t v = t_pattern(off);

			memcpy(s->mem + off, &v, 8);
		}
		break;
	case A_MEM_READ64:
		if (s->mem == NULL || a[0] + 8 > s->memsz) {
			r->rc = -EINVAL;
			break;
		}
		memcpy(&r->v[0], s->mem + a[0], 8);
		break;
	case A_MEM_WRITE64:
		if (s->mem == NULL || a[0] + 8 > s->memsz) {
			r->rc = -EINVAL;
			break;
		}
		memcpy(s->mem + a[0], &a[1], 8);
		break;
	case A_DMA_MAP:
		r->rc = vslot_client_dma_map(s->c, a[0], a[1], s->memfd, a[2]);
		break;
	case A_DMA_MAP_FD: {
		int p[2] = { -1, -1 };
		int fd = -1;
		char tmp[160];

		if (a[2] == 0) {
			if (pipe(p) < 0) {
				r->rc = -errno;
				break;
			}
			fd = p[0];
		} else if (a[2] == 2) {
			/* a file on a disk file system, as big as asked */
			snprintf(tmp, sizeof(tmp), "%s/agent-disk-XXXXXX", t_disk_dir());
			fd = mkstemp(tmp);
			if (fd < 0 || ftruncate(fd, (off_t)a[1]) < 0) {
				r->rc = -errno;
				break;
			}
			unlink(tmp);
			p[0] = fd;
		} else if (a[2] == 3) {
			fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
			p[0] = fd;
		} else if (a[2] == 4) {
			fd = eventfd(0, EFD_CLOEXEC);
			p[0] = fd;
		}
		r->rc = vslot_client_dma_map(s->c, a[0], a[1], fd, 0);
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		break;
	}
	case A_KEEP:
		r->rc = agent_keep(s);
		break;
	case A_FLOOD_FDS:
		r->rc = agent_flood_fds(cmd->path, a[0], (unsigned)a[1], (size_t)a[2]);
		break;
	case A_FLOOD_IDLE:
		r->rc = agent_flood_idle(s, cmd->path, (unsigned)a[0]);
		r->v[0] = s->nb_idle;
		break;
	case A_SETUID:
		r->rc = setgroups(0, NULL) == 0 && setresgid((gid_t)a[0], (gid_t)a[0], (gid_t)a[0]) == 0 &&
			setresuid((uid_t)a[0], (uid_t)a[0], (uid_t)a[0]) == 0 ? 0 : -errno;
		break;
	case A_OLD_READ32:
	case A_OLD_WRITE32:
		if (a[0] >= VSLOT_MAX_BARS || s->old_bar[a[0]] == NULL ||
				a[1] + 4 > s->old_bar_size[a[0]]) {
			r->rc = -ENOENT;
			break;
		}
		if (cmd->op == A_OLD_READ32)
			r->v[0] = *(volatile uint32_t *)(s->old_bar[a[0]] + a[1]);
		else
			*(volatile uint32_t *)(s->old_bar[a[0]] + a[1]) = (uint32_t)a[2];
		break;
	case A_OLD_IRQ_WAIT: {
		struct pollfd pfd = { .fd = a[0] < VSLOT_MAX_IRQS ? s->old_irq[a[0]] : -1,
				      .events = POLLIN };

		if (pfd.fd < 0) {
			r->rc = -ENOENT;
			break;
		}
		r->rc = poll(&pfd, 1, (int)a[1]);
		break;
	}
	case A_MEM_TRUNCATE:
		r->rc = s->memfd >= 0 && ftruncate(s->memfd, (off_t)a[0]) == 0 ? 0 : -EINVAL;
		break;
	case A_DMA_UNMAP:
		r->rc = vslot_client_dma_unmap(s->c, a[0], a[1]);
		break;
	case A_GRANT:
		r->rc = vslot_client_grant(s->c, (unsigned)a[0], a[1]);
		break;
	case A_REVOKE:
		r->rc = vslot_client_revoke(s->c, (unsigned)a[0]);
		break;
	case A_SET_NUMVFS:
		r->rc = vslot_client_set_numvfs(s->c, (unsigned)a[0]);
		break;
	case A_GET_NUMVFS:
	case A_GET_TOTALVFS: {
		unsigned n = 0;

		r->rc = cmd->op == A_GET_NUMVFS ? vslot_client_get_numvfs(s->c, &n) :
			vslot_client_get_totalvfs(s->c, &n);
		r->v[0] = n;
		break;
	}
	case A_WAIT_NOTICE:
		r->rc = agent_wait_notice(s, (int)a[0], r);
		break;
	case A_POLL_NOTICE:
		r->rc = agent_wait_notice(s, 0, r);
		break;
	case A_IRQ_WAIT: {
		int fd = vslot_client_irq_fd(s->c, (unsigned)a[0]);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t cnt = 0;

		if (fd < 0) {
			r->rc = fd;
			break;
		}
		r->rc = poll(&pfd, 1, (int)a[1]);
		if (r->rc == 1 && read(fd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt))
			r->v[0] = cnt;
		break;
	}
	case A_NB_IRQS:
		r->v[0] = vslot_client_nb_irqs(s->c);
		break;
	case A_EXIT:
		break;
	default:
		r->rc = -ENOSYS;
		break;
	}
	if (r->rc < 0 && r->err[0] == '\0' && s->c != NULL)
		snprintf(r->err, sizeof(r->err), "%s", vslot_client_strerror(s->c));
}

static void __attribute__((noreturn))
agent_main(int rx, int tx)
{
	struct agent_state s = { .c = NULL, .memfd = -1 };

	for (unsigned v = 0; v < VSLOT_MAX_IRQS; v++)
		s.old_irq[v] = -1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		struct agent_cmd cmd;
		struct agent_res r;

		if (!io_full(rx, &cmd, sizeof(cmd), false))
			break;
		memset(&r, 0, sizeof(r));
		agent_exec(&s, &cmd, &r);
		if (!io_full(tx, &r, sizeof(r), true) || cmd.op == A_EXIT)
			break;
	}
	if (s.c != NULL)
		vslot_client_close(s.c);
	_exit(0);
}

/* ------------------------------------------------------------------------ */
/* agent (parent side) */

int
agent_spawn(struct agent *ag)
{
	int p2c[2], c2p[2];
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(p2c, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(c2p, O_CLOEXEC) < 0) {
		close(p2c[0]);
		close(p2c[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(p2c[1]);
		close(c2p[0]);
		agent_main(p2c[0], c2p[1]);
	}
	close(p2c[0]);
	close(c2p[1]);
	ag->pid = pid;
	ag->tx = p2c[1];
	ag->rx = c2p[0];
	return 0;
}

int64_t
agent_call(struct agent *ag, struct agent_res *res, uint32_t op, uint64_t a0, uint64_t a1,
	uint64_t a2, uint64_t a3)
{
	struct agent_cmd cmd;
	struct agent_res tmp;
	struct pollfd pfd = { .fd = ag->rx, .events = POLLIN };

	if (res == NULL)
		res = &tmp;
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = op;
	cmd.a[0] = a0;
	cmd.a[1] = a1;
	cmd.a[2] = a2;
	cmd.a[3] = a3;
	assert_true(ag->pid > 0);
	assert_true(io_full(ag->tx, &cmd, sizeof(cmd), true));
	assert_int_equal(poll(&pfd, 1, T_TIMEOUT_MS), 1);
	assert_true(io_full(ag->rx, res, sizeof(*res), false));
	return res->rc;
}

int64_t
agent_call_path(struct agent *ag, struct agent_res *res, uint32_t op, const char *path,
	uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct agent_cmd cmd;
	struct agent_res tmp;
	struct pollfd pfd = { .fd = ag->rx, .events = POLLIN };

	if (res == NULL)
		res = &tmp;
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = op;
	cmd.a[0] = a0;
	cmd.a[1] = a1;
	cmd.a[2] = a2;
	snprintf(cmd.path, sizeof(cmd.path), "%s", path);
	assert_true(io_full(ag->tx, &cmd, sizeof(cmd), true));
	assert_int_equal(poll(&pfd, 1, 4 * T_TIMEOUT_MS), 1);
	assert_true(io_full(ag->rx, res, sizeof(*res), false));
	return res->rc;
}

int64_t
agent_open(struct agent *ag, const char *path, unsigned fn, uint64_t token,
	struct agent_res *res)
{
	struct agent_cmd cmd;
	struct agent_res tmp;
	struct pollfd pfd = { .fd = ag->rx, .events = POLLIN };

	if (res == NULL)
		res = &tmp;
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = A_OPEN;
	cmd.a[0] = fn;
	cmd.a[1] = token;
	snprintf(cmd.path, sizeof(cmd.path), "%s", path);
	assert_true(io_full(ag->tx, &cmd, sizeof(cmd), true));
	assert_int_equal(poll(&pfd, 1, T_TIMEOUT_MS), 1);
	assert_true(io_full(ag->rx, res, sizeof(*res), false));
	return res->rc;
}

static void
agent_reap(struct agent *ag, unsigned timeout_ms)
{
	uint64_t deadline = t_now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(ag->pid, NULL, WNOHANG);

		if (r == ag->pid || (r < 0 && errno != EINTR))
			break;
		if (t_now_ms() >= deadline) {
			kill(ag->pid, SIGKILL);
			waitpid(ag->pid, NULL, 0);
			break;
		}
		t_sleep_ms(5);
	}
	ag->pid = 0;
}

void
agent_stop(struct agent *ag)
{
	if (ag->pid <= 0)
		return;
	{
		struct agent_cmd cmd = { .op = A_EXIT };

		if (io_full(ag->tx, &cmd, sizeof(cmd), true)) {
			struct agent_res r;
			struct pollfd pfd = { .fd = ag->rx, .events = POLLIN };

			if (poll(&pfd, 1, 10000) == 1)
				(void)io_full(ag->rx, &r, sizeof(r), false);
		}
	}
	close(ag->tx);
	close(ag->rx);
	agent_reap(ag, 10000);
}

void
agent_kill(struct agent *ag)
{
	if (ag->pid <= 0)
		return;
	kill(ag->pid, SIGKILL);
	close(ag->tx);
	close(ag->rx);
	agent_reap(ag, 10000);
}

/* ------------------------------------------------------------------------ */
/* card fixture */

static int
cb_numvfs(void *ctx, unsigned old_n, unsigned new_n)
{
	struct tcard *t = ctx;
	const struct vslot_bar_desc vfbar = { .index = 0, .size = T_VF_BAR0_SIZE };
	int fail;

	pthread_mutex_lock(&t->lock);
	t->numvfs_calls++;
	t->last_old = old_n;
	t->last_new = new_n;
	fail = t->numvfs_fail;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (new_n > 0) {
		if (fail != 0)
			return fail;
		for (unsigned v = 0; v < new_n; v++) {
			int rc = vslot_server_add_function(t->srv, VSLOT_FN_VF(v), &vfbar, 1);

			if (rc < 0)
				return rc;
		}
	} else {
		for (unsigned v = 0; v < old_n; v++)
			vslot_server_remove_function(t->srv, VSLOT_FN_VF(v));
	}
	return 0;
}

static void
cb_reset(void *ctx, unsigned fn)
{
	struct tcard *t = ctx;

	pthread_mutex_lock(&t->lock);
	if (fn < T_MAX_FNS)
		t->resets[fn]++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void
cb_fault(void *ctx, unsigned fn)
{
	struct tcard *t = ctx;

	pthread_mutex_lock(&t->lock);
	if (fn < T_MAX_FNS)
		t->faults[fn]++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void
card_log(void *ctx, int level, const char *msg)
{
	struct tcard *t = ctx;

	if (level <= VSLOT_LOG_WARNING) {
		pthread_mutex_lock(&t->lock);
		t->log_warnings++;
		pthread_mutex_unlock(&t->lock);
	}
	fprintf(stderr, "vslot: %s\n", msg);
}

unsigned
tcard_log_warnings(struct tcard *t)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->log_warnings;
	pthread_mutex_unlock(&t->lock);
	return n;
}

unsigned
tcard_faults(struct tcard *t, unsigned fn)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->faults[fn];
	pthread_mutex_unlock(&t->lock);
	return n;
}

static void
cb_opened(void *ctx, unsigned fn)
{
	struct tcard *t = ctx;

	pthread_mutex_lock(&t->lock);
	if (fn < T_MAX_FNS)
		t->opened[fn]++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

void
tcard_init(struct tcard *t, const struct tcard_opts *o)
{
	static const struct vslot_server_ops ops = {
		.numvfs_changed = cb_numvfs,
		.function_reset = cb_reset,
		.function_opened = cb_opened,
		.function_fault = cb_fault,
	};
	const struct vslot_bar_desc pfbars[] = {
		{ .index = 0, .size = T_PF_BAR0_SIZE },
		{ .index = 2, .size = T_PF_BAR2_SIZE },
	};
	struct vslot_server_cfg cfg;
	char err[256];

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	snprintf(t->dir, sizeof(t->dir), "/tmp/vslot-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/card.sock", t->dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = t->path;
	cfg.total_vfs = o->total_vfs;
	cfg.open_mode = o->open_mode;
	cfg.max_dma_maps = o->max_maps;
	cfg.max_dma_bytes = o->max_bytes;
	cfg.max_pending_conns = o->max_pending;
	cfg.nb_irq_vectors = o->nb_irqs;
	cfg.hello_timeout_ms = o->hello_timeout_ms;
	cfg.log_level = getenv("VSLOT_TEST_DEBUG") ? VSLOT_LOG_DEBUG : VSLOT_LOG_WARNING;
	cfg.log = card_log;
	cfg.log_ctx = t;
	t->srv = vslot_server_create(&cfg, &ops, t, err, sizeof(err));
	if (t->srv == NULL)
		fail_msg("vslot_server_create: %s", err);
	assert_int_equal(vslot_server_add_function(t->srv, VSLOT_FN_PF, pfbars, 2), 0);
}

void
tcard_start(struct tcard *t)
{
	assert_int_equal(vslot_server_start(t->srv), 0);
}

void
tcard_fini(struct tcard *t)
{
	if (t->srv != NULL)
		vslot_server_destroy(t->srv);
	t->srv = NULL;
	unlink(t->path);
	if (t->dir[0] != '\0')
		rmdir(t->dir);
	t->dir[0] = '\0';
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
}

static void
abs_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000l;
	if (ts->tv_nsec >= 1000000000l) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000l;
	}
}

bool
tcard_wait_resets(struct tcard *t, unsigned fn, unsigned n)
{
	struct timespec ts;
	bool ok;

	abs_deadline(&ts, T_TIMEOUT_MS);
	pthread_mutex_lock(&t->lock);
	while (t->resets[fn] < n)
		if (pthread_cond_timedwait(&t->cond, &t->lock, &ts) != 0)
			break;
	ok = t->resets[fn] >= n;
	pthread_mutex_unlock(&t->lock);
	return ok;
}

unsigned
tcard_resets(struct tcard *t, unsigned fn)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->resets[fn];
	pthread_mutex_unlock(&t->lock);
	return n;
}

unsigned
tcard_numvfs_calls(struct tcard *t, unsigned *last_old, unsigned *last_new)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->numvfs_calls;
	if (last_old != NULL)
		*last_old = t->last_old;
	if (last_new != NULL)
		*last_new = t->last_new;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void
tcard_set_numvfs_fail(struct tcard *t, int rc)
{
	pthread_mutex_lock(&t->lock);
	t->numvfs_fail = rc;
	pthread_mutex_unlock(&t->lock);
}

unsigned
tcard_opened(struct tcard *t, unsigned fn)
{
	unsigned n;

	pthread_mutex_lock(&t->lock);
	n = t->opened[fn];
	pthread_mutex_unlock(&t->lock);
	return n;
}

bool
tcard_wait_connected(struct tcard *t, unsigned fn, bool connected)
{
	uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

	while (vslot_server_fn_connected(t->srv, fn) != connected) {
		if (t_now_ms() >= deadline)
			return false;
		t_sleep_ms(2);
	}
	return true;
}

bool
t_dma_read(struct vslot_server *srv, unsigned fn, uint64_t iova, void *buf, size_t len)
{
	struct vslot_reader *r = vslot_reader_register(srv);
	void *p;

	assert_non_null(r);
	p = vslot_dma_ptr(srv, fn, iova, len);
	if (p != NULL)
		memcpy(buf, p, len);
	vslot_reader_unregister(r);
	return p != NULL;
}
