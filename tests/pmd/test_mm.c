/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Card-memory (MM) transfers through the PMD's private API, synchronous and
 * asynchronous, on the PF and on a VF.  One process holds the card (open
 * mode), the PF port and a VF port: the VF's probe talks to the PF through
 * the card's mailbox while the PF serves it on DPDK's interrupt thread.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_memzone.h>

#include "qdma_sim.h"
#include "rte_pmd_qdma.h"

#define CARD_MEM (1u << 20)
#define BUF (128u * 1024)

static struct qdma_sim *card;
static char sockdir[] = "/tmp/svff-mm-XXXXXX";
static uint16_t pf, vf;
static uint8_t *wbuf, *rbuf;
static rte_iova_t wbuf_iova, rbuf_iova;

/* IOVA of a byte in one of the two (IOVA-contiguous) buffers */
static rte_iova_t
iova_of(const uint8_t *p)
{
	return p >= rbuf && p < rbuf + BUF ? rbuf_iova + (rte_iova_t)(p - rbuf) :
		wbuf_iova + (rte_iova_t)(p - wbuf);
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 37u + i * 11u + (i >> 9));
}

static int
port_up(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	return rte_eth_dev_configure(port, 1, 1, &conf);
}

/* Write then read back @p len bytes at @p addr through MM queue @p q. */
static void
roundtrip(uint16_t port, uint16_t q, uint64_t addr, uint32_t len, uint32_t seed)
{
	fill(wbuf, len, seed);
	memset(rbuf, 0xEE, len);
	assert_int_equal(rte_pmd_qdma_mm_write(port, q, addr, iova_of(wbuf), len), 0);
	assert_int_equal(rte_pmd_qdma_mm_read(port, q, addr, iova_of(rbuf), len), 0);
	if (memcmp(wbuf, rbuf, len) != 0)
		fail_msg("port %u: %u bytes at card 0x%" PRIx64 " read back differently", port, len,
			addr);
}

static void
test_pf_sync(void **state)
{
	static const uint32_t sizes[] = { 1, 7, 64, 1500, 4096, 65536, BUF };

	(void)state;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		roundtrip(pf, 0, (uint64_t)i * 4099, sizes[i], i);
	/* the last bytes of card memory */
	roundtrip(pf, 0, CARD_MEM - 4096, 4096, 99);
}

static void
test_vf_sync_and_pf_sees_it(void **state)
{
	(void)state;
	roundtrip(vf, 0, 512 * 1024, 8192, 5);
	/* card memory is the card's: what the VF wrote, the PF reads */
	memset(rbuf, 0, 8192);
	assert_int_equal(rte_pmd_qdma_mm_read(pf, 0, 512 * 1024, iova_of(rbuf), 8192),
		0);
	fill(wbuf, 8192, 5);
	assert_memory_equal(wbuf, rbuf, 8192);
}

static void
test_vf_async(void **state)
{
	const unsigned int n = 64, sz = 1024;
	unsigned int done = 0, tries = 0;

	(void)state;
	fill(wbuf, n * sz, 77);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(rte_pmd_qdma_mm_submit(vf, 1, true, 256 * 1024 + i * sz,
			iova_of(wbuf + i * sz), sz), 0);
	while (done < n && tries++ < 1000000) {
		int k = rte_pmd_qdma_mm_poll(vf, 1, true);

		assert_true(k >= 0);
		done += (unsigned int)k;
	}
	assert_int_equal(done, n);
	assert_int_equal(rte_pmd_qdma_mm_poll(vf, 1, true), 0);
	memset(rbuf, 0, n * sz);
	assert_int_equal(rte_pmd_qdma_mm_read(vf, 1, 256 * 1024, iova_of(rbuf),
		n * sz), 0);
	assert_memory_equal(wbuf, rbuf, n * sz);
}

/* A VF reset (a new driver instance: HELLO again) leaves a working VF. */
static void
test_vf_reset(void **state)
{
	(void)state;
	(void)rte_eth_dev_stop(vf);
	assert_int_equal(rte_eth_dev_reset(vf), 0);
	assert_int_equal(port_up(vf), 0);
	roundtrip(vf, 0, 300 * 1024, 4096, 42);
}

static void
test_vf_mm_refused_by_default(void **state)
{
	(void)state;
	assert_int_equal(rte_pmd_qdma_set_policy(pf, NULL, NULL), 0);
	/* a fresh MM queue of the VF: its context write is refused by the PF */
	assert_int_not_equal(rte_pmd_qdma_mm_write(vf, 2, 0, iova_of(wbuf), 64), 0);
	{
		const struct rte_pmd_qdma_policy allow = { .vf_mm = true };

		assert_int_equal(rte_pmd_qdma_set_policy(pf, &allow, NULL), 0);
	}
}

static void
test_bad_requests(void **state)
{
	(void)state;
	/* no such MM queue, zero length, not a QDMA port */
	assert_int_equal(rte_pmd_qdma_mm_write(vf, 7, 0, iova_of(wbuf), 64), -EINVAL);
	assert_int_equal(rte_pmd_qdma_mm_write(pf, 0, 0, iova_of(wbuf), 0), -EINVAL);
	assert_int_equal(rte_pmd_qdma_mm_write(RTE_MAX_ETHPORTS - 1, 0, 0, 0, 64), -ENODEV);
	/* beyond card memory: the card refuses it (error bits), the call fails */
	assert_int_not_equal(rte_pmd_qdma_mm_write(vf, 0, CARD_MEM - 100, iova_of(wbuf),
		4096), 0);
	/* the PF's own MM queue is unaffected */
	roundtrip(pf, 0, 0, 4096, 3);
	assert_true(rte_pmd_qdma_error_poll(pf) >= 1);
}

static int
setup(void **state)
{
	struct qdma_sim_cfg cfg;
	char sock[256], vdev0[400], vdev1[400], prefix[64], err[256];
	char *argv[] = { "test_mm", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m", "256",
		"--vdev", vdev0, "--vdev", vdev1, NULL };

	(void)state;
	if (mkdtemp(sockdir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/card.sock", sockdir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.card_mem = CARD_MEM;
	cfg.open_mode = true;
	cfg.engine_cpu = 1;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		print_error("card: %s\n", err);
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-mm-%d", getpid());
	snprintf(vdev0, sizeof(vdev0), "net_qdma0,card=%s,fn=pf,num_vfs=2,mm_queues=1", sock);
	snprintf(vdev1, sizeof(vdev1), "net_qdma1,card=%s,fn=vf0,mm_queues=3", sock);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	if (rte_eth_dev_get_port_by_name("net_qdma0", &pf) != 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma1", &vf) != 0)
		return -1;
	/* card memory is shared by all functions: VFs get MM queues only when
	 * the PF's owner allows it */
	{
		const struct rte_pmd_qdma_policy allow = { .vf_mm = true };

		if (rte_pmd_qdma_set_policy(pf, &allow, NULL) < 0)
			return -1;
	}
	if (port_up(pf) < 0 || port_up(vf) < 0)
		return -1;
	{
		const struct rte_memzone *w = rte_memzone_reserve_aligned("mm_w", BUF, SOCKET_ID_ANY,
			RTE_MEMZONE_IOVA_CONTIG, 4096);
		const struct rte_memzone *r = rte_memzone_reserve_aligned("mm_r", BUF, SOCKET_ID_ANY,
			RTE_MEMZONE_IOVA_CONTIG, 4096);

		if (w == NULL || r == NULL)
			return -1;
		wbuf = w->addr;
		wbuf_iova = w->iova;
		rbuf = r->addr;
		rbuf_iova = r->iova;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rte_eth_dev_close(vf);
	rte_eth_dev_close(pf);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	rmdir(sockdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_sync),
		cmocka_unit_test(test_vf_sync_and_pf_sees_it),
		cmocka_unit_test(test_vf_async),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_vf_reset),
		cmocka_unit_test(test_vf_mm_refused_by_default),
	};
	return cmocka_run_group_tests_name("pmd_mm", tests, setup, teardown);
}
