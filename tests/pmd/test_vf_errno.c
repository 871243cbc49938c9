/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The errno a VF application sees for each way its PF can refuse it (issue 9, item 1).
 *
 * The PF refuses with a mailbox status (enum qdma_mbox_status); the VF PMD turns it into a
 * -errno once, at the mailbox boundary (qdma_vf_request()), and an ethdev call returns that. A
 * request that gets no answer at all fails with the exchange's own errno. Each case below makes
 * the PF refuse in one way and checks the exact errno of the real ethdev (or rte_pmd_qdma) call
 * of a VF application, and that the port still works once the PF accepts again:
 *
 *   PF policy refuses HELLO           rte_dev_probe()             -EPERM
 *   queues beyond the VF's quota      rte_eth_dev_configure()     -ENOSPC (was -ENOTBLK: status -15)
 *   PF policy refuses a context       rte_eth_dev_start()         -EPERM
 *   MM queues not allowed to VFs      rte_pmd_qdma_mm_write()     -EPERM
 *   PF does not answer                rte_eth_dev_configure()     -ETIMEDOUT
 *   VF over its message rate          rte_eth_dev_configure()     -ETIMEDOUT (dropped unanswered)
 *   the PF revoked the VF (detach)    rte_eth_dev_configure()     -ENODEV
 *   PF said PF_BYE                    rte_eth_dev_configure()     -ENODEV
 *
 * Processes: the card (lib/qdma_sim) in a child started first; the PF (our PMD, DPDK primary,
 * mailbox served by polling) here; the VF application in a child, a DPDK primary of its own
 * --file-prefix that probes VF ports with rte_eal_hotplug_add() and asks the PF to change its
 * policy over a pipe. Every child is stopped by PID, also on failure.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "qdma_sim.h"
#include "rte_pmd_qdma.h"
#include "pmdtest.h"

#define TOKEN(i) (0xe77000ull + (i))
/* messages a VF may send at once, then one a second: the cases of VF 0 stay well inside it,
 * the flood of VF 1 goes beyond it */
#define MBOX_BURST 150
#define MBOX_RATE 1
#define QUOTA 4

static pid_t card_pid = -1, vf_pid = -1;

static void
stop_pid(pid_t *p)
{
	if (*p > 0) {
		kill(*p, SIGKILL);
		waitpid(*p, NULL, 0);
	}
	*p = -1;
}

/* ------------------------------------------------------------- the card */

/* --------------------------------------------------------------- the PF */

struct pf_policy {
	bool refuse_hello;
	bool refuse_ctxt;
	uint32_t quota;             /* queues a VF may ask for; 0: no limit */
	unsigned int floods[256];   /* RTE_PMD_QDMA_VF_EVT_FLOOD per function */
};

static int
pol_hello(void *arg, uint16_t port, uint16_t func)
{
	const struct pf_policy *p = arg;

	(void)port;
	(void)func;
	return p->refuse_hello ? -EPERM : 0;
}

static int
pol_queues(void *arg, uint16_t port, uint16_t func, uint32_t qmax, int32_t *qbase)
{
	const struct pf_policy *p = arg;

	(void)port;
	if (p->quota != 0 && qmax > p->quota)
		return -ENOSPC;
	*qbase = 64 * (int32_t)(func % 16);   /* a fixed, disjoint window per function */
	return 0;
}

static int
pol_ctxt(void *arg, uint16_t port, uint16_t func, uint16_t qid, bool c2h, bool write)
{
	const struct pf_policy *p = arg;

	(void)port;
	(void)func;
	(void)qid;
	(void)c2h;
	return p->refuse_ctxt && write ? -EPERM : 0;
}

static void
pol_event(void *arg, uint16_t port, uint16_t func, enum rte_pmd_qdma_vf_event ev)
{
	struct pf_policy *p = arg;

	(void)port;
	if (ev == RTE_PMD_QDMA_VF_EVT_FLOOD && func < RTE_DIM(p->floods))
		p->floods[func]++;
}

/* One command of the VF application; returns the answer. */
static long
pf_command(uint16_t port, struct pf_policy *p, bool *serve, const char *line)
{
	long v = 0;
	char what[32];

	if (sscanf(line, "%31s %ld", what, &v) < 1)
		return -EINVAL;
	if (strcmp(what, "hello") == 0)
		p->refuse_hello = v == 0;
	else if (strcmp(what, "ctxt") == 0)
		p->refuse_ctxt = v == 0;
	else if (strcmp(what, "quota") == 0)
		p->quota = (uint32_t)v;
	else if (strcmp(what, "serve") == 0)
		*serve = v != 0;
	else if (strcmp(what, "func") == 0)
		return rte_pmd_qdma_vf_func_id(port, (unsigned int)v);
	else if (strcmp(what, "floods") == 0)
		return v >= 0 && v < (long)RTE_DIM(p->floods) ? (long)p->floods[v] : -1;
	else if (strcmp(what, "revoke") == 0)
		return rte_pmd_qdma_vf_revoke(port, (unsigned int)v);
	else if (strcmp(what, "grant") == 0)
		return rte_pmd_qdma_vf_grant(port, (unsigned int)v, TOKEN(v));
	else if (strcmp(what, "bye") == 0)
		return rte_pmd_qdma_vf_notify(port, (uint16_t)v, RTE_PMD_QDMA_PF_BYE);
	else
		return -EINVAL;
	return 0;
}

/* Serve the mailbox (unless told not to) and the VF application's commands until it exits. */
static int
pf_loop(uint16_t port, struct pf_policy *p, FILE *req, FILE *rsp)
{
	bool serve = true;
	char line[128];
	int status;

	for (;;) {
		int n = serve ? rte_pmd_qdma_mbox_service(port, 32) : 0;

		if (waitpid(vf_pid, &status, WNOHANG) == vf_pid) {
			vf_pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
		if (fgets(line, sizeof(line), req) == NULL) {
			clearerr(req);
			if (n <= 0)
				usleep(100);
			continue;
		}
		fprintf(rsp, "%ld\n", pf_command(port, p, &serve, line));
		fflush(rsp);
	}
}

/* ------------------------------------------------- the VF application */

static FILE *to_pf, *from_pf;
static const char *card_sock;
static struct rte_mempool *mp;
static volatile int rmv_events;

static long
pf(const char *fmt, ...)
{
	char line[64];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(to_pf, fmt, ap);
	va_end(ap);
	fputc('\n', to_pf);
	fflush(to_pf);
	if (fgets(line, sizeof(line), from_pf) == NULL)
		return -EPIPE;
	return strtol(line, NULL, 10);
}

static int
on_rmv(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	(void)port;
	(void)ev;
	(void)arg;
	(void)ret;
	rmv_events++;
	return 0;
}

/* Probe VF @p vf as vdev @p name; the port id in *port. Returns rte_eal_hotplug_add()'s rc. */
static int
vf_probe(const char *name, unsigned int vf, const char *extra, uint16_t *port)
{
	char args[512];
	int rc;

	snprintf(args, sizeof(args), "card=%s,fn=vf%u,token=0x%llx%s", card_sock, vf,
		(unsigned long long)TOKEN(vf), extra);
	rc = rte_eal_hotplug_add("vdev", name, args);
	if (rc == 0 && rte_eth_dev_get_port_by_name(name, port) != 0)
		rc = -ENOENT;
	if (rc == 0)
		rte_eth_dev_callback_register(*port, RTE_ETH_EVENT_INTR_RMV, on_rmv, NULL);
	return rc;
}

static void
vf_remove(const char *name, uint16_t port)
{
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RMV, on_rmv, NULL);
	rte_eal_hotplug_remove("vdev", name);
}

static int
configure(uint16_t port, uint16_t nq)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	return rte_eth_dev_configure(port, nq, nq, &conf);
}

/* configure + one RX and one TX queue per queue pair */
static int
configure_setup(uint16_t port, uint16_t nq)
{
	int rc = configure(port, nq);

	for (uint16_t q = 0; rc == 0 && q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL);
	}
	return rc;
}

static void
case_accepted(void)
{
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_ok", 0, "", &port);

	tap(rc == 0, "accepted: probe returns 0 (got %d)", rc);
	if (rc != 0)
		return;
	rc = configure_setup(port, 2);
	tap(rc == 0, "accepted: configure and queue setup return 0 (got %d)", rc);
	rc = rte_eth_dev_start(port);
	tap(rc == 0, "accepted: start returns 0 (got %d)", rc);
	rte_eth_dev_stop(port);
	vf_remove("net_qdma_ok", port);
}

static void
case_hello_refused(void)
{
	uint16_t port = 0;
	int rc;

	pf("hello 0");
	rc = vf_probe("net_qdma_hello", 0, "", &port);
	pf("hello 1");
	tap(rc == -EPERM, "HELLO refused by the PF's policy: probe returns -EPERM (got %d: %s)",
		rc, rte_strerror(-rc));
	tap(rte_eth_dev_get_port_by_name("net_qdma_hello", &port) != 0,
		"HELLO refused: no port left behind");
	if (rc == 0)
		vf_remove("net_qdma_hello", port);
	rc = vf_probe("net_qdma_hello", 0, "", &port);
	tap(rc == 0, "HELLO accepted again: probe returns 0 (got %d)", rc);
	if (rc == 0)
		vf_remove("net_qdma_hello", port);
}

static void
case_quota(void)
{
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_quota", 0, "", &port);

	if (rc != 0) {
		tap(false, "quota: probe failed (%d)", rc);
		return;
	}
	pf("quota %d", QUOTA);
	rc = configure(port, 2 * QUOTA);
	tap(rc == -ENOSPC, "%u queues beyond the VF's quota of %u: configure returns -ENOSPC "
		"(got %d: %s)", 2 * QUOTA, QUOTA, rc, rte_strerror(-rc));
	rc = configure_setup(port, QUOTA);
	tap(rc == 0, "the quota itself: configure and setup return 0 (got %d)", rc);
	pf("quota 0");
	vf_remove("net_qdma_quota", port);
}

static void
case_ctxt_refused(void)
{
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_ctxt", 0, "", &port);

	if (rc != 0 || configure_setup(port, 1) != 0) {
		tap(false, "context: probe or setup failed (%d)", rc);
		return;
	}
	pf("ctxt 0");
	rc = rte_eth_dev_start(port);
	pf("ctxt 1");
	tap(rc == -EPERM, "a queue context refused by the PF's policy: start returns -EPERM "
		"(got %d: %s)", rc, rte_strerror(-rc));
	rc = rte_eth_dev_start(port);
	tap(rc == 0, "the context accepted again: start returns 0 (got %d)", rc);
	rte_eth_dev_stop(port);
	vf_remove("net_qdma_ctxt", port);
}

static void
case_mm_refused(void)
{
	const struct rte_memzone *mz = rte_memzone_reserve("errno_mm", 4096, SOCKET_ID_ANY,
		RTE_MEMZONE_IOVA_CONTIG);
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_mm", 0, ",mm_queues=1", &port);

	if (rc != 0 || mz == NULL || configure(port, 1) != 0) {
		tap(false, "MM: probe, memory or configure failed (%d)", rc);
		rte_memzone_free(mz);
		return;
	}
	rc = rte_pmd_qdma_mm_write(port, 0, 0, mz->iova, 64);
	tap(rc == -EPERM, "an MM queue of a VF (the PF does not allow card memory to VFs): "
		"rte_pmd_qdma_mm_write returns -EPERM (got %d: %s)", rc, rte_strerror(-rc));
	rte_memzone_free(mz);
	vf_remove("net_qdma_mm", port);
}

static void
case_pf_silent(void)
{
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_silent", 0, "", &port);

	if (rc != 0 || configure(port, 1) != 0) {
		tap(false, "silent PF: probe or configure failed (%d)", rc);
		return;
	}
	pf("serve 0");
	rc = configure(port, 2);
	pf("serve 1");
	tap(rc == -ETIMEDOUT, "the PF does not answer: configure returns -ETIMEDOUT (got %d: %s)",
		rc, rte_strerror(-rc));
	rc = configure_setup(port, 2);
	tap(rc == 0, "the PF answers again (its late answer dropped): configure returns 0 "
		"(got %d)", rc);
	vf_remove("net_qdma_silent", port);
}

static void
case_flood(void)
{
	long func = pf("func 1");
	uint16_t port = 0;
	unsigned int calls = 0;
	int rc = vf_probe("net_qdma_flood", 1, "", &port);

	if (rc != 0) {
		tap(false, "flood: probe failed (%d)", rc);
		return;
	}
	/* each configure that changes the window is two messages (QREQ, FMAP) */
	do
		rc = configure(port, (uint16_t)(1 + calls++ % 2));
	while (rc == 0 && calls < 10 * MBOX_BURST);
	tap(rc == -ETIMEDOUT, "beyond its message rate (burst %d): configure returns -ETIMEDOUT "
		"after %u calls (got %d: %s)", MBOX_BURST, calls, rc, rte_strerror(-rc));
	tap(pf("floods %ld", func) >= 1, "the PF reported the flood of function %ld", func);
	vf_remove("net_qdma_flood", port);
}

static void
case_revoked(void)
{
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_revoked", 0, "", &port);

	if (rc != 0 || configure(port, 1) != 0) {
		tap(false, "revoke: probe or configure failed (%d)", rc);
		return;
	}
	rmv_events = 0;
	rc = (int)pf("revoke 0");
	for (int i = 0; i < 500 && rmv_events == 0; i++)
		usleep(10000);
	tap(rc == 0 && rmv_events == 1, "the PF revoked the VF (%d): seen as a removal event (%d)",
		rc, rmv_events);
	rc = configure(port, 2);
	tap(rc == -ENODEV, "revoked: configure returns -ENODEV (got %d: %s)", rc,
		rte_strerror(-rc));
	vf_remove("net_qdma_revoked", port);
	rc = (int)pf("grant 0");
	tap(rc == 0, "granted again (%d)", rc);
}

static void
case_pf_bye(void)
{
	long func = pf("func 0");
	uint16_t port = 0;
	int rc = vf_probe("net_qdma_bye", 0, "", &port);

	if (rc != 0 || configure(port, 1) != 0) {
		tap(false, "PF_BYE: probe or configure failed (%d)", rc);
		return;
	}
	rmv_events = 0;
	rc = (int)pf("bye %ld", func);
	for (int i = 0; i < 500 && rmv_events == 0; i++)
		usleep(10000);
	tap(rc == 1 && rmv_events == 1, "PF_BYE sent (%d) and seen as a removal event (%d)", rc,
		rmv_events);
	rc = configure(port, 2);
	tap(rc == -ENODEV, "after PF_BYE: configure returns -ENODEV (got %d: %s)", rc,
		rte_strerror(-rc));
	vf_remove("net_qdma_bye", port);
}

static int
vf_app(const char *sock)
{
	char prefix[64];
	char *argv[] = { "test_vf_errno_vf", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m",
		"64", "--log-level", "pmd.net.qdma.*:notice", NULL };
	char go[8];

	card_sock = sock;
	if (fgets(go, sizeof(go), from_pf) == NULL)
		return 1;
	snprintf(prefix, sizeof(prefix), "svfft-errno-vf-%d", getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		printf("Bail out! VF application: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("errno_mp", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("Bail out! VF application: no mbuf pool\n");
		return 1;
	}
	case_accepted();
	case_hello_refused();
	case_quota();
	case_ctxt_refused();
	case_mm_refused();
	case_pf_silent();
	case_flood();
	case_revoked();
	case_pf_bye();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return tap_done();
}

int
main(void)
{
	char dir[] = "/tmp/svff-errno-XXXXXX", sock[256], vdev[512], prefix[64];
	char *argv[] = { "test_vf_errno", "-l", "1", "--no-pci", "--file-prefix", prefix, "-m",
		"64", "--vdev", vdev, "--log-level", "pmd.net.qdma.*:notice", NULL };
	struct rte_pmd_qdma_policy pol = { .vf_hello = pol_hello, .queue_request = pol_queues,
		.ctxt_request = pol_ctxt, .vf_event = pol_event };
	struct pf_policy *p = calloc(1, sizeof(*p));
	int ready[2], to_parent[2], to_child[2], rc = 1;
	FILE *req = NULL, *rsp = NULL;
	struct stat sb;
	uint16_t port;
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (p == NULL || mkdtemp(dir) == NULL || pipe(ready) < 0 || pipe(to_parent) < 0 ||
	    pipe(to_child) < 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	card_pid = fork();
	if (card_pid == 0)
		card_main(sock, 4, ready[1]);
	if (card_pid < 0 || read(ready[0], &c, 1) != 1 || stat(sock, &sb) < 0) {
		printf("Bail out! the card did not start\n");
		goto out;
	}
	/* the VF application: forked before this process's EAL, it starts its own on "go" */
	vf_pid = fork();
	if (vf_pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		to_pf = fdopen(to_parent[1], "w");
		from_pf = fdopen(to_child[0], "r");
		_exit(vf_app(sock));
	}
	close(to_parent[1]);
	close(to_child[0]);
	req = fdopen(to_parent[0], "r");
	rsp = fdopen(to_child[1], "w");
	fcntl(to_parent[0], F_SETFL, fcntl(to_parent[0], F_GETFL) | O_NONBLOCK);
	snprintf(prefix, sizeof(prefix), "svfft-errno-pf-%d", getpid());
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf,num_vfs=2,mbox_rate=%d,"
		"mbox_burst=%d", sock, MBOX_RATE, MBOX_BURST);
	if (vf_pid < 0 || rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma0", &port) != 0) {
		printf("Bail out! EAL or PF probe failed\n");
		goto out;
	}
	if (rte_pmd_qdma_set_policy(port, &pol, p) < 0 || rte_pmd_qdma_mbox_set_poll(port, true) < 0 ||
	    rte_pmd_qdma_vf_grant(port, 0, TOKEN(0)) < 0 ||
	    rte_pmd_qdma_vf_grant(port, 1, TOKEN(1)) < 0) {
		printf("Bail out! PF set-up failed\n");
		goto out;
	}
	fprintf(rsp, "go\n");
	fflush(rsp);
	rc = pf_loop(port, p, req, rsp);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
out:
	stop_pid(&vf_pid);
	stop_pid(&card_pid);
	if (req != NULL)
		fclose(req);
	if (rsp != NULL)
		fclose(rsp);
	unlink(sock);
	rmdir(dir);
	free(p);
	return rc;
}
