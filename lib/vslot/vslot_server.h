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
 * Who may open what: the PF only with the PF key (a random secret the server
 * writes at create time, replacing any previous one, to cfg.pf_key_path,
 * mode 0600, created atomically) and only from a peer of the server's uid or
 * root (SO_PEERCRED); there is no window in which the PF is openable without
 * it, also across PF disconnects and server restarts. A VF only with its
 * grant token (open_mode, for development, lifts the token check for VFs
 * only). Every refused HELLO gets the same answer; refusals are counted
 * (::vslot_server_stats) and logged rate-limited. The socket is created with
 * mode 0600 (cfg.socket_mode) in a directory that is created 0700 if missing;
 * an existing group/world-writable directory is refused unless it is sticky
 * (then a loud warning).
 *
 * Fresh backing (access never outlives the grant): every HELLO hands out BAR
 * memfds and interrupt eventfds nobody held before. When a client goes
 * (close, FLR, revoke) the server swaps the function's backing: new memfds
 * are filled with the current register contents and mapped *at the same
 * addresses* in the card (vslot_server_bar() pointers stay valid), new
 * eventfds take the same fd numbers (vslot_irq_raise() needs no change). The
 * swap runs where the card says it does not touch the BARs (the quiesce()
 * callback, e.g. between two engine iterations). The former holder keeps
 * its mappings and eventfds, but they are connected to nothing: its reads
 * see nothing of a later tenant, its writes reach no one. Removed functions
 * (numvfs -> 0, remove_function) are unmapped from the card altogether.
 *
 * Limits: per function, at most cfg.max_dma_maps maps and cfg.max_dma_bytes
 * bytes; at most cfg.max_pending_conns connections without HELLO (the oldest
 * is closed to make room), a few per peer process, new connections of a peer
 * rate-limited, each closed after cfg.hello_timeout_ms without HELLO.
 *
 * DMA memory that cannot stall: only tmpfs/shmem (memfd) and hugetlbfs files
 * are accepted. A fault on mapped memory (the owner truncated the file) is
 * contained: a SIGBUS handler (installed once per process, chained to the
 * previous handler) finds the map the address belongs to, replaces that
 * whole map in place with zero memory so that the access completes, and
 * flags the function; the server then logs it and calls function_fault()
 * (the card puts the function's queues in error). Nothing on the fast path
 * pays for it. The handler sees only accesses made by online readers (or
 * threads that otherwise know the map cannot go away), as the translation
 * contract requires anyway.
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
 * server API. In stepped mode (vslot_server_poll() instead of
 * vslot_server_start()) the thread calling vslot_server_poll() is the server
 * thread.
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
/** Default per-function limit on the total bytes of its DMA maps (32 GiB). */
#define VSLOT_DEFAULT_MAX_DMA_BYTES (32ull << 30)
/** Default time a new connection has to send HELLO. */
#define VSLOT_DEFAULT_HELLO_TIMEOUT_MS 2000u
/** Default number of connections without HELLO kept at once. */
#define VSLOT_DEFAULT_MAX_PENDING_CONNS 32u
/** Connections without HELLO one peer process may have at once. */
#define VSLOT_PEER_MAX_PENDING 4u
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
	/**
	 * Run @p swap(@p arg) at a point where the card does not access the BARs
	 * of function @p fn (e.g. on its engine thread between two iterations)
	 * and return once it ran. Used to give the function fresh backing (see
	 * "Fresh backing"). NULL: the server calls @p swap itself (a card that
	 * has no thread of its own touching the BARs).
	 */
	void (*quiesce)(void *ctx, unsigned fn, void (*swap)(void *arg), void *arg);
	/**
	 * DMA memory of function @p fn faulted (its owner truncated the file
	 * under the card); the map now reads as zeros. The card must put the
	 * function's queues in error. The client stays connected.
	 */
	void (*function_fault)(void *ctx, unsigned fn);
};

/** Server configuration. */
struct vslot_server_cfg {
	const char *path;        /**< socket path (a stale socket is replaced) */
	unsigned total_vfs;      /**< TotalVFs, 0..VSLOT_MAX_VFS */
	bool open_mode;          /**< dev/tests: any client may open any existing VF, no token */
	unsigned nb_irq_vectors; /**< per function, 1..VSLOT_MAX_IRQS (0 means 1) */
	unsigned max_dma_maps;   /**< per function (0 means VSLOT_DEFAULT_MAX_DMA_MAPS) */
	uint64_t max_dma_bytes;  /**< per function (0 means VSLOT_DEFAULT_MAX_DMA_BYTES) */
	unsigned socket_mode;    /**< mode of the socket (0 means 0600) */
	const char *pf_key_path; /**< PF key file (NULL: path + VSLOT_PF_KEY_SUFFIX) */
	unsigned hello_timeout_ms; /**< a connection without HELLO is closed after this
				      (0 means VSLOT_DEFAULT_HELLO_TIMEOUT_MS) */
	unsigned max_pending_conns; /**< connections without HELLO kept at once
				       (0 means VSLOT_DEFAULT_MAX_PENDING_CONNS) */
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
 * function's interrupt eventfds. Blocking. (A client gets the memfds at
 * HELLO; they are replaced when it goes: see "Fresh backing".)
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
 *         until the function is removed (the backing behind it changes when a
 *         client goes; the address does not).
 */
void *vslot_server_bar(struct vslot_server *srv, unsigned fn, unsigned bar, size_t *size);

/**
 * @name External holders (virtual machines)
 * A VF can be held by a guest the card cannot talk to over the socket: a
 * VM under QEMU. Its BAR is then a named file on tmpfs that the hypervisor
 * maps into the guest (e.g. an ivshmem-plain device), and its only DMA window
 * is the guest's RAM file with IOVA = guest-physical address (what the IOMMU
 * does for a passed-through device). The external holder counts as the VF's
 * client: nobody else can open the VF, and everything that detaches a client
 * (vslot_server_detach_external(), revoke, numvfs -> 0, remove, destroy)
 * detaches it: the card's BAR moves to fresh backing (the file, which the
 * guest may still map, is connected to nothing afterwards), the window is
 * dropped, function_reset() is called and the file is unlinked. There is no
 * interrupt and no REMOVED notice: the control plane tells the guest (e.g.
 * PF_BYE through the mailbox) before it detaches. Grants are not checked: the
 * caller is the control plane.
 * @{
 */

/** An external holder: where its BAR goes and where its DMA window comes from. */
struct vslot_external {
	unsigned bar;          /**< the BAR exported (the VF's only BAR the guest sees) */
	const char *bar_path;  /**< file created for it: absolute, on tmpfs, must not exist */
	uint64_t bar_file_size; /**< file size, >= the BAR (0: the BAR's size) */
	int uid;               /**< owner of the file (-1: the caller's) */
	int gid;               /**< group of the file (-1: the caller's) */
	unsigned mode;         /**< permission bits of the file (0: 0600) */
	int dma_fd;            /**< the guest RAM file (tmpfs or hugetlbfs); borrowed */
	uint64_t dma_offset;   /**< file offset of the window's first byte */
	uint64_t dma_iova;     /**< IOVA of the window's first byte */
	uint64_t dma_len;      /**< window length (> 0) */
	/**
	 * The file exists already and is taken as it is (its owner, mode and size kept):
	 * a holder that outlived the server that made it (a VM whose QEMU still maps the BAR
	 * file after the control plane restarted). It must be a regular file on tmpfs, at
	 * least the BAR's size; the card's BAR content is copied into it. A failure leaves
	 * the file in place.
	 */
	bool adopt;
};

/**
 * Attach VF function @p fn (1 + n) to an external holder. Blocking.
 *
 * @return 0; -EINVAL (not a VF, bad BAR, path or sizes), -ENODEV (VF beyond
 *         numvfs or not added), -EBUSY (the VF has a client), -EEXIST (the
 *         file exists), -EBADF (file or RAM not on tmpfs/hugetlbfs), or an
 *         errno; @p why says why. On failure nothing changed.
 */
int vslot_server_attach_external(struct vslot_server *srv, unsigned fn,
	const struct vslot_external *ext, char *why, size_t whylen);

/**
 * Detach the external holder of @p fn (see above). Blocking.
 *
 * @return 0, -EINVAL (bad fn) or -ENOENT (no external holder).
 */
int vslot_server_detach_external(struct vslot_server *srv, unsigned fn);

/**
 * As vslot_server_detach_external(), but the BAR file stays where it is: its
 * holder keeps the device while the function is re-created (e.g. a numvfs change
 * N -> 0 -> M), and the file is adopted again afterwards (vslot_external.adopt).
 * The card's BAR moves to fresh backing as in any detach, so nothing the card
 * does meanwhile reaches the file. Blocking.
 *
 * @return 0, -EINVAL (bad fn) or -ENOENT (no external holder).
 */
int vslot_server_detach_external_keep(struct vslot_server *srv, unsigned fn);

/** True if @p fn is held by an external holder. */
bool vslot_server_fn_external(struct vslot_server *srv, unsigned fn);

/** @} */

/** Start the server thread. */
int vslot_server_start(struct vslot_server *srv);

/**
 * Stepped mode (no server thread; fuzzing, deterministic tests): process
 * what is pending on the socket (accept, requests, HELLO timeouts, faults,
 * reclamation) on the calling thread, waiting at most @p timeout_ms for
 * something to happen (0: do not wait). Callbacks run on the calling thread.
 * Must not be used after vslot_server_start().
 *
 * @return the number of events handled (>= 0), or -EBUSY (the server
 *         thread runs), -EINVAL.
 */
int vslot_server_poll(struct vslot_server *srv, int timeout_ms);

/** Counters and totals of a server. */
struct vslot_server_stats {
	uint64_t hello_refused;   /**< HELLO refusals (any reason) */
	uint64_t bad_credentials; /**< of which: bad VF token or PF key, PF from a foreign uid */
	uint64_t conns_rejected;  /**< connections closed unheard (limits, rate) */
	uint64_t hello_timeouts;  /**< connections closed for want of HELLO */
	uint64_t faults;          /**< DMA memory faults contained */
	unsigned nb_conns;        /**< connections now */
	unsigned nb_pending;      /**< of which without HELLO */
	unsigned nb_maps;         /**< DMA maps now, every function */
	uint64_t map_bytes;       /**< bytes of those maps */
};

/** Snapshot of the counters (server context: a callback, stepped mode, or any thread racily). */
void vslot_server_get_stats(struct vslot_server *srv, struct vslot_server_stats *st);

/** The PF key file this server wrote. */
const char *vslot_server_pf_key_path(struct vslot_server *srv);

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

/** True if function @p fn's DMA memory faulted since its client opened it. */
bool vslot_server_fn_faulted(struct vslot_server *srv, unsigned fn);

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
