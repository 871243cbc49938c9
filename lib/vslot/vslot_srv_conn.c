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
vs_conn_kill(struct vslot_server *srv, struct vslot_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	srv->nb_live--;
	if (c->pending) {
		c->pending = false;
		srv->nb_pending--;
	}
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
	vs_conn_kill(srv, c);
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
/* requests (server context) */

struct vslot_reply {
	int fds[VSLOT_MAX_FDS];
	unsigned nfds;
	char why[VSLOT_ERRMSG_LEN];
};

/* A request handler: @fds holds what the table says the request carries. */
typedef int (*vs_handler)(struct vslot_server *srv, struct vslot_conn *c,
	const struct vslot_msg *m, int *fds, struct vslot_msg *rep, struct vslot_reply *out);

/* The text every refused HELLO gets, whatever the reason. */
#define VSLOT_HELLO_REFUSED "open refused (no such function, not allowed, or in use)"

static int
h_hello(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	int rc;

	(void)fds;
	if (c->fn >= 0) {
		vslot_fmt(out->why, sizeof(out->why), "already bound to %s",
			FN_STR((unsigned)c->fn));
		return -EISCONN;
	}
	if (m->u.hello.flags != 0) {
		vslot_fmt(out->why, sizeof(out->why), "unknown flags 0x%x",
			le32toh(m->u.hello.flags));
		return -EINVAL;
	}
	rc = vs_fn_open(srv, c, le32toh(m->u.hello.function), le64toh(m->u.hello.token),
		m->u.hello.pf_key, &rep->u.hello_reply, out->fds, &out->nfds);
	if (rc < 0) {
		vslot_fmt(out->why, sizeof(out->why), VSLOT_HELLO_REFUSED);
		return -EACCES;
	}
	if (c->pending) {
		c->pending = false;
		srv->nb_pending--;
	}
	return 0;
}

static int
h_dma_map(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	(void)rep;
	return vs_dma_map(srv, (unsigned)c->fn, le64toh(m->u.dma.iova), le64toh(m->u.dma.len),
		le64toh(m->u.dma.offset), fds[0], out->why, sizeof(out->why));
}

static int
h_dma_unmap(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	(void)fds;
	(void)rep;
	return vs_dma_unmap(srv, (unsigned)c->fn, le64toh(m->u.dma.iova), le64toh(m->u.dma.len),
		out->why, sizeof(out->why));
}

static int
h_grant(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	bool grant = vslot_msg_type(m) == VSLOT_MSG_GRANT;

	(void)c;
	(void)fds;
	(void)rep;
	if (m->u.grant.rsvd != 0) {
		vslot_fmt(out->why, sizeof(out->why), "reserved field not zero");
		return -EINVAL;
	}
	return vs_fn_grant(srv, le32toh(m->u.grant.vf), le64toh(m->u.grant.token), grant,
		out->why, sizeof(out->why));
}

static int
h_set_numvfs(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	(void)c;
	(void)fds;
	(void)rep;
	return vs_set_numvfs(srv, le32toh(m->u.numvfs.n), out->why, sizeof(out->why));
}

static int
h_get_numvfs(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	int *fds, struct vslot_msg *rep, struct vslot_reply *out)
{
	(void)c;
	(void)fds;
	(void)out;
	rep->u.numvfs.n = htole32(vslot_msg_type(m) == VSLOT_MSG_GET_NUMVFS ?
		atomic_load(&srv->numvfs) : srv->nb_fns - 1);
	return 0;
}

/* Every request: name, fds it carries, PF connection only, before HELLO, handler. */
static const struct vs_request {
	const char *name;
	unsigned nfds;
	bool pf_only;
	bool pre_hello;
	vs_handler h;
} vs_requests[] = {
	[VSLOT_MSG_HELLO] = { "HELLO", 0, false, true, h_hello },
	[VSLOT_MSG_DMA_MAP] = { "DMA_MAP", 1, false, false, h_dma_map },
	[VSLOT_MSG_DMA_UNMAP] = { "DMA_UNMAP", 0, false, false, h_dma_unmap },
	[VSLOT_MSG_GRANT] = { "GRANT", 0, true, false, h_grant },
	[VSLOT_MSG_REVOKE] = { "REVOKE", 0, true, false, h_grant },
	[VSLOT_MSG_SET_NUMVFS] = { "SET_NUMVFS", 0, true, false, h_set_numvfs },
	[VSLOT_MSG_GET_NUMVFS] = { "GET_NUMVFS", 0, true, false, h_get_numvfs },
	[VSLOT_MSG_GET_TOTALVFS] = { "GET_TOTALVFS", 0, true, false, h_get_numvfs },
};

static const struct vs_request *
request_of(uint16_t type)
{
	if (type >= sizeof(vs_requests) / sizeof(vs_requests[0]) || vs_requests[type].h == NULL)
		return NULL;
	return &vs_requests[type];
}

/* Validate @m against the table; returns the request, or NULL with rc/why set. */
static const struct vs_request *
request_check(struct vslot_conn *c, const struct vslot_msg *m, const struct vslot_rx *rx,
	int *rc, struct vslot_reply *out)
{
	uint16_t type = vslot_msg_type(m);
	const struct vs_request *r = request_of(type);

	if (r == NULL) {
		vslot_fmt(out->why, sizeof(out->why), "unknown request type 0x%x", type);
		*rc = -EOPNOTSUPP;
	} else if (vslot_msg_id(m) == 0 || m->hdr.status != 0) {
		vslot_fmt(out->why, sizeof(out->why), "request id 0 or non-zero status");
		*rc = -EINVAL;
	} else if (rx->ctrunc || rx->foreign_cmsg || rx->nfds != r->nfds) {
		vslot_fmt(out->why, sizeof(out->why), "%s needs %u fd(s), got %u%s", r->name,
			r->nfds, rx->nfds, rx->ctrunc ? "+" : "");
		*rc = -EBADF;
	} else if (!r->pre_hello && c->fn < 0) {
		vslot_fmt(out->why, sizeof(out->why), "send HELLO first");
		*rc = -ENOTCONN;
	} else if (r->pf_only && c->fn != (int)VSLOT_FN_PF) {
		vslot_fmt(out->why, sizeof(out->why), "%s is accepted only from the PF connection",
			r->name);
		*rc = -EPERM;
	} else {
		return r;
	}
	return NULL;
}

/* Handle one well-framed datagram; every fd it carried is closed here. */
static void
conn_handle(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m, int *fds,
	const struct vslot_rx *rx)
{
	uint16_t type = vslot_msg_type(m);
	struct vslot_msg rep;
	struct vslot_reply out;
	const struct vs_request *r;
	int rc = 0;

	memset(&out, 0, sizeof(out));
	vslot_msg_init(&rep, (uint16_t)(type | VSLOT_MSG_REPLY), vslot_msg_id(m), 0);
	r = request_check(c, m, rx, &rc, &out);
	if (r != NULL)
		rc = r->h(srv, c, m, fds, &rep, &out);
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
		vs_log(srv, VSLOT_LOG_DEBUG, "%s from pid %ld failed: %s",
			r != NULL ? r->name : "request", (long)c->pid, out.why);
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
			/* EOF or an empty datagram (vslot_recv closed its fds) */
			conn_drop(srv, c);
			return;
		}
		if (rx.truncated || (size_t)rx.len != sizeof(m) || vslot_msg_check_hdr(&m) < 0) {
			vs_log_rl(srv, &srv->rl_malformed, VSLOT_LOG_WARNING,
				"pid %ld: malformed message (%zd bytes%s, %u fds): dropping client",
				(long)c->pid, rx.len, rx.truncated ? ", truncated" : "", rx.nfds);
			vslot_close_fds(fds, rx.nfds);
			conn_drop(srv, c);
			return;
		}
		conn_handle(srv, c, &m, fds, &rx);
	}
}

/* The peer slot of @pid (an existing one, or the least recently used). */
static struct vs_peer *
peer_of(struct vslot_server *srv, pid_t pid)
{
	struct vs_peer *lru = &srv->peers[0];

	for (unsigned i = 0; i < VSLOT_PEERS; i++) {
		struct vs_peer *p = &srv->peers[i];

		if (p->pid == pid && p->last_ms != 0)
			return p;
		if (p->last_ms < lru->last_ms)
			lru = p;
	}
	lru->pid = pid;
	lru->last_ms = 0;
	lru->tokens_milli = VSLOT_PEER_BURST * 1000u;
	return lru;
}

/* Token bucket per peer process: false if @pid connects too often. */
static bool
peer_admit(struct vslot_server *srv, pid_t pid, uint64_t now)
{
	struct vs_peer *p = peer_of(srv, pid);
	uint64_t t = p->tokens_milli;

	if (p->last_ms != 0)
		t += (now - p->last_ms) * VSLOT_PEER_RATE;
	if (t > VSLOT_PEER_BURST * 1000u)
		t = VSLOT_PEER_BURST * 1000u;
	p->last_ms = now;
	if (t < 1000u) {
		p->tokens_milli = (unsigned)t;
		return false;
	}
	p->tokens_milli = (unsigned)(t - 1000u);
	return true;
}

/* Connections without HELLO of @pid: how many, its oldest, and the oldest of all. */
static unsigned
pending_scan(struct vslot_server *srv, pid_t pid, struct vslot_conn **peer_oldest,
	struct vslot_conn **oldest)
{
	unsigned n = 0;

	*peer_oldest = NULL;
	*oldest = NULL;
	for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
		if (c->dead || !c->pending)
			continue;
		if (c->pid == pid) {
			n++;
			if (*peer_oldest == NULL || c->accepted_ms < (*peer_oldest)->accepted_ms)
				*peer_oldest = c;
		}
		if (*oldest == NULL || c->accepted_ms < (*oldest)->accepted_ms)
			*oldest = c;
	}
	return n;
}

/*
 * Admission of a new connection from @cred: NULL (admitted) or why it is refused. A new
 * connection is never refused for want of room: the oldest connection without HELLO (of the
 * same peer if it has too many, else of all) makes room, so a client that says HELLO at once
 * always gets in. Under pressure (half the room taken), a peer that connects too often is
 * refused.
 */
static const char *
admit(struct vslot_server *srv, const struct ucred *cred, uint64_t now)
{
	struct vslot_conn *peer_oldest, *oldest;
	bool pressure = srv->nb_pending >= srv->cfg.max_pending_conns / 2;

	if (srv->nb_live >= srv->nb_fns + VSLOT_EXTRA_CONNS + srv->cfg.max_pending_conns)
		return "too many connections";
	if (!peer_admit(srv, cred->pid, now) && pressure)
		return "peer connects too often";
	if (pending_scan(srv, cred->pid, &peer_oldest, &oldest) >= VSLOT_PEER_MAX_PENDING)
		oldest = peer_oldest;
	else if (srv->nb_pending < srv->cfg.max_pending_conns)
		oldest = NULL;
	if (oldest != NULL) {
		srv->st.conns_rejected++;
		vs_log_rl(srv, &srv->rl_conn, VSLOT_LOG_WARNING,
			"too many connections without HELLO (%u, pid %ld has %s): closing the "
			"oldest (pid %ld; %" PRIu64 " closed so far)", srv->nb_pending,
			(long)cred->pid, oldest == peer_oldest ? "too many" : "room",
			(long)oldest->pid, srv->st.conns_rejected);
		vs_conn_kill(srv, oldest);
	}
	return NULL;
}

static void
accept_one(struct vslot_server *srv, int fd)
{
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t clen = sizeof(cred);
	uint64_t now = vslot_now_ms();
	struct vslot_conn *c;
	const char *why;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
		cred.pid = 0;
	why = admit(srv, &cred, now);
	c = why == NULL ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		srv->st.conns_rejected++;
		vs_log_rl(srv, &srv->rl_conn, VSLOT_LOG_WARNING,
			"connection from pid %ld uid %ld refused: %s (%" PRIu64 " refused so far)",
			(long)cred.pid, (long)cred.uid, why != NULL ? why : "out of memory",
			srv->st.conns_rejected);
		close(fd);
		return;
	}
	c->fd = fd;
	c->fn = -1;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->accepted_ms = now;
	c->hello_deadline = now + srv->cfg.hello_timeout_ms;
	c->pending = true;
	srv->nb_pending++;
	c->next = srv->conns;
	srv->conns = c;
	srv->nb_conns++;
	srv->nb_live++;
}

/* Accept what waits, a bounded batch per round (dead ones are swept at the end of it). */
static void
accept_all(struct vslot_server *srv)
{
	for (unsigned i = 0; i < VSLOT_ACCEPTS_PER_ROUND; i++) {
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				vs_log_rl(srv, &srv->rl_conn, VSLOT_LOG_WARNING, "accept: %s",
					strerror(errno));
			return;
		}
		accept_one(srv, fd);
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
			srv->st.hello_timeouts++;
			vs_log_rl(srv, &srv->rl_timeout, VSLOT_LOG_WARNING,
				"pid %ld: no HELLO within %u ms: closing (%" PRIu64 " so far)",
				(long)c->pid, srv->cfg.hello_timeout_ms, srv->st.hello_timeouts);
			vs_conn_kill(srv, c);
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

/* Handle the poll results of one round (op_lock held); the number of events. */
static int
serve_events(struct vslot_server *srv, unsigned n)
{
	int events = 0;

	if (srv->pfds[0].revents != 0) {
		vs_drain_fd(srv->wake_fd);
		vs_run_commands(srv, false);
		events++;
	}
	if (atomic_exchange(&srv->fault_pending, false)) {
		vs_fault_collect(srv);
		events++;
	}
	if (srv->pfds[1].revents & POLLIN) {
		accept_all(srv);
		events++;
	}
	for (unsigned i = 2; i < n; i++) {
		struct vslot_conn *c = srv->pconns[i];
		short re = srv->pfds[i].revents;

		if (c->dead || re == 0)
			continue;
		events++;
		if (re & POLLIN)
			conn_read(srv, c);
		else if (re & (POLLHUP | POLLERR | POLLNVAL))
			conn_drop(srv, c);
	}
	return events;
}

int
vs_serve_once(struct vslot_server *srv, int timeout_ms)
{
	unsigned n = 2;
	int timeout, rc, events = 0;

	if (pfds_reserve(srv, srv->nb_conns + 2) < 0) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		return 0;
	}
	srv->pfds[0] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
	srv->pfds[1] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
	for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
		srv->pfds[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		srv->pconns[n] = c;
		n++;
	}
	pthread_mutex_lock(&srv->op_lock);
	timeout = expire_conns(srv);
	pthread_mutex_unlock(&srv->op_lock);
	/* retired tables: come back soon to free them */
	if (srv->retired != NULL && (timeout < 0 || timeout > 2))
		timeout = 2;
	if (timeout_ms >= 0 && (timeout < 0 || timeout > timeout_ms))
		timeout = timeout_ms;
	rc = poll(srv->pfds, n, timeout);
	if (rc < 0 && errno != EINTR) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

		vs_log(srv, VSLOT_LOG_ERR, "poll: %s", strerror(errno));
		nanosleep(&ts, NULL);
		return 0;
	}
	pthread_mutex_lock(&srv->op_lock);
	if (rc > 0)
		events = serve_events(srv, n);
	vs_reclaim(srv, false);
	sweep_conns(srv);
	pthread_mutex_unlock(&srv->op_lock);
	return events;
}

void *
vs_server_main(void *arg)
{
	struct vslot_server *srv = arg;

	/* start() holds cmd_lock until srv->thread is stored */
	pthread_mutex_lock(&srv->cmd_lock);
	pthread_mutex_unlock(&srv->cmd_lock);

	while (!atomic_load(&srv->stop))
		vs_serve_once(srv, -1);

	pthread_mutex_lock(&srv->cmd_lock);
	srv->running = false;
	pthread_mutex_unlock(&srv->cmd_lock);
	pthread_mutex_lock(&srv->op_lock);
	vs_run_commands(srv, true);
	pthread_mutex_unlock(&srv->op_lock);
	return NULL;
}
