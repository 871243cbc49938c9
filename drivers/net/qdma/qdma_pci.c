/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probe on a real QDMA card bound to vfio-pci: PF and VF device ids of the
 * reference (0x9/0xB<pf><gen><w> for PFs, 0xA/0xC<pf><gen><w> for VFs),
 * BAR0 is the config BAR.  SR-IOV control goes through sysfs.
 *
 * Not yet validated on hardware: this machine class has no QDMA card.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bus_pci_driver.h>
#include <ethdev_pci.h>

#include "qdma.h"

/* Every PF/VF id: type nibble, pf 0..3, gen 1..5, width x1/x2/x4/x8/x16. */
#define W(t, pf, gen)                                                         \
	{ RTE_PCI_DEVICE(QDMA_PCI_VENDOR_ID, ((t) << 12) | ((pf) << 8) | ((gen) << 4) | 0x1) }, \
	{ RTE_PCI_DEVICE(QDMA_PCI_VENDOR_ID, ((t) << 12) | ((pf) << 8) | ((gen) << 4) | 0x2) }, \
	{ RTE_PCI_DEVICE(QDMA_PCI_VENDOR_ID, ((t) << 12) | ((pf) << 8) | ((gen) << 4) | 0x4) }, \
	{ RTE_PCI_DEVICE(QDMA_PCI_VENDOR_ID, ((t) << 12) | ((pf) << 8) | ((gen) << 4) | 0x8) }, \
	{ RTE_PCI_DEVICE(QDMA_PCI_VENDOR_ID, ((t) << 12) | ((pf) << 8) | ((gen) << 4) | 0xF) }
#define G(t, pf) W(t, pf, 1), W(t, pf, 2), W(t, pf, 3), W(t, pf, 4), W(t, pf, 5)
#define P(t) G(t, 0), G(t, 1), G(t, 2), G(t, 3)

static const struct rte_pci_id qdma_pci_ids[] = {
	P(0x9), P(0xA), P(0xB), P(0xC),
	{ .vendor_id = 0 },
};

static int
qdma_pci_init(struct rte_eth_dev *eth)
{
	struct rte_pci_device *pci = RTE_ETH_DEV_TO_PCI(eth);
	struct qdma_adapter *ad = eth->data->dev_private;
	uint16_t id = pci->id.device_id;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* stats and info of the primary's port (qdma_eth_attach_secondary) */
		qdma_eth_attach_secondary(eth);
		return 0;
	}
	if (!qdma_pci_devid_is_pf(id) && !qdma_pci_devid_is_vf(id)) {
		QDMA_LOG(ERR, "%s: device id 0x%04x is not a QDMA PF or VF", eth->data->name, id);
		return -ENODEV;
	}
	snprintf(ad->name, sizeof(ad->name), "%s", eth->data->name);
	rte_pci_device_name(&pci->addr, ad->pci_addr, sizeof(ad->pci_addr));
	ad->bus = QDMA_BUS_PCI;
	ad->is_vf = qdma_pci_devid_is_vf(id);
	ad->bar = pci->mem_resource[QDMA_PCI_CONFIG_BAR].addr;
	ad->bar_len = pci->mem_resource[QDMA_PCI_CONFIG_BAR].len;
	if (ad->bar == NULL) {
		QDMA_LOG(ERR, "%s: BAR0 is not mapped (bind the device to vfio-pci)", ad->name);
		return -ENODEV;
	}
	ad->intr = pci->intr_handle;
	if (qdma_parse_devargs(ad, pci->device.devargs ? pci->device.devargs->args : NULL,
			NULL, NULL, NULL) < 0)
		return -EINVAL;
	rc = qdma_eth_init(eth);
	if (rc < 0)
		qdma_eth_uninit(eth);   /* generic probe does not call uninit */
	return rc;
}

static int
qdma_pci_probe(struct rte_pci_driver *drv, struct rte_pci_device *pci)
{
	(void)drv;
	return rte_eth_dev_pci_generic_probe(pci, sizeof(struct qdma_adapter), qdma_pci_init);
}

static int
qdma_pci_uninit(struct rte_eth_dev *eth)
{
	/* uninit unregisters the mailbox callback from the PCI device's
	 * interrupt handle (owned by the bus, never freed here) */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;   /* the port is the primary's */
	return qdma_eth_uninit(eth);
}

static int
qdma_pci_remove(struct rte_pci_device *pci)
{
	return rte_eth_dev_pci_generic_remove(pci, qdma_pci_uninit);
}

static struct rte_pci_driver qdma_pci_drv = {
	.id_table = qdma_pci_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING | RTE_PCI_DRV_INTR_LSC,
	.probe = qdma_pci_probe,
	.remove = qdma_pci_remove,
};

RTE_PMD_REGISTER_PCI(net_qdma_pci, qdma_pci_drv);
RTE_PMD_REGISTER_PCI_TABLE(net_qdma_pci, qdma_pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(net_qdma_pci, "vfio-pci");

/* sysfs sriov_numvfs / sriov_totalvfs of the PF. */
int
qdma_pci_numvfs(struct qdma_adapter *ad, int set, unsigned int *n, bool total)
{
	char path[256], buf[32];
	ssize_t len;
	int fd, rc = 0;

	if (ad->bus != QDMA_BUS_PCI || ad->is_vf)
		return -ENOTSUP;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", ad->pci_addr,
		set < 0 && total ? "sriov_totalvfs" : "sriov_numvfs");
	fd = open(path, set >= 0 ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (set >= 0) {
		len = snprintf(buf, sizeof(buf), "%d", set);
		if (write(fd, buf, (size_t)len) != len)
			rc = -errno;
	} else {
		len = read(fd, buf, sizeof(buf) - 1);
		if (len <= 0) {
			rc = -EIO;
		} else {
			buf[len] = '\0';
			*n = (unsigned int)strtoul(buf, NULL, 10);
		}
	}
	close(fd);
	return rc;
}
