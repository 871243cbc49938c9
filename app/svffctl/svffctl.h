/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svffctl: the command line of svffd.  It speaks DPDK's telemetry protocol
 * (v2: AF_UNIX SOCK_SEQPACKET, a JSON greeting, then one JSON reply per
 * command) to /var/run/dpdk/<prefix>/dpdk_telemetry.v2.
 *
 * The parts are separate so the tests can drive them: the command line
 * (svffctl_cli.c), the socket (svffctl_sock.c), the tables (svffctl_fmt.c).
 */
#ifndef SVFFCTL_H
#define SVFFCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/** Exit statuses. */
enum {
	SVFFCTL_OK = 0,       /**< the command was done */
	SVFFCTL_REFUSED = 1,  /**< svffd answered with an error (or knows no such command) */
	SVFFCTL_FAILED = 2,   /**< svffd unreachable, bad usage, or a malformed reply */
};

/** Longest telemetry command line svffctl sends. */
#define SVFFCTL_CMD_MAX 1024

/** Formats a reply's value for humans. */
typedef void (*svffctl_fmt_fn)(const json_t *value, FILE *out);

/** What the command line asks for. */
struct svffctl_req {
	char prefix[256];           /**< DPDK --file-prefix of svffd */
	char socket[512];           /**< socket path ("" = derived from the prefix) */
	bool json;                  /**< print the reply as is */
	bool help;                  /**< -h: usage on stdout, exit 0 */
	char cmd[SVFFCTL_CMD_MAX];  /**< telemetry command line, e.g. "/svff/vf,3" */
	svffctl_fmt_fn fmt;         /**< how to show the reply */
};

/**
 * Parse the command line (argv[0] is the program).
 * @return 0, or -1 with a sentence in @p err (bad usage).
 */
int svffctl_parse(int argc, char **argv, struct svffctl_req *req, char *err, size_t errlen);

/** Usage text. */
void svffctl_usage(FILE *out);

/** DPDK's telemetry socket path for @p prefix. */
void svffctl_socket_path(const char *prefix, char *path, size_t len);

/**
 * Send @p cmd on the telemetry socket at @p path and return the reply text
 * (malloc'ed, NUL-terminated) in @p reply.
 * @param timeout_ms how long to wait for the greeting and for the reply.
 * @return 0, or -1 with a sentence in @p err (unreachable, no reply, ...).
 */
int svffctl_query(const char *path, const char *cmd, int timeout_ms, char **reply,
		char *err, size_t errlen);

/**
 * Is @p reply svffd's "busy" refusal?  svffd answers it only for a request
 * its manager never took (queue full, or not picked up in time), so the
 * request can be sent again whatever it is.
 */
bool svffctl_busy(const char *cmd, const char *reply);

/**
 * Judge and show a reply: the value under the command's name is printed
 * with @p fmt (or, with @p json, the whole text as is) on @p out; a refusal
 * goes to @p errout.
 * @return the exit status (SVFFCTL_OK / SVFFCTL_REFUSED / SVFFCTL_FAILED).
 */
int svffctl_show(const char *cmd, const char *reply, bool json, svffctl_fmt_fn fmt,
		FILE *out, FILE *errout);

/** @name Formatters, one per command (svffctl_fmt.c) */
/**@{*/
void svffctl_fmt_kv(const json_t *v, FILE *out);      /**< info, vf N: key  value */
void svffctl_fmt_vfs(const json_t *v, FILE *out);
void svffctl_fmt_init(const json_t *v, FILE *out);
void svffctl_fmt_attach(const json_t *v, FILE *out);  /**< attach, detach, reconf */
void svffctl_fmt_ops(const json_t *v, FILE *out);
void svffctl_fmt_help(const json_t *v, FILE *out);
void svffctl_fmt_json(const json_t *v, FILE *out);    /**< raw: indented JSON */
/**@}*/

#endif /* SVFFCTL_H */
