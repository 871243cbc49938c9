/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Umbrella header: everything lib/qdma_hw describes about the QDMA3.1 soft IP.
 *
 *  - qdma_hw_pci.h   PCI identity (vendor/device IDs, class, config BAR)
 *  - qdma_hw_regs.h  config-BAR registers, fields, defaults, doorbells
 *  - qdma_hw_ctx.h   queue contexts with encode/decode
 *  - qdma_hw_desc.h  descriptors, status descriptors, completion entries, ring geometry
 *  - qdma_hw_mbox.h  PF/VF mailbox registers, op codes, status codes, message layouts
 *  - qdma_hw_user.h  example-design user-BAR registers and data pattern
 *  - qdma_hw_emu.h   NOT the IP: the conventions svff's emulated card asks a driver to follow,
 *                    and the capability words by which it asks
 */
#ifndef QDMA_HW_H
#define QDMA_HW_H

#include "qdma_hw_pci.h"
#include "qdma_hw_regs.h"
#include "qdma_hw_ctx.h"
#include "qdma_hw_desc.h"
#include "qdma_hw_mbox.h"
#include "qdma_hw_user.h"
#include "qdma_hw_emu.h"

#endif /* QDMA_HW_H */
