/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Card-memory (MM) transfers behind rte_pmd_qdma_mm_*() (rte_pmd_qdma.c).
 *
 * With devarg mm_queues=<n>, the function's queue window gets n more queues
 * after the ethdev ones; MM queue k is hardware queue qbase + nb_eth + k,
 * with an H2C MM ring (host -> card memory) and a C2H MM ring (card -> host).
 * Rings are set up on first use: on the PF through the indirect interface,
 * on a VF through the mailbox (QNOTIFY + QCTXT_WRT), exactly like ST queues.
 * Progress is the status descriptor's cidx (reference §6.4): a synchronous
 * call waits for it (bounded); submit/poll is the asynchronous form.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_memzone.h>

#include "qdma.h"

#define MM_SYNC_TIMEOUT_MS 200u

static uint16_t
mm_inc(uint16_t i, uint16_t r)
{
	return (uint16_t)(i + 1 == r - 1 ? 0 : i + 1);
}

static void
ring_free(struct qdma_mm_ring *d)
{
	rte_memzone_free(d->mz);
	memset(d, 0, sizeof(*d));
}

static void release_one(struct qdma_adapter *ad, struct qdma_mmq *m);

static int
mmq_setup(struct qdma_adapter *ad, unsigned int k)
{
	struct qdma_mmq *m = &ad->mmq[k];
	int ridx, rc;

	if (ad->qbase < 0 || k >= ad->nb_mmq || ad->nb_eth_q + k >= ad->qmax)
		return -EINVAL;
	rc = qdma_csr_ready(ad);
	if (rc < 0)
		return rc;
	ridx = qdma_ring_idx_at_least(ad, QDMA_MM_RING + 1);
	if (ridx < 0)
		return -EINVAL;
	m->qid_hw = (uint16_t)(ad->qbase + ad->nb_eth_q + k);
	for (unsigned int dir = 0; dir < 2; dir++) {
		struct qdma_mm_ring *d = &m->dir[dir];
		struct qdma_mbox_descq_conf c = { 0 };
		char name[RTE_MEMZONE_NAMESIZE];
		bool c2h = dir == 1;

		snprintf(name, sizeof(name), "qdma%u_mm%u%c", ad->eth->data->port_id, k,
			c2h ? 'r' : 'w');
		d->r = (uint16_t)ad->csr.ring_sz[ridx];
		d->mz = rte_memzone_reserve_aligned(name, (size_t)d->r * sizeof(struct qdma_mm_desc),
			SOCKET_ID_ANY, RTE_MEMZONE_IOVA_CONTIG, 4096);
		if (d->mz == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		memset(d->mz->addr, 0, d->mz->len);
		d->ring = d->mz->addr;
		d->status = (volatile struct qdma_status_desc *)&d->ring[d->r - 1];
		d->db = qdma_db_addr(ad, (uint16_t)(ad->nb_eth_q + k),
			c2h ? QDMA_DMAP_C2H_PIDX : QDMA_DMAP_H2C_PIDX);
		c.ring_bs_addr = d->mz->iova;
		c.flags = QDMA_DESCQ_F_WBK_EN | QDMA_DESCQ_F_WBI_CHK | QDMA_DESCQ_F_WBI_INTVL_EN |
			((uint32_t)QDMA_DESC_SZ_32B << QDMA_DESCQ_DESC_SZ_SHIFT);
		c.func_id = ad->func_id;
		c.ringsz = d->r - 1;
		if (ad->is_vf) {
			rc = qdma_vf_qnotify(ad, m->qid_hw, c2h ? QDMA_MBOX_QTYPE_C2H :
				QDMA_MBOX_QTYPE_H2C, true);
			if (rc == 0)
				rc = qdma_vf_qctxt(ad, QDMA_MBOX_OP_QCTXT_WRT, m->qid_hw,
					qdma_mbox_qctxt_flags(0, c2h, QDMA_MBOX_CMPT_CTXT_NONE), &c);
		} else {
			rc = qdma_queue_ctxt_write(ad, ad->func_id, m->qid_hw, false, c2h,
				QDMA_MBOX_CMPT_CTXT_NONE, &c);
		}
		if (rc < 0)
			goto fail;
	}
	m->ready = true;
	return 0;
fail:
	QDMA_LOG(ERR, "%s: MM queue %u setup failed: %s", ad->name, k, rte_strerror(-rc));
	/* undo what the directions set up so far: no context may keep pointing
	 * at a freed ring, no active count may stay behind */
	m->ready = true;
	release_one(ad, m);
	return rc;
}

static void
release_one(struct qdma_adapter *ad, struct qdma_mmq *m)
{
	if (!m->ready)
		return;
	for (unsigned int dir = 0; dir < 2; dir++) {
		bool c2h = dir == 1;

		if (m->dir[dir].mz == NULL)
			continue;   /* never set up */
		if (ad->is_vf && !ad->pf_gone) {
			qdma_vf_qctxt(ad, QDMA_MBOX_OP_QCTXT_INV, m->qid_hw,
				qdma_mbox_qctxt_flags(0, c2h, QDMA_MBOX_CMPT_CTXT_NONE), NULL);
			qdma_vf_qnotify(ad, m->qid_hw, c2h ? QDMA_MBOX_QTYPE_C2H :
				QDMA_MBOX_QTYPE_H2C, false);
		} else if (!ad->is_vf) {
			qdma_queue_ctxt_inv(ad, m->qid_hw, false, c2h, QDMA_MBOX_CMPT_CTXT_NONE,
				false);
		}
		ring_free(&m->dir[dir]);
	}
	m->ready = false;
}

void
qdma_mm_release(struct qdma_adapter *ad)
{
	for (unsigned int k = 0; k < QDMA_MAX_MM_QUEUES; k++)
		release_one(ad, &ad->mmq[k]);
}

/* MM queue @p k of @p ad, or NULL with *rc (-EINVAL, -ENODEV). */
static struct qdma_mmq *
mmq_get(struct qdma_adapter *ad, uint16_t k, int *rc)
{
	*rc = 0;
	if (k >= ad->nb_mmq) {
		*rc = -EINVAL;
		return NULL;
	}
	if (ad->pf_gone) {
		*rc = -ENODEV;
		return NULL;
	}
	return &ad->mmq[k];
}

/* Post one descriptor; the caller holds m->lock. */
static int
mm_post(struct qdma_mm_ring *d, bool write, uint64_t card_addr, rte_iova_t iova, uint32_t len)
{
	uint16_t next = mm_inc(d->pidx, d->r);
	struct qdma_mm_desc v;

	if (len == 0 || len > QDMA_MM_DESC_LEN_MAX)
		return -EINVAL;
	if (next == d->status->cidx)
		return -ENOSPC;   /* one slot always stays empty */
	if (write)
		qdma_mm_desc_fill(&v, iova, card_addr, len);
	else
		qdma_mm_desc_fill(&v, card_addr, iova, len);
	memcpy(&d->ring[d->pidx], &v, sizeof(v));
	d->pidx = next;
	rte_write32(qdma_db_pidx(next, 0), d->db);
	return 0;
}

/* The MM queue, locked and set up; NULL (unlocked) with *rc on failure. */
static struct qdma_mmq *
mmq_acquire(struct qdma_adapter *ad, uint16_t k, int *rc)
{
	struct qdma_mmq *m = mmq_get(ad, k, rc);

	if (m == NULL)
		return NULL;
	rte_spinlock_lock(&m->lock);
	if (!m->ready)
		*rc = mmq_setup(ad, k);
	if (*rc != 0) {
		rte_spinlock_unlock(&m->lock);
		return NULL;
	}
	return m;
}

int
qdma_mm_submit(struct qdma_adapter *ad, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len)
{
	int rc;
	struct qdma_mmq *m = mmq_acquire(ad, mmq, &rc);

	if (m == NULL)
		return rc;
	rc = mm_post(&m->dir[write ? 0 : 1], write, card_addr, iova, len);
	rte_spinlock_unlock(&m->lock);
	return rc;
}

int
qdma_mm_poll(struct qdma_adapter *ad, uint16_t mmq, bool write)
{
	struct qdma_mm_ring *d;
	uint16_t cidx;
	int rc, n;
	struct qdma_mmq *m = mmq_get(ad, mmq, &rc);

	if (m == NULL)
		return rc;
	if (!m->ready)
		return 0;
	d = &m->dir[write ? 0 : 1];
	rte_spinlock_lock(&m->lock);
	cidx = d->status->cidx;
	if (cidx > d->r - 2) {
		rte_spinlock_unlock(&m->lock);
		return -EIO;
	}
	n = (int)cidx - (int)d->done;
	if (n < 0)
		n += d->r - 1;
	d->done = cidx;
	rte_spinlock_unlock(&m->lock);
	return n;
}

/* Wait until everything posted on @p d is done. */
static int
mm_wait(struct qdma_adapter *ad, struct qdma_mm_ring *d)
{
	/* the card's cidx, within the status descriptor's first word */
	const unsigned int sh = 8 * offsetof(struct qdma_status_desc, cidx);

	return qdma_wait32(ad, d->status, 0xFFFFu << sh, (uint32_t)d->pidx << sh, 1000, 2,
		(uint64_t)MM_SYNC_TIMEOUT_MS * 1000);
}

int
qdma_mm_sync(struct qdma_adapter *ad, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len)
{
	struct qdma_mm_ring *d;
	int rc;
	struct qdma_mmq *m = mmq_acquire(ad, mmq, &rc);

	if (m == NULL)
		return rc;
	d = &m->dir[write ? 0 : 1];
	rc = mm_post(d, write, card_addr, iova, len);
	if (rc == -ENOSPC && (rc = mm_wait(ad, d)) == 0)
		rc = mm_post(d, write, card_addr, iova, len);
	if (rc == 0) {
		rc = mm_wait(ad, d);
		if (rc == 0)
			d->done = d->pidx;
		else
			QDMA_LOG(ERR, "%s: MM %s of %u bytes at card 0x%" PRIx64 " did not complete "
				"(card error?)", ad->name, write ? "write" : "read", len, card_addr);
	}
	rte_spinlock_unlock(&m->lock);
	return rc;
}
