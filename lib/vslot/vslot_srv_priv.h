/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the server half of lib/vslot, shared by its files:
 *  - vslot_server.c: create / start / destroy, the socket, logging;
 *  - vslot_srv_map.c: QSBR, DMA map tables and translation (the IOMMU);
 *  - vslot_srv_conn.c: connections, the request table and its handlers, the server loop;
 *  - vslot_srv_fn.c: functions and their lifecycle (add, remove, open, detach, grants,
 *    numvfs, BAR and interrupt backing).
 * Not installed, not part of the API.
 *
 * Contexts:
 *  - "server context": the server thread, or a direct API call made before
 *    vslot_server_start() / after the thread stopped. It holds op_lock
 *    (recursive, so that callbacks may call the API) and is the only writer of
 *    function state, connections, map tables and the retire list.
 *  - fn_lock protects what vslot_server_bar() reads from other threads.
 *  - reg_lock protects the reader list.
 *  - cmd_lock/cmd_cond: API calls from other threads, executed by the server
 *    thread.
 *  - The hot path (vslot_dma_ptr*, vslot_irq_raise, reader quiescent/online/
 *    offline) takes no lock.
 */
#ifndef VSLOT_SRV_PRIV_H
#define VSLOT_SRV_PRIV_H

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include "vslot_priv.h"
#include "vslot_proto.h"
#include "vslot_server.h"

#define VSLOT_CACHE_LINE 64
#define VSLOT_EXTRA_CONNS 64     /* connections beyond one per function */
#define VSLOT_MSGS_PER_WAKE 16   /* fairness between connections */
#define VSLOT_ACCEPTS_PER_ROUND 64 /* new connections taken per round of the loop */
#define VSLOT_GP_WARN_MS 5000    /* warn about a reader stuck online */
#define VSLOT_MAX_MAP_ALIGN (1ul << 30)
/*
 * VA reserved (PROT_NONE, no memory) after the first map of a chain, so that
 * the next IOVA-adjacent map can be placed right after it: ascending maps of
 * IOVA-contiguous memory (DPDK memseg lists) then translate as one range.
 */
#define VSLOT_DMA_VA_RESERVE (sizeof(void *) >= 8 ? ((size_t)1 << 30) : 0)
/*
 * Reserved VA outstanding per function at most (a client making many
 * scattered maps must not exhaust the card's address space).
 */
#define VSLOT_DMA_VA_BUDGET (VSLOT_DMA_VA_RESERVE * 64)

/* One DMA map: [iova, iova + len) -> host. Immutable once published. */
struct vslot_map {
	uint64_t iova;
	uint64_t len;
	uint8_t *host;
	void *mmap_base;       /* the file mapping */
	size_t mmap_len;
	uint8_t *res_base;     /* PROT_NONE VA reserved right after it (or NULL) */
	size_t res_len;
};

/* Immutable snapshot: sorted by iova, non-overlapping. */
struct vslot_map_table {
	unsigned n;
	struct vslot_map m[];
};

struct vslot_bar {
	bool present;
	bool handed_out; /* memfd given to a client since the last swap */
	int memfd;
	void *map;       /* the card's mapping: its address never changes */
	size_t size;
	size_t map_len;
};

struct vslot_conn {
	int fd;
	int fn; /* -1 until HELLO succeeds, and after detach */
	bool dead;
	bool pending;            /* counted in nb_pending (no HELLO yet) */
	pid_t pid;
	uid_t uid;
	uint64_t hello_deadline; /* ms, for connections without HELLO */
	uint64_t accepted_ms;
	struct vslot_conn *next;
	/* an external holder (vslot_server_attach_external): no socket (fd -1), not listed */
	bool ext;
	char *ext_path;          /* the BAR file, unlinked at detach if still ours */
	bool ext_keep;           /* the detach leaves the BAR file (its holder keeps it) */
	dev_t ext_dev;
	ino_t ext_ino;
};

struct vslot_fn {
	bool exists;                      /* server context writes, fn_lock */
	struct vslot_bar bars[VSLOT_MAX_BARS];
	int irq_fd[VSLOT_MAX_IRQS];       /* fd numbers fixed; objects renewed per client */
	bool irqs_created;
	bool stale;                       /* backing could not be renewed: not openable */
	_Atomic(struct vslot_map_table *) maps;
	atomic_uint nb_maps;
	uint64_t map_bytes;               /* sum of len of the current maps */
	size_t va_reserved;               /* sum of res_len of the current maps */
	atomic_bool faulted;              /* set by the SIGBUS handler */
	bool fault_reported;              /* server context: function_fault() called */
	atomic_bool connected;            /* holder != NULL, for vslot_irq_raise */
	struct vslot_conn *holder;        /* server context */
	bool granted;                     /* VFs: PF granted a token */
	uint64_t token;
};

/** Entries of a reader's translation cache (power of two) and its frame size. */
#define VSLOT_READER_CACHE 256u
#define VSLOT_READER_CACHE_SHIFT 21

struct vslot_reader {
	/* 0 = offline, else the gp value seen at the last quiescent state */
	_Alignas(VSLOT_CACHE_LINE) _Atomic uint64_t ctr;
	struct vslot_server *srv;
	struct vslot_reader *next; /* reg_lock */
	/*
	 * Translation cache, private to the reader's thread: direct-mapped by
	 * 2 MiB IOVA frame and function.  An entry is only trusted against the
	 * very table it was filled from (tables are immutable snapshots), so a
	 * map change invalidates it without any bookkeeping.
	 */
	struct {
		const struct vslot_map_table *tbl;
		uint64_t frame;
		unsigned fn;
		unsigned idx;
	} cache[VSLOT_READER_CACHE];
};

struct vslot_retired {
	struct vslot_retired *next;
	uint64_t target;
	struct vslot_map_table *tbl; /* freed only (its maps are still live) */
};

enum vslot_cmd_op {
	VSLOT_CMD_ADD,
	VSLOT_CMD_REMOVE,
	VSLOT_CMD_ATTACH_EXT,
	VSLOT_CMD_DETACH_EXT,
	VSLOT_CMD_DETACH_EXT_KEEP,
};

struct vslot_cmd {
	enum vslot_cmd_op op;
	unsigned fn;
	const struct vslot_bar_desc *bars;
	unsigned nb_bars;
	const struct vslot_external *ext;
	char *why;
	size_t whylen;
	int result;
	bool done;
	struct vslot_cmd *next;
};

/* Rate-limited log: at most one message per VSLOT_LOG_RL_MS, the rest counted. */
#define VSLOT_LOG_RL_MS 5000u
struct vs_ratelimit {
	uint64_t last_ms;
	unsigned suppressed;
};

/* New connections per peer process: a token bucket (VSLOT_PEER_RATE per s, burst). */
#define VSLOT_PEERS 64u
#define VSLOT_PEER_RATE 20u
#define VSLOT_PEER_BURST 40u
struct vs_peer {
	pid_t pid;
	uint64_t last_ms;
	unsigned tokens_milli; /* tokens x 1000 */
};

struct vslot_server {
	struct vslot_server_cfg cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char key_path[PATH_MAX];
	uint8_t pf_key[VSLOT_PF_KEY_LEN];
	dev_t key_dev;
	ino_t key_ino;
	bool key_written;
	uid_t uid;
	int sig_slot;        /* index in the SIGBUS registry, -1: none */
	atomic_bool fault_pending;
	struct vs_peer peers[VSLOT_PEERS];
	struct vs_ratelimit rl_hello, rl_conn, rl_timeout, rl_malformed;
	struct vslot_server_stats st; /* counters; nb_* and map_bytes kept here too */
	unsigned nb_pending;
	unsigned nb_live;    /* connections not dead (nb_conns counts those not swept yet) */
	uint64_t max_map_bytes;
	struct vslot_server_ops ops;
	void *ctx;
	unsigned nb_fns;
	unsigned nb_irqs;
	unsigned max_maps;
	size_t page_size;
	struct vslot_fn *fns;
	atomic_uint numvfs;

	int listen_fd;
	int wake_fd;
	dev_t sock_dev;
	ino_t sock_ino;
	bool sock_bound;

	pthread_mutex_t op_lock;
	pthread_mutex_t fn_lock;

	pthread_mutex_t cmd_lock;
	pthread_cond_t cmd_cond;
	struct vslot_cmd *cmd_head;
	pthread_t thread;
	bool running;        /* cmd_lock */
	bool thread_created;
	atomic_bool stop;

	struct vslot_conn *conns;
	unsigned nb_conns;
	struct pollfd *pfds;
	struct vslot_conn **pconns;
	unsigned pfd_cap;

	_Atomic uint64_t gp;
	pthread_mutex_t reg_lock;
	struct vslot_reader *readers;
	struct vslot_retired *retired;
};

/* ---- vslot_server.c ---- */
void vs_log(struct vslot_server *srv, int level, const char *fmt, ...) VSLOT_PRINTF(3, 4);
/* vs_log() at most once per VSLOT_LOG_RL_MS for @rl; says how many were suppressed. */
void vs_log_rl(struct vslot_server *srv, struct vs_ratelimit *rl, int level, const char *fmt, ...)
	VSLOT_PRINTF(4, 5);

static inline const char *
fn_str(unsigned fn, char *buf, size_t len)
{
	return vslot_fn_name(fn, buf, len);
}

#define FN_STR(fn) fn_str((fn), (char[16]){ 0 }, 16)

/* ---- vslot_srv_map.c ---- */
/* Full grace period, then everything retired so far is freed. */
void vs_qsbr_sync(struct vslot_server *srv);
/* Free retired snapshots whose grace period is over (all if @all). */
void vs_reclaim(struct vslot_server *srv, bool all);
/* Drop every map of @fn: swap in NULL, grace period, munmap. */
void vs_maps_drop(struct vslot_server *srv, unsigned fn);
int vs_dma_map(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len,
	uint64_t offset, int fd, char *why, size_t whylen);
int vs_dma_unmap(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len, char *why,
	size_t whylen);
/* Register / unregister @srv with the process's SIGBUS containment. */
void vs_fault_register(struct vslot_server *srv);
void vs_fault_unregister(struct vslot_server *srv);
/* Server context: report the functions the SIGBUS handler flagged. */
void vs_fault_collect(struct vslot_server *srv);

/* ---- vslot_srv_conn.c ---- */
void vs_send_removed(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, unsigned reason);
/* Mark @c dead; it is closed by the sweep of the server loop (or destroy). */
void vs_conn_kill(struct vslot_server *srv, struct vslot_conn *c);
void vs_conn_free(struct vslot_conn *c);
void *vs_server_main(void *arg);
/* One round of the server loop: poll at most @timeout_ms, handle what came. */
int vs_serve_once(struct vslot_server *srv, int timeout_ms);

/* ---- vslot_srv_fn.c ---- */
void vs_drain_fd(int fd);
/* Detach the client of @fn (if any): notice, disconnect, drop maps, function_reset(). */
void vs_fn_detach(struct vslot_server *srv, unsigned fn, unsigned reason, bool reset);
void vs_bars_release(struct vslot_bar *bars);
/* Server thread: run queued API commands (op_lock held); fail them all if @fail. */
void vs_run_commands(struct vslot_server *srv, bool fail);
/*
 * HELLO of @c for @fn: checks (function, credentials, holder), binds, and fills the reply
 * (@bars/@nb_bars, @fds/@nfds borrowed from the function). Returns 0 or a negative errno;
 * refusals are logged here (rate-limited), the caller answers them uniformly.
 */
int vs_fn_open(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, uint64_t token,
	const uint8_t *key, struct vslot_msg_hello_reply *rep, int *fds, unsigned *nfds);
int vs_fn_grant(struct vslot_server *srv, unsigned vf, uint64_t token, bool grant, char *why,
	size_t whylen);
int vs_set_numvfs(struct vslot_server *srv, unsigned n, char *why, size_t whylen);
/*
 * Fresh backing for @fn; BAR @ext_bar (if < VSLOT_MAX_BARS) moves to a dup of @ext_fd instead
 * of a new memfd.
 */
int vs_fn_renew_backing(struct vslot_server *srv, unsigned fn, unsigned ext_bar, int ext_fd);

/* ---- vslot_srv_ext.c ---- */
int vs_ext_attach(struct vslot_server *srv, unsigned fn, const struct vslot_external *ext,
	char *why, size_t whylen);
int vs_ext_detach(struct vslot_server *srv, unsigned fn, bool keep_file);
/* After vs_fn_detach() of an external holder: unlink its file, free it. */
void vs_ext_release(struct vslot_server *srv, struct vslot_conn *c);

#endif /* VSLOT_SRV_PRIV_H */
