/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal helpers shared by the client and server halves of lib/vslot.
 * Not installed, not part of the API.
 */
#ifndef VSLOT_PRIV_H
#define VSLOT_PRIV_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vslot_proto.h"

#define VSLOT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Zero @m and fill its header (little-endian). */
void vslot_msg_init(struct vslot_msg *m, uint16_t type, uint64_t req_id, int32_t status);

/* Header fields in host order. */
static inline uint16_t
vslot_msg_type(const struct vslot_msg *m)
{
	return le16toh(m->hdr.type);
}

static inline uint64_t
vslot_msg_id(const struct vslot_msg *m)
{
	return le64toh(m->hdr.req_id);
}

static inline int32_t
vslot_msg_status(const struct vslot_msg *m)
{
	return (int32_t)le32toh((uint32_t)m->hdr.status);
}

/* Fill an error reply text. */
void vslot_msg_set_error(struct vslot_msg *m, const char *fmt, ...) VSLOT_PRINTF(2, 3);

/*
 * Check magic, version and reserved header fields of a received datagram.
 * Returns 0 or -EPROTO.
 */
int vslot_msg_check_hdr(const struct vslot_msg *m);

/*
 * Send one datagram with @nfds fds (SCM_RIGHTS). MSG_NOSIGNAL is always
 * added to @flags. Returns 0 or a negative errno.
 */
int vslot_send(int sock, const struct vslot_msg *m, const int *fds, unsigned nfds, int flags);

/* Result of vslot_recv(). */
struct vslot_rx {
	ssize_t len;       /* bytes received; 0 = EOF */
	unsigned nfds;     /* fds stored in fds[] */
	bool truncated;    /* datagram was larger than VSLOT_MSG_SIZE */
	bool ctrunc;       /* fds were dropped (too many) */
	bool foreign_cmsg; /* ancillary data other than SCM_RIGHTS */
};

/*
 * Receive one datagram into @m (zeroed first) and at most @max_fds fds into
 * @fds (received with MSG_CMSG_CLOEXEC). Fds beyond @max_fds are closed.
 * Returns 0 (see @rx) or a negative errno (-EAGAIN when non-blocking and empty).
 */
int vslot_recv(int sock, struct vslot_msg *m, int *fds, unsigned max_fds, struct vslot_rx *rx,
	int flags);

/* Close every fd in @fds[0..n) that is >= 0 and set it to -1. */
void vslot_close_fds(int *fds, unsigned n);

/* Monotonic clock in milliseconds. */
uint64_t vslot_now_ms(void);

/* snprintf that tolerates a NULL/0-sized buffer. */
void vslot_fmt(char *buf, size_t len, const char *fmt, ...) VSLOT_PRINTF(3, 4);

#endif /* VSLOT_PRIV_H */
