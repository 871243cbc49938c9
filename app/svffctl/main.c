/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svffctl [-f PREFIX] [--json] COMMAND [ARGS]: one svffd telemetry command,
 * its reply as a table (or as is with --json).  Exit 0 done, 1 refused by
 * svffd, 2 unreachable or bad usage.  A "busy" answer (the request was not
 * taken) is retried for up to a minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "svffctl.h"

/* A long init answers at the end; generous, it is no timing. */
#define REPLY_TIMEOUT_MS (120 * 1000)
/* "busy" (the request was not taken): sent again for this long, backing off to 1 s. */
#define BUSY_RETRY_MS (60 * 1000)

/* The reply to @p cmd, sent again while svffd answers "busy". */
static int
query(const char *path, const char *cmd, char **reply, char *err, size_t errlen)
{
	unsigned int waited_ms = 0, backoff_ms = 50;

	for (;;) {
		if (svffctl_query(path, cmd, REPLY_TIMEOUT_MS, reply, err, errlen) < 0)
			return -1;
		if (!svffctl_busy(cmd, *reply) || waited_ms >= BUSY_RETRY_MS)
			return 0;
		free(*reply);
		usleep(backoff_ms * 1000u);
		waited_ms += backoff_ms;
		backoff_ms = backoff_ms * 2 > 1000 ? 1000 : backoff_ms * 2;
	}
}

int
main(int argc, char **argv)
{
	struct svffctl_req req;
	char err[1024], path[600];
	char *reply;
	int status;

	if (svffctl_parse(argc, argv, &req, err, sizeof(err)) < 0) {
		fprintf(stderr, "svffctl: %s\n", err);
		return SVFFCTL_FAILED;
	}
	if (req.help) {
		svffctl_usage(stdout);
		return SVFFCTL_OK;
	}
	if (req.socket[0] != '\0')
		snprintf(path, sizeof(path), "%s", req.socket);
	else
		svffctl_socket_path(req.prefix, path, sizeof(path));
	if (query(path, req.cmd, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "svffctl: %s\n", err);
		return SVFFCTL_FAILED;
	}
	status = svffctl_show(req.cmd, reply, req.json, req.fmt, stdout, stderr);
	free(reply);
	return status;
}
