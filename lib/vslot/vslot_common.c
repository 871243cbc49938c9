/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helpers: message framing, fd passing, function names.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vslot_priv.h"
#include "vslot_proto.h"

void
vslot_msg_init(struct vslot_msg *m, uint16_t type, uint64_t req_id, int32_t status)
{
	memset(m, 0, sizeof(*m));
	m->hdr.magic = htole32(VSLOT_PROTO_MAGIC);
	m->hdr.version = htole16(VSLOT_PROTO_VERSION);
	m->hdr.type = htole16(type);
	m->hdr.req_id = htole64(req_id);
	m->hdr.status = (int32_t)htole32((uint32_t)status);
}

void
vslot_msg_set_error(struct vslot_msg *m, const char *fmt, ...)
{
	char buf[VSLOT_ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(m->u.error.msg, buf, sizeof(buf));
}

int
vslot_msg_check_hdr(const struct vslot_msg *m)
{
	if (le32toh(m->hdr.magic) != VSLOT_PROTO_MAGIC)
		return -EPROTO;
	if (le16toh(m->hdr.version) != VSLOT_PROTO_VERSION)
		return -EPROTO;
	if (m->hdr.rsvd != 0)
		return -EPROTO;
	return 0;
}

int
vslot_send(int sock, const struct vslot_msg *m, const int *fds, unsigned nfds, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VSLOT_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > VSLOT_MAX_FDS)
		return -EINVAL;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(*m))
		return -EIO;
	return 0;
}

void
vslot_close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int
vslot_recv(int sock, struct vslot_msg *m, int *fds, unsigned max_fds, struct vslot_rx *rx,
	int flags)
{
	union {
		/* room for more than we accept, so that excess fds can be closed */
		char buf[CMSG_SPACE(sizeof(int) * (VSLOT_MAX_FDS + 16))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	ssize_t n;

	memset(rx, 0, sizeof(*rx));
	memset(m, 0, sizeof(*m));
	do {
		n = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	rx->len = n;
	rx->truncated = (mh.msg_flags & MSG_TRUNC) != 0;
	rx->ctrunc = (mh.msg_flags & MSG_CTRUNC) != 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
				c->cmsg_len >= CMSG_LEN(0)) {
			size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			const unsigned char *p = CMSG_DATA(c);

			for (size_t i = 0; i < cnt; i++) {
				int fd;

				memcpy(&fd, p + i * sizeof(int), sizeof(int));
				if (rx->nfds < max_fds) {
					fds[rx->nfds++] = fd;
				} else {
					close(fd);
					rx->ctrunc = true;
				}
			}
		} else {
			rx->foreign_cmsg = true;
		}
	}
	if (n == 0) {
		/* EOF or an empty datagram: nobody handles it, its fds must not live on */
		vslot_close_fds(fds, rx->nfds);
		rx->nfds = 0;
	}
	return 0;
}

uint64_t
vslot_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
vslot_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int
vslot_fn_parse(const char *s)
{
	unsigned long v;
	char *end;
	int base_fn = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (strcasecmp(s, "pf") == 0)
		return VSLOT_FN_PF;
	if (strncasecmp(s, "vf", 2) == 0) {
		s += 2;
		base_fn = 1;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= (unsigned long)INT_MAX)
		return -EINVAL;
	return (int)v + base_fn;
}

const char *
vslot_fn_name(unsigned fn, char *buf, size_t len)
{
	if (fn == VSLOT_FN_PF)
		vslot_fmt(buf, len, "pf");
	else
		vslot_fmt(buf, len, "vf%u", VSLOT_FN_VF_INDEX(fn));
	return buf;
}

const char *
vslot_remove_reason_str(unsigned reason)
{
	switch (reason) {
	case VSLOT_REMOVED_NUMVFS:
		return "numvfs";
	case VSLOT_REMOVED_REVOKED:
		return "revoked";
	case VSLOT_REMOVED_FUNCTION:
		return "function removed";
	case VSLOT_REMOVED_SHUTDOWN:
		return "card shutdown";
	case VSLOT_REMOVED_SERVER_GONE:
		return "server gone";
	default:
		return "unknown";
	}
}

int
vslot_pf_key_default_path(const char *sock_path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", sock_path, VSLOT_PF_KEY_SUFFIX);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
vslot_pf_key_read(const char *key_path, uint8_t key[VSLOT_PF_KEY_LEN], char *err, size_t errlen)
{
	char buf[2 * VSLOT_PF_KEY_LEN + 2];
	ssize_t n;
	int fd = open(key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "cannot read the PF key %s: %s", key_path, strerror(e));
		return -e;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "cannot read the PF key %s: %s", key_path, strerror(e));
		return -e;
	}
	if (n < (ssize_t)(2 * VSLOT_PF_KEY_LEN) ||
			(n > (ssize_t)(2 * VSLOT_PF_KEY_LEN) && buf[2 * VSLOT_PF_KEY_LEN] != '\n'))
		goto bad;
	for (unsigned i = 0; i < VSLOT_PF_KEY_LEN; i++) {
		int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	vslot_fmt(err, errlen, "%s is not a PF key (%u hex bytes expected)", key_path,
		VSLOT_PF_KEY_LEN);
	return -EINVAL;
}
