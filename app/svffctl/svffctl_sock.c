/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry v2, the client side: connect (SOCK_SEQPACKET), read the
 * greeting {"version", "pid", "max_output_len"}, send one command, read
 * one reply.  Every message is one packet.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "svffctl.h"

/* DPDK 22.11 replies are at most 16 KiB; take more if the greeting says so. */
#define DEFAULT_MAX_OUTPUT (16 * 1024)
#define LARGEST_MAX_OUTPUT (64 * 1024 * 1024)

/* Receive one packet into a buffer of @p size (NUL-terminated), within @p timeout_ms. */
static ssize_t
recv_packet(int fd, char *buf, size_t size, int timeout_ms, const char *what,
		char *err, size_t errlen)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		snprintf(err, errlen, "no %s from svffd within %d s", what, timeout_ms / 1000);
		return -1;
	}
	n = rc < 0 ? -1 : recv(fd, buf, size - 1, MSG_TRUNC);
	if (n < 0) {
		snprintf(err, errlen, "reading the %s: %s", what, strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "svffd closed the connection instead of sending the %s "
			"(too many telemetry clients?)", what);
		return -1;
	}
	if ((size_t)n >= size) {
		snprintf(err, errlen, "the %s is longer than %zu bytes", what, size - 1);
		return -1;
	}
	buf[n] = '\0';
	return n;
}

/* The greeting's max_output_len (the largest reply), or -1. */
static long
greeting_max(const char *text, char *err, size_t errlen)
{
	json_t *g = json_loads(text, 0, NULL), *m;
	long max = -1;

	m = json_is_object(g) ? json_object_get(g, "max_output_len") : NULL;
	if (json_is_integer(m) && json_integer_value(m) > 0 &&
	    json_integer_value(m) <= LARGEST_MAX_OUTPUT)
		max = (long)json_integer_value(m);
	else
		snprintf(err, errlen, "not a DPDK telemetry v2 socket (greeting: %.80s)", text);
	json_decref(g);
	return max;
}

static int
connect_to(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot reach svffd at %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
svffctl_query(const char *path, const char *cmd, int timeout_ms, char **reply,
		char *err, size_t errlen)
{
	char greet[4096], *buf = NULL;
	long max;
	int fd;

	*reply = NULL;
	fd = connect_to(path, err, errlen);
	if (fd < 0)
		return -1;
	if (recv_packet(fd, greet, sizeof(greet), timeout_ms, "greeting", err, errlen) < 0)
		goto fail;
	max = greeting_max(greet, err, errlen);
	if (max < 0)
		goto fail;
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd)) {
		snprintf(err, errlen, "sending '%s': %s", cmd, strerror(errno));
		goto fail;
	}
	if (max < DEFAULT_MAX_OUTPUT)
		max = DEFAULT_MAX_OUTPUT;
	buf = malloc((size_t)max + 2);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (recv_packet(fd, buf, (size_t)max + 2, timeout_ms, "reply", err, errlen) < 0)
		goto fail;
	close(fd);
	*reply = buf;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}
