/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side of the svff RESTORE notice (qdma_hw_mbox.h "svff extension"): the
 * PF's driver restarted while this VF kept its device (a VF in a VM keeps
 * its BAR across a restart of svffd), and the card lost what the PF had set
 * up for the VF.  The driver registers again by itself, so that the
 * application notices no more than a stall:
 *   hold the data path (the pause guard), HELLO, CSR, the same number of
 *   queues again (QREQ + FMAP), every set-up queue announced again
 *   (QNOTIFY), then every started queue restarted with new contexts, and
 *   release.  What the card had taken is lost with it; what was posted for
 *   transmit and not taken yet (as far as the card's last status write-back
 *   says) is posted again (a transmit ring is where an
 *   application's packets pile up while the card is gone); receive rings
 *   start over empty.
 * A VF the PF had paused gets its window back and stays paused: the PF's
 * unpause writes back the contexts it saved, then RESUME.
 * Runs outside the mailbox lock, on the thread that delivers the VF's
 * notices (qdma_vf_fire_events()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "qdma.h"
#include "qdma_rxtx.h"

/* Tries of the whole registration when a request to the PF times out. */
#define RESTORE_TRIES 3

/* Announce every queue set up on the port again (the new PF counts none). */
static int
restore_notify(struct qdma_adapter *ad)
{
	struct rte_eth_dev_data *d = ad->eth->data;
	int rc = 0;

	for (uint16_t i = 0; i < d->nb_rx_queues && rc == 0; i++) {
		struct qdma_rxq *q = d->rx_queues[i];

		if (q == NULL)
			continue;
		q->qid_hw = (uint16_t)(ad->qbase + i);
		rc = qdma_vf_qnotify(ad, q->qid_hw, QDMA_MBOX_QTYPE_C2H, true);
		if (rc == 0)
			rc = qdma_vf_qnotify(ad, q->qid_hw, QDMA_MBOX_QTYPE_CMPT, true);
	}
	for (uint16_t i = 0; i < d->nb_tx_queues && rc == 0; i++) {
		struct qdma_txq *q = d->tx_queues[i];

		if (q == NULL)
			continue;
		q->qid_hw = (uint16_t)(ad->qbase + i);
		rc = qdma_vf_qnotify(ad, q->qid_hw, QDMA_MBOX_QTYPE_H2C, true);
	}
	return rc;
}

/*
 * Restart a started TX queue: a new context from an empty ring, then what was
 * posted and not taken posted again from slot 0 on.  "Not taken" is what the
 * old card's last status write-back did not cover: a packet it took after that
 * write-back goes out twice.
 */
static int
restart_txq(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_txq *q = dev->data->tx_queues[qid];
	struct rte_mempool *ffmp = q->fast_free_mp;
	struct qdma_h2c_st_desc *desc = NULL;
	struct rte_mbuf **sw = NULL;
	uint16_t n, k = 0;
	int rc;

	/* what the old card took (its last status write-back) is done with */
	qdma_txq_reclaim(q);
	n = qdma_ring_dist(q->cons, q->pidx, q->r);

	if (n > 0) {
		desc = malloc(sizeof(*desc) * n);
		sw = malloc(sizeof(*sw) * n);
		if (desc == NULL || sw == NULL) {
			free(desc);
			free(sw);
			desc = NULL;
			sw = NULL;
			n = 0;
			qdma_txq_release_mbufs(q);   /* no room to keep them: dropped */
		}
	}
	for (uint16_t i = q->cons; k < n; i = qdma_ring_inc(i, q->r), k++) {
		desc[k] = q->ring[i];
		sw[k] = q->sw_ring[i];
		q->sw_ring[i] = NULL;
	}
	q->cons = q->pidx;
	rc = dev->dev_ops->tx_queue_start(dev, qid);
	if (rc == 0 && n > 0) {
		memcpy(q->ring, desc, sizeof(*desc) * n);
		memcpy(q->sw_ring, sw, sizeof(*sw) * n);
		q->fast_free_mp = ffmp;
		q->pidx = n;
		rte_io_wmb();
		rte_write32(qdma_db_pidx(q->pidx, 0), q->db_h2c_pidx);
		q->st.doorbells++;
	} else {
		/* not started: what was kept goes back to its pools */
		for (k = 0; k < n; k++)
			if (sw[k] != NULL)
				rte_pktmbuf_free_seg((struct rte_mbuf *)((uintptr_t)sw[k] &
					~(uintptr_t)1));
	}
	free(desc);
	free(sw);
	return rc;
}

/*
 * Restart every started queue: new contexts, doorbells.  Receivers first: what
 * is posted again for transmit must find them (a loopback card drops a packet
 * for a queue without a context).
 */
static int
restore_queues(struct qdma_adapter *ad)
{
	struct rte_eth_dev *dev = ad->eth;
	struct rte_eth_dev_data *d = dev->data;
	int rc = 0;

	for (uint16_t i = 0; i < d->nb_rx_queues && rc == 0; i++) {
		struct qdma_rxq *q = d->rx_queues[i];

		if (q == NULL || !q->started)
			continue;
		qdma_rxq_release_mbufs(q);
		rc = dev->dev_ops->rx_queue_start(dev, i);
	}
	for (uint16_t i = 0; i < d->nb_tx_queues && rc == 0; i++) {
		struct qdma_txq *q = d->tx_queues[i];

		if (q != NULL && q->started)
			rc = restart_txq(dev, i);
	}
	return rc;
}

static int
restore_run(struct qdma_adapter *ad, bool paused)
{
	uint32_t nq = ad->qmax;
	int rc;

	rc = qdma_vf_hello(ad);
	/*
	 * A RESTORE that came before the answer to this HELLO is answered by it (a PF's
	 * messages arrive in order): registering twice would drop what the first one
	 * saved. One that comes after is a newer PF's, and is served next.
	 */
	if (rc == 0)
		__atomic_fetch_and(&ad->pending_events, (uint8_t)~QDMA_EVT_RESTORE,
			__ATOMIC_ACQ_REL);
	if (rc == 0)
		rc = qdma_vf_csr(ad);
	if (rc == 0 && nq > 0)
		rc = qdma_vf_qreq(ad, nq);
	if (rc == 0 && nq > 0)
		rc = restore_notify(ad);
	if (rc == 0 && !paused)
		rc = restore_queues(ad);
	return rc;
}

void
qdma_vf_restore(struct qdma_adapter *ad)
{
	struct rte_eth_dev *dev = ad->eth;
	bool started, guarded, paused;
	uint64_t pauses;
	int rc;

	if (ad->pf_gone || ad->dev_gone || dev == NULL)
		return;
	started = dev->data->dev_started != 0;
	guarded = (ad->pf_svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE) != 0;
	/* held by an earlier RESTORE that failed (its PF died again): not a pause */
	paused = __atomic_load_n(&ad->dp_paused, __ATOMIC_ACQUIRE) != 0 && !ad->restore_hold;
	if (started && !guarded) {
		/* no way to hold the data path here: the application resets the port */
		QDMA_MBOX_LOG(NOTICE, "%s: the PF restarted: reset the port", ad->name);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET, NULL);
		return;
	}
	QDMA_MBOX_LOG(NOTICE, "%s: the PF restarted: registering again%s", ad->name,
		paused ? " (paused: the queues wait for RESUME)" : "");
	pauses = ad->vf_pauses;
	if (started && !paused) {
		qdma_vf_dp_hold(ad);
		ad->restore_hold = true;
	}
	if (!started) {
		/* the next configure asks for a window */
		ad->qbase = -1;
		ad->qmax = 0;
		ad->csr_valid = false;
		rc = qdma_vf_hello(ad);
		if (rc == 0)
			rc = qdma_vf_csr(ad);
	} else {
		/* a PF that has just started may be slow to answer: a few tries */
		for (int tries = 0; tries < RESTORE_TRIES; tries++) {
			rc = restore_run(ad, paused);
			if (rc != -ETIMEDOUT || ad->pf_gone || ad->dev_gone)
				break;
		}
	}
	ad->vf_restores++;
	if (rc < 0) {
		/* the data path stays held (nothing it posts could reach a card) until a
		 * later RESTORE succeeds */
		QDMA_MBOX_LOG(ERR, "%s: registering again with the restarted PF failed: %s",
			ad->name, rte_strerror(-rc));
		return;
	}
	/* a PAUSE that came meanwhile keeps the data path held (as paused) */
	ad->restore_hold = false;
	if (started && !paused && ad->vf_pauses == pauses)
		__atomic_store_n(&ad->dp_paused, 0, __ATOMIC_RELEASE);
	QDMA_MBOX_LOG(NOTICE, "%s: registered again with the PF (queues %d..%d)", ad->name,
		ad->qbase, ad->qbase + (int)ad->qmax - 1);
}
