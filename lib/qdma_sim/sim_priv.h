/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the emulated QDMA card. Not installed.
 *
 * Ownership: every field below is owned by the engine thread (sim_engine.c) once it runs. Other
 * threads (the vslot server thread, API callers) reach the card only through sim_request(), which
 * hands a request to the engine and waits for it. The only fields read by other threads are the
 * stats (relaxed atomics) and the request mailbox (mutex).
 */
#ifndef QDMA_SIM_PRIV_H
#define QDMA_SIM_PRIV_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "qdma_hw.h"
#include "qdma_sim.h"
#include "vslot_server.h"

#define SIM_NB_FUNCS 256u          /* QDMA function ids 0..255 */
#define SIM_PF_QFN 0u              /* the PF's QDMA function id */
#define SIM_MBOX_FIFO (SIM_NB_FUNCS) /* PF inbox FIFO depth (>= one per VF) */
#define SIM_H2C_BATCH 64u          /* descriptors fetched per H2C pass */
#define SIM_C2H_BATCH 64u          /* packets produced per C2H pass */
#define SIM_SPIN_IDLE 2000u        /* idle iterations before sleeping */
#define SIM_SLEEP_MIN_NS 1000u
#define SIM_SLEEP_MAX_NS 1000000u
#define SIM_SCAN_EVERY 1024u       /* iterations between background scan steps */
#define SIM_FN_POLL_BATCH 32u      /* VF mailbox/FLR registers polled per iteration */
#define SIM_FN_QUANTUM 256u        /* descriptors one function may move per pass */
#define SIM_PASS_BUDGET 1024u      /* descriptors moved per pass, all functions together */
#define SIM_STEP_SCAN_EVERY SIM_SCAN_EVERY /* stepped mode: steps between background scans */

/* Relaxed-atomic counter update (plain mov on x86; readers use relaxed loads). */
#define SIM_STAT_ADD(field, n)                                                                     \
	__atomic_store_n(&(field), __atomic_load_n(&(field), __ATOMIC_RELAXED) + (n),             \
		__ATOMIC_RELAXED)

static inline void
sim_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- BAR access: the BARs are shared memory, stored to by the driver at any time ---------- */
static inline uint32_t
bar_rd(uint32_t *bar, uint32_t off)
{
	return __atomic_load_n(&bar[off / 4u], __ATOMIC_ACQUIRE);
}

static inline void
bar_wr(uint32_t *bar, uint32_t off, uint32_t v)
{
	__atomic_store_n(&bar[off / 4u], v, __ATOMIC_RELEASE);
}

/* Store @v only if the register does not already hold it (avoids dirtying shared lines). */
static inline void
bar_pub(uint32_t *bar, uint32_t off, uint32_t v)
{
	if (bar_rd(bar, off) != v)
		bar_wr(bar, off, v);
}

/* ---- error leaves (convention 3 of qdma_hw_emu.h) ------------------------------------------ */
enum sim_leaf {
	SIM_LEAF_GLBL = 0, /* GLBL_ERR_STAT (aggregate) */
	SIM_LEAF_DSC,
	SIM_LEAF_TRQ,
	SIM_LEAF_C2H,
	SIM_LEAF_C2H_FATAL,
	SIM_LEAF_H2C,
	SIM_LEAF_INTR_CFG, /* GLBL_INTERRUPT_CFG pending bit */
	SIM_LEAF_NUM,
};

struct sim_w1c {
	uint32_t off;   /* status register */
	uint32_t mask;  /* mask register (0: none) */
	uint32_t glbl;  /* GLBL_ERR_STAT bit it feeds (0: none) */
	uint32_t value; /* what the card published */
};

/* ---- queues ---------------------------------------------------------------------------------- */
/* Runtime state of one descriptor ring (decoded from the SW context on WR). */
struct sim_ring {
	bool valid;        /* qen and parameters usable */
	bool err;          /* queue in error state: stopped until re-programmed */
	bool is_mm;
	bool wbk_en, wbi_chk, wbi_intvl_en;
	bool pending;      /* work left (stalled on back-pressure): revisit without a doorbell */
	uint16_t fnc;      /* requester QDMA function */
	uint32_t r;        /* GLBL_RNG_SZ entries incl. status slot */
	uint32_t dsz;      /* descriptor bytes */
	uint64_t base;     /* ring IOVA */
	uint32_t pidx;     /* last doorbell pidx */
	uint32_t cidx;     /* HW consumer index */
	uint32_t last_db;  /* last doorbell register value seen */
	uint32_t since_wb; /* descriptors since the last status write */
	uint8_t *xring;    /* ring translated in iteration xepoch (incl. status slot) */
	uint64_t xepoch;
	uint32_t crd_use;  /* credits consumed (HW ctxt) */
	/* H2C packet assembly: descriptors [pkt_start, cidx) of a packet still lacking its EOP */
};

/* Runtime state of a completion ring (CMPT context). */
struct sim_cmpt {
	bool valid;
	bool err;
	bool en_stat;
	bool ovf_chk_dis;
	bool full_raised; /* cmpt_qfull already raised for this stall */
	uint8_t color;
	uint8_t trig, cnt_idx, tmr_idx, irq_en;
	uint16_t fnc;
	uint32_t r;
	uint32_t esz;
	uint64_t base;
	uint32_t pidx;  /* HW producer index */
	uint32_t cidx;  /* SW consumer index (CMPT_CIDX doorbell) */
	uint32_t last_db;
	uint8_t *xring;
	uint64_t xepoch;
};

struct sim_queue {
	/* the card's context RAM (raw words) */
	uint32_t sw[2][QDMA_SW_CTX_WORDS];   /* [0] C2H (sel 0), [1] H2C (sel 1) */
	uint32_t hw[2][QDMA_HW_CTX_WORDS];   /* [0] C2H, [1] H2C */
	uint32_t cr[2][QDMA_CREDIT_CTX_WORDS];
	uint32_t cmpt_w[QDMA_CMPT_CTX_WORDS];
	uint32_t pfch_w[QDMA_PFCH_CTX_WORDS];
	/* runtime */
	struct sim_ring ring[2]; /* [0] C2H, [1] H2C (same indexing as the selectors) */
	struct sim_cmpt cmpt;
	uint32_t bufsz;     /* C2H buffer bytes (prefetch ctxt), 0 = unusable */
	bool pfch_valid;
	uint32_t *db;       /* DMAP slot (4 registers) or NULL when unreachable */
	bool active;
	bool c2h_dirty;     /* completions written since the last status write */
	/* injected faults */
	uint32_t f_rd, f_wr, f_bad;
};

#define SIM_C2H 0
#define SIM_H2C 1

/* ---- functions ----------------------------------------------------------------------------- */
struct sim_msg {
	uint32_t w[QDMA_MBOX_MSG_WORDS];
	uint16_t src;
};

struct sim_fn {
	bool present;
	bool is_vf;
	unsigned qfn;      /* QDMA function id */
	unsigned slot;     /* vslot function number */
	uint32_t *bar;     /* config BAR */
	size_t bar_size;
	/* FMAP */
	uint32_t fmap_w[QDMA_FMAP_CTX_WORDS];
	uint16_t qbase, qmax;
	/* mailbox */
	bool i_msg;        /* VF: inbox holds a message (PF: FIFO non-empty) */
	bool o_msg;        /* outbox message not yet consumed */
	uint16_t o_target; /* PF: target of the outstanding message */
	uint32_t inbox[QDMA_MBOX_MSG_WORDS]; /* VF inbox */
	uint32_t last_cmd; /* last FN_CMD value acted on */
	uint32_t status_pub;
	bool stalled;      /* fault STALL */
	uint32_t mbox_drop;  /* fault MBOX_DROP: messages left to lose */
	uint32_t mbox_delay_ms;
	bool delayed;      /* a sent message waits for its delivery time */
	uint64_t delayed_at_ns;
	uint32_t delayed_msg[QDMA_MBOX_MSG_WORDS];
	uint16_t delayed_target;
	/* VF access check: last scan saw the BAR clean */
};

/* One function's active queues in the schedule: sched_q[first .. first+n), next = cursor. */
struct sim_sched_fn {
	uint16_t fnc;
	uint16_t first, n, next;
};

/* ---- user logic ---------------------------------------------------------------------------- */
struct sim_user {
	uint32_t *bar;
	uint32_t c2h_ctrl;   /* last ST_C2H_CONTROL seen */
	bool gen_run;
	uint32_t gen_qid, gen_len, gen_left;
	uint64_t gen_off;    /* pattern stream offset */
	uint32_t h2c_mismatch; /* sticky since the last CLEAR */
	bool dirty;          /* RO registers to republish */
	uint32_t h2c_xfer;
	uint32_t pkt_drop, pkt_accept;
	uint32_t c2h_status;
};

/* ---- requests from other threads ------------------------------------------------------------- */
enum sim_req_type {
	SIM_REQ_VF_ADD,     /* a = number of VFs just added to the slot */
	SIM_REQ_VF_REMOVE,  /* drop every VF (before the slot removes them) */
	SIM_REQ_FN_RESET,   /* a = slot function */
	SIM_REQ_PERSONALITY,
	SIM_REQ_INJECT,     /* a = fault, b = target, c = count */
	SIM_REQ_CALL,       /* run call(arg) on the engine, between two iterations */
	SIM_REQ_FN_FAULT,   /* a = slot function: its DMA memory faulted, queues to error */
};

struct sim_req {
	enum sim_req_type type;
	unsigned a, b;
	uint32_t c;
	uint32_t **bars;    /* SIM_REQ_VF_ADD: config BAR of each new VF */
	void (*call)(void *arg); /* SIM_REQ_CALL */
	void *arg;
	int result;
	bool done;
	struct sim_req *next;
};

struct qdma_sim {
	struct qdma_sim_cfg cfg;
	char sock_path[256];
	struct vslot_server *srv;
	struct vslot_reader *rd;
	pthread_t engine;
	bool engine_started;
	unsigned nb_q;
	unsigned numvfs;
	enum qdma_sim_personality personality;

	/* request mailbox */
	pthread_mutex_t req_lock;
	pthread_cond_t req_cond;   /* engine -> requesters: done */
	pthread_cond_t wake_cond;  /* requesters -> sleeping engine */
	struct sim_req *req_head;
	int req_pending;           /* atomic: requests queued */
	bool engine_dead;          /* engine gone: requests run inline */
	int stop;                  /* atomic */

	/* card state (engine-owned) */
	uint32_t *pf_bar;
	struct sim_fn fn[SIM_NB_FUNCS];
	struct sim_queue *q;       /* nb_q entries */
	uint32_t *intr_w;          /* nb_q * QDMA_INTR_CTX_WORDS */
	uint16_t *active;          /* active queue list */
	unsigned nb_active;
	bool active_dirty;
	/* fair scheduling (sim_engine.c): active queues grouped by function */
	uint16_t *sched_q;         /* nb_q entries */
	struct sim_sched_fn sched_fn[SIM_NB_FUNCS];
	unsigned sched_nfn, sched_cur;
	bool sched_dirty;          /* the active list changed since the last grouping */
	uint64_t step_iter;        /* stepped mode: steps taken */
	struct sim_w1c leaf[SIM_LEAF_NUM];
	uint32_t pf_ack[QDMA_MBOX_PF_ACK_WORDS];
	uint32_t trq_log, dsc_log0, dsc_log1, c2h_first, h2c_first;
	uint32_t mm_ctrl[2];       /* [0] C2H, [1] H2C channel 0 CONTROL seen */
	struct sim_msg *fifo;      /* PF inbox FIFO */
	unsigned fifo_head, fifo_len;
	unsigned fn_poll_next;
	unsigned scan_next;
	uint8_t *card_mem;
	struct sim_user user;
	uint64_t epoch;            /* engine iteration (DMA pointers valid within one) */

	struct qdma_sim_stats st;
};

/* sim_card.c */
void sim_log(struct qdma_sim *sim, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sim_request(struct qdma_sim *sim, struct sim_req *rq);
uint64_t sim_now_ns(void);
struct sim_fn *sim_fn_of(struct qdma_sim *sim, unsigned qfn);

/* sim_regs.c */
void sim_regs_init_pf(struct qdma_sim *sim);
void sim_regs_init_vf(struct qdma_sim *sim, struct sim_fn *f);
void sim_regs_republish(struct qdma_sim *sim);
int sim_regs_poll_w1c(struct qdma_sim *sim);
void sim_err(struct qdma_sim *sim, enum sim_leaf leaf, uint32_t bits);
void sim_err_dsc(struct qdma_sim *sim, uint32_t bits, unsigned qid, bool c2h, uint32_t cidx);
void sim_err_trq(struct qdma_sim *sim, uint32_t bits, unsigned qfn, uint32_t off);
void sim_err_c2h(struct qdma_sim *sim, uint32_t bits, unsigned qid);
void sim_err_h2c(struct qdma_sim *sim, uint32_t bits, unsigned qid);
int sim_scan_fn(struct qdma_sim *sim, struct sim_fn *f);

/* sim_ctx.c */
int sim_ctx_poll(struct qdma_sim *sim);
void sim_fn_reset_queues(struct qdma_sim *sim, unsigned qfn);
void sim_active_rebuild(struct qdma_sim *sim);
void sim_queue_stop(struct qdma_sim *sim, unsigned qid);

/* sim_engine.c */
void *sim_engine_main(void *arg);
void sim_exec_request(struct qdma_sim *sim, struct sim_req *rq);
/* A contiguous piece of packet data in the card's address space. */
struct sim_seg {
	const uint8_t *p;
	uint32_t len;
};
/*
 * Write one C2H ST packet of @len bytes on queue @qid: from @segs, or (segs NULL) the user
 * pattern from stream offset @pat_off; @imm: completion-only entry.
 * @return 1 written, 0 no room now (retry later), -1 dropped.
 */
int sim_c2h_put(struct qdma_sim *sim, unsigned qid, uint32_t len, const struct sim_seg *segs,
	unsigned nseg, uint64_t pat_off, bool imm);
/* Write the CMPT / C2H status descriptors of @qid if completions were produced. */
void sim_c2h_flush(struct qdma_sim *sim, unsigned qid);

/* sim_user.c */
void sim_user_reset(struct qdma_sim *sim, enum qdma_sim_personality p);
int sim_user_poll(struct qdma_sim *sim);
bool sim_user_loopback(struct qdma_sim *sim);
void sim_user_check(struct qdma_sim *sim, const uint8_t *p, uint32_t len, uint64_t off);
void sim_user_pkt_done(struct qdma_sim *sim);
void sim_user_drop(struct qdma_sim *sim);
void sim_user_accept(struct qdma_sim *sim);
void sim_user_republish(struct qdma_sim *sim);
int sim_user_generate(struct qdma_sim *sim);

/* sim_mbox.c */
int sim_mbox_poll_fn(struct qdma_sim *sim, struct sim_fn *f);
int sim_mbox_timers(struct qdma_sim *sim);
void sim_mbox_reset_fn(struct qdma_sim *sim, struct sim_fn *f);
void sim_mbox_publish(struct qdma_sim *sim, struct sim_fn *f);
void sim_fn_flr(struct qdma_sim *sim, struct sim_fn *f);

#endif /* QDMA_SIM_PRIV_H */
