/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: sends sequence-numbered frames through a port of the
 * QDMA card's loopback and reports, across whatever happens to the port
 * meanwhile (pause, reconf), what was lost, duplicated or reordered and the
 * gaps without a received frame.
 *
 *   svff-trafficcheck [EAL options] -- [--port N] [--size B] [--burst N]
 *       [--rate PPS] [--duration S] [--gap-us US] [--window N]
 *       [--json FILE] [--ready FILE] [--stats FILE]
 *
 * One lcore (the main one) sends and receives.  At most --window frames are
 * in flight; frames tx_burst did not take are offered again, in order, never
 * dropped.  Stop: SIGINT/SIGTERM or --duration, then drain until 500 ms pass
 * without a frame, write the report, exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "tc.h"

#define TC_DRAIN_US 500000u     /* drain ends after this long without a frame */
#define TC_STALL_US 1000000u    /* a full window with nothing back this long: one more burst */
#define TC_IDLE_POLLS 256u      /* empty polls before the loop naps */
#define TC_NAP_US 20u
#define TC_STATS_US 10000u      /* --stats FILE period */

/* Written by the signal handlers only (the process's one piece of global state). */
static volatile sig_atomic_t tc_stop;
static volatile sig_atomic_t tc_dump;

static void
on_stop(int sig)
{
	tc_stop = sig;
}

static void
on_dump(int sig)
{
	tc_dump = sig;
}

static void
tc_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_dump;
	sigaction(SIGUSR1, &sa, NULL);
}


/* How many new frames may go now: window, --rate, stall relief. */
static uint32_t
tc_budget(struct tc_ctx *c, uint64_t now, uint64_t *extra, uint64_t *relief_ns)
{
	uint64_t fly = tc_seq_in_flight(&c->s), room, allowed;
	uint64_t last = RTE_MAX(c->s.last_rx_ns, *relief_ns);

	last = RTE_MAX(last, c->t0_ns);

	if (fly >= c->o.window + *extra && now - last > TC_STALL_US * 1000ull) {
		*extra += c->o.burst;   /* frames lost for good must not stop the run */
		*relief_ns = now;
	}
	room = fly < c->o.window + *extra ? c->o.window + *extra - fly : 0;
	if (c->o.rate != 0) {
		allowed = (uint64_t)((double)(now - c->t0_ns) * (double)c->o.rate / 1e9);
		allowed = allowed > c->s.next ? allowed - c->s.next : 0;
		room = RTE_MIN(room, allowed);
	}
	return (uint32_t)RTE_MIN(room, (uint64_t)c->o.burst);
}

static void
tc_mark_ready(struct tc_ctx *c)
{
	int fd;

	c->ready_done = true;
	if (c->o.ready == NULL)
		return;
	fd = open(c->o.ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "svff-trafficcheck: --ready %s: %s\n", c->o.ready, strerror(errno));
		return;
	}
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
}

/* --stats FILE: one fixed-width line, rewritten in place (a reader never sees it shrink). */
static void
tc_stats_write(struct tc_ctx *c, uint64_t now)
{
	char buf[96];
	int n;

	if (c->stats_fd < 0 || c->stats_failed || now - c->stats_ns < TC_STATS_US * 1000ull)
		return;
	c->stats_ns = now;
	n = snprintf(buf, sizeof(buf), "%020" PRIu64 " %020" PRIu64 " %020" PRIu64 " %010" PRIu64
		" %010" PRIu64 "\n", now, c->s.next, c->s.received, c->s.duplicated,
		c->s.reordered);
	if (pwrite(c->stats_fd, buf, (size_t)n, 0) != n) {
		fprintf(stderr, "svff-trafficcheck: --stats %s: %s (no more updates)\n",
			c->o.stats, strerror(errno));
		c->stats_failed = true;
	}
}

static void
tc_idle(unsigned int *idle)
{
	if (++*idle >= TC_IDLE_POLLS) {
		rte_delay_us_sleep(TC_NAP_US);
		*idle = 0;
	}
}

/* Send and receive until a signal or the end of --duration. */
static void
tc_run(struct tc_ctx *c)
{
	uint64_t end = c->o.duration > 0 ? c->t0_ns + (uint64_t)(c->o.duration * 1e9) : 0;
	uint64_t extra = 0, relief = 0, now;
	unsigned int idle = 0;

	while (!tc_stop) {
		now = tc_now_ns();
		if (end != 0 && now >= end)
			break;
		if (tc_port_send(&c->p, &c->s, &c->o, tc_budget(c, now, &extra, &relief)) +
		    tc_port_recv(&c->p, &c->s) == 0)
			tc_idle(&idle);
		else
			idle = 0;
		if (!c->ready_done && c->s.unique > 0)
			tc_mark_ready(c);
		if (tc_dump) {
			tc_dump = 0;
			tc_report(c, stderr, false);
		}
		tc_stats_write(c, now);
	}
	c->end_ns = tc_now_ns();
}

/* No more sending: take what comes back until TC_DRAIN_US pass without a frame. */
static void
tc_drain(struct tc_ctx *c)
{
	uint64_t quiet = TC_DRAIN_US * 1000ull, last = tc_now_ns();
	unsigned int idle = 0;

	while (tc_now_ns() - last < quiet) {
		if (tc_port_recv(&c->p, &c->s) > 0) {
			last = tc_now_ns();
			idle = 0;
		} else {
			tc_idle(&idle);
		}
	}
}

static int
tc_write_report(const struct tc_ctx *c)
{
	FILE *out = stdout;
	int rc;

	if (c->o.json != NULL) {
		out = fopen(c->o.json, "w");
		if (out == NULL) {
			fprintf(stderr, "svff-trafficcheck: --json %s: %s\n", c->o.json,
				strerror(errno));
			return -1;
		}
	}
	rc = tc_report(c, out, true);
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	return rc;
}

static int
tc_setup(struct tc_ctx *c)
{
	c->stats_fd = -1;
	if (c->o.stats != NULL) {
		c->stats_fd = open(c->o.stats, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->stats_fd < 0) {
			fprintf(stderr, "svff-trafficcheck: --stats %s: %s\n", c->o.stats,
				strerror(errno));
			return -1;
		}
	}
	if (tc_port_setup(&c->p, &c->o) != 0)
		return -1;
	c->t0_ns = tc_now_ns();
	if (tc_seq_init(&c->s, c->t0_ns, c->o.gap_us) != 0) {
		fprintf(stderr, "svff-trafficcheck: out of memory\n");
		return -1;
	}
	return 0;
}

/* --help after "--": answered before EAL starts (no hugepages needed). */
static bool
tc_wants_help(int argc, char **argv)
{
	int i = 1;

	while (i < argc && strcmp(argv[i], "--") != 0)
		i++;
	for (; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	struct tc_ctx c;
	int n, rc = 1;

	if (tc_wants_help(argc, argv)) {
		tc_args_usage(stdout, argv[0]);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	tc_signals();
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "svff-trafficcheck: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	n = tc_args_parse(&c.o, argc - n, argv + n);
	if (n != 0) {
		rte_eal_cleanup();
		return n > 0 ? 0 : 1;
	}
	if (tc_setup(&c) == 0) {
		tc_run(&c);
		tc_drain(&c);
		rc = tc_write_report(&c) == 0 ? 0 : 1;
	}
	tc_port_close(&c.p);
	tc_seq_free(&c.s);
	if (c.stats_fd >= 0)
		close(c.stats_fd);
	rte_eal_cleanup();
	return rc;
}
