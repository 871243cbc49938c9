/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vslot_client.h
 * Client (driver) half of the virtual PCIe slot.
 *
 * A driver process opens one function of an emulated card: the PF
 * (::VSLOT_FN_PF) or VF n (VSLOT_FN_VF(n)). It then reaches the function
 * only through its BARs (shared memory, vslot_client_bar()), DMA maps of its
 * own memory (vslot_client_dma_map(), the IOMMU), interrupt eventfds
 * (vslot_client_irq_fd()) and, for the PF, the slot operations (grants,
 * SR-IOV numvfs).
 *
 * Every call is thread-safe (one RPC at a time per client) except
 * vslot_client_close(). Every RPC has a timeout (default
 * ::VSLOT_CLIENT_DEFAULT_TIMEOUT_MS). Functions return 0 or a negative errno;
 * the reason of the last failure is available from vslot_client_strerror().
 *
 * Common errors: -ENOTCONN (the connection is closed: function removed or
 * card gone), -ETIMEDOUT (no reply), -EPERM (PF-only operation from a VF),
 * -EINVAL (bad argument), -EPROTO (malformed message from the server).
 *
 * Notices: the card may remove the function at any time (revoke, numvfs -> 0,
 * card shutdown). The client then receives a REMOVED notice, and the
 * connection is closed. Watch vslot_client_notice_fd() and call
 * vslot_client_poll_notice().
 */
#ifndef VSLOT_CLIENT_H
#define VSLOT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "vslot_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vslot_client;

/** Default RPC timeout. */
#define VSLOT_CLIENT_DEFAULT_TIMEOUT_MS 5000

/** RPC timeout of vslot_client_set_numvfs() at least (functions created or destroyed). */
#define VSLOT_CLIENT_NUMVFS_TIMEOUT_MS 60000

/** An asynchronous notice from the card. */
struct vslot_notice {
	unsigned type;     /**< ::VSLOT_MSG_NOTICE_REMOVED */
	unsigned function; /**< the function concerned (this client's function) */
	/**
	 * ::vslot_remove_reason; ::VSLOT_REMOVED_SERVER_GONE when the connection
	 * closed without a notice (card crashed).
	 */
	unsigned reason;
};

/**
 * Connect to the card at @p path and open function @p fn.
 *
 * @param path  socket path of the card.
 * @param fn    0 = PF, 1 + n = VF n (see vslot_fn_parse()).
 * @param token grant token (VFs; ignored for the PF and in open mode).
 * @param err   if non-NULL, receives a human-readable reason on failure.
 * The PF (fn 0) is opened as by vslot_client_open_pf() with the default key
 * file.
 *
 * The client maps the BARs and takes the interrupt eventfds the HELLO reply
 * carries: they are fresh for this open and are disconnected from the card
 * when the client goes (see vslot_proto.h, "Fresh backing").
 *
 * @return the client, or NULL with errno set: ENOENT (no such socket),
 *         ECONNREFUSED (stale socket, no card), EACCES (refused: no such
 *         function, VF beyond numvfs, not granted, bad token or key, or held
 *         by another client: the card does not say which), ETIMEDOUT, EPROTO.
 */
struct vslot_client *vslot_client_open(const char *path, unsigned fn, uint64_t token, char *err,
	size_t errlen);

/**
 * Open the PF of the card at @p path with the PF key read from @p key_path
 * (NULL: @p path followed by ::VSLOT_PF_KEY_SUFFIX, the file the card writes
 * at start, readable by the card's user only). The card also checks that
 * this process runs as the card's user or root.
 *
 * @return as vslot_client_open(); errno from reading the key file (ENOENT,
 *         EACCES...) or EINVAL (not a key file) before any connection.
 */
struct vslot_client *vslot_client_open_pf(const char *path, const char *key_path, char *err,
	size_t errlen);

/** Close the connection (an FLR for the card), unmap the BARs, free. */
void vslot_client_close(struct vslot_client *c);

/** The function this client opened. */
unsigned vslot_client_function(const struct vslot_client *c);

/**
 * Mapping of BAR @p bar (0..5), shared with the card.
 *
 * @param size if non-NULL, receives the size (0 if absent).
 * @return the mapping, or NULL if the function has no such BAR. It stays
 *         mapped until vslot_client_close(), even after a removal.
 */
void *vslot_client_bar(struct vslot_client *c, unsigned bar, size_t *size);

/** Number of interrupt vectors (eventfds) of the function. */
unsigned vslot_client_nb_irqs(const struct vslot_client *c);

/**
 * Eventfd of interrupt @p vector: readable (8-byte counter) when the card
 * raised it. Owned by the client: do not close it.
 *
 * @return the fd, or -EINVAL.
 */
int vslot_client_irq_fd(struct vslot_client *c, unsigned vector);

/**
 * Register [@p iova, @p iova + @p len) with the card's IOMMU for this
 * function: the card maps @p len bytes of @p fd from @p offset (MAP_SHARED).
 * @p fd must be a regular file (memfd, hugetlbfs, tmpfs); it is not consumed.
 *
 * @return 0, -EEXIST (overlaps a map), -EINVAL (len 0, overflow, beyond the
 *         end of the file), -EBADF (not a regular file), -ENOSPC (too many
 *         maps), or an mmap errno.
 */
int vslot_client_dma_map(struct vslot_client *c, uint64_t iova, uint64_t len, int fd,
	uint64_t offset);

/**
 * Remove every map lying within [@p iova, @p iova + @p len). When it returns,
 * the card no longer accesses those regions.
 *
 * @return 0, -ENOENT (no map in range), -EINVAL (range splits a map).
 */
int vslot_client_dma_unmap(struct vslot_client *c, uint64_t iova, uint64_t len);

/**
 * An fd that becomes readable when a notice may be pending (poll/epoll
 * it, then call vslot_client_poll_notice()). Owned by the client.
 */
int vslot_client_notice_fd(struct vslot_client *c);

/**
 * Fetch one pending notice, without blocking.
 *
 * @return 1 (got one in @p n), 0 (none), -ENOTCONN (none, and the
 *         connection is closed: nothing more will come).
 */
int vslot_client_poll_notice(struct vslot_client *c, struct vslot_notice *n);

/**
 * @name PF connection only (-EPERM otherwise)
 * @{
 */

/**
 * Allow VF @p vf (VF index n, not the function number) to be opened with
 * @p token. Grants survive a disconnect of the PF client (svffd may restart
 * without unplugging guests); they are dropped by REVOKE, numvfs -> 0 and the
 * removal of the function.
 *
 * @return 0, -EINVAL (vf >= totalvfs, or token 0), -ENODEV (vf >= numvfs),
 *         -EBUSY (the VF is held by a client under another grant: revoke
 *         first), -EPERM (not the PF).
 */
int vslot_client_grant(struct vslot_client *c, unsigned vf, uint64_t token);

/**
 * Withdraw VF @p vf's grant; its current client (if any) gets a REMOVED
 * notice (::VSLOT_REMOVED_REVOKED), is disconnected and the VF is reset.
 * Revoking a VF without grant is a no-op.
 *
 * @return 0, -EINVAL (vf >= totalvfs), -ENODEV (vf >= numvfs), -EPERM.
 */
int vslot_client_revoke(struct vslot_client *c, unsigned vf);

/**
 * Set numvfs, as sysfs sriov_numvfs: -EINVAL above totalvfs; -EBUSY for
 * N -> M with both non-zero and different; same value: no-op; to 0: every VF
 * client gets REMOVED and every grant is dropped. Errors from the card are
 * passed through.
 */
int vslot_client_set_numvfs(struct vslot_client *c, unsigned n);

/** Current numvfs. */
int vslot_client_get_numvfs(struct vslot_client *c, unsigned *n);

/** TotalVFs of the card. */
int vslot_client_get_totalvfs(struct vslot_client *c, unsigned *n);

/** @} */

/** Set the RPC timeout (milliseconds, > 0). */
void vslot_client_set_timeout(struct vslot_client *c, int timeout_ms);

/**
 * Reason of the last failure on @p c ("" if none). The buffer is
 * overwritten by the next failing call: with several threads, prefer
 * vslot_client_last_error().
 */
const char *vslot_client_strerror(struct vslot_client *c);

/** Copy the reason of the last failure into @p buf. */
void vslot_client_last_error(struct vslot_client *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VSLOT_CLIENT_H */
