/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side of the svff pause extension (qdma_hw_mbox.h "svff extension").
 *
 * The burst functions of a VF whose PF knows the extension go through a
 * guard: each queue marks itself "in a burst" (a plain store), then reads
 * the adapter's pause flag.  PAUSE sets the flag, issues a process-wide
 * memory barrier (membarrier(2), so the data path needs no fence of its own)
 * and waits until no queue is inside a burst: from then on nothing posts a
 * descriptor or rings a doorbell, and bursts return 0 (the application keeps
 * its packets).  RESUME takes the (possibly new) window, rings every
 * doorbell again with the positions the driver holds, and clears the flag.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_cycles.h>

#include "qdma.h"

/*
 * How long PAUSE spins for the card to consume posted H2C descriptors.  Short,
 * and a spin, not a sleep: each sleep of this (interrupt) thread is a chance
 * for a loaded scheduler to keep it off the CPU for far longer than the PF's
 * pause timeout.  What the card has not taken by then is not lost: it stays
 * in the ring, the PF's snapshot keeps the positions, and the card takes it
 * after RESUME ("drained" = 0 in the answer).
 */
#define PAUSE_DRAIN_US 2000u

/* Retry period and bound of a PAUSE answer waiting for our outbox (5 s). */
#define PAUSE_RSP_RETRY_US 100u
#define PAUSE_RSP_TRIES 50000u

static void
pause_rsp_retry(void *arg)
{
	struct qdma_adapter *ad = arg;
	int rc = -EBUSY;

	if (rte_spinlock_trylock(&ad->mbox_lock)) {
		rc = qdma_mbox_send(ad, 0, &ad->pause_rsp);
		rte_spinlock_unlock(&ad->mbox_lock);
	}
	if (rc != -EBUSY || ad->dev_gone || ad->pf_gone)
		return;
	if (++ad->pause_rsp_tries < PAUSE_RSP_TRIES)
		rte_eal_alarm_set(PAUSE_RSP_RETRY_US, pause_rsp_retry, ad);
	else
		QDMA_MBOX_LOG(ERR, "%s: the PF does not read our PAUSE answer", ad->name);
}

static int
membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

/* HELLO request: advertise the extension in bytes the Xilinx layout leaves zero. */
void
qdma_vf_pause_hello_req(union qdma_mbox_msg *m)
{
	struct qdma_mbox_svff_ext x = { QDMA_MBOX_SVFF_MAGIC, QDMA_MBOX_SVFF_EXT_PAUSE };

	memcpy(&m->b[QDMA_MBOX_SVFF_HELLO_REQ_OFF], &x, sizeof(x));
}

/* HELLO answer: does our PF speak the extension? */
void
qdma_vf_pause_hello_rsp(struct qdma_adapter *ad, const union qdma_mbox_msg *m)
{
	struct qdma_mbox_svff_ext x;

	memcpy(&x, &m->b[QDMA_MBOX_SVFF_HELLO_RSP_OFF], sizeof(x));
	ad->pf_svff_ext = x.magic == QDMA_MBOX_SVFF_MAGIC ? x.ext : 0;
	if ((ad->pf_svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE) && !ad->membarrier_ok)
		ad->membarrier_ok = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

static uint16_t
rx_guarded(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct qdma_rxq *q = rxq;
	uint16_t nb = 0;

	q->in_burst = 1;
	rte_compiler_barrier();
	if (likely(!q->ad->dp_paused))
		nb = q->ad->rx_burst_real(rxq, pkts, n);
	__atomic_store_n(&q->in_burst, 0, __ATOMIC_RELEASE);
	return nb;
}

static uint16_t
tx_guarded(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct qdma_txq *q = txq;
	uint16_t nb = 0;

	q->in_burst = 1;
	rte_compiler_barrier();
	if (likely(!q->ad->dp_paused))
		nb = q->ad->tx_burst_real(txq, pkts, n);
	__atomic_store_n(&q->in_burst, 0, __ATOMIC_RELEASE);
	return nb;
}

/* dev_start: put the guard in front of whatever burst functions were chosen. */
void
qdma_vf_pause_guard(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);

	if (!ad->is_vf || !(ad->pf_svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE))
		return;
	if (dev->rx_pkt_burst != rx_guarded) {
		ad->rx_burst_real = dev->rx_pkt_burst;
		dev->rx_pkt_burst = rx_guarded;
	}
	if (dev->tx_pkt_burst != tx_guarded) {
		ad->tx_burst_real = dev->tx_pkt_burst;
		dev->tx_pkt_burst = tx_guarded;
	}
}

/* Wait until no burst of any queue runs (the pause flag is already set). */
static void
bursts_quiesce(struct qdma_adapter *ad)
{
	struct rte_eth_dev_data *d = ad->eth->data;

	if (!ad->membarrier_ok || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) < 0) {
		/* no asymmetric barrier: a full fence here, and a grace period */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		rte_delay_us_sleep(1000);
	}
	for (uint16_t i = 0; i < d->nb_rx_queues; i++) {
		struct qdma_rxq *q = d->rx_queues[i];

		while (q != NULL && __atomic_load_n(&q->in_burst, __ATOMIC_ACQUIRE))
			rte_pause();
	}
	for (uint16_t i = 0; i < d->nb_tx_queues; i++) {
		struct qdma_txq *q = d->tx_queues[i];

		while (q != NULL && __atomic_load_n(&q->in_burst, __ATOMIC_ACQUIRE))
			rte_pause();
	}
}

/* Hold the data path (RESTORE): bursts return 0 and none runs from here on. */
void
qdma_vf_dp_hold(struct qdma_adapter *ad)
{
	__atomic_store_n(&ad->dp_paused, 1, __ATOMIC_RELAXED);
	bursts_quiesce(ad);
}

/* Bounded spin for the card to take what was posted on every H2C ring; true if it did. */
static bool
tx_drain(struct qdma_adapter *ad)
{
	struct rte_eth_dev_data *d = ad->eth->data;
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000000 * PAUSE_DRAIN_US;

	for (uint16_t i = 0; i < d->nb_tx_queues; i++) {
		struct qdma_txq *q = d->tx_queues[i];

		while (q != NULL && q->started && q->status->cidx != q->pidx) {
			if (rte_get_timer_cycles() > deadline || ad->dev_gone)
				return false;
			rte_pause();
		}
	}
	return true;
}

static void
pause_positions(struct qdma_adapter *ad, union qdma_mbox_msg *rsp, bool drained)
{
	struct rte_eth_dev_data *d = ad->eth->data;
	uint16_t nq = RTE_MAX(d->nb_rx_queues, d->nb_tx_queues);

	rsp->svff_pause.nb_q = nq;
	rsp->svff_pause.drained = drained;
	for (uint16_t i = 0; i < nq && i < QDMA_MBOX_SVFF_PAUSE_POS_MAX; i++) {
		struct qdma_txq *t = i < d->nb_tx_queues ? d->tx_queues[i] : NULL;
		struct qdma_rxq *r = i < d->nb_rx_queues ? d->rx_queues[i] : NULL;
		struct qdma_mbox_svff_qpos *p = &rsp->svff_pause.pos[i];

		if (t != NULL && t->started) {
			p->h2c_pidx = t->pidx;
			p->h2c_cidx = t->status->cidx;
		}
		if (r != NULL && r->started) {
			p->c2h_pidx = r->pidx;
			p->cmpt_cidx = r->cmpt_cidx;
		}
	}
}

/* The new window: queue numbers on the card follow it; then every doorbell again. */
static void
resume_queues(struct qdma_adapter *ad, int32_t qbase, uint32_t qmax)
{
	struct rte_eth_dev_data *d = ad->eth->data;

	ad->qbase = qbase;
	ad->qmax = qmax;
	for (uint16_t i = 0; i < d->nb_rx_queues; i++) {
		struct qdma_rxq *q = d->rx_queues[i];

		if (q == NULL)
			continue;
		q->qid_hw = (uint16_t)(qbase + i);
		if (!q->started)
			continue;
		rte_write32(q->cmpt_db_bits | q->cmpt_db_cidx, q->db_cmpt_cidx);
		rte_write32(qdma_db_pidx(q->pidx, 0), q->db_c2h_pidx);
	}
	for (uint16_t i = 0; i < d->nb_tx_queues; i++) {
		struct qdma_txq *q = d->tx_queues[i];

		if (q == NULL)
			continue;
		q->qid_hw = (uint16_t)(qbase + i);
		/*
		 * The restored context starts from the pidx it had; descriptors
		 * posted before the pause are taken once the doorbell changes.
		 * The interrupt-enable bit makes the value differ from the
		 * cleared register even at pidx 0 (it is ignored: no vector).
		 */
		if (q->started)
			rte_write32(qdma_db_pidx(q->pidx, 1), q->db_h2c_pidx);
	}
}

/*
 * PAUSE / RESUME from the PF (called with mbox_lock held).  Returns false
 * if @p m is not an extension message.
 */
bool
qdma_vf_pause_msg(struct qdma_adapter *ad, union qdma_mbox_msg *m)
{
	union qdma_mbox_msg rsp = *m;
	bool drained = true;

	if (m->hdr.op != QDMA_MBOX_OP_SVFF_PAUSE && m->hdr.op != QDMA_MBOX_OP_SVFF_RESUME)
		return false;
	qdma_mbox_msg_make_rsp(&rsp, ad->func_id, 0);
	memset(&rsp.b[sizeof(rsp.hdr)], 0, QDMA_MBOX_MSG_BYTES - sizeof(rsp.hdr));
	if (m->hdr.op == QDMA_MBOX_OP_SVFF_PAUSE) {
		if (ad->dp_paused)
			QDMA_MBOX_LOG(DEBUG, "%s: PAUSE while paused: answered again", ad->name);
		__atomic_store_n(&ad->dp_paused, 1, __ATOMIC_RELAXED);
		bursts_quiesce(ad);
		drained = tx_drain(ad);
		pause_positions(ad, &rsp, drained);
		ad->vf_pauses++;
		QDMA_MBOX_LOG(DEBUG, "%s: paused (%s)", ad->name,
			drained ? "drained" : "H2C descriptors left for after the pause");
	} else {
		resume_queues(ad, m->svff_resume.qbase, m->svff_resume.qmax);
		__atomic_store_n(&ad->dp_paused, 0, __ATOMIC_RELEASE);
		QDMA_MBOX_LOG(DEBUG, "%s: resumed at qbase %d", ad->name, m->svff_resume.qbase);
		return true;   /* RESUME is not answered */
	}
	/*
	 * Our outbox may still hold an earlier message the PF has not read
	 * (the PF may even be served by this very thread): the answer waits
	 * in the adapter and an alarm retries, instead of spinning here.
	 */
	ad->pause_rsp = rsp;
	ad->pause_rsp_tries = 0;
	if (qdma_mbox_send(ad, 0, &rsp) == -EBUSY)
		rte_eal_alarm_set(PAUSE_RSP_RETRY_US, pause_rsp_retry, ad);
	return true;
}

/* Port closing: no retry may run after this. */
void
qdma_vf_pause_stop(struct qdma_adapter *ad)
{
	rte_eal_alarm_cancel(pause_rsp_retry, ad);
}
