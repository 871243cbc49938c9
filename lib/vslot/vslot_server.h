/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vslot_server.h
 * Server (card) half of the virtual PCIe slot.
 *
 * The card process creates one server per card. The server owns an AF_UNIX
 * SOCK_SEQPACKET listening socket and a thread (the *server thread*) that
 * accepts driver connections, answers their requests (::vslot_proto.h) and
 * calls the card back through ::vslot_server_ops.
 *
 * Functions: number 0 is the PF, 1 + n is VF n (VSLOT_FN_VF()). The card
 * creates each function's BARs with vslot_server_add_function(). VF n is
 * reachable by a driver only while n < numvfs (set by the PF's connection
 * with SET_NUMVFS) *and* the card has added function 1 + n, and only with the
 * token the PF's connection granted (unless open_mode). One client per
 * function. A client's connection closing is an FLR of its function (maps
 * dropped, function_reset()). The PF's connection closing does not touch the
 * VFs: their grants and clients stay (the control plane may restart).
 *
 * DMA translation (the IOMMU): each function has a table of the regions its
 * driver registered with DMA_MAP. vslot_dma_ptr() translates an IOVA range
 * of a function into a pointer in the card's address space; it never sees
 * another function's maps. It is lock-free, syscall-free and allocation-free.
 *
 * Memory reclamation (QSBR): tables are immutable snapshots published by an
 * atomic pointer swap. Threads that translate (card engines) register as
 * *readers* and report quiescent states. After a swap that removes memory
 * (DMA_UNMAP, client gone, function removed), the server waits until every
 * online reader has passed a quiescent state, then munmaps. Therefore:
 *  - a pointer returned by vslot_dma_ptr() stays valid until the calling
 *    reader's next vslot_reader_quiescent() / vslot_reader_offline();
 *  - a DMA_UNMAP is answered only after that grace period: once the driver
 *    sees the reply, the card no longer touches the region (like an IOTLB
 *    invalidation on real hardware).
 *
 * Memory ordering (C11 atomics):
 *  - table publish: the table is fully written, then stored with a seq_cst
 *    exchange; readers load it with acquire (no torn or half-built table);
 *  - grace period: the server increments the global counter `gp` (seq_cst)
 *    after the swap and issues a seq_cst fence, then loads each reader's
 *    counter with acquire until it is 0 (offline) or >= the new gp;
 *  - vslot_reader_quiescent(): load gp (acquire), store it in the reader's
 *    counter (release). The release orders every earlier access through old
 *    pointers before the server's munmap; the acquire orders every later
 *    table load after the swap;
 *  - vslot_reader_online(): store gp in the reader's counter, then a seq_cst
 *    fence before any table load (pairs with the server's fence: either the
 *    server sees the reader online, or the reader sees the new table);
 *  - vslot_reader_offline(): store 0 (release).
 *
 * Threading: callbacks are called on the server thread (or, before
 * vslot_server_start(), on the thread calling the API). After start, API
 * calls that change functions (add/remove/synchronize) made from another
 * thread are executed by the server thread while the caller waits; calls from
 * inside a callback run directly. A registered reader must be offline (or
 * unregistered) while it calls a function documented as "blocking", or it
 * would wait for itself. Callbacks must not wait for threads that call the
 * server API.
 *
 * All functions return 0 or a negative errno unless documented otherwise.
 */
#ifndef VSLOT_SERVER_H
#define VSLOT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vslot_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vslot_server;
struct vslot_reader;

/** Default per-function limit on DMA maps. */
#define VSLOT_DEFAULT_MAX_DMA_MAPS 4096u
/** Default time a new connection has to send HELLO. */
#define VSLOT_DEFAULT_HELLO_TIMEOUT_MS 10000u
/** Largest total_vfs accepted. */
#define VSLOT_MAX_VFS 4095u

/** Log levels (syslog numbering). */
enum vslot_log_level {
	VSLOT_LOG_ERR = 3,
	VSLOT_LOG_WARNING = 4,
	VSLOT_LOG_NOTICE = 5,
	VSLOT_LOG_INFO = 6,
	VSLOT_LOG_DEBUG = 7,
};

/** Log sink: @p msg has no trailing newline and no "vslot:" prefix. */
typedef void (*vslot_log_fn)(void *ctx, int level, const char *msg);

/** A BAR of a function. */
struct vslot_bar_desc {
	unsigned index; /**< 0..5 */
	size_t size;    /**< bytes (> 0); the memfd is rounded up to a page */
};

/** Card callbacks; any may be NULL. All are called on the server thread. */
struct vslot_server_ops {
	/**
	 * SET_NUMVFS changed the VF count from @p old_n to @p new_n (one of them
	 * is 0). On 0 -> N the card must add functions 1..N (it may call
	 * vslot_server_add_function() from here); a negative return makes
	 * SET_NUMVFS fail with that code and numvfs stays 0 (the card must undo
	 * what it did). On N -> 0 the server has already notified and
	 * disconnected every VF client and dropped their grants; the card may
	 * remove its VF functions; the return value is only logged.
	 */
	int (*numvfs_changed)(void *ctx, unsigned old_n, unsigned new_n);
	/**
	 * Function level reset: the function's client is gone (connection closed,
	 * revoked, numvfs -> 0, function removed). Its DMA maps are already
	 * dropped: the card stops the function's queues.
	 */
	void (*function_reset)(void *ctx, unsigned fn);
	/** A client opened function @p fn (before it receives the HELLO reply). */
	void (*function_opened)(void *ctx, unsigned fn);
};

/** Server configuration. */
struct vslot_server_cfg {
	const char *path;        /**< socket path (a stale socket is replaced) */
	unsigned total_vfs;      /**< TotalVFs, 0..VSLOT_MAX_VFS */
	bool open_mode;          /**< dev/tests: any client may open any existing VF, no token */
	unsigned nb_irq_vectors; /**< per function, 1..VSLOT_MAX_IRQS (0 means 1) */
	unsigned max_dma_maps;   /**< per function (0 means VSLOT_DEFAULT_MAX_DMA_MAPS) */
	unsigned socket_mode;    /**< if non-zero, chmod() of the socket (e.g. 0600) */
	unsigned hello_timeout_ms; /**< a connection without HELLO is closed after this
				      (0 means VSLOT_DEFAULT_HELLO_TIMEOUT_MS) */
	vslot_log_fn log;        /**< NULL: stderr with the prefix "vslot: " */
	void *log_ctx;
	int log_level;           /**< messages above this level are dropped (0: INFO) */
};

/**
 * Create a server and bind its socket (not yet serving: see
 * vslot_server_start()).
 *
 * @param cfg   configuration (copied).
 * @param ops   callbacks (copied; may be NULL).
 * @param ctx   passed to the callbacks.
 * @param err   if non-NULL, receives a reason on failure.
 * @return the server, or NULL with errno set.
 */
struct vslot_server *vslot_server_create(const struct vslot_server_cfg *cfg,
	const struct vslot_server_ops *ops, void *ctx, char *err, size_t errlen);

/**
 * Add function @p fn (0 = PF, 1 + n = VF n) with its BARs. The server creates
 * one sealed memfd per BAR (zero filled) and maps it; it also creates the
 * function's interrupt eventfds. Blocking.
 *
 * @return 0, -EINVAL (bad fn, BAR index, size or duplicate index), -EEXIST
 *         (already added), or an errno from memfd/mmap.
 */
int vslot_server_add_function(struct vslot_server *srv, unsigned fn,
	const struct vslot_bar_desc *bars, unsigned nb_bars);

/**
 * Remove function @p fn: its client (if any) gets a REMOVED notice
 * (VSLOT_REMOVED_FUNCTION) and is disconnected, its maps are dropped,
 * function_reset() is called, its grant is dropped, and after a grace period
 * its BARs are unmapped. Blocking.
 *
 * @return 0, -EINVAL (bad fn) or -ENOENT (not added).
 */
int vslot_server_remove_function(struct vslot_server *srv, unsigned fn);

/**
 * The card's own mapping of BAR @p bar of function @p fn.
 *
 * @param size if non-NULL, receives the BAR size.
 * @return the mapping, or NULL if the function or BAR does not exist. Valid
 *         until the function is removed.
 */
void *vslot_server_bar(struct vslot_server *srv, unsigned fn, unsigned bar, size_t *size);

/** Start the server thread. */
int vslot_server_start(struct vslot_server *srv);

/**
 * Stop the server thread, send REMOVED (VSLOT_REMOVED_SHUTDOWN) to every
 * client, close them, unmap everything, unlink the socket and free @p srv.
 * No callback is called. Readers should be unregistered first (a still
 * online reader delays the final grace period).
 */
void vslot_server_destroy(struct vslot_server *srv);

/**
 * Raise interrupt @p vector of function @p fn (an eventfd write). Lock-free;
 * may be called from any thread.
 *
 * @return 1 if signalled, 0 if the function has no client (no-op), -EINVAL.
 */
int vslot_irq_raise(struct vslot_server *srv, unsigned fn, unsigned vector);

/** Current numvfs. */
unsigned vslot_server_get_numvfs(struct vslot_server *srv);

/** Number of DMA maps of function @p fn (0 if none or bad fn). */
unsigned vslot_server_nb_dma_maps(struct vslot_server *srv, unsigned fn);

/** True if function @p fn currently has a client. */
bool vslot_server_fn_connected(struct vslot_server *srv, unsigned fn);

/**
 * Wait for a grace period: every reader online now passes a quiescent state.
 * Blocking.
 */
void vslot_server_synchronize(struct vslot_server *srv);

/**
 * @name DMA translation (the IOMMU)
 * Hot path: no lock, no syscall, no allocation. The caller must be a
 * registered, online reader (or otherwise know that no unmap can race).
 * @{
 */

/**
 * Translate [@p iova, @p iova + @p len) of function @p fn.
 *
 * @return a pointer to @p len contiguous bytes, or NULL unless the whole
 *         range lies within maps of @p fn. A range spanning adjacent maps is
 *         translated only if their host mappings are contiguous. The server
 *         arranges that when it can: it reserves VA after each map (within a
 *         per-function budget) and places the next IOVA-adjacent map there if
 *         the previous one ends on a (huge) page boundary and the new one
 *         starts on one (e.g. DPDK memory segments registered in ascending
 *         order); it also tries right before an IOVA-adjacent successor. This
 *         is best effort: use vslot_dma_ptr_prefix() to walk a range
 *         piecewise. len 0 gives NULL.
 */
void *vslot_dma_ptr(struct vslot_server *srv, unsigned fn, uint64_t iova, size_t len);

/**
 * Translate the longest host-contiguous prefix of [@p iova, @p iova + @p len).
 *
 * @param avail receives the number of bytes (1..len) usable from the result.
 * @return a pointer, or NULL if @p iova itself is not mapped (or len is 0).
 */
void *vslot_dma_ptr_prefix(struct vslot_server *srv, unsigned fn, uint64_t iova, size_t len,
	size_t *avail);

/** As vslot_dma_ptr(), with the reader's 1-entry last-hit cache. */
void *vslot_reader_dma_ptr(struct vslot_reader *r, unsigned fn, uint64_t iova, size_t len);

/** @} */

/**
 * @name QSBR readers
 * @{
 */

/**
 * Register the calling thread as a reader. The reader starts online.
 *
 * @return a handle, or NULL (ENOMEM).
 */
struct vslot_reader *vslot_reader_register(struct vslot_server *srv);

/** Unregister (implies offline). @p r is freed. */
void vslot_reader_unregister(struct vslot_reader *r);

/**
 * Quiescent state: the reader holds no pointer obtained from the DMA
 * translation anymore. Call it at the top of each engine loop iteration.
 */
void vslot_reader_quiescent(struct vslot_reader *r);

/** Go offline (e.g. before sleeping or a blocking call); holds no pointer. */
void vslot_reader_offline(struct vslot_reader *r);

/** Come back online after vslot_reader_offline(). */
void vslot_reader_online(struct vslot_reader *r);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VSLOT_SERVER_H */
