/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark helper (not a test): the io-forwarding loop of testpmd (rx burst of 32, tx burst of
 * what came in, free what was refused) over one port, for a fixed number of packets, so that
 * `valgrind --tool=callgrind` can count the instructions the PMD spends per packet. The port is
 * either the QDMA PMD's PF on an emulated card run in this process (loopback user logic, its
 * engine a thread), or net_null for the floor:
 *
 *   pmd-fwd-cost qdma|null PACKETS [SIZE] [EAL options...]
 *
 * e.g.  valgrind --tool=callgrind --callgrind-out-file=q.out build/tests/bench/pmd-fwd-cost qdma 200000
 *       callgrind_annotate --inclusive=yes q.out | grep -E 'qdma_(recv|xmit)_pkts'
 * Natively it also prints TSC cycles per packet of the whole loop (the card is a thread of this
 * process, on CPU 0; pin the loop with -l 1), and the busy cycles per packet as testpmd's
 * --record-core-cycles counts them (rx burst to tx burst of the iterations that received
 * something): their mean, and the median over bursts, which a shared machine's preemptions
 * (a few very long bursts) barely move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "qdma_sim.h"

#define RING 512u
#define BURST 32u
#define IN_FLIGHT 4u

#define SAMPLES (1u << 20)   /* busy cycles/packet of up to this many bursts */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
port_up(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_info_get(port, &info) != 0)
		return -1;
	/* as testpmd: one pool, refcnt 1 */
	conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, 0, NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, 0, NULL) < 0)
		return -1;
	return rte_eth_dev_start(port);
}

static void
seed(uint16_t port, struct rte_mempool *mp, uint16_t size)
{
	for (unsigned int b = 0; b < IN_FLIGHT; b++) {
		struct rte_mbuf *m[BURST];
		uint16_t n;

		if (rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)
			return;
		for (unsigned int i = 0; i < BURST; i++) {
			char *p = rte_pktmbuf_append(m[i], size);

			if (p != NULL)
				memset(p, (int)i, size);
		}
		n = rte_eth_tx_burst(port, 0, m, BURST);
		if (n < BURST)
			rte_pktmbuf_free_bulk(&m[n], BURST - n);
	}
}

int
main(int argc, char **argv)
{
	char sockdir[] = "/run/svff-fwdcost-XXXXXX", sock[256], vdev[400], prefix[64];
	char *eal[64];
	int ne = 0;
	struct qdma_sim *card = NULL;
	struct rte_mempool *mp;
	uint64_t want, got = 0, polls = 0, empty = 0, t0, t1, busy = 0, bursts = 0;
	uint32_t *per_burst, *rx_cyc, *tx_cyc;
	/* under callgrind the card's engine thread runs only when this one
	 * yields: do so after an empty poll, so that empty polls stay few */
	bool yield = getenv("PMD_FWD_COST_YIELD") != NULL;
	uint16_t port = 0, size = 64;
	bool qdma;

	if (argc < 3 || (strcmp(argv[1], "qdma") != 0 && strcmp(argv[1], "null") != 0)) {
		fprintf(stderr, "usage: %s qdma|null PACKETS [SIZE] [EAL options]\n", argv[0]);
		return 2;
	}
	qdma = strcmp(argv[1], "qdma") == 0;
	want = strtoull(argv[2], NULL, 0);
	if (argc > 3)
		size = (uint16_t)atoi(argv[3]);
	snprintf(prefix, sizeof(prefix), "svfft-fwdcost-%d", getpid());
	eal[ne++] = argv[0];
	eal[ne++] = "--no-pci";
	eal[ne++] = "--file-prefix";
	eal[ne++] = prefix;
	eal[ne++] = "-m";
	eal[ne++] = "256";
	eal[ne++] = "--vdev";
	eal[ne++] = vdev;
	for (int i = 4; i < argc && ne < 62; i++)
		eal[ne++] = argv[i];
	eal[ne] = NULL;
	if (qdma) {
		struct qdma_sim_cfg cfg;
		char err[256];

		if (mkdtemp(sockdir) == NULL)
			return 1;
		snprintf(sock, sizeof(sock), "%s/card.sock", sockdir);
		qdma_sim_cfg_defaults(&cfg);
		cfg.socket_path = sock;
		cfg.personality = QDMA_SIM_LOOPBACK;
		cfg.engine_cpu = 0; /* the driver runs on the EAL lcore, e.g. -l 1 */
		card = qdma_sim_create(&cfg, err, sizeof(err));
		if (card == NULL) {
			fprintf(stderr, "card: %s\n", err);
			return 1;
		}
		snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf", sock);
	} else {
		snprintf(vdev, sizeof(vdev), "net_null0,size=%u", size);
	}
	if (rte_eal_init(ne, eal) < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("fwd", 8192, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL || port_up(port, mp) != 0) {
		fprintf(stderr, "port setup failed\n");
		return 1;
	}
	per_burst = malloc(SAMPLES * sizeof(*per_burst));
	rx_cyc = malloc(SAMPLES * sizeof(*rx_cyc));
	tx_cyc = malloc(SAMPLES * sizeof(*tx_cyc));
	if (per_burst == NULL || rx_cyc == NULL || tx_cyc == NULL)
		return 1;
	seed(port, mp, size);
	t0 = rte_rdtsc();
	while (got < want) {
		struct rte_mbuf *m[BURST];
		uint64_t b0 = rte_rdtsc(), c, b1;
		uint16_t n = rte_eth_rx_burst(port, 0, m, BURST), k;

		polls++;
		if (n == 0) {
			empty++;
			if (yield)
				sched_yield();
			continue;
		}
		got += n;
		b1 = rte_rdtsc();
		k = rte_eth_tx_burst(port, 0, m, n);
		if (k < n)
			rte_pktmbuf_free_bulk(&m[k], n - k);
		c = rte_rdtsc() - b0;
		busy += c;
		if (bursts < SAMPLES) {
			per_burst[bursts] = (uint32_t)RTE_MIN(c / n, (uint64_t)UINT32_MAX);
			rx_cyc[bursts] = (uint32_t)RTE_MIN(b1 - b0, (uint64_t)UINT32_MAX);
			tx_cyc[bursts] = (uint32_t)RTE_MIN(b0 + c - b1, (uint64_t)UINT32_MAX);
		}
		bursts++;
	}
	t1 = rte_rdtsc();
	printf("%s: %" PRIu64 " packets of %u B in %" PRIu64 " rx polls (%" PRIu64 " empty), "
		"%.1f TSC cycles/packet (whole loop)\n", argv[1], got, size, polls, empty,
		(double)(t1 - t0) / (double)got);
	if (bursts > 0) {
		uint64_t ns = RTE_MIN(bursts, (uint64_t)SAMPLES);

		qsort(per_burst, ns, sizeof(*per_burst), cmp_u32);
		qsort(rx_cyc, ns, sizeof(*rx_cyc), cmp_u32);
		qsort(tx_cyc, ns, sizeof(*tx_cyc), cmp_u32);
		printf("%s: median cycles per burst: rx %u, tx %u; %.1f packets per burst\n",
			argv[1], rx_cyc[ns / 2], tx_cyc[ns / 2], (double)got / (double)bursts);
		printf("%s: busy cycles/packet mean %.1f, median burst %u (p10 %u, p90 %u) over %" PRIu64
			" bursts, TSC %" PRIu64 " MHz\n", argv[1], (double)busy / (double)got,
			per_burst[ns / 2], per_burst[ns / 10], per_burst[ns * 9 / 10], bursts,
			rte_get_tsc_hz() / 1000000);
		{
			/* how much of the mean the slowest bursts make (preemptions) */
			uint64_t s99 = 0, s999 = 0, all = 0;

			for (uint64_t i = 0; i < ns; i++) {
				all += per_burst[i];
				if (i >= ns * 99 / 100)
					s99 += per_burst[i];
				if (i >= ns * 999 / 1000)
					s999 += per_burst[i];
			}
			printf("%s: tail: p99 %u p99.9 %u max %u; share of the sum above p99 %.2f, above p99.9 %.2f\n",
				argv[1], per_burst[ns * 99 / 100], per_burst[ns * 999 / 1000],
				per_burst[ns - 1],
				(double)s99 / (double)all, (double)s999 / (double)all);
			/* per-burst costs that recur every few bursts (a reclaim, a
			 * refill) make the distribution multimodal: the median can sit
			 * on either mode, the mean of all but the slowest 1 % cannot */
			uint64_t sc = 0, nc = 0;

			for (uint64_t i = 0; i < ns && per_burst[i] <= 4 * per_burst[ns / 2]; i++) {
				sc += per_burst[i];
				nc++;
			}
			printf("%s: busy cycles/packet, mean of the bursts up to 4x the median %.1f (%.2f %% left out)\n",
				argv[1], (double)sc / (double)nc, 100.0 * (double)(ns - nc) / (double)ns);
		}
	}
	free(per_burst);
	free(rx_cyc);
	free(tx_cyc);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	if (card != NULL) {
		qdma_sim_destroy(card);
		rmdir(sockdir);
	}
	return 0;
}
