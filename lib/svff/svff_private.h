/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal state of the control plane, shared by lib/svff's own files.
 *
 * Threading: the manager lcore (svff_run()) owns everything below.  The
 * telemetry threads only post a struct svff_req on the request ring and
 * wait for the reply (svff_request()).
 */
#ifndef SVFF_PRIVATE_H
#define SVFF_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_log.h>
#include <rte_pmd_qdma.h>

#include "svff.h"
#include "svff_hv.h"
#include "svff_journal.h"
#include "svff_params.h"
#include "svff_qm.h"

extern int svff_logtype;
#define SVFF_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, svff_logtype, "svff: " fmt "\n", ##__VA_ARGS__)

/** Most VFs (the emulated card's TotalVFs; QDMA: 252). */
#define SVFF_MAX_VFS 252
/** Longest string value of a telemetry reply (RTE_TEL_MAX_STRING_LEN), with its NUL. */
#define SVFF_REPLY_STR_MAX 128
/** What a reply may use of the 16 KiB telemetry message (DPDK adds its framing). */
#define SVFF_REPLY_BUDGET 15500
/** Journal records between two compactions. */
#define SVFF_JOURNAL_COMPACT_EVERY 256
/** Operations kept for /svff/ops. */
#define SVFF_OPS_KEPT 64

/** Per-VF lifecycle state (design.md §4). */
enum svff_vf_state {
	SVFF_VF_ABSENT = 0, /**< not enabled (beyond numvfs) */
	SVFF_VF_READY,      /**< enabled, queues placed, not given to a VM */
	SVFF_VF_ATTACHED,   /**< given to vm */
	SVFF_VF_PAUSED,     /**< given to vm, queues stopped (the pause issue) */
	SVFF_VF_FAILED,     /**< misbehaved: see reason; detach still works */
	SVFF_VF_NB_STATES
};

const char *svff_vf_state_name(enum svff_vf_state st);
int svff_vf_state_parse(const char *name);

struct svff_vf {
	enum svff_vf_state state;
	char vm[SVFF_HV_NAME_MAX + 1];
	uint64_t token;          /**< emulated: the grant (journaled) */
	struct svff_hv_vm_link link; /**< emulated, in a VM: how to find it again (journaled) */
	uint32_t quota;          /**< queues reserved (the table has the range) */
	char reason[128];        /**< failed: why */
	/* counters */
	uint64_t attaches, detaches;
	uint64_t gone_events, stuck_events, flood_events, byes;
	/* last operation on this VF */
	uint64_t last_op_id;
	char last_op[16];
	uint64_t last_op_us;
	/* pause (svff_pause.c) */
	struct rte_pmd_qdma_qctx *snap; /**< saved contexts while paused (malloc) */
	uint32_t nsnap;
	char pause_path[16];     /**< while paused: "cooperative", "reset" (RESET_PREPARE),
				  *   "forced", "suspended" (forced, VM suspended) */
	char last_path[16];      /**< the path of its last pause (after unpause too) */
	uint64_t pauses, unpauses, forced_pauses;
};

/** Operation outcome. */
enum svff_op_state {
	SVFF_OP_RUNNING = 0,
	SVFF_OP_DONE,
	SVFF_OP_FAILED,
	SVFF_OP_COMPLETED_AFTER_RESTART, /**< cut by a crash, finished on restart */
	SVFF_OP_ROLLED_BACK,             /**< cut by a crash, undone on restart */
};

struct svff_op {
	uint64_t id;
	char name[16];
	char target[48];
	enum svff_op_state state;
	uint32_t steps_done, steps_total;
	uint64_t start_ms;     /**< wall clock (ms since the epoch) */
	uint64_t dur_us;
	uint64_t start_us;     /**< monotonic */
	char result[160];
	char detail[128];      /**< per-VF outcome of a batch ("0:cooperative 1:forced ...") */
};

/** Commands the telemetry side posts. */
enum svff_cmd {
	SVFF_CMD_INFO = 0,
	SVFF_CMD_VFS,
	SVFF_CMD_VF,
	SVFF_CMD_OPS,
	SVFF_CMD_DEBUG_CARD,
	SVFF_CMD_INIT,
	SVFF_CMD_ATTACH,
	SVFF_CMD_DETACH,
	SVFF_CMD_RECONF,
	SVFF_CMD_PAUSE,
	SVFF_CMD_UNPAUSE,
	SVFF_CMD_NB
};

#define SVFF_REQ_MAX_PARAMS 5

/** A request from a telemetry thread to the manager. */
struct svff_req {
	enum svff_cmd cmd;
	struct svff_param_val p[SVFF_REQ_MAX_PARAMS];
	json_t *reply;          /**< set by the manager */
	uint32_t state;         /**< SVFF_REQ_* (atomic) */
	uint32_t refs;          /**< 2 while both sides hold it (atomic) */
	bool long_op;           /**< the manager runs it in steps */
};
enum { SVFF_REQ_QUEUED = 0, SVFF_REQ_TAKEN, SVFF_REQ_DONE, SVFF_REQ_CANCELLED };

struct rte_ring;
struct rte_pmd_qdma_qctx;

/* What a batch does once its VFs are paused (svff_batch.c). */
enum svff_batch_kind {
	SVFF_BATCH_PAUSE = 0,     /**< pause vf=N|all: nothing more */
	SVFF_BATCH_QUOTA,         /**< reconf of the quotas of a set of VFs */
	SVFF_BATCH_NUMVFS,        /**< reconf of the VF count */
	SVFF_BATCH_PERSONALITY,   /**< reload of the card's user logic */
};

/* One VF of a batch. */
struct svff_bvf {
	uint16_t vf;
	uint8_t st;              /**< SVFF_BVF_* */
	bool pause;              /**< this batch pauses it */
	char what[16];           /**< its outcome: kept, moved, paused, re-attached, removed, ... */
	bool keep;               /**< numvfs: its VM keeps the device across the change */
	struct rte_pmd_qdma_vf_reg reg; /**< numvfs, kept: what the PF held of its driver */
};
enum { SVFF_BVF_WAIT = 0, SVFF_BVF_NOW, SVFF_BVF_PAUSED, SVFF_BVF_FAILED, SVFF_BVF_IDLE,
	SVFF_BVF_RESET };

/* A batch: pause a set of VFs, waiting for their answers between other work, then act. */
struct svff_batch {
	bool active;
	enum svff_batch_kind kind;
	bool one;                /**< vf=N: the single-VF reply */
	struct svff_req *req;    /**< to answer when done */
	struct svff_op *op;
	uint64_t deadline_us;    /**< no answer by then: paused by force */
	uint32_t n;
	struct svff_bvf e[SVFF_MAX_VFS];
	uint32_t qmax, numvfs, old_numvfs;
	int personality;
	struct svff_qm_plan *plan;
};
/* A long operation (init) runs in steps between other work. */
struct svff_long_op {
	bool active;
	struct svff_req *req;   /**< to answer when done (NULL after a restart) */
	struct svff_op *op;
	uint32_t numvfs, qmax, next;
	int phase;
	struct svff_qm_plan *plan;
};

struct svff {
	struct svff_config cfg;
	uint64_t start_time;   /* CLOCK_MONOTONIC seconds */
	bool pf_attached;      /* we probed the PF vdev (emulated card) */
	uint16_t pf_port;      /* the PF's ethdev port */
	uint16_t vf_func_base; /* QDMA function of VF 0 */
	char pf_name[SVFF_CONFIG_STR_MAX];
	int numa_node;
	unsigned int manager_lcore;
	struct rte_ring *ring;
	int wake_fd;            /* eventfd: a posted request wakes the manager */
	struct svff_hv *hv;
	struct svff_journal *journal;
	const struct svff_hv_card *card;  /* the embedded emulated card, if any */
	void *card_arg;

	/* lifecycle (manager lcore only) */
	uint32_t numvfs, totalvfs;
	struct svff_vf vf[SVFF_MAX_VFS];
	struct svff_qm qm;
	uint64_t next_op_id;
	struct svff_op ops[SVFF_OPS_KEPT];   /* ring of the last ops */
	unsigned int ops_head, ops_count;
	struct svff_long_op lop;
	struct svff_batch batch;
	uint8_t vf_evt[SVFF_MAX_VFS];         /* pending vf_event flags */
	uint32_t invariant_errors;
	uint64_t journal_mark;                /* records at the last compaction */
	char crash_at[64];                    /* test-only: SVFF_CRASH_AT */

	/* manager loop statistics */
	uint64_t polls_busy, polls_idle, sleep_us_total, wakeups;
};

/* svff_mgr.c: the lifecycle */
int svff_mgr_init(struct svff *s, char *err, size_t errlen);
void svff_mgr_stop(struct svff *s);
void svff_mgr_fini(struct svff *s);
void svff_mgr_handle(struct svff *s, struct svff_req *req);
bool svff_mgr_step(struct svff *s);
void svff_mgr_events(struct svff *s);
extern const struct rte_pmd_qdma_policy svff_mgr_policy;
json_t *svff_op_failed(struct svff *s, struct svff_op *op, int vf, const char *code,
		const char *msg);
json_t *svff_op_reply(const struct svff_op *op, unsigned int vf, const struct svff *s);
json_t *svff_check_vf(const struct svff *s, uint32_t vf);

/* svff_pause.c: one VF's pause and unpause */
int svff_pause_ask(struct svff *s, unsigned int vf);
bool svff_pause_answered(struct svff *s, unsigned int vf);
bool svff_pause_reset_done(struct svff *s, unsigned int vf);
int svff_pause_save(struct svff *s, unsigned int vf, const char *path);
int svff_pause_resume(struct svff *s, unsigned int vf);
void svff_pause_drop(struct svff *s, unsigned int vf);
void svff_pause_json(const struct svff *s, unsigned int vf, json_t *o);
int svff_pause_from_json(struct svff *s, unsigned int vf, const json_t *o);
uint32_t svff_pause_min_queues(const struct svff *s, unsigned int vf);

/* svff_batch.c: pause/unpause vf=N|all, reconf (quotas, VF count, user logic) */
json_t *svff_batch_pause(struct svff *s, struct svff_req *req, const char *which);
json_t *svff_batch_unpause(struct svff *s, const char *which);
json_t *svff_batch_reconf(struct svff *s, struct svff_req *req);
bool svff_batch_step(struct svff *s);
json_t *svff_batch_progress(const struct svff *s);
void svff_batch_stop(struct svff *s);

/* svff.c */
void svff_req_put(struct svff_req *req);
void svff_req_finish(struct svff_req *req, json_t *reply);
json_t *svff_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t svff_mono_us(void);

/* svff_telemetry.c */
/** Post @p req and wait for the reply; returns the reply (new reference). */
json_t *svff_request(struct svff *s, struct svff_req *req, unsigned int timeout_ms);

#endif /* SVFF_PRIVATE_H */
