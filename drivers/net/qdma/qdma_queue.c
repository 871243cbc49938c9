/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethdev queues of the QDMA PMD, both roles: setup, release, start, stop.
 * The PF programs its own contexts directly; the VF asks its PF through the
 * mailbox.  Used by qdma_ethdev.c (device ops) and qdma_mm.c (MM queues);
 * calls neither.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_memzone.h>

#include "qdma.h"

/* ---------------------------------------------------------------- helpers */

/* Table index of the smallest ring size >= want entries; -1 if none. */
int
qdma_ring_idx_at_least(const struct qdma_adapter *ad, uint32_t want)
{
	int best = -1;

	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		uint32_t v = ad->csr.ring_sz[i];

		if (v >= want && v >= 2 && (best < 0 || v < ad->csr.ring_sz[best]))
			best = (int)i;
	}
	return best;
}

volatile void *
qdma_db_addr(const struct qdma_adapter *ad, uint16_t qid, uint32_t reg)
{
	return ad->bar + QDMA_DMAP_REG(ad->dmap_base, qid, reg);
}

static int
own_queue_notify(struct qdma_adapter *ad, uint16_t qid_hw, unsigned int type, bool add)
{
	if (ad->is_vf)
		return qdma_vf_qnotify(ad, qid_hw, type, add);
	rte_spinlock_lock(&ad->mbox_lock);
	if (add)
		ad->pf->fn[ad->func_id].active[type]++;
	else if (ad->pf->fn[ad->func_id].active[type] > 0)
		ad->pf->fn[ad->func_id].active[type]--;
	rte_spinlock_unlock(&ad->mbox_lock);
	return 0;
}

static int
own_ctxt_write(struct qdma_adapter *ad, uint16_t qid_hw, bool c2h,
		const struct qdma_mbox_descq_conf *d)
{
	unsigned int ct = c2h ? QDMA_MBOX_CMPT_CTXT_WITH_ST : QDMA_MBOX_CMPT_CTXT_NONE;

	if (ad->is_vf)
		return qdma_vf_qctxt(ad, QDMA_MBOX_OP_QCTXT_WRT, qid_hw,
			qdma_mbox_qctxt_flags(1, c2h, ct), d);
	return qdma_queue_ctxt_write(ad, ad->func_id, qid_hw, true, c2h, ct, d);
}

static int
own_ctxt_inv(struct qdma_adapter *ad, uint16_t qid_hw, bool c2h)
{
	unsigned int ct = c2h ? QDMA_MBOX_CMPT_CTXT_WITH_ST : QDMA_MBOX_CMPT_CTXT_NONE;

	if (ad->is_vf)
		return qdma_vf_qctxt(ad, QDMA_MBOX_OP_QCTXT_INV, qid_hw,
			qdma_mbox_qctxt_flags(1, c2h, ct), NULL);
	return qdma_queue_ctxt_inv(ad, qid_hw, true, c2h, ct, false);
}

/* ------------------------------------------------------------------ queues */

static void
rxq_free(struct qdma_rxq *q)
{
	if (q == NULL)
		return;
	qdma_rxq_release_mbufs(q);
	rte_memzone_free(q->mz_ring);
	rte_memzone_free(q->mz_cmpt);
	rte_free(q->sw_ring);
	rte_free(q);
}

void
qdma_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_C2H, false);
	own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_CMPT, false);
	rxq_free(q);
	dev->data->rx_queues[qid] = NULL;
}

void
qdma_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return;
	own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_H2C, false);
	qdma_txq_release_mbufs(q);
	rte_memzone_free(q->mz_ring);
	rte_free(q->sw_ring);
	rte_free(q);
	dev->data->tx_queues[qid] = NULL;
}

static const struct rte_memzone *
ring_zone(struct qdma_adapter *ad, const char *kind, uint16_t qid, size_t len, int socket)
{
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "qdma%u_%s%u", ad->eth->data->port_id, kind, qid);
	return rte_memzone_reserve_aligned(name, len, socket,
		RTE_MEMZONE_IOVA_CONTIG, 4096);
}

int
qdma_csr_ready(struct qdma_adapter *ad)
{
	if (ad->csr_valid)
		return 0;
	return ad->is_vf ? qdma_vf_csr(ad) : (qdma_pf_read_csr(ad), 0);
}

int
qdma_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	int ridx, cidx, bidx = -1, rc;
	struct qdma_rxq *q;
	uint32_t esz;

	rc = qdma_csr_ready(ad);
	if (rc < 0)
		return rc;
	if (qid >= ad->nb_eth_q)
		return -EINVAL;
	if (dev->data->rx_queues[qid] != NULL)
		qdma_rx_queue_release(dev, qid);
	ridx = qdma_ring_idx_at_least(ad, (uint32_t)nb_desc + 1);
	if (ridx < 0) {
		QDMA_LOG(ERR, "%s: no ring size for %u RX descriptors", ad->name, nb_desc);
		return -EINVAL;
	}
	cidx = qdma_ring_idx_at_least(ad, 2 * (ad->csr.ring_sz[ridx] - 1) + 1);
	if (cidx < 0) {
		QDMA_LOG(ERR, "%s: no completion ring size for %u RX descriptors", ad->name,
			nb_desc);
		return -EINVAL;
	}
	/* the largest card buffer size that fits the mbuf data room */
	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++)
		if (ad->csr.buf_sz[i] >= 256 && ad->csr.buf_sz[i] <= room &&
		    (bidx < 0 || ad->csr.buf_sz[i] > ad->csr.buf_sz[bidx]))
			bidx = (int)i;
	if (bidx < 0) {
		QDMA_LOG(ERR, "%s: mbuf data room %u fits no card buffer size", ad->name, room);
		return -EINVAL;
	}
	q = rte_zmalloc_socket("qdma_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->ad = ad;
	q->mp = mp;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	q->qid_hw = (uint16_t)(ad->qbase + qid);
	q->r = (uint16_t)ad->csr.ring_sz[ridx];
	q->rc = (uint16_t)ad->csr.ring_sz[cidx];
	q->nb_desc = q->r - 1;
	/* thresholds scaled down for small rings, or a 64-entry ring never refills */
	q->refill_thresh = (uint16_t)RTE_MIN(QDMA_RX_REFILL_THRESH, (q->r - 2u) / 2u);
	q->cmpt_db_thresh = (uint16_t)RTE_MIN(QDMA_CMPT_DB_THRESH, (q->rc - 1u) / 4u);
	q->rngsz_idx = (uint8_t)ridx;
	q->cmpt_rngsz_idx = (uint8_t)cidx;
	q->bufsz_idx = (uint8_t)bidx;
	q->buf_size = (uint16_t)ad->csr.buf_sz[bidx];
	q->cmpt_sz = ad->cmpt_sz;
	esz = qdma_cmpt_sz_bytes(ad->cmpt_sz);
	q->esz = (uint16_t)esz;
	q->trig = ad->trig_mode;
	/* timer value 5 and counter threshold 64 (or rx wthresh), as the reference */
	q->tmr_idx = (uint8_t)RTE_MAX(0, qdma_csr_table_find(ad->csr.timer_cnt, 5));
	q->cnt_idx = 7;
	if (conf != NULL && conf->rx_thresh.wthresh &&
	    qdma_csr_table_find(ad->csr.cnt_th, conf->rx_thresh.wthresh) >= 0)
		q->cnt_idx = (uint8_t)qdma_csr_table_find(ad->csr.cnt_th, conf->rx_thresh.wthresh);
	q->deferred_start = conf != NULL && conf->rx_deferred_start;
	{
		struct rte_mbuf mb = { .buf_addr = 0 };
		uintptr_t p;

		mb.nb_segs = 1;
		mb.data_off = RTE_PKTMBUF_HEADROOM;
		mb.port = q->port_id;
		rte_mbuf_refcnt_set(&mb, 1);
		rte_compiler_barrier();
		p = (uintptr_t)&mb.rearm_data;
		q->mbuf_init = *(uint64_t *)p;
	}
	q->mz_ring = ring_zone(ad, "c2h", qid, (size_t)q->r * sizeof(struct qdma_c2h_st_desc),
		(int)socket);
	q->mz_cmpt = ring_zone(ad, "cmpt", qid, (size_t)q->rc * esz, (int)socket);
	q->sw_ring = rte_zmalloc_socket("qdma_rx_sw", sizeof(struct rte_mbuf *) * q->r,
		RTE_CACHE_LINE_SIZE, (int)socket);
	if (q->mz_ring == NULL || q->mz_cmpt == NULL || q->sw_ring == NULL) {
		rxq_free(q);
		return -ENOMEM;
	}
	q->ring = q->mz_ring->addr;
	q->cmpt = q->mz_cmpt->addr;
	q->cmpt_status = (volatile struct qdma_status_desc *)(q->cmpt + (size_t)(q->rc - 1) * esz);
	q->db_c2h_pidx = qdma_db_addr(ad, qid, QDMA_DMAP_C2H_PIDX);
	q->db_cmpt_cidx = qdma_db_addr(ad, qid, QDMA_DMAP_CMPT_CIDX);
	rc = own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_C2H, true);
	if (rc == 0) {
		rc = own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_CMPT, true);
		if (rc < 0)
			own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_C2H, false);
	}
	if (rc < 0) {
		rxq_free(q);
		return rc;
	}
	dev->data->rx_queues[qid] = q;
	return 0;
}

int
qdma_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		const struct rte_eth_txconf *conf)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_txq *q;
	int ridx, rc;

	rc = qdma_csr_ready(ad);
	if (rc < 0)
		return rc;
	if (qid >= ad->nb_eth_q)
		return -EINVAL;
	if (dev->data->tx_queues[qid] != NULL)
		qdma_tx_queue_release(dev, qid);
	ridx = qdma_ring_idx_at_least(ad, (uint32_t)nb_desc + 1);
	if (ridx < 0) {
		QDMA_LOG(ERR, "%s: no ring size for %u TX descriptors", ad->name, nb_desc);
		return -EINVAL;
	}
	q = rte_zmalloc_socket("qdma_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->ad = ad;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	q->qid_hw = (uint16_t)(ad->qbase + qid);
	q->r = (uint16_t)ad->csr.ring_sz[ridx];
	q->nb_desc = q->r - 1;
	q->free_thresh = (uint16_t)RTE_MIN(QDMA_TX_FREE_THRESH, (q->r - 2u) / 2u);
	q->rngsz_idx = (uint8_t)ridx;
	q->deferred_start = conf != NULL && conf->tx_deferred_start;
	q->fast_free = ((conf != NULL ? conf->offloads : 0) | dev->data->dev_conf.txmode.offloads) &
		RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	q->mz_ring = ring_zone(ad, "h2c", qid, (size_t)q->r * sizeof(struct qdma_h2c_st_desc),
		(int)socket);
	q->sw_ring = rte_zmalloc_socket("qdma_tx_sw", sizeof(struct rte_mbuf *) * q->r,
		RTE_CACHE_LINE_SIZE, (int)socket);
	if (q->mz_ring == NULL || q->sw_ring == NULL) {
		rte_memzone_free(q->mz_ring);
		rte_free(q->sw_ring);
		rte_free(q);
		return -ENOMEM;
	}
	q->ring = q->mz_ring->addr;
	q->status = (volatile struct qdma_status_desc *)&q->ring[q->r - 1];
	q->db_h2c_pidx = qdma_db_addr(ad, qid, QDMA_DMAP_H2C_PIDX);
	rc = own_queue_notify(ad, q->qid_hw, QDMA_MBOX_QTYPE_H2C, true);
	if (rc < 0) {
		rte_memzone_free(q->mz_ring);
		rte_free(q->sw_ring);
		rte_free(q);
		return rc;
	}
	dev->data->tx_queues[qid] = q;
	return 0;
}

int
qdma_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_rxq *q = dev->data->rx_queues[qid];
	struct qdma_mbox_descq_conf d = { 0 };
	struct qdma_cmpt_cidx_db db = { 0 };
	int rc;

	if (q == NULL)
		return -EINVAL;
	memset(q->ring, 0, (size_t)q->r * sizeof(*q->ring));
	memset(q->cmpt, 0, (size_t)q->rc * q->esz);
	q->rx_tail = 0;
	q->cmpt_cidx = 0;
	q->cmpt_db_cidx = 0;
	q->in_error = false;
	rc = qdma_rxq_fill(q);
	if (rc < 0)
		return rc;
	d.ring_bs_addr = q->mz_ring->iova;
	d.cmpt_ring_bs_addr = q->mz_cmpt->iova;
	d.flags = QDMA_DESCQ_F_FORCED_EN | QDMA_DESCQ_F_CMPL_STAT_EN |
		(ad->desc_prefetch ? QDMA_DESCQ_F_PFCH_EN : 0) |
		((uint32_t)QDMA_DESC_SZ_8B << QDMA_DESCQ_DESC_SZ_SHIFT) |
		((uint32_t)q->cmpt_sz << QDMA_DESCQ_CMPT_DESC_SZ_SHIFT) |
		((uint32_t)q->trig << QDMA_DESCQ_TRIG_MODE_SHIFT);
	if (!ad->is_vf)
		d.flags |= QDMA_DESCQ_F_WBK_EN;
	d.func_id = ad->func_id;
	d.cnt_thres = (uint8_t)ad->csr.cnt_th[q->cnt_idx];
	d.timer_thres = (uint8_t)ad->csr.timer_cnt[q->tmr_idx];
	d.ringsz = q->r - 1;
	d.bufsz = q->buf_size;
	d.cmpt_ringsz = q->rc - 1;
	rc = own_ctxt_write(ad, q->qid_hw, true, &d);
	if (rc < 0) {
		qdma_rxq_release_mbufs(q);
		return rc;
	}
	db.cidx = 0;
	db.counter_idx = q->cnt_idx;
	db.timer_idx = q->tmr_idx;
	db.trig_mode = q->trig;
	db.stat_desc_en = 1;
	q->cmpt_db_bits = qdma_db_cmpt_cidx(&db);
	rte_write32(q->cmpt_db_bits, q->db_cmpt_cidx);
	q->pidx = q->r - 2;
	rte_write32(qdma_db_pidx(q->pidx, 0), q->db_c2h_pidx);
	q->started = true;
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

int
qdma_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return -EINVAL;
	if (q->started)
		own_ctxt_inv(ad, q->qid_hw, true);
	q->started = false;
	qdma_rxq_release_mbufs(q);
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

int
qdma_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_txq *q = dev->data->tx_queues[qid];
	struct qdma_mbox_descq_conf d = { 0 };
	int rc;

	if (q == NULL)
		return -EINVAL;
	memset(q->ring, 0, (size_t)q->r * sizeof(*q->ring));
	q->pidx = 0;
	q->cons = 0;
	q->fast_free_mp = NULL;
	d.ring_bs_addr = q->mz_ring->iova;
	d.flags = QDMA_DESCQ_F_WBK_EN | QDMA_DESCQ_F_WBI_CHK | QDMA_DESCQ_F_WBI_INTVL_EN |
		((uint32_t)QDMA_DESC_SZ_16B << QDMA_DESCQ_DESC_SZ_SHIFT);
	d.func_id = ad->func_id;
	d.ringsz = q->r - 1;
	rc = own_ctxt_write(ad, q->qid_hw, false, &d);
	if (rc < 0)
		return rc;
	rte_write32(qdma_db_pidx(0, 0), q->db_h2c_pidx);
	q->started = true;
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

int
qdma_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	struct qdma_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return -EINVAL;
	if (q->started) {
		if (!ad->dev_gone)
			qdma_txq_drain(q, 100);
		own_ctxt_inv(ad, q->qid_hw, false);
	}
	q->started = false;
	qdma_txq_release_mbufs(q);
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}
