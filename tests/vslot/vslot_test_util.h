/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers for lib/vslot:
 *  - an "agent": a child process that runs vslot client calls on request
 *    (so that the client really lives in another process);
 *  - a card fixture: a server in a mkdtemp() directory with recording
 *    callbacks.
 * Agents must be spawned while the test process has a single thread (before
 * the server is started), so that fork() never copies a locked mutex.
 */
#ifndef VSLOT_TEST_UTIL_H
#define VSLOT_TEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vslot_client.h"
#include "vslot_server.h"

#define T_TIMEOUT_MS 30000 /* generous: 2-core machines, sanitizers */
#define T_MAX_FNS 16

enum agent_op {
	A_OPEN = 1,     /* a0 = fn, a1 = token, path -> rc (neg errno), err */
	A_CLOSE,        /* close the client */
	A_BAR_READ32,   /* a0 = bar, a1 = offset -> v0 ; v1 = bar size */
	A_BAR_WRITE32,  /* a0 = bar, a1 = offset, a2 = value */
	A_MEM_CREATE,   /* a0 = size: memfd filled with pattern(offset) */
	A_MEM_READ64,   /* a0 = offset -> v0 */
	A_MEM_WRITE64,  /* a0 = offset, a1 = value */
	A_DMA_MAP,      /* a0 = iova, a1 = len, a2 = offset in memfd */
	A_DMA_MAP_FD,   /* a0 = iova, a1 = len, a2 = kind (0 pipe, 1 bad fd, 2 disk file, 3 /proc
			 * file, 4 eventfd); path: directory for kind 2 */
	A_DMA_UNMAP,    /* a0 = iova, a1 = len */
	A_GRANT,        /* a0 = vf, a1 = token */
	A_REVOKE,       /* a0 = vf */
	A_SET_NUMVFS,   /* a0 = n */
	A_GET_NUMVFS,   /* -> v0 */
	A_GET_TOTALVFS, /* -> v0 */
	A_WAIT_NOTICE,  /* a0 = timeout ms -> rc 1/0/neg, v0 type, v1 fn, v2 reason */
	A_POLL_NOTICE,  /* non-blocking, same results */
	A_IRQ_WAIT,     /* a0 = vector, a1 = timeout ms -> rc 1 (v0 count) / 0 timeout */
	A_NB_IRQS,      /* -> v0 */
	A_KEEP,         /* keep a private mapping of every BAR and a dup of every irq fd, as an
			 * attacker would before it is revoked or closes (survive A_CLOSE) */
	A_OLD_READ32,   /* kept mapping: a0 = bar, a1 = offset -> v0 */
	A_OLD_WRITE32,  /* kept mapping: a0 = bar, a1 = offset, a2 = value */
	A_OLD_IRQ_WAIT, /* kept irq fd: a0 = vector, a1 = timeout ms -> rc 1/0 */
	A_MEM_TRUNCATE, /* ftruncate the agent memory's memfd to a0 bytes */
	A_FLOOD_FDS,    /* path: connect, send a0 datagrams each carrying a1 fds (eventfds and
			 * memfds), of a2 bytes (0: empty), no HELLO; new connection when closed */
	A_FLOOD_IDLE,   /* path: open a0 connections and keep them idle -> v0 = connected */
	A_SETUID,       /* drop to uid/gid a0 (irreversible) */
	A_EXIT,
};

struct agent_cmd {
	uint32_t op;
	uint32_t pad;
	uint64_t a[4];
	char path[108];
};

struct agent_res {
	int64_t rc;
	uint64_t v[4];
	char err[256];
};

struct agent {
	pid_t pid;
	int tx;
	int rx;
};

/* Byte pattern of agent memory at offset @off (a 64-bit word per 8 bytes). */
static inline uint64_t
t_pattern(uint64_t off)
{
	return (off / 8) * 0x9e3779b97f4a7c15ull ^ 0x5a5a5a5a00000000ull;
}

int agent_spawn(struct agent *ag);
/* Run one command; fails the test if the agent does not answer. Returns rc. */
int64_t agent_call(struct agent *ag, struct agent_res *res, uint32_t op, uint64_t a0, uint64_t a1,
	uint64_t a2, uint64_t a3);
int64_t agent_open(struct agent *ag, const char *path, unsigned fn, uint64_t token,
	struct agent_res *res);
/* A command that takes a path (A_FLOOD_*; A_OPEN with a2 = 1: the PF with key file path.wrong). */
int64_t agent_call_path(struct agent *ag, struct agent_res *res, uint32_t op, const char *path,
	uint64_t a0, uint64_t a1, uint64_t a2);
/* Ask it to exit; SIGKILL if it does not. Safe to call twice. */
void agent_stop(struct agent *ag);
/* SIGKILL + reap. */
void agent_kill(struct agent *ag);

struct tcard {
	char dir[64];
	char path[128];
	struct vslot_server *srv;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned resets[T_MAX_FNS];
	unsigned opened[T_MAX_FNS];
	unsigned numvfs_calls;
	unsigned last_old;
	unsigned last_new;
	int numvfs_fail; /* returned by numvfs_changed on 0 -> N if non-zero */
	unsigned faults[T_MAX_FNS];
	unsigned log_warnings; /* messages at WARNING or worse the server logged */
};

struct tcard_opts {
	unsigned total_vfs;
	bool open_mode;
	unsigned max_maps;
	uint64_t max_bytes;
	unsigned max_pending;
	unsigned nb_irqs;
	unsigned hello_timeout_ms;
};

/* Create (not start) the card: PF with BAR0 64 KiB and BAR2 4 KiB. */
void tcard_init(struct tcard *t, const struct tcard_opts *o);
void tcard_start(struct tcard *t);
void tcard_fini(struct tcard *t);
/* Wait until resets[fn] >= n. */
bool tcard_wait_resets(struct tcard *t, unsigned fn, unsigned n);
unsigned tcard_resets(struct tcard *t, unsigned fn);
/* numvfs_changed calls so far, and the last (old, new) pair. */
unsigned tcard_numvfs_calls(struct tcard *t, unsigned *last_old, unsigned *last_new);
void tcard_set_numvfs_fail(struct tcard *t, int rc);
unsigned tcard_opened(struct tcard *t, unsigned fn);
/* Messages at WARNING or worse the server logged so far. */
unsigned tcard_log_warnings(struct tcard *t);
/* function_fault() calls for @fn so far. */
unsigned tcard_faults(struct tcard *t, unsigned fn);
/* Wait until the server reports @fn (dis)connected. */
bool tcard_wait_connected(struct tcard *t, unsigned fn, bool connected);

/* VF BARs added by the numvfs callback: BAR0 16 KiB. */
#define T_VF_BAR0_SIZE (16u * 1024u)
#define T_PF_BAR0_SIZE (64u * 1024u)
#define T_PF_BAR2_SIZE (4u * 1024u)

/* Copy DMA memory as the card sees it (registers a reader around the copy). */
bool t_dma_read(struct vslot_server *srv, unsigned fn, uint64_t iova, void *buf, size_t len);

void t_sleep_ms(unsigned ms);
/* A writable directory on a disk file system (not tmpfs/hugetlbfs), or NULL. */
const char *t_disk_dir(void);
uint64_t t_now_ms(void);

#endif /* VSLOT_TEST_UTIL_H */
