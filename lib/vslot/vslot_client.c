/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client (driver) half of the virtual PCIe slot.
 *
 * One mutex serialises RPCs. While an RPC waits for its reply, notices that
 * arrive are queued; replies with another id (late replies to timed-out
 * requests) are dropped. The notice fd is an epoll fd watching the socket and
 * an internal eventfd that is signalled while the queue is not empty.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vslot_client.h"
#include "vslot_priv.h"
#include "vslot_proto.h"

#define VSLOT_NOTICE_QLEN 64
#define VSLOT_ERR_LEN 256

struct vslot_client_bar {
	void *ptr;
	size_t size;
};

struct vslot_client {
	int sock;
	int epfd;
	int evfd;
	unsigned fn;
	pthread_mutex_t lock;
	uint64_t next_id;
	int timeout_ms;
	bool connected;
	bool removed; /* got REMOVED for our function */
	const char *gone_why;
	struct vslot_client_bar bars[VSLOT_MAX_BARS];
	int irq_fds[VSLOT_MAX_IRQS];
	unsigned nb_irqs;
	struct vslot_notice q[VSLOT_NOTICE_QLEN];
	unsigned q_head;
	unsigned q_count;
	char err[VSLOT_ERR_LEN];
};

static void VSLOT_PRINTF(2, 3)
set_err(struct vslot_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static const char *
msg_name(uint16_t type)
{
	switch (type & ~VSLOT_MSG_REPLY) {
	case VSLOT_MSG_HELLO:
		return "HELLO";
	case VSLOT_MSG_DMA_MAP:
		return "DMA_MAP";
	case VSLOT_MSG_DMA_UNMAP:
		return "DMA_UNMAP";
	case VSLOT_MSG_GRANT:
		return "GRANT";
	case VSLOT_MSG_REVOKE:
		return "REVOKE";
	case VSLOT_MSG_SET_NUMVFS:
		return "SET_NUMVFS";
	case VSLOT_MSG_GET_NUMVFS:
		return "GET_NUMVFS";
	case VSLOT_MSG_GET_TOTALVFS:
		return "GET_TOTALVFS";
	default:
		return "?";
	}
}

static void
queue_notice(struct vslot_client *c, const struct vslot_notice *n)
{
	uint64_t one = 1;

	if (c->q_count == VSLOT_NOTICE_QLEN) {
		/* drop the oldest */
		c->q_head = (c->q_head + 1) % VSLOT_NOTICE_QLEN;
		c->q_count--;
	}
	c->q[(c->q_head + c->q_count) % VSLOT_NOTICE_QLEN] = *n;
	c->q_count++;
	if (write(c->evfd, &one, sizeof(one)) < 0) {
		/* saturated: already readable */
	}
}

/* The connection is over (EOF, error, or protocol violation). */
static void
disconnect(struct vslot_client *c, const char *why)
{
	if (!c->connected)
		return;
	c->connected = false;
	c->gone_why = why;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->sock, NULL);
	shutdown(c->sock, SHUT_RDWR);
	if (!c->removed) {
		struct vslot_notice n = {
			.type = VSLOT_MSG_NOTICE_REMOVED,
			.function = c->fn,
			.reason = VSLOT_REMOVED_SERVER_GONE,
		};

		queue_notice(c, &n);
	}
}

/* A message that is not the awaited reply: queue notices, drop the rest. */
static void
handle_unsolicited(struct vslot_client *c, const struct vslot_msg *m, int *fds, unsigned nfds)
{
	vslot_close_fds(fds, nfds);
	if (vslot_msg_type(m) == VSLOT_MSG_NOTICE_REMOVED && vslot_msg_id(m) == 0) {
		struct vslot_notice n = {
			.type = VSLOT_MSG_NOTICE_REMOVED,
			.function = le32toh(m->u.removed.function),
			.reason = le32toh(m->u.removed.reason),
		};

		if (n.function == c->fn) {
			c->removed = true;
			c->gone_why = vslot_remove_reason_str(n.reason);
		}
		queue_notice(c, &n);
	}
	/* else: a late reply to a timed-out request, or an unknown notice */
}

/*
 * Receive one message within @timeout_ms (0: don't wait).
 * Returns 0, -EAGAIN (nothing), -ETIMEDOUT, -ENOTCONN (closed), -EPROTO.
 */
static int
recv_one(struct vslot_client *c, int timeout_ms, struct vslot_msg *m, int *fds,
	struct vslot_rx *rx)
{
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
	int rc;

	if (!c->connected)
		return -ENOTCONN;
	if (timeout_ms > 0) {
		do {
			rc = poll(&pfd, 1, timeout_ms);
		} while (rc < 0 && errno == EINTR);
		if (rc == 0)
			return -ETIMEDOUT;
	}
	rc = vslot_recv(c->sock, m, fds, VSLOT_MAX_FDS, rx, MSG_DONTWAIT);
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		return timeout_ms > 0 ? -EINTR : -EAGAIN;
	if (rc < 0 || rx->len == 0) {
		disconnect(c, "connection closed by the card");
		return -ENOTCONN;
	}
	if (rx->truncated || (size_t)rx->len != sizeof(*m) || vslot_msg_check_hdr(m) < 0) {
		vslot_close_fds(fds, rx->nfds);
		disconnect(c, "malformed message from the card");
		return -EPROTO;
	}
	return 0;
}

/* Send a request with an optional fd, within the timeout. */
static int
send_req(struct vslot_client *c, const struct vslot_msg *req, int fd, uint64_t deadline)
{
	for (;;) {
		int rc = vslot_send(c->sock, req, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0,
			MSG_DONTWAIT);
		struct pollfd pfd = { .fd = c->sock, .events = POLLOUT };
		uint64_t now;

		if (rc != -EAGAIN && rc != -EWOULDBLOCK)
			return rc;
		now = vslot_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		poll(&pfd, 1, (int)(deadline - now));
	}
}

/*
 * One request/reply exchange (c->lock held). On success the reply is in
 * @rep and its fds (at most @max_fds, else -EPROTO) in @fds/@nfds.
 */
static int
rpc(struct vslot_client *c, struct vslot_msg *req, int fd, struct vslot_msg *rep, int *fds,
	unsigned max_fds, unsigned *nfds)
{
	uint16_t type = vslot_msg_type(req);
	uint64_t id = ++c->next_id;
	uint64_t deadline = vslot_now_ms() + (uint64_t)c->timeout_ms;
	int rfds[VSLOT_MAX_FDS];
	int rc;

	if (nfds != NULL)
		*nfds = 0;
	if (!c->connected) {
		set_err(c, "vslot: %s: not connected (%s)", msg_name(type),
			c->gone_why ? c->gone_why : "closed");
		return -ENOTCONN;
	}
	if (id == 0)
		id = ++c->next_id;
	req->hdr.req_id = htole64(id);
	rc = send_req(c, req, fd, deadline);
	if (rc == -ETIMEDOUT) {
		set_err(c, "vslot: %s: cannot send within %d ms", msg_name(type), c->timeout_ms);
		return rc;
	}
	if (rc < 0) {
		if (rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN) {
			disconnect(c, "connection closed by the card");
			rc = -ENOTCONN;
		}
		set_err(c, "vslot: %s: send: %s", msg_name(type), strerror(-rc));
		return rc;
	}
	for (;;) {
		struct vslot_rx rx;
		uint64_t now = vslot_now_ms();
		int32_t st;

		if (now >= deadline) {
			set_err(c, "vslot: %s: no reply from the card within %d ms", msg_name(type),
				c->timeout_ms);
			return -ETIMEDOUT;
		}
		rc = recv_one(c, (int)(deadline - now), rep, rfds, &rx);
		if (rc == -EINTR || rc == -ETIMEDOUT)
			continue;
		if (rc < 0) {
			set_err(c, "vslot: %s: %s", msg_name(type),
				rc == -EPROTO ? "malformed message from the card" :
				(c->gone_why ? c->gone_why : "connection closed by the card"));
			return rc;
		}
		if (vslot_msg_id(rep) != id || !(vslot_msg_type(rep) & VSLOT_MSG_REPLY)) {
			handle_unsolicited(c, rep, rfds, rx.nfds);
			continue;
		}
		st = vslot_msg_status(rep);
		if (vslot_msg_type(rep) != (type | VSLOT_MSG_REPLY) || st > 0 || st < -4095 ||
				rx.nfds > max_fds || rx.ctrunc || (st < 0 && rx.nfds > 0)) {
			vslot_close_fds(rfds, rx.nfds);
			disconnect(c, "malformed reply from the card");
			set_err(c, "vslot: %s: malformed reply from the card", msg_name(type));
			return -EPROTO;
		}
		if (st < 0) {
			rep->u.error.msg[VSLOT_ERRMSG_LEN - 1] = '\0';
			set_err(c, "vslot: %s: %s", msg_name(type),
				rep->u.error.msg[0] ? rep->u.error.msg : strerror(-st));
			return st;
		}
		if (fds != NULL)
			memcpy(fds, rfds, rx.nfds * sizeof(int));
		if (nfds != NULL)
			*nfds = rx.nfds;
		return 0;
	}
}

/* ------------------------------------------------------------------------ */

static void
client_free(struct vslot_client *c)
{
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++)
		if (c->bars[i].ptr != NULL)
			munmap(c->bars[i].ptr, c->bars[i].size);
	vslot_close_fds(c->irq_fds, c->nb_irqs);
	if (c->sock >= 0)
		close(c->sock);
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->evfd >= 0)
		close(c->evfd);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Check the HELLO reply and take its fds (closed on failure). */
static int
take_hello(struct vslot_client *c, const struct vslot_msg *rep, int *fds, unsigned nfds)
{
	const struct vslot_msg_hello_reply *h = &rep->u.hello_reply;
	unsigned nb_bars = le16toh(h->nb_bars);
	unsigned nb_irqs = le16toh(h->nb_irqs);
	int rc = -EPROTO;

	if (le32toh(h->function) != c->fn || nb_bars > VSLOT_MAX_BARS || nb_irqs > VSLOT_MAX_IRQS ||
			nfds != nb_bars + nb_irqs) {
		set_err(c, "vslot: HELLO: inconsistent reply (%u BARs, %u irqs, %u fds)", nb_bars,
			nb_irqs, nfds);
		goto out;
	}
	for (unsigned i = 0; i < nb_bars; i++) {
		unsigned idx = le32toh(h->bars[i].index);
		uint64_t size = le64toh(h->bars[i].size);
		struct stat st;
		void *p;

		if (idx >= VSLOT_MAX_BARS || c->bars[idx].ptr != NULL || size == 0 ||
				size > SIZE_MAX / 2 || fstat(fds[i], &st) < 0 ||
				!S_ISREG(st.st_mode) || (uint64_t)st.st_size < size) {
			set_err(c, "vslot: HELLO: bad BAR %u (size %llu)", idx,
				(unsigned long long)size);
			goto out;
		}
		p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (p == MAP_FAILED) {
			rc = -errno;
			set_err(c, "vslot: HELLO: mmap of BAR %u: %s", idx, strerror(-rc));
			goto out;
		}
		c->bars[idx].ptr = p;
		c->bars[idx].size = (size_t)size;
	}
	vslot_close_fds(fds, nb_bars);
	for (unsigned v = 0; v < nb_irqs; v++) {
		c->irq_fds[v] = fds[nb_bars + v];
		fds[nb_bars + v] = -1;
	}
	c->nb_irqs = nb_irqs;
	return 0;
out:
	vslot_close_fds(fds, nfds);
	return rc;
}

static struct vslot_client *
client_open(const char *path, unsigned fn, uint64_t token, const char *key_path, char *err,
	size_t errlen)
{
	uint8_t key[VSLOT_PF_KEY_LEN];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct vslot_client *c;
	struct vslot_msg req, rep;
	int fds[VSLOT_MAX_FDS];
	unsigned nfds = 0;
	char fname[16];
	int rc;

	vslot_fmt(err, errlen, "%s", "");
	if (path == NULL || strlen(path) >= sizeof(sa.sun_path)) {
		vslot_fmt(err, errlen, "vslot: bad socket path");
		errno = path == NULL ? EINVAL : ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		vslot_fmt(err, errlen, "vslot: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	c->sock = c->epfd = c->evfd = -1;
	for (unsigned v = 0; v < VSLOT_MAX_IRQS; v++)
		c->irq_fds[v] = -1;
	c->fn = fn;
	c->timeout_ms = VSLOT_CLIENT_DEFAULT_TIMEOUT_MS;
	pthread_mutex_init(&c->lock, NULL);
	vslot_fn_name(fn, fname, sizeof(fname));

	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	c->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->sock < 0 || c->evfd < 0 || c->epfd < 0) {
		rc = -errno;
		set_err(c, "vslot: %s", strerror(-rc));
		goto fail;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			set_err(c, "vslot: no socket at %s (is the card running?)", path);
		else if (rc == -ECONNREFUSED)
			set_err(c, "vslot: nothing listens on %s (stale socket: card gone?)", path);
		else
			set_err(c, "vslot: connect %s: %s", path, strerror(-rc));
		goto fail;
	}
	ev.data.fd = c->sock;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->sock, &ev) < 0) {
		rc = -errno;
		set_err(c, "vslot: epoll: %s", strerror(-rc));
		goto fail;
	}
	ev.data.fd = c->evfd;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->evfd, &ev) < 0) {
		rc = -errno;
		set_err(c, "vslot: epoll: %s", strerror(-rc));
		goto fail;
	}
	c->connected = true;

	vslot_msg_init(&req, VSLOT_MSG_HELLO, 0, 0);
	req.u.hello.function = htole32(fn);
	req.u.hello.token = htole64(token);
	if (key_path != NULL) {
		/* read after connect: a missing or stale socket is reported as such */
		rc = vslot_pf_key_read(key_path, key, c->err, sizeof(c->err));
		if (rc < 0)
			goto fail;
		memcpy(req.u.hello.pf_key, key, VSLOT_PF_KEY_LEN);
		explicit_bzero(key, sizeof(key));
	}
	rc = rpc(c, &req, -1, &rep, fds, VSLOT_MAX_FDS, &nfds);
	explicit_bzero(req.u.hello.pf_key, sizeof(req.u.hello.pf_key));
	if (rc == 0)
		rc = take_hello(c, &rep, fds, nfds);
	if (rc < 0) {
		char why[VSLOT_ERR_LEN];

		/* prefix the failure with what we tried to open */
		snprintf(why, sizeof(why), "%s", c->err);
		set_err(c, "vslot: open %s on %s: %s", fname, path,
			strncmp(why, "vslot: HELLO: ", 14) == 0 ? why + 14 : why);
		goto fail;
	}
	return c;

fail:
	vslot_fmt(err, errlen, "%s", c->err);
	client_free(c);
	errno = -rc;
	return NULL;
}

struct vslot_client *
vslot_client_open_pf(const char *path, const char *key_path, char *err, size_t errlen)
{
	char def[PATH_MAX];
	if (path == NULL) {
		vslot_fmt(err, errlen, "vslot: no socket path");
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		vslot_fmt(err, errlen, "vslot: socket path too long: %s", path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (key_path == NULL) {
		if (vslot_pf_key_default_path(path, def, sizeof(def)) < 0) {
			vslot_fmt(err, errlen, "vslot: socket path too long");
			errno = ENAMETOOLONG;
			return NULL;
		}
		key_path = def;
	}
	return client_open(path, VSLOT_FN_PF, 0, key_path, err, errlen);
}

struct vslot_client *
vslot_client_open(const char *path, unsigned fn, uint64_t token, char *err, size_t errlen)
{
	if (fn == VSLOT_FN_PF)
		return vslot_client_open_pf(path, NULL, err, errlen);
	return client_open(path, fn, token, NULL, err, errlen);
}

void
vslot_client_close(struct vslot_client *c)
{
	if (c != NULL)
		client_free(c);
}

unsigned
vslot_client_function(const struct vslot_client *c)
{
	return c->fn;
}

void *
vslot_client_bar(struct vslot_client *c, unsigned bar, size_t *size)
{
	if (size != NULL)
		*size = 0;
	if (c == NULL || bar >= VSLOT_MAX_BARS || c->bars[bar].ptr == NULL)
		return NULL;
	if (size != NULL)
		*size = c->bars[bar].size;
	return c->bars[bar].ptr;
}

unsigned
vslot_client_nb_irqs(const struct vslot_client *c)
{
	return c->nb_irqs;
}

int
vslot_client_irq_fd(struct vslot_client *c, unsigned vector)
{
	if (c == NULL || vector >= c->nb_irqs)
		return -EINVAL;
	return c->irq_fds[vector];
}

int
vslot_client_notice_fd(struct vslot_client *c)
{
	return c->epfd;
}

int
vslot_client_poll_notice(struct vslot_client *c, struct vslot_notice *n)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	/* pick up what arrived while nobody was waiting for a reply */
	while (c->q_count == 0 && c->connected) {
		struct vslot_msg m;
		struct vslot_rx rx;
		int fds[VSLOT_MAX_FDS];

		if (recv_one(c, 0, &m, fds, &rx) < 0)
			break;
		handle_unsolicited(c, &m, fds, rx.nfds);
	}
	if (c->q_count > 0) {
		*n = c->q[c->q_head];
		c->q_head = (c->q_head + 1) % VSLOT_NOTICE_QLEN;
		c->q_count--;
		rc = 1;
	} else {
		rc = c->connected ? 0 : -ENOTCONN;
	}
	if (c->q_count == 0) {
		uint64_t v;

		if (read(c->evfd, &v, sizeof(v)) < 0) {
			/* not signalled */
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Run a simple request (no fds back). */
static int
simple_rpc(struct vslot_client *c, struct vslot_msg *req, int fd, struct vslot_msg *rep)
{
	struct vslot_msg tmp;
	int rc;

	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	rc = rpc(c, req, fd, rep != NULL ? rep : &tmp, NULL, 0, NULL);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
vslot_client_dma_map(struct vslot_client *c, uint64_t iova, uint64_t len, int fd,
	uint64_t offset)
{
	struct vslot_msg req;

	if (c != NULL && fd < 0) {
		pthread_mutex_lock(&c->lock);
		set_err(c, "vslot: DMA_MAP: bad fd %d", fd);
		pthread_mutex_unlock(&c->lock);
		return -EBADF;
	}
	vslot_msg_init(&req, VSLOT_MSG_DMA_MAP, 0, 0);
	req.u.dma.iova = htole64(iova);
	req.u.dma.len = htole64(len);
	req.u.dma.offset = htole64(offset);
	return simple_rpc(c, &req, fd, NULL);
}

int
vslot_client_dma_unmap(struct vslot_client *c, uint64_t iova, uint64_t len)
{
	struct vslot_msg req;

	vslot_msg_init(&req, VSLOT_MSG_DMA_UNMAP, 0, 0);
	req.u.dma.iova = htole64(iova);
	req.u.dma.len = htole64(len);
	return simple_rpc(c, &req, -1, NULL);
}

int
vslot_client_grant(struct vslot_client *c, unsigned vf, uint64_t token)
{
	struct vslot_msg req;

	vslot_msg_init(&req, VSLOT_MSG_GRANT, 0, 0);
	req.u.grant.vf = htole32(vf);
	req.u.grant.token = htole64(token);
	return simple_rpc(c, &req, -1, NULL);
}

int
vslot_client_revoke(struct vslot_client *c, unsigned vf)
{
	struct vslot_msg req;

	vslot_msg_init(&req, VSLOT_MSG_REVOKE, 0, 0);
	req.u.grant.vf = htole32(vf);
	return simple_rpc(c, &req, -1, NULL);
}

int
vslot_client_set_numvfs(struct vslot_client *c, unsigned n)
{
	struct vslot_msg req;
	int saved, rc;

	if (c == NULL)
		return -EINVAL;
	/* creating or destroying hundreds of functions is not a quick request (nor is a
	 * write to sriov_numvfs): it gets the longer of the client's timeout and this */
	saved = c->timeout_ms;
	c->timeout_ms = saved > VSLOT_CLIENT_NUMVFS_TIMEOUT_MS ? saved : VSLOT_CLIENT_NUMVFS_TIMEOUT_MS;
	vslot_msg_init(&req, VSLOT_MSG_SET_NUMVFS, 0, 0);
	req.u.numvfs.n = htole32(n);
	rc = simple_rpc(c, &req, -1, NULL);
	c->timeout_ms = saved;
	return rc;
}

static int
get_count(struct vslot_client *c, uint16_t type, unsigned *n)
{
	struct vslot_msg req, rep;
	int rc;

	vslot_msg_init(&req, type, 0, 0);
	rc = simple_rpc(c, &req, -1, &rep);
	if (rc == 0 && n != NULL)
		*n = le32toh(rep.u.numvfs.n);
	return rc;
}

int
vslot_client_get_numvfs(struct vslot_client *c, unsigned *n)
{
	return get_count(c, VSLOT_MSG_GET_NUMVFS, n);
}

int
vslot_client_get_totalvfs(struct vslot_client *c, unsigned *n)
{
	return get_count(c, VSLOT_MSG_GET_TOTALVFS, n);
}

void
vslot_client_set_timeout(struct vslot_client *c, int timeout_ms)
{
	if (c == NULL || timeout_ms <= 0)
		return;
	pthread_mutex_lock(&c->lock);
	c->timeout_ms = timeout_ms;
	pthread_mutex_unlock(&c->lock);
}

const char *
vslot_client_strerror(struct vslot_client *c)
{
	return c != NULL ? c->err : "";
}

void
vslot_client_last_error(struct vslot_client *c, char *buf, size_t len)
{
	if (c == NULL) {
		vslot_fmt(buf, len, "%s", "");
		return;
	}
	pthread_mutex_lock(&c->lock);
	vslot_fmt(buf, len, "%s", c->err);
	pthread_mutex_unlock(&c->lock);
}
