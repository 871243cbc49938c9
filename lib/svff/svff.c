/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane object: creation (PF, NUMA placement, request ring,
 * journal, lifecycle), the manager loop with its idle back-off, and the
 * request hand-over between telemetry threads and the manager.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <numa.h>
#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_pause.h>
#include <rte_pmd_qdma.h>
#include <rte_ring.h>

#include "svff_mgr.h"
#include "svff_private.h"

RTE_LOG_REGISTER_DEFAULT(svff_logtype, INFO);

/* Idle back-off of the manager loop (design.md §7). */
#define SPIN_ROUNDS 256        /* idle rounds spent spinning before sleeping */
#define SLEEP_MIN_US 16
#define SLEEP_MAX_US 1000
#define MBOX_BUDGET 32
#define REQ_BURST 8

static uint64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

uint64_t
svff_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

json_t *
svff_error(const char *code, const char *fmt, ...)
{
	char msg[SVFF_REPLY_STR_MAX];   /* a telemetry string: longer ones are cut */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s}", "error", msg, "code", code);
}

static int attach_pf(struct svff *s, char *err, size_t errlen);

void
svff_mailbox_devargs(const struct svff_config *c, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (c->mailbox.rate > 0)
		n += snprintf(buf + n, len - (size_t)n, ",mbox_rate=%u", c->mailbox.rate);
	if (c->mailbox.burst > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ",mbox_burst=%u", c->mailbox.burst);
	if (c->mailbox.send_timeout_ms > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ",mbox_send_timeout_ms=%u",
			c->mailbox.send_timeout_ms);
}
static void detach_pf(struct svff *s);

/* NUMA node of the card: the PCI device's, or the manager lcore's (emulated). */
static int
card_node(const struct svff_config *cfg)
{
	uint16_t port;
	int node = -1;

	if (cfg->card.type == SVFF_CARD_PCI &&
	    rte_eth_dev_get_port_by_name(cfg->card.pci, &port) == 0)
		node = rte_eth_dev_socket_id(port);
	if (node < 0)
		node = (int)rte_lcore_to_socket_id(rte_get_main_lcore());
	return node < 0 ? 0 : node;
}

static void
warn_remote_lcores(int node)
{
	unsigned int l;

	RTE_LCORE_FOREACH(l) {
		if ((int)rte_lcore_to_socket_id(l) != node)
			SVFF_LOG(WARNING, "lcore %u is on NUMA node %u, the card on node %d: "
				"pin svffd to the card's node", l, rte_lcore_to_socket_id(l), node);
	}
}

static struct svff *
alloc_state(int node)
{
	struct svff *s;

	if (numa_available() >= 0 && node <= numa_max_node()) {
		s = numa_alloc_onnode(sizeof(*s), node);
		if (s != NULL)
			memset(s, 0, sizeof(*s));
	} else {
		s = calloc(1, sizeof(*s));
	}
	if (s != NULL)
		s->numa_node = node;
	return s;
}

static void
free_state(struct svff *s)
{
	if (numa_available() >= 0 && s->numa_node <= numa_max_node())
		numa_free(s, sizeof(*s));
	else
		free(s);
}

struct svff *
svff_create(const struct svff_config *cfg, char *err, size_t errlen)
{
	int node = card_node(cfg);
	char name[RTE_RING_NAMESIZE];
	struct svff *s;

	s = alloc_state(node);
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->start_time = mono_s();
	s->manager_lcore = rte_get_main_lcore();
	warn_remote_lcores(node);
	snprintf(name, sizeof(name), "svff_req_%d", getpid());
	s->ring = rte_ring_create(name, 64, node, RING_F_SC_DEQ);
	if (s->ring == NULL) {
		snprintf(err, errlen, "cannot create the request ring: %s", rte_strerror(rte_errno));
		goto fail;
	}
	/* a posted request wakes a sleeping manager at once */
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->wake_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail_ring;
	}
	if (attach_pf(s, err, errlen) < 0)
		goto fail_ring;
	if (svff_mgr_init(s, err, errlen) < 0)
		goto fail_pf;
	SVFF_LOG(INFO, "control plane up: card %s, PF port %u, manager lcore %u, NUMA node %d, "
		"%u VFs", svff_card_type_name(cfg->card.type), s->pf_port, s->manager_lcore, node,
		s->numvfs);
	return s;
fail_pf:
	detach_pf(s);
fail_ring:
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	rte_ring_free(s->ring);
fail:
	free_state(s);
	return NULL;
}

/* Find (PCI card: probed by EAL from -a) or attach (emulated card: the slot socket) the PF. */
static int
attach_pf(struct svff *s, char *err, size_t errlen)
{
	const struct svff_config *c = &s->cfg;
	struct rte_pmd_qdma_info info;
	uint16_t port;
	int rc;

	if (c->card.type == SVFF_CARD_PCI) {
		snprintf(s->pf_name, sizeof(s->pf_name), "%s", c->card.pci);
	} else {
		char args[SVFF_CONFIG_STR_MAX + 128];

		snprintf(s->pf_name, sizeof(s->pf_name), "net_qdma_svff");
		snprintf(args, sizeof(args), "card=%s,fn=pf", c->card.socket);
		svff_mailbox_devargs(c, args + strlen(args), sizeof(args) - strlen(args));
		rc = rte_eal_hotplug_add("vdev", s->pf_name, args);
		if (rc < 0) {
			snprintf(err, errlen, "cannot attach the PF of the card at %s: %s",
				c->card.socket, rte_strerror(-rc));
			return rc;
		}
		s->pf_attached = true;
	}
	if (rte_eth_dev_get_port_by_name(s->pf_name, &port) != 0 ||
	    rte_pmd_qdma_get_info(port, &info) < 0 || info.is_vf) {
		snprintf(err, errlen, "no QDMA PF at %s (is the card bound to vfio-pci?)",
			s->pf_name);
		detach_pf(s);
		return -ENODEV;
	}
	s->pf_port = port;
	rc = rte_pmd_qdma_vf_func_id(port, 0);
	s->vf_func_base = rc < 0 ? 4 : (uint16_t)rc;
	return 0;
}

static void
detach_pf(struct svff *s)
{
	uint16_t port;

	if (!s->pf_attached)
		return;
	if (rte_eth_dev_get_port_by_name(s->pf_name, &port) == 0)
		rte_eth_dev_close(port);
	rte_eal_hotplug_remove("vdev", s->pf_name);
	s->pf_attached = false;
}

/* ------------------------------------------------------------ requests */

void
svff_req_put(struct svff_req *req)
{
	if (__atomic_sub_fetch(&req->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		json_decref(req->reply);
		free(req);
	}
}

void
svff_req_finish(struct svff_req *req, json_t *reply)
{
	req->reply = reply;
	__atomic_store_n(&req->state, SVFF_REQ_DONE, __ATOMIC_RELEASE);
	svff_req_put(req);
}

/* Take up to REQ_BURST requests; those their poster gave up on are dropped. */
static unsigned int
serve_requests(struct svff *s)
{
	void *objs[REQ_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(s->ring, objs, REQ_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct svff_req *req = objs[i];
		uint32_t expected = SVFF_REQ_QUEUED;

		if (!__atomic_compare_exchange_n(&req->state, &expected, SVFF_REQ_TAKEN, false,
				__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			svff_req_put(req);      /* cancelled: busy was answered */
			continue;
		}
		svff_mgr_handle(s, req);
	}
	return n;
}

json_t *
svff_request(struct svff *s, struct svff_req *req, unsigned int timeout_ms)
{
	uint64_t t0 = svff_mono_us(), pickup = 2000u * 1000u;
	uint32_t expected = SVFF_REQ_QUEUED;
	json_t *reply;

	req->refs = 2;
	req->state = SVFF_REQ_QUEUED;
	if (rte_ring_mp_enqueue(s->ring, req) != 0) {
		free(req);
		return svff_error("busy", "svffd is busy (request queue full): retry");
	}
	if (eventfd_write(s->wake_fd, 1) < 0)
		SVFF_LOG(DEBUG, "cannot wake the manager: %s", strerror(errno));
	/* the manager takes it within the pickup time, or we withdraw it */
	while (__atomic_load_n(&req->state, __ATOMIC_ACQUIRE) == SVFF_REQ_QUEUED &&
	       svff_mono_us() - t0 < pickup)
		usleep(200);
	if (__atomic_compare_exchange_n(&req->state, &expected, SVFF_REQ_CANCELLED, false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		svff_req_put(req);
		return svff_error("busy", "svffd's manager is busy: retry");
	}
	while (__atomic_load_n(&req->state, __ATOMIC_ACQUIRE) != SVFF_REQ_DONE &&
	       svff_mono_us() - t0 < (uint64_t)timeout_ms * 1000u)
		usleep(200);
	if (__atomic_load_n(&req->state, __ATOMIC_ACQUIRE) != SVFF_REQ_DONE) {
		svff_req_put(req);
		return svff_error("timeout", "the operation is still running after %u ms: see "
			"/svff/ops", timeout_ms);
	}
	reply = json_incref(req->reply);
	svff_req_put(req);
	return reply;
}

/* ------------------------------------------------------ manager loop */

static void
backoff(struct svff *s, bool busy, unsigned int *idle, unsigned int *sleep_us)
{
	if (busy) {
		s->polls_busy++;
		*idle = 0;
		*sleep_us = SLEEP_MIN_US;
		return;
	}
	s->polls_idle++;
	if (++*idle < SPIN_ROUNDS) {
		rte_pause();
		return;
	}
	{
		struct pollfd pfd = { .fd = s->wake_fd, .events = POLLIN };
		struct timespec ts = { 0, (long)*sleep_us * 1000 };
		eventfd_t v;

		if (ppoll(&pfd, 1, &ts, NULL) > 0) {
			eventfd_read(s->wake_fd, &v);
			*idle = 0;
			*sleep_us = SLEEP_MIN_US;
			s->wakeups++;
			return;
		}
	}
	s->sleep_us_total += *sleep_us;
	if (*sleep_us < SLEEP_MAX_US)
		*sleep_us = RTE_MIN(*sleep_us * 2, (unsigned int)SLEEP_MAX_US);
}

void
svff_run(struct svff *s, volatile const int *stop)
{
	unsigned int idle = 0, sleep_us = SLEEP_MIN_US;

	while (!*stop) {
		bool busy = false;
		int n;

		busy |= serve_requests(s) > 0;
		n = rte_pmd_qdma_mbox_service(s->pf_port, MBOX_BUDGET);
		busy |= n > 0;
		svff_mgr_events(s);
		busy |= svff_mgr_step(s);
		if (s->hv != NULL)
			busy |= svff_hv_poll(s->hv) > 0;
		backoff(s, busy, &idle, &sleep_us);
	}
	/* requests still queued get an answer, not a hang */
	while (serve_requests(s) > 0)
		;
}

/* ------------------------------------------------------------ accessors */

void
svff_set_card(struct svff *s, const struct svff_hv_card *card, void *arg)
{
	if (s == NULL)
		return;
	s->card = card;
	s->card_arg = arg;
	svff_hv_set_card(s->hv, card, arg);
	/* VFs the journal has in VMs: the card can take them back now */
	if (card != NULL)
		svff_recover_vms(s);
}

uint16_t
svff_pf_port(const struct svff *s)
{
	return s->pf_port;
}

const struct svff_config *
svff_get_config(const struct svff *s)
{
	return &s->cfg;
}

uint64_t
svff_uptime_s(const struct svff *s)
{
	return mono_s() - s->start_time;
}

void
svff_destroy(struct svff *s)
{
	if (s == NULL)
		return;
	svff_mgr_stop(s);               /* nobody waits on the manager any more */
	svff_telemetry_unregister(s);
	svff_mgr_fini(s);
	detach_pf(s);
	close(s->wake_fd);
	rte_ring_free(s->ring);
	free_state(s);
}
