/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server half of lib/vslot: QSBR reclamation, the DMA map tables of each function and their
 * translation (the IOMMU). See vslot_server.h for the contract and the memory ordering.
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
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vslot_srv_priv.h"

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
			vs_log(srv, VSLOT_LOG_WARNING,
				"grace period: a reader has been online for %d ms without a quiescent "
				"state (missing vslot_reader_quiescent/offline?); still waiting",
				VSLOT_GP_WARN_MS);
			warned = true;
		}
	}
}

/* Free retired snapshots whose grace period is over (all if @all). */
void
vs_reclaim(struct vslot_server *srv, bool all)
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
void
vs_qsbr_sync(struct vslot_server *srv)
{
	qsbr_wait(srv, qsbr_advance(srv));
	vs_reclaim(srv, true);
}

/* Free @tbl (not its maps) after a grace period. */
static void
retire_table(struct vslot_server *srv, struct vslot_map_table *tbl)
{
	struct vslot_retired *e = malloc(sizeof(*e));

	if (e == NULL) {
		/* cannot defer: wait now */
		vs_qsbr_sync(srv);
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
void
vs_maps_drop(struct vslot_server *srv, unsigned fn)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_map_table *old = atomic_exchange_explicit(&f->maps, NULL,
		memory_order_seq_cst);

	atomic_store_explicit(&f->nb_maps, 0, memory_order_relaxed);
	f->va_reserved = 0;
	f->map_bytes = 0;
	if (old == NULL)
		return;
	vs_qsbr_sync(srv);
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

static int fault_install(void);

/* File systems whose pages are always there: shmem/tmpfs (memfd) and hugetlbfs. */
#define VS_TMPFS_MAGIC 0x01021994
#define VS_HUGETLBFS_MAGIC 0x958458f6

/* DMA memory must be a file whose pages cannot stall the card (no disk, FUSE, /proc...). */
static int
check_memory_fd(int fd, const struct stat *st, char *why, size_t whylen)
{
	struct statfs sfs;

	if (!S_ISREG(st->st_mode)) {
		vslot_fmt(why, whylen, "fd is not a regular file (a memfd, or a file on hugetlbfs "
			"or tmpfs, is expected)");
		return -EBADF;
	}
	if (fstatfs(fd, &sfs) < 0) {
		int e = errno;

		vslot_fmt(why, whylen, "fstatfs: %s", strerror(e));
		return -e;
	}
	if ((uint32_t)sfs.f_type != VS_TMPFS_MAGIC && (uint32_t)sfs.f_type != VS_HUGETLBFS_MAGIC) {
		vslot_fmt(why, whylen, "the fd's file system (magic 0x%lx) may stall the card: only "
			"memfd/tmpfs and hugetlbfs memory is accepted", (unsigned long)sfs.f_type);
		return -EBADF;
	}
	return 0;
}

int
vs_dma_map(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len, uint64_t offset,
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
		vslot_fmt(why, whylen, "len 0");
		return -EINVAL;
	}
	if (len > UINT64_MAX - iova) {
		vslot_fmt(why, whylen, "iova 0x%" PRIx64 " + len 0x%" PRIx64 " overflows",
			iova, len);
		return -EINVAL;
	}
	if (len > UINT64_MAX - offset || offset + len > (uint64_t)INT64_MAX ||
			len > SIZE_MAX / 2) {
		vslot_fmt(why, whylen, "offset 0x%" PRIx64 " + len 0x%" PRIx64
			" out of range", offset, len);
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		vslot_fmt(why, whylen, "fstat: %s", strerror(e));
		return -e;
	}
	rc = check_memory_fd(fd, &st, why, whylen);
	if (rc < 0)
		return rc;
	/* someone may have replaced the SIGBUS handler since the server started */
	if (srv->sig_slot >= 0)
		fault_install();
	if ((uint64_t)st.st_size < offset + len) {
		vslot_fmt(why, whylen, "region ends at 0x%" PRIx64
			" beyond the end of the file (0x%jx)", offset + len, (intmax_t)st.st_size);
		return -EINVAL;
	}

	old = atomic_load_explicit(&f->maps, memory_order_relaxed);
	n = old != NULL ? old->n : 0;
	if (n >= srv->max_maps) {
		vslot_fmt(why, whylen, "%s has reached its limit of %u DMA maps",
			FN_STR(fn), srv->max_maps);
		return -ENOSPC;
	}
	if (len > srv->max_map_bytes - f->map_bytes) {
		vslot_fmt(why, whylen, "%s would map 0x%" PRIx64 " + 0x%" PRIx64
			" bytes, beyond its limit of 0x%" PRIx64 " bytes of DMA maps", FN_STR(fn),
			f->map_bytes, len, srv->max_map_bytes);
		return -ENOSPC;
	}
	/* overlap: the map starting at or below iova, and the next one */
	pos = 0;
	if (old != NULL) {
		unsigned idx = tbl_search(old, iova);

		if (idx != UINT_MAX && iova - old->m[idx].iova < old->m[idx].len) {
			vslot_fmt(why, whylen, "[0x%" PRIx64 ", +0x%" PRIx64
				") overlaps the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, old->m[idx].iova, old->m[idx].len);
			return -EEXIST;
		}
		pos = idx == UINT_MAX ? 0 : idx + 1;
		if (pos < n && old->m[pos].iova < iova + len) {
			vslot_fmt(why, whylen, "[0x%" PRIx64 ", +0x%" PRIx64
				") overlaps the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, old->m[pos].iova, old->m[pos].len);
			return -EEXIST;
		}
	}

	align = map_align(srv, &st);
	off_al = offset & ~(uint64_t)(align - 1);
	delta = (size_t)(offset - off_al);
	if (delta + len > SIZE_MAX - align) {
		vslot_fmt(why, whylen, "len 0x%" PRIx64 " too large", len);
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
		vslot_fmt(why, whylen, "out of memory");
		return -ENOMEM;
	}
	rc = place_map(fd, (off_t)off_al, map_len, align, pred, succ,
		f->va_reserved + VSLOT_DMA_VA_RESERVE <= VSLOT_DMA_VA_BUDGET ?
		VSLOT_DMA_VA_RESERVE : 0, &pl);
	if (rc < 0) {
		free(nt);
		vslot_fmt(why, whylen, "mmap of 0x%zx bytes at offset 0x%" PRIx64
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
	f->map_bytes += len;
	if (old != NULL)
		retire_table(srv, old);
	vs_log(srv, VSLOT_LOG_DEBUG, "%s: DMA map iova 0x%" PRIx64 " len 0x%" PRIx64,
		FN_STR(fn), iova, len);
	return 0;
}

int
vs_dma_unmap(struct vslot_server *srv, unsigned fn, uint64_t iova, uint64_t len, char *why,
	size_t whylen)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_map_table *old, *nt = NULL;
	struct vslot_map *gone;
	unsigned nr = 0, k = 0, g = 0;
	uint64_t end;

	if (len == 0 || len > UINT64_MAX - iova) {
		vslot_fmt(why, whylen, "bad range (len 0 or overflow)");
		return -EINVAL;
	}
	end = iova + len;
	old = atomic_load_explicit(&f->maps, memory_order_relaxed);
	if (old == NULL) {
		vslot_fmt(why, whylen, "%s has no DMA map", FN_STR(fn));
		return -ENOENT;
	}
	for (unsigned i = 0; i < old->n; i++) {
		const struct vslot_map *m = &old->m[i];
		uint64_t mend = m->iova + m->len;

		if (mend <= iova || m->iova >= end)
			continue;
		if (m->iova < iova || mend > end) {
			vslot_fmt(why, whylen, "[0x%" PRIx64 ", +0x%" PRIx64
				") would split the map [0x%" PRIx64 ", +0x%" PRIx64 ")",
				iova, len, m->iova, m->len);
			return -EINVAL;
		}
		nr++;
	}
	if (nr == 0) {
		vslot_fmt(why, whylen, "no map in [0x%" PRIx64 ", +0x%" PRIx64 ")",
			iova, len);
		return -ENOENT;
	}
	gone = malloc(nr * sizeof(*gone));
	if (nr < old->n)
		nt = malloc(sizeof(*nt) + (size_t)(old->n - nr) * sizeof(nt->m[0]));
	if (gone == NULL || (nr < old->n && nt == NULL)) {
		free(gone);
		free(nt);
		vslot_fmt(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < old->n; i++) {
		const struct vslot_map *m = &old->m[i];

		if (m->iova >= iova && m->iova + m->len <= end) {
			gone[g++] = *m;
			f->va_reserved -= m->res_len;
			f->map_bytes -= m->len;
		} else
			nt->m[k++] = *m;
	}
	if (nt != NULL)
		nt->n = k;

	atomic_exchange_explicit(&f->maps, nt, memory_order_seq_cst);
	atomic_store_explicit(&f->nb_maps, k, memory_order_relaxed);
	/* the reply is sent only after this: no reader touches the region anymore */
	vs_qsbr_sync(srv);
	unmap_entries(gone, g);
	free(gone);
	free(old);
	vs_log(srv, VSLOT_LOG_DEBUG, "%s: DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64
		" (%u maps)", FN_STR(fn), iova, len, g);
	return 0;
}

/* ------------------------------------------------------------------------ */
/*
 * Fault containment. A client may truncate the file behind its maps (DPDK's own hugepage
 * files can be truncated by their owner; sealing alone does not cover them): the card's next
 * access raises SIGBUS. The handler, installed once per process and chained to the previous
 * one, finds the map the address belongs to, replaces that whole map in place with zero
 * memory (so that the faulting access completes), flags the function and wakes the server,
 * which reports it (function_fault). Lookups only read published tables (lock-free; the
 * faulting thread is an online reader, so what it reads stays alive) and the registry of
 * servers below: process-wide by nature (a signal handler has no other way in).
 */
#define VS_FAULT_SERVERS 16u

static _Atomic(struct vslot_server *) vs_fault_srv[VS_FAULT_SERVERS];
static struct sigaction vs_fault_prev;
static pthread_mutex_t vs_fault_lock = PTHREAD_MUTEX_INITIALIZER;

static void fault_handler(int sig, siginfo_t *si, void *uctx);

/* Async-signal-safe: replace the map of @srv holding @addr with zeros. */
static bool
fault_contain(struct vslot_server *srv, uintptr_t addr)
{
	for (unsigned fn = 0; fn < srv->nb_fns; fn++) {
		struct vslot_fn *f = &srv->fns[fn];
		const struct vslot_map_table *t = atomic_load_explicit(&f->maps,
			memory_order_acquire);

		for (unsigned i = 0; t != NULL && i < t->n; i++) {
			const struct vslot_map *m = &t->m[i];
			uint64_t one = 1;

			if (addr < (uintptr_t)m->mmap_base ||
					addr - (uintptr_t)m->mmap_base >= m->mmap_len)
				continue;
			if (mmap(m->mmap_base, m->mmap_len, PROT_READ | PROT_WRITE,
					MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
				return false;
			atomic_store_explicit(&f->faulted, true, memory_order_relaxed);
			atomic_store_explicit(&srv->fault_pending, true, memory_order_release);
			if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
				/* counter saturated: the server is awake anyway */
			}
			return true;
		}
	}
	return false;
}

static void
fault_handler(int sig, siginfo_t *si, void *uctx)
{
	int saved = errno;

	for (unsigned i = 0; i < VS_FAULT_SERVERS; i++) {
		struct vslot_server *srv = atomic_load_explicit(&vs_fault_srv[i],
			memory_order_acquire);

		if (srv != NULL && fault_contain(srv, (uintptr_t)si->si_addr)) {
			errno = saved;
			return;
		}
	}
	errno = saved;
	/* not ours: whoever was there before */
	if ((vs_fault_prev.sa_flags & SA_SIGINFO) && vs_fault_prev.sa_sigaction != fault_handler) {
		vs_fault_prev.sa_sigaction(sig, si, uctx);
	} else if (!(vs_fault_prev.sa_flags & SA_SIGINFO) && vs_fault_prev.sa_handler != SIG_DFL &&
			vs_fault_prev.sa_handler != SIG_IGN) {
		vs_fault_prev.sa_handler(sig);
	} else {
		/* default action: the access faults again and the process dies as it would have */
		signal(SIGBUS, SIG_DFL);
	}
}

/* Install the handler unless it is in place (someone may have replaced it since). */
static int
fault_install(void)
{
	struct sigaction sa, cur;
	int rc = 0;

	pthread_mutex_lock(&vs_fault_lock);
	if (sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
			cur.sa_sigaction == fault_handler)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &cur) < 0)
		rc = -errno;
	else
		vs_fault_prev = cur;
out:
	pthread_mutex_unlock(&vs_fault_lock);
	return rc;
}

void
vs_fault_register(struct vslot_server *srv)
{
	if (fault_install() < 0) {
		vs_log(srv, VSLOT_LOG_WARNING, "no SIGBUS handler: a truncated DMA file will crash "
			"the card");
		return;
	}
	for (unsigned i = 0; i < VS_FAULT_SERVERS; i++) {
		struct vslot_server *none = NULL;

		if (atomic_compare_exchange_strong(&vs_fault_srv[i], &none, srv)) {
			srv->sig_slot = (int)i;
			return;
		}
	}
	vs_log(srv, VSLOT_LOG_WARNING, "more than %u servers in this process: DMA faults of this "
		"one are not contained", VS_FAULT_SERVERS);
}

void
vs_fault_unregister(struct vslot_server *srv)
{
	if (srv->sig_slot < 0)
		return;
	atomic_store(&vs_fault_srv[srv->sig_slot], NULL);
	srv->sig_slot = -1;
}

void
vs_fault_collect(struct vslot_server *srv)
{
	for (unsigned fn = 0; fn < srv->nb_fns; fn++) {
		struct vslot_fn *f = &srv->fns[fn];

		/* the flag stays set (vslot_server_fn_faulted) until the function's next client */
		if (!atomic_load_explicit(&f->faulted, memory_order_relaxed) || f->fault_reported)
			continue;
		f->fault_reported = true;
		srv->st.faults++;
		vs_log(srv, VSLOT_LOG_ERR, "%s: its DMA memory faulted (file truncated under the "
			"card?): the map now reads as zeros, the function's queues go to error",
			FN_STR(fn));
		if (srv->ops.function_fault != NULL)
			srv->ops.function_fault(srv->ctx, fn);
	}
}
