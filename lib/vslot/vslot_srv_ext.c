/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server half of lib/vslot: external holders of a VF (virtual machines). The VF's BAR becomes a
 * named tmpfs file the hypervisor maps into the guest, the guest RAM file its only DMA window
 * (see "External holders" in vslot_server.h). Server context only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "vslot_srv_priv.h"

#define VS_EXT_TMPFS_MAGIC 0x01021994

/* Validate: a VF that exists, has no client, and a sane request. */
static int
ext_check(struct vslot_server *srv, unsigned fn, const struct vslot_external *ext, char *why,
	size_t whylen)
{
	struct vslot_fn *f;

	if (!VSLOT_FN_IS_VF(fn) || fn >= srv->nb_fns) {
		vslot_fmt(why, whylen, "function %u is not a VF of this card", fn);
		return -EINVAL;
	}
	f = &srv->fns[fn];
	if (VSLOT_FN_VF_INDEX(fn) >= atomic_load(&srv->numvfs) || !f->exists) {
		vslot_fmt(why, whylen, "%s does not exist (numvfs is %u)", FN_STR(fn),
			atomic_load(&srv->numvfs));
		return -ENODEV;
	}
	if (f->holder != NULL) {
		vslot_fmt(why, whylen, "%s is held by %s", FN_STR(fn),
			f->holder->ext ? "an external holder" : "a client");
		return -EBUSY;
	}
	if (ext->bar >= VSLOT_MAX_BARS || !f->bars[ext->bar].present) {
		vslot_fmt(why, whylen, "%s has no BAR %u", FN_STR(fn), ext->bar);
		return -EINVAL;
	}
	if (ext->bar_path == NULL || ext->bar_path[0] != '/' ||
			strlen(ext->bar_path) >= PATH_MAX) {
		vslot_fmt(why, whylen, "the BAR file needs an absolute path");
		return -EINVAL;
	}
	if (ext->bar_file_size != 0 && ext->bar_file_size < f->bars[ext->bar].map_len) {
		vslot_fmt(why, whylen, "BAR file size 0x%" PRIx64 " is below the BAR (0x%zx)",
			ext->bar_file_size, f->bars[ext->bar].map_len);
		return -EINVAL;
	}
	if (ext->bar_file_size > (1ull << 32) || (ext->mode & ~0777u) != 0 ||
			ext->dma_len == 0 || ext->dma_fd < 0) {
		vslot_fmt(why, whylen, "bad BAR file size, mode or DMA window");
		return -EINVAL;
	}
	return 0;
}

/* Adopt the BAR file a former server made: a regular file on tmpfs, large enough. */
static int
ext_adopt_file(struct vslot_server *srv, unsigned fn, const struct vslot_external *ext,
	struct stat *st, char *why, size_t whylen)
{
	struct statfs sfs;
	int fd, rc;

	fd = open(ext->bar_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		vslot_fmt(why, whylen, "cannot open %s: %s", ext->bar_path, strerror(-rc));
		return rc;
	}
	if (fstatfs(fd, &sfs) < 0 || (uint32_t)sfs.f_type != VS_EXT_TMPFS_MAGIC ||
			fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		vslot_fmt(why, whylen, "%s is not a regular file on tmpfs", ext->bar_path);
		close(fd);
		return -EBADF;
	}
	if ((uint64_t)st->st_size < srv->fns[fn].bars[ext->bar].map_len) {
		vslot_fmt(why, whylen, "%s has %jd bytes: smaller than the BAR (0x%zx)",
			ext->bar_path, (intmax_t)st->st_size, srv->fns[fn].bars[ext->bar].map_len);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Create the BAR file: new, on tmpfs, sized, owned and moded as asked. */
static int
ext_create_file(struct vslot_server *srv, unsigned fn, const struct vslot_external *ext,
	struct stat *st, char *why, size_t whylen)
{
	uint64_t size = ext->bar_file_size ? ext->bar_file_size :
		srv->fns[fn].bars[ext->bar].map_len;
	struct statfs sfs;
	int fd, rc;

	fd = open(ext->bar_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		vslot_fmt(why, whylen, "cannot create %s: %s", ext->bar_path, strerror(-rc));
		return rc;
	}
	if (fstatfs(fd, &sfs) < 0 || (uint32_t)sfs.f_type != VS_EXT_TMPFS_MAGIC) {
		vslot_fmt(why, whylen, "%s is not on tmpfs (e.g. /dev/shm): a BAR must not "
			"be disk-backed", ext->bar_path);
		rc = -EBADF;
		goto fail;
	}
	if (ftruncate(fd, (off_t)size) < 0 ||
			(ext->uid >= 0 || ext->gid >= 0 ? fchown(fd, ext->uid, ext->gid) : 0) < 0 ||
			fchmod(fd, ext->mode ? ext->mode : 0600) < 0 || fstat(fd, st) < 0) {
		rc = -errno;
		vslot_fmt(why, whylen, "%s: size/owner/mode: %s", ext->bar_path, strerror(-rc));
		goto fail;
	}
	return fd;
fail:
	unlink(ext->bar_path);
	close(fd);
	return rc;
}

int
vs_ext_attach(struct vslot_server *srv, unsigned fn, const struct vslot_external *ext,
	char *why, size_t whylen)
{
	struct vslot_fn *f;
	struct vslot_conn *c;
	struct stat st;
	int fd, rc;

	rc = ext_check(srv, fn, ext, why, whylen);
	if (rc < 0)
		return rc;
	f = &srv->fns[fn];
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->ext_path = strdup(ext->bar_path)) == NULL) {
		free(c);
		vslot_fmt(why, whylen, "out of memory");
		return -ENOMEM;
	}
	fd = ext->adopt ? ext_adopt_file(srv, fn, ext, &st, why, whylen) :
		ext_create_file(srv, fn, ext, &st, why, whylen);
	if (fd < 0) {
		free(c->ext_path);
		free(c);
		return fd;
	}
	c->fd = -1;
	c->ext = true;
	c->ext_dev = st.st_dev;
	c->ext_ino = st.st_ino;
	/* the window first: a refused RAM file leaves the BAR as it was */
	rc = vs_dma_map(srv, fn, ext->dma_iova, ext->dma_len, ext->dma_offset, ext->dma_fd, why,
		whylen);
	if (rc == 0) {
		rc = vs_fn_renew_backing(srv, fn, ext->bar, fd);
		if (rc < 0) {
			vslot_fmt(why, whylen, "cannot move the BAR to %s: %s", ext->bar_path,
				strerror(-rc));
			vs_maps_drop(srv, fn);
		}
	}
	close(fd);
	if (rc < 0) {
		if (!ext->adopt)
			unlink(ext->bar_path);
		free(c->ext_path);
		free(c);
		return rc;
	}
	/* from here on the file is what the card calls the BAR: hand it over */
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++)
		if (f->bars[i].present)
			f->bars[i].handed_out = true;
	c->fn = (int)fn;
	f->holder = c;
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		vs_drain_fd(f->irq_fd[v]);
	atomic_store_explicit(&f->faulted, false, memory_order_relaxed);
	f->fault_reported = false;
	atomic_store_explicit(&f->connected, true, memory_order_release);
	vs_log(srv, VSLOT_LOG_INFO, "%s attached externally: BAR%u is %s%s, DMA window iova 0x%"
		PRIx64 " + 0x%" PRIx64, FN_STR(fn), ext->bar, ext->bar_path,
		ext->adopt ? " (adopted)" : "", ext->dma_iova,
		ext->dma_len);
	if (srv->ops.function_opened != NULL)
		srv->ops.function_opened(srv->ctx, fn);
	return 0;
}

int
vs_ext_detach(struct vslot_server *srv, unsigned fn, bool keep_file)
{
	if (fn >= srv->nb_fns)
		return -EINVAL;
	if (srv->fns[fn].holder == NULL || !srv->fns[fn].holder->ext)
		return -ENOENT;
	srv->fns[fn].holder->ext_keep = keep_file;
	vs_fn_detach(srv, fn, VSLOT_REMOVED_UNKNOWN, true);
	return 0;
}

void
vs_ext_release(struct vslot_server *srv, struct vslot_conn *c)
{
	struct stat st;

	/* our file only: a name someone re-created since is not ours to remove */
	if (!c->ext_keep && lstat(c->ext_path, &st) == 0 && st.st_dev == c->ext_dev &&
			st.st_ino == c->ext_ino)
		unlink(c->ext_path);
	vs_log(srv, VSLOT_LOG_DEBUG, "external holder released (%s%s)", c->ext_path,
		c->ext_keep ? ", file kept" : "");
	free(c->ext_path);
	free(c);
}

bool
vslot_server_fn_external(struct vslot_server *srv, unsigned fn)
{
	bool ext;

	if (srv == NULL || fn >= srv->nb_fns)
		return false;
	pthread_mutex_lock(&srv->op_lock);
	ext = srv->fns[fn].holder != NULL && srv->fns[fn].holder->ext;
	pthread_mutex_unlock(&srv->op_lock);
	return ext;
}
