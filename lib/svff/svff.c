/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pmd_qdma.h>

#include "svff_private.h"

RTE_LOG_REGISTER_DEFAULT(svff_logtype, INFO);

static uint64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static int attach_pf(struct svff *s, char *err, size_t errlen);
static void detach_pf(struct svff *s);

struct svff *
svff_create(const struct svff_config *cfg, char *err, size_t errlen)
{
	struct svff *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->start_time = mono_s();
	if (attach_pf(s, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	SVFF_LOG(INFO, "control plane up: card %s, PF port %u, %u VFs x %u queues",
		svff_card_type_name(cfg->card.type), s->pf_port, cfg->vfs.count, cfg->vfs.queues);
	return s;
}

/*
 * Find (PCI card: probed by EAL from -a) or attach (emulated card: the slot
 * socket) the PF, then enable the configured VFs.
 */
static int
attach_pf(struct svff *s, char *err, size_t errlen)
{
	const struct svff_config *c = &s->cfg;
	struct rte_pmd_qdma_info info;
	unsigned int n = 0;
	uint16_t port;
	int rc;

	if (c->card.type == SVFF_CARD_PCI) {
		snprintf(s->pf_name, sizeof(s->pf_name), "%s", c->card.pci);
	} else {
		char args[SVFF_CONFIG_STR_MAX + 64];

		snprintf(s->pf_name, sizeof(s->pf_name), "net_qdma_svff");
		snprintf(args, sizeof(args), "card=%s,fn=pf", c->card.socket);
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
		rc = -ENODEV;
		goto fail;
	}
	s->pf_port = port;
	/* numvfs as configured: Linux rules, through 0 when it must change */
	rc = rte_pmd_qdma_sriov_get_numvfs(port, &n);
	if (rc == 0 && n != c->vfs.count) {
		if (n != 0)
			rc = rte_pmd_qdma_sriov_set_numvfs(port, 0);
		if (rc == 0 && c->vfs.count != 0)
			rc = rte_pmd_qdma_sriov_set_numvfs(port, c->vfs.count);
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot enable %u VFs: %s", c->vfs.count, rte_strerror(-rc));
		goto fail;
	}
	return 0;
fail:
	detach_pf(s);
	return rc;
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
	svff_telemetry_unregister(s);
	detach_pf(s);
	free(s);
}
