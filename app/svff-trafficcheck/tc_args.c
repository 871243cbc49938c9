/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: the options after "--".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tc.h"

enum {
	OPT_PORT = 256,
	OPT_SIZE,
	OPT_BURST,
	OPT_RATE,
	OPT_DURATION,
	OPT_GAP_US,
	OPT_WINDOW,
	OPT_JSON,
	OPT_READY,
	OPT_STATS,
	OPT_HELP,
};

static const struct option tc_longopts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "gap-us", required_argument, NULL, OPT_GAP_US },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "ready", required_argument, NULL, OPT_READY },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void
tc_args_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Sends sequence-numbered frames out of a port and takes them back through\n"
		"the card's loopback; at the end (SIGINT/SIGTERM or --duration) it drains\n"
		"(until 500 ms without a frame) and writes one JSON object: sent, received,\n"
		"lost, duplicated, reordered, the gaps without a received frame, Mpps.\n"
		"SIGUSR1 prints the running figures to stderr.  The QDMA PMD is built in:\n"
		"  %s -l 1 --no-pci -m 64 --file-prefix tc0 \\\n"
		"      --vdev 'net_qdma0,card=...,fn=vf0,token=...' -- --duration 5\n"
		"\n"
		"Options:\n"
		"  --port N          port id (default 0)\n"
		"  --size BYTES      frame size, %u..%u (default 64)\n"
		"  --burst N         frames per tx_burst, 1..%u (default 32)\n"
		"  --rate PPS        frames per second (default 0: as fast as the port takes)\n"
		"  --duration SECS   stop sending after SECS (default 0: until a signal)\n"
		"  --gap-us US       list every gap of at least US microseconds (default 1000)\n"
		"  --window N        frames in flight at most (default 1024)\n"
		"  --json FILE       write the report to FILE (default stdout)\n"
		"  --ready FILE      create FILE once the first frame has come back\n"
		"  --stats FILE      rewrite FILE every 10 ms: CLOCK_MONOTONIC ns, sent,\n"
		"                    received, duplicated, reordered (fixed-width, one line)\n"
		"  --help            this help\n"
		"\n"
		"Exit status: 0 after the report, 1 on a setup error.\n",
		prog, prog, TC_MIN_SIZE, TC_MAX_SIZE, TC_MAX_BURST);
}

static void
tc_args_defaults(struct tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = 64;
	o->burst = 32;
	o->gap_us = 1000.0;
	o->window = 1024;
}

static int
parse_u64(const char *name, const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s == '-' || *s == '\0')
		goto bad;
	*v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < lo || *v > hi)
		goto bad;
	return 0;
bad:
	fprintf(stderr, "svff-trafficcheck: --%s '%s': want an integer in %" PRIu64
		"..%" PRIu64 "\n", name, s, lo, hi);
	return -1;
}

static int
parse_secs(const char *name, const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !isfinite(*v) || *v < 0 || *v > 1e7) {
		fprintf(stderr, "svff-trafficcheck: --%s '%s': want a number >= 0\n", name, s);
		return -1;
	}
	return 0;
}

static int
tc_args_one(struct tc_opts *o, int opt, const char *arg)
{
	uint64_t v = 0;
	int rc = 0;

	switch (opt) {
	case OPT_PORT:
		rc = parse_u64("port", arg, 0, RTE_MAX_ETHPORTS - 1, &v);
		o->port = (uint16_t)v;
		break;
	case OPT_SIZE:
		rc = parse_u64("size", arg, TC_MIN_SIZE, TC_MAX_SIZE, &v);
		o->size = (uint32_t)v;
		break;
	case OPT_BURST:
		rc = parse_u64("burst", arg, 1, TC_MAX_BURST, &v);
		o->burst = (uint32_t)v;
		break;
	case OPT_RATE:
		rc = parse_u64("rate", arg, 0, UINT32_MAX, &o->rate);
		break;
	case OPT_WINDOW:
		rc = parse_u64("window", arg, 1, 1u << 20, &v);
		o->window = (uint32_t)v;
		break;
	case OPT_DURATION:
		return parse_secs("duration", arg, &o->duration);
	case OPT_GAP_US:
		return parse_secs("gap-us", arg, &o->gap_us);
	case OPT_JSON:
		o->json = arg;
		break;
	case OPT_READY:
		o->ready = arg;
		break;
	case OPT_STATS:
		o->stats = arg;
		break;
	default:
		return -1;
	}
	return rc;
}

/* Returns 0, 1 after --help, -1 on a bad option (message printed). */
int
tc_args_parse(struct tc_opts *o, int argc, char **argv)
{
	int opt;

	tc_args_defaults(o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", tc_longopts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			tc_args_usage(stdout, argv[0]);
			return 1;
		}
		if (opt == '?' || tc_args_one(o, opt, optarg) != 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "svff-trafficcheck: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}
