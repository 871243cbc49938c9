/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe on the emulated card: vdev net_qdma with devargs
 *   card=<slot socket>,fn=pf|vf<N>[,token=<t>][,pf_key=<file>]
 * The PF opens with the card's PF key, read from pf_key (default: the socket
 * path + ".pf-key", the file the card writes at start for its own user).
 * The function's BARs arrive as memfds over the slot (lib/vslot); every
 * DPDK memory segment, including ones allocated later, is registered as a
 * DMA map (the card's IOMMU); the mailbox interrupt is an eventfd; a removal
 * notice becomes RTE_ETH_EVENT_INTR_RMV.  Above this file nothing knows the
 * card is emulated.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_malloc.h>
#include <rte_eal_memconfig.h>
#include <rte_memory.h>

#include "qdma.h"
#include "vslot_client.h"

struct slot_args {
	char card[256];
	char pf_key[256];   /* PF key file; empty: <card>.pf-key */
	int fn;             /* slot function: 0 PF, 1+n VF n; -1 unset */
	uint64_t token;
	int num_vfs;        /* PF: enable this many VFs at probe; -1: leave */
	unsigned int nb_grants;
	uint64_t grants[64]; /* PF: token of VF i (0: none) */
};

static const char *const slot_keys[] = { "card", "fn", "token", "num_vfs", "grants", "pf_key",
	NULL };

static int
slot_arg(const char *key, const char *value, void *opaque)
{
	struct slot_args *a = opaque;
	char *end;

	if (strcmp(key, "card") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(a->card))
			goto bad;
		snprintf(a->card, sizeof(a->card), "%s", value);
		return 0;
	}
	if (strcmp(key, "pf_key") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(a->pf_key))
			goto bad;
		snprintf(a->pf_key, sizeof(a->pf_key), "%s", value);
		return 0;
	}
	if (strcmp(key, "fn") == 0) {
		unsigned long n;

		if (strcmp(value, "pf") == 0) {
			a->fn = VSLOT_FN_PF;
			return 0;
		}
		if (strncmp(value, "vf", 2) != 0 || value[2] == '\0')
			goto bad;
		errno = 0;
		n = strtoul(value + 2, &end, 10);
		if (errno || *end != '\0' || n >= QDMA_MAX_FUNCS)
			goto bad;
		a->fn = (int)VSLOT_FN_VF(n);
		return 0;
	}
	if (strcmp(key, "num_vfs") == 0) {
		unsigned long n;

		errno = 0;
		n = strtoul(value, &end, 10);
		if (errno || end == value || *end != '\0' || n > QDMA_MAX_FUNCS)
			goto bad;
		a->num_vfs = (int)n;
		return 0;
	}
	if (strcmp(key, "grants") == 0) {
		/* grants=<token of vf0>:<token of vf1>:...  (0 = no grant) */
		const char *p = value;

		a->nb_grants = 0;
		while (*p != '\0') {
			if (a->nb_grants == RTE_DIM(a->grants))
				goto bad;
			errno = 0;
			a->grants[a->nb_grants++] = strtoull(p, &end, 0);
			if (errno || end == p || (*end != ':' && *end != '\0'))
				goto bad;
			p = *end == ':' ? end + 1 : end;
		}
		return 0;
	}
	if (strcmp(key, "token") == 0) {
		errno = 0;
		a->token = strtoull(value, &end, 0);
		if (errno || end == value || *end != '\0')
			goto bad;
		return 0;
	}
bad:
	QDMA_LOG(ERR, "bad value '%s' for devarg '%s' (card=<socket>,fn=pf|vf<N>,token=<n>)",
		value, key);
	return -EINVAL;
}

/* ------------------------------------------------------- DMA (IOMMU) maps */

static int
map_seg(struct qdma_adapter *ad, const struct rte_memseg *ms, bool map)
{
	struct vslot_client *c = ad->slot;
	size_t off = 0;
	int fd, rc;

	if (ms->iova == RTE_BAD_IOVA)
		return -EINVAL;
	if (!map)
		return vslot_client_dma_unmap(c, ms->iova, ms->len);
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
		QDMA_LOG(ERR, "%s: DPDK memory at %p cannot be shared with the card (it is not "
			"backed by a file): run with hugepages (not --no-huge, not --legacy-mem)",
			ad->name, ms->addr);
		return -ENOTSUP;
	}
	rc = vslot_client_dma_map(c, ms->iova, ms->len, fd, off);
	if (rc < 0)
		QDMA_LOG(ERR, "%s: DMA map of iova 0x%" PRIx64 " (+%zu) refused: %s", ad->name,
			ms->iova, ms->len, vslot_client_strerror(c));
	return rc;
}

static int
map_walk(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	if (msl->external)
		return 0;
	return map_seg(arg, ms, true) < 0 ? -1 : 0;
}

static void
mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct qdma_adapter *ad = arg;
	const char *p = addr, *end = p + len;

	/* called with the memory hotplug lock held: _thread_unsafe lookups */
	QDMA_LOG(DEBUG, "%s: DPDK memory %s at %p (+%zu): %s for the card", ad->name,
		type == RTE_MEM_EVENT_ALLOC ? "added" : "freed", addr, len,
		type == RTE_MEM_EVENT_ALLOC ? "mapping" : "unmapping");
	while (p < end) {
		struct rte_memseg *ms = rte_mem_virt2memseg(p, NULL);

		if (ms == NULL)
			break;
		map_seg(ad, ms, type == RTE_MEM_EVENT_ALLOC);
		p += ms->len;
	}
}

/* ------------------------------------------------------------ notices */

static void
notice_handler(void *arg)
{
	struct qdma_adapter *ad = arg;
	struct vslot_notice n;
	int rc;

	while ((rc = vslot_client_poll_notice(ad->slot, &n)) == 1) {
		QDMA_LOG(NOTICE, "%s: the card removed this function (reason %u)", ad->name,
			n.reason);
		ad->pf_gone = true;
		ad->dev_gone = true;
		rte_eth_dev_callback_process(ad->eth, RTE_ETH_EVENT_INTR_RMV, NULL);
	}
	if (rc < 0 && !ad->pf_gone) {
		QDMA_LOG(NOTICE, "%s: the card went away", ad->name);
		ad->pf_gone = true;
		ad->dev_gone = true;
		rte_eth_dev_callback_process(ad->eth, RTE_ETH_EVENT_INTR_RMV, NULL);
	}
	if (rc < 0)
		ad->dev_gone = true;
}

/*
 * Is the slot connection still up?  A removal notice or a closed
 * connection means the function (or the whole card) is gone: its BAR is
 * dead memory from then on.  A notice taken here is still reported to the
 * application (RTE_ETH_EVENT_INTR_RMV, delivered with the VF's next events).
 */
static bool
slot_alive(struct qdma_adapter *ad)
{
	struct vslot_notice n;
	int rc;

	if (ad->slot == NULL)
		return false;
	rc = vslot_client_poll_notice(ad->slot, &n);
	if (rc == 0)
		return true;
	if (!ad->pf_gone) {
		ad->pf_gone = true;
		__atomic_fetch_or(&ad->pending_events, QDMA_EVT_RMV, __ATOMIC_RELAXED);
	}
	return false;
}

struct slot_priv {
	struct rte_intr_handle *notice;
	char mem_cb_name[64];
};

static void
slot_close(struct qdma_adapter *ad)
{
	struct slot_priv *p = (struct slot_priv *)(ad + 1);

	if (p->mem_cb_name[0] != '\0') {
		rte_mem_event_callback_unregister(p->mem_cb_name, ad);
		p->mem_cb_name[0] = '\0';
	}
	if (p->notice != NULL) {
		rte_intr_callback_unregister_sync(p->notice, notice_handler, ad);
		rte_intr_instance_free(p->notice);
		p->notice = NULL;
	}
	if (ad->intr != NULL) {
		rte_intr_instance_free(ad->intr);
		ad->intr = NULL;
	}
	if (ad->slot != NULL) {
		vslot_client_close(ad->slot);
		ad->slot = NULL;
	}
	ad->bar = NULL;
	ad->user_bar = NULL;
	ad->transport_alive = NULL;
	ad->dev_gone = true;
}

static struct rte_intr_handle *
ext_intr(int fd)
{
	struct rte_intr_handle *h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);

	if (h == NULL)
		return NULL;
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) < 0 || rte_intr_fd_set(h, fd) < 0) {
		rte_intr_instance_free(h);
		return NULL;
	}
	return h;
}

static int
qdma_vdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct slot_args a = { .fn = -1, .num_vfs = -1 };
	struct rte_eth_dev *eth;
	struct qdma_adapter *ad;
	struct slot_priv *p;
	char err[256];
	size_t len;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* the primary's port, for stats and info (qdma_eth_attach_secondary) */
		eth = rte_eth_dev_attach_secondary(name);
		if (eth == NULL) {
			QDMA_LOG(ERR, "%s: no such port in the primary process", name);
			return -ENODEV;
		}
		eth->device = &vdev->device;
		qdma_eth_attach_secondary(eth);
		rte_eth_dev_probing_finish(eth);
		return 0;
	}
	if (!rte_eal_has_hugepages()) {
		/* the card must map our DMA memory: it must be shareable, big pages */
		QDMA_LOG(ERR, "%s: DPDK runs without hugepages (--no-huge): the emulated card "
			"cannot map its memory; run with hugepages", name);
		return -ENOTSUP;
	}
	eth = rte_eth_vdev_allocate(vdev, sizeof(*ad) + sizeof(*p));
	if (eth == NULL)
		return -ENOMEM;
	ad = eth->data->dev_private;
	p = (struct slot_priv *)(ad + 1);
	snprintf(ad->name, sizeof(ad->name), "%s", name);
	ad->bus = QDMA_BUS_SLOT;
	ad->transport_close = slot_close;
	ad->transport_alive = slot_alive;
	rc = qdma_parse_devargs(ad, rte_vdev_device_args(vdev), slot_keys, slot_arg, &a);
	if (rc < 0)
		goto fail;
	if (a.card[0] == '\0' || a.fn < 0) {
		QDMA_LOG(ERR, "%s: devargs card=<socket> and fn=pf|vf<N> are required", name);
		rc = -EINVAL;
		goto fail;
	}
	ad->is_vf = a.fn != VSLOT_FN_PF;
	if (ad->is_vf && (a.num_vfs >= 0 || a.nb_grants > 0 || a.pf_key[0] != '\0')) {
		QDMA_LOG(ERR, "%s: num_vfs, grants and pf_key are PF devargs", name);
		rc = -EINVAL;
		goto fail;
	}
	if (ad->is_vf)
		ad->slot = vslot_client_open(a.card, (unsigned int)a.fn, a.token, err,
			sizeof(err));
	else
		ad->slot = vslot_client_open_pf(a.card, a.pf_key[0] != '\0' ? a.pf_key : NULL,
			err, sizeof(err));
	if (ad->slot == NULL) {
		QDMA_LOG(ERR, "%s: cannot open %s of card %s: %s", name, ad->is_vf ? "VF" : "PF",
			a.card, err);
		rc = -ENODEV;
		goto fail;
	}
	ad->bar = vslot_client_bar(ad->slot, QDMA_PCI_CONFIG_BAR, &len);
	ad->bar_len = len;
	if (ad->bar == NULL) {
		QDMA_LOG(ERR, "%s: the function has no config BAR", name);
		rc = -ENODEV;
		goto fail;
	}
	/* DMA: everything DPDK has now, and whatever it allocates later */
	snprintf(p->mem_cb_name, sizeof(p->mem_cb_name), "qdma_%s", name);
	rte_mcfg_mem_read_lock();
	rc = rte_memseg_walk_thread_unsafe(map_walk, ad);
	if (rc == 0)
		rc = rte_mem_event_callback_register(p->mem_cb_name, mem_event, ad);
	rte_mcfg_mem_read_unlock();
	if (rc < 0) {
		if (rte_errno == ENOTSUP)
			QDMA_LOG(ERR, "%s: memory hotplug events unsupported: use hugepages "
				"without --legacy-mem", name);
		p->mem_cb_name[0] = '\0';
		rc = -ENOTSUP;
		goto fail;
	}
	if (vslot_client_nb_irqs(ad->slot) > 0) {
		ad->intr = ext_intr(vslot_client_irq_fd(ad->slot, 0));
		if (ad->intr == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	p->notice = ext_intr(vslot_client_notice_fd(ad->slot));
	if (p->notice == NULL || rte_intr_callback_register(p->notice, notice_handler, ad) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = qdma_eth_init(eth);
	if (rc < 0)
		goto fail;
	if (a.num_vfs >= 0) {
		rc = vslot_client_set_numvfs(ad->slot, 0);
		if (rc == 0 && a.num_vfs > 0)
			rc = vslot_client_set_numvfs(ad->slot, (unsigned int)a.num_vfs);
		if (rc < 0) {
			QDMA_LOG(ERR, "%s: cannot enable %d VFs: %s", name, a.num_vfs,
				vslot_client_strerror(ad->slot));
			goto fail;
		}
	}
	for (unsigned int i = 0; i < a.nb_grants; i++) {
		if (a.grants[i] == 0)
			continue;
		rc = vslot_client_grant(ad->slot, i, a.grants[i]);
		if (rc < 0) {
			QDMA_LOG(ERR, "%s: cannot grant VF %u: %s", name, i,
				vslot_client_strerror(ad->slot));
			goto fail;
		}
	}
	rte_eth_dev_probing_finish(eth);
	return 0;
fail:
	qdma_eth_uninit(eth);
	slot_close(ad);
	rte_eth_dev_release_port(eth);
	return rc;
}

static int
qdma_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (eth == NULL)
		return 0;
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_eth_dev_close(eth->data->port_id);
	return rte_eth_dev_release_port(eth);
}

static struct rte_vdev_driver qdma_vdev_drv = {
	.probe = qdma_vdev_probe,
	.remove = qdma_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_qdma, qdma_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_qdma,
	"card=<socket> fn=pf|vf<N> token=<n> num_vfs=<n> grants=<t0>:<t1>:... pf_key=<file> "
	"mm_queues=<n> desc_prefetch=0|1 "
	"mbox_send_timeout_ms=<ms> mbox_rate=<msgs/s> mbox_burst=<n> "
	"cmpt_desc_len=8|16|32|64 "
	"trigger_mode=0..5");

/* Slot operations for the private API (emulated card only). */
int
qdma_slot_grant(struct qdma_adapter *ad, unsigned int vf, uint64_t token, bool grant)
{
	if (ad->bus != QDMA_BUS_SLOT || ad->slot == NULL)
		return -ENOTSUP;
	return grant ? vslot_client_grant(ad->slot, vf, token) : vslot_client_revoke(ad->slot, vf);
}

int
qdma_slot_numvfs(struct qdma_adapter *ad, int set, unsigned int *n, bool total)
{
	if (ad->bus != QDMA_BUS_SLOT || ad->slot == NULL)
		return -ENOTSUP;
	if (set >= 0)
		return vslot_client_set_numvfs(ad->slot, (unsigned int)set);
	return total ? vslot_client_get_totalvfs(ad->slot, n) : vslot_client_get_numvfs(ad->slot, n);
}
