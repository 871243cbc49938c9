/* SPDX-License-Identifier: BSD-3-Clause */
/* The QDMA PMD's private API (rte_pmd_qdma.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qdma.h"

static struct qdma_adapter *
pf_of(uint16_t port_id, int *rc)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	if (ad == NULL) {
		*rc = -ENODEV;
		return NULL;
	}
	if (ad->is_vf || ad->pf == NULL) {
		*rc = -ENOTSUP;
		return NULL;
	}
	*rc = 0;
	return ad;
}

int
rte_pmd_qdma_get_info(uint16_t port_id, struct rte_pmd_qdma_info *info)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	if (ad == NULL)
		return -ENODEV;
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->is_vf = ad->is_vf;
	info->emulated = ad->bus->emulated;
	info->func_id = ad->func_id;
	info->qbase = ad->qbase;
	info->qmax = ad->qmax;
	info->num_qs = ad->cap.num_qs;
	info->ip_version = ad->ip_version;
	rte_eth_dev_fw_version_get(port_id, info->fw_version, sizeof(info->fw_version));
	return 0;
}

int
rte_pmd_qdma_set_policy(uint16_t port_id, const struct rte_pmd_qdma_policy *policy, void *arg)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	rte_spinlock_lock(&ad->mbox_lock);
	if (policy != NULL)
		ad->pf->policy = *policy;
	else
		memset(&ad->pf->policy, 0, sizeof(ad->pf->policy));
	ad->pf->policy_arg = arg;
	ad->pf->policy_set = policy != NULL;
	rte_spinlock_unlock(&ad->mbox_lock);
	return 0;
}

int
rte_pmd_qdma_mbox_set_poll(uint16_t port_id, bool poll)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	ad->pf->mbox_poll = poll;
	return 0;
}

int
rte_pmd_qdma_mbox_service(uint16_t port_id, unsigned int budget)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	return qdma_pf_mbox_service(ad, budget);
}

int
rte_pmd_qdma_mbox_stats(uint16_t port_id, struct rte_pmd_qdma_mbox_stats *st)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (st == NULL)
		return -EINVAL;
	st->rx = ad->pf->mbox_rx;
	st->tx = ad->pf->mbox_tx;
	st->rejected = ad->pf->mbox_rejects;
	st->dropped = ad->pf->mbox_dropped;
	return 0;
}

int
rte_pmd_qdma_fn_state(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_fn_state *st)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);
	const struct qdma_fn_entry *e;

	if (ad == NULL)
		return rc;
	if (func_id >= QDMA_MAX_FUNCS || st == NULL)
		return -EINVAL;
	e = &ad->pf->fn[func_id];
	memset(st, 0, sizeof(*st));
	st->online = e->online;
	st->qbase = e->qbase;
	st->qmax = e->qmax;
	st->active_h2c = e->active[QDMA_MBOX_QTYPE_H2C];
	st->active_c2h = e->active[QDMA_MBOX_QTYPE_C2H];
	st->active_cmpt = e->active[QDMA_MBOX_QTYPE_CMPT];
	st->mbox_rx = e->msgs;
	st->mbox_tx = e->tx;
	st->mbox_rejected = e->rejects;
	st->mbox_dropped = e->dropped;
	st->send_timeouts = e->send_timeouts;
	st->resets = e->resets;
	return 0;
}

int
rte_pmd_qdma_fn_set_queues(uint16_t port_id, uint16_t func_id, int32_t qbase, uint32_t qmax)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);
	int32_t got;

	if (ad == NULL)
		return rc;
	if (func_id >= QDMA_MAX_FUNCS || func_id == ad->func_id ||
	    (qmax > 0 && qbase < 0) || qmax > QDMA_MAX_QUEUES_PER_FN)
		return -EINVAL;
	rte_spinlock_lock(&ad->mbox_lock);
	rc = qdma_fn_window_set(ad, func_id, qmax, qbase, &got);
	if (rc == 0)
		rc = qdma_fmap_write(ad, func_id, qmax ? (uint32_t)got : 0, qmax);
	rte_spinlock_unlock(&ad->mbox_lock);
	return rc;
}

int
rte_pmd_qdma_fmap_get(uint16_t port_id, uint16_t func_id, uint32_t *qbase, uint32_t *qmax)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (func_id >= QDMA_MAX_FUNCS || qbase == NULL || qmax == NULL)
		return -EINVAL;
	return qdma_fmap_read(ad, func_id, qbase, qmax);
}

int
rte_pmd_qdma_vf_notify(uint16_t port_id, uint16_t func_id, enum rte_pmd_qdma_vf_notice notice)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (notice != RTE_PMD_QDMA_RESET_PREPARE && notice != RTE_PMD_QDMA_RESET_DONE &&
	    notice != RTE_PMD_QDMA_PF_BYE)
		return -EINVAL;
	return qdma_pf_send_vfs(ad, (uint8_t)notice, func_id == 0xFFFF ? -1 : func_id);
}

static int
numvfs(uint16_t port_id, int set, unsigned int *n, bool total)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	rc = ad->bus->numvfs(ad, set, n, total);
	if (rc == 0 && set >= 0) {
		/* VFs beyond the new count no longer exist: each one is a VF reset */
		rte_spinlock_lock(&ad->mbox_lock);
		for (unsigned int f = QDMA_VF_FUNC_BASE + (unsigned int)set; ad->pf != NULL &&
				f < QDMA_MAX_FUNCS; f++)
			if (f != ad->func_id)
				qdma_pf_vf_reset(ad, (uint16_t)f);
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_pf_fire_events(ad);
	}
	return rc;
}

int
rte_pmd_qdma_sriov_get_totalvfs(uint16_t port_id, unsigned int *n)
{
	return numvfs(port_id, -1, n, true);
}

int
rte_pmd_qdma_sriov_get_numvfs(uint16_t port_id, unsigned int *n)
{
	return numvfs(port_id, -1, n, false);
}

int
rte_pmd_qdma_sriov_set_numvfs(uint16_t port_id, unsigned int n)
{
	if (n > QDMA_MAX_FUNCS)
		return -EINVAL;
	return numvfs(port_id, (int)n, NULL, false);
}

/* VF n of PF0 is QDMA function QDMA_VF_FUNC_BASE + n (functions 0-3 are PFs). */
int
rte_pmd_qdma_vf_func_id(uint16_t port_id, unsigned int vf)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (vf + QDMA_VF_FUNC_BASE >= QDMA_MAX_FUNCTIONS)
		return -EINVAL;
	return (int)(QDMA_VF_FUNC_BASE + vf);
}

int
rte_pmd_qdma_vf_grant(uint16_t port_id, unsigned int vf, uint64_t token)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (token == 0)
		return -EINVAL;
	if (ad->bus->grant == NULL)
		return -ENOTSUP;
	return ad->bus->grant(ad, vf, token, true);
}

int
rte_pmd_qdma_vf_revoke(uint16_t port_id, unsigned int vf)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	if (ad->bus->grant == NULL)
		return -ENOTSUP;
	return ad->bus->grant(ad, vf, 0, false);
}

int
rte_pmd_qdma_error_poll(uint16_t port_id)
{
	int rc;
	struct qdma_adapter *ad = pf_of(port_id, &rc);

	if (ad == NULL)
		return rc;
	return (int)qdma_pf_error_poll(ad);
}

/* ------------------------------------------------------- pausing a VF */

static struct qdma_adapter *
pf_vf_of(uint16_t port_id, uint16_t func_id, int *rc)
{
	struct qdma_adapter *ad = pf_of(port_id, rc);

	if (ad != NULL && (func_id >= QDMA_MAX_FUNCS || func_id == ad->func_id)) {
		*rc = -EINVAL;
		return NULL;
	}
	return ad;
}

int
rte_pmd_qdma_vf_pause_capable(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	return (ad->pf->fn[func_id].svff_ext & QDMA_MBOX_SVFF_EXT_PAUSE) != 0;
}

int
rte_pmd_qdma_vf_pause(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	return ad == NULL ? rc : qdma_pf_pause_request(ad, func_id);
}

int
rte_pmd_qdma_vf_pause_state(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	if (ad->pf->mbox_poll)
		qdma_pf_mbox_service(ad, 16);
	return __atomic_load_n(&ad->pf->fn[func_id].pause_state, __ATOMIC_ACQUIRE);
}

int
rte_pmd_qdma_vf_ctx_save(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_qctx *snap,
		unsigned int max)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	if (snap == NULL && max > 0)
		return -EINVAL;
	return qdma_pf_ctx_save(ad, func_id, snap, max);
}

int
rte_pmd_qdma_vf_ctx_restore(uint16_t port_id, uint16_t func_id,
		const struct rte_pmd_qdma_qctx *snap, unsigned int n)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	if (snap == NULL && n > 0)
		return -EINVAL;
	return qdma_pf_ctx_restore(ad, func_id, snap, n);
}

int
rte_pmd_qdma_vf_resume(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	return ad == NULL ? rc : qdma_pf_resume(ad, func_id, false);
}

int
rte_pmd_qdma_vf_resume_known(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	return ad == NULL ? rc : qdma_pf_resume(ad, func_id, true);
}

int
rte_pmd_qdma_vf_reg_get(uint16_t port_id, uint16_t func_id, struct rte_pmd_qdma_vf_reg *reg)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	if (reg == NULL)
		return -EINVAL;
	qdma_pf_reg_get(ad, func_id, reg);
	return 0;
}

int
rte_pmd_qdma_vf_reg_set(uint16_t port_id, uint16_t func_id, const struct rte_pmd_qdma_vf_reg *reg)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	if (ad == NULL)
		return rc;
	if (reg == NULL)
		return -EINVAL;
	return qdma_pf_reg_set(ad, func_id, reg);
}

int
rte_pmd_qdma_vf_reset_done(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);

	return ad == NULL ? rc : qdma_pf_reset_done(ad, func_id);
}

/* ------------------------------------------------------ card memory (MM) */

int
rte_pmd_qdma_mm_submit(uint16_t port_id, uint16_t mmq, bool write, uint64_t card_addr,
		uint64_t iova, uint32_t len)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	return ad == NULL ? -ENODEV : qdma_mm_submit(ad, mmq, write, card_addr, iova, len);
}

int
rte_pmd_qdma_mm_poll(uint16_t port_id, uint16_t mmq, bool write)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	return ad == NULL ? -ENODEV : qdma_mm_poll(ad, mmq, write);
}

int
rte_pmd_qdma_mm_write(uint16_t port_id, uint16_t mmq, uint64_t card_addr, uint64_t src_iova,
		uint32_t len)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	return ad == NULL ? -ENODEV : qdma_mm_sync(ad, mmq, true, card_addr, src_iova, len);
}

int
rte_pmd_qdma_mm_read(uint16_t port_id, uint16_t mmq, uint64_t card_addr, uint64_t dst_iova,
		uint32_t len)
{
	struct qdma_adapter *ad = qdma_port_adapter(port_id);

	return ad == NULL ? -ENODEV : qdma_mm_sync(ad, mmq, false, card_addr, dst_iova, len);
}

int
rte_pmd_qdma_vf_restore(uint16_t port_id, uint16_t func_id)
{
	int rc;
	struct qdma_adapter *ad = pf_vf_of(port_id, func_id, &rc);
	union qdma_mbox_msg m;

	if (ad == NULL)
		return rc;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_SVFF_RESTORE, ad->func_id, func_id);
	return qdma_pf_send_msg(ad, func_id, &m);
}
