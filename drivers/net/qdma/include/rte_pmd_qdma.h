/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Private API of the QDMA PMD (net_qdma): PF-only operations that ethdev
 * has no words for — the VF-message (mailbox) service and its policy hooks,
 * FMAP, SR-IOV control, VF grants on the emulated card, PF->VF notices —
 * and card-memory (MM) transfers.
 *
 * All functions return 0 (or a count) on success and a negative errno on
 * failure; -ENOTSUP when called on a VF port where PF rights are needed,
 * -ENODEV for a port that is not a QDMA port.
 *
 * @warning
 * @b EXPERIMENTAL: every function here may change without prior notice;
 * applications build with ALLOW_EXPERIMENTAL_API.
 *
 * This directory holds only this header: an application (lib/svff included)
 * that includes it cannot reach the driver's internals or lib/qdma_hw.
 */
#ifndef RTE_PMD_QDMA_H
#define RTE_PMD_QDMA_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Identity of a QDMA port. */
struct rte_pmd_qdma_info {
	bool is_vf;              /**< VF role */
	bool emulated;           /**< on the emulated card (vslot) */
	uint16_t func_id;        /**< QDMA function number */
	int32_t qbase;           /**< first absolute queue (-1: none) */
	uint32_t qmax;           /**< queues in the function's window */
	uint32_t num_qs;         /**< the card's queue space */
	uint32_t ip_version;     /**< MISC_CAP (PF) / version register (VF) */
	char fw_version[32];     /**< e.g. "QDMA3.1 soft 2019.2" */
};

/**
 * Identity of a QDMA port, PF or VF.
 * @param port_id  an ethdev port driven by net_qdma
 * @param info     filled in
 * @return 0, -ENODEV (not a QDMA port), -EINVAL (@p info NULL)
 */
__rte_experimental
int rte_pmd_qdma_get_info(uint16_t port_id, struct rte_pmd_qdma_info *info);

/** Events reported through rte_pmd_qdma_policy::vf_event. */
enum rte_pmd_qdma_vf_event {
	/** The VF's function was reset or went away (FLR, disconnect, revoke, numvfs). */
	RTE_PMD_QDMA_VF_EVT_GONE = 1,
	/**
	 * The VF did not consume a PF message within the send timeout; the PF
	 * reset it to recover its outbox.  The owner should mark it failed.
	 */
	RTE_PMD_QDMA_VF_EVT_STUCK = 2,
	/** The VF exceeded its mailbox message rate; messages were dropped. */
	RTE_PMD_QDMA_VF_EVT_FLOOD = 3,
};

/**
 * Policy hooks of the PF's VF-message service.  Every hook is optional
 * (NULL: built-in behaviour) and runs on the thread that calls
 * rte_pmd_qdma_mbox_service() (or the interrupt thread, see
 * rte_pmd_qdma_mbox_set_poll()).  Messages are validated before any hook
 * sees them.
 */
struct rte_pmd_qdma_policy {
	/** A VF said HELLO.  Return < 0 to refuse it (it gets an error status). */
	int (*vf_hello)(void *arg, uint16_t port_id, uint16_t func_id);
	/** A VF said BYE (or was reset); its queues are already freed. */
	void (*vf_bye)(void *arg, uint16_t port_id, uint16_t func_id);
	/**
	 * A VF asks for @p qmax queues (0 = give back).  Set @p *qbase to the
	 * first absolute queue to grant [qbase, qbase+qmax) and return 0, or
	 * return < 0 to refuse.  The range must be free (the PMD checks and
	 * refuses overlaps).  NULL: the built-in best-fit manager decides.
	 */
	int (*queue_request)(void *arg, uint16_t port_id, uint16_t func_id, uint32_t qmax,
			int32_t *qbase);
	/** A VF asks to program (@p write) or invalidate a queue context. */
	int (*ctxt_request)(void *arg, uint16_t port_id, uint16_t func_id, uint16_t qid_hw,
			bool c2h, bool write);
	/**
	 * Let VFs program memory-mapped (card memory) queues.  Card memory is
	 * one address space shared by every function, so this is off unless
	 * the owner decides the VFs may share it.
	 */
	bool vf_mm;
	/**
	 * Something happened to VF function @p func_id that the owner must
	 * know about (see ::rte_pmd_qdma_vf_event).  Called after the PMD has
	 * already acted (queues freed, outbox recovered); informational.
	 */
	void (*vf_event)(void *arg, uint16_t port_id, uint16_t func_id,
			enum rte_pmd_qdma_vf_event ev);
};
/*
 * vf_hello, vf_bye, queue_request and ctxt_request run with the PF's
 * mailbox lock held: they must not call back into rte_pmd_qdma_*()
 * functions of the same port.  vf_event runs after the lock is released
 * (on the thread that served the mailbox or changed numvfs) and may call
 * them.
 *
 * Devargs of the PF's service: mbox_send_timeout_ms (default 1000): a VF
 * that leaves a PF message unconsumed that long is reset
 * (::RTE_PMD_QDMA_VF_EVT_STUCK) and its messages are ignored until its
 * function is reset; mbox_rate (messages/s per VF, default 2000, 0 = no
 * limit) and mbox_burst (default 512): a VF's token bucket, beyond which its
 * messages are dropped unanswered (::RTE_PMD_QDMA_VF_EVT_FLOOD, once per
 * burst).
 */

/**
 * Install (or with @p policy NULL remove) the policy hooks. PF only.
 * @param port_id  the PF's port
 * @param policy   hooks, copied; NULL removes them all
 * @param arg      passed to every hook
 * @return 0, -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_set_policy(uint16_t port_id, const struct rte_pmd_qdma_policy *policy,
		void *arg);

/**
 * Choose who runs the VF-message service.  PF only.
 * @param port_id  the PF's port
 * @param poll     true: the caller's lcore calls rte_pmd_qdma_mbox_service();
 *                 false (default): the PMD runs it on DPDK's interrupt thread
 *                 when the mailbox interrupt fires
 * @return 0, -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_mbox_set_poll(uint16_t port_id, bool poll);

/**
 * Receive and answer up to @p budget pending VF messages.  Every field of a
 * message is validated (a VF is untrusted); a bad request gets an error
 * status and changes nothing.  PF only; thread-safe against the PMD's own
 * mailbox use.
 * @param port_id  the PF's port
 * @param budget   most messages to handle in this call
 * @return messages handled (>= 0), -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_mbox_service(uint16_t port_id, unsigned int budget);

/** Mailbox counters of the PF. */
struct rte_pmd_qdma_mbox_stats {
	uint64_t rx;        /**< messages received */
	uint64_t tx;        /**< responses / notices sent */
	uint64_t rejected;  /**< requests answered with an error */
	uint64_t dropped;   /**< malformed or unanswerable messages dropped */
};

/**
 * Mailbox counters of the PF.
 * @param port_id  the PF's port
 * @param st       filled in
 * @return 0, -ENODEV, -ENOTSUP (a VF port), -EINVAL (@p st NULL)
 */
__rte_experimental
int rte_pmd_qdma_mbox_stats(uint16_t port_id, struct rte_pmd_qdma_mbox_stats *st);

/** What the PF knows about one function. */
struct rte_pmd_qdma_fn_state {
	bool online;             /**< said HELLO, no BYE since */
	int32_t qbase;           /**< -1: no queues */
	uint32_t qmax;
	uint32_t active_h2c, active_c2h, active_cmpt;
	uint64_t mbox_rx;        /**< messages received from this function */
	uint64_t mbox_tx;        /**< answers and notices sent to it */
	uint64_t mbox_rejected;  /**< its requests answered with an error */
	uint64_t mbox_dropped;   /**< its messages dropped (malformed, rate limit) */
	uint64_t send_timeouts;  /**< PF->VF sends it did not consume in time */
	uint64_t resets;         /**< times it was reset (by the PF or the slot) */
};

/**
 * What the PF knows about function @p func_id.
 * @param port_id  the PF's port
 * @param func_id  QDMA function number (0..255)
 * @param st       filled in
 * @return 0, -ENODEV, -ENOTSUP (a VF port), -EINVAL (bad function, @p st NULL)
 */
__rte_experimental
int rte_pmd_qdma_fn_state(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_fn_state *st);

/**
 * Set the queue window of function @p func_id: FMAP and the resource
 * manager.  PF only.
 * @param port_id  the PF's port
 * @param func_id  QDMA function number, not the PF's own
 * @param qbase    first absolute queue (-1 with @p qmax 0)
 * @param qmax     queues; 0 frees the window
 * @return 0; -EBUSY while the function has active queues; -ENOSPC / -EINVAL
 *         when [qbase, qbase+qmax) overlaps another function or leaves the
 *         queue space; -ENODEV; -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_fn_set_queues(uint16_t port_id, uint16_t func_id, int32_t qbase,
		uint32_t qmax);

/**
 * Read the FMAP of function @p func_id from the card (indirect interface). PF only.
 * @param port_id  the PF's port
 * @param func_id  QDMA function number (0..255)
 * @param qbase    first absolute queue
 * @param qmax     queues in the window
 * @return 0, -ENODEV, -ENOTSUP (a VF port), -EINVAL, -ETIMEDOUT (the card did not answer)
 */
__rte_experimental
int rte_pmd_qdma_fmap_get(uint16_t port_id, uint16_t func_id, uint32_t *qbase, uint32_t *qmax);

/** PF->VF notices (RESET_PREPARE, RESET_DONE, PF_BYE). */
enum rte_pmd_qdma_vf_notice {
	RTE_PMD_QDMA_RESET_PREPARE = 0x10,
	RTE_PMD_QDMA_RESET_DONE = 0x11,
	RTE_PMD_QDMA_PF_BYE = 0x13,
};
/**
 * Send a PF->VF notice.  PF only.
 * @param port_id  the PF's port
 * @param func_id  VF function number, or 0xFFFF for every online VF
 * @param notice   what to tell it
 * @return the number of VFs the notice was sent to (>= 0), -ENODEV, -ENOTSUP, -EINVAL
 */
__rte_experimental
int rte_pmd_qdma_vf_notify(uint16_t port_id, uint16_t func_id, enum rte_pmd_qdma_vf_notice notice);

/**
 * @name Pausing a VF (svff extension of the mailbox, PF only)
 *
 * A VF whose driver advertised the svff extension at HELLO (our VF PMD does) can be paused
 * without the guest noticing more than a stall:
 *  1. rte_pmd_qdma_vf_pause() asks it (mailbox PAUSE); its driver stops posting descriptors,
 *     lets what is in flight complete and answers; its bursts return 0 meanwhile;
 *  2. rte_pmd_qdma_vf_pause_state() says RTE_PMD_QDMA_PAUSE_ACKED once it answered (poll it;
 *     nothing here blocks). A VF that never answers can still be frozen with step 3 (forced);
 *  3. rte_pmd_qdma_vf_ctx_save() reads every context of its queues (SW, HW, credit, prefetch,
 *     CMPT) into a snapshot owned by the caller and invalidates them on the card;
 *  4. (optional) rte_pmd_qdma_fn_set_queues() moves its window (allowed while saved);
 *  5. rte_pmd_qdma_vf_ctx_restore() writes the snapshot back at the current window (relative
 *     queue numbers unchanged), and rte_pmd_qdma_vf_resume() tells the VF (mailbox RESUME) to
 *     continue where it stopped.
 * @{
 */
/** Where a VF stands in the pause sequence. */
enum rte_pmd_qdma_pause_state {
	RTE_PMD_QDMA_PAUSE_NONE = 0,   /**< running */
	RTE_PMD_QDMA_PAUSE_REQUESTED,  /**< PAUSE sent, no answer yet */
	RTE_PMD_QDMA_PAUSE_ACKED,      /**< the VF answered: it posts nothing more */
	RTE_PMD_QDMA_PAUSE_SAVED,      /**< contexts saved and invalidated */
	RTE_PMD_QDMA_PAUSE_RESTORED,   /**< contexts restored, RESUME not sent yet */
};

/** Data words of one queue's contexts in a snapshot (SW x2, HW x2, credit x2, prefetch, CMPT). */
#define RTE_PMD_QDMA_QCTX_WORDS 23u

/** Saved contexts of one queue of a VF (contents are the card's context words, opaque). */
struct rte_pmd_qdma_qctx {
	uint16_t rel_qid;  /**< queue number within the VF's window */
	uint16_t present;  /**< bit i: context block i was valid and is saved */
	uint32_t w[RTE_PMD_QDMA_QCTX_WORDS]; /**< context words */
};

/**
 * Does a VF understand PAUSE/RESUME (did its driver advertise the extension at HELLO)?
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 1 yes, 0 no, -EINVAL (not a VF function), -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_vf_pause_capable(uint16_t port_id, uint16_t func_id);

/**
 * Send PAUSE to a VF (returns at once; poll rte_pmd_qdma_vf_pause_state()).
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 0, -ENOTSUP (no extension, or a VF port), -ENODEV (VF not online),
 *         -EALREADY (already in a pause), -EINVAL
 */
__rte_experimental
int rte_pmd_qdma_vf_pause(uint16_t port_id, uint16_t func_id);

/**
 * Where a VF stands in the pause sequence.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return enum rte_pmd_qdma_pause_state (>= 0), or -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_pause_state(uint16_t port_id, uint16_t func_id);

/**
 * Save and invalidate the contexts of every queue of the VF's window that has one.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @param snap     where to save (owned by the caller)
 * @param max      entries of @p snap
 * @return entries written (>= 0), -ENOSPC (more than @p max queues), -EIO (card), -EINVAL
 */
__rte_experimental
int rte_pmd_qdma_vf_ctx_save(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_qctx *snap,
		unsigned int max);

/**
 * Write saved contexts back at the VF's current window.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @param snap     entries from rte_pmd_qdma_vf_ctx_save()
 * @param n        their number
 * @return 0, -ERANGE (a queue outside the window: nothing written), -EIO, -EINVAL
 */
__rte_experimental
int rte_pmd_qdma_vf_ctx_restore(uint16_t port_id, uint16_t func_id,
		const struct rte_pmd_qdma_qctx *snap, unsigned int n);

/**
 * Send RESUME (with the current window) to a VF; its pause state becomes NONE.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_resume(uint16_t port_id, uint16_t func_id);

/**
 * Send RESUME to a VF the caller knows to be paused by the extension, even if this PF has not
 * heard its HELLO: the VF's driver answered a PAUSE before the PF's owner restarted and still
 * waits for RESUME (its snapshot came back from the owner's journal).
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_resume_known(uint16_t port_id, uint16_t func_id);

/**
 * Send RESET_DONE to a VF whether it is online or not: the unpause of a VF whose driver has
 * no svff extension and was paused with RESET_PREPARE (a stock driver goes offline then and
 * waits for RESET_DONE to re-initialise). rte_pmd_qdma_vf_notify() reaches online VFs only.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_reset_done(uint16_t port_id, uint16_t func_id);

/**
 * Send RESTORE to a VF after the PF's driver restarted (svff extension): the VF kept its
 * device but the card lost what the PF had set up for it; its driver says HELLO again, takes
 * its window again and restarts its started queues (a paused one stays paused). Sent
 * whether or not the VF is online (the restarted PF has not seen its HELLO); never waits for
 * the VF. PF only.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_restore(uint16_t port_id, uint16_t func_id);

/**
 * What the PF holds of a VF driver's registration: the HELLO it heard (with the
 * extension the driver advertised), the queues it announced (QNOTIFY), and where
 * it stands in a pause.  A VF count change destroys every VF function and the PF
 * forgets all of this; a VF whose driver kept its device (a VM on the emulated card,
 * paused with the extension) never says HELLO again, so its owner reads the
 * registration before the change (rte_pmd_qdma_vf_reg_get()) and gives it back
 * after (rte_pmd_qdma_vf_reg_set()), before it restores the contexts and RESUMEs.
 */
struct rte_pmd_qdma_vf_reg {
	bool online;                 /**< said HELLO, no BYE since */
	uint32_t ext;                /**< svff extension bits its driver advertised */
	uint32_t active_h2c, active_c2h, active_cmpt; /**< queues it announced */
	uint8_t pause_state;         /**< enum rte_pmd_qdma_pause_state */
};

/**
 * Read the registration of VF @p func_id.  PF only.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @param reg      filled in
 * @return 0, -EINVAL, -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_vf_reg_get(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_vf_reg *reg);

/**
 * Give VF @p func_id its registration back (the same driver instance is behind the
 * re-created function).  Its window must be set (rte_pmd_qdma_fn_set_queues()) and
 * hold the announced queues.  Sends nothing.  PF only.
 * @param port_id  the PF's port
 * @param func_id  the VF's function number
 * @param reg      from rte_pmd_qdma_vf_reg_get() before the function was re-created
 * @return 0, -ERANGE (more queues announced than its window has: nothing changed),
 *         -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_reg_set(uint16_t port_id, uint16_t func_id,
		const struct rte_pmd_qdma_vf_reg *reg);
/** @} */

/**
 * SR-IOV TotalVFs: sysfs sriov_totalvfs on a PCI card, a slot operation on
 * the emulated one.  PF only.
 * @param port_id  the PF's port
 * @param n        the number
 * @return 0, -ENODEV, -ENOTSUP (a VF port), or the transport's -errno
 */
__rte_experimental
int rte_pmd_qdma_sriov_get_totalvfs(uint16_t port_id, unsigned int *n);

/**
 * SR-IOV NumVFs (enabled VFs), as rte_pmd_qdma_sriov_get_totalvfs().
 * @param port_id  the PF's port
 * @param n        the number
 * @return 0, -ENODEV, -ENOTSUP (a VF port), or the transport's -errno
 */
__rte_experimental
int rte_pmd_qdma_sriov_get_numvfs(uint16_t port_id, unsigned int *n);

/**
 * Enable @p n VFs.  Linux rules: N->M with both non-zero is refused; go through 0.
 * @param port_id  the PF's port
 * @param n        VFs to enable, 0 disables them all
 * @return 0, -EBUSY (N->M), -EINVAL (above TotalVFs), -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_sriov_set_numvfs(uint16_t port_id, unsigned int n);

/**
 * QDMA function number of a VF.
 * @param port_id  the PF's port
 * @param vf       VF index, 0-based
 * @return the function number (>= 0), -EINVAL, -ENODEV, -ENOTSUP
 */
__rte_experimental
int rte_pmd_qdma_vf_func_id(uint16_t port_id, unsigned int vf);

/**
 * Emulated card only: let the holder of @p token open VF @p vf.
 * @param port_id  the PF's port
 * @param vf       VF index, 0-based
 * @param token    non-zero secret the VF's user passes as devarg token=
 * @return 0, -EINVAL (token 0, bad VF), -ENOTSUP (PCI card or a VF port), -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_vf_grant(uint16_t port_id, unsigned int vf, uint64_t token);

/**
 * Emulated card only: withdraw VF @p vf; its current user is disconnected.
 * @param port_id  the PF's port
 * @param vf       VF index, 0-based
 * @return 0, -EINVAL (bad VF), -ENOTSUP (PCI card or a VF port), -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_vf_revoke(uint16_t port_id, unsigned int vf);

/**
 * @name Card memory (MM) transfers
 * With devarg mm_queues=<n> the port has n MM queues (indices 0..n-1) after
 * its ethdev queues.  @p iova is DPDK memory (e.g. rte_malloc_virt2iova(),
 * rte_mbuf_data_iova()); @p card_addr is an address in the card's memory.
 * Both roles (PF and VF) may use them.
 * @{
 */
/**
 * Copy host memory to card memory; returns when the card says it is done.
 * @param port_id    a PF or VF port with mm_queues
 * @param mmq        MM queue index
 * @param card_addr  destination in card memory
 * @param src_iova   source, DPDK memory
 * @param len        bytes
 * @return 0, -ETIMEDOUT, -EIO (the card reported an error), -EINVAL, -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_mm_write(uint16_t port_id, uint16_t mmq, uint64_t card_addr, uint64_t src_iova,
		uint32_t len);
/**
 * Copy card memory to host memory; returns when the card says it is done.
 * @param port_id    a PF or VF port with mm_queues
 * @param mmq        MM queue index
 * @param card_addr  source in card memory
 * @param dst_iova   destination, DPDK memory
 * @param len        bytes
 * @return 0, -ETIMEDOUT, -EIO (the card reported an error), -EINVAL, -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_mm_read(uint16_t port_id, uint16_t mmq, uint64_t card_addr, uint64_t dst_iova,
		uint32_t len);
/**
 * Asynchronous form: queue one transfer and return at once.  Completion:
 * rte_pmd_qdma_mm_poll().
 * @param port_id    a PF or VF port with mm_queues
 * @param mmq        MM queue index
 * @param write      true: host -> card; false: card -> host
 * @param card_addr  address in card memory
 * @param iova       host side, DPDK memory
 * @param len        bytes
 * @return 0, -ENOSPC (ring full), -EINVAL, -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_mm_submit(uint16_t port_id, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len);
/**
 * Transfers of one direction completed since the last poll (in order).
 * @param port_id  a PF or VF port with mm_queues
 * @param mmq      MM queue index
 * @param write    the direction (as rte_pmd_qdma_mm_submit())
 * @return completed transfers (>= 0), -EIO (bad status from the card), -EINVAL, -ENODEV
 */
__rte_experimental
int rte_pmd_qdma_mm_poll(uint16_t port_id, uint16_t mmq, bool write);
/** @} */

/**
 * Run the PF's error poller once (reads and clears the W1C error registers;
 * the counts appear in xstats err_*).  PF only.
 * @param port_id  the PF's port
 * @return error registers found set (>= 0), -ENODEV, -ENOTSUP (a VF port)
 */
__rte_experimental
int rte_pmd_qdma_error_poll(uint16_t port_id);

#ifdef __cplusplus
}
#endif
#endif /* RTE_PMD_QDMA_H */
