/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * PCI identity of the QDMA3.1 soft IP (qdma-reference.md section 1.1).
 *
 * Device IDs are four hex nibbles @c 0xTPGW:
 *  - @c T  function type: 0x9 or 0xB = physical function, 0xA or 0xC = virtual function
 *          (0xA goes with 0x9, 0xC with 0xB);
 *  - @c P  PF number 0..3 (for a VF: its parent PF);
 *  - @c G  PCIe generation 1..5;
 *  - @c W  link width: 1, 2, 4, 8 or 0xF (x16). Gen5 exists only as x8 (0x..58).
 *
 * Example: PF0 Gen3 x16 = 0x903F, its VFs = 0xA03F (the IDs the emulated card uses by default).
 */
#ifndef QDMA_HW_PCI_H
#define QDMA_HW_PCI_H

#include <stdbool.h>
#include <stdint.h>

/** Xilinx/AMD PCI vendor ID. */
#define QDMA_PCI_VENDOR_ID 0x10eeu

/** Default device ID of the emulated card's PF (PF0, Gen3, x16). */
#define QDMA_PCI_DEVID_PF_DEFAULT 0x903fu
/** Default device ID of the emulated card's VFs (VF of PF0, Gen3, x16). */
#define QDMA_PCI_DEVID_VF_DEFAULT 0xa03fu

/** BAR holding the DMA CSRs ("config BAR") for PFs and VFs. */
#define QDMA_PCI_CONFIG_BAR 0

/**
 * QDMA function number of the first VF of PF0.  Function numbers 0..3 belong
 * to the (up to 4) PFs; VFs get the numbers above (4..255 on QDMA3.1, 256
 * functions in all).  UNSURE (reference 1.5): software learns a VF's number
 * from the mailbox only; the emulated card follows this numbering.
 */
#define QDMA_VF_FUNC_BASE 4u
/** Most functions of a QDMA3.1 card (8-bit function ids). */
#define QDMA_MAX_FUNCTIONS 256u

/** PCI base class: memory controller (lspci: "Memory controller"). */
#define QDMA_PCI_CLASS_BASE 0x05u
/** PCI sub class used by svff's card: 0x80 = "other memory controller". */
#define QDMA_PCI_CLASS_SUB 0x80u
/** PCI programming interface. */
#define QDMA_PCI_CLASS_PROGIF 0x00u
/** 24-bit class code (base << 16 | sub << 8 | prog-if). */
#define QDMA_PCI_CLASS_CODE                                                                        \
	((QDMA_PCI_CLASS_BASE << 16) | (QDMA_PCI_CLASS_SUB << 8) | QDMA_PCI_CLASS_PROGIF)

/** @name Device-ID nibble types (bits [15:12]) @{ */
#define QDMA_PCI_DEVID_TYPE_PF_A 0x9u /**< PF, first family */
#define QDMA_PCI_DEVID_TYPE_VF_A 0xAu /**< VF of a 0x9 PF */
#define QDMA_PCI_DEVID_TYPE_PF_B 0xBu /**< PF, second family */
#define QDMA_PCI_DEVID_TYPE_VF_B 0xCu /**< VF of a 0xB PF */
/** @} */

/** Maximum PF number encoded in a device ID. */
#define QDMA_PCI_MAX_PF 3u

/** Device-ID type nibble [15:12]. */
static inline unsigned
qdma_pci_devid_type(uint16_t devid)
{
	return (devid >> 12) & 0xfu;
}

/** PF number nibble [11:8] (for a VF: parent PF). */
static inline unsigned
qdma_pci_devid_pf(uint16_t devid)
{
	return (devid >> 8) & 0xfu;
}

/** PCIe generation nibble [7:4]. */
static inline unsigned
qdma_pci_devid_gen(uint16_t devid)
{
	return (devid >> 4) & 0xfu;
}

/** Link width nibble [3:0] (0xF = x16). */
static inline unsigned
qdma_pci_devid_width(uint16_t devid)
{
	return devid & 0xfu;
}

/** Lane count for a width nibble: 1, 2, 4, 8, 16, or 0 if the nibble is not a valid width. */
static inline unsigned
qdma_pci_width_lanes(unsigned w)
{
	switch (w) {
	case 0x1:
	case 0x2:
	case 0x4:
	case 0x8:
		return w;
	case 0xf:
		return 16;
	default:
		return 0;
	}
}

/** True if the pf/gen/width nibbles form a valid combination (type nibble not checked). */
static inline bool
qdma_pci_devid_pgw_valid(uint16_t devid)
{
	unsigned gen = qdma_pci_devid_gen(devid);
	unsigned w = qdma_pci_devid_width(devid);

	if (qdma_pci_devid_pf(devid) > QDMA_PCI_MAX_PF)
		return false;
	if (gen < 1 || gen > 5 || qdma_pci_width_lanes(w) == 0)
		return false;
	if (gen == 5 && w != 0x8)
		return false;
	return true;
}

/** True if @p devid is a QDMA PF device ID (0x9PGW / 0xBPGW). */
static inline bool
qdma_pci_devid_is_pf(uint16_t devid)
{
	unsigned t = qdma_pci_devid_type(devid);

	return (t == QDMA_PCI_DEVID_TYPE_PF_A || t == QDMA_PCI_DEVID_TYPE_PF_B) &&
	       qdma_pci_devid_pgw_valid(devid);
}

/** True if @p devid is a QDMA VF device ID (0xAPGW / 0xCPGW). */
static inline bool
qdma_pci_devid_is_vf(uint16_t devid)
{
	unsigned t = qdma_pci_devid_type(devid);

	return (t == QDMA_PCI_DEVID_TYPE_VF_A || t == QDMA_PCI_DEVID_TYPE_VF_B) &&
	       qdma_pci_devid_pgw_valid(devid);
}

/** True if (@p vendor, @p devid) is a QDMA PF. */
static inline bool
qdma_pci_is_pf(uint16_t vendor, uint16_t devid)
{
	return vendor == QDMA_PCI_VENDOR_ID && qdma_pci_devid_is_pf(devid);
}

/** True if (@p vendor, @p devid) is a QDMA VF. */
static inline bool
qdma_pci_is_vf(uint16_t vendor, uint16_t devid)
{
	return vendor == QDMA_PCI_VENDOR_ID && qdma_pci_devid_is_vf(devid);
}

/**
 * VF device ID belonging to a PF device ID (0x9PGW -> 0xAPGW, 0xBPGW -> 0xCPGW).
 * @return the VF ID, or 0 if @p pf_devid is not a PF ID.
 */
static inline uint16_t
qdma_pci_vf_devid_of(uint16_t pf_devid)
{
	if (!qdma_pci_devid_is_pf(pf_devid))
		return 0;
	return (uint16_t)(pf_devid + 0x1000u);
}

#endif /* QDMA_HW_PCI_H */
