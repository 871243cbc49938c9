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
 * maps. A malformed datagram (wrong size, magic, version) makes the server
 * close the connection; a well-formed but invalid request gets an error reply.
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

/** Name of a ::vslot_remove_reason ("revoked", "numvfs", ...). */
const char *vslot_remove_reason_str(unsigned reason);

#ifdef __cplusplus
}
#endif

#endif /* VSLOT_PROTO_H */
