/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-VF isolation of the PF's service and the card (issue 7), each
 * attack from its own process, each check on the victim's side:
 *
 *  A. one VF never reads its inbox, another floods the mailbox: every
 *     well-behaved VF (own processes) gets every answer, a new VF can say
 *     HELLO; the stuck VF is reset and reported (STUCK), the flooder is
 *     rate-limited and reported (FLOOD).  p50/p99 of the victims' request
 *     latency are printed;
 *  B. a VF process holding active queues is killed, another one revoked:
 *     the PF learns it as a VF reset (GONE): offline, no active queues, the
 *     card's contexts of its queues invalid, FMAP cleared, and its window can
 *     be moved;
 *  C. a VF process hammers 256 queues while the PF programs contexts: every
 *     PF command completes (latency printed), the VF's queues keep moving;
 *  B'. numvfs -> 0 under a VF with 256 active queues: the same, for that VF;
 *  D. the card process dies: closing the PF returns quickly and says why.
 *
 * Processes: the card (lib/qdma_sim) in a child started before DPDK, the PF
 * (our PMD, mailbox served on DPDK's interrupt thread) here, every VF a
 * child driving its BAR by hand (tests/pmd/vfraw.h).  Every child is
 * stopped by PID, also on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "qdma.h"
#include "qdma_sim.h"
#include "rte_pmd_qdma.h"
#include "pmdtest.h"
#include "vfraw.h"

#define NUM_VFS 10
#define TOKEN(i) (0x5000ull + (i))
#define SEND_TIMEOUT_MS 1000
#define GOOD_VFS 3
#define GOOD_REQS 100
#define HAMMER_QUEUES 256
#define HAMMER_RING 65          /* entries incl. the status slot (a GLBL_RNG_SZ value) */
#define MAX_KIDS 16

static pid_t kids[MAX_KIDS];
static unsigned int n_kids;
static pid_t card_pid = -1;

/* ------------------------------------------------------------ processes */

static void
stop_pid(pid_t *p)
{
	if (*p > 0) {
		kill(*p, SIGKILL);
		waitpid(*p, NULL, 0);
	}
	*p = -1;
}

static void
stop_all(void)
{
	for (unsigned int i = 0; i < n_kids; i++)
		stop_pid(&kids[i]);
	n_kids = 0;
	stop_pid(&card_pid);
}

/* Run @p fn in a child process; its exit status is fn's return value. */
static pid_t
spawn(int (*fn)(const char *sock, unsigned int vf, int wfd), const char *sock, unsigned int vf,
		int wfd)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(sock, vf, wfd));
	if (pid > 0 && n_kids < MAX_KIDS)
		kids[n_kids++] = pid;
	return pid;
}

static void
reap(pid_t pid)
{
	for (unsigned int i = 0; i < n_kids; i++)
		if (kids[i] == pid)
			stop_pid(&kids[i]);
}

static int
wait_exit(pid_t pid, int secs)
{
	int st;

	for (int i = 0; i < secs * 100; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			for (unsigned int k = 0; k < n_kids; k++)
				if (kids[k] == pid)
					kids[k] = -1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		}
		usleep(10000);
	}
	return -1;
}

/* ------------------------------------------------------------- the VFs */

static int
vf_open_hello(struct vfraw *v, const char *sock, unsigned int vf)
{
	if (vfraw_open(v, sock, vf, TOKEN(vf)) < 0)
		return -1;
	return vfraw_hello(v, 5000) == 0 ? 0 : -1;
}

/* Says HELLO, then sends requests and never reads its inbox. */
static int
vf_stuck(const char *sock, unsigned int vf, int wfd)
{
	struct vfraw v = { 0 };
	union qdma_mbox_msg m;

	(void)wfd;
	if (vf_open_hello(&v, sock, vf) < 0)
		return 2;
	for (;;) {
		qdma_mbox_msg_init(&m, QDMA_MBOX_OP_CSR, v.func, 0);
		vfraw_send(&v, &m, 50);
	}
}

/* Says HELLO, then sends as fast as the mailbox takes it, reading what comes back. */
static int
vf_flood(const char *sock, unsigned int vf, int wfd)
{
	struct vfraw v = { 0 };
	union qdma_mbox_msg m;

	(void)wfd;
	if (vf_open_hello(&v, sock, vf) < 0)
		return 2;
	for (;;) {
		qdma_mbox_msg_init(&m, QDMA_MBOX_OP_GET_QACTIVE_CNT, v.func, 0);
		vfraw_send(&v, &m, 50);
		while (vfraw_try_recv(&v, &m))
			;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A well-behaved VF: GOOD_REQS requests, one at a time; reports its latencies. */
static int
vf_good(const char *sock, unsigned int vf, int wfd)
{
	struct vfraw v = { 0 };
	uint64_t lat[GOOD_REQS], t0;
	unsigned int fails = 0;
	char line[128];

	/* the HELLO is the first request measured */
	if (vfraw_open(&v, sock, vf, TOKEN(vf)) < 0)
		return 2;
	t0 = vfraw_now_us();
	if (vfraw_hello(&v, 3000) != 0)
		fails = GOOD_REQS;
	lat[0] = vfraw_now_us() - t0;
	for (unsigned int i = 1; fails < GOOD_REQS && i < GOOD_REQS; i++) {
		union qdma_mbox_msg m;
		uint64_t t1 = vfraw_now_us();
		int st;

		qdma_mbox_msg_init(&m, i % 2 ? QDMA_MBOX_OP_CSR : QDMA_MBOX_OP_GET_QACTIVE_CNT,
			v.func, 0);
		st = vfraw_req(&v, &m, 3000);
		lat[i] = vfraw_now_us() - t1;
		if (st != 0)
			fails++;
		usleep(2000);
	}
	qsort(lat, GOOD_REQS, sizeof(lat[0]), cmp_u64);
	snprintf(line, sizeof(line), "%u %u %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", vf, fails,
		lat[GOOD_REQS / 2], lat[GOOD_REQS * 99 / 100], lat[GOOD_REQS - 1]);
	if (write(wfd, line, strlen(line)) < 0)
		return 3;
	return fails ? 1 : 0;
}

static int
vf_hello_only(const char *sock, unsigned int vf, int wfd)
{
	struct vfraw v = { 0 };

	(void)wfd;
	return vf_open_hello(&v, sock, vf) == 0 ? 0 : 1;
}

/* HELLO, 8 queues, two of them active with contexts; reports qbase, then waits. */
static int
vf_with_queues(const char *sock, unsigned int vf, int wfd)
{
	struct vfraw v = { 0 };
	char line[64];
	int32_t qb;

	if (vf_open_hello(&v, sock, vf) < 0 || (qb = vfraw_queues(&v, 8, 3000)) < 0)
		return 2;
	for (uint16_t q = 0; q < 2; q++)
		if (vfraw_qnotify(&v, (uint16_t)(qb + q), QDMA_MBOX_QTYPE_H2C, 3000) != 0 ||
		    vfraw_h2c_ctxt(&v, (uint16_t)(qb + q), 0x100000 + q * 0x1000, 1025, 3000) != 0)
			return 3;
	snprintf(line, sizeof(line), "%d %u\n", qb, v.func);
	if (write(wfd, line, strlen(line)) < 0)
		return 4;
	for (;;)
		pause();
}

/* 256 H2C queues kept busy through the doorbells, forever. */
static int
vf_hammer(const char *sock, unsigned int vf, int wfd)
{
	const uint64_t iova = 0x10000000ull;
	const size_t len = 2u << 20;
	struct vfraw v = { 0 };
	uint16_t pidx[HAMMER_QUEUES] = { 0 };
	uint8_t *mem;
	int32_t qb;
	int fd;

	if (vf_open_hello(&v, sock, vf) < 0 || (qb = vfraw_queues(&v, HAMMER_QUEUES, 5000)) < 0) {
		fprintf(stderr, "hammer: no queues\n");
		return 2;
	}
	fd = memfd_create("hammer", 0);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		return 3;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED || vslot_client_dma_map(v.c, iova, len, fd, 0) < 0) {
		fprintf(stderr, "hammer: DMA map: %s\n", vslot_client_strerror(v.c));
		return 4;
	}
	for (unsigned int q = 0; q < HAMMER_QUEUES; q++) {
		struct qdma_h2c_st_desc *d = (void *)(mem + (size_t)q * 2048);

		for (unsigned int i = 0; i < HAMMER_RING - 1; i++)
			qdma_h2c_st_desc_fill(&d[i], iova + (1u << 20), 1024,
				QDMA_H2C_ST_F_SOP | QDMA_H2C_ST_F_EOP);
		if (vfraw_h2c_ctxt(&v, (uint16_t)(qb + (int32_t)q), iova + (uint64_t)q * 2048,
				HAMMER_RING, 5000) != 0) {
			fprintf(stderr, "hammer: context of queue %u refused\n", q);
			return 5;
		}
	}
	if (write(wfd, "r\n", 2) != 2)
		return 6;
	for (;;) {
		for (unsigned int q = 0; q < HAMMER_QUEUES; q++) {
			pidx[q] = (uint16_t)((pidx[q] + 32) % (HAMMER_RING - 1));
			vfraw_wr(&v, QDMA_VF_DMAP_H2C_PIDX(q), qdma_db_pidx(pidx[q], 0));
		}
		usleep(50);
	}
}

/* ------------------------------------------------------------- the PF side */

struct events {
	unsigned int n[4][QDMA_MAX_FUNCS]; /* [event][function] */
};

static void
on_event(void *arg, uint16_t port, uint16_t func, enum rte_pmd_qdma_vf_event ev)
{
	struct events *e = arg;

	(void)port;
	if ((unsigned int)ev < 4 && func < QDMA_MAX_FUNCS)
		__atomic_fetch_add(&e->n[ev][func], 1, __ATOMIC_RELAXED);
}

static unsigned int
evt(struct events *e, enum rte_pmd_qdma_vf_event ev, uint16_t func)
{
	return __atomic_load_n(&e->n[ev][func], __ATOMIC_RELAXED);
}

static struct rte_pmd_qdma_fn_state
state(uint16_t port, uint16_t func)
{
	struct rte_pmd_qdma_fn_state st;

	memset(&st, 0, sizeof(st));
	rte_pmd_qdma_fn_state(port, func, &st);
	return st;
}

/* One line from a child within @p secs (the fd is made non-blocking). */
static bool
read_line(int fd, char *buf, size_t len, int secs)
{
	size_t n = 0;
	uint64_t end = vfraw_now_us() + (uint64_t)secs * 1000000u;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (n + 1 < len && vfraw_now_us() < end) {
		ssize_t r = read(fd, buf + n, 1);

		if (r == 1) {
			if (buf[n] == '\n')
				break;
			n++;
		} else {
			usleep(1000);
		}
	}
	buf[n] = '\0';
	return n > 0;
}

/* SW context of @p qid (sel SW_H2C) as the card holds it. */
static struct qdma_sw_ctx
sw_ctx(struct qdma_adapter *ad, uint16_t qid)
{
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };
	struct qdma_sw_ctx sw;

	qdma_ind_ctxt(ad, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, qid, NULL, QDMA_SW_CTX_WORDS, w);
	qdma_sw_ctx_decode(w, &sw);
	return sw;
}

static void
part_a(const char *sock, uint16_t port, struct events *ev)
{
	int p[2];
	pid_t stuck, flood, good[GOOD_VFS], hello;
	uint16_t f_stuck = QDMA_VF_FUNC_BASE + 0, f_flood = QDMA_VF_FUNC_BASE + 1;
	struct rte_pmd_qdma_fn_state st;

	if (pipe(p) < 0)
		return;
	stuck = spawn(vf_stuck, sock, 0, -1);
	flood = spawn(vf_flood, sock, 1, -1);
	usleep(20 * 1000);   /* the victims start while the stuck VF still holds the outbox */
	for (unsigned int i = 0; i < GOOD_VFS; i++)
		good[i] = spawn(vf_good, sock, 2 + i, p[1]);
	for (unsigned int i = 0; i < GOOD_VFS; i++) {
		char line[128];
		unsigned int vf = 0, fails = GOOD_REQS;
		uint64_t p50 = 0, p99 = 0, max = 0;

		if (read_line(p[0], line, sizeof(line), 120))
			sscanf(line, "%u %u %" SCNu64 " %" SCNu64 " %" SCNu64, &vf, &fails, &p50,
				&p99, &max);
		tap(fails == 0, "well-behaved VF %u: %u/%u requests answered beside a stuck and a "
			"flooding VF (latency p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64
			" us)", vf, GOOD_REQS - fails, GOOD_REQS, p50, p99, max);
	}
	for (unsigned int i = 0; i < GOOD_VFS; i++)
		wait_exit(good[i], 30);
	hello = spawn(vf_hello_only, sock, 5, -1);
	tap(wait_exit(hello, 30) == 0, "a new VF says HELLO while the stuck and flooding VFs run");
	for (unsigned int i = 0; i < GOOD_VFS; i++) {
		st = state(port, (uint16_t)(QDMA_VF_FUNC_BASE + 2 + i));
		tap(st.mbox_dropped == 0 && st.mbox_rejected == 0 && st.send_timeouts == 0 &&
			st.mbox_rx >= GOOD_REQS - 1, "VF function %u: %" PRIu64 " received, %" PRIu64
			" sent, none dropped", QDMA_VF_FUNC_BASE + 2 + i, st.mbox_rx, st.mbox_tx);
	}
	/* the flooder goes on until its rate is exceeded (a slow build floods slowly) */
	for (int i = 0; i < 3000 && evt(ev, RTE_PMD_QDMA_VF_EVT_FLOOD, f_flood) == 0; i++)
		usleep(10000);
	st = state(port, f_stuck);
	tap(st.send_timeouts >= 1 && st.resets >= 1 && !st.online && st.qmax == 0,
		"the VF that never reads was reset by the PF (send timeouts %" PRIu64 ", resets %"
		PRIu64 ", online %d)", st.send_timeouts, st.resets, st.online);
	st = state(port, f_flood);
	tap(st.mbox_dropped > 0 && st.online, "the flooding VF is rate-limited: %" PRIu64
		" of %" PRIu64 " messages dropped, still online", st.mbox_dropped, st.mbox_rx);
	close(p[0]);
	close(p[1]);
	reap(stuck);
	reap(flood);
}

static void
check_events_a(struct events *ev)
{
	uint16_t f_stuck = QDMA_VF_FUNC_BASE + 0, f_flood = QDMA_VF_FUNC_BASE + 1;
	unsigned int nflood = evt(ev, RTE_PMD_QDMA_VF_EVT_FLOOD, f_flood);

	tap(evt(ev, RTE_PMD_QDMA_VF_EVT_STUCK, f_stuck) >= 1, "STUCK reported for function %u",
		f_stuck);
	tap(nflood >= 1 && nflood < 50, "FLOOD reported for function %u, once per burst (%u)",
		f_flood, nflood);
	tap(evt(ev, RTE_PMD_QDMA_VF_EVT_STUCK, QDMA_VF_FUNC_BASE + 2) == 0 &&
		evt(ev, RTE_PMD_QDMA_VF_EVT_FLOOD, QDMA_VF_FUNC_BASE + 2) == 0,
		"nothing reported against a well-behaved VF");
}

/* B: a VF with active queues goes away (killed, or revoked by the PF). */
static void
part_b(const char *sock, uint16_t port, struct qdma_adapter *ad, struct events *ev,
		unsigned int vf, bool revoke)
{
	const char *how = revoke ? "revoked" : "killed";
	struct rte_pmd_qdma_fn_state st;
	struct qdma_sw_ctx sw;
	unsigned int func = 0;
	uint32_t fqb = 1, fqm = 1;
	char line[64];
	int p[2], qb = -1;
	pid_t pid;

	if (pipe(p) < 0)
		return;
	pid = spawn(vf_with_queues, sock, vf, p[1]);
	if (!read_line(p[0], line, sizeof(line), 60) || sscanf(line, "%d %u", &qb, &func) != 2 ||
	    qb < 0) {
		tap(false, "VF %u set up its queues", vf);
		reap(pid);
		return;
	}
	st = state(port, (uint16_t)func);
	sw = sw_ctx(ad, (uint16_t)qb);
	tap(st.online && st.active_h2c == 2 && st.qmax == 8 && sw.qen == 1 && sw.fnc_id == func,
		"VF function %u online with 2 active queues at %d (card context valid)", func, qb);
	if (revoke)
		rte_pmd_qdma_vf_revoke(port, vf);
	else
		kill(pid, SIGKILL);
	for (int i = 0; i < 1000; i++) {
		st = state(port, (uint16_t)func);
		if (!st.online && st.resets >= 1 && evt(ev, RTE_PMD_QDMA_VF_EVT_GONE, func) >= 1)
			break;
		usleep(10000);
	}
	tap(!st.online && st.resets == 1 && st.active_h2c == 0 && st.qmax == 0,
		"%s VF: the PF shows it offline, no active queues, window released (resets %"
		PRIu64 ")", how, st.resets);
	tap(evt(ev, RTE_PMD_QDMA_VF_EVT_GONE, func) == 1, "%s VF: GONE reported once", how);
	rte_pmd_qdma_fmap_get(port, (uint16_t)func, &fqb, &fqm);
	sw = sw_ctx(ad, (uint16_t)qb);
	{
		struct qdma_sw_ctx sw1 = sw_ctx(ad, (uint16_t)(qb + 1));

		tap(sw.qen == 0 && sw.fnc_id == 0 && sw1.qen == 0 && fqm == 0,
			"%s VF: the card's contexts of its queues are invalid, FMAP cleared", how);
	}
	tap(rte_pmd_qdma_fn_set_queues(port, (uint16_t)func, qb + 300, 8) == 0 &&
		state(port, (uint16_t)func).qbase == qb + 300 &&
		rte_pmd_qdma_fn_set_queues(port, (uint16_t)func, -1, 0) == 0,
		"%s VF: its window can be moved", how);
	reap(pid);
	close(p[0]);
	close(p[1]);
}

static int
cmp_u64p(const void *a, const void *b)
{
	return cmp_u64(a, b);
}

/* C: the PF programs contexts while a VF keeps 256 queues busy. */
static pid_t
part_c(const char *sock, struct qdma_adapter *ad)
{
	enum { N = 200 };
	uint64_t lat[N];
	struct qdma_mbox_descq_conf d = { 0 };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS];
	struct qdma_hw_ctx h0, h1;
	unsigned int fails = 0;
	char line[16];
	int p[2];
	pid_t pid;
	int32_t qb;

	if (pipe(p) < 0)
		return -1;
	pid = spawn(vf_hammer, sock, 8, p[1]);
	if (!read_line(p[0], line, sizeof(line), 120)) {
		tap(false, "the hammering VF set up its 256 queues");
		close(p[0]);
		close(p[1]);
		return pid;
	}
	close(p[0]);
	close(p[1]);
	usleep(300 * 1000);
	qb = state(ad->eth->data->port_id, QDMA_VF_FUNC_BASE + 8).qbase;
	qdma_ind_ctxt(ad, QDMA_IND_SEL_HW_H2C, QDMA_IND_OP_RD, (unsigned int)qb, NULL,
		QDMA_HW_CTX_WORDS, w);
	qdma_hw_ctx_decode(w, &h0);
	d.ring_bs_addr = 0x200000;
	d.flags = (uint32_t)QDMA_DESC_SZ_16B << QDMA_DESCQ_DESC_SZ_SHIFT;
	d.ringsz = 1024;
	for (unsigned int i = 0; i < N; i++) {
		uint64_t t0 = vfraw_now_us();

		if (qdma_queue_ctxt_write(ad, ad->func_id, 2000, true, false,
				QDMA_MBOX_CMPT_CTXT_NONE, &d) != 0 ||
		    qdma_queue_ctxt_inv(ad, 2000, true, false, QDMA_MBOX_CMPT_CTXT_NONE, true) != 0)
			fails++;
		lat[i] = vfraw_now_us() - t0;
	}
	qdma_ind_ctxt(ad, QDMA_IND_SEL_HW_H2C, QDMA_IND_OP_RD, (unsigned int)qb, NULL,
		QDMA_HW_CTX_WORDS, w);
	qdma_hw_ctx_decode(w, &h1);
	qsort(lat, N, sizeof(lat[0]), cmp_u64p);
	tap(h1.crd_use != h0.crd_use, "the VF's 256 queues are moving (credits %u -> %u)",
		h0.crd_use, h1.crd_use);
	tap(fails == 0, "%u/%u PF context programs (write + clear, 8 commands) completed beside "
		"them (latency p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us)",
		N - fails, N, lat[N / 2], lat[N * 99 / 100], lat[N - 1]);
	return pid;
}

/* B': numvfs -> 0 removes the VFs: the hammering one (256 active queues) is gone for the PF. */
static void
part_numvfs(const char *sock, uint16_t port, struct qdma_adapter *ad, struct events *ev)
{
	uint16_t func = QDMA_VF_FUNC_BASE + 8;
	struct rte_pmd_qdma_fn_state st = state(port, func);
	int32_t qb = st.qbase;
	struct qdma_sw_ctx sw;
	char line[64];
	int p[2];

	tap(st.online && st.qmax == HAMMER_QUEUES && qb >= 0, "VF function %u holds %u queues",
		func, st.qmax);
	tap(rte_pmd_qdma_sriov_set_numvfs(port, 0) == 0, "numvfs -> 0");
	st = state(port, func);
	sw = sw_ctx(ad, (uint16_t)qb);
	tap(!st.online && st.qmax == 0 && st.resets == 1 && sw.qen == 0 &&
		evt(ev, RTE_PMD_QDMA_VF_EVT_GONE, func) == 1,
		"numvfs -> 0: the PF shows VF function %u offline, window released, contexts "
		"invalid, GONE reported", func);
	/* VFs again, and one with queues for the last part */
	rte_pmd_qdma_sriov_set_numvfs(port, NUM_VFS);
	rte_pmd_qdma_vf_grant(port, 6, TOKEN(6));
	if (pipe(p) < 0)
		return;
	spawn(vf_with_queues, sock, 6, p[1]);
	tap(read_line(p[0], line, sizeof(line), 60), "a new VF holds queues again");
	close(p[0]);
	close(p[1]);
}

/* D: the card dies; closing the PF is quick and says why. */
static void
part_d(uint16_t port)
{
	char *logbuf = NULL;
	size_t loglen = 0;
	FILE *logf = open_memstream(&logbuf, &loglen);
	uint64_t t0, us;

	stop_pid(&card_pid);
	if (logf != NULL)
		rte_openlog_stream(logf);
	t0 = vfraw_now_us();
	rte_eth_dev_close(port);
	us = vfraw_now_us() - t0;
	rte_openlog_stream(NULL);
	if (logf != NULL)
		fclose(logf);
	tap(us < 10u * 1000000u, "closing the PF after the card died took %" PRIu64 " ms "
		"(a VF's queues to release)", us / 1000);
	tap(logbuf != NULL && strstr(logbuf, "the card is gone") != NULL,
		"the close says why it does not wait");
	if (logbuf != NULL)
		fputs(logbuf, stderr);
	free(logbuf);
}

int
main(void)
{
	char dir[] = "/tmp/svff-iso-XXXXXX", sock[256], vdev[512], prefix[64];
	char *argv[] = { "test_isolation", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m",
		"128", "--vdev", vdev, "--log-level", "pmd.net.qdma.*:notice", NULL };
	struct rte_pmd_qdma_policy pol = { .vf_event = on_event };
	struct events *ev = calloc(1, sizeof(*ev));
	struct qdma_adapter *ad;
	struct stat sb;
	uint16_t port;
	int ready[2];
	char c;
	pid_t hammer;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (ev == NULL || mkdtemp(dir) == NULL || pipe(ready) < 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	card_pid = fork();
	if (card_pid == 0)
		card_main(sock, 16, ready[1]);
	if (card_pid < 0 || read(ready[0], &c, 1) != 1 || stat(sock, &sb) < 0) {
		printf("Bail out! the card did not start\n");
		stop_all();
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-iso-%d", getpid());
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf,num_vfs=%d,mbox_send_timeout_ms=%d,"
		"mbox_rate=200,mbox_burst=300", sock, NUM_VFS, SEND_TIMEOUT_MS);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma0", &port) != 0 ||
	    (ad = qdma_port_adapter(port)) == NULL) {
		printf("Bail out! EAL or PF probe failed\n");
		stop_all();
		return 1;
	}
	rte_pmd_qdma_set_policy(port, &pol, ev);
	for (unsigned int i = 0; i < NUM_VFS; i++)
		rte_pmd_qdma_vf_grant(port, i, TOKEN(i));

	part_a(sock, port, ev);
	check_events_a(ev);
	part_b(sock, port, ad, ev, 6, false);
	part_b(sock, port, ad, ev, 7, true);
	hammer = part_c(sock, ad);
	part_numvfs(sock, port, ad, ev);
	reap(hammer);
	part_d(port);
	stop_all();
	rte_eal_cleanup();
	unlink(sock);
	rmdir(dir);
	free(ev);
	return tap_done();
}
