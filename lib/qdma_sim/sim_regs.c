/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config-BAR contents: identity and capability registers, the capability words asking the driver
 * for the conventions of qdma_hw_emu.h, the W1C error leaves (convention 3 there), error logs,
 * and the background scan that catches stores the hardware would reject (doorbells beyond a
 * function's FMAP, VF stores outside its registers).
 *
 * Error policy (svff's card; documented once here):
 *  - a leaf status bit is always latched; the GLBL_ERR_STAT aggregate bit is raised only when the
 *    leaf bit is enabled in the leaf mask (masks: 1 = reported, the master PF enables them all);
 *  - status registers are cleared only by W1C (strobe convention); logs are overwritten by each
 *    new error; C2H/H2C_FIRST_ERR_QID keep the first qid until the driver stores 0 there.
 */
#include <string.h>

#include "sim_priv.h"

static const struct {
	uint32_t off, mask, glbl;
} leaf_def[SIM_LEAF_NUM] = {
	[SIM_LEAF_GLBL] = { QDMA_GLBL_ERR_STAT, QDMA_GLBL_ERR_MASK, 0 },
	[SIM_LEAF_DSC] = { QDMA_GLBL_DSC_ERR_STS, QDMA_GLBL_DSC_ERR_MSK, QDMA_GLBL_ERR_DSC },
	[SIM_LEAF_TRQ] = { QDMA_GLBL_TRQ_ERR_STS, QDMA_GLBL_TRQ_ERR_MSK, QDMA_GLBL_ERR_TRQ },
	[SIM_LEAF_C2H] = { QDMA_C2H_ERR_STAT, QDMA_C2H_ERR_MASK, QDMA_GLBL_ERR_ST_C2H },
	[SIM_LEAF_C2H_FATAL] = { QDMA_C2H_FATAL_ERR_STAT, QDMA_C2H_FATAL_ERR_MASK,
		QDMA_GLBL_ERR_ST_C2H },
	[SIM_LEAF_H2C] = { QDMA_H2C_ERR_STAT, QDMA_H2C_ERR_MASK, QDMA_GLBL_ERR_ST_H2C },
	[SIM_LEAF_INTR_CFG] = { QDMA_GLBL_INTERRUPT_CFG, 0, 0 },
};

/*
 * The capability words of qdma_hw_emu.h: this card sees BAR memory, not stores, so it asks the
 * driver for every convention there. Relative to the function's mailbox base.
 */
static void
publish_emu_cap(uint32_t *bar, uint32_t mbox_base)
{
	bar_pub(bar, mbox_base + QDMA_EMU_CAP_SIG0, QDMA_EMU_SIG0);
	bar_pub(bar, mbox_base + QDMA_EMU_CAP_SIG1, QDMA_EMU_SIG1);
	bar_pub(bar, mbox_base + QDMA_EMU_CAP_CONV, QDMA_EMU_CONV_ALL);
}

/* PF registers that read the card's own state whatever the driver stored. */
static void
publish_identity(struct qdma_sim *sim)
{
	uint32_t *b = sim->pf_bar;
	uint32_t chan = QDMA_GLBL2_CHANNEL_MM_EN | QDMA_GLBL2_CHANNEL_ST_EN;

	publish_emu_cap(b, QDMA_PF_MBOX_BASE);

	bar_pub(b, QDMA_CFG_BLOCK_ID, QDMA_CFG_BLOCK_ID_DEFAULT);
	bar_pub(b, QDMA_GLBL2_ID, QDMA_CFG_BLOCK_ID_DEFAULT);
	/* PF0 has its config BAR (BAR0): a non-zero field, so num_pfs = 1 */
	bar_pub(b, QDMA_GLBL2_PF_BARLITE_INT, qdma_barlite_set(0, 0, 1u << QDMA_PCI_CONFIG_BAR));
	bar_pub(b, QDMA_GLBL2_PF_VF_BARLITE_INT, 0);
	bar_pub(b, QDMA_GLBL2_PF_BARLITE_EXT, qdma_barlite_set(0, 0, 1u << QDMA_USER_BAR_EMU));
	bar_pub(b, QDMA_GLBL2_PF_VF_BARLITE_EXT, 0);
	bar_pub(b, QDMA_GLBL2_CHANNEL_INST, chan);
	bar_pub(b, QDMA_GLBL2_CHANNEL_MDMA, chan);
	bar_pub(b, QDMA_GLBL2_CHANNEL_STRM, chan);
	bar_pub(b, QDMA_GLBL2_CHANNEL_QDMA_CAP, sim->nb_q & QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK);
	bar_pub(b, QDMA_GLBL2_CHANNEL_PASID_CAP, 0);
	bar_pub(b, QDMA_GLBL2_CHANNEL_FUNC_RET, SIM_PF_QFN);
	bar_pub(b, QDMA_GLBL2_MISC_CAP, QDMA_MISC_CAP_QDMA31_DEFAULT);
	bar_pub(b, QDMA_C2H_PFCH_CACHE_DEPTH, QDMA_C2H_PFCH_CACHE_DEPTH_EMU);
	bar_pub(b, QDMA_C2H_CMPT_COAL_BUF_DEPTH, QDMA_C2H_CMPT_COAL_BUF_DEPTH_EMU);
	bar_pub(b, QDMA_PF_MBOX_BASE + QDMA_MBOX_FN_VERSION, QDMA_MISC_CAP_QDMA31_DEFAULT);
	bar_pub(b, QDMA_GLBL_DSC_ERR_LOG0, sim->dsc_log0);
	bar_pub(b, QDMA_GLBL_DSC_ERR_LOG1, sim->dsc_log1);
	bar_pub(b, QDMA_GLBL_TRQ_ERR_LOG, sim->trq_log);
}

static void
publish_vf_identity(struct sim_fn *f)
{
	bar_pub(f->bar, QDMA_VF_VERSION, QDMA_VF_VERSION_QDMA31_DEFAULT);
	bar_pub(f->bar, QDMA_VF_USER_BAR, 0);
	publish_emu_cap(f->bar, QDMA_VF_MBOX_BASE);
}

void
sim_regs_init_pf(struct qdma_sim *sim)
{
	uint32_t *b = sim->pf_bar;
	unsigned i;

	/* reset values of the CSR tables: the defaults the master PF would program anyway */
	for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		bar_wr(b, QDMA_GLBL_RNG_SZ(i), qdma_glbl_rng_sz_default[i]);
		bar_wr(b, QDMA_C2H_TIMER_CNT(i), qdma_c2h_timer_cnt_default[i]);
		bar_wr(b, QDMA_C2H_CNT_TH(i), qdma_c2h_cnt_th_default[i]);
		bar_wr(b, QDMA_C2H_BUF_SZ(i), qdma_c2h_buf_sz_default[i]);
	}
	bar_wr(b, QDMA_GLBL_DSC_CFG, QDMA_GLBL_DSC_CFG_DEFAULT);
	for (i = 0; i < SIM_LEAF_NUM; i++) {
		sim->leaf[i].off = leaf_def[i].off;
		sim->leaf[i].mask = leaf_def[i].mask;
		sim->leaf[i].glbl = leaf_def[i].glbl;
		sim->leaf[i].value = 0;
		bar_wr(b, leaf_def[i].off, 0);
	}
	publish_identity(sim);
}

void
sim_regs_init_vf(struct qdma_sim *sim, struct sim_fn *f)
{
	(void)sim;
	memset(f->bar, 0, f->bar_size);
	publish_vf_identity(f);
}

void
sim_regs_republish(struct qdma_sim *sim)
{
	unsigned i;

	publish_identity(sim);
	for (i = 0; i < SIM_NB_FUNCS; i++) {
		struct sim_fn *f = &sim->fn[i];

		if (!f->present)
			continue;
		if (f->is_vf)
			publish_vf_identity(f);
		sim_mbox_publish(sim, f);
	}
}

/*
 * Merge the driver's W1C store (if any) into leaf @l, OR in @set, and publish. A compare-and-swap
 * keeps a store that lands between our load and our publish: it is seen on the next round.
 */
static void
leaf_sync(struct qdma_sim *sim, struct sim_w1c *l, uint32_t set)
{
	uint32_t *p = &sim->pf_bar[l->off / 4u];
	uint32_t cur = __atomic_load_n(p, __ATOMIC_ACQUIRE);

	for (;;) {
		uint32_t nv;

		if (cur != l->value) {
			if (l->off == QDMA_GLBL_INTERRUPT_CFG) {
				uint32_t pend = l->value & QDMA_GLBL_INTERRUPT_CFG_LGCY_PENDING;

				if (cur & QDMA_EMU_W1C_STROBE)
					pend &= ~cur;
				l->value = (cur & QDMA_GLBL_INTERRUPT_CFG_EN_LGCY) | pend;
			} else {
				l->value &= ~(cur & ~QDMA_EMU_W1C_STROBE);
			}
		}
		nv = l->value | set;
		if (cur == nv || __atomic_compare_exchange_n(p, &cur, nv, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
			l->value = nv;
			return;
		}
	}
}

int
sim_regs_poll_w1c(struct qdma_sim *sim)
{
	int work = 0;
	unsigned i;

	for (i = 0; i < SIM_LEAF_NUM; i++) {
		struct sim_w1c *l = &sim->leaf[i];

		if (bar_rd(sim->pf_bar, l->off) != l->value) {
			leaf_sync(sim, l, 0);
			work = 1;
		}
	}
	/* FIRST_ERR_QID: the driver re-arms them by storing 0 */
	if (sim->c2h_first != 0 && bar_rd(sim->pf_bar, QDMA_C2H_FIRST_ERR_QID) != sim->c2h_first) {
		if (bar_rd(sim->pf_bar, QDMA_C2H_FIRST_ERR_QID) == 0)
			sim->c2h_first = 0;
		bar_wr(sim->pf_bar, QDMA_C2H_FIRST_ERR_QID, sim->c2h_first);
	}
	if (sim->h2c_first != 0 && bar_rd(sim->pf_bar, QDMA_H2C_FIRST_ERR_QID) != sim->h2c_first) {
		if (bar_rd(sim->pf_bar, QDMA_H2C_FIRST_ERR_QID) == 0)
			sim->h2c_first = 0;
		bar_wr(sim->pf_bar, QDMA_H2C_FIRST_ERR_QID, sim->h2c_first);
	}
	return work;
}

void
sim_err(struct qdma_sim *sim, enum sim_leaf leaf, uint32_t bits)
{
	struct sim_w1c *l = &sim->leaf[leaf];
	uint32_t mask;

	if (bits == 0)
		return;
	SIM_STAT_ADD(sim->st.errors, 1);
	leaf_sync(sim, l, bits);
	if (l->glbl == 0)
		return;
	mask = l->mask ? bar_rd(sim->pf_bar, l->mask) : ~0u;
	if (bits & mask)
		leaf_sync(sim, &sim->leaf[SIM_LEAF_GLBL], l->glbl);
}

void
sim_err_dsc(struct qdma_sim *sim, uint32_t bits, unsigned qid, bool c2h, uint32_t cidx)
{
	sim->dsc_log0 = QDMA_ERR_LOG_VALID | (c2h ? QDMA_DSC_ERR_LOG0_SEL_C2H : 0) |
			(qid & QDMA_DSC_ERR_LOG0_QID_MASK);
	sim->dsc_log1 = (cidx & QDMA_DSC_ERR_LOG1_CIDX_WMASK) << QDMA_DSC_ERR_LOG1_CIDX_SHIFT;
	bar_wr(sim->pf_bar, QDMA_GLBL_DSC_ERR_LOG0, sim->dsc_log0);
	bar_wr(sim->pf_bar, QDMA_GLBL_DSC_ERR_LOG1, sim->dsc_log1);
	sim_err(sim, SIM_LEAF_DSC, bits);
	sim_log(sim, 7, "DSC error 0x%x on %s queue %u (cidx %u)", bits, c2h ? "C2H" : "H2C", qid,
		cidx);
}

void
sim_err_trq(struct qdma_sim *sim, uint32_t bits, unsigned qfn, uint32_t off)
{
	sim->trq_log = qdma_trq_err_log(qfn, off);
	bar_wr(sim->pf_bar, QDMA_GLBL_TRQ_ERR_LOG, sim->trq_log);
	sim_err(sim, SIM_LEAF_TRQ, bits);
	sim_log(sim, 7, "TRQ error 0x%x: function %u offset 0x%x", bits, qfn, off);
}

void
sim_err_c2h(struct qdma_sim *sim, uint32_t bits, unsigned qid)
{
	if (sim->c2h_first == 0) {
		sim->c2h_first = QDMA_ERR_LOG_VALID | (qid & QDMA_FIRST_ERR_QID_MASK);
		bar_wr(sim->pf_bar, QDMA_C2H_FIRST_ERR_QID, sim->c2h_first);
	}
	sim_err(sim, SIM_LEAF_C2H, bits);
	sim_log(sim, 7, "C2H error 0x%x on queue %u", bits, qid);
}

void
sim_err_h2c(struct qdma_sim *sim, uint32_t bits, unsigned qid)
{
	if (sim->h2c_first == 0) {
		sim->h2c_first = QDMA_ERR_LOG_VALID | (qid & QDMA_FIRST_ERR_QID_MASK);
		bar_wr(sim->pf_bar, QDMA_H2C_FIRST_ERR_QID, sim->h2c_first);
	}
	sim_err(sim, SIM_LEAF_H2C, bits);
}

/* Zero the non-zero words of [from, to) of @f's BAR; return the first dirty offset or -1. */
static long
scrub(struct sim_fn *f, uint32_t from, uint32_t to)
{
	long first = -1;
	uint32_t off;

	for (off = from; off < to; off += 4) {
		if (bar_rd(f->bar, off) == 0)
			continue;
		if (first < 0)
			first = (long)off;
		bar_wr(f->bar, off, 0);
	}
	return first;
}

/* VF config-BAR ranges that hold no register (stores there are illegal VF accesses). */
static const uint32_t vf_holes[][2] = {
	{ 0x0000, QDMA_VF_MBOX_BASE },
	{ QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_TARGET, QDMA_VF_MBOX_BASE + QDMA_MBOX_FN_INTR_CTRL },
	{ QDMA_VF_MBOX_BASE + QDMA_MBOX_VF_USER_BAR + 4, QDMA_VF_MBOX_BASE + QDMA_EMU_CAP_SIG0 },
	{ QDMA_VF_MBOX_BASE + QDMA_EMU_CAP_SIG0 + 4 * QDMA_EMU_CAP_WORDS, QDMA_VF_FLR },
	{ QDMA_VF_FLR + 4, QDMA_VF_MBOX_MSG_IN(0) },
	{ QDMA_VF_MBOX_MSG_IN(QDMA_MBOX_MSG_WORDS), QDMA_VF_MBOX_MSG_OUT(0) },
	{ QDMA_VF_MBOX_MSG_OUT(QDMA_MBOX_MSG_WORDS), QDMA_VF_DMAP_BASE },
};

/*
 * Background check of one function. Doorbells of relative queues at or beyond the function's
 * FMAP qmax reach no queue: a non-zero value there raises TRQ qid_range (logged with the function
 * and offset) and is zeroed. A VF store outside its registers raises TRQ vf_access and is zeroed.
 * Nothing else changes. Returns 1 if something was found.
 */
int
sim_scan_fn(struct qdma_sim *sim, struct sim_fn *f)
{
	uint32_t base = f->is_vf ? QDMA_VF_DMAP_BASE : QDMA_PF_DMAP_BASE;
	uint32_t nslots = f->is_vf ? QDMA_VF_DMAP_MAX_QUEUES : QDMA_PF_DMAP_MAX_QUEUES;
	uint32_t first = f->qmax < nslots ? f->qmax : nslots;
	int found = 0;
	long off;
	unsigned i;

	if (first < nslots) {
		off = scrub(f, QDMA_DMAP_REG(base, first, 0), QDMA_DMAP_REG(base, nslots, 0));
		if (off >= 0) {
			sim_err_trq(sim, QDMA_TRQ_ERR_QID_RANGE, f->qfn, (uint32_t)off);
			found = 1;
		}
	}
	if (!f->is_vf)
		return found;
	for (i = 0; i < sizeof(vf_holes) / sizeof(vf_holes[0]); i++) {
		off = scrub(f, vf_holes[i][0], vf_holes[i][1]);
		if (off >= 0) {
			sim_err_trq(sim, QDMA_TRQ_ERR_VF_ACCESS, f->qfn, (uint32_t)off);
			found = 1;
		}
	}
	return found;
}
