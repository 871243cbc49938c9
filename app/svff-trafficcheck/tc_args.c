/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: the options after "--".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include "tc.h"

/* How an option's value is read and where it goes. */
enum tc_kind { K_U16, K_U32, K_U64, K_SECS, K_STR };

struct tc_optdef {
	const char *name;
	enum tc_kind kind;
	size_t off;             /* in struct tc_opts */
	uint64_t lo, hi;        /* integers only */
};

#define O(f) offsetof(struct tc_opts, f)
static const struct tc_optdef tc_optdefs[] = {
	{ "port", K_U16, O(port), 0, RTE_MAX_ETHPORTS - 1 },
	{ "size", K_U32, O(size), TC_MIN_SIZE, TC_MAX_SIZE },
	{ "burst", K_U32, O(burst), 1, TC_MAX_BURST },
	{ "rate", K_U64, O(rate), 0, UINT32_MAX },
	{ "window", K_U32, O(window), 1, 1u << 20 },
	{ "duration", K_SECS, O(duration), 0, 0 },
	{ "gap-us", K_SECS, O(gap_us), 0, 0 },
	{ "json", K_STR, O(json), 0, 0 },
	{ "ready", K_STR, O(ready), 0, 0 },
	{ "stats", K_STR, O(stats), 0, 0 },
};
#undef O

#define OPT_HELP 1000

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
tc_args_one(struct tc_opts *o, const struct tc_optdef *d, const char *arg)
{
	char *dst = (char *)o + d->off;
	uint64_t v;

	if (d->kind == K_STR) {
		memcpy(dst, &arg, sizeof(arg));
		return 0;
	}
	if (d->kind == K_SECS)
		return parse_secs(d->name, arg, (double *)(void *)dst);
	if (parse_u64(d->name, arg, d->lo, d->hi, &v) != 0)
		return -1;
	if (d->kind == K_U16)
		*(uint16_t *)(void *)dst = (uint16_t)v;
	else if (d->kind == K_U32)
		*(uint32_t *)(void *)dst = (uint32_t)v;
	else
		*(uint64_t *)(void *)dst = v;
	return 0;
}

/* Returns 0, 1 after --help, -1 on a bad option (message printed). */
int
tc_args_parse(struct tc_opts *o, int argc, char **argv)
{
	struct option lo[RTE_DIM(tc_optdefs) + 2];
	unsigned int i;
	int opt;

	memset(lo, 0, sizeof(lo));
	for (i = 0; i < RTE_DIM(tc_optdefs); i++)
		lo[i] = (struct option){ tc_optdefs[i].name, required_argument, NULL, (int)i };
	lo[i] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	tc_args_defaults(o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (opt == OPT_HELP) {
			tc_args_usage(stdout, argv[0]);
			return 1;
		}
		if (opt < 0 || opt >= (int)RTE_DIM(tc_optdefs) ||
		    tc_args_one(o, &tc_optdefs[opt], optarg) != 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "svff-trafficcheck: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}
