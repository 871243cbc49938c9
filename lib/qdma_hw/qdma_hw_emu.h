/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * svff's emulated-card conventions. NOTHING IN THIS HEADER IS A FACT OF THE REAL QDMA IP.
 *
 * Every other header of lib/qdma_hw describes the QDMA3.1 soft IP as qdma-reference.md does. This
 * one describes an agreement between svff's emulated card (lib/qdma_sim) and a driver that wants
 * to drive it, and the way the emulated card asks for it.
 *
 * @par Why the emulated card needs conventions
 * The emulated card's BARs are shared memory. The card sees the BAR's current contents, never the
 * individual stores: a store of the value already there is invisible, and a write side effect
 * can only be noticed as a changed value. The real IP sees every store. Three register protocols
 * of the real IP depend on individual writes, so on the emulated card they need a convention
 * (1-3); a fourth is a register the real IP leaves a placeholder (4):
 *  1. @ref QDMA_EMU_CONV_IND_BUSY - IND_CTXT_CMD: the driver writes the command WITH the busy bit
 *     (bit 0) set (qdma_emu_ind_cmd()). On the real IP the bit is set by the hardware and the
 *     driver writes the command with it clear. The card executes a command whose busy bit is set
 *     and then clears the bit; the driver polls for 0 as on the real IP.
 *  2. @ref QDMA_EMU_CONV_FN_CMD_CLEAR - mailbox FN_CMD: write-only on the real IP. The emulated
 *     card clears it to 0 once it has acted on the command; the driver waits for 0 after each
 *     FN_CMD write (so that a second identical command is again a visible change).
 *  3. @ref QDMA_EMU_CONV_W1C_STROBE - W1C status registers: the driver ORs
 *     @ref QDMA_EMU_W1C_STROBE (bit 31) into the value it writes to clear bits
 *     (qdma_emu_w1c_value()), so that clearing the same bits twice is two different values. Bit 31
 *     is reserved in every leaf status register the PF clears (GLBL_ERR_STAT, DSC, TRQ, C2H, C2H
 *     fatal, H2C, GLBL_INTERRUPT_CFG) except RAM_SBE_STS_A / RAM_DBE_STS_A, which the emulated card
 *     never raises. The card treats any stored value that differs from what it last published as
 *     a W1C write of (value & ~strobe), then publishes the new status.
 * (The mailbox PF_ACK words are W1C too but use all 32 bits; the emulated card never sets PF_ACK
 * bits, so no convention is needed for them.)
 *  4. @ref QDMA_EMU_CONV_VF_RESET - PF FN_CMD.vf_reset (bit 3): a placeholder on the real IP
 *     that no reference driver writes (qdma-reference 4.1). The emulated card implements it as
 *     qdma_hw_regs.h "Convention 4" describes: the mailbox of the VF in TARGET_FN is reset (its
 *     inbox emptied, the PF's outbox message to it withdrawn). A driver writes the bit only to a
 *     card that sets this capability bit; on a real card a VF that never consumes the PF's
 *     message holds the PF's outbox until it does or its function is reset.
 *
 * @par What follows for other drivers
 * A driver that does not follow these conventions - the stock Xilinx drivers (DPDK PMD, Linux
 * qdma driver) included - cannot drive the emulated card: its context commands are never
 * executed, its W1C writes are lost or misread and its second identical mailbox command is not
 * seen. What the emulated card does follow exactly are the real IP's register offsets, field
 * layouts, context encodings, descriptor formats and mailbox message layouts.
 *
 * @par How the emulated card asks for them (the capability)
 * Three words at fixed offsets relative to the function's mailbox base (PF 0x2400, VF 0x1000),
 * read once by the driver at probe:
 *  - mailbox base + 0x0F0: @ref QDMA_EMU_SIG0 ("SVFF" in ASCII, little-endian),
 *  - mailbox base + 0x0F4: @ref QDMA_EMU_SIG1 ("EMU1"),
 *  - mailbox base + 0x0F8: the conventions the card needs, QDMA_EMU_CONV_* bits.
 * Only when both signature words match does the driver apply a convention, and then only those
 * whose bit is set; with no signature it writes exactly what the reference driver writes.
 *
 * Why there: the reference's register map (qdma-reference.md 1.3, 1.8 and 4.1) places no register
 * in mailbox base + 0x040..0x0FF, for the PF (0x2440-0x24FF: after PF_ACK[7], before FLR at
 * 0x2500) or for the VF (0x1040-0x10FF: before FLR at 0x1100), and no reference driver accesses
 * those addresses; the same relative location works for both function types, so one offset is
 * the whole fact. What the real IP returns when those addresses are read is not in the reference
 * (UNSURE; unassigned CSR addresses usually read 0). The choice does not depend on it: a real card
 * would have to return this exact 64-bit ASCII signature by accident, and no driver writes there
 * (on the emulated card a VF store there is an illegal access like any other hole, and the card
 * republishes the words). PCI config space was the other candidate (a vendor-specific capability)
 * but the emulated card's slot has no config space, and a BAR read needs no privilege.
 */
#ifndef QDMA_HW_EMU_H
#define QDMA_HW_EMU_H

#include <stdint.h>

#include "qdma_hw_mbox.h"
#include "qdma_hw_regs.h"

/** @name Capability words, offsets relative to the mailbox base (see the file comment) @{ */
#define QDMA_EMU_CAP_SIG0 0x0F0u /**< @ref QDMA_EMU_SIG0 */
#define QDMA_EMU_CAP_SIG1 0x0F4u /**< @ref QDMA_EMU_SIG1 */
#define QDMA_EMU_CAP_CONV 0x0F8u /**< QDMA_EMU_CONV_* bits */
#define QDMA_EMU_CAP_WORDS 3u    /**< the capability spans [SIG0, CONV] */
#define QDMA_EMU_SIG0 0x46465653u /**< "SVFF" */
#define QDMA_EMU_SIG1 0x31554D45u /**< "EMU1" */
/** @} */

/** @name Conventions (bits of the CONV word) @{ */
#define QDMA_EMU_CONV_IND_BUSY (1u << 0)     /**< 1: write IND_CTXT_CMD with busy set */
#define QDMA_EMU_CONV_FN_CMD_CLEAR (1u << 1) /**< 2: wait for FN_CMD to read 0 */
#define QDMA_EMU_CONV_W1C_STROBE (1u << 2)   /**< 3: OR the strobe into W1C writes */
#define QDMA_EMU_CONV_VF_RESET (1u << 3)     /**< 4: the card implements FN_CMD.vf_reset */
/** Every convention this header defines. */
#define QDMA_EMU_CONV_ALL                                                                          \
	(QDMA_EMU_CONV_IND_BUSY | QDMA_EMU_CONV_W1C_STROBE | QDMA_EMU_CONV_FN_CMD_CLEAR |          \
	 QDMA_EMU_CONV_VF_RESET)
/** @} */

/** Strobe bit marking a W1C write (convention 3). */
#define QDMA_EMU_W1C_STROBE (1u << 31)

/**
 * The conventions a card asks for, from the three capability words it shows.
 * @return the CONV word when the signature matches (possibly with bits unknown to this header:
 *         check against @ref QDMA_EMU_CONV_ALL), 0 when it does not (a real card).
 */
static inline uint32_t
qdma_emu_conventions(uint32_t sig0, uint32_t sig1, uint32_t conv)
{
	if (sig0 != QDMA_EMU_SIG0 || sig1 != QDMA_EMU_SIG1)
		return 0;
	return conv;
}

/** IND_CTXT_CMD value @p cmd (from qdma_ind_cmd()) as written under convention 1. */
static inline uint32_t
qdma_emu_ind_cmd(uint32_t cmd)
{
	return cmd | QDMA_IND_CTXT_CMD_BUSY;
}

/** Value to write to a W1C register to clear @p bits under convention 3. */
static inline uint32_t
qdma_emu_w1c_value(uint32_t bits)
{
	return bits | QDMA_EMU_W1C_STROBE;
}

#endif /* QDMA_HW_EMU_H */
