/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svffctl [-f PREFIX] [--json] COMMAND [ARGS]: one svffd telemetry command,
 * its reply as a table (or as is with --json).  Exit 0 done, 1 refused by
 * svffd, 2 unreachable or bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "svffctl.h"

/* A long init answers at the end; generous, it is no timing. */
#define REPLY_TIMEOUT_MS (120 * 1000)

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
	if (svffctl_query(path, req.cmd, REPLY_TIMEOUT_MS, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "svffctl: %s\n", err);
		return SVFFCTL_FAILED;
	}
	status = svffctl_show(req.cmd, reply, req.json, req.fmt, stdout, stderr);
	free(reply);
	return status;
}
