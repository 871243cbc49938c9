/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server half of lib/vslot: connections, requests and the server loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vslot_srv_priv.h"

/* ------------------------------------------------------------------------ */
/* connections (server context) */


void
vs_send_removed(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, unsigned reason)
{
	struct vslot_msg m;
	int rc;

	vslot_msg_init(&m, VSLOT_MSG_NOTICE_REMOVED, 0, 0);
	m.u.removed.function = htole32(fn);
	m.u.removed.reason = htole32(reason);
	rc = vslot_send(c->fd, &m, NULL, 0, MSG_DONTWAIT);
	if (rc < 0)
		vs_log(srv, VSLOT_LOG_DEBUG, "%s: REMOVED notice not delivered: %s", FN_STR(fn),
			strerror(-rc));
}

/* Mark @c dead; it is closed by the sweep of the server loop (or destroy). */
void
vs_conn_kill(struct vslot_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	shutdown(c->fd, SHUT_RDWR);
}

/* Client gone or misbehaving: FLR of its function. */
static void
conn_drop(struct vslot_server *srv, struct vslot_conn *c)
{
	if (c->dead)
		return;
	if (c->fn >= 0)
		vs_fn_detach(srv, (unsigned)c->fn, VSLOT_REMOVED_UNKNOWN, true);
	vs_conn_kill(c);
}

void
vs_conn_free(struct vslot_conn *c)
{
	struct vslot_msg m;
	struct vslot_rx rx;
	int fds[VSLOT_MAX_FDS];

	/* empty our receive queue so that the peer reads its notice, not ECONNRESET */
	while (vslot_recv(c->fd, &m, fds, VSLOT_MAX_FDS, &rx, MSG_DONTWAIT) == 0 && rx.len > 0)
		vslot_close_fds(fds, rx.nfds);
	close(c->fd);
	free(c);
}

/* ------------------------------------------------------------------------ */
/* request handlers (server context) */

struct vslot_reply {
	int fds[VSLOT_MAX_FDS];
	unsigned nfds;
	char why[VSLOT_ERRMSG_LEN];
};

static int
h_hello(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	struct vslot_msg *rep, struct vslot_reply *out)
{
	unsigned fn = le32toh(m->u.hello.function);
	uint64_t token = le64toh(m->u.hello.token);
	struct vslot_fn *f;
	unsigned nb = 0;
	char name[16];

	if (c->fn >= 0) {
		vslot_fmt(out->why, sizeof(out->why), "HELLO: already bound to %s",
			FN_STR((unsigned)c->fn));
		return -EISCONN;
	}
	if (m->u.hello.flags != 0) {
		vslot_fmt(out->why, sizeof(out->why), "HELLO: unknown flags 0x%x",
			le32toh(m->u.hello.flags));
		return -EINVAL;
	}
	if (fn >= srv->nb_fns) {
		vslot_fmt(out->why, sizeof(out->why), "no function %u on this card (pf + %u VFs)",
			fn, srv->nb_fns - 1);
		return -ENODEV;
	}
	fn_str(fn, name, sizeof(name));
	f = &srv->fns[fn];
	if (VSLOT_FN_IS_VF(fn) && VSLOT_FN_VF_INDEX(fn) >= atomic_load(&srv->numvfs)) {
		vslot_fmt(out->why, sizeof(out->why), "%s does not exist (numvfs is %u)", name,
			atomic_load(&srv->numvfs));
		return -ENODEV;
	}
	if (!f->exists) {
		vslot_fmt(out->why, sizeof(out->why), "%s is not present on the card", name);
		return -ENODEV;
	}
	if (f->holder != NULL) {
		vslot_fmt(out->why, sizeof(out->why), "%s is busy (opened by pid %ld)", name,
			(long)f->holder->pid);
		return -EBUSY;
	}
	if (VSLOT_FN_IS_VF(fn)) {
		if (srv->cfg.open_mode) {
			vs_log(srv, VSLOT_LOG_WARNING,
				"OPEN MODE: %s opened by pid %ld without a token check", name,
				(long)c->pid);
		} else if (!f->granted) {
			vslot_fmt(out->why, sizeof(out->why), "%s is not granted to any client",
				name);
			return -EACCES;
		} else if ((f->token ^ token) != 0) {
			vslot_fmt(out->why, sizeof(out->why), "bad token for %s", name);
			return -EACCES;
		}
	}

	f->holder = c;
	c->fn = (int)fn;
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		vs_drain_fd(f->irq_fd[v]);
	atomic_store_explicit(&f->connected, true, memory_order_release);

	rep->u.hello_reply.function = htole32(fn);
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		if (!f->bars[i].present)
			continue;
		rep->u.hello_reply.bars[nb].index = htole32(i);
		rep->u.hello_reply.bars[nb].size = htole64(f->bars[i].size);
		out->fds[out->nfds++] = f->bars[i].memfd;
		nb++;
	}
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		out->fds[out->nfds++] = f->irq_fd[v];
	rep->u.hello_reply.nb_bars = htole16((uint16_t)nb);
	rep->u.hello_reply.nb_irqs = htole16((uint16_t)srv->nb_irqs);
	vs_log(srv, VSLOT_LOG_INFO, "%s opened by pid %ld", name, (long)c->pid);
	if (srv->ops.function_opened != NULL)
		srv->ops.function_opened(srv->ctx, fn);
	return 0;
}

static int
h_grant(struct vslot_server *srv, const struct vslot_msg *m, bool grant, struct vslot_reply *out)
{
	unsigned vf = le32toh(m->u.grant.vf);
	uint64_t token = le64toh(m->u.grant.token);
	unsigned numvfs = atomic_load(&srv->numvfs);
	const char *op = grant ? "GRANT" : "REVOKE";
	struct vslot_fn *f;

	if (m->u.grant.rsvd != 0) {
		vslot_fmt(out->why, sizeof(out->why), "%s: reserved field not zero", op);
		return -EINVAL;
	}
	if (vf >= srv->nb_fns - 1) {
		vslot_fmt(out->why, sizeof(out->why), "%s: no VF %u (totalvfs is %u)", op, vf,
			srv->nb_fns - 1);
		return -EINVAL;
	}
	if (vf >= numvfs) {
		vslot_fmt(out->why, sizeof(out->why), "%s: vf%u does not exist (numvfs is %u)", op,
			vf, numvfs);
		return -ENODEV;
	}
	f = &srv->fns[VSLOT_FN_VF(vf)];
	if (!grant) {
		f->granted = false;
		f->token = 0;
		vs_log(srv, VSLOT_LOG_INFO, "vf%u: grant revoked", vf);
		vs_fn_detach(srv, VSLOT_FN_VF(vf), VSLOT_REMOVED_REVOKED, true);
		return 0;
	}
	if (token == 0) {
		vslot_fmt(out->why, sizeof(out->why), "GRANT: token 0 is reserved");
		return -EINVAL;
	}
	if (f->holder != NULL && (!f->granted || f->token != token)) {
		vslot_fmt(out->why, sizeof(out->why),
			"GRANT: vf%u is held by a client; revoke it first", vf);
		return -EBUSY;
	}
	f->granted = true;
	f->token = token;
	vs_log(srv, VSLOT_LOG_INFO, "vf%u: granted", vf);
	return 0;
}

static int
h_set_numvfs(struct vslot_server *srv, const struct vslot_msg *m, struct vslot_reply *out)
{
	unsigned n = le32toh(m->u.numvfs.n);
	unsigned old = atomic_load(&srv->numvfs);
	unsigned total = srv->nb_fns - 1;
	int rc = 0;

	if (n > total) {
		vslot_fmt(out->why, sizeof(out->why), "SET_NUMVFS: %u > totalvfs %u", n, total);
		return -EINVAL;
	}
	if (n == old)
		return 0;
	if (old != 0 && n != 0) {
		vslot_fmt(out->why, sizeof(out->why),
			"SET_NUMVFS: %u -> %u refused: set 0 first (as sysfs sriov_numvfs)", old,
			n);
		return -EBUSY;
	}
	if (n == 0) {
		for (unsigned v = 0; v < old; v++) {
			struct vslot_fn *f = &srv->fns[VSLOT_FN_VF(v)];

			f->granted = false;
			f->token = 0;
			vs_fn_detach(srv, VSLOT_FN_VF(v), VSLOT_REMOVED_NUMVFS, true);
		}
		atomic_store(&srv->numvfs, 0);
		if (srv->ops.numvfs_changed != NULL)
			rc = srv->ops.numvfs_changed(srv->ctx, old, 0);
		if (rc != 0)
			vs_log(srv, VSLOT_LOG_WARNING, "numvfs %u -> 0: card callback failed (%d)",
				old, rc);
		vs_log(srv, VSLOT_LOG_INFO, "numvfs %u -> 0", old);
		return 0;
	}
	if (srv->ops.numvfs_changed != NULL)
		rc = srv->ops.numvfs_changed(srv->ctx, 0, n);
	if (rc != 0) {
		if (rc > 0 || rc < -4095)
			rc = -EIO;
		vslot_fmt(out->why, sizeof(out->why), "SET_NUMVFS %u: the card refused: %s", n,
			strerror(-rc));
		return rc;
	}
	atomic_store(&srv->numvfs, n);
	for (unsigned v = 0; v < n; v++)
		if (!srv->fns[VSLOT_FN_VF(v)].exists)
			vs_log(srv, VSLOT_LOG_WARNING, "numvfs %u: the card did not add vf%u", n,
				v);
	vs_log(srv, VSLOT_LOG_INFO, "numvfs 0 -> %u", n);
	return 0;
}

/* Number of fds a request type must carry. */
static unsigned
req_fds(uint16_t type)
{
	return type == VSLOT_MSG_DMA_MAP ? 1 : 0;
}

static bool
known_request(uint16_t type)
{
	return type >= VSLOT_MSG_HELLO && type <= VSLOT_MSG_GET_TOTALVFS;
}

/* Handle one well-framed datagram; fds are closed here. */
static void
conn_handle(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m, int *fds,
	const struct vslot_rx *rx)
{
	uint16_t type = vslot_msg_type(m);
	struct vslot_msg rep;
	struct vslot_reply out;
	int rc = 0;

	memset(&out, 0, sizeof(out));
	vslot_msg_init(&rep, (uint16_t)(type | VSLOT_MSG_REPLY), vslot_msg_id(m), 0);

	if (!known_request(type)) {
		vslot_fmt(out.why, sizeof(out.why), "unknown request type 0x%x", type);
		rc = -EOPNOTSUPP;
	} else if (vslot_msg_id(m) == 0 || m->hdr.status != 0) {
		vslot_fmt(out.why, sizeof(out.why), "request id 0 or non-zero status");
		rc = -EINVAL;
	} else if (rx->ctrunc || rx->foreign_cmsg || rx->nfds != req_fds(type)) {
		vslot_fmt(out.why, sizeof(out.why), "request type %u needs %u fd(s), got %u%s",
			type, req_fds(type), rx->nfds, rx->ctrunc ? "+" : "");
		rc = -EBADF;
	} else if (type == VSLOT_MSG_HELLO) {
		rc = h_hello(srv, c, m, &rep, &out);
	} else if (c->fn < 0) {
		vslot_fmt(out.why, sizeof(out.why), "send HELLO first");
		rc = -ENOTCONN;
	} else {
		unsigned fn = (unsigned)c->fn;
		bool pf_only = type == VSLOT_MSG_GRANT || type == VSLOT_MSG_REVOKE ||
			type == VSLOT_MSG_SET_NUMVFS || type == VSLOT_MSG_GET_NUMVFS ||
			type == VSLOT_MSG_GET_TOTALVFS;

		if (pf_only && fn != VSLOT_FN_PF) {
			vslot_fmt(out.why, sizeof(out.why),
				"request type %u is accepted only from the PF connection", type);
			rc = -EPERM;
		} else {
			switch (type) {
			case VSLOT_MSG_DMA_MAP:
				rc = vs_dma_map(srv, fn, le64toh(m->u.dma.iova),
					le64toh(m->u.dma.len), le64toh(m->u.dma.offset), fds[0],
					out.why, sizeof(out.why));
				break;
			case VSLOT_MSG_DMA_UNMAP:
				rc = vs_dma_unmap(srv, fn, le64toh(m->u.dma.iova),
					le64toh(m->u.dma.len), out.why, sizeof(out.why));
				break;
			case VSLOT_MSG_GRANT:
				rc = h_grant(srv, m, true, &out);
				break;
			case VSLOT_MSG_REVOKE:
				rc = h_grant(srv, m, false, &out);
				break;
			case VSLOT_MSG_SET_NUMVFS:
				rc = h_set_numvfs(srv, m, &out);
				break;
			case VSLOT_MSG_GET_NUMVFS:
				rep.u.numvfs.n = htole32(atomic_load(&srv->numvfs));
				break;
			case VSLOT_MSG_GET_TOTALVFS:
				rep.u.numvfs.n = htole32(srv->nb_fns - 1);
				break;
			default:
				rc = -EOPNOTSUPP;
				break;
			}
		}
	}
	vslot_close_fds(fds, rx->nfds);

	if (c->dead)
		return; /* e.g. a callback removed the function of this connection */
	if (rc < 0) {
		memset(&rep.u, 0, sizeof(rep.u));
		rep.hdr.status = (int32_t)htole32((uint32_t)rc);
		if (out.why[0] == '\0')
			vslot_fmt(out.why, sizeof(out.why), "%s", strerror(-rc));
		memcpy(rep.u.error.msg, out.why, sizeof(out.why));
		rep.u.error.msg[VSLOT_ERRMSG_LEN - 1] = '\0';
		out.nfds = 0;
		vs_log(srv, VSLOT_LOG_DEBUG, "request %u from pid %ld failed: %s", type,
			(long)c->pid, out.why);
	}
	rc = vslot_send(c->fd, &rep, out.fds, out.nfds, MSG_DONTWAIT);
	if (rc < 0) {
		/* EPIPE: the client left; EAGAIN: it does not read its replies */
		vs_log(srv, rc == -EAGAIN ? VSLOT_LOG_WARNING : VSLOT_LOG_INFO,
			"pid %ld: reply not delivered (%s): dropping client", (long)c->pid,
			strerror(-rc));
		conn_drop(srv, c);
	}
}

/* Read and handle what is pending on @c. */
static void
conn_read(struct vslot_server *srv, struct vslot_conn *c)
{
	for (unsigned i = 0; i < VSLOT_MSGS_PER_WAKE && !c->dead; i++) {
		struct vslot_msg m;
		struct vslot_rx rx;
		int fds[VSLOT_MAX_FDS];
		int rc = vslot_recv(c->fd, &m, fds, VSLOT_MAX_FDS, &rx, MSG_DONTWAIT);

		if (rc == -EAGAIN)
			return;
		if (rc < 0 || rx.len == 0) {
			conn_drop(srv, c);
			return;
		}
		if (rx.truncated || (size_t)rx.len != sizeof(m) || vslot_msg_check_hdr(&m) < 0) {
			vs_log(srv, VSLOT_LOG_WARNING,
				"pid %ld: malformed message (%zd bytes%s): dropping client",
				(long)c->pid, rx.len, rx.truncated ? ", truncated" : "");
			vslot_close_fds(fds, rx.nfds);
			conn_drop(srv, c);
			return;
		}
		conn_handle(srv, c, &m, fds, &rx);
	}
}

static void
accept_all(struct vslot_server *srv)
{
	for (;;) {
		struct vslot_conn *c;
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
					errno != ECONNABORTED)
				vs_log(srv, VSLOT_LOG_WARNING, "accept: %s", strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (srv->nb_conns >= srv->nb_fns + VSLOT_EXTRA_CONNS) {
			vs_log(srv, VSLOT_LOG_WARNING, "too many connections (%u): refusing one",
				srv->nb_conns);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->fn = -1;
		c->hello_deadline = vslot_now_ms() + srv->cfg.hello_timeout_ms;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
			c->pid = cred.pid;
		c->next = srv->conns;
		srv->conns = c;
		srv->nb_conns++;
	}
}

/* Close connections that did not say HELLO in time; ms to the next deadline. */
static int
expire_conns(struct vslot_server *srv)
{
	uint64_t now = vslot_now_ms();
	uint64_t next = UINT64_MAX;

	for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
		if (c->dead || c->fn >= 0)
			continue;
		if (c->hello_deadline <= now) {
			vs_log(srv, VSLOT_LOG_WARNING, "pid %ld: no HELLO within %u ms: closing",
				(long)c->pid, srv->cfg.hello_timeout_ms);
			vs_conn_kill(c);
		} else if (c->hello_deadline < next) {
			next = c->hello_deadline;
		}
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static void
sweep_conns(struct vslot_server *srv)
{
	struct vslot_conn **pp = &srv->conns;

	while (*pp != NULL) {
		struct vslot_conn *c = *pp;

		if (c->dead) {
			*pp = c->next;
			srv->nb_conns--;
			vs_conn_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static int
pfds_reserve(struct vslot_server *srv, unsigned n)
{
	struct pollfd *p;
	struct vslot_conn **pc;

	if (n <= srv->pfd_cap)
		return 0;
	n = n < 16 ? 16 : n * 2;
	p = realloc(srv->pfds, n * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	srv->pfds = p;
	pc = realloc(srv->pconns, n * sizeof(*pc));
	if (pc == NULL)
		return -ENOMEM;
	srv->pconns = pc;
	srv->pfd_cap = n;
	return 0;
}

void *
vs_server_main(void *arg)
{
	struct vslot_server *srv = arg;

	/* start() holds cmd_lock until srv->thread is stored */
	pthread_mutex_lock(&srv->cmd_lock);
	pthread_mutex_unlock(&srv->cmd_lock);

	while (!atomic_load(&srv->stop)) {
		unsigned n = 2;
		int timeout, rc;

		if (pfds_reserve(srv, srv->nb_conns + 2) < 0) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		srv->pfds[0] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
		srv->pfds[1] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
			srv->pfds[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			srv->pconns[n] = c;
			n++;
		}
		timeout = expire_conns(srv);
		/* retired tables: come back soon to free them */
		if (srv->retired != NULL && (timeout < 0 || timeout > 2))
			timeout = 2;
		rc = poll(srv->pfds, n, timeout);
		if (rc < 0 && errno != EINTR) {
			vs_log(srv, VSLOT_LOG_ERR, "poll: %s", strerror(errno));
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		pthread_mutex_lock(&srv->op_lock);
		if (rc > 0) {
			if (srv->pfds[0].revents != 0) {
				vs_drain_fd(srv->wake_fd);
				vs_run_commands(srv, false);
			}
			if (srv->pfds[1].revents & POLLIN)
				accept_all(srv);
			for (unsigned i = 2; i < n; i++) {
				struct vslot_conn *c = srv->pconns[i];
				short re = srv->pfds[i].revents;

				if (c->dead || re == 0)
					continue;
				if (re & POLLIN)
					conn_read(srv, c);
				else if (re & (POLLHUP | POLLERR | POLLNVAL))
					conn_drop(srv, c);
			}
		}
		vs_reclaim(srv, false);
		sweep_conns(srv);
		pthread_mutex_unlock(&srv->op_lock);
	}

	pthread_mutex_lock(&srv->cmd_lock);
	srv->running = false;
	pthread_mutex_unlock(&srv->cmd_lock);
	pthread_mutex_lock(&srv->op_lock);
	vs_run_commands(srv, true);
	pthread_mutex_unlock(&srv->op_lock);
	return NULL;
}
