/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server half of lib/vslot: create, start, destroy, the listening socket, logging. See
 * vslot_server.h for the contract; vslot_srv_priv.h for how the server is split.
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
#include <sys/random.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vslot_srv_priv.h"

/* ------------------------------------------------------------------------ */
/* logging */

void
vs_log(struct vslot_server *srv, int level, const char *fmt, ...)
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

void
vs_log_rl(struct vslot_server *srv, struct vs_ratelimit *rl, int level, const char *fmt, ...)
{
	uint64_t now = vslot_now_ms();
	char buf[400];
	va_list ap;

	if (rl->last_ms != 0 && now - rl->last_ms < VSLOT_LOG_RL_MS) {
		rl->suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rl->suppressed != 0)
		vs_log(srv, level, "%s [%u similar messages suppressed]", buf, rl->suppressed);
	else
		vs_log(srv, level, "%s", buf);
	rl->last_ms = now;
	rl->suppressed = 0;
}

/* ------------------------------------------------------------------------ */
/* the socket's directory and the PF key */

/* The directory of the socket: created 0700 if missing; refused if others may replace files. */
static int
check_dir(struct vslot_server *srv, char *err, size_t errlen)
{
	char dir[sizeof(srv->path)];
	char *slash;
	struct stat st;

	memcpy(dir, srv->path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0 || chmod(dir, 0700) < 0) {
			int e = errno;

			vslot_fmt(err, errlen, "vslot: socket directory %s: %s", dir, strerror(e));
			return -e;
		}
		vs_log(srv, VSLOT_LOG_INFO, "created the socket directory %s (mode 0700)", dir);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		vslot_fmt(err, errlen, "vslot: %s is not a directory", dir);
		return -ENOTDIR;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 0;
	if (!(st.st_mode & S_ISVTX)) {
		vslot_fmt(err, errlen, "vslot: the socket directory %s is writable by group or others "
			"(mode %04o): another user could replace the socket or the PF key; use a "
			"directory of mode 0700", dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	vs_log(srv, VSLOT_LOG_WARNING, "*** the socket directory %s is writable by others (mode "
		"%04o, sticky): use a private directory of mode 0700 ***", dir,
		(unsigned)(st.st_mode & 07777));
	return 0;
}

/* A fresh random PF key, written (hex) to key_path: 0600, created atomically. */
static int
write_pf_key(struct vslot_server *srv, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32];
	char hex[2 * VSLOT_PF_KEY_LEN + 1];
	struct stat st;
	ssize_t n;
	int fd;

	if (getrandom(srv->pf_key, sizeof(srv->pf_key), 0) != (ssize_t)sizeof(srv->pf_key)) {
		vslot_fmt(err, errlen, "vslot: getrandom: %s", strerror(errno));
		return -EIO;
	}
	for (unsigned i = 0; i < VSLOT_PF_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", srv->pf_key[i]);
	hex[2 * VSLOT_PF_KEY_LEN] = '\n';
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", srv->key_path, (long)getpid());
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: cannot create the PF key %s: %s", tmp, strerror(e));
		return -e;
	}
	n = write(fd, hex, sizeof(hex));
	if (n != (ssize_t)sizeof(hex) || fchmod(fd, 0600) < 0 || fstat(fd, &st) < 0 ||
			rename(tmp, srv->key_path) < 0) {
		int e = n < 0 || n == (ssize_t)sizeof(hex) ? errno : EIO;

		close(fd);
		unlink(tmp);
		vslot_fmt(err, errlen, "vslot: cannot write the PF key %s: %s", srv->key_path,
			strerror(e));
		return -e;
	}
	close(fd);
	srv->key_dev = st.st_dev;
	srv->key_ino = st.st_ino;
	srv->key_written = true;
	return 0;
}

const char *
vslot_server_pf_key_path(struct vslot_server *srv)
{
	return srv != NULL ? srv->key_path : NULL;
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
		vs_log(srv, VSLOT_LOG_INFO, "removing stale socket %s", srv->path);
		unlink(srv->path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		int e = errno;

		vslot_fmt(err, errlen, "vslot: socket: %s", strerror(e));
		return -e;
	}
	/* the mode bind() gives the file comes from the socket inode: never wider than asked */
	if (fchmod(fd, (mode_t)srv->cfg.socket_mode) < 0)
		vs_log(srv, VSLOT_LOG_DEBUG, "fchmod of the socket before bind: %s", strerror(errno));
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
	if (chmod(srv->path, (mode_t)srv->cfg.socket_mode) < 0) {
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
	if (srv->key_written) {
		struct stat st;

		/* our key only: a successor's must stay */
		if (stat(srv->key_path, &st) == 0 && st.st_dev == srv->key_dev &&
				st.st_ino == srv->key_ino)
			unlink(srv->key_path);
	}
	vs_fault_unregister(srv);
	explicit_bzero(srv->pf_key, sizeof(srv->pf_key));
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	if (srv->fns != NULL) {
		for (unsigned i = 0; i < srv->nb_fns; i++) {
			struct vslot_fn *f = &srv->fns[i];

			vs_bars_release(f->bars);
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
	srv->max_map_bytes = cfg->max_dma_bytes ? cfg->max_dma_bytes : VSLOT_DEFAULT_MAX_DMA_BYTES;
	if (srv->cfg.hello_timeout_ms == 0)
		srv->cfg.hello_timeout_ms = VSLOT_DEFAULT_HELLO_TIMEOUT_MS;
	if (srv->cfg.max_pending_conns == 0)
		srv->cfg.max_pending_conns = VSLOT_DEFAULT_MAX_PENDING_CONNS;
	if (srv->cfg.socket_mode == 0)
		srv->cfg.socket_mode = 0600;
	srv->uid = geteuid();
	srv->sig_slot = -1;
	atomic_init(&srv->fault_pending, false);
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
		atomic_init(&f->faulted, false);
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
	if (cfg->pf_key_path != NULL)
		rc = snprintf(srv->key_path, sizeof(srv->key_path), "%s", cfg->pf_key_path) <
			(int)sizeof(srv->key_path) ? 0 : -ENAMETOOLONG;
	else
		rc = vslot_pf_key_default_path(srv->path, srv->key_path, sizeof(srv->key_path));
	if (rc < 0) {
		vslot_fmt(err, errlen, "vslot: PF key path too long");
		goto fail;
	}
	srv->cfg.pf_key_path = srv->key_path;
	rc = check_dir(srv, err, errlen);
	if (rc < 0)
		goto fail;
	rc = bind_socket(srv, err, errlen);
	if (rc < 0)
		goto fail;
	/* replaced at every start: a former key (and whoever read it) opens nothing */
	rc = write_pf_key(srv, err, errlen);
	if (rc < 0)
		goto fail;
	vs_fault_register(srv);
	if (cfg->open_mode)
		vs_log(srv, VSLOT_LOG_WARNING,
			"*** OPEN MODE on %s: any client may open any existing VF WITHOUT a token. "
			"Development and tests only (VFs; the PF still needs its key). ***",
			srv->path);
	vs_log(srv, VSLOT_LOG_INFO, "listening on %s (totalvfs %u, %u irq vectors)", srv->path,
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
	rc = pthread_create(&srv->thread, NULL, vs_server_main, srv);
	if (rc == 0) {
		srv->thread_created = true;
		srv->running = true;
	}
	pthread_mutex_unlock(&srv->cmd_lock);
	if (rc != 0) {
		vs_log(srv, VSLOT_LOG_ERR, "cannot start the server thread: %s", strerror(rc));
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

			vs_send_removed(srv, c, (unsigned)c->fn, VSLOT_REMOVED_SHUTDOWN);
			f->holder = NULL;
			atomic_store(&f->connected, false);
		}
		shutdown(c->fd, SHUT_RDWR);
		vs_conn_free(c);
	}
	srv->nb_conns = 0;
	/* unpublish every table, grace period, unmap (readers should be offline by now) */
	for (unsigned i = 0; i < srv->nb_fns; i++)
		vs_maps_drop(srv, i);
	vs_qsbr_sync(srv);
	pthread_mutex_unlock(&srv->op_lock);
	srv_free(srv);
}


int
vslot_server_poll(struct vslot_server *srv, int timeout_ms)
{
	bool running;

	if (srv == NULL)
		return -EINVAL;
	pthread_mutex_lock(&srv->cmd_lock);
	running = srv->thread_created;
	pthread_mutex_unlock(&srv->cmd_lock);
	if (running)
		return -EBUSY;
	return vs_serve_once(srv, timeout_ms < 0 ? 0 : timeout_ms);
}

void
vslot_server_get_stats(struct vslot_server *srv, struct vslot_server_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->op_lock);
	*st = srv->st;
	st->nb_conns = srv->nb_conns;
	st->nb_pending = srv->nb_pending;
	st->nb_maps = 0;
	st->map_bytes = 0;
	for (unsigned i = 0; i < srv->nb_fns; i++) {
		st->nb_maps += atomic_load_explicit(&srv->fns[i].nb_maps, memory_order_relaxed);
		st->map_bytes += srv->fns[i].map_bytes;
	}
	pthread_mutex_unlock(&srv->op_lock);
}
