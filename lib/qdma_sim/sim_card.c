/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated card: creation, destruction, the slot callbacks, and the request mailbox through
 * which other threads hand work to the engine thread (the single owner of the card state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_priv.h"

void
sim_log(struct qdma_sim *sim, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (sim->cfg.log != NULL)
		sim->cfg.log(sim->cfg.log_arg, level, buf);
	else
		fprintf(stderr, "qdma_sim: %s\n", buf);
}

uint64_t
sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct sim_fn *
sim_fn_of(struct qdma_sim *sim, unsigned qfn)
{
	if (qfn >= SIM_NB_FUNCS || !sim->fn[qfn].present)
		return NULL;
	return &sim->fn[qfn];
}

/*
 * Hand @rq to the engine and wait until it has executed it. Once the engine has exited (card
 * being destroyed), the request runs inline under the request lock: nobody else owns the state.
 */
int
sim_request(struct qdma_sim *sim, struct sim_req *rq)
{
	rq->done = false;
	rq->result = 0;
	pthread_mutex_lock(&sim->req_lock);
	if (sim->engine_dead || sim->cfg.stepped) {
		sim_exec_request(sim, rq);
		pthread_mutex_unlock(&sim->req_lock);
		return rq->result;
	}
	rq->next = NULL;
	if (sim->req_head == NULL) {
		sim->req_head = rq;
	} else {
		struct sim_req *t = sim->req_head;

		while (t->next != NULL)
			t = t->next;
		t->next = rq;
	}
	__atomic_store_n(&sim->req_pending, 1, __ATOMIC_RELEASE);
	pthread_cond_signal(&sim->wake_cond);
	while (!rq->done)
		pthread_cond_wait(&sim->req_cond, &sim->req_lock);
	pthread_mutex_unlock(&sim->req_lock);
	return rq->result;
}

/* ---- slot callbacks (server thread) ---------------------------------------------------------- */
static int
cb_numvfs(void *ctx, unsigned old_n, unsigned new_n)
{
	struct qdma_sim *sim = ctx;
	struct vslot_bar_desc bar0 = { .index = 0, .size = QDMA_VF_CONFIG_BAR_SIZE };
	struct sim_req rq = { 0 };
	uint32_t **bars = NULL;
	unsigned i;
	int rc;

	if (new_n > 0) {
		if (new_n > sim->cfg.total_vfs || new_n > QDMA_SIM_MAX_VFS)
			return -EINVAL;
		for (i = 0; i < new_n; i++) {
			rc = vslot_server_add_function(sim->srv, VSLOT_FN_VF(i), &bar0, 1);
			if (rc < 0) {
				sim_log(sim, 3, "numvfs %u: cannot add VF %u: %s", new_n, i,
					strerror(-rc));
				while (i-- > 0)
					vslot_server_remove_function(sim->srv, VSLOT_FN_VF(i));
				return rc;
			}
		}
		bars = calloc(new_n, sizeof(*bars));
		if (bars == NULL) {
			rc = -ENOMEM;
			goto undo;
		}
		for (i = 0; i < new_n; i++) {
			size_t sz = 0;

			bars[i] = vslot_server_bar(sim->srv, VSLOT_FN_VF(i), 0, &sz);
			if (bars[i] == NULL || sz < QDMA_VF_CONFIG_BAR_SIZE) {
				rc = -ENODEV;
				goto undo;
			}
		}
		rq.type = SIM_REQ_VF_ADD;
		rq.a = new_n;
		rq.bars = bars;
		rc = sim_request(sim, &rq);
		free(bars);
		bars = NULL;
		if (rc < 0) {
undo:
			free(bars);
			rq.type = SIM_REQ_VF_REMOVE;
			sim_request(sim, &rq);
			for (i = 0; i < new_n; i++)
				vslot_server_remove_function(sim->srv, VSLOT_FN_VF(i));
			return rc;
		}
		sim_log(sim, 6, "numvfs %u -> %u", old_n, new_n);
		return 0;
	}
	rq.type = SIM_REQ_VF_REMOVE;
	sim_request(sim, &rq);
	for (i = 0; i < old_n; i++)
		vslot_server_remove_function(sim->srv, VSLOT_FN_VF(i));
	sim_log(sim, 6, "numvfs %u -> 0", old_n);
	return 0;
}

static void
cb_reset(void *ctx, unsigned slot_fn)
{
	struct qdma_sim *sim = ctx;
	struct sim_req rq = { .type = SIM_REQ_FN_RESET, .a = slot_fn };

	sim_request(sim, &rq);
}

/* The slot swaps a function's BAR backing: run it where the engine does not touch the BARs. */
static void
cb_quiesce(void *ctx, unsigned slot_fn, void (*swap)(void *arg), void *arg)
{
	struct qdma_sim *sim = ctx;
	struct sim_req rq = { .type = SIM_REQ_CALL, .a = slot_fn, .call = swap, .arg = arg };

	sim_request(sim, &rq);
}

/* A function's DMA memory faulted (truncated under the card): its queues go to error. */
static void
cb_fault(void *ctx, unsigned slot_fn)
{
	struct qdma_sim *sim = ctx;
	struct sim_req rq = { .type = SIM_REQ_FN_FAULT, .a = slot_fn };

	sim_request(sim, &rq);
}

static void
srv_log(void *ctx, int level, const char *msg)
{
	struct qdma_sim *sim = ctx;

	if (sim->cfg.log != NULL)
		sim->cfg.log(sim->cfg.log_arg, level, msg);
	else
		fprintf(stderr, "vslot: %s\n", msg);
}

/* ---- API ------------------------------------------------------------------------------------ */
void
qdma_sim_cfg_defaults(struct qdma_sim_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nb_queues = QDMA_SIM_MAX_QUEUES;
	cfg->total_vfs = QDMA_SIM_MAX_VFS;
	cfg->personality = QDMA_SIM_LOOPBACK;
	cfg->card_mem = 1u << 20;
	cfg->engine_cpu = -1;
}

static void
fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, fmt, arg);
}

struct qdma_sim *
qdma_sim_create(const struct qdma_sim_cfg *cfg, char *err, size_t errlen)
{
	struct vslot_bar_desc pf_bars[2] = {
		{ .index = 0, .size = QDMA_PF_CONFIG_BAR_SIZE },
		{ .index = QDMA_USER_BAR_EMU, .size = QDMA_USER_BAR_SIZE_EMU },
	};
	struct vslot_server_ops ops = {
		.numvfs_changed = cb_numvfs,
		.function_reset = cb_reset,
		.quiesce = cb_quiesce,
		.function_fault = cb_fault,
	};
	struct vslot_server_cfg scfg = { 0 };
	struct qdma_sim *sim;
	pthread_condattr_t ca;
	char serr[256] = "";
	size_t sz;
	int rc;

	if (cfg == NULL || cfg->socket_path == NULL) {
		fail(err, errlen, "%s", "no socket path");
		return NULL;
	}
	if (cfg->nb_queues < 1 || cfg->nb_queues > QDMA_SIM_MAX_QUEUES) {
		fail(err, errlen, "%s", "nb_queues must be 1..2048");
		return NULL;
	}
	if (cfg->total_vfs > QDMA_SIM_MAX_VFS) {
		fail(err, errlen, "%s", "total_vfs must be 0..252");
		return NULL;
	}
	if ((unsigned)cfg->personality > QDMA_SIM_SINK) {
		fail(err, errlen, "%s", "unknown personality");
		return NULL;
	}
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL) {
		fail(err, errlen, "%s", "out of memory");
		return NULL;
	}
	sim->cfg = *cfg;
	snprintf(sim->sock_path, sizeof(sim->sock_path), "%s", cfg->socket_path);
	sim->cfg.socket_path = sim->sock_path;
	sim->nb_q = cfg->nb_queues;
	sim->personality = cfg->personality;
	sim->q = calloc(sim->nb_q, sizeof(*sim->q));
	sim->intr_w = calloc((size_t)sim->nb_q * QDMA_INTR_CTX_WORDS, sizeof(uint32_t));
	sim->active = calloc(sim->nb_q, sizeof(*sim->active));
	sim->sched_q = calloc(sim->nb_q, sizeof(*sim->sched_q));
	sim->fifo = calloc(SIM_MBOX_FIFO, sizeof(*sim->fifo));
	sim->card_mem = calloc(1, cfg->card_mem ? cfg->card_mem : 1);
	if (sim->q == NULL || sim->intr_w == NULL || sim->active == NULL || sim->fifo == NULL ||
	    sim->sched_q == NULL || sim->card_mem == NULL) {
		fail(err, errlen, "%s", "out of memory");
		goto fail_free;
	}
	pthread_mutex_init(&sim->req_lock, NULL);
	pthread_cond_init(&sim->req_cond, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sim->wake_cond, &ca);
	pthread_condattr_destroy(&ca);

	scfg.path = sim->sock_path;
	scfg.total_vfs = cfg->total_vfs;
	scfg.open_mode = cfg->open_mode;
	/* One vector per function: the mailbox vector (FN_INTR_VEC, drivers use 0). */
	scfg.nb_irq_vectors = 1;
	scfg.log = srv_log;
	scfg.log_ctx = sim;
	sim->srv = vslot_server_create(&scfg, &ops, sim, serr, sizeof(serr));
	if (sim->srv == NULL) {
		fail(err, errlen, "slot: %s", serr[0] ? serr : strerror(errno));
		goto fail_sync;
	}
	rc = vslot_server_add_function(sim->srv, VSLOT_FN_PF, pf_bars, 2);
	if (rc < 0) {
		fail(err, errlen, "cannot add the PF: %s", strerror(-rc));
		goto fail_srv;
	}
	sim->pf_bar = vslot_server_bar(sim->srv, VSLOT_FN_PF, 0, &sz);
	sim->user.bar = vslot_server_bar(sim->srv, VSLOT_FN_PF, QDMA_USER_BAR_EMU, NULL);
	if (sim->pf_bar == NULL || sz < QDMA_PF_CONFIG_BAR_SIZE || sim->user.bar == NULL) {
		fail(err, errlen, "%s", "PF BARs missing");
		goto fail_srv;
	}
	sim->fn[SIM_PF_QFN].present = true;
	sim->fn[SIM_PF_QFN].qfn = SIM_PF_QFN;
	sim->fn[SIM_PF_QFN].slot = VSLOT_FN_PF;
	sim->fn[SIM_PF_QFN].bar = sim->pf_bar;
	sim->fn[SIM_PF_QFN].bar_size = sz;
	sim_regs_init_pf(sim);
	sim_user_reset(sim, sim->personality);

	if (cfg->stepped) {
		/* the stepping thread's reader: offline except during a step */
		sim->rd = vslot_reader_register(sim->srv);
		if (sim->rd != NULL)
			vslot_reader_offline(sim->rd);
	} else {
		rc = pthread_create(&sim->engine, NULL, sim_engine_main, sim);
		if (rc != 0) {
			fail(err, errlen, "engine thread: %s", strerror(rc));
			goto fail_srv;
		}
		sim->engine_started = true;
	}
	rc = vslot_server_start(sim->srv);
	if (rc < 0) {
		fail(err, errlen, "slot start: %s", strerror(-rc));
		goto fail_engine;
	}
	sim_log(sim, 6, "card up on %s: %u queues, %u total VFs, %s, %zu B card memory",
		sim->sock_path, sim->nb_q, cfg->total_vfs, qdma_sim_personality_name(cfg->personality),
		cfg->card_mem);
	return sim;

fail_engine:
	if (sim->engine_started) {
		__atomic_store_n(&sim->stop, 1, __ATOMIC_RELEASE);
		pthread_mutex_lock(&sim->req_lock);
		pthread_cond_signal(&sim->wake_cond);
		pthread_mutex_unlock(&sim->req_lock);
		pthread_join(sim->engine, NULL);
	}
fail_srv:
	if (sim->cfg.stepped && sim->rd != NULL) {
		vslot_reader_unregister(sim->rd);
		sim->rd = NULL;
	}
	vslot_server_destroy(sim->srv);
fail_sync:
	pthread_cond_destroy(&sim->wake_cond);
	pthread_cond_destroy(&sim->req_cond);
	pthread_mutex_destroy(&sim->req_lock);
fail_free:
	free(sim->card_mem);
	free(sim->fifo);
	free(sim->sched_q);
	free(sim->active);
	free(sim->intr_w);
	free(sim->q);
	free(sim);
	return NULL;
}

void
qdma_sim_destroy(struct qdma_sim *sim)
{
	if (sim == NULL)
		return;
	if (sim->engine_started) {
		__atomic_store_n(&sim->stop, 1, __ATOMIC_RELEASE);
		pthread_mutex_lock(&sim->req_lock);
		pthread_cond_signal(&sim->wake_cond);
		pthread_mutex_unlock(&sim->req_lock);
		pthread_join(sim->engine, NULL);
	}
	if (sim->cfg.stepped && sim->rd != NULL) {
		vslot_reader_unregister(sim->rd);
		sim->rd = NULL;
	}
	vslot_server_destroy(sim->srv);
	pthread_cond_destroy(&sim->wake_cond);
	pthread_cond_destroy(&sim->req_cond);
	pthread_mutex_destroy(&sim->req_lock);
	free(sim->card_mem);
	free(sim->fifo);
	free(sim->sched_q);
	free(sim->active);
	free(sim->intr_w);
	free(sim->q);
	free(sim);
}

int
qdma_sim_load_personality(struct qdma_sim *sim, enum qdma_sim_personality p)
{
	struct sim_req rq = { .type = SIM_REQ_PERSONALITY, .a = (unsigned)p };

	if (sim == NULL || (unsigned)p > QDMA_SIM_SINK)
		return -EINVAL;
	return sim_request(sim, &rq);
}

int
qdma_sim_inject(struct qdma_sim *sim, enum qdma_sim_fault f, unsigned int target, uint32_t count)
{
	struct sim_req rq = { .type = SIM_REQ_INJECT, .a = (unsigned)f, .b = target, .c = count };

	if (sim == NULL || (unsigned)f > QDMA_SIM_FAULT_STALL)
		return -EINVAL;
	return sim_request(sim, &rq);
}

void
qdma_sim_get_stats(struct qdma_sim *sim, struct qdma_sim_stats *st)
{
	const uint64_t *src = (const uint64_t *)&sim->st;
	uint64_t *dst = (uint64_t *)st;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static const char *const pers_names[] = { "loopback", "generator", "sink" };

const char *
qdma_sim_personality_name(enum qdma_sim_personality p)
{
	return (unsigned)p <= QDMA_SIM_SINK ? pers_names[p] : "?";
}

int
qdma_sim_personality_parse(const char *s)
{
	unsigned i;

	for (i = 0; s != NULL && i <= QDMA_SIM_SINK; i++)
		if (strcmp(s, pers_names[i]) == 0)
			return (int)i;
	return -1;
}

int
qdma_sim_attach_vm(struct qdma_sim *sim, unsigned int vf, const struct vslot_external *ext,
		char *err, size_t errlen)
{
	struct vslot_external e;

	if (sim == NULL || ext == NULL || vf >= QDMA_SIM_MAX_VFS) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "bad arguments");
		return -EINVAL;
	}
	e = *ext;
	e.bar = QDMA_PCI_CONFIG_BAR;
	return vslot_server_attach_external(sim->srv, VSLOT_FN_VF(vf), &e, err, errlen);
}

int
qdma_sim_detach_vm(struct qdma_sim *sim, unsigned int vf)
{
	if (sim == NULL || vf >= QDMA_SIM_MAX_VFS)
		return -EINVAL;
	return vslot_server_detach_external(sim->srv, VSLOT_FN_VF(vf));
}

int
qdma_sim_detach_vm_keep(struct qdma_sim *sim, unsigned int vf)
{
	if (sim == NULL || vf >= QDMA_SIM_MAX_VFS)
		return -EINVAL;
	return vslot_server_detach_external_keep(sim->srv, VSLOT_FN_VF(vf));
}
