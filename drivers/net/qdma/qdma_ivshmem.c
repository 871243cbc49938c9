/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe in a virtual machine: vdev net_qdma with devargs ivshmem=<PCI address>.
 *
 * The host (svffd) attached one VF of the emulated card to this guest: the
 * VF's config BAR is the BAR2 of an ivshmem-plain device (PCI 1af4:1110), and
 * the card's DMA window for the VF is the guest's RAM with IOVA = guest-
 * physical address, set up by the host. So this attachment maps BAR2 through
 * sysfs (resource2), sends no DMA-map messages, and needs EAL in IOVA mode PA
 * (--iova-mode=pa) so that the IOVAs it hands the card are guest-physical.
 * ivshmem-plain has no interrupt: the mailbox is polled from an EAL alarm.
 * The device disappearing (hot-unplug) means the VF is gone. Above this file
 * nothing knows.
 *
 * Test-only devarg ivshmem_test_root=<dir>: look the device up in <dir>
 * instead of /sys/bus/pci/devices and accept the IOVA mode EAL chose (a host
 * test whose "guest RAM" window matches its IOVAs).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>

#include "qdma.h"

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110
#define IVSHMEM_SHM_BAR 2
/**
 * Control-path waits for the card last this much longer than on the host: the
 * guest's vCPU and the card's engine thread compete for host CPUs (a FN_CMD
 * read-back of 100 ms was seen to time out under TCG on a loaded host).
 */
#define QDMA_IVSHMEM_WAIT_SCALE 20u
/** Mailbox poll period (no interrupt on ivshmem-plain). */
#define QDMA_IVSHMEM_POLL_US 10000u
#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

struct ivshmem_args {
	char bdf[32];
	char root[PATH_MAX - 64];
};

struct ivshmem_priv {
	void *map;
	size_t map_len;
	char dev_dir[PATH_MAX];
	volatile bool stop;
};

static const char *const ivshmem_keys[] = { "ivshmem", "ivshmem_test_root", NULL };

static int
ivshmem_arg(const char *key, const char *value, void *opaque)
{
	struct ivshmem_args *a = opaque;
	unsigned int d, b, s, f;
	char tail;

	if (strcmp(key, "ivshmem") == 0) {
		/* a PCI address, domain optional: no path can hide in it */
		if (strlen(value) >= sizeof(a->bdf) ||
				(sscanf(value, "%x:%x:%x.%x%c", &d, &b, &s, &f, &tail) != 4 &&
				 sscanf(value, "%x:%x.%x%c", &b, &s, &f, &tail) != 3) ||
				strchr(value, '/') != NULL)
			goto bad;
		if (sscanf(value, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
			d = 0;
		if (d > 0xffff || b > 0xff || s > 0x1f || f > 7)
			goto bad;
		snprintf(a->bdf, sizeof(a->bdf), "%04x:%02x:%02x.%x", d, b, s, f);
		return 0;
	}
	if (strcmp(key, "ivshmem_test_root") == 0) {
		if (value[0] != '/' || strlen(value) >= sizeof(a->root))
			goto bad;
		snprintf(a->root, sizeof(a->root), "%s", value);
		return 0;
	}
bad:
	QDMA_LOG(ERR, "bad value '%s' for devarg '%s' (ivshmem=<PCI address of the VF's "
		"ivshmem device>)", value, key);
	return -EINVAL;
}

static long
read_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		v = strtol(buf, NULL, 16);
	fclose(f);
	return v;
}

/* Map BAR2 of the device: the VF's config BAR. */
static int
ivshmem_map(struct qdma_adapter *ad, struct ivshmem_priv *p)
{
	char path[PATH_MAX + 16];
	long vendor = read_hex(p->dev_dir, "vendor"), device = read_hex(p->dev_dir, "device");
	struct stat st;
	int fd;

	if (vendor != IVSHMEM_VENDOR || device != IVSHMEM_DEVICE) {
		QDMA_LOG(ERR, "%s: %s is not an ivshmem device (vendor 0x%lx device 0x%lx, "
			"want 1af4:1110)", ad->name, p->dev_dir, vendor, device);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "%s/resource%d", p->dev_dir, IVSHMEM_SHM_BAR);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		QDMA_LOG(ERR, "%s: cannot open %s: %s", ad->name, path, strerror(errno));
		return -ENODEV;
	}
	/* the length from fstat: lseek(SEEK_END) on a sysfs resource file is wrong */
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < QDMA_VF_CONFIG_BAR_SIZE) {
		QDMA_LOG(ERR, "%s: %s is smaller than a VF's config BAR (%u bytes)", ad->name,
			path, QDMA_VF_CONFIG_BAR_SIZE);
		close(fd);
		return -ENODEV;
	}
	p->map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		QDMA_LOG(ERR, "%s: mmap of %s: %s", ad->name, path, strerror(errno));
		return -ENODEV;
	}
	p->map_len = (size_t)st.st_size;
	ad->bar = p->map;
	ad->bar_len = QDMA_VF_CONFIG_BAR_SIZE;
	return 0;
}

/* The device is there as long as its BAR is: hot-unplug removes it. */
static bool
ivshmem_alive(struct qdma_adapter *ad)
{
	struct ivshmem_priv *p = (struct ivshmem_priv *)(ad + 1);
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/resource%d", p->dev_dir, IVSHMEM_SHM_BAR);
	return access(path, F_OK) == 0;
}

/* No interrupt: the mailbox is polled, as its interrupt handler would serve it. */
static void
ivshmem_poll(void *arg)
{
	struct qdma_adapter *ad = arg;
	struct ivshmem_priv *p = (struct ivshmem_priv *)(ad + 1);

	if (p->stop)
		return;
	if (!ad->dev_gone && !ivshmem_alive(ad)) {
		/* unplugged without a PF_BYE first: the BAR is gone already */
		QDMA_LOG(NOTICE, "%s: the ivshmem device was removed", ad->name);
		ad->dev_gone = true;
		ad->pf_gone = true;
		__atomic_fetch_or(&ad->pending_events, QDMA_EVT_RMV, __ATOMIC_RELAXED);
		qdma_vf_fire_events(ad);
	} else if (!ad->dev_gone) {
		qdma_mbox_intr_handler(ad);
	}
	if (!p->stop)
		rte_eal_alarm_set(QDMA_IVSHMEM_POLL_US, ivshmem_poll, ad);
}

static void
ivshmem_close(struct qdma_adapter *ad)
{
	struct ivshmem_priv *p = (struct ivshmem_priv *)(ad + 1);

	p->stop = true;
	rte_eal_alarm_cancel(ivshmem_poll, ad);
	if (p->map != NULL)
		munmap(p->map, p->map_len);
	p->map = NULL;
	ad->bar = NULL;
	ad->dev_gone = true;
}

/* qdma_bus_ops::alive: the device's sysfs entry still exists (and we still map it). */
static bool
ivshmem_alive_op(struct qdma_adapter *ad, const char **why)
{
	struct ivshmem_priv *p = (struct ivshmem_priv *)(ad + 1);

	*why = "its ivshmem device was removed";
	return p->map != NULL && ivshmem_alive(ad);
}

/* A VF in a VM: no interrupts (polled), no SR-IOV, no grants. */
static const struct qdma_bus_ops ivshmem_bus_ops = {
	.name = "ivshmem",
	.emulated = true,
	.alive = ivshmem_alive_op,
	.close = ivshmem_close,
};

int
qdma_ivshmem_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct ivshmem_args a = { .bdf = "" };
	struct rte_eth_dev *eth;
	struct qdma_adapter *ad;
	struct ivshmem_priv *p;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		QDMA_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	eth = rte_eth_vdev_allocate(vdev, sizeof(*ad) + sizeof(*p));
	if (eth == NULL)
		return -ENOMEM;
	ad = eth->data->dev_private;
	p = (struct ivshmem_priv *)(ad + 1);
	snprintf(ad->name, sizeof(ad->name), "%s", name);
	ad->bus = &ivshmem_bus_ops;
	ad->is_vf = true;
	ad->ctl_wait_scale = QDMA_IVSHMEM_WAIT_SCALE;
	rc = qdma_parse_devargs(ad, rte_vdev_device_args(vdev), ivshmem_keys, ivshmem_arg, &a);
	if (rc < 0)
		goto fail;
	rc = -EINVAL;
	if (a.bdf[0] == '\0') {
		QDMA_LOG(ERR, "%s: devarg ivshmem=<PCI address> is required", name);
		goto fail;
	}
	if (a.root[0] == '\0' && rte_eal_iova_mode() != RTE_IOVA_PA) {
		/* the card's window is the guest RAM at guest-physical addresses */
		QDMA_LOG(ERR, "%s: IOVA mode is not PA: run DPDK in the guest with "
			"--iova-mode=pa", name);
		goto fail;
	}
	if (!rte_eal_has_hugepages()) {
		QDMA_LOG(ERR, "%s: DPDK runs without hugepages (--no-huge): DMA memory must be "
			"physically contiguous per page; run with hugepages", name);
		goto fail;
	}
	snprintf(p->dev_dir, sizeof(p->dev_dir), "%s/%s",
		a.root[0] != '\0' ? a.root : SYSFS_PCI_DEVICES, a.bdf);
	rc = ivshmem_map(ad, p);
	if (rc < 0)
		goto fail;
	rc = qdma_eth_init(eth);
	if (rc < 0)
		goto fail;
	rc = rte_eal_alarm_set(QDMA_IVSHMEM_POLL_US, ivshmem_poll, ad);
	if (rc < 0)
		goto fail;
	QDMA_LOG(INFO, "%s: VF on ivshmem %s (BAR2 %zu bytes), mailbox polled every %u us",
		name, a.bdf, p->map_len, QDMA_IVSHMEM_POLL_US);
	rte_eth_dev_probing_finish(eth);
	return 0;
fail:
	qdma_eth_uninit(eth);
	ivshmem_close(ad);
	rte_eth_dev_release_port(eth);
	return rc;
}
