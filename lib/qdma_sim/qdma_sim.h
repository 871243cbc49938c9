/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The emulated QDMA card: a software model of the QDMA3.1 soft IP that a
 * driver written for the real card drives unchanged.
 *
 * The card sits in a virtual PCIe slot (lib/vslot): drivers, in this or
 * another process, open its functions (PF, VF0..VFn-1) over an AF_UNIX
 * socket, map the config BARs and register their DMA memory.  From then on
 * the model sees only what a real card sees: stores to its BARs (polled by
 * the engine thread) and DMA through each function's own map (the IOMMU).
 *
 * Function numbering: the PF is QDMA function 0; VF n is function
 * QDMA_SIM_VF_FUNC_BASE + n (PF numbers 0..3 are reserved for PFs, as on the
 * QDMA3.1 IP).  In the slot, the PF is slot function 0 and VF n is slot
 * function 1 + n.
 */
#ifndef QDMA_SIM_H
#define QDMA_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qdma_hw_pci.h"

#ifdef __cplusplus
extern "C" {
#endif

/** QDMA function number of VF 0. */
#define QDMA_SIM_VF_FUNC_BASE QDMA_VF_FUNC_BASE
/** Most VFs the model offers (256 functions, 4 of them PFs). */
#define QDMA_SIM_MAX_VFS 252u
/** Most queues (FMAP qbase is 11 bits). */
#define QDMA_SIM_MAX_QUEUES 2048u

/** User logic loaded on the card (the "bitstream"). */
enum qdma_sim_personality {
	QDMA_SIM_LOOPBACK = 0, /**< H2C packet on queue q comes back as C2H on q */
	QDMA_SIM_GENERATOR,    /**< C2H packets on demand, 16-bit incrementing pattern */
	QDMA_SIM_SINK,         /**< consumes H2C data and checks it against the pattern */
};

/** Faults the card injects on demand (tests). */
enum qdma_sim_fault {
	QDMA_SIM_FAULT_NONE = 0,
	QDMA_SIM_FAULT_DMA_READ,   /**< next @c count DMA reads of queue @c target fail */
	QDMA_SIM_FAULT_DMA_WRITE,  /**< next @c count DMA writes of queue @c target fail */
	QDMA_SIM_FAULT_BAD_DESC,   /**< next @c count descriptors of queue @c target are bad */
	QDMA_SIM_FAULT_MBOX_DROP,  /**< next @c count mailbox messages sent by function
				    *   @c target (QDMA function id) are lost */
	QDMA_SIM_FAULT_MBOX_DELAY, /**< messages sent by function @c target are delivered
				    *   @c count milliseconds late (0 ends the delay) */
	QDMA_SIM_FAULT_STALL,      /**< function @c target stops being served (its
				    *   queues and mailbox freeze) while @c count != 0 */
};

/** Card configuration. */
struct qdma_sim_cfg {
	const char *socket_path;     /**< slot socket (created; must not exist) */
	unsigned int nb_queues;      /**< total queues, 1..2048 (GLBL2 QDMA_CAP) */
	unsigned int total_vfs;      /**< SR-IOV TotalVFs, 0..252 */
	enum qdma_sim_personality personality;
	size_t card_mem;             /**< bytes of card memory for MM queues */
	bool open_mode;              /**< any client may open any VF (dev/tests only) */
	int engine_cpu;              /**< pin the engine thread to this CPU; -1: no */
	/**
	 * No engine thread: the card moves only when qdma_sim_step() is called (fuzzing and
	 * deterministic tests). The slot server thread still runs.
	 */
	bool stepped;
	/** Log sink (NULL: stderr). @p level follows syslog (3 err .. 7 debug). */
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
};

/** Counters of the card (monotonic). */
struct qdma_sim_stats {
	uint64_t polls;        /**< engine loop iterations */
	uint64_t idle_polls;   /**< iterations that found no work */
	uint64_t sleeps;       /**< times the engine slept while idle */
	uint64_t ind_cmds;     /**< indirect context commands executed */
	uint64_t mbox_msgs;    /**< mailbox messages moved */
	uint64_t h2c_pkts, h2c_bytes, c2h_pkts, c2h_bytes;
	uint64_t mm_h2c_bytes, mm_c2h_bytes;
	uint64_t errors;       /**< error bits raised */
	uint64_t flrs;         /**< function-level resets */
};

struct qdma_sim;

/** Fill @p cfg with defaults (2048 queues, 252 VFs, loopback, 1 MiB). */
void qdma_sim_cfg_defaults(struct qdma_sim_cfg *cfg);

/**
 * Create the card and its slot, and start the slot server and the engine
 * thread.  The PF exists at once; VFs appear when the PF's connection sets
 * numvfs.
 * @return the card, or NULL with a reason in @p err.
 */
struct qdma_sim *qdma_sim_create(const struct qdma_sim_cfg *cfg, char *err, size_t errlen);

/** Stop the engine, tell every client the card is gone, free everything. */
void qdma_sim_destroy(struct qdma_sim *sim);

/**
 * Load another user logic (a "bitstream" load): the user registers reset
 * to the new personality's defaults; queues and contexts are untouched.
 * Runs on the engine thread; returns when done.
 */
int qdma_sim_load_personality(struct qdma_sim *sim, enum qdma_sim_personality p);

/** Inject a fault (see enum qdma_sim_fault). */
int qdma_sim_inject(struct qdma_sim *sim, enum qdma_sim_fault f, unsigned int target,
		uint32_t count);

/**
 * Stepped mode only (cfg.stepped): run one engine iteration on the calling thread: pending
 * context commands, mailbox and FLR registers, doorbells and a share of the queues' work.
 * Thread-safe against the slot server.
 * @return 1 if it found work, 0 if idle, -EINVAL if the card is not in stepped mode.
 */
int qdma_sim_step(struct qdma_sim *sim);

struct vslot_external;

/**
 * Attach VF @p vf (0-based) to a virtual machine: its config BAR becomes the
 * tmpfs file @p ext->bar_path (for an ivshmem-plain device) and its only DMA
 * window the guest's RAM file (see vslot_server_attach_external() for the
 * rules; @p ext->bar is ignored: the config BAR is exported).
 * @return 0 or a negative errno with a reason in @p err; nothing changed on failure.
 */
int qdma_sim_attach_vm(struct qdma_sim *sim, unsigned int vf, const struct vslot_external *ext,
		char *err, size_t errlen);

/** Detach VF @p vf from its virtual machine (a function reset). @return 0, -ENOENT. */
int qdma_sim_detach_vm(struct qdma_sim *sim, unsigned int vf);

/**
 * Detach VF @p vf from its virtual machine but leave its BAR file: the VM keeps the
 * device while the VF's function is re-created (a numvfs change), and the file is
 * attached again with ext->adopt. @return 0, -ENOENT.
 */
int qdma_sim_detach_vm_keep(struct qdma_sim *sim, unsigned int vf);

/** Snapshot of the counters. */
void qdma_sim_get_stats(struct qdma_sim *sim, struct qdma_sim_stats *st);

/** Personality name ("loopback", "generator", "sink") / parse (-1: unknown). */
const char *qdma_sim_personality_name(enum qdma_sim_personality p);
int qdma_sim_personality_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif /* QDMA_SIM_H */
