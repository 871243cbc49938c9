/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vslot_proto.h
 * Wire protocol of the virtual PCIe slot (lib/vslot).
 *
 * Transport: an AF_UNIX SOCK_SEQPACKET socket. Every datagram is exactly
 * ::VSLOT_MSG_SIZE bytes: a ::vslot_msg_hdr followed by a type-specific
 * payload, zero padded. All integers are little-endian. File descriptors
 * travel as SCM_RIGHTS ancillary data of the datagram they belong to.
 *
 * Requests (client -> server) carry a non-zero request id chosen by the
 * client; the reply (server -> client) has type `request | VSLOT_MSG_REPLY`,
 * the same id, and a status (0 or a negative Linux errno). A failed reply
 * carries a human-readable reason in ::vslot_msg_error. Notices (server ->
 * client, unsolicited) have request id 0 and the ::VSLOT_MSG_NOTICE bit.
 *
 * | request          | payload              | fds in | reply payload        | fds out        |
 * |------------------|----------------------|--------|----------------------|----------------|
 * | HELLO            | ::vslot_msg_hello    | 0      | ::vslot_msg_hello_reply | 1 per BAR, then 1 per irq vector |
 * | DMA_MAP          | ::vslot_msg_dma      | 1      | -                    | 0              |
 * | DMA_UNMAP        | ::vslot_msg_dma      | 0      | -                    | 0              |
 * | GRANT (PF only)  | ::vslot_msg_grant    | 0      | -                    | 0              |
 * | REVOKE (PF only) | ::vslot_msg_grant    | 0      | -                    | 0              |
 * | SET_NUMVFS (PF)  | ::vslot_msg_numvfs   | 0      | -                    | 0              |
 * | GET_NUMVFS (PF)  | -                    | 0      | ::vslot_msg_numvfs   | 0              |
 * | GET_TOTALVFS (PF)| -                    | 0      | ::vslot_msg_numvfs   | 0              |
 * | notice REMOVED   | ::vslot_msg_removed  | 0      | (no reply)           |                |
 *
 * Function numbering: 0 is the PF, 1 + n is VF n (see VSLOT_FN_VF()).
 * GRANT/REVOKE name the VF by its VF index n, not by function number.
 *
 * A connection must start with HELLO (within the server's HELLO timeout); it
 * is bound to one function for its whole life. Closing the connection is a
 * function level reset (FLR) of that function: the server drops all its DMA
 * maps. A malformed datagram (wrong size, magic, version; a zero-length
 * datagram) makes the server close the connection; a well-formed but invalid
 * request gets an error reply. Every fd a datagram carries is closed by the
 * server unless the request keeps it (DMA_MAP maps it, then closes it too).
 *
 * Credentials: the PF opens only with the server's PF key
 * (::vslot_msg_hello.pf_key, ::VSLOT_PF_KEY_LEN random bytes that the server
 * writes, hex encoded, to a file only its user can read: by default the
 * socket path + ::VSLOT_PF_KEY_SUFFIX, replaced at every server start) and
 * only from a peer whose uid (SO_PEERCRED) is the server's or 0. A VF opens
 * with the token its PF granted. Every refused HELLO gets the same answer
 * (-EACCES, same text): a peer learns nothing about the function, its grant
 * or its holder.
 *
 * Fresh backing: the BAR memfds and interrupt eventfds a HELLO reply carries
 * were never handed to anyone before. When the connection ends (close, FLR,
 * revoke, removal) the server gives the card new backing for that function
 * (the card's view is swapped; register contents are carried over, the card
 * re-initialises what a reset must clear): the former holder's mappings and
 * eventfds stay valid in its process but are dead objects, connected to
 * nothing.
 *
 * DMA memory: DMA_MAP accepts only memory that cannot stall the card: a
 * regular file on tmpfs/shmem (memfd, /dev/shm) or hugetlbfs. Anything else
 * (a disk file, FUSE, /proc, a pipe, a socket) is refused with -EBADF. A
 * function's maps are limited in number and in total bytes (-ENOSPC).
 */
#ifndef VSLOT_PROTO_H
#define VSLOT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "VSLT" in little-endian. */
#define VSLOT_PROTO_MAGIC 0x544c5356u
/** Protocol version; HELLO with another version is refused with -EPROTO. */
#define VSLOT_PROTO_VERSION 1u
/** Size of every datagram, in bytes. */
#define VSLOT_MSG_SIZE 256u
/** BAR indexes are 0..5, as on PCI. */
#define VSLOT_MAX_BARS 6u
/** Maximum interrupt vectors per function. */
#define VSLOT_MAX_IRQS 32u
/** Maximum fds in one datagram (HELLO reply). */
#define VSLOT_MAX_FDS (VSLOT_MAX_BARS + VSLOT_MAX_IRQS)
/** Bytes of the PF key (HELLO of the PF). */
#define VSLOT_PF_KEY_LEN 32u
/** Default PF key file: the socket path followed by this suffix. */
#define VSLOT_PF_KEY_SUFFIX ".pf-key"
/** Size of the error text in a failed reply, including the NUL. */
#define VSLOT_ERRMSG_LEN 128u

/** Function number of the PF. */
#define VSLOT_FN_PF 0u
/** Function number of VF @p n (0-based VF index). */
#define VSLOT_FN_VF(n) (1u + (unsigned)(n))
/** True if function number @p fn is a VF. */
#define VSLOT_FN_IS_VF(fn) ((fn) != 0u)
/** VF index of VF function number @p fn (fn must be >= 1). */
#define VSLOT_FN_VF_INDEX(fn) ((unsigned)(fn) - 1u)

/** Message types. */
enum vslot_msg_type {
	VSLOT_MSG_HELLO = 1,
	VSLOT_MSG_DMA_MAP = 2,
	VSLOT_MSG_DMA_UNMAP = 3,
	VSLOT_MSG_GRANT = 4,
	VSLOT_MSG_REVOKE = 5,
	VSLOT_MSG_SET_NUMVFS = 6,
	VSLOT_MSG_GET_NUMVFS = 7,
	VSLOT_MSG_GET_TOTALVFS = 8,

	/** Bit set in unsolicited server -> client notices. */
	VSLOT_MSG_NOTICE = 0x4000,
	/** The connection's function went away; the server closes the connection. */
	VSLOT_MSG_NOTICE_REMOVED = VSLOT_MSG_NOTICE | 1,

	/** Bit set in replies: reply type = request type | VSLOT_MSG_REPLY. */
	VSLOT_MSG_REPLY = 0x8000,
};

/** Reason carried by a REMOVED notice. */
enum vslot_remove_reason {
	VSLOT_REMOVED_UNKNOWN = 0,
	VSLOT_REMOVED_NUMVFS = 1,   /**< SET_NUMVFS to 0 destroyed the VF */
	VSLOT_REMOVED_REVOKED = 2,  /**< the PF revoked the grant */
	VSLOT_REMOVED_FUNCTION = 3, /**< the card removed the function */
	VSLOT_REMOVED_SHUTDOWN = 4, /**< the card (server) shuts down */
	/** Local only (never on the wire): the connection closed without a notice. */
	VSLOT_REMOVED_SERVER_GONE = 5,
};

/** Common header of every datagram. */
struct vslot_msg_hdr {
	uint32_t magic;   /**< ::VSLOT_PROTO_MAGIC */
	uint16_t version; /**< ::VSLOT_PROTO_VERSION */
	uint16_t type;    /**< ::vslot_msg_type */
	uint64_t req_id;  /**< request id (non-zero), echoed in the reply; 0 in notices */
	int32_t status;   /**< replies: 0 or a negative errno; 0 otherwise */
	uint32_t rsvd;    /**< must be 0 */
} __attribute__((packed));

/** HELLO request. */
struct vslot_msg_hello {
	uint32_t function; /**< 0 = PF, 1 + n = VF n */
	uint32_t flags;    /**< must be 0 */
	uint64_t token;    /**< grant token (VFs; ignored for the PF and in open mode) */
	uint8_t pf_key[VSLOT_PF_KEY_LEN]; /**< the PF key (PF only; zero for VFs) */
} __attribute__((packed));

/** One BAR in a HELLO reply. */
struct vslot_msg_bar {
	uint32_t index; /**< 0..5 */
	uint32_t rsvd;
	uint64_t size; /**< bytes; the memfd is at least this large */
} __attribute__((packed));

/** HELLO reply; fds: nb_bars memfds (same order as bars[]) then nb_irqs eventfds. */
struct vslot_msg_hello_reply {
	uint32_t function;
	uint16_t nb_bars;
	uint16_t nb_irqs;
	struct vslot_msg_bar bars[VSLOT_MAX_BARS];
} __attribute__((packed));

/** DMA_MAP / DMA_UNMAP (offset is ignored by UNMAP). */
struct vslot_msg_dma {
	uint64_t iova;
	uint64_t len;
	uint64_t offset; /**< offset of the region in the fd */
} __attribute__((packed));

/** GRANT / REVOKE (token ignored by REVOKE). */
struct vslot_msg_grant {
	uint32_t vf; /**< VF index n (not the function number) */
	uint32_t rsvd;
	uint64_t token; /**< non-zero */
} __attribute__((packed));

/** SET_NUMVFS request, GET_NUMVFS and GET_TOTALVFS replies. */
struct vslot_msg_numvfs {
	uint32_t n;
} __attribute__((packed));

/** REMOVED notice. */
struct vslot_msg_removed {
	uint32_t function;
	uint32_t reason; /**< ::vslot_remove_reason */
} __attribute__((packed));

/** Failed reply (status < 0). */
struct vslot_msg_error {
	char msg[VSLOT_ERRMSG_LEN]; /**< NUL-terminated (receivers force it) */
} __attribute__((packed));

/** Size of the payload area. */
#define VSLOT_MSG_PAYLOAD (VSLOT_MSG_SIZE - sizeof(struct vslot_msg_hdr))

/** One datagram. */
struct vslot_msg {
	struct vslot_msg_hdr hdr;
	union {
		struct vslot_msg_hello hello;
		struct vslot_msg_hello_reply hello_reply;
		struct vslot_msg_dma dma;
		struct vslot_msg_grant grant;
		struct vslot_msg_numvfs numvfs;
		struct vslot_msg_removed removed;
		struct vslot_msg_error error;
		uint8_t raw[VSLOT_MSG_PAYLOAD];
	} u;
} __attribute__((packed));

_Static_assert(sizeof(struct vslot_msg_hdr) == 24, "vslot_msg_hdr layout");
_Static_assert(sizeof(struct vslot_msg_hello_reply) == 104, "hello_reply layout");
_Static_assert(sizeof(struct vslot_msg) == VSLOT_MSG_SIZE, "vslot_msg size");
_Static_assert(sizeof(struct vslot_msg_error) <= VSLOT_MSG_PAYLOAD, "error payload");

/**
 * Parse a function name: "pf" (or "0"), "vfN" (N is the VF index), or a
 * plain function number. Case-insensitive.
 *
 * @return the function number (>= 0), or -EINVAL.
 */
int vslot_fn_parse(const char *s);

/**
 * Format function number @p fn as "pf" or "vfN".
 *
 * @return @p buf.
 */
const char *vslot_fn_name(unsigned fn, char *buf, size_t len);

/**
 * Default PF key file of the card listening on @p sock_path
 * (@p sock_path ::VSLOT_PF_KEY_SUFFIX).
 *
 * @return 0, or -ENAMETOOLONG.
 */
int vslot_pf_key_default_path(const char *sock_path, char *buf, size_t len);

/**
 * Read a PF key file (::VSLOT_PF_KEY_LEN bytes, hex encoded, optional
 * trailing newline).
 *
 * @return 0, -errno of open/read, or -EINVAL (malformed), with a reason in
 *         @p err.
 */
int vslot_pf_key_read(const char *key_path, uint8_t key[VSLOT_PF_KEY_LEN], char *err,
	size_t errlen);

/** Name of a ::vslot_remove_reason ("revoked", "numvfs", ...). */
const char *vslot_remove_reason_str(unsigned reason);

#ifdef __cplusplus
}
#endif

#endif /* VSLOT_PROTO_H */
