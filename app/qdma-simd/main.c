/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qdma-simd: the emulated QDMA card as its own process ("the card in the slot").
 * Logs to stderr; SIGINT/SIGTERM shut it down cleanly (the socket is removed).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "qdma_sim.h"

static void
usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s --socket PATH [options]\n"
		"Run an emulated QDMA3.1 card (PF + SR-IOV VFs) in a virtual PCIe slot.\n\n"
		"  --socket PATH        slot socket to create (required)\n"
		"  --queues N           total queues, 1..2048 (default 2048)\n"
		"  --total-vfs N        SR-IOV TotalVFs, 0..252 (default 252)\n"
		"  --personality P      loopback | generator | sink (default loopback)\n"
		"  --card-mem SIZE      card memory for MM queues, suffix K/M/G (default 1M)\n"
		"  --open               development mode: any client may open any VF (no tokens)\n"
		"  --cpu N              pin the engine thread to CPU N\n"
		"  --verbose            debug logging\n"
		"  --help               this text\n",
		prog);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0' || v == 0 || v > (16ull << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int verbose;

static void
log_fn(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level >= 7 && !verbose)
		return;
	fprintf(stderr, "qdma-simd: %s\n", msg);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "queues", required_argument, NULL, 'q' },
		{ "total-vfs", required_argument, NULL, 'v' },
		{ "personality", required_argument, NULL, 'p' },
		{ "card-mem", required_argument, NULL, 'm' },
		{ "open", no_argument, NULL, 'o' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qdma_sim_cfg cfg;
	struct qdma_sim *sim;
	struct qdma_sim_stats st;
	struct rlimit rl;
	sigset_t set;
	char err[256];
	unsigned long v;
	int c, sig;

	qdma_sim_cfg_defaults(&cfg);
	cfg.log = log_fn;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.socket_path = optarg;
			break;
		case 'q':
			if (parse_uint(optarg, 2048, &v) < 0 || v == 0) {
				fprintf(stderr, "qdma-simd: --queues must be 1..2048\n");
				return 2;
			}
			cfg.nb_queues = (unsigned)v;
			break;
		case 'v':
			if (parse_uint(optarg, QDMA_SIM_MAX_VFS, &v) < 0) {
				fprintf(stderr, "qdma-simd: --total-vfs must be 0..252\n");
				return 2;
			}
			cfg.total_vfs = (unsigned)v;
			break;
		case 'p':
			c = qdma_sim_personality_parse(optarg);
			if (c < 0) {
				fprintf(stderr, "qdma-simd: unknown personality '%s'\n", optarg);
				return 2;
			}
			cfg.personality = (enum qdma_sim_personality)c;
			break;
		case 'm':
			if (parse_size(optarg, &cfg.card_mem) < 0) {
				fprintf(stderr, "qdma-simd: bad --card-mem '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			cfg.open_mode = true;
			break;
		case 'c':
			if (parse_uint(optarg, 4095, &v) < 0) {
				fprintf(stderr, "qdma-simd: bad --cpu '%s'\n", optarg);
				return 2;
			}
			cfg.engine_cpu = (int)v;
			break;
		case 'V':
			verbose = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (cfg.socket_path == NULL || optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	/* every VF holds a BAR memfd and an eventfd: lift the fd limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* block the signals before any thread starts; main waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg.open_mode)
		fprintf(stderr, "qdma-simd: WARNING: --open: any client may open any VF "
				"without a grant (development mode)\n");
	sim = qdma_sim_create(&cfg, err, sizeof(err));
	if (sim == NULL) {
		fprintf(stderr, "qdma-simd: %s\n", err);
		return 1;
	}
	fprintf(stderr, "qdma-simd: ready on %s (pid %d)\n", cfg.socket_path, (int)getpid());
	if (sigwait(&set, &sig) != 0)
		sig = SIGTERM;
	fprintf(stderr, "qdma-simd: %s, shutting down\n", strsignal(sig));
	qdma_sim_get_stats(sim, &st);
	qdma_sim_destroy(sim);
	fprintf(stderr,
		"qdma-simd: polls %llu (idle %llu, sleeps %llu), ctx cmds %llu, mbox msgs %llu, "
		"h2c %llu pkts, c2h %llu pkts, errors %llu, flrs %llu\n",
		(unsigned long long)st.polls, (unsigned long long)st.idle_polls,
		(unsigned long long)st.sleeps, (unsigned long long)st.ind_cmds,
		(unsigned long long)st.mbox_msgs, (unsigned long long)st.h2c_pkts,
		(unsigned long long)st.c2h_pkts, (unsigned long long)st.errors,
		(unsigned long long)st.flrs);
	return 0;
}
