/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server (card) half of the virtual PCIe slot: socket, functions, BAR memfds,
 * interrupt eventfds, grants, SR-IOV control, DMA maps (the IOMMU) with QSBR
 * reclamation. See vslot_server.h for the contract and the memory ordering.
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
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vslot_priv.h"
#include "vslot_proto.h"
#include "vslot_server.h"

#define VSLOT_CACHE_LINE 64
#define VSLOT_EXTRA_CONNS 64     /* connections beyond one per function */
#define VSLOT_MSGS_PER_WAKE 16   /* fairness between connections */
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
	int memfd;
	void *map;
	size_t size;
	size_t map_len;
};

struct vslot_conn {
	int fd;
	int fn; /* -1 until HELLO succeeds, and after detach */
	bool dead;
	pid_t pid;
	uint64_t hello_deadline; /* ms, for connections without HELLO */
	struct vslot_conn *next;
};

struct vslot_fn {
	bool exists;                      /* server context writes, fn_lock */
	struct vslot_bar bars[VSLOT_MAX_BARS];
	int irq_fd[VSLOT_MAX_IRQS];       /* created once, closed at destroy */
	bool irqs_created;
	_Atomic(struct vslot_map_table *) maps;
	atomic_uint nb_maps;
	size_t va_reserved;               /* sum of res_len of the current maps */
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
};

struct vslot_cmd {
	enum vslot_cmd_op op;
	unsigned fn;
	const struct vslot_bar_desc *bars;
	unsigned nb_bars;
	int result;
	bool done;
	struct vslot_cmd *next;
};

struct vslot_server {
	struct vslot_server_cfg cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
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

/* ------------------------------------------------------------------------ */
/* logging */

static void VSLOT_PRINTF(3, 4)
srv_log(struct vslot_server *srv, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (level > srv->cfg.log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (srv->cfg.log != NULL)
		srv->cfg.log(srv->cfg.log_ctx, level, buf);
	else
		fprintf(stderr, "vslot: %s\n", buf);
}

static const char *
fn_str(unsigned fn, char *buf, size_t len)
{
	return vslot_fn_name(fn, buf, len);
}

#define FN_STR(fn) fn_str((fn), (char[16]){ 0 }, 16)

/* ------------------------------------------------------------------------ */
/* QSBR */

/* Start a grace period (after a table swap); returns the target. */
static uint64_t
qsbr_advance(struct vslot_server *srv)
{
	uint64_t t = atomic_fetch_add_explicit(&srv->gp, 1, memory_order_seq_cst) + 1;

	atomic_thread_fence(memory_order_seq_cst);
	return t;
}

static bool
qsbr_done(struct vslot_server *srv, uint64_t target)
{
	bool done = true;

	pthread_mutex_lock(&srv->reg_lock);
	for (struct vslot_reader *r = srv->readers; r != NULL; r = r->next) {
		uint64_t c = atomic_load_explicit(&r->ctr, memory_order_acquire);

		if (c != 0 && c < target) {
			done = false;
			break;
		}
	}
	pthread_mutex_unlock(&srv->reg_lock);
	return done;
}

static void
qsbr_wait(struct vslot_server *srv, uint64_t target)
{
	uint64_t t0 = vslot_now_ms();
	unsigned i = 0;
	bool warned = false;

	while (!qsbr_done(srv, target)) {
		if (i < 32) {
			sched_yield();
		} else {
			long us = 10l << ((i - 32) < 7 ? (i - 32) : 7); /* 10 us .. 1.28 ms */
			struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000l };

			nanosleep(&ts, NULL);
		}
		i++;
		if (!warned && vslot_now_ms() - t0 > VSLOT_GP_WARN_MS) {
			srv_log(srv, VSLOT_LOG_WARNING,
				"grace period: a reader has been online for %d ms without a quiescent "
				"state (missing vslot_reader_quiescent/offline?); still waiting",
				VSLOT_GP_WARN_MS);
			warned = true;
		}
	}
}

/* Free retired snapshots whose grace period is over (all if @all). */
static void
reclaim(struct vslot_server *srv, bool all)
{
	struct vslot_retired **pp = &srv->retired;

	while (*pp != NULL) {
		struct vslot_retired *e = *pp;

		if (all || qsbr_done(srv, e->target)) {
			*pp = e->next;
			free(e->tbl);
			free(e);
		} else {
			pp = &e->next;
		}
	}
}

/* Full grace period, then everything retired so far is free. */
static void
qsbr_sync(struct vslot_server *srv)
{
	qsbr_wait(srv, qsbr_advance(srv));
	reclaim(srv, true);
}

/* Free @tbl (not its maps) after a grace period. */
static void
retire_table(struct vslot_server *srv, struct vslot_map_table *tbl)
{
	struct vslot_retired *e = malloc(sizeof(*e));

	if (e == NULL) {
		/* cannot defer: wait now */
		qsbr_sync(srv);
		free(tbl);
		return;
	}
	e->tbl = tbl;
	e->target = qsbr_advance(srv);
	e->next = srv->retired;
	srv->retired = e;
}

struct vslot_reader *
vslot_reader_register(struct vslot_server *srv)
{
	size_t sz = (sizeof(struct vslot_reader) + VSLOT_CACHE_LINE - 1) &
		~(size_t)(VSLOT_CACHE_LINE - 1);
	struct vslot_reader *r;

	if (srv == NULL) {
		errno = EINVAL;
		return NULL;
	}
	r = aligned_alloc(VSLOT_CACHE_LINE, sz);
	if (r == NULL)
		return NULL;
	memset(r, 0, sz);
	r->srv = srv;
	pthread_mutex_lock(&srv->reg_lock);
	atomic_store_explicit(&r->ctr, atomic_load_explicit(&srv->gp, memory_order_acquire),
		memory_order_relaxed);
	r->next = srv->readers;
	srv->readers = r;
	pthread_mutex_unlock(&srv->reg_lock);
	atomic_thread_fence(memory_order_seq_cst);
	return r;
}

void
vslot_reader_unregister(struct vslot_reader *r)
{
	struct vslot_server *srv;

	if (r == NULL)
		return;
	srv = r->srv;
	/* offline first: a grace period in progress must not wait for us */
	atomic_store_explicit(&r->ctr, 0, memory_order_release);
	pthread_mutex_lock(&srv->reg_lock);
	for (struct vslot_reader **pp = &srv->readers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	pthread_mutex_unlock(&srv->reg_lock);
	free(r);
}

void
vslot_reader_quiescent(struct vslot_reader *r)
{
	uint64_t g = atomic_load_explicit(&r->srv->gp, memory_order_acquire);

	atomic_store_explicit(&r->ctr, g, memory_order_release);
}

void
vslot_reader_offline(struct vslot_reader *r)
{
	atomic_store_explicit(&r->ctr, 0, memory_order_release);
}

void
vslot_reader_online(struct vslot_reader *r)
{
	uint64_t g = atomic_load_explicit(&r->srv->gp, memory_order_acquire);

	atomic_store_explicit(&r->ctr, g, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

void
vslot_server_synchronize(struct vslot_server *srv)
{
	if (srv != NULL)
		qsbr_wait(srv, qsbr_advance(srv));
}

/* ------------------------------------------------------------------------ */
/* DMA translation (hot path) */

/* Index of the last map starting at or below @iova, or UINT_MAX. */
static inline unsigned
tbl_search(const struct vslot_map_table *t, uint64_t iova)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->m[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? UINT_MAX : lo - 1;
}

/*
 * Pointer for @iova in map @idx, with the number of host-contiguous bytes
 * (capped at @len) in *avail, following IOVA- and host-adjacent maps.
 */
static inline void *
tbl_resolve(const struct vslot_map_table *t, unsigned idx, uint64_t iova, size_t len,
	size_t *avail)
{
	const struct vslot_map *e = &t->m[idx];
	uint64_t off = iova - e->iova;
	uint64_t have;
	const uint8_t *host_end;
	uint64_t iova_end;

	if (off >= e->len)
		return NULL;
	have = e->len - off;
	host_end = e->host + e->len;
	iova_end = e->iova + e->len;
	for (unsigned j = idx + 1; have < len && j < t->n; j++) {
		const struct vslot_map *f = &t->m[j];

		if (f->iova != iova_end || f->host != host_end)
			break;
		have += f->len;
		host_end = f->host + f->len;
		iova_end = f->iova + f->len;
	}
	*avail = have < len ? (size_t)have : len;
	return e->host + off;
}

static inline const struct vslot_map_table *
fn_table(struct vslot_server *srv, unsigned fn)
{
	if (fn >= srv->nb_fns)
		return NULL;
	return atomic_load_explicit(&srv->fns[fn].maps, memory_order_acquire);
}

void *
vslot_dma_ptr_prefix(struct vslot_server *srv, unsigned fn, uint64_t iova, size_t len,
	size_t *avail)
{
	const struct vslot_map_table *t;
	unsigned idx;

	*avail = 0;
	if (len == 0 || (uint64_t)len > UINT64_MAX - iova)
		return NULL;
	t = fn_table(srv, fn);
	if (t == NULL)
		return NULL;
	idx = tbl_search(t, iova);
	if (idx == UINT_MAX)
		return NULL;
	return tbl_resolve(t, idx, iova, len, avail);
}

void *
vslot_dma_ptr(struct vslot_server *srv, unsigned fn, uint64_t iova, size_t len)
{
	size_t avail;
	void *p = vslot_dma_ptr_prefix(srv, fn, iova, len, &avail);

	return (p != NULL && avail == len) ? p : NULL;
}

void *
vslot_reader_dma_ptr(struct vslot_reader *r, unsigned fn, uint64_t iova, size_t len)
{
	struct vslot_server *srv = r->srv;
	const struct vslot_map_table *t;
	size_t avail;
	unsigned idx;
	void *p;
	__typeof__(&r->cache[0]) c;

	if (len == 0 || (uint64_t)len > UINT64_MAX - iova)
		return NULL;
	t = fn_table(srv, fn);
	if (t == NULL)
		return NULL;
	c = &r->cache[((iova >> VSLOT_READER_CACHE_SHIFT) ^ fn) & (VSLOT_READER_CACHE - 1)];
	if (c->tbl == t && c->fn == fn && c->frame == iova >> VSLOT_READER_CACHE_SHIFT &&
	    c->idx < t->n) {
		const struct vslot_map *e = &t->m[c->idx];

		if (iova >= e->iova && iova - e->iova < e->len) {
			p = tbl_resolve(t, c->idx, iova, len, &avail);
			return (p != NULL && avail == len) ? p : NULL;
		}
	}
	idx = tbl_search(t, iova);
	if (idx == UINT_MAX)
		return NULL;
	p = tbl_resolve(t, idx, iova, len, &avail);
	if (p == NULL || avail != len)
		return NULL;
	c->tbl = t;
	c->fn = fn;
	c->frame = iova >> VSLOT_READER_CACHE_SHIFT;
	c->idx = idx;
	return p;
}

/* ------------------------------------------------------------------------ */
/* DMA map management (server context) */

static void
unmap_entries(const struct vslot_map *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		munmap(m[i].mmap_base, m[i].mmap_len);
		if (m[i].res_len != 0)
			munmap(m[i].res_base, m[i].res_len);
	}
}

/* Drop every map of @fn: swap in NULL, grace period, munmap. */
static void
fn_drop_maps(struct vslot_server *srv, unsigned fn)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_map_table *old = atomic_exchange_explicit(&f->maps, NULL,
		memory_order_seq_cst);

	atomic_store_explicit(&f->nb_maps, 0, memory_order_relaxed);
	f->va_reserved = 0;
	if (old == NULL)
		return;
	qsbr_sync(srv);
	unmap_entries(old->m, old->n);
	free(old);
}

static size_t
map_align(struct vslot_server *srv, const struct stat *st)
{
	size_t a = (size_t)st->st_blksize;

	/* hugetlbfs reports the huge page size: mmap offsets must be aligned to it */
	if (a > srv->page_size && a <= VSLOT_MAX_MAP_ALIGN && (a & (a - 1)) == 0)
		return a;
	return srv->page_size;
}

struct vslot_placement {
	void *base;
	uint8_t *res_base;
	size_t res_len;
	bool took_pred_res; /* the predecessor's reservation now belongs to this map */
};

#define VSLOT_PROT_RW (PROT_READ | PROT_WRITE)
#define VSLOT_RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/*
 * Place a new file mapping of @map_len bytes at @off of @fd (best effort
 * host contiguity with IOVA neighbours):
 *  1. inside the VA reservation that trails @pred (its IOVA predecessor);
 *  2. right before @succ (its IOVA successor) if that VA is free;
 *  3. anywhere, followed by a fresh reservation of @res bytes (if non-zero)
 *     for later adjacent maps.
 * The region is first mapped anywhere: that validates fd, offset and length,
 * so that the MAP_FIXED attempts below practically cannot fail.
 */
static int
place_map(int fd, off_t off, size_t map_len, size_t align, const struct vslot_map *pred,
	const struct vslot_map *succ, size_t res, struct vslot_placement *pl)
{
	void *any = mmap(NULL, map_len, VSLOT_PROT_RW, MAP_SHARED, fd, off);

	memset(pl, 0, sizeof(*pl));
	if (any == MAP_FAILED)
		return -errno;
	if (pred != NULL) {
		void *p = mmap(pred->res_base, map_len, VSLOT_PROT_RW, MAP_SHARED | MAP_FIXED, fd,
			off);

		if (p == pred->res_base) {
			munmap(any, map_len);
			pl->base = p;
			pl->res_len = pred->res_len - map_len;
			pl->res_base = pl->res_len != 0 ? pred->res_base + map_len : NULL;
			pl->took_pred_res = true;
			return 0;
		}
		/* keep the reservation whole (a failed MAP_FIXED may leave a hole) */
		mmap(pred->res_base, map_len, PROT_NONE, VSLOT_RESERVE_FLAGS | MAP_FIXED, -1, 0);
	}
	if (succ != NULL) {
		void *hint = (uint8_t *)succ->mmap_base - map_len;
		void *p = mmap(hint, map_len, VSLOT_PROT_RW, MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
			off);

		if (p == hint) {
			munmap(any, map_len);
			pl->base = p;
			return 0;
		}
		if (p != MAP_FAILED)
			munmap(p, map_len); /* kernel without MAP_FIXED_NOREPLACE: a mere hint */
	}
	if (res != 0 && map_len <= SIZE_MAX - res - align) {
		size_t total = map_len + res + align;
		uint8_t *r = mmap(NULL, total, PROT_NONE, VSLOT_RESERVE_FLAGS, -1, 0);

		if (r != MAP_FAILED) {
			uint8_t *a = (uint8_t *)(((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1));
			size_t head = (size_t)(a - r);
			size_t tail = total - head - map_len; /* >= res */
			void *p = mmap(a, map_len, VSLOT_PROT_RW, MAP_SHARED | MAP_FIXED, fd, off);

			if (head != 0)
				munmap(r, head);
			if (p == a) {
				munmap(any, map_len);
				if (tail > res)
					munmap(a + map_len + res, tail - res);
				pl->base = a;
				pl->res_base = a + map_len;
				pl->res_len = res;
				return 0;
			}
			/* give the reservation back; [a, a + map_len) may already be a hole */
			munmap(a + map_len, tail);
			munmap(a, map_len);
		}
	}
	pl->base = any;
	return 0;
}

static int
do_dma_map(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len, uint64_t offset,
	int fd, char *why, size_t whylen)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_map_table *old, *nt;
	struct stat st;
	unsigned n, pos;
	size_t align, delta, map_len;
	uint64_t off_al;
	const struct vslot_map *pred = NULL, *succ = NULL;
	struct vslot_placement pl;
	struct vslot_map nm;
	int rc;

	if (len == 0) {
		vslot_fmt(why, whylen, "DMA_MAP: len 0");
		return -EINVAL;
	}
	if (len > UINT64_MAX - iova) {
		vslot_fmt(why, whylen, "DMA_MAP: iova 0x%" PRIx64 " + len 0x%" PRIx64 " overflows",
			iova, len);
		return -EINVAL;
	}
	if (len > UINT64_MAX - offset || offset + len > (uint64_t)INT64_MAX ||
			len > SIZE_MAX / 2) {
		vslot_fmt(why, whylen, "DMA_MAP: offset 0x%" PRIx64 " + len 0x%" PRIx64
			" out of range", offset, len);
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		vslot_fmt(why, whylen, "DMA_MAP: fstat: %s", strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		vslot_fmt(why, whylen,
			"DMA_MAP: fd is not a regular file (memfd, hugetlbfs or tmpfs expected)");
		return -EBADF;
	}
	if ((uint64_t)st.st_size < offset + len) {
		vslot_fmt(why, whylen, "DMA_MAP: region ends at 0x%" PRIx64
			" beyond the end of the file (0x%jx)", offset + len, (intmax_t)st.st_size);
		return -EINVAL;
	}

	old = atomic_load_explicit(&f->maps, memory_order_relaxed);
	n = old != NULL ? old->n : 0;
	if (n >= srv->max_maps) {
		vslot_fmt(why, whylen, "DMA_MAP: %s has reached its limit of %u DMA maps",
			FN_STR(fn), srv->max_maps);
		return -ENOSPC;
	}
	/* overlap: the map starting at or below iova, and the next one */
	pos = 0;
	if (old != NULL) {
		unsigned idx = tbl_search(old, iova);

		if (idx != UINT_MAX && iova - old->m[idx].iova < old->m[idx].len) {
			vslot_fmt(why, whylen, "DMA_MAP: [0x%" PRIx64 ", +0x%" PRIx64
				") overlaps the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, old->m[idx].iova, old->m[idx].len);
			return -EEXIST;
		}
		pos = idx == UINT_MAX ? 0 : idx + 1;
		if (pos < n && old->m[pos].iova < iova + len) {
			vslot_fmt(why, whylen, "DMA_MAP: [0x%" PRIx64 ", +0x%" PRIx64
				") overlaps the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, old->m[pos].iova, old->m[pos].len);
			return -EEXIST;
		}
	}

	align = map_align(srv, &st);
	off_al = offset & ~(uint64_t)(align - 1);
	delta = (size_t)(offset - off_al);
	if (delta + len > SIZE_MAX - align) {
		vslot_fmt(why, whylen, "DMA_MAP: len 0x%" PRIx64 " too large", len);
		return -EINVAL;
	}
	map_len = (delta + (size_t)len + align - 1) & ~(align - 1);

	/* IOVA neighbours next to which the new map could sit in host VA */
	if (old != NULL && pos > 0 && delta == 0) {
		const struct vslot_map *p = &old->m[pos - 1];

		if (p->iova + p->len == iova && p->res_len >= map_len &&
				p->host + p->len == p->res_base &&
				(uintptr_t)p->res_base % align == 0)
			pred = p;
	}
	if (old != NULL && pos < n && delta + len == map_len) {
		const struct vslot_map *q = &old->m[pos];

		if (iova + len == q->iova && q->host == q->mmap_base &&
				(uintptr_t)q->host % align == 0 && (uintptr_t)q->host > map_len)
			succ = q;
	}
	/* allocate first: once placed, the map must not be undone */
	nt = malloc(sizeof(*nt) + (size_t)(n + 1) * sizeof(nt->m[0]));
	if (nt == NULL) {
		vslot_fmt(why, whylen, "DMA_MAP: out of memory");
		return -ENOMEM;
	}
	rc = place_map(fd, (off_t)off_al, map_len, align, pred, succ,
		f->va_reserved + VSLOT_DMA_VA_RESERVE <= VSLOT_DMA_VA_BUDGET ?
		VSLOT_DMA_VA_RESERVE : 0, &pl);
	if (rc < 0) {
		free(nt);
		vslot_fmt(why, whylen, "DMA_MAP: mmap of 0x%zx bytes at offset 0x%" PRIx64
			" failed: %s", map_len, off_al, strerror(-rc));
		return rc;
	}

	nm = (struct vslot_map){
		.iova = iova,
		.len = len,
		.host = (uint8_t *)pl.base + delta,
		.mmap_base = pl.base,
		.mmap_len = map_len,
		.res_base = pl.res_base,
		.res_len = pl.res_len,
	};
	nt->n = n + 1;
	if (pos > 0)
		memcpy(nt->m, old->m, pos * sizeof(nt->m[0]));
	nt->m[pos] = nm;
	if (pos < n)
		memcpy(&nt->m[pos + 1], &old->m[pos], (n - pos) * sizeof(nt->m[0]));
	if (pl.took_pred_res) {
		/* the tail of the predecessor's reservation moved to the new map */
		nt->m[pos - 1].res_base = NULL;
		nt->m[pos - 1].res_len = 0;
		f->va_reserved -= map_len;
	} else {
		f->va_reserved += pl.res_len;
	}

	/* publish: table fully written before the (seq_cst) exchange */
	atomic_exchange_explicit(&f->maps, nt, memory_order_seq_cst);
	atomic_store_explicit(&f->nb_maps, n + 1, memory_order_relaxed);
	if (old != NULL)
		retire_table(srv, old);
	srv_log(srv, VSLOT_LOG_DEBUG, "%s: DMA map iova 0x%" PRIx64 " len 0x%" PRIx64,
		FN_STR(fn), iova, len);
	return 0;
}

static int
do_dma_unmap(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len, char *why,
	size_t whylen)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_map_table *old, *nt = NULL;
	struct vslot_map *gone;
	unsigned nr = 0, k = 0, g = 0;
	uint64_t end;

	if (len == 0 || len > UINT64_MAX - iova) {
		vslot_fmt(why, whylen, "DMA_UNMAP: bad range (len 0 or overflow)");
		return -EINVAL;
	}
	end = iova + len;
	old = atomic_load_explicit(&f->maps, memory_order_relaxed);
	if (old == NULL) {
		vslot_fmt(why, whylen, "DMA_UNMAP: %s has no DMA map", FN_STR(fn));
		return -ENOENT;
	}
	for (unsigned i = 0; i < old->n; i++) {
		const struct vslot_map *m = &old->m[i];
		uint64_t mend = m->iova + m->len;

		if (mend <= iova || m->iova >= end)
			continue;
		if (m->iova < iova || mend > end) {
			vslot_fmt(why, whylen, "DMA_UNMAP: [0x%" PRIx64 ", +0x%" PRIx64
				") would split the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, m->iova, m->len);
			return -EINVAL;
		}
		nr++;
	}
	if (nr == 0) {
		vslot_fmt(why, whylen, "DMA_UNMAP: no map in [0x%" PRIx64 ", +0x%" PRIx64 ")",
			iova, len);
		return -ENOENT;
	}
	gone = malloc(nr * sizeof(*gone));
	if (nr < old->n)
		nt = malloc(sizeof(*nt) + (size_t)(old->n - nr) * sizeof(nt->m[0]));
	if (gone == NULL || (nr < old->n && nt == NULL)) {
		free(gone);
		free(nt);
		vslot_fmt(why, whylen, "DMA_UNMAP: out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < old->n; i++) {
		const struct vslot_map *m = &old->m[i];

		if (m->iova >= iova && m->iova + m->len <= end) {
			gone[g++] = *m;
			f->va_reserved -= m->res_len;
		} else
			nt->m[k++] = *m;
	}
	if (nt != NULL)
		nt->n = k;

	atomic_exchange_explicit(&f->maps, nt, memory_order_seq_cst);
	atomic_store_explicit(&f->nb_maps, k, memory_order_relaxed);
	/* the reply is sent only after this: no reader touches the region anymore */
	qsbr_sync(srv);
	unmap_entries(gone, g);
	free(gone);
	free(old);
	srv_log(srv, VSLOT_LOG_DEBUG, "%s: DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64
		" (%u maps)", FN_STR(fn), iova, len, g);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* connections and functions (server context) */

static void
drain_fd(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

static void
send_removed(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, unsigned reason)
{
	struct vslot_msg m;
	int rc;

	vslot_msg_init(&m, VSLOT_MSG_NOTICE_REMOVED, 0, 0);
	m.u.removed.function = htole32(fn);
	m.u.removed.reason = htole32(reason);
	rc = vslot_send(c->fd, &m, NULL, 0, MSG_DONTWAIT);
	if (rc < 0)
		srv_log(srv, VSLOT_LOG_DEBUG, "%s: REMOVED notice not delivered: %s", FN_STR(fn),
			strerror(-rc));
}

/* Mark @c dead; it is closed by the sweep of the server loop (or destroy). */
static void
conn_kill(struct vslot_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	shutdown(c->fd, SHUT_RDWR);
}

/*
 * Detach the client of @fn (if any): optional REMOVED notice, disconnect,
 * drop its maps, then function_reset().
 */
static void
fn_detach(struct vslot_server *srv, unsigned fn, unsigned reason, bool reset)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_conn *c = f->holder;

	if (c == NULL)
		return;
	f->holder = NULL;
	atomic_store_explicit(&f->connected, false, memory_order_release);
	c->fn = -1;
	if (reason != VSLOT_REMOVED_UNKNOWN)
		send_removed(srv, c, fn, reason);
	conn_kill(c);
	fn_drop_maps(srv, fn);
	srv_log(srv, VSLOT_LOG_INFO, "%s: client (pid %ld) detached (%s): function reset",
		FN_STR(fn), (long)c->pid,
		reason == VSLOT_REMOVED_UNKNOWN ? "connection closed" :
		vslot_remove_reason_str(reason));
	if (reset && srv->ops.function_reset != NULL)
		srv->ops.function_reset(srv->ctx, fn);
}

/* Client gone or misbehaving: FLR of its function. */
static void
conn_drop(struct vslot_server *srv, struct vslot_conn *c)
{
	if (c->dead)
		return;
	if (c->fn >= 0)
		fn_detach(srv, (unsigned)c->fn, VSLOT_REMOVED_UNKNOWN, true);
	conn_kill(c);
}

static void
conn_free(struct vslot_conn *c)
{
	struct vslot_msg m;
	struct vslot_rx rx;
	int fds[VSLOT_MAX_FDS];

	/* empty our receive queue so that the peer reads its notice, not ECONNRESET */
	while (vslot_recv(c->fd, &m, fds, VSLOT_MAX_FDS, &rx, MSG_DONTWAIT) == 0 && rx.len > 0)
		vslot_close_fds(fds, rx.nfds);
	close(c->fd);
	free(c);
}

static void
bars_release(struct vslot_bar *bars)
{
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		if (!bars[i].present)
			continue;
		munmap(bars[i].map, bars[i].map_len);
		close(bars[i].memfd);
		bars[i].present = false;
		bars[i].memfd = -1;
	}
}

static int
do_add_function(struct vslot_server *srv, unsigned fn, const struct vslot_bar_desc *descs,
	unsigned nb)
{
	struct vslot_fn *f;
	struct vslot_bar bars[VSLOT_MAX_BARS];
	int rc = 0;

	if (fn >= srv->nb_fns || nb > VSLOT_MAX_BARS || (nb > 0 && descs == NULL)) {
		srv_log(srv, VSLOT_LOG_ERR, "add_function: bad arguments (fn %u, %u BARs)", fn, nb);
		return -EINVAL;
	}
	f = &srv->fns[fn];
	if (f->exists)
		return -EEXIST;
	memset(bars, 0, sizeof(bars));
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++)
		bars[i].memfd = -1;
	for (unsigned i = 0; i < nb; i++) {
		unsigned idx = descs[i].index;
		size_t sz = descs[i].size;

		if (idx >= VSLOT_MAX_BARS || sz == 0 || sz > SIZE_MAX / 2 || bars[idx].present) {
			srv_log(srv, VSLOT_LOG_ERR, "add_function %s: bad BAR %u (size %zu)",
				FN_STR(fn), idx, sz);
			rc = -EINVAL;
			goto fail;
		}
		bars[idx].present = true;
		bars[idx].size = sz;
		bars[idx].map_len = (sz + srv->page_size - 1) & ~(srv->page_size - 1);
	}
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		char name[32];
		int mfd;

		if (!bars[i].present)
			continue;
		snprintf(name, sizeof(name), "vslot-%s-bar%u", FN_STR(fn), i);
		mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (mfd < 0) {
			rc = -errno;
			goto fail_sys;
		}
		bars[i].memfd = mfd;
		if (ftruncate(mfd, (off_t)bars[i].map_len) < 0) {
			rc = -errno;
			goto fail_sys;
		}
		/* a client must not shrink the BAR under the card (SIGBUS) */
		if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
			rc = -errno;
			goto fail_sys;
		}
		bars[i].map = mmap(NULL, bars[i].map_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			0);
		if (bars[i].map == MAP_FAILED) {
			bars[i].map = NULL;
			rc = -errno;
			goto fail_sys;
		}
	}
	if (!f->irqs_created) {
		for (unsigned v = 0; v < srv->nb_irqs; v++) {
			f->irq_fd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
			if (f->irq_fd[v] < 0) {
				rc = -errno;
				vslot_close_fds(f->irq_fd, v);
				goto fail_sys;
			}
		}
		f->irqs_created = true;
	}
	pthread_mutex_lock(&srv->fn_lock);
	memcpy(f->bars, bars, sizeof(bars));
	f->exists = true;
	pthread_mutex_unlock(&srv->fn_lock);
	srv_log(srv, VSLOT_LOG_DEBUG, "%s added (%u BARs)", FN_STR(fn), nb);
	return 0;

fail_sys:
	srv_log(srv, VSLOT_LOG_ERR, "add_function %s: %s", FN_STR(fn), strerror(-rc));
fail:
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		if (bars[i].map != NULL)
			munmap(bars[i].map, bars[i].map_len);
		if (bars[i].memfd >= 0)
			close(bars[i].memfd);
	}
	return rc;
}

static int
do_remove_function(struct vslot_server *srv, unsigned fn)
{
	struct vslot_fn *f;
	struct vslot_bar bars[VSLOT_MAX_BARS];

	if (fn >= srv->nb_fns)
		return -EINVAL;
	f = &srv->fns[fn];
	if (!f->exists)
		return -ENOENT;
	f->granted = false;
	f->token = 0;
	fn_detach(srv, fn, VSLOT_REMOVED_FUNCTION, true);
	/* the reset callback may have removed it already */
	if (!f->exists)
		return 0;
	pthread_mutex_lock(&srv->fn_lock);
	memcpy(bars, f->bars, sizeof(bars));
	memset(f->bars, 0, sizeof(f->bars));
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++)
		f->bars[i].memfd = -1;
	f->exists = false;
	pthread_mutex_unlock(&srv->fn_lock);
	/* engines registered as readers may still poll the BARs */
	qsbr_sync(srv);
	bars_release(bars);
	if (f->irqs_created)
		for (unsigned v = 0; v < srv->nb_irqs; v++)
			drain_fd(f->irq_fd[v]);
	srv_log(srv, VSLOT_LOG_DEBUG, "%s removed", FN_STR(fn));
	return 0;
}

static int
cmd_exec(struct vslot_server *srv, struct vslot_cmd *cmd)
{
	switch (cmd->op) {
	case VSLOT_CMD_ADD:
		return do_add_function(srv, cmd->fn, cmd->bars, cmd->nb_bars);
	case VSLOT_CMD_REMOVE:
		return do_remove_function(srv, cmd->fn);
	}
	return -EINVAL;
}

/* Run @cmd in server context: on the server thread, or directly. */
static int
srv_call(struct vslot_server *srv, struct vslot_cmd *cmd)
{
	int rc;

	pthread_mutex_lock(&srv->cmd_lock);
	if (srv->running && !pthread_equal(pthread_self(), srv->thread)) {
		uint64_t one = 1;
		struct vslot_cmd **pp = &srv->cmd_head;

		while (*pp != NULL)
			pp = &(*pp)->next;
		cmd->next = NULL;
		cmd->done = false;
		*pp = cmd;
		if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
			/* counter saturated: the thread is awake anyway */
		}
		while (!cmd->done)
			pthread_cond_wait(&srv->cmd_cond, &srv->cmd_lock);
		rc = cmd->result;
		pthread_mutex_unlock(&srv->cmd_lock);
		return rc;
	}
	pthread_mutex_unlock(&srv->cmd_lock);
	pthread_mutex_lock(&srv->op_lock);
	rc = cmd_exec(srv, cmd);
	pthread_mutex_unlock(&srv->op_lock);
	return rc;
}

/* Server thread: run queued commands (op_lock held). */
static void
run_commands(struct vslot_server *srv, bool fail)
{
	struct vslot_cmd *list;

	pthread_mutex_lock(&srv->cmd_lock);
	list = srv->cmd_head;
	srv->cmd_head = NULL;
	pthread_mutex_unlock(&srv->cmd_lock);
	while (list != NULL) {
		struct vslot_cmd *c = list;
		int rc = fail ? -ESHUTDOWN : cmd_exec(srv, c);

		list = c->next;
		pthread_mutex_lock(&srv->cmd_lock);
		c->result = rc;
		c->done = true; /* c may vanish from here on */
		pthread_cond_broadcast(&srv->cmd_cond);
		pthread_mutex_unlock(&srv->cmd_lock);
	}
}

int
vslot_server_add_function(struct vslot_server *srv, unsigned fn,
	const struct vslot_bar_desc *bars, unsigned nb_bars)
{
	struct vslot_cmd cmd = {
		.op = VSLOT_CMD_ADD, .fn = fn, .bars = bars, .nb_bars = nb_bars,
	};

	if (srv == NULL)
		return -EINVAL;
	return srv_call(srv, &cmd);
}

int
vslot_server_remove_function(struct vslot_server *srv, unsigned fn)
{
	struct vslot_cmd cmd = { .op = VSLOT_CMD_REMOVE, .fn = fn };

	if (srv == NULL)
		return -EINVAL;
	return srv_call(srv, &cmd);
}

void *
vslot_server_bar(struct vslot_server *srv, unsigned fn, unsigned bar, size_t *size)
{
	void *p = NULL;

	if (size != NULL)
		*size = 0;
	if (srv == NULL || fn >= srv->nb_fns || bar >= VSLOT_MAX_BARS)
		return NULL;
	pthread_mutex_lock(&srv->fn_lock);
	if (srv->fns[fn].exists && srv->fns[fn].bars[bar].present) {
		p = srv->fns[fn].bars[bar].map;
		if (size != NULL)
			*size = srv->fns[fn].bars[bar].size;
	}
	pthread_mutex_unlock(&srv->fn_lock);
	return p;
}

int
vslot_irq_raise(struct vslot_server *srv, unsigned fn, unsigned vector)
{
	struct vslot_fn *f;
	uint64_t one = 1;

	if (srv == NULL || fn >= srv->nb_fns || vector >= srv->nb_irqs)
		return -EINVAL;
	f = &srv->fns[fn];
	/* connected is set (release) after the eventfds exist */
	if (!atomic_load_explicit(&f->connected, memory_order_acquire))
		return 0;
	if (write(f->irq_fd[vector], &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 1;
}

unsigned
vslot_server_get_numvfs(struct vslot_server *srv)
{
	return srv != NULL ? atomic_load(&srv->numvfs) : 0;
}

unsigned
vslot_server_nb_dma_maps(struct vslot_server *srv, unsigned fn)
{
	if (srv == NULL || fn >= srv->nb_fns)
		return 0;
	return atomic_load_explicit(&srv->fns[fn].nb_maps, memory_order_relaxed);
}

bool
vslot_server_fn_connected(struct vslot_server *srv, unsigned fn)
{
	if (srv == NULL || fn >= srv->nb_fns)
		return false;
	return atomic_load_explicit(&srv->fns[fn].connected, memory_order_acquire);
}

/* ------------------------------------------------------------------------ */
/* request handlers (server context) */

struct vslot_reply {
	int fds[VSLOT_MAX_FDS];
	unsigned nfds;
	char why[VSLOT_ERRMSG_LEN];
};

static int
h_hello(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m,
	struct vslot_msg *rep, struct vslot_reply *out)
{
	unsigned fn = le32toh(m->u.hello.function);
	uint64_t token = le64toh(m->u.hello.token);
	struct vslot_fn *f;
	unsigned nb = 0;
	char name[16];

	if (c->fn >= 0) {
		vslot_fmt(out->why, sizeof(out->why), "HELLO: already bound to %s",
			FN_STR((unsigned)c->fn));
		return -EISCONN;
	}
	if (m->u.hello.flags != 0) {
		vslot_fmt(out->why, sizeof(out->why), "HELLO: unknown flags 0x%x",
			le32toh(m->u.hello.flags));
		return -EINVAL;
	}
	if (fn >= srv->nb_fns) {
		vslot_fmt(out->why, sizeof(out->why), "no function %u on this card (pf + %u VFs)",
			fn, srv->nb_fns - 1);
		return -ENODEV;
	}
	fn_str(fn, name, sizeof(name));
	f = &srv->fns[fn];
	if (VSLOT_FN_IS_VF(fn) && VSLOT_FN_VF_INDEX(fn) >= atomic_load(&srv->numvfs)) {
		vslot_fmt(out->why, sizeof(out->why), "%s does not exist (numvfs is %u)", name,
			atomic_load(&srv->numvfs));
		return -ENODEV;
	}
	if (!f->exists) {
		vslot_fmt(out->why, sizeof(out->why), "%s is not present on the card", name);
		return -ENODEV;
	}
	if (f->holder != NULL) {
		vslot_fmt(out->why, sizeof(out->why), "%s is busy (opened by pid %ld)", name,
			(long)f->holder->pid);
		return -EBUSY;
	}
	if (VSLOT_FN_IS_VF(fn)) {
		if (srv->cfg.open_mode) {
			srv_log(srv, VSLOT_LOG_WARNING,
				"OPEN MODE: %s opened by pid %ld without a token check", name,
				(long)c->pid);
		} else if (!f->granted) {
			vslot_fmt(out->why, sizeof(out->why), "%s is not granted to any client",
				name);
			return -EACCES;
		} else if ((f->token ^ token) != 0) {
			vslot_fmt(out->why, sizeof(out->why), "bad token for %s", name);
			return -EACCES;
		}
	}

	f->holder = c;
	c->fn = (int)fn;
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		drain_fd(f->irq_fd[v]);
	atomic_store_explicit(&f->connected, true, memory_order_release);

	rep->u.hello_reply.function = htole32(fn);
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		if (!f->bars[i].present)
			continue;
		rep->u.hello_reply.bars[nb].index = htole32(i);
		rep->u.hello_reply.bars[nb].size = htole64(f->bars[i].size);
		out->fds[out->nfds++] = f->bars[i].memfd;
		nb++;
	}
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		out->fds[out->nfds++] = f->irq_fd[v];
	rep->u.hello_reply.nb_bars = htole16((uint16_t)nb);
	rep->u.hello_reply.nb_irqs = htole16((uint16_t)srv->nb_irqs);
	srv_log(srv, VSLOT_LOG_INFO, "%s opened by pid %ld", name, (long)c->pid);
	if (srv->ops.function_opened != NULL)
		srv->ops.function_opened(srv->ctx, fn);
	return 0;
}

static int
h_grant(struct vslot_server *srv, const struct vslot_msg *m, bool grant, struct vslot_reply *out)
{
	unsigned vf = le32toh(m->u.grant.vf);
	uint64_t token = le64toh(m->u.grant.token);
	unsigned numvfs = atomic_load(&srv->numvfs);
	const char *op = grant ? "GRANT" : "REVOKE";
	struct vslot_fn *f;

	if (m->u.grant.rsvd != 0) {
		vslot_fmt(out->why, sizeof(out->why), "%s: reserved field not zero", op);
		return -EINVAL;
	}
	if (vf >= srv->nb_fns - 1) {
		vslot_fmt(out->why, sizeof(out->why), "%s: no VF %u (totalvfs is %u)", op, vf,
			srv->nb_fns - 1);
		return -EINVAL;
	}
	if (vf >= numvfs) {
		vslot_fmt(out->why, sizeof(out->why), "%s: vf%u does not exist (numvfs is %u)", op,
			vf, numvfs);
		return -ENODEV;
	}
	f = &srv->fns[VSLOT_FN_VF(vf)];
	if (!grant) {
		f->granted = false;
		f->token = 0;
		srv_log(srv, VSLOT_LOG_INFO, "vf%u: grant revoked", vf);
		fn_detach(srv, VSLOT_FN_VF(vf), VSLOT_REMOVED_REVOKED, true);
		return 0;
	}
	if (token == 0) {
		vslot_fmt(out->why, sizeof(out->why), "GRANT: token 0 is reserved");
		return -EINVAL;
	}
	if (f->holder != NULL && (!f->granted || f->token != token)) {
		vslot_fmt(out->why, sizeof(out->why),
			"GRANT: vf%u is held by a client; revoke it first", vf);
		return -EBUSY;
	}
	f->granted = true;
	f->token = token;
	srv_log(srv, VSLOT_LOG_INFO, "vf%u: granted", vf);
	return 0;
}

static int
h_set_numvfs(struct vslot_server *srv, const struct vslot_msg *m, struct vslot_reply *out)
{
	unsigned n = le32toh(m->u.numvfs.n);
	unsigned old = atomic_load(&srv->numvfs);
	unsigned total = srv->nb_fns - 1;
	int rc = 0;

	if (n > total) {
		vslot_fmt(out->why, sizeof(out->why), "SET_NUMVFS: %u > totalvfs %u", n, total);
		return -EINVAL;
	}
	if (n == old)
		return 0;
	if (old != 0 && n != 0) {
		vslot_fmt(out->why, sizeof(out->why),
			"SET_NUMVFS: %u -> %u refused: set 0 first (as sysfs sriov_numvfs)", old,
			n);
		return -EBUSY;
	}
	if (n == 0) {
		for (unsigned v = 0; v < old; v++) {
			struct vslot_fn *f = &srv->fns[VSLOT_FN_VF(v)];

			f->granted = false;
			f->token = 0;
			fn_detach(srv, VSLOT_FN_VF(v), VSLOT_REMOVED_NUMVFS, true);
		}
		atomic_store(&srv->numvfs, 0);
		if (srv->ops.numvfs_changed != NULL)
			rc = srv->ops.numvfs_changed(srv->ctx, old, 0);
		if (rc != 0)
			srv_log(srv, VSLOT_LOG_WARNING, "numvfs %u -> 0: card callback failed (%d)",
				old, rc);
		srv_log(srv, VSLOT_LOG_INFO, "numvfs %u -> 0", old);
		return 0;
	}
	if (srv->ops.numvfs_changed != NULL)
		rc = srv->ops.numvfs_changed(srv->ctx, 0, n);
	if (rc != 0) {
		if (rc > 0 || rc < -4095)
			rc = -EIO;
		vslot_fmt(out->why, sizeof(out->why), "SET_NUMVFS %u: the card refused: %s", n,
			strerror(-rc));
		return rc;
	}
	atomic_store(&srv->numvfs, n);
	for (unsigned v = 0; v < n; v++)
		if (!srv->fns[VSLOT_FN_VF(v)].exists)
			srv_log(srv, VSLOT_LOG_WARNING, "numvfs %u: the card did not add vf%u", n,
				v);
	srv_log(srv, VSLOT_LOG_INFO, "numvfs 0 -> %u", n);
	return 0;
}

/* Number of fds a request type must carry. */
static unsigned
req_fds(uint16_t type)
{
	return type == VSLOT_MSG_DMA_MAP ? 1 : 0;
}

static bool
known_request(uint16_t type)
{
	return type >= VSLOT_MSG_HELLO && type <= VSLOT_MSG_GET_TOTALVFS;
}

/* Handle one well-framed datagram; fds are closed here. */
static void
conn_handle(struct vslot_server *srv, struct vslot_conn *c, const struct vslot_msg *m, int *fds,
	const struct vslot_rx *rx)
{
	uint16_t type = vslot_msg_type(m);
	struct vslot_msg rep;
	struct vslot_reply out;
	int rc = 0;

	memset(&out, 0, sizeof(out));
	vslot_msg_init(&rep, (uint16_t)(type | VSLOT_MSG_REPLY), vslot_msg_id(m), 0);

	if (!known_request(type)) {
		vslot_fmt(out.why, sizeof(out.why), "unknown request type 0x%x", type);
		rc = -EOPNOTSUPP;
	} else if (vslot_msg_id(m) == 0 || m->hdr.status != 0) {
		vslot_fmt(out.why, sizeof(out.why), "request id 0 or non-zero status");
		rc = -EINVAL;
	} else if (rx->ctrunc || rx->foreign_cmsg || rx->nfds != req_fds(type)) {
		vslot_fmt(out.why, sizeof(out.why), "request type %u needs %u fd(s), got %u%s",
			type, req_fds(type), rx->nfds, rx->ctrunc ? "+" : "");
		rc = -EBADF;
	} else if (type == VSLOT_MSG_HELLO) {
		rc = h_hello(srv, c, m, &rep, &out);
	} else if (c->fn < 0) {
		vslot_fmt(out.why, sizeof(out.why), "send HELLO first");
		rc = -ENOTCONN;
	} else {
		unsigned fn = (unsigned)c->fn;
		bool pf_only = type == VSLOT_MSG_GRANT || type == VSLOT_MSG_REVOKE ||
			type == VSLOT_MSG_SET_NUMVFS || type == VSLOT_MSG_GET_NUMVFS ||
			type == VSLOT_MSG_GET_TOTALVFS;

		if (pf_only && fn != VSLOT_FN_PF) {
			vslot_fmt(out.why, sizeof(out.why),
				"request type %u is accepted only from the PF connection", type);
			rc = -EPERM;
		} else {
			switch (type) {
			case VSLOT_MSG_DMA_MAP:
				rc = do_dma_map(srv, fn, le64toh(m->u.dma.iova),
					le64toh(m->u.dma.len), le64toh(m->u.dma.offset), fds[0],
					out.why, sizeof(out.why));
				break;
			case VSLOT_MSG_DMA_UNMAP:
				rc = do_dma_unmap(srv, fn, le64toh(m->u.dma.iova),
					le64toh(m->u.dma.len), out.why, sizeof(out.why));
				break;
			case VSLOT_MSG_GRANT:
				rc = h_grant(srv, m, true, &out);
				break;
			case VSLOT_MSG_REVOKE:
				rc = h_grant(srv, m, false, &out);
				break;
			case VSLOT_MSG_SET_NUMVFS:
				rc = h_set_numvfs(srv, m, &out);
				break;
			case VSLOT_MSG_GET_NUMVFS:
				rep.u.numvfs.n = htole32(atomic_load(&srv->numvfs));
				break;
			case VSLOT_MSG_GET_TOTALVFS:
				rep.u.numvfs.n = htole32(srv->nb_fns - 1);
				break;
			default:
				rc = -EOPNOTSUPP;
				break;
			}
		}
	}
	vslot_close_fds(fds, rx->nfds);

	if (c->dead)
		return; /* e.g. a callback removed the function of this connection */
	if (rc < 0) {
		memset(&rep.u, 0, sizeof(rep.u));
		rep.hdr.status = (int32_t)htole32((uint32_t)rc);
		if (out.why[0] == '\0')
			vslot_fmt(out.why, sizeof(out.why), "%s", strerror(-rc));
		memcpy(rep.u.error.msg, out.why, sizeof(out.why));
		rep.u.error.msg[VSLOT_ERRMSG_LEN - 1] = '\0';
		out.nfds = 0;
		srv_log(srv, VSLOT_LOG_DEBUG, "request %u from pid %ld failed: %s", type,
			(long)c->pid, out.why);
	}
	rc = vslot_send(c->fd, &rep, out.fds, out.nfds, MSG_DONTWAIT);
	if (rc < 0) {
		/* EPIPE: the client left; EAGAIN: it does not read its replies */
		srv_log(srv, rc == -EAGAIN ? VSLOT_LOG_WARNING : VSLOT_LOG_INFO,
			"pid %ld: reply not delivered (%s): dropping client", (long)c->pid,
			strerror(-rc));
		conn_drop(srv, c);
	}
}

/* Read and handle what is pending on @c. */
static void
conn_read(struct vslot_server *srv, struct vslot_conn *c)
{
	for (unsigned i = 0; i < VSLOT_MSGS_PER_WAKE && !c->dead; i++) {
		struct vslot_msg m;
		struct vslot_rx rx;
		int fds[VSLOT_MAX_FDS];
		int rc = vslot_recv(c->fd, &m, fds, VSLOT_MAX_FDS, &rx, MSG_DONTWAIT);

		if (rc == -EAGAIN)
			return;
		if (rc < 0 || rx.len == 0) {
			conn_drop(srv, c);
			return;
		}
		if (rx.truncated || (size_t)rx.len != sizeof(m) || vslot_msg_check_hdr(&m) < 0) {
			srv_log(srv, VSLOT_LOG_WARNING,
				"pid %ld: malformed message (%zd bytes%s): dropping client",
				(long)c->pid, rx.len, rx.truncated ? ", truncated" : "");
			vslot_close_fds(fds, rx.nfds);
			conn_drop(srv, c);
			return;
		}
		conn_handle(srv, c, &m, fds, &rx);
	}
}

static void
accept_all(struct vslot_server *srv)
{
	for (;;) {
		struct vslot_conn *c;
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
					errno != ECONNABORTED)
				srv_log(srv, VSLOT_LOG_WARNING, "accept: %s", strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (srv->nb_conns >= srv->nb_fns + VSLOT_EXTRA_CONNS) {
			srv_log(srv, VSLOT_LOG_WARNING, "too many connections (%u): refusing one",
				srv->nb_conns);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->fn = -1;
		c->hello_deadline = vslot_now_ms() + srv->cfg.hello_timeout_ms;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
			c->pid = cred.pid;
		c->next = srv->conns;
		srv->conns = c;
		srv->nb_conns++;
	}
}

/* Close connections that did not say HELLO in time; ms to the next deadline. */
static int
expire_conns(struct vslot_server *srv)
{
	uint64_t now = vslot_now_ms();
	uint64_t next = UINT64_MAX;

	for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
		if (c->dead || c->fn >= 0)
			continue;
		if (c->hello_deadline <= now) {
			srv_log(srv, VSLOT_LOG_WARNING, "pid %ld: no HELLO within %u ms: closing",
				(long)c->pid, srv->cfg.hello_timeout_ms);
			conn_kill(c);
		} else if (c->hello_deadline < next) {
			next = c->hello_deadline;
		}
	}
	if (next == UINT64_MAX)
		return -1;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static void
sweep_conns(struct vslot_server *srv)
{
	struct vslot_conn **pp = &srv->conns;

	while (*pp != NULL) {
		struct vslot_conn *c = *pp;

		if (c->dead) {
			*pp = c->next;
			srv->nb_conns--;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static int
pfds_reserve(struct vslot_server *srv, unsigned n)
{
	struct pollfd *p;
	struct vslot_conn **pc;

	if (n <= srv->pfd_cap)
		return 0;
	n = n < 16 ? 16 : n * 2;
	p = realloc(srv->pfds, n * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	srv->pfds = p;
	pc = realloc(srv->pconns, n * sizeof(*pc));
	if (pc == NULL)
		return -ENOMEM;
	srv->pconns = pc;
	srv->pfd_cap = n;
	return 0;
}

static void *
server_main(void *arg)
{
	struct vslot_server *srv = arg;

	/* start() holds cmd_lock until srv->thread is stored */
	pthread_mutex_lock(&srv->cmd_lock);
	pthread_mutex_unlock(&srv->cmd_lock);

	while (!atomic_load(&srv->stop)) {
		unsigned n = 2;
		int timeout, rc;

		if (pfds_reserve(srv, srv->nb_conns + 2) < 0) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		srv->pfds[0] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
		srv->pfds[1] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		for (struct vslot_conn *c = srv->conns; c != NULL; c = c->next) {
			srv->pfds[n] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
			srv->pconns[n] = c;
			n++;
		}
		timeout = expire_conns(srv);
		/* retired tables: come back soon to free them */
		if (srv->retired != NULL && (timeout < 0 || timeout > 2))
			timeout = 2;
		rc = poll(srv->pfds, n, timeout);
		if (rc < 0 && errno != EINTR) {
			srv_log(srv, VSLOT_LOG_ERR, "poll: %s", strerror(errno));
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			continue;
		}
		pthread_mutex_lock(&srv->op_lock);
		if (rc > 0) {
			if (srv->pfds[0].revents != 0) {
				drain_fd(srv->wake_fd);
				run_commands(srv, false);
			}
			if (srv->pfds[1].revents & POLLIN)
				accept_all(srv);
			for (unsigned i = 2; i < n; i++) {
				struct vslot_conn *c = srv->pconns[i];
				short re = srv->pfds[i].revents;

				if (c->dead || re == 0)
					continue;
				if (re & POLLIN)
					conn_read(srv, c);
				else if (re & (POLLHUP | POLLERR | POLLNVAL))
					conn_drop(srv, c);
			}
		}
		reclaim(srv, false);
		sweep_conns(srv);
		pthread_mutex_unlock(&srv->op_lock);
	}

	pthread_mutex_lock(&srv->cmd_lock);
	srv->running = false;
	pthread_mutex_unlock(&srv->cmd_lock);
	pthread_mutex_lock(&srv->op_lock);
	run_commands(srv, true);
	pthread_mutex_unlock(&srv->op_lock);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* create / start / destroy */

static int
bind_socket(struct vslot_server *srv, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	memcpy(sa.sun_path, srv->path, strlen(srv->path) + 1);
	if (lstat(srv->path, &st) == 0) {
		int probe, rc;

		if (!S_ISSOCK(st.st_mode)) {
			vslot_fmt(err, errlen, "vslot: %s exists and is not a socket", srv->path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		rc = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		close(probe);
		if (rc == 0) {
			vslot_fmt(err, errlen, "vslot: another card is listening on %s", srv->path);
			return -EADDRINUSE;
		}
		if (errno != ECONNREFUSED) {
			int e = errno;

			vslot_fmt(err, errlen, "vslot: %s: %s", srv->path, strerror(e));
			return -e;
		}
		srv_log(srv, VSLOT_LOG_INFO, "removing stale socket %s", srv->path);
		unlink(srv->path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: socket: %s", strerror(e));
		return -e;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: bind %s: %s", srv->path, strerror(e));
		close(fd);
		return -e;
	}
	srv->listen_fd = fd;
	srv->sock_bound = true;
	if (stat(srv->path, &st) == 0) {
		srv->sock_dev = st.st_dev;
		srv->sock_ino = st.st_ino;
	}
	if (srv->cfg.socket_mode != 0 && chmod(srv->path, (mode_t)srv->cfg.socket_mode) < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: chmod %s: %s", srv->path, strerror(e));
		return -e;
	}
	if (listen(fd, 64) < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: listen %s: %s", srv->path, strerror(e));
		return -e;
	}
	return 0;
}

static void
srv_free(struct vslot_server *srv)
{
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->sock_bound) {
		struct stat st;

		/* unlink only our own socket, not a successor's */
		if (stat(srv->path, &st) == 0 && st.st_dev == srv->sock_dev &&
				st.st_ino == srv->sock_ino)
			unlink(srv->path);
	}
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	if (srv->fns != NULL) {
		for (unsigned i = 0; i < srv->nb_fns; i++) {
			struct vslot_fn *f = &srv->fns[i];

			bars_release(f->bars);
			if (f->irqs_created)
				vslot_close_fds(f->irq_fd, srv->nb_irqs);
		}
	}
	while (srv->readers != NULL) {
		struct vslot_reader *r = srv->readers;

		srv->readers = r->next;
		free(r);
	}
	free(srv->fns);
	free(srv->pfds);
	free(srv->pconns);
	pthread_mutex_destroy(&srv->op_lock);
	pthread_mutex_destroy(&srv->fn_lock);
	pthread_mutex_destroy(&srv->cmd_lock);
	pthread_mutex_destroy(&srv->reg_lock);
	pthread_cond_destroy(&srv->cmd_cond);
	free(srv);
}

struct vslot_server *
vslot_server_create(const struct vslot_server_cfg *cfg, const struct vslot_server_ops *ops,
	void *ctx, char *err, size_t errlen)
{
	struct vslot_server *srv;
	pthread_mutexattr_t ma;
	long ps;
	int rc;

	vslot_fmt(err, errlen, "%s", "");
	if (cfg == NULL || cfg->path == NULL || cfg->path[0] == '\0') {
		vslot_fmt(err, errlen, "vslot: no socket path");
		errno = EINVAL;
		return NULL;
	}
	if (strlen(cfg->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		vslot_fmt(err, errlen, "vslot: socket path too long (%zu bytes, max %zu): %s",
			strlen(cfg->path), sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
			cfg->path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (cfg->total_vfs > VSLOT_MAX_VFS || cfg->nb_irq_vectors > VSLOT_MAX_IRQS) {
		vslot_fmt(err, errlen, "vslot: total_vfs %u (max %u) or nb_irq_vectors %u (max %u)"
			" out of range", cfg->total_vfs, VSLOT_MAX_VFS, cfg->nb_irq_vectors,
			VSLOT_MAX_IRQS);
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->cfg = *cfg;
	memcpy(srv->path, cfg->path, strlen(cfg->path) + 1);
	srv->cfg.path = srv->path;
	if (srv->cfg.log_level == 0)
		srv->cfg.log_level = VSLOT_LOG_INFO;
	if (ops != NULL)
		srv->ops = *ops;
	srv->ctx = ctx;
	srv->nb_fns = cfg->total_vfs + 1;
	srv->nb_irqs = cfg->nb_irq_vectors ? cfg->nb_irq_vectors : 1;
	srv->max_maps = cfg->max_dma_maps ? cfg->max_dma_maps : VSLOT_DEFAULT_MAX_DMA_MAPS;
	if (srv->cfg.hello_timeout_ms == 0)
		srv->cfg.hello_timeout_ms = VSLOT_DEFAULT_HELLO_TIMEOUT_MS;
	ps = sysconf(_SC_PAGESIZE);
	srv->page_size = ps > 0 ? (size_t)ps : 4096;
	srv->listen_fd = -1;
	srv->wake_fd = -1;
	atomic_init(&srv->gp, 1);
	atomic_init(&srv->numvfs, 0);
	atomic_init(&srv->stop, false);

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&srv->op_lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_mutex_init(&srv->fn_lock, NULL);
	pthread_mutex_init(&srv->cmd_lock, NULL);
	pthread_mutex_init(&srv->reg_lock, NULL);
	pthread_cond_init(&srv->cmd_cond, NULL);

	srv->fns = calloc(srv->nb_fns, sizeof(*srv->fns));
	if (srv->fns == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < srv->nb_fns; i++) {
		struct vslot_fn *f = &srv->fns[i];

		atomic_init(&f->maps, NULL);
		atomic_init(&f->nb_maps, 0);
		atomic_init(&f->connected, false);
		for (unsigned b = 0; b < VSLOT_MAX_BARS; b++)
			f->bars[b].memfd = -1;
		for (unsigned v = 0; v < VSLOT_MAX_IRQS; v++)
			f->irq_fd[v] = -1;
	}
	srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->wake_fd < 0) {
		rc = -errno;
		vslot_fmt(err, errlen, "vslot: eventfd: %s", strerror(-rc));
		goto fail;
	}
	rc = bind_socket(srv, err, errlen);
	if (rc < 0)
		goto fail;
	if (cfg->open_mode)
		srv_log(srv, VSLOT_LOG_WARNING,
			"*** OPEN MODE on %s: any client may open any existing VF WITHOUT a token. "
			"Development and tests only. ***", srv->path);
	srv_log(srv, VSLOT_LOG_INFO, "listening on %s (totalvfs %u, %u irq vectors)", srv->path,
		cfg->total_vfs, srv->nb_irqs);
	return srv;

fail:
	if (err != NULL && errlen > 0 && err[0] == '\0')
		vslot_fmt(err, errlen, "vslot: %s", strerror(-rc));
	srv_free(srv);
	errno = -rc;
	return NULL;
}

int
vslot_server_start(struct vslot_server *srv)
{
	int rc;

	if (srv == NULL)
		return -EINVAL;
	pthread_mutex_lock(&srv->cmd_lock);
	if (srv->thread_created) {
		pthread_mutex_unlock(&srv->cmd_lock);
		return -EALREADY;
	}
	rc = pthread_create(&srv->thread, NULL, server_main, srv);
	if (rc == 0) {
		srv->thread_created = true;
		srv->running = true;
	}
	pthread_mutex_unlock(&srv->cmd_lock);
	if (rc != 0) {
		srv_log(srv, VSLOT_LOG_ERR, "cannot start the server thread: %s", strerror(rc));
		return -rc;
	}
	return 0;
}

void
vslot_server_destroy(struct vslot_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->thread_created) {
		uint64_t one = 1;

		atomic_store(&srv->stop, true);
		if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
			/* already signalled */
		}
		pthread_join(srv->thread, NULL);
		srv->thread_created = false;
	}
	pthread_mutex_lock(&srv->op_lock);
	while (srv->conns != NULL) {
		struct vslot_conn *c = srv->conns;

		srv->conns = c->next;
		if (c->fn >= 0) {
			struct vslot_fn *f = &srv->fns[c->fn];

			send_removed(srv, c, (unsigned)c->fn, VSLOT_REMOVED_SHUTDOWN);
			f->holder = NULL;
			atomic_store(&f->connected, false);
		}
		shutdown(c->fd, SHUT_RDWR);
		conn_free(c);
	}
	srv->nb_conns = 0;
	/* unpublish every table, grace period, unmap (readers should be offline by now) */
	for (unsigned i = 0; i < srv->nb_fns; i++)
		fn_drop_maps(srv, i);
	qsbr_sync(srv);
	pthread_mutex_unlock(&srv->op_lock);
	srv_free(srv);
}
