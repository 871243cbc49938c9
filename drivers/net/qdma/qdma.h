/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QDMA PMD private definitions: the adapter (dev_private), queues, register
 * access.  Register offsets, fields and layouts come from lib/qdma_hw only.
 */
#ifndef QDMA_H
#define QDMA_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_io.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "qdma_hw.h"
#include "rte_pmd_qdma.h"

extern int qdma_logtype_init;
extern int qdma_logtype_mbox;

#define QDMA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, qdma_logtype_init, "qdma: " fmt "\n", ##__VA_ARGS__)
#define QDMA_MBOX_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, qdma_logtype_mbox, "qdma mbox: " fmt "\n", ##__VA_ARGS__)

/** Most queues one function may use: what a VF's doorbell space holds. */
#define QDMA_MAX_QUEUES_PER_FN QDMA_VF_DMAP_MAX_QUEUES
/** Functions of one card (QDMA3.1: 8-bit function ids). */
#define QDMA_MAX_FUNCS QDMA_MAX_FUNCTIONS
/** Burst cap of the RX completion loop (as the reference PMD). */
#define QDMA_RX_BURST_MAX 128u
/** Refill the C2H ring once this many slots are free (at most half the ring). */
#define QDMA_RX_REFILL_THRESH 256u
/** Tell the card our completion cidx once this many were consumed (at most a quarter). */
#define QDMA_CMPT_DB_THRESH 128u
/** Reclaim transmitted mbufs once this many descriptors are outstanding (at most half). */
#define QDMA_TX_FREE_THRESH 256u
/** Timeout of one mailbox request, ms. */
#define QDMA_MBOX_TIMEOUT_MS 5000u
/** Timeout of one indirect-context command, us (the reference's). */
#define QDMA_IND_TIMEOUT_US 500000u
/** The same on the emulated card: a software card shares the CPUs with everything else. */
#define QDMA_IND_TIMEOUT_EMU_US 5000000u
/**
 * Emulated card: how long a mailbox command (FN_CMD) may wait for the card to act on it.
 * Long for the same reason: a mailbox command that gives up is worse than a slow one (a
 * message read but not acknowledged would be dropped by its reader).
 */
#define QDMA_MBOX_CMD_TIMEOUT_EMU_US 5000000u
/** PF: a VF must consume the PF's message within this, or it is reset (devarg mbox_send_timeout_ms). */
#define QDMA_MBOX_SEND_TIMEOUT_MS 1000u
/** PF: messages per second one VF may send (devarg mbox_rate; 0: no limit). */
#define QDMA_MBOX_RATE 2000u
/** PF: burst of messages one VF may send at once (devarg mbox_burst). */
#define QDMA_MBOX_BURST 512u
/** PF: retry period of the outbox while answers wait for it (the reference uses 1 ms). */
#define QDMA_MBOX_RETRY_US 100u
/** PF: owner events (vf_event) kept until delivered. */
#define QDMA_PF_EVQ_LEN 256u

struct qdma_adapter;

/**
 * What the driver needs from the attachment below it - PCI (a real card, vfio-pci), the
 * emulated card's slot (lib/vslot), and later the guest-side attachment - filled in by that
 * attachment's probe (qdma_pci.c, qdma_vdev.c).  Nothing outside the probe files asks which
 * bus a port is on.  (A secondary process never uses it: the pointer is the primary's.)
 */
struct qdma_bus_ops {
	const char *name;        /**< "pci", "slot" */
	bool emulated;           /**< svff's emulated card (rte_pmd_qdma_info::emulated) */
	/** Enable/disable the mailbox interrupt around its callback; NULL: nothing to do. */
	void (*intr_enable)(struct qdma_adapter *ad, bool on);
	/** Consume one mailbox interrupt event before handling it; NULL: nothing to consume. */
	void (*intr_ack)(struct qdma_adapter *ad);
	/** False (with the reason) once the card is known to be gone. */
	bool (*alive)(struct qdma_adapter *ad, const char **why);
	/** SR-IOV: set numvfs (@p set >= 0), or read numvfs / totalvfs into @p n. */
	int (*numvfs)(struct qdma_adapter *ad, int set, unsigned int *n, bool total);
	/** Grant (or revoke) VF @p vf to @p token; NULL: -ENOTSUP (no such thing on PCI). */
	int (*grant)(struct qdma_adapter *ad, unsigned int vf, uint64_t token, bool grant);
	/** Release what the probe acquired (BAR mapping, connection, interrupts). */
	void (*close)(struct qdma_adapter *ad);
};

/** Values of the global CSR tables (PF: registers; VF: mailbox CSR). */
struct qdma_csr {
	uint32_t ring_sz[QDMA_CSR_TABLE_ENTRIES];
	uint32_t buf_sz[QDMA_CSR_TABLE_ENTRIES];
	uint32_t timer_cnt[QDMA_CSR_TABLE_ENTRIES];
	uint32_t cnt_th[QDMA_CSR_TABLE_ENTRIES];
};

/** Queue statistics (per queue, written by the queue's lcore only). */
struct qdma_qstats {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t doorbells;
	uint64_t errors;
	uint64_t completions;
};

/** ST receive queue = C2H descriptor ring + completion ring. */
struct qdma_rxq {
	/* fast path */
	struct qdma_c2h_st_desc *ring;          /**< R entries (R-1 usable) */
	uint8_t *cmpt;                          /**< completion ring, rc entries */
	volatile struct qdma_status_desc *cmpt_status; /**< at cmpt[(rc-1)*esz] */
	struct rte_mbuf **sw_ring;              /**< mbuf of each C2H slot */
	volatile void *db_c2h_pidx;             /**< doorbells in the function's BAR */
	volatile void *db_cmpt_cidx;
	struct rte_mempool *mp;
	uint64_t mbuf_init;                     /**< rearm_data of a fresh mbuf */
	uint32_t cmpt_db_bits;                  /**< counter/timer/trigger/stat_en */
	uint16_t r;                             /**< C2H ring entries incl. status */
	uint16_t rc;                            /**< completion ring entries incl. status */
	uint16_t rx_tail;                       /**< next slot the card fills */
	uint16_t pidx;                          /**< last C2H_PIDX written */
	uint16_t cmpt_cidx;                     /**< next completion to read */
	uint16_t cmpt_db_cidx;                  /**< last cidx told to the card */
	uint16_t refill_thresh;                 /**< refill once this many slots are free */
	uint16_t cmpt_db_thresh;                /**< CMPT_CIDX doorbell every this many */
	uint16_t esz;                           /**< completion entry bytes */
	uint16_t buf_size;                      /**< C2H buffer bytes */
	uint16_t port_id;
	uint16_t queue_id;
	bool in_error;                          /**< a bad completion stopped the queue */
	volatile uint8_t in_burst;              /**< VF pause guard: a burst runs */
	uint64_t nombuf;                        /**< refills that found the pool empty */
	struct qdma_qstats st;
	/* control */
	struct qdma_adapter *ad;
	const struct rte_memzone *mz_ring, *mz_cmpt;
	uint16_t nb_desc;
	uint16_t qid_hw;
	uint8_t rngsz_idx, cmpt_rngsz_idx, bufsz_idx, cnt_idx, tmr_idx, trig;
	uint8_t cmpt_sz;                        /**< enum qdma_cmpt_sz */
	bool started;
	bool deferred_start;
};

/** ST transmit queue = H2C descriptor ring. */
struct qdma_txq {
	struct qdma_h2c_st_desc *ring;          /**< R entries (R-1 usable) */
	volatile struct qdma_status_desc *status; /**< at ring[R-1] */
	struct rte_mbuf **sw_ring;              /**< packet to free when its last desc is done */
	volatile void *db_h2c_pidx;
	struct rte_mempool *fast_free_mp;       /**< MBUF_FAST_FREE: the one pool, else NULL */
	bool fast_free;
	volatile uint8_t in_burst;              /**< VF pause guard: a burst runs */
	uint16_t r;
	uint16_t pidx;                          /**< next descriptor to fill */
	uint16_t cons;                          /**< next descriptor to reclaim */
	uint16_t free_thresh;                   /**< reclaim once this many are outstanding */
	uint16_t port_id;
	uint16_t queue_id;
	struct qdma_qstats st;
	/* control */
	struct qdma_adapter *ad;
	const struct rte_memzone *mz_ring;
	uint16_t nb_desc;
	uint16_t qid_hw;
	uint8_t rngsz_idx;
	bool started;
	bool deferred_start;
};

/** Ethdev events a PF notice leaves for delivery outside the mailbox lock. */
#define QDMA_EVT_RMV 0x1
#define QDMA_EVT_RESET 0x2
#define QDMA_EVT_RESTORE 0x4   /**< svff RESTORE: register again (qdma_vf_restore.c) */

/** Most MM (card memory) channels per port (devarg mm_queues). */
#define QDMA_MAX_MM_QUEUES 8u
/** Descriptors of one MM ring direction. */
#define QDMA_MM_RING 256u

/** One direction of an MM queue (H2C = write to the card, C2H = read). */
struct qdma_mm_ring {
	struct qdma_mm_desc *ring;
	volatile struct qdma_status_desc *status;
	volatile void *db;
	const struct rte_memzone *mz;
	uint16_t r;
	uint16_t pidx;       /**< next descriptor to fill */
	uint16_t done;       /**< status cidx last reported by mm_poll */
};

/** An MM queue: hardware queue qbase + nb_eth_queues + index. */
struct qdma_mmq {
	struct qdma_mm_ring dir[2];   /**< 0 H2C (write), 1 C2H (read) */
	uint16_t qid_hw;
	bool ready;
	rte_spinlock_t lock;
};

/** Per-function state the PF keeps (resource manager + mailbox service). */
struct qdma_fn_entry {
	bool online;            /**< said HELLO, no BYE since */
	int32_t qbase;          /**< -1: none */
	uint32_t qmax;
	uint32_t active[3];     /**< active queues per enum qdma_mbox_qtype */
	/* mailbox service */
	bool quarantined;       /**< stuck: its messages are ignored until it is reset */
	bool flooding;          /**< over its rate: FLOOD reported for this burst */
	bool pend;              /**< pend_msg waits for the outbox */
	uint32_t tokens;        /**< token bucket: messages it may send now */
	uint64_t tb_tsc;        /**< token bucket: time of the last refill */
	union qdma_mbox_msg pend_msg; /**< answer or notice to it, not yet in the outbox */
	/* counters (monotonic; rte_pmd_qdma_fn_state) */
	uint64_t msgs;          /**< messages received from it */
	uint64_t rejects;       /**< of which refused */
	uint64_t tx;            /**< messages sent to it */
	uint64_t dropped;       /**< its messages dropped (malformed, rate, quarantine) */
	uint64_t send_timeouts; /**< PF messages it did not consume in time */
	uint64_t resets;        /**< times it was reset (by the PF or the slot) */
	/* svff pause extension (qdma_pf_pause.c) */
	uint32_t svff_ext;      /**< QDMA_MBOX_SVFF_EXT_* its driver advertised at HELLO */
	uint8_t pause_state;    /**< enum rte_pmd_qdma_pause_state */
	struct qdma_mbox_svff_pause_rsp pause_ack; /**< its last PAUSE answer */
	uint64_t pauses;        /**< PAUSE answers received */
};

/** An owner event waiting for delivery outside the mailbox lock. */
struct qdma_pf_evt {
	uint16_t func;
	uint8_t ev;             /**< enum rte_pmd_qdma_vf_event */
};

/** PF role state. */
struct qdma_pf {
	struct qdma_fn_entry fn[QDMA_MAX_FUNCS];
	struct rte_pmd_qdma_policy policy;
	void *policy_arg;
	bool policy_set;
	bool mbox_poll;         /**< the owner polls rte_pmd_qdma_mbox_service() */
	bool mbox_irq_registered;
	uint64_t mbox_rx, mbox_tx, mbox_rejects, mbox_dropped;
	uint64_t err_counts[8]; /**< errors seen per leaf register */
	uint32_t num_qs;        /**< the card's queue space */
	/* the outbox: one for all VFs (as the IP); answers wait in fn[].pend_msg */
	uint16_t sendq[QDMA_MAX_FUNCS]; /**< functions with a pending message, in order */
	unsigned int sendq_head, sendq_len;
	int32_t out_fn;         /**< function whose message is in the outbox (-1: none) */
	uint64_t out_tsc;       /**< when it went there */
	uint64_t send_timeout;  /**< timer cycles a VF has to consume it */
	uint32_t rate, burst;   /**< per-VF token bucket (rate 0: unlimited) */
	uint64_t flood_log_tsc; /**< last flood log line (one per second) */
	uint64_t flood_unlogged;/**< drops since that line */
	bool retry_armed;       /**< the outbox retry alarm is set */
	struct qdma_pf_evt evq[QDMA_PF_EVQ_LEN]; /**< events for policy.vf_event */
	unsigned int evq_len;
	uint64_t evq_lost;
};

/** Everything the PMD keeps per port (ethdev dev_private). */
struct qdma_adapter {
	struct rte_eth_dev *eth;
	const struct qdma_bus_ops *bus;   /**< the attachment, set by its probe */
	bool is_vf;
	uint8_t *bar;            /**< config BAR */
	size_t bar_len;
	uint8_t *user_bar;       /**< example-design AXI-Lite BAR (may be NULL) */
	uint32_t mbox_base;      /**< QDMA_PF_MBOX_BASE / QDMA_VF_MBOX_BASE */
	uint32_t dmap_base;      /**< QDMA_PF_DMAP_BASE / QDMA_VF_DMAP_BASE */
	uint16_t func_id;        /**< our QDMA function number */
	uint32_t ip_version;     /**< PF MISC_CAP / VF version register */
	uint32_t emu_conv;       /**< QDMA_EMU_CONV_* the card asked for at probe (0: real IP) */
	struct qdma_mbox_dev_cap cap;
	struct qdma_csr csr;
	bool csr_valid;
	int32_t qbase;           /**< our queue window (FMAP) */
	uint32_t qmax;
	rte_spinlock_t ind_lock; /**< indirect context interface */
	rte_spinlock_t mbox_lock;/**< mailbox registers */
	struct rte_intr_handle *intr;   /**< mailbox interrupt (eventfd / vfio) */
	struct qdma_pf *pf;      /**< PF role only */
	/* devargs */
	uint8_t cmpt_sz;         /**< enum qdma_cmpt_sz (devarg cmpt_desc_len) */
	uint8_t trig_mode;
	bool desc_prefetch;
	uint8_t nb_mmq;          /**< devarg mm_queues */
	uint32_t mbox_send_timeout_ms; /**< devarg mbox_send_timeout_ms (PF) */
	uint32_t mbox_rate;      /**< devarg mbox_rate (PF) */
	uint32_t mbox_burst;     /**< devarg mbox_burst (PF) */
	uint16_t nb_eth_q;       /**< ethdev queues of the window (MM queues follow) */
	struct qdma_mmq mmq[QDMA_MAX_MM_QUEUES];
	/* counters */
	uint64_t mbox_tx, mbox_rx, mbox_timeouts;
	uint64_t pf_msgs;        /**< PF->VF notices received (VF) */
	/* VF role: PF notices */
	bool pf_gone;            /**< PF_BYE received */
	bool reset_pending;      /**< RESET_PREPARE received */
	volatile bool req_inflight; /**< a VF request waits for its answer */
	/* VF role: svff pause extension (qdma_vf_pause.c) */
	uint32_t pf_svff_ext;    /**< QDMA_MBOX_SVFF_EXT_* the PF answered at HELLO */
	volatile uint8_t dp_paused; /**< bursts return 0 (PAUSE received, no RESUME yet) */
	bool membarrier_ok;      /**< MEMBARRIER_CMD_PRIVATE_EXPEDITED registered */
	eth_rx_burst_t rx_burst_real; /**< burst functions behind the pause guard */
	eth_tx_burst_t tx_burst_real;
	uint64_t vf_pauses;      /**< PAUSE notices served */
	uint64_t vf_restores;    /**< RESTORE notices served (qdma_vf_restore.c) */
	bool restoring;          /**< qdma_vf_restore() runs */
	bool restore_hold;       /**< the data path is held by a RESTORE (not by a PAUSE) */
	union qdma_mbox_msg pause_rsp; /**< PAUSE answer waiting for our outbox */
	unsigned int pause_rsp_tries;
	uint8_t pending_events;  /**< QDMA_EVT_*: ethdev events to deliver */
	/* transport */
	void *slot;              /**< struct vslot_client * (emulated card) */
	char pci_addr[32];       /**< PCI address (real card) */
	volatile bool dev_gone;  /**< the card is gone: control-path waits fail at once */
	/**
	 * Control-path waits for the card (qdma_wait32) last this many times longer (0, 1:
	 * as given). A VF in a VM sets it: its vCPU and the card's engine share host CPUs.
	 */
	uint32_t ctl_wait_scale;
	/**
	 * In-process tests on a stepped card only (never set by the driver): called instead of
	 * sleeping while a control-path wait polls the card, so that the card makes progress.
	 */
	void (*wait_hook)(void *arg);
	void *wait_hook_arg;
	char name[RTE_ETH_NAME_MAX_LEN];
};

static inline uint32_t
qdma_rd(const struct qdma_adapter *ad, uint32_t off)
{
	return rte_read32(ad->bar + off);
}

#ifdef QDMA_REG_TRACE
/* Test builds only (tests/pmd/test_reg_trace.c): the test's fake BAR sees every write. */
void qdma_reg_trace_wr(const struct qdma_adapter *ad, uint32_t off, uint32_t v);
#endif

/* Control-path register write: every one the driver makes goes through here. */
static inline void
qdma_wr(const struct qdma_adapter *ad, uint32_t off, uint32_t v)
{
#ifdef QDMA_REG_TRACE
	qdma_reg_trace_wr(ad, off, v);
#else
	rte_write32(v, ad->bar + off);
#endif
}

static inline struct qdma_adapter *
qdma_ad(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* qdma_common.c: device-level operations shared by both roles */
int qdma_identify(struct qdma_adapter *ad);
int qdma_wait32(struct qdma_adapter *ad, const volatile void *reg, uint32_t mask, uint32_t want,
		unsigned int spins, unsigned int sleep_us, uint64_t timeout_us);
void qdma_ctl_pause(struct qdma_adapter *ad, unsigned int us);
bool qdma_dev_gone(struct qdma_adapter *ad);
int qdma_pf_hw_init(struct qdma_adapter *ad);
int qdma_ind_ctxt(struct qdma_adapter *ad, unsigned int sel, unsigned int op, unsigned int qid,
		const uint32_t *data, unsigned int nwords, uint32_t *out);
int qdma_fmap_write(struct qdma_adapter *ad, uint16_t func, uint32_t qbase, uint32_t qmax);
int qdma_fmap_read(struct qdma_adapter *ad, uint16_t func, uint32_t *qbase, uint32_t *qmax);
void qdma_pf_read_csr(struct qdma_adapter *ad);
unsigned int qdma_pf_error_poll(struct qdma_adapter *ad);
int qdma_parse_devargs(struct qdma_adapter *ad, const char *args, const char *const *extra_keys,
		int (*extra)(const char *key, const char *value, void *opaque), void *opaque);

/* qdma_mbox.c: mailbox transport and the VF's requests */
int qdma_mbox_send(struct qdma_adapter *ad, uint16_t dst, const union qdma_mbox_msg *m);
int qdma_mbox_recv(struct qdma_adapter *ad, union qdma_mbox_msg *m, uint16_t *src);
bool qdma_mbox_outbox_busy(struct qdma_adapter *ad);
int qdma_mbox_vf_reset(struct qdma_adapter *ad, uint16_t func);
void qdma_mbox_init(struct qdma_adapter *ad);
/* VF requests: 0 or a -errno, never a mailbox status (converted once, in qdma_vf_request) */
int qdma_vf_request(struct qdma_adapter *ad, union qdma_mbox_msg *m);
int qdma_vf_hello(struct qdma_adapter *ad);
int qdma_vf_csr(struct qdma_adapter *ad);
int qdma_vf_qreq(struct qdma_adapter *ad, uint32_t qmax);
int qdma_vf_qnotify(struct qdma_adapter *ad, uint16_t qid_hw, unsigned int type, bool add);
int qdma_vf_qctxt(struct qdma_adapter *ad, uint8_t op, uint16_t qid_hw, uint8_t flags,
		const struct qdma_mbox_descq_conf *conf);
void qdma_vf_bye(struct qdma_adapter *ad);
void qdma_vf_handle_pf_msg(struct qdma_adapter *ad, union qdma_mbox_msg *m);
void qdma_vf_fire_events(struct qdma_adapter *ad);

/* qdma_vf_pause.c: VF side of the svff pause extension */
void qdma_vf_pause_hello_req(union qdma_mbox_msg *m);
void qdma_vf_pause_hello_rsp(struct qdma_adapter *ad, const union qdma_mbox_msg *m);
void qdma_vf_pause_guard(struct rte_eth_dev *dev);
bool qdma_vf_pause_msg(struct qdma_adapter *ad, union qdma_mbox_msg *m);
void qdma_vf_pause_stop(struct qdma_adapter *ad);
void qdma_vf_dp_hold(struct qdma_adapter *ad);

/* qdma_vf_restore.c: VF side of the svff RESTORE notice (the PF restarted) */
void qdma_vf_restore(struct qdma_adapter *ad);

/* qdma_pf_pause.c: PF side of the svff pause extension */
void qdma_pf_pause_hello(struct qdma_adapter *ad, uint16_t src, union qdma_mbox_msg *m);
void qdma_pf_pause_hello_rsp(union qdma_mbox_msg *m);
void qdma_pf_pause_ack(struct qdma_adapter *ad, uint16_t src, const union qdma_mbox_msg *m);
int qdma_pf_pause_request(struct qdma_adapter *ad, uint16_t func);
int qdma_pf_ctx_save(struct qdma_adapter *ad, uint16_t func, struct rte_pmd_qdma_qctx *snap,
		unsigned int max);
int qdma_pf_ctx_restore(struct qdma_adapter *ad, uint16_t func,
		const struct rte_pmd_qdma_qctx *snap, unsigned int n);
int qdma_pf_resume(struct qdma_adapter *ad, uint16_t func, bool known);
int qdma_pf_reset_done(struct qdma_adapter *ad, uint16_t func);
void qdma_pf_reg_get(struct qdma_adapter *ad, uint16_t func, struct rte_pmd_qdma_vf_reg *reg);
int qdma_pf_reg_set(struct qdma_adapter *ad, uint16_t func, const struct rte_pmd_qdma_vf_reg *reg);

/* qdma_pf_service.c: the PF's VF-message service and resource manager */
int qdma_pf_init_state(struct qdma_adapter *ad);
int qdma_resmgr_update(struct qdma_adapter *ad, uint16_t func, uint32_t qmax, int32_t hint,
		int32_t *qbase_out);
int qdma_fn_window_set(struct qdma_adapter *ad, uint16_t func, uint32_t qmax, int32_t hint,
		int32_t *qbase_out);
void qdma_pf_release_vfs(struct qdma_adapter *ad);
int qdma_pf_mbox_service(struct qdma_adapter *ad, unsigned int budget);
int qdma_pf_send_vfs(struct qdma_adapter *ad, uint8_t op, int32_t only_func);
int qdma_pf_send_msg(struct qdma_adapter *ad, uint16_t func, const union qdma_mbox_msg *m);
void qdma_pf_fire_events(struct qdma_adapter *ad);
void qdma_pf_vf_reset(struct qdma_adapter *ad, uint16_t func);
void qdma_pf_vf_gone(struct qdma_adapter *ad, uint16_t src, bool withdraw);
void qdma_pf_evt_push(struct qdma_pf *pf, uint16_t func, enum rte_pmd_qdma_vf_event ev);
void qdma_pf_clear_window(struct qdma_adapter *ad, const struct qdma_fn_entry *e);
void qdma_pf_mbox_stop(struct qdma_adapter *ad);
int qdma_queue_ctxt_write(struct qdma_adapter *ad, uint16_t func, uint16_t qid_hw, bool st,
		bool c2h, unsigned int cmpt_type, const struct qdma_mbox_descq_conf *conf);
int qdma_queue_ctxt_inv(struct qdma_adapter *ad, uint16_t qid_hw, bool st, bool c2h,
		unsigned int cmpt_type, bool clear);

/* qdma_pf_handlers.c: what a VF's message does (validate -> policy -> handler) */
int qdma_pf_handle_msg(struct qdma_adapter *ad, uint16_t src, union qdma_mbox_msg *m,
		bool *respond);

/* qdma_ethdev.c */
int qdma_eth_init(struct rte_eth_dev *dev);
int qdma_eth_uninit(struct rte_eth_dev *dev);
void qdma_eth_attach_secondary(struct rte_eth_dev *dev);
void qdma_mbox_intr_handler(void *arg);
struct qdma_adapter *qdma_port_adapter(uint16_t port_id);

/* qdma_queue.c: ethdev queues (setup, release, start, stop) and their helpers */
int qdma_ring_idx_at_least(const struct qdma_adapter *ad, uint32_t want);
volatile void *qdma_db_addr(const struct qdma_adapter *ad, uint16_t qid, uint32_t reg);
int qdma_csr_ready(struct qdma_adapter *ad);
int qdma_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		unsigned int socket, const struct rte_eth_rxconf *conf, struct rte_mempool *mp);
int qdma_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		unsigned int socket, const struct rte_eth_txconf *conf);
void qdma_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void qdma_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
int qdma_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int qdma_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int qdma_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int qdma_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);

/* qdma_ivshmem.c: the VF attachment in a virtual machine (vdev net_qdma,ivshmem=<BDF>) */
struct rte_vdev_device;
int qdma_ivshmem_probe(struct rte_vdev_device *vdev);

/* qdma_mm.c: card-memory (MM) queues (rte_pmd_qdma.c resolves the port) */
void qdma_mm_release(struct qdma_adapter *ad);
int qdma_mm_submit(struct qdma_adapter *ad, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len);
int qdma_mm_poll(struct qdma_adapter *ad, uint16_t mmq, bool write);
int qdma_mm_sync(struct qdma_adapter *ad, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len);

/* qdma_rxtx.c */
uint16_t qdma_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t qdma_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t n);
int qdma_rxq_fill(struct qdma_rxq *q);
void qdma_rxq_release_mbufs(struct qdma_rxq *q);
void qdma_txq_release_mbufs(struct qdma_txq *q);
int qdma_txq_drain(struct qdma_txq *q, unsigned int timeout_ms);

/* qdma_rxtx_vec.c: the vector data path and the choice of burst functions */
void qdma_set_burst_functions(struct rte_eth_dev *dev);
int qdma_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid,
		struct rte_eth_burst_mode *mode);
int qdma_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid,
		struct rte_eth_burst_mode *mode);

#endif /* QDMA_H */
