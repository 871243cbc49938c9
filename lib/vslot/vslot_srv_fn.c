/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server half of lib/vslot: functions and their lifecycle (add, remove, detach = FLR), API
 * calls run in server context, interrupts.
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

#include "vslot_srv_priv.h"

/* ------------------------------------------------------------------------ */
/* functions (server context) */

/* ------------------------------------------------------------------------ */
/* connections and functions (server context) */

void
vs_drain_fd(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/*
 * Detach the client of @fn (if any): optional REMOVED notice, disconnect,
 * drop its maps, then function_reset().
 */
void
vs_fn_detach(struct vslot_server *srv, unsigned fn, unsigned reason, bool reset)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vslot_conn *c = f->holder;

	if (c == NULL)
		return;
	f->holder = NULL;
	atomic_store_explicit(&f->connected, false, memory_order_release);
	c->fn = -1;
	if (reason != VSLOT_REMOVED_UNKNOWN)
		vs_send_removed(srv, c, fn, reason);
	vs_conn_kill(c);
	vs_maps_drop(srv, fn);
	vs_log(srv, VSLOT_LOG_INFO, "%s: client (pid %ld) detached (%s): function reset",
		FN_STR(fn), (long)c->pid,
		reason == VSLOT_REMOVED_UNKNOWN ? "connection closed" :
		vslot_remove_reason_str(reason));
	if (reset && srv->ops.function_reset != NULL)
		srv->ops.function_reset(srv->ctx, fn);
}

void
vs_bars_release(struct vslot_bar *bars)
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
		vs_log(srv, VSLOT_LOG_ERR, "add_function: bad arguments (fn %u, %u BARs)", fn, nb);
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
			vs_log(srv, VSLOT_LOG_ERR, "add_function %s: bad BAR %u (size %zu)",
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
	vs_log(srv, VSLOT_LOG_DEBUG, "%s added (%u BARs)", FN_STR(fn), nb);
	return 0;

fail_sys:
	vs_log(srv, VSLOT_LOG_ERR, "add_function %s: %s", FN_STR(fn), strerror(-rc));
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
	vs_fn_detach(srv, fn, VSLOT_REMOVED_FUNCTION, true);
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
	vs_qsbr_sync(srv);
	vs_bars_release(bars);
	if (f->irqs_created)
		for (unsigned v = 0; v < srv->nb_irqs; v++)
			vs_drain_fd(f->irq_fd[v]);
	vs_log(srv, VSLOT_LOG_DEBUG, "%s removed", FN_STR(fn));
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
void
vs_run_commands(struct vslot_server *srv, bool fail)
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
