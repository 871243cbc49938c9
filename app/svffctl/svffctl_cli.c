/* SPDX-License-Identifier: BSD-3-Clause */
/* svffctl's command line: options, then one command mapped to /svff/... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svffctl.h"

#define DEFAULT_PREFIX "svff"

/* One command: its words after the name, and how its telemetry line is made. */
struct cmd_def {
	const char *name;
	const char *args;       /* usage of the arguments */
	int min, max;           /* number of arguments */
	const char *fmt;        /* the telemetry line: %s are the checked arguments */
	const char *fmt_opt;    /* with the optional last argument (max > min) */
	const char *kinds;      /* per argument: n = integer, v = VM name, r = raw command */
	svffctl_fmt_fn show;
};

static const struct cmd_def cmds[] = {
	{ "info", "", 0, 0, "/svff/info", NULL, "", svffctl_fmt_kv },
	{ "vfs", "", 0, 0, "/svff/vfs", NULL, "", svffctl_fmt_vfs },
	{ "vf", "N", 1, 1, "/svff/vf,%s", NULL, "n", svffctl_fmt_kv },
	{ "init", "N [Q]", 1, 2, "/svff/init,numvfs=%s", "/svff/init,numvfs=%s,qmax=%s", "nn",
		svffctl_fmt_init },
	{ "attach", "N VM", 2, 2, "/svff/attach,vf=%s,vm=%s", NULL, "nv", svffctl_fmt_attach },
	{ "detach", "N", 1, 1, "/svff/detach,vf=%s", NULL, "n", svffctl_fmt_attach },
	{ "reconf", "N Q", 2, 2, "/svff/reconf,vf=%s,qmax=%s", NULL, "nn", svffctl_fmt_attach },
	{ "pause", "N", 1, 1, "/svff/pause,vf=%s", NULL, "n", svffctl_fmt_attach },
	{ "unpause", "N", 1, 1, "/svff/unpause,vf=%s", NULL, "n", svffctl_fmt_attach },
	{ "ops", "", 0, 0, "/svff/ops", NULL, "", svffctl_fmt_ops },
	{ "help", "", 0, 0, "/svff/help", NULL, "", svffctl_fmt_help },
	{ "version", "", 0, 0, "/svff/version", NULL, "", svffctl_fmt_kv },
	{ "raw", "/CMD[,PARAMS]", 1, 1, "%s", NULL, "r", svffctl_fmt_json },
};

void
svffctl_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: svffctl [-f PREFIX] [-s SOCKET] [--json] COMMAND [ARGS]\n"
		"  -f, --file-prefix PREFIX  svffd's DPDK --file-prefix (default %s)\n"
		"  -s, --socket PATH         the telemetry socket itself\n"
		"  -j, --json                print svffd's JSON reply as is\n"
		"commands:\n", DEFAULT_PREFIX);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %s %s\n", cmds[i].name, cmds[i].args);
	fprintf(out, "exit status: 0 done, 1 refused by svffd, 2 unreachable or bad usage\n");
}

/* A decimal integer, as svffd wants it (no sign, no leading junk, < 10 digits). */
static bool
is_uint(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 10 && strspn(s, "0123456789") == n;
}

static bool
is_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789._-") == n;
}

static int
check_arg(char kind, const char *a, char *err, size_t errlen)
{
	if (kind == 'n' && !is_uint(a)) {
		snprintf(err, errlen, "'%s' is not a number (decimal digits)", a);
		return -1;
	}
	if (kind == 'v' && !is_name(a)) {
		snprintf(err, errlen, "'%s' is not a VM name ([A-Za-z0-9._-]{1,64})", a);
		return -1;
	}
	if (kind == 'r' && (a[0] != '/' || strpbrk(a, "\n\r") != NULL)) {
		snprintf(err, errlen, "'%s' is not a telemetry command (/group/name[,params])", a);
		return -1;
	}
	return 0;
}

static int
build(const struct cmd_def *d, int nargs, char **args, struct svffctl_req *req,
		char *err, size_t errlen)
{
	const char *fmt = nargs > d->min ? d->fmt_opt : d->fmt;
	int i, n;

	if (nargs < d->min || nargs > d->max) {
		snprintf(err, errlen, "usage: svffctl %s %s", d->name, d->args);
		return -1;
	}
	for (i = 0; i < nargs; i++)
		if (check_arg(d->kinds[i], args[i], err, errlen) < 0)
			return -1;
	/* the format strings above take exactly nargs strings */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = snprintf(req->cmd, sizeof(req->cmd), fmt, nargs > 0 ? args[0] : "",
		nargs > 1 ? args[1] : "");
#pragma GCC diagnostic pop
	if (n < 0 || (size_t)n >= sizeof(req->cmd)) {
		snprintf(err, errlen, "command longer than %d bytes", SVFFCTL_CMD_MAX - 1);
		return -1;
	}
	req->fmt = d->show;
	return 0;
}

static int
take_value(int argc, char **argv, int *i, char *dst, size_t len, char *err, size_t errlen)
{
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		snprintf(err, errlen, "%s needs a value", argv[*i]);
		return -1;
	}
	if (strlen(argv[*i + 1]) >= len) {
		snprintf(err, errlen, "%s: value too long", argv[*i]);
		return -1;
	}
	snprintf(dst, len, "%s", argv[++*i]);
	return 0;
}

int
svffctl_parse(int argc, char **argv, struct svffctl_req *req, char *err, size_t errlen)
{
	size_t k;
	int i;

	memset(req, 0, sizeof(*req));
	snprintf(req->prefix, sizeof(req->prefix), "%s", DEFAULT_PREFIX);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (strcmp(o, "-f") == 0 || strcmp(o, "--file-prefix") == 0) {
			if (take_value(argc, argv, &i, req->prefix, sizeof(req->prefix), err,
					errlen) < 0)
				return -1;
			if (strchr(req->prefix, '/') != NULL) {
				snprintf(err, errlen, "a file prefix has no '/'");
				return -1;
			}
		} else if (strcmp(o, "-s") == 0 || strcmp(o, "--socket") == 0) {
			if (take_value(argc, argv, &i, req->socket, sizeof(req->socket), err,
					errlen) < 0)
				return -1;
		} else if (strcmp(o, "-j") == 0 || strcmp(o, "--json") == 0) {
			req->json = true;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			req->help = true;
			return 0;
		} else {
			snprintf(err, errlen, "unknown option '%s'", o);
			return -1;
		}
	}
	if (i >= argc) {
		snprintf(err, errlen, "a command is needed (svffctl -h lists them)");
		return -1;
	}
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (strcmp(argv[i], cmds[k].name) == 0)
			return build(&cmds[k], argc - i - 1, argv + i + 1, req, err, errlen);
	snprintf(err, errlen, "unknown command '%s' (svffctl -h lists them)", argv[i]);
	return -1;
}

void
svffctl_socket_path(const char *prefix, char *path, size_t len)
{
	const char *base = "/var/run/dpdk";
	char tmp[512];

	/* where DPDK puts its runtime directory (eal_get_runtime_dir) */
	if (getuid() != 0) {
		const char *x = getenv("XDG_RUNTIME_DIR");

		snprintf(tmp, sizeof(tmp), "%s/dpdk", x != NULL ? x : "/tmp");
		base = tmp;
	}
	snprintf(path, len, "%s/%s/dpdk_telemetry.v2", base, prefix);
}
