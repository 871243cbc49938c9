/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload integrity through the PMD and the emulated card's loopback:
 * sequence-numbered packets of every size class, 64 B to 9000 B (chained
 * mbufs on both sides), on 1 and 4 queues; every byte is checked, and the
 * order within a queue.  The card runs in this process (as svffd embeds
 * it); the PMD reaches it only through the slot socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_vect.h>

#include "qdma_sim.h"

#define SEG 2048u
#define NB_MBUF 16384u
#define RING 512u

static struct qdma_sim *card;
static struct rte_mempool *mp;
static char sockdir[] = "/tmp/svff-payload-XXXXXX";
static char sockpath[256];

static uint8_t
pat(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 131u + off * 7u + (off >> 8));
}

/* A packet of @p len bytes as a chain of SEG-sized mbufs. */
static struct rte_mbuf *
make_pkt(uint32_t seq, uint32_t len)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = len - off < SEG ? len - off : SEG;
		uint8_t *p;

		if (m == NULL)
			return NULL;
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		for (uint32_t i = 0; i < n; i++)
			p[i] = pat(seq, off + i);
		if (off == 0)
			memcpy(p, &seq, sizeof(seq));   /* the sequence number leads */
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
		off += n;
	}
	return head;
}

/* Check length, sequence and every byte; returns 0 if good. */
static int
check_pkt(struct rte_mbuf *m, uint32_t want_seq, uint32_t len)
{
	uint32_t off = 0, seq;
	struct rte_mbuf *s;

	if (m->pkt_len != len) {
		print_error("seq %u: length %u, expected %u\n", want_seq, m->pkt_len, len);
		return -1;
	}
	memcpy(&seq, rte_pktmbuf_mtod(m, void *), sizeof(seq));
	if (seq != want_seq) {
		print_error("sequence %u, expected %u\n", seq, want_seq);
		return -1;
	}
	for (s = m; s != NULL; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);

		for (uint32_t i = 0; i < s->data_len; i++, off++) {
			if (off < sizeof(seq))
				continue;
			if (p[i] != pat(seq, off)) {
				print_error("seq %u: byte %u is 0x%02x, expected 0x%02x\n", seq, off,
					p[i], pat(seq, off));
				return -1;
			}
		}
	}
	return off == len ? 0 : -1;
}

static int
port_setup(uint16_t port, uint16_t nq)
{
	struct rte_eth_conf conf = { 0 };

	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.rxmode.mtu = 9600;
	if (rte_eth_dev_configure(port, nq, nq, &conf) < 0)
		return -1;
	for (uint16_t q = 0; q < nq; q++) {
		if (rte_eth_rx_queue_setup(port, q, RING, 0, NULL, mp) < 0 ||
		    rte_eth_tx_queue_setup(port, q, RING, 0, NULL) < 0)
			return -1;
	}
	return rte_eth_dev_start(port);
}

/* Send @p count packets of @p len on queue @p q, @p burst at a time, and check them back. */
static void
roundtrip_burst(uint16_t port, uint16_t q, uint32_t len, uint32_t count, uint32_t seq0,
	uint16_t burst)
{
	uint32_t sent = 0, got = 0;
	uint64_t deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz();

	while (got < count) {
		struct rte_mbuf *rx[32];
		uint16_t n;

		if (sent < count) {
			struct rte_mbuf *tx[32];
			uint16_t k = 0, done;

			while (k < burst && k < RTE_DIM(tx) && sent + k < count) {
				tx[k] = make_pkt(seq0 + sent + k, len);
				assert_non_null(tx[k]);
				k++;
			}
			done = rte_eth_tx_burst(port, q, tx, k);
			for (uint16_t i = done; i < k; i++)
				rte_pktmbuf_free(tx[i]);
			sent += done;
		}
		n = rte_eth_rx_burst(port, q, rx, 32);
		for (uint16_t i = 0; i < n; i++) {
			int bad = check_pkt(rx[i], seq0 + got, len);

			rte_pktmbuf_free(rx[i]);
			if (bad)
				fail_msg("queue %u, %u bytes: packet %u corrupt", q, len, got);
			got++;
		}
		if (rte_get_timer_cycles() > deadline)
			fail_msg("queue %u, %u bytes: %u of %u packets came back", q, len, got, count);
	}
}

static void
roundtrip(uint16_t port, uint16_t q, uint32_t len, uint32_t count, uint32_t seq0)
{
	roundtrip_burst(port, q, len, count, seq0, 8);
}

static const uint32_t sizes[] = { 64, 65, 127, 256, 511, 1024, 1500, 2047, 2048, 2049, 4096,
	6000, 8192, 9000 };

static void
test_sizes_one_queue(void **state)
{
	uint16_t port = *(uint16_t *)*state;

	for (unsigned int i = 0; i < RTE_DIM(sizes); i++)
		roundtrip(port, 0, sizes[i], 200, i * 1000);
}

static void
test_sizes_four_queues(void **state)
{
	uint16_t port = *(uint16_t *)*state;

	(void)rte_eth_dev_stop(port);
	assert_int_equal(port_setup(port, 4), 0);
	for (unsigned int i = 0; i < RTE_DIM(sizes); i++)
		for (uint16_t q = 0; q < 4; q++)
			roundtrip(port, q, sizes[(i + q) % RTE_DIM(sizes)], 64, q * 100000 + i * 100);
}

/* The smallest rings (64 descriptors: 63 usable): refill, completion
 * doorbells and TX reclaim must scale down, chains must still fit. */
static void
test_small_rings(void **state)
{
	uint16_t port = *(uint16_t *)*state;
	struct rte_eth_conf conf = { 0 };

	(void)rte_eth_dev_stop(port);
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	conf.rxmode.mtu = 9600;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 64, 0, NULL, mp), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, 64, 0, NULL), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	roundtrip(port, 0, 64, 500, 1);
	roundtrip(port, 0, 9000, 200, 2000);
	roundtrip(port, 0, 1500, 300, 5000);
	(void)rte_eth_dev_stop(port);
	assert_int_equal(port_setup(port, 4), 0);
}

/* Full bursts of 32 from every ring position: the vector paths' groups of
 * four, the AVX2 TX pairs (which start on an even slot), the ring wraps and
 * the line-aligned RX refills; odd bursts in between shift the positions. */
static void
test_full_bursts(void **state)
{
	uint16_t port = *(uint16_t *)*state;
	uint32_t seq = 300000;

	for (uint16_t odd = 1; odd <= 7; odd += 2) {
		roundtrip_burst(port, 2, 64, odd, seq, odd);
		seq += odd;
		roundtrip_burst(port, 2, 64, 3 * RING, seq, 32);
		seq += 3 * RING;
	}
	roundtrip_burst(port, 2, 1500, 2 * RING, seq, 32);
}

/* Length of packet @p seq in test_fast_free_chains: a 3-segment chain every third. */
static uint32_t
mixed_len(uint32_t seq)
{
	return seq % 3 == 0 ? 5000 : 64;
}

/*
 * MBUF_FAST_FREE with chains among single-segment packets: TX reclaim puts
 * the plain mbufs back in bulk straight from its ring and frees the chain
 * segments one by one.  Over many ring wraps (a 64 and a 512 ring) every
 * packet comes back intact, and once the port stops the pool holds as many
 * mbufs as before it started: none lost, none freed twice.
 */
static void
test_fast_free_chains(void **state)
{
	uint16_t port = *(uint16_t *)*state;
	const uint16_t rings[] = { 64, RING };

	for (unsigned int r = 0; r < RTE_DIM(rings); r++) {
		struct rte_eth_conf conf = { 0 };
		uint32_t sent = 0, got = 0, count = 20 * rings[r];
		uint64_t deadline = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
		unsigned int in_use;

		(void)rte_eth_dev_stop(port);
		in_use = rte_mempool_in_use_count(mp);
		conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
		conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
				       RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
		conf.rxmode.mtu = 9600;
		assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
		assert_int_equal(rte_eth_rx_queue_setup(port, 0, rings[r], 0, NULL, mp), 0);
		assert_int_equal(rte_eth_tx_queue_setup(port, 0, rings[r], 0, NULL), 0);
		assert_int_equal(rte_eth_dev_start(port), 0);
		while (got < count) {
			struct rte_mbuf *tx[16], *rx[32];
			uint16_t k = 0, done, n;

			while (k < RTE_DIM(tx) && sent + k < count) {
				tx[k] = make_pkt(400000 + sent + k, mixed_len(sent + k));
				assert_non_null(tx[k]);
				k++;
			}
			done = rte_eth_tx_burst(port, 0, tx, k);
			for (uint16_t i = done; i < k; i++)
				rte_pktmbuf_free(tx[i]);
			sent += done;
			n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
			for (uint16_t i = 0; i < n; i++, got++) {
				int bad = check_pkt(rx[i], 400000 + got, mixed_len(got));

				rte_pktmbuf_free(rx[i]);
				if (bad)
					fail_msg("ring %u: packet %u corrupt", rings[r], got);
			}
			if (rte_get_timer_cycles() > deadline)
				fail_msg("ring %u: %u of %u packets came back", rings[r], got, count);
		}
		assert_int_equal(rte_eth_dev_stop(port), 0);
		assert_int_equal(rte_mempool_in_use_count(mp), in_use);
	}
	assert_int_equal(port_setup(port, 4), 0);
}

static void
test_stats_consistent(void **state)
{
	uint16_t port = *(uint16_t *)*state;
	struct rte_eth_stats st;

	assert_int_equal(rte_eth_stats_reset(port), 0);
	roundtrip(port, 1, 1500, 500, 77);
	assert_int_equal(rte_eth_stats_get(port, &st), 0);
	assert_int_equal(st.ipackets, 500);
	assert_int_equal(st.opackets, 500);
	assert_int_equal(st.ibytes, 500 * 1500);
	assert_int_equal(st.obytes, 500 * 1500);
	assert_int_equal(st.ierrors, 0);
	assert_int_equal(st.oerrors, 0);
}

static uint16_t the_port;

static int
setup(void **state)
{
	struct qdma_sim_cfg cfg;
	char err[256], vdev[400];
	/* no -m: DPDK grows its memory on demand, so the mempool below lives in
	 * segments added after the PMD probed, which the PMD must map for the card
	 * as they appear (memory hotplug events) */
	char *argv[] = { "test_payload", "-l", "0", "--no-pci", "--file-prefix", NULL,
		"--vdev", vdev, "--log-level", "pmd.net.qdma.*:debug", NULL, NULL };
	char prefix[64], simd[64];
	const char *max_simd = getenv("SVFF_TEST_MAX_SIMD");
	int argc = (int)RTE_DIM(argv) - 2;

	if (mkdtemp(sockdir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/card.sock", sockdir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sockpath;
	cfg.personality = QDMA_SIM_LOOPBACK;
	cfg.engine_cpu = 1;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		print_error("card: %s\n", err);
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-payload-%d", getpid());
	argv[5] = prefix;
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf", sockpath);
	/* SVFF_TEST_MAX_SIMD=64 runs the scalar data path (as DPDK's drivers
	 * choose: EAL's --force-max-simd-bitwidth), unset the vector one */
	if (max_simd != NULL) {
		snprintf(simd, sizeof(simd), "--force-max-simd-bitwidth=%s", max_simd);
		argv[argc++] = simd;
	}
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("payload", NB_MBUF, 256, 0, SEG + RTE_PKTMBUF_HEADROOM, 0);
	if (mp == NULL || rte_eth_dev_get_port_by_name("net_qdma0", &the_port) != 0)
		return -1;
	if (port_setup(the_port, 1) < 0)
		return -1;
	*state = &the_port;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rte_eth_dev_stop(the_port);
	rte_eth_dev_close(the_port);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	rmdir(sockdir);
	return 0;
}

/* The data path this run exercises is the one the EAL limit and the CPU
 * allow, and the port says so (rte_eth_rx/tx_burst_mode_get). */
static void
test_burst_path(void **state)
{
	uint16_t port = *(uint16_t *)*state;
	struct rte_eth_burst_mode rx, tx;
	const char *want = "Scalar";

	if (rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_128 &&
	    rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2))
		want = rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256 &&
		       rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) ? "Vector AVX2" : "Vector SSE4.2";
	assert_int_equal(rte_eth_rx_burst_mode_get(port, 0, &rx), 0);
	assert_int_equal(rte_eth_tx_burst_mode_get(port, 0, &tx), 0);
	print_message("data path: rx %s, tx %s\n", rx.info, tx.info);
	assert_string_equal(rx.info, want);
	assert_string_equal(tx.info, want);
	if (getenv("SVFF_TEST_MAX_SIMD") != NULL && atoi(getenv("SVFF_TEST_MAX_SIMD")) == 64)
		assert_string_equal(rx.info, "Scalar");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_path),
		cmocka_unit_test(test_sizes_one_queue),
		cmocka_unit_test(test_sizes_four_queues),
		cmocka_unit_test(test_full_bursts),
		cmocka_unit_test(test_small_rings),
		cmocka_unit_test(test_fast_free_chains),
		cmocka_unit_test(test_stats_consistent),
	};
	return cmocka_run_group_tests_name("pmd_payload", tests, setup, teardown);
}
