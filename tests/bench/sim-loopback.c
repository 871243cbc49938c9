/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark (not a test): ST loopback through the emulated card. The card runs in this process
 * (engine thread pinned to CPU 0); the driver runs in a forked child pinned to CPU 1 and reaches
 * the card only through its BARs and DMA memory (tests/sim/simdrv). For 64/256/1500/4096 B
 * packets and 1 and 4 queues it runs a few seconds and prints packets/s and GB/s, and the rate
 * of plain memcpy of the same byte volume (in packet-sized copies, on the driver's CPU) as the
 * ceiling, with the ratio. The driver does not copy payloads (descriptors point at prefilled
 * buffers), as a PMD handing over mbufs would not.
 *
 * usage: bench-sim-loopback [seconds-per-case]   (default 3)
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qdma_sim.h"
#include "simdrv.h"

#define NQ_MAX 4
#define RSZ_IDX 8   /* 1025 entries */
#define CMPT_IDX 0  /* 2049 entries */
#define BUF_IDX 0   /* 4096 B */
#define BURST 32u

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

struct bq {
	struct simq q;
	uint32_t tx_cidx;
};

static int
run_case(struct simdrv *pf, struct bq *bq, unsigned nq, uint32_t size, double secs)
{
	uint64_t pkts = 0, bytes = 0, rounds = 0;
	double t0, t1, m0, m1;
	unsigned i;

	for (i = 0; i < nq; i++) {
		struct simq *q = &bq[i].q;

		if (simq_start_c2h(q) || simq_start_h2c(q))
			return -1;
		bq[i].tx_cidx = 0;
	}
	t0 = now_s();
	t1 = t0 + secs;
	while (1) {
		for (i = 0; i < nq; i++) {
			struct simq *q = &bq[i].q;
			const struct qdma_status_desc *hs =
				(const void *)(q->h2c + qdma_ring_status_off(q->r, 16));
			const struct qdma_status_desc *cs =
				(const void *)(q->cmpt + qdma_ring_status_off(q->rc, q->esz));
			uint32_t cidx = __atomic_load_n(&hs->cidx, __ATOMIC_ACQUIRE);
			uint32_t n = qdma_ring_free(q->h2c_pidx, cidx, q->r), k, p, got;

			if (n > BURST)
				n = BURST;
			for (k = 0; k < n; k++) {
				struct qdma_h2c_st_desc *d = (void *)(q->h2c + (size_t)q->h2c_pidx * 16);

				qdma_h2c_st_desc_fill(d, q->tx_iova + (uint64_t)(q->h2c_pidx % 64) * 4096,
					(uint16_t)size, 0);
				q->h2c_pidx = qdma_ring_next(q->h2c_pidx, q->r);
			}
			if (n) {
				__atomic_thread_fence(__ATOMIC_RELEASE);
				simq_db_h2c(q, q->h2c_pidx);
			}
			p = __atomic_load_n(&cs->pidx, __ATOMIC_ACQUIRE);
			got = qdma_ring_count(p, q->cmpt_cidx, q->rc);
			for (k = 0; k < got; k++) {
				uint64_t e = *(volatile uint64_t *)(q->cmpt + (size_t)q->cmpt_cidx * q->esz);
				uint32_t len = qdma_cmpt_entry_len(e);
				uint32_t nd = (len + q->bufsz - 1) / q->bufsz;

				bytes += len;
				q->cmpt_cidx = qdma_ring_next(q->cmpt_cidx, q->rc);
				q->c2h_pidx = qdma_ring_add(q->c2h_pidx, nd ? nd : 1, q->r);
			}
			if (got) {
				pkts += got;
				simq_db_cmpt(q, q->cmpt_cidx);
				simq_db_c2h(q, q->c2h_pidx);
			}
		}
		/* look at the clock every 64 rounds, whatever the packet count */
		if ((++rounds & 0x3F) == 0 && now_s() > t1)
			break;
	}
	t1 = now_s() - t0;
	for (i = 0; i < nq; i++)
		simq_stop(&bq[i].q);
	/* memcpy ceiling: the same number of packet-sized copies */
	{
		size_t ws = 4u << 20;
		uint8_t *a = malloc(ws), *b = malloc(ws);
		uint64_t c, off = 0;

		memset(a, 1, ws);
		memset(b, 2, ws);
		m0 = now_s();
		for (c = 0; c < pkts; c++) {
			memcpy(b + off, a + off, size);
			off += 4096;
			if (off + 4096 > ws)
				off = 0;
		}
		m1 = now_s() - m0;
		__asm__ volatile("" : : "r"(b) : "memory");
		free(a);
		free(b);
	}
	printf("%5u B  %u queue%s  %10.0f pkt/s  %7.3f GB/s   memcpy %8.3f GB/s   ratio %5.1f%%\n",
		size, nq, nq > 1 ? "s" : " ", (double)pkts / t1, (double)bytes / t1 / 1e9,
		(double)bytes / m1 / 1e9, 100.0 * ((double)bytes / t1) / ((double)bytes / m1));
	fflush(stdout);
	(void)pf;
	return 0;
}

static int
driver(const char *sock, double secs)
{
	static const uint32_t sizes[] = { 64, 256, 1500, 4096 };
	static const unsigned nqs[] = { 1, 4 };
	struct simdrv pf;
	struct bq bq[NQ_MAX];
	unsigned i, s, n;

	pin(1);
	if (simdrv_open(&pf, sock, VSLOT_FN_PF, 200u << 20, 0x100000000ull) || simdrv_pf_init(&pf) ||
	    simdrv_fmap(&pf, 0, 0, NQ_MAX))
		return 1;
	printf("driver on CPU 1, card engine on CPU 0, DMA memory: %s\n",
		pf.huge ? "hugepages" : "memfd");
	for (i = 0; i < NQ_MAX; i++) {
		if (simq_init(&bq[i].q, &pf, &pf, 0, i, i, RSZ_IDX, CMPT_IDX, BUF_IDX, 0))
			return 1;
		memset(bq[i].q.tx, 0xA5, 64 * 4096);
	}
	for (n = 0; n < 2; n++)
		for (s = 0; s < 4; s++)
			if (run_case(&pf, bq, nqs[n], sizes[s], secs))
				return 1;
	simdrv_close(&pf);
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/simbench.XXXXXX", sock[128], err[256];
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	struct qdma_sim_cfg cfg;
	struct qdma_sim_stats st;
	struct qdma_sim *sim;
	int status = 1;
	pid_t pid;

	if (secs <= 0)
		secs = 3.0;
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.total_vfs = 0;
	cfg.engine_cpu = 0;
	sim = qdma_sim_create(&cfg, err, sizeof(err));
	if (sim == NULL) {
		fprintf(stderr, "card: %s\n", err);
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(driver(sock, secs));
	if (pid > 0)
		waitpid(pid, &status, 0);
	qdma_sim_get_stats(sim, &st);
	printf("engine: %llu polls, %.1f%% idle, %llu sleeps, %llu h2c pkts, %llu c2h pkts\n",
		(unsigned long long)st.polls,
		st.polls ? 100.0 * (double)st.idle_polls / (double)st.polls : 0.0,
		(unsigned long long)st.sleeps, (unsigned long long)st.h2c_pkts,
		(unsigned long long)st.c2h_pkts);
	qdma_sim_destroy(sim);
	rmdir(dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
