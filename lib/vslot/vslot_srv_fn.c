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

void
vs_drain_fd(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}


/* A sealed memfd of @len zero bytes for BAR @bar of @fn (a client must not resize it). */
static int
bar_memfd(struct vslot_server *srv, unsigned fn, unsigned bar, size_t len)
{
	char name[32];
	int mfd;

	(void)srv;
	snprintf(name, sizeof(name), "vslot-%s-bar%u", FN_STR(fn), bar);
	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	if (ftruncate(mfd, (off_t)len) < 0 ||
			fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int e = errno;

		close(mfd);
		return -e;
	}
	return mfd;
}

struct vs_swap {
	struct vslot_server *srv;
	unsigned fn;
	int newfd[VSLOT_MAX_BARS];
	int rc;
};

/*
 * Runs where the card does not touch the BARs: copy each BAR into its new memfd and map the
 * new memfd at the card's address (one mmap: no instant without a mapping there).
 */
static void
swap_bars(void *arg)
{
	struct vs_swap *sw = arg;
	struct vslot_fn *f = &sw->srv->fns[sw->fn];

	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		struct vslot_bar *b = &f->bars[i];
		size_t done = 0;

		if (!b->present || sw->newfd[i] < 0)
			continue;
		while (done < b->map_len) {
			ssize_t n = pwrite(sw->newfd[i], (uint8_t *)b->map + done, b->map_len - done,
				(off_t)done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				sw->rc = n < 0 ? -errno : -EIO;
				return;
			}
			done += (size_t)n;
		}
	}
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		struct vslot_bar *b = &f->bars[i];

		if (!b->present || sw->newfd[i] < 0)
			continue;
		if (mmap(b->map, b->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				sw->newfd[i], 0) == MAP_FAILED) {
			sw->rc = -errno;
			return;
		}
		/* from here on the card's BAR is the new memfd */
		close(b->memfd);
		b->memfd = sw->newfd[i];
		sw->newfd[i] = -1;
		b->handed_out = false;
	}
}

/* New eventfd objects behind the function's (fixed) irq fd numbers. */
static int
renew_irqs(struct vslot_server *srv, struct vslot_fn *f)
{
	if (!f->irqs_created)
		return 0;
	for (unsigned v = 0; v < srv->nb_irqs; v++) {
		int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (e < 0)
			return -errno;
		/* atomic: vslot_irq_raise() writes to the old or the new object, never a hole */
		if (dup3(e, f->irq_fd[v], O_CLOEXEC) < 0) {
			int rc = -errno;

			close(e);
			return rc;
		}
		close(e);
	}
	return 0;
}

/* Was any BAR memfd of @f given to a client since its last renewal? */
static bool
fn_handed_out(const struct vslot_fn *f)
{
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++)
		if (f->bars[i].present && f->bars[i].handed_out)
			return true;
	return false;
}

/*
 * Fresh backing for @fn (see "Fresh backing" in vslot_server.h): what any former holder
 * mapped or holds is connected to nothing afterwards. On failure the function is marked
 * stale (HELLO refuses it until a later renewal succeeds).
 */
int
vs_fn_renew_backing(struct vslot_server *srv, unsigned fn, unsigned ext_bar, int ext_fd)
{
	struct vslot_fn *f = &srv->fns[fn];
	struct vs_swap sw = { .srv = srv, .fn = fn };
	int rc = 0;

	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		sw.newfd[i] = -1;
		if (!f->bars[i].present)
			continue;
		if (i == ext_bar) {
			sw.newfd[i] = fcntl(ext_fd, F_DUPFD_CLOEXEC, 0);
			if (sw.newfd[i] < 0)
				sw.newfd[i] = -errno;
		} else {
			sw.newfd[i] = bar_memfd(srv, fn, i, f->bars[i].map_len);
		}
		if (sw.newfd[i] < 0) {
			rc = sw.newfd[i];
			sw.newfd[i] = -1;
			goto out;
		}
	}
	if (srv->ops.quiesce != NULL)
		srv->ops.quiesce(srv->ctx, fn, swap_bars, &sw);
	else
		swap_bars(&sw);
	rc = sw.rc;
	if (rc == 0 && fn_handed_out(f))
		rc = -EIO; /* the card did not run the swap */
	if (rc == 0)
		rc = renew_irqs(srv, f);
out:
	vslot_close_fds(sw.newfd, VSLOT_MAX_BARS);
	f->stale = rc < 0;
	if (rc < 0)
		vs_log(srv, VSLOT_LOG_ERR, "%s: cannot renew the BAR/irq backing (%s): the function "
			"cannot be opened until it is reset again", FN_STR(fn), strerror(-rc));
	return rc;
}

static int
fn_renew_backing(struct vslot_server *srv, unsigned fn)
{
	return vs_fn_renew_backing(srv, fn, VSLOT_MAX_BARS, -1);
}

/*
 * Detach the client of @fn (if any): optional REMOVED notice, disconnect,
 * drop its maps, fresh backing (unless the function is about to go), then
 * function_reset().
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
	if (reason != VSLOT_REMOVED_UNKNOWN && !c->ext)
		vs_send_removed(srv, c, fn, reason);
	if (!c->ext)
		vs_conn_kill(srv, c);
	vs_maps_drop(srv, fn);
	atomic_store_explicit(&f->faulted, false, memory_order_relaxed);
	f->fault_reported = false;
	if (reason != VSLOT_REMOVED_FUNCTION && reason != VSLOT_REMOVED_NUMVFS &&
			reason != VSLOT_REMOVED_SHUTDOWN)
		fn_renew_backing(srv, fn);
	vs_log(srv, VSLOT_LOG_INFO, "%s: %s (pid %ld) detached (%s): function reset",
		FN_STR(fn), c->ext ? "external holder" : "client", (long)c->pid,
		reason == VSLOT_REMOVED_UNKNOWN ? (c->ext ? "detach" : "connection closed") :
		vslot_remove_reason_str(reason));
	if (reset && srv->ops.function_reset != NULL)
		srv->ops.function_reset(srv->ctx, fn);
	if (c->ext)
		vs_ext_release(srv, c);
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
		int mfd;

		if (!bars[i].present)
			continue;
		mfd = bar_memfd(srv, fn, i, bars[i].map_len);
		if (mfd < 0) {
			rc = mfd;
			goto fail_sys;
		}
		bars[i].memfd = mfd;
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
	} else {
		/* a function added again: its former holder's eventfds must stay dead */
		rc = renew_irqs(srv, f);
		if (rc < 0)
			goto fail_sys;
	}
	f->stale = false;
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
	case VSLOT_CMD_ATTACH_EXT:
		return vs_ext_attach(srv, cmd->fn, cmd->ext, cmd->why, cmd->whylen);
	case VSLOT_CMD_DETACH_EXT:
	case VSLOT_CMD_DETACH_EXT_KEEP:
		return vs_ext_detach(srv, cmd->fn, cmd->op == VSLOT_CMD_DETACH_EXT_KEEP);
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
vslot_server_attach_external(struct vslot_server *srv, unsigned fn,
	const struct vslot_external *ext, char *why, size_t whylen)
{
	struct vslot_cmd cmd = {
		.op = VSLOT_CMD_ATTACH_EXT, .fn = fn, .ext = ext, .why = why, .whylen = whylen,
	};

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (srv == NULL || ext == NULL)
		return -EINVAL;
	return srv_call(srv, &cmd);
}

int
vslot_server_detach_external(struct vslot_server *srv, unsigned fn)
{
	struct vslot_cmd cmd = { .op = VSLOT_CMD_DETACH_EXT, .fn = fn };

	if (srv == NULL)
		return -EINVAL;
	return srv_call(srv, &cmd);
}

int
vslot_server_detach_external_keep(struct vslot_server *srv, unsigned fn)
{
	struct vslot_cmd cmd = { .op = VSLOT_CMD_DETACH_EXT_KEEP, .fn = fn };

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
/* open (HELLO), grants, SR-IOV (server context) */

/* Constant time: the comparison must not tell how much of a key was right. */
static bool
key_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (unsigned i = 0; i < VSLOT_PF_KEY_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Is @c allowed to open @fn? Returns NULL or the (logged, never sent) reason. */
static const char *
open_refusal(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, uint64_t token,
	const uint8_t *key, bool *bad_cred)
{
	struct vslot_fn *f;

	*bad_cred = false;
	if (fn >= srv->nb_fns)
		return "no such function";
	f = &srv->fns[fn];
	if (VSLOT_FN_IS_VF(fn) && VSLOT_FN_VF_INDEX(fn) >= atomic_load(&srv->numvfs))
		return "VF beyond numvfs";
	if (!f->exists)
		return "function not present";
	if (fn == VSLOT_FN_PF) {
		*bad_cred = true;
		if (c->uid != srv->uid && c->uid != 0)
			return "PF: peer uid is neither the server's nor root";
		if (!key_equal(key, srv->pf_key))
			return "PF: bad key";
		*bad_cred = false;
	} else if (!srv->cfg.open_mode) {
		if (!f->granted)
			return "VF not granted";
		if ((f->token ^ token) != 0) {
			*bad_cred = true;
			return "bad token";
		}
	}
	if (f->holder != NULL)
		return "busy";
	if (f->stale)
		return "backing could not be renewed";
	return NULL;
}

int
vs_fn_open(struct vslot_server *srv, struct vslot_conn *c, unsigned fn, uint64_t token,
	const uint8_t *key, struct vslot_msg_hello_reply *rep, int *fds, unsigned *nfds)
{
	struct vslot_fn *f;
	bool bad_cred;
	const char *why = open_refusal(srv, c, fn, token, key, &bad_cred);
	unsigned nb = 0;

	if (why != NULL) {
		srv->st.hello_refused++;
		if (bad_cred)
			srv->st.bad_credentials++;
		vs_log_rl(srv, &srv->rl_hello, VSLOT_LOG_WARNING,
			"HELLO for function %u from pid %ld uid %ld refused: %s (%" PRIu64
			" refusals, %" PRIu64 " bad credentials so far)", fn, (long)c->pid,
			(long)c->uid, why, srv->st.hello_refused, srv->st.bad_credentials);
		return -EACCES;
	}
	f = &srv->fns[fn];
	if (fn_handed_out(f) && fn_renew_backing(srv, fn) < 0)
		return -EACCES; /* (a detach renews it: this is the belt to those braces) */
	if (VSLOT_FN_IS_VF(fn) && srv->cfg.open_mode)
		vs_log(srv, VSLOT_LOG_WARNING,
			"OPEN MODE: %s opened by pid %ld without a token check", FN_STR(fn),
			(long)c->pid);
	f->holder = c;
	c->fn = (int)fn;
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		vs_drain_fd(f->irq_fd[v]);
	atomic_store_explicit(&f->faulted, false, memory_order_relaxed);
	f->fault_reported = false;
	atomic_store_explicit(&f->connected, true, memory_order_release);

	rep->function = htole32(fn);
	*nfds = 0;
	for (unsigned i = 0; i < VSLOT_MAX_BARS; i++) {
		if (!f->bars[i].present)
			continue;
		rep->bars[nb].index = htole32(i);
		rep->bars[nb].size = htole64(f->bars[i].size);
		fds[(*nfds)++] = f->bars[i].memfd;
		f->bars[i].handed_out = true;
		nb++;
	}
	for (unsigned v = 0; v < srv->nb_irqs; v++)
		fds[(*nfds)++] = f->irq_fd[v];
	rep->nb_bars = htole16((uint16_t)nb);
	rep->nb_irqs = htole16((uint16_t)srv->nb_irqs);
	vs_log(srv, VSLOT_LOG_INFO, "%s opened by pid %ld", FN_STR(fn), (long)c->pid);
	if (srv->ops.function_opened != NULL)
		srv->ops.function_opened(srv->ctx, fn);
	return 0;
}

int
vs_fn_grant(struct vslot_server *srv, unsigned vf, uint64_t token, bool grant, char *why,
	size_t whylen)
{
	unsigned numvfs = atomic_load(&srv->numvfs);
	struct vslot_fn *f;

	if (vf >= srv->nb_fns - 1) {
		vslot_fmt(why, whylen, "no VF %u (totalvfs is %u)", vf, srv->nb_fns - 1);
		return -EINVAL;
	}
	if (vf >= numvfs) {
		vslot_fmt(why, whylen, "vf%u does not exist (numvfs is %u)", vf, numvfs);
		return -ENODEV;
	}
	f = &srv->fns[VSLOT_FN_VF(vf)];
	if (!grant) {
		f->granted = false;
		f->token = 0;
		vs_log(srv, VSLOT_LOG_INFO, "vf%u: grant revoked", vf);
		vs_fn_detach(srv, VSLOT_FN_VF(vf), VSLOT_REMOVED_REVOKED, true);
		return 0;
	}
	if (token == 0) {
		vslot_fmt(why, whylen, "token 0 is reserved");
		return -EINVAL;
	}
	if (f->holder != NULL && (!f->granted || f->token != token)) {
		vslot_fmt(why, whylen, "vf%u is held by a client; revoke it first", vf);
		return -EBUSY;
	}
	f->granted = true;
	f->token = token;
	vs_log(srv, VSLOT_LOG_INFO, "vf%u: granted", vf);
	return 0;
}

static int
numvfs_to_zero(struct vslot_server *srv, unsigned old)
{
	int rc = 0;

	for (unsigned v = 0; v < old; v++) {
		struct vslot_fn *f = &srv->fns[VSLOT_FN_VF(v)];

		f->granted = false;
		f->token = 0;
		vs_fn_detach(srv, VSLOT_FN_VF(v), VSLOT_REMOVED_NUMVFS, true);
	}
	atomic_store(&srv->numvfs, 0);
	if (srv->ops.numvfs_changed != NULL)
		rc = srv->ops.numvfs_changed(srv->ctx, old, 0);
	if (rc != 0)
		vs_log(srv, VSLOT_LOG_WARNING, "numvfs %u -> 0: card callback failed (%d)", old, rc);
	vs_log(srv, VSLOT_LOG_INFO, "numvfs %u -> 0", old);
	return 0;
}

int
vs_set_numvfs(struct vslot_server *srv, unsigned n, char *why, size_t whylen)
{
	unsigned old = atomic_load(&srv->numvfs);
	unsigned total = srv->nb_fns - 1;
	int rc = 0;

	if (n > total) {
		vslot_fmt(why, whylen, "%u > totalvfs %u", n, total);
		return -EINVAL;
	}
	if (n == old)
		return 0;
	if (old != 0 && n != 0) {
		vslot_fmt(why, whylen, "%u -> %u refused: set 0 first (as sysfs sriov_numvfs)", old,
			n);
		return -EBUSY;
	}
	if (n == 0)
		return numvfs_to_zero(srv, old);
	if (srv->ops.numvfs_changed != NULL)
		rc = srv->ops.numvfs_changed(srv->ctx, 0, n);
	if (rc != 0) {
		if (rc > 0 || rc < -4095)
			rc = -EIO;
		vslot_fmt(why, whylen, "%u VFs: the card refused: %s", n, strerror(-rc));
		return rc;
	}
	atomic_store(&srv->numvfs, n);
	for (unsigned v = 0; v < n; v++)
		if (!srv->fns[VSLOT_FN_VF(v)].exists)
			vs_log(srv, VSLOT_LOG_WARNING, "numvfs %u: the card did not add vf%u", n, v);
	vs_log(srv, VSLOT_LOG_INFO, "numvfs 0 -> %u", n);
	return 0;
}

bool
vslot_server_fn_faulted(struct vslot_server *srv, unsigned fn)
{
	if (srv == NULL || fn >= srv->nb_fns)
		return false;
	return atomic_load_explicit(&srv->fns[fn].faulted, memory_order_relaxed);
}
