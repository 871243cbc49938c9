/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pausing a VF with the svff mailbox extension (issue 10, slice 1).
 *
 * One process: the emulated card (loopback), the PF (our PMD) and one VF
 * (our PMD, on the slot with its grant token).  The main thread sends
 * sequence-numbered packets on the VF and checks what comes back; a control
 * thread pauses the VF (PAUSE, answer, contexts saved and invalidated),
 * restores its contexts and resumes it, 100 times, once at a new qbase.
 * Checks: the VF advertised the extension; nothing is lost, duplicated or
 * reordered; bursts return 0 while paused and the application keeps its
 * packets; the window moves while paused; bad input is refused and changes
 * nothing.  Prints the traffic gap of each pause p50/p99 (figures only).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "qdma_sim.h"
#include "rte_pmd_qdma.h"
#include "pmdtest.h"

#define TOKEN 0x7733ull
#define RING 512u
#define NB_MBUF 8192u
#define WINDOW 256u          /* packets in flight at most */
#define PKT_LEN 128u
#define CYCLES 100u
#define MAX_SNAP 64u

static struct rte_mempool *mp;
static uint16_t pf_port, vf_port;
static int vf_func;

/* ------------------------------------------------------------ the checker */

struct checker {
	uint32_t next_tx;        /* next sequence number to send */
	uint32_t expect;         /* next sequence number expected back */
	uint64_t rx, lost, dup, reordered;
	uint64_t last_rx_tsc;
	uint64_t max_gap;        /* cycles, since the last harvest */
};

static void
check_seq(struct checker *c, uint32_t seq)
{
	c->rx++;
	if (seq == c->expect) {
		c->expect++;
	} else if ((int32_t)(seq - c->expect) > 0) {
		c->lost += seq - c->expect;   /* a gap: counted lost (until seen late) */
		c->expect = seq + 1;
	} else if (c->lost > 0) {
		c->lost--;                    /* one of the "lost" came late */
		c->reordered++;
	} else {
		c->dup++;
	}
}

/* One step of traffic: keep WINDOW packets in flight, take what came back. */
static void
traffic_step(struct checker *c, bool send)
{
	struct rte_mbuf *pk[32];
	uint16_t n, i;
	uint64_t now;

	if (send && c->next_tx - c->expect < WINDOW) {
		n = (uint16_t)RTE_MIN(32u, WINDOW - (c->next_tx - c->expect));
		if (rte_pktmbuf_alloc_bulk(mp, pk, n) == 0) {
			uint16_t sent;

			for (i = 0; i < n; i++) {
				uint8_t *p = (uint8_t *)rte_pktmbuf_append(pk[i], PKT_LEN);
				uint32_t seq = c->next_tx + i;

				memset(p, 0xa5, PKT_LEN);
				memcpy(p, &seq, sizeof(seq));
			}
			sent = rte_eth_tx_burst(vf_port, 0, pk, n);
			c->next_tx += sent;
			/* the application keeps what was not taken: re-offered next time */
			if (sent < n)
				rte_pktmbuf_free_bulk(pk + sent, n - sent);
		}
	}
	n = rte_eth_rx_burst(vf_port, 0, pk, RTE_DIM(pk));
	now = rte_get_timer_cycles();
	if (n == 0)
		return;
	if (c->last_rx_tsc && now - c->last_rx_tsc > c->max_gap)
		c->max_gap = now - c->last_rx_tsc;
	c->last_rx_tsc = now;
	for (i = 0; i < n; i++) {
		uint32_t seq;

		memcpy(&seq, rte_pktmbuf_mtod(pk[i], void *), sizeof(seq));
		check_seq(c, seq);
	}
	rte_pktmbuf_free_bulk(pk, n);
}

/* Stop sending and take everything still in flight (bounded). */
static void
traffic_drain(struct checker *c)
{
	uint64_t end = rte_get_timer_cycles() + 3 * rte_get_timer_hz();

	while (c->expect != c->next_tx && rte_get_timer_cycles() < end)
		traffic_step(c, false);
}

/* ------------------------------------------------------------ pause/resume */

static int
wait_state(int want, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * ms;
	int st;

	while ((st = rte_pmd_qdma_vf_pause_state(pf_port, (uint16_t)vf_func)) != want) {
		if (st < 0 || rte_get_timer_cycles() > end)
			return -1;
		usleep(50);
	}
	return 0;
}

struct cycle_res {
	int rc;
	int nsnap;
	int32_t qbase_before, qbase_after;
};

/* One pause -> (move) -> unpause; @p move_to >= 0 moves the window there. */
static int
pause_cycle(int32_t move_to, struct cycle_res *r)
{
	static struct rte_pmd_qdma_qctx snap[MAX_SNAP];
	uint32_t qb, qm;

	memset(r, 0, sizeof(*r));
	if (rte_pmd_qdma_vf_pause(pf_port, (uint16_t)vf_func) < 0 ||
	    wait_state(RTE_PMD_QDMA_PAUSE_ACKED, 5000) < 0)
		return r->rc = -1;
	r->nsnap = rte_pmd_qdma_vf_ctx_save(pf_port, (uint16_t)vf_func, snap, MAX_SNAP);
	if (r->nsnap < 0)
		return r->rc = -2;
	rte_pmd_qdma_fmap_get(pf_port, (uint16_t)vf_func, &qb, &qm);
	r->qbase_before = (int32_t)qb;
	if (move_to >= 0 && rte_pmd_qdma_fn_set_queues(pf_port, (uint16_t)vf_func, move_to, qm) < 0)
		return r->rc = -3;
	rte_pmd_qdma_fmap_get(pf_port, (uint16_t)vf_func, &qb, &qm);
	r->qbase_after = (int32_t)qb;
	if (rte_pmd_qdma_vf_ctx_restore(pf_port, (uint16_t)vf_func, snap, (unsigned int)r->nsnap) < 0)
		return r->rc = -4;
	if (rte_pmd_qdma_vf_resume(pf_port, (uint16_t)vf_func) < 0)
		return r->rc = -5;
	return 0;
}

struct ctl {
	volatile unsigned int done;     /* cycles finished */
	volatile bool stop;
	int rc;
	int32_t moved_from, moved_to;
	int nsnap;
};

static void *
ctl_main(void *arg)
{
	struct ctl *c = arg;
	struct cycle_res r;

	for (unsigned int i = 0; i < CYCLES && c->rc == 0; i++) {
		usleep(3000);   /* traffic flows between pauses */
		/* cycle 50 moves the window up by 16 queues */
		if (pause_cycle(i == CYCLES / 2 ? 16 : -1, &r) < 0)
			c->rc = r.rc;
		if (i == CYCLES / 2) {
			c->moved_from = r.qbase_before;
			c->moved_to = r.qbase_after;
		}
		c->nsnap = r.nsnap;
		__atomic_add_fetch(&c->done, 1, __ATOMIC_RELEASE);
	}
	c->stop = true;
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_cycles_under_traffic(void)
{
	struct checker ck = { 0 };
	struct ctl ctl = { 0 };
	static uint64_t gaps[CYCLES + 1];
	unsigned int ngaps = 0, seen = 0;
	double us = 1e6 / (double)rte_get_timer_hz();
	pthread_t th;

	/* warm up: traffic flows before any pause */
	for (uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
			ck.rx < 20000 && rte_get_timer_cycles() < end;)
		traffic_step(&ck, true);
	tap(ck.rx > 0 && ck.lost == 0, "VF loopback forwards before any pause (%" PRIu64 " back)",
		ck.rx);
	ck.max_gap = 0;
	if (pthread_create(&th, NULL, ctl_main, &ctl) != 0) {
		tap(false, "control thread");
		return;
	}
	while (!ctl.stop) {
		unsigned int d = __atomic_load_n(&ctl.done, __ATOMIC_ACQUIRE);

		traffic_step(&ck, true);
		/* a cycle ended and traffic came back since: its gap is known */
		if (d > seen && ck.last_rx_tsc > 0 && ngaps < CYCLES) {
			gaps[ngaps++] = ck.max_gap;
			ck.max_gap = 0;
			seen = d;
		}
	}
	pthread_join(th, NULL);
	for (unsigned int i = 0; i < 500; i++)
		traffic_step(&ck, true);
	traffic_drain(&ck);
	tap(ctl.rc == 0, "%u pause/unpause cycles under traffic completed (rc %d)", CYCLES,
		ctl.rc);
	tap(ctl.nsnap >= 1, "each snapshot holds the VF's queue (%d queue(s))", ctl.nsnap);
	tap(ctl.moved_to == ctl.moved_from + 16 || (ctl.moved_from >= 16 && ctl.moved_to >= 0 &&
		ctl.moved_to != ctl.moved_from),
		"one pause moved the VF's window (qbase %d -> %d)", ctl.moved_from, ctl.moved_to);
	tap(ck.rx == ck.next_tx && ck.lost == 0 && ck.dup == 0 && ck.reordered == 0,
		"sent %u, received %" PRIu64 ": lost %" PRIu64 ", duplicated %" PRIu64
		", reordered %" PRIu64, ck.next_tx, ck.rx, ck.lost, ck.dup, ck.reordered);
	if (ngaps > 0) {
		qsort(gaps, ngaps, sizeof(gaps[0]), cmp_u64);
		printf("# pause->unpause traffic gap over %u cycles: p50 %.0f us, p99 %.0f us, "
			"max %.0f us\n", ngaps, gaps[ngaps / 2] * us, gaps[(ngaps * 99) / 100] * us,
			gaps[ngaps - 1] * us);
	}
	tap(ngaps >= CYCLES / 2, "traffic came back after the pauses (%u gaps measured)", ngaps);
}

/* While paused, bursts return 0 and the application keeps its packets. */
static void
test_bursts_while_paused(void)
{
	static struct rte_pmd_qdma_qctx snap[MAX_SNAP];
	struct checker ck = { 0 };
	struct rte_mbuf *pk[8], *got[8];
	uint16_t tx, rx;
	int n;

	ck.next_tx = ck.expect = 1000000;
	for (unsigned int i = 0; i < 200; i++)
		traffic_step(&ck, true);
	traffic_drain(&ck);
	tap(rte_pmd_qdma_vf_pause(pf_port, (uint16_t)vf_func) == 0 &&
		wait_state(RTE_PMD_QDMA_PAUSE_ACKED, 5000) == 0, "PAUSE answered");
	tap(rte_pmd_qdma_vf_pause(pf_port, (uint16_t)vf_func) == -EALREADY,
		"a second PAUSE is refused while paused");
	n = rte_pmd_qdma_vf_ctx_save(pf_port, (uint16_t)vf_func, snap, MAX_SNAP);
	if (rte_pktmbuf_alloc_bulk(mp, pk, RTE_DIM(pk)) != 0) {
		tap(false, "mbufs");
		return;
	}
	for (unsigned int i = 0; i < RTE_DIM(pk); i++)
		rte_pktmbuf_append(pk[i], 64);
	tx = rte_eth_tx_burst(vf_port, 0, pk, RTE_DIM(pk));
	rx = rte_eth_rx_burst(vf_port, 0, got, RTE_DIM(got));
	tap(n >= 1 && tx == 0 && rx == 0,
		"paused: tx_burst takes nothing (%u), rx_burst gives nothing (%u)", tx, rx);
	tap(rte_pmd_qdma_vf_ctx_restore(pf_port, (uint16_t)vf_func, snap, (unsigned int)n) == 0 &&
		rte_pmd_qdma_vf_resume(pf_port, (uint16_t)vf_func) == 0 &&
		wait_state(RTE_PMD_QDMA_PAUSE_NONE, 1000) == 0, "restored and resumed");
	/* the VF takes RESUME on its interrupt: wait until its bursts run again */
	for (unsigned int i = 0; i < 5000 && tx == 0; i++) {
		tx = rte_eth_tx_burst(vf_port, 0, pk, RTE_DIM(pk));
		if (tx == 0)
			usleep(100);
	}
	tap(tx == RTE_DIM(pk), "after RESUME the same packets are taken (%u)", tx);
	if (tx < RTE_DIM(pk))
		rte_pktmbuf_free_bulk(pk + tx, RTE_DIM(pk) - tx);
	for (unsigned int i = 0; i < 2000; i++) {
		struct rte_mbuf *r[8];
		uint16_t k = rte_eth_rx_burst(vf_port, 0, r, RTE_DIM(r));

		rte_pktmbuf_free_bulk(r, k);
		rx += k;
		if (rx == tx)
			break;
		usleep(100);
	}
	tap(rx == tx, "and they come back (%u)", rx);
}

static void
test_bad_input(void)
{
	struct rte_pmd_qdma_qctx bad = { .rel_qid = 4000, .present = 1 };
	uint32_t qb0, qm0, qb1, qm1;
	int other = rte_pmd_qdma_vf_func_id(pf_port, 1);

	tap(rte_pmd_qdma_vf_pause(pf_port, 0) == -EINVAL, "PAUSE of the PF itself is refused");
	tap(rte_pmd_qdma_vf_pause(pf_port, 4096) == -EINVAL, "PAUSE of function 4096 is refused");
	tap(other > 0 && rte_pmd_qdma_vf_pause(pf_port, (uint16_t)other) == -ENODEV,
		"PAUSE of a VF nobody drives is refused (-ENODEV)");
	tap(rte_pmd_qdma_vf_pause(vf_port, 1) == -ENOTSUP, "PAUSE through a VF port is refused");
	rte_pmd_qdma_fmap_get(pf_port, (uint16_t)vf_func, &qb0, &qm0);
	tap(rte_pmd_qdma_vf_ctx_restore(pf_port, (uint16_t)vf_func, &bad, 1) == -ERANGE,
		"restoring a queue outside the window is refused");
	rte_pmd_qdma_fmap_get(pf_port, (uint16_t)vf_func, &qb1, &qm1);
	tap(qb0 == qb1 && qm0 == qm1 &&
		rte_pmd_qdma_vf_pause_state(pf_port, (uint16_t)vf_func) == RTE_PMD_QDMA_PAUSE_NONE,
		"and changes nothing");
	tap(rte_pmd_qdma_vf_ctx_save(pf_port, (uint16_t)vf_func, NULL, 4) == -EINVAL,
		"saving into no buffer is refused");
}

static int
port_setup(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_configure(port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(port, 0, RING, 0, NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(port, 0, RING, 0, NULL) < 0)
		return -1;
	return rte_eth_dev_start(port);
}

int
main(void)
{
	char dir[] = "/tmp/svff-pause-XXXXXX", sock[256], pfdev[400], vfdev[400], prefix[64];
	char *argv[] = { "test_vf_pause", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m",
		"256", "--vdev", pfdev, "--log-level", "pmd.net.qdma.*:notice", NULL };
	struct qdma_sim_cfg cfg;
	struct qdma_sim *card;
	char err[256];

	printf("TAP version 13\n");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.personality = QDMA_SIM_LOOPBACK;
	cfg.nb_queues = 64;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		printf("Bail out! card: %s\n", err);
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-pause-%d", getpid());
	snprintf(pfdev, sizeof(pfdev), "net_qdma0,card=%s,fn=pf,num_vfs=2,grants=0x%llx:0",
		sock, (unsigned long long)TOKEN);
	snprintf(vfdev, sizeof(vfdev), "card=%s,fn=vf0,token=0x%llx", sock,
		(unsigned long long)TOKEN);
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma0", &pf_port) != 0) {
		printf("Bail out! EAL / PF\n");
		qdma_sim_destroy(card);
		return 1;
	}
	mp = rte_pktmbuf_pool_create("pause", NB_MBUF, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL || rte_vdev_init("net_qdma1", vfdev) != 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma1", &vf_port) != 0 || port_setup(vf_port) < 0) {
		printf("Bail out! VF port\n");
		rte_eal_cleanup();
		qdma_sim_destroy(card);
		return 1;
	}
	vf_func = rte_pmd_qdma_vf_func_id(pf_port, 0);
	tap(vf_func > 0 && rte_pmd_qdma_vf_pause_capable(pf_port, (uint16_t)vf_func) == 1,
		"our VF PMD advertised the pause extension at HELLO (function %d)", vf_func);
	test_cycles_under_traffic();
	test_bursts_while_paused();
	test_bad_input();
	rte_eth_dev_stop(vf_port);
	rte_eth_dev_close(vf_port);
	rte_eth_dev_close(pf_port);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	rmdir(dir);
	return tap_done();
}
