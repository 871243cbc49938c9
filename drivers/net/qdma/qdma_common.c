/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device-level operations of the QDMA PMD shared by the PF and VF roles:
 * identity check, master-PF initialisation (reference §1.11), the indirect
 * context interface, FMAP, CSR tables, the error poller, devargs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_kvargs.h>

#include "qdma.h"

RTE_LOG_REGISTER_SUFFIX(qdma_logtype_init, init, NOTICE);
RTE_LOG_REGISTER_SUFFIX(qdma_logtype_mbox, mbox, NOTICE);

/*
 * Does the card ask for svff's emulation conventions (qdma_hw_emu.h)?  Read
 * once, here; a card without the signature (the real IP) gets none of them
 * and sees exactly the reference driver's writes.
 */
static int
emu_conventions(struct qdma_adapter *ad)
{
	uint32_t b = ad->mbox_base;

	ad->emu_conv = qdma_emu_conventions(qdma_rd(ad, b + QDMA_EMU_CAP_SIG0),
		qdma_rd(ad, b + QDMA_EMU_CAP_SIG1), qdma_rd(ad, b + QDMA_EMU_CAP_CONV));
	if (ad->emu_conv & ~QDMA_EMU_CONV_ALL) {
		QDMA_LOG(ERR, "%s: the emulated card asks for conventions 0x%x this driver does "
			"not know", ad->name, ad->emu_conv & ~QDMA_EMU_CONV_ALL);
		return -ENOTSUP;
	}
	if (ad->emu_conv != 0)
		QDMA_LOG(INFO, "%s: emulated card: conventions 0x%x", ad->name, ad->emu_conv);
	return 0;
}

/*
 * Identity first, before anything else touches the card: the magic, then
 * the IP variant.  Only QDMA3.1 soft IP (the emulated and the modelled real
 * card) is driven; anything else is refused with a clear message.
 */
int
qdma_identify(struct qdma_adapter *ad)
{
	uint32_t v, ip_type, dev_type;

	if (ad->is_vf) {
		if (ad->bar_len < QDMA_VF_CONFIG_BAR_SIZE) {
			QDMA_LOG(ERR, "%s: VF config BAR of %zu bytes is too small", ad->name,
				ad->bar_len);
			return -EINVAL;
		}
		v = qdma_rd(ad, QDMA_VF_VERSION);
		if ((v >> QDMA_VF_VERSION_MAGIC_SHIFT) != QDMA_MAGIC) {
			QDMA_LOG(ERR, "%s: not a QDMA3.1 VF (version register 0x%08x; EQDMA VFs "
				"are not supported)", ad->name, v);
			return -ENODEV;
		}
		ip_type = (v >> QDMA_VF_VERSION_IP_TYPE_SHIFT) & QDMA_MISC_CAP_NIBBLE_WMASK;
		dev_type = (v >> QDMA_VF_VERSION_DEVICE_TYPE_SHIFT) & QDMA_MISC_CAP_NIBBLE_WMASK;
		ad->mbox_base = QDMA_VF_MBOX_BASE;
		ad->dmap_base = QDMA_VF_DMAP_BASE;
	} else {
		if (ad->bar_len < QDMA_PF_CONFIG_BAR_SIZE) {
			QDMA_LOG(ERR, "%s: PF config BAR of %zu bytes is too small", ad->name,
				ad->bar_len);
			return -EINVAL;
		}
		v = qdma_rd(ad, QDMA_CFG_BLOCK_ID);
		if ((v >> QDMA_CFG_BLOCK_ID_MAGIC_SHIFT) != QDMA_MAGIC) {
			QDMA_LOG(ERR, "%s: not a QDMA device (CFG_BLOCK_ID 0x%08x, magic 0x%04x "
				"expected)", ad->name, v, QDMA_MAGIC);
			return -ENODEV;
		}
		v = qdma_rd(ad, QDMA_GLBL2_MISC_CAP);
		ip_type = (v >> QDMA_MISC_CAP_IP_TYPE_SHIFT) & QDMA_MISC_CAP_NIBBLE_WMASK;
		dev_type = (v >> QDMA_MISC_CAP_DEVICE_TYPE_SHIFT) & QDMA_MISC_CAP_NIBBLE_WMASK;
		ad->mbox_base = QDMA_PF_MBOX_BASE;
		ad->dmap_base = QDMA_PF_DMAP_BASE;
	}
	ad->ip_version = v;
	if (dev_type != QDMA_DEVICE_TYPE_SOFT || ip_type != QDMA_IP_TYPE_QDMA31) {
		QDMA_LOG(ERR, "%s: unsupported QDMA IP variant (device type %u, IP type %u): "
			"this driver handles QDMA3.1 soft IP only", ad->name, dev_type, ip_type);
		return -ENOTSUP;
	}
	if (emu_conventions(ad) < 0)
		return -ENOTSUP;
	if (!ad->is_vf) {
		uint32_t mdma = qdma_rd(ad, QDMA_GLBL2_CHANNEL_MDMA);

		ad->cap.num_qs = (uint16_t)(qdma_rd(ad, QDMA_GLBL2_CHANNEL_QDMA_CAP) &
			QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK);
		uint32_t bl = qdma_rd(ad, QDMA_GLBL2_PF_BARLITE_INT);

		ad->cap.num_pfs = 0;
		for (unsigned int pf = 0; pf < QDMA_GLBL2_BARLITE_MAX_PF; pf++)
			if (qdma_barlite_get(bl, pf) != 0)
				ad->cap.num_pfs++;
		ad->cap.flags = 0;
		if (v & QDMA_MISC_CAP_FLR_PRESENT)
			ad->cap.flags |= QDMA_DEV_CAP_FLR_PRESENT;
		if (v & QDMA_MISC_CAP_MAILBOX_EN)
			ad->cap.flags |= QDMA_DEV_CAP_MAILBOX_EN;
		if (v & QDMA_MISC_CAP_MM_CMPT_EN)
			ad->cap.flags |= QDMA_DEV_CAP_MM_CMPT_EN;
		if ((mdma & QDMA_GLBL2_CHANNEL_ST_EN) == QDMA_GLBL2_CHANNEL_ST_EN)
			ad->cap.flags |= QDMA_DEV_CAP_ST_EN;
		if ((mdma & QDMA_GLBL2_CHANNEL_MM_EN) == QDMA_GLBL2_CHANNEL_MM_EN)
			ad->cap.flags |= QDMA_DEV_CAP_MM_EN;
		ad->cap.mm_channel_max = QDMA_MM_CHANNEL_MAX;
		ad->cap.cap_flags = QDMA_DEV_CAP_QDMA31_CAP_FLAGS;
		ad->func_id = (uint16_t)(qdma_rd(ad, QDMA_GLBL2_CHANNEL_FUNC_RET) &
			QDMA_GLBL2_FUNC_RET_MASK);
		if (ad->cap.num_qs == 0) {
			QDMA_LOG(ERR, "%s: card reports no queues", ad->name);
			return -ENODEV;
		}
	}
	return 0;
}

/*
 * Is the card gone?  Once known, every control-path wait fails at once
 * (-ENODEV) instead of running into its timeout: closing a port on a dead
 * card takes no time.  The emulated card's transport knows when the slot
 * connection closed; a real card that left the bus reads all-ones.
 */
bool
qdma_dev_gone(struct qdma_adapter *ad)
{
	if (ad->dev_gone)
		return true;
	if (ad->transport_alive != NULL && !ad->transport_alive(ad))
		ad->dev_gone = true;
	else if (ad->bus == QDMA_BUS_PCI && ad->bar != NULL &&
		 qdma_rd(ad, ad->is_vf ? QDMA_VF_VERSION : QDMA_CFG_BLOCK_ID) == UINT32_MAX)
		ad->dev_gone = true;
	if (ad->dev_gone)
		QDMA_LOG(WARNING, "%s: the card is gone (%s): no more waiting for it", ad->name,
			ad->bus == QDMA_BUS_PCI ? "its registers read all-ones" :
						  "the slot connection is closed");
	return ad->dev_gone;
}

/*
 * Let time pass in a control-path wait: sleep, or on a stepped card in an
 * in-process test, make the card progress (ad->wait_hook).
 */
void
qdma_ctl_pause(struct qdma_adapter *ad, unsigned int us)
{
	if (ad->wait_hook != NULL)
		ad->wait_hook(ad->wait_hook_arg);
	else
		rte_delay_us_sleep(us);
}

/*
 * Wait until (*reg & mask) == want: @p spins quick reads, then one read every
 * @p sleep_us; -ETIMEDOUT after @p timeout_us, -ENODEV at once when the card
 * is gone.  For the card's replies to the control path (commands, mailbox,
 * MM completions), never for the data path.
 */
int
qdma_wait32(struct qdma_adapter *ad, const volatile void *reg, uint32_t mask, uint32_t want,
		unsigned int spins, unsigned int sleep_us, uint64_t timeout_us)
{
	uint64_t deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000000 * timeout_us;
	unsigned int n = 0;

	if (ad->dev_gone)
		return -ENODEV;
	while ((rte_read32(reg) & mask) != want) {
		if (rte_get_timer_cycles() > deadline)
			return qdma_dev_gone(ad) ? -ENODEV : -ETIMEDOUT;
		if (ad->wait_hook != NULL)
			ad->wait_hook(ad->wait_hook_arg);
		else if (++n > spins)
			rte_delay_us_sleep(sleep_us);
		else
			rte_pause();
	}
	return 0;
}

/* Poll until the busy bit of IND_CTXT_CMD clears (reference 1.6). */
static int
ind_wait(struct qdma_adapter *ad)
{
	return qdma_wait32(ad, ad->bar + QDMA_IND_CTXT_CMD, QDMA_IND_CTXT_CMD_BUSY, 0, 100, 10,
		ad->emu_conv != 0 ? QDMA_IND_TIMEOUT_EMU_US : QDMA_IND_TIMEOUT_US);
}

int
qdma_ind_ctxt(struct qdma_adapter *ad, unsigned int sel, unsigned int op, unsigned int qid,
		const uint32_t *data, unsigned int nwords, uint32_t *out)
{
	unsigned int i;
	uint32_t cmd;
	int rc;

	if (ad->is_vf)
		return -ENOTSUP;
	if (nwords > QDMA_IND_CTXT_DATA_WORDS || qid > QDMA_IND_CTXT_CMD_QID_WMASK)
		return -EINVAL;
	rte_spinlock_lock(&ad->ind_lock);
	rc = ind_wait(ad);
	if (rc < 0)
		goto out;
	if (op == QDMA_IND_OP_WR) {
		for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
			qdma_wr(ad, QDMA_IND_CTXT_DATA(i), i < nwords ? data[i] : 0);
		for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
			qdma_wr(ad, QDMA_IND_CTXT_MASK(i), 0xFFFFFFFFu);
	}
	cmd = qdma_ind_cmd(sel, op, qid);
	if (ad->emu_conv & QDMA_EMU_CONV_IND_BUSY)
		cmd = qdma_emu_ind_cmd(cmd);
	qdma_wr(ad, QDMA_IND_CTXT_CMD, cmd);
	rc = ind_wait(ad);
	if (rc == 0 && op == QDMA_IND_OP_RD && out != NULL)
		for (i = 0; i < nwords; i++)
			out[i] = qdma_rd(ad, QDMA_IND_CTXT_DATA(i));
out:
	rte_spinlock_unlock(&ad->ind_lock);
	if (rc < 0 && rc != -ENODEV)   /* a gone card was reported once */
		QDMA_LOG(ERR, "%s: indirect context command sel %u op %u qid %u timed out",
			ad->name, sel, op, qid);
	return rc;
}

int
qdma_fmap_write(struct qdma_adapter *ad, uint16_t func, uint32_t qbase, uint32_t qmax)
{
	struct qdma_fmap_ctx f = { .qbase = (uint16_t)qbase, .qmax = (uint16_t)qmax };
	uint32_t w[QDMA_FMAP_CTX_WORDS];

	if (qbase > QDMA_FMAP_QBASE_MAX || qmax > QDMA_FMAP_QMAX_MAX ||
	    qdma_fmap_ctx_encode(&f, w) < 0)
		return -ERANGE;
	return qdma_ind_ctxt(ad, QDMA_IND_SEL_FMAP, QDMA_IND_OP_WR, func, w,
		QDMA_FMAP_CTX_WORDS, NULL);
}

int
qdma_fmap_read(struct qdma_adapter *ad, uint16_t func, uint32_t *qbase, uint32_t *qmax)
{
	uint32_t w[QDMA_FMAP_CTX_WORDS];
	struct qdma_fmap_ctx f;
	int rc;

	rc = qdma_ind_ctxt(ad, QDMA_IND_SEL_FMAP, QDMA_IND_OP_RD, func, NULL,
		QDMA_FMAP_CTX_WORDS, w);
	if (rc < 0)
		return rc;
	qdma_fmap_ctx_decode(w, &f);
	*qbase = f.qbase;
	*qmax = f.qmax;
	return 0;
}

void
qdma_pf_read_csr(struct qdma_adapter *ad)
{
	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		ad->csr.ring_sz[i] = qdma_rd(ad, QDMA_GLBL_RNG_SZ(i)) & QDMA_GLBL_RNG_SZ_MASK;
		ad->csr.buf_sz[i] = qdma_rd(ad, QDMA_C2H_BUF_SZ(i)) & QDMA_C2H_BUF_SZ_MASK;
		ad->csr.timer_cnt[i] = qdma_rd(ad, QDMA_C2H_TIMER_CNT(i)) &
			QDMA_C2H_TIMER_CNT_MASK;
		ad->csr.cnt_th[i] = qdma_rd(ad, QDMA_C2H_CNT_TH(i)) & QDMA_C2H_CNT_TH_MASK;
	}
	ad->csr_valid = true;
}

/* Leaf error registers: status, mask, ALL bits, GLBL_ERR_STAT bit. */
static const struct {
	uint32_t sts, msk, all, glbl;
} err_leaves[] = {
	{ QDMA_GLBL_DSC_ERR_STS, QDMA_GLBL_DSC_ERR_MSK, QDMA_DSC_ERR_ALL, QDMA_GLBL_ERR_DSC },
	{ QDMA_GLBL_TRQ_ERR_STS, QDMA_GLBL_TRQ_ERR_MSK, QDMA_TRQ_ERR_ALL, QDMA_GLBL_ERR_TRQ },
	{ QDMA_C2H_ERR_STAT, QDMA_C2H_ERR_MASK, QDMA_C2H_ERR_ALL, QDMA_GLBL_ERR_ST_C2H },
	{ QDMA_C2H_FATAL_ERR_STAT, QDMA_C2H_FATAL_ERR_MASK, QDMA_C2H_FATAL_ERR_ALL,
		QDMA_GLBL_ERR_ST_C2H },
	{ QDMA_H2C_ERR_STAT, QDMA_H2C_ERR_MASK, QDMA_H2C_ERR_ALL, QDMA_GLBL_ERR_ST_H2C },
	{ QDMA_RAM_SBE_STS_A, QDMA_RAM_SBE_MSK_A, QDMA_RAM_SBE_ALL, QDMA_GLBL_ERR_RAM_SBE },
	{ QDMA_RAM_DBE_STS_A, QDMA_RAM_DBE_MSK_A, QDMA_RAM_DBE_ALL, QDMA_GLBL_ERR_RAM_DBE },
};

/* W1C clear as the reference: write back the value read (strobed for the emulated card). */
static void
w1c_clear(struct qdma_adapter *ad, uint32_t off, uint32_t read)
{
	if (ad->emu_conv & QDMA_EMU_CONV_W1C_STROBE)
		read = qdma_emu_w1c_value(read);
	qdma_wr(ad, off, read);
}

/*
 * Read every leaf whose GLBL_ERR_STAT bit is set, count it, clear it by
 * writing back what was read, then clear GLBL_ERR_STAT the same way
 * (reference 1.9).  Returns the number of leaf registers that had errors.
 */
unsigned int
qdma_pf_error_poll(struct qdma_adapter *ad)
{
	uint32_t glbl, raw, sts;
	unsigned int n = 0;

	if (ad->is_vf || ad->pf == NULL)
		return 0;
	glbl = qdma_rd(ad, QDMA_GLBL_ERR_STAT);
	if (glbl == 0)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(err_leaves); i++) {
		if (!(glbl & err_leaves[i].glbl))
			continue;
		raw = qdma_rd(ad, err_leaves[i].sts);
		if (raw == 0)
			continue;
		sts = raw & err_leaves[i].all;
		n++;
		ad->pf->err_counts[i] += (uint64_t)__builtin_popcount(sts);
		QDMA_LOG(WARNING, "%s: error register 0x%03x = 0x%08x", ad->name,
			err_leaves[i].sts, raw);
		w1c_clear(ad, err_leaves[i].sts, raw);
	}
	w1c_clear(ad, QDMA_GLBL_ERR_STAT, glbl);
	return n;
}

/*
 * Master-PF initialisation, as the reference's probe trace: CSR tables and
 * defaults, MM channels, clear every queue context, enable error reporting.
 */
int
qdma_pf_hw_init(struct qdma_adapter *ad)
{
	bool st = ad->cap.flags & QDMA_DEV_CAP_ST_EN;
	bool mm = ad->cap.flags & QDMA_DEV_CAP_MM_EN;
	bool mm_cmpt = ad->cap.flags & QDMA_DEV_CAP_MM_CMPT_EN;
	unsigned int i;
	int rc;

	for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++)
		qdma_wr(ad, QDMA_GLBL_RNG_SZ(i), qdma_glbl_rng_sz_default[i]);
	if (st || mm_cmpt) {
		for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
			qdma_wr(ad, QDMA_C2H_TIMER_CNT(i), qdma_c2h_timer_cnt_default[i]);
			qdma_wr(ad, QDMA_C2H_CNT_TH(i), qdma_c2h_cnt_th_default[i]);
		}
	}
	if (st) {
		for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++)
			qdma_wr(ad, QDMA_C2H_BUF_SZ(i), qdma_c2h_buf_sz_default[i]);
		qdma_wr(ad, QDMA_GLBL_DSC_CFG, QDMA_GLBL_DSC_CFG_DEFAULT);
		qdma_wr(ad, QDMA_C2H_PFCH_CFG,
			qdma_c2h_pfch_cfg_default(qdma_rd(ad, QDMA_C2H_PFCH_CACHE_DEPTH)));
		qdma_wr(ad, QDMA_C2H_INT_TIMER_TICK, QDMA_C2H_INT_TIMER_TICK_DEFAULT);
		qdma_wr(ad, QDMA_C2H_WRB_COAL_CFG,
			qdma_c2h_wrb_coal_cfg_default(qdma_rd(ad, QDMA_C2H_CMPT_COAL_BUF_DEPTH)));
		qdma_wr(ad, QDMA_H2C_REQ_THROT, QDMA_H2C_REQ_THROT_DEFAULT);
	}
	qdma_wr(ad, QDMA_C2H_MM_CONTROL(0), mm ? QDMA_MM_CONTROL_RUN : 0);
	qdma_wr(ad, QDMA_H2C_MM_CONTROL(0), mm ? QDMA_MM_CONTROL_RUN : 0);

	/* clear every context of every queue */
	for (uint32_t q = 0; q < ad->cap.num_qs; q++) {
		for (unsigned int sel = QDMA_IND_SEL_SW_C2H; sel <= QDMA_IND_SEL_PFTCH; sel++) {
			if (!st && (sel == QDMA_IND_SEL_CMPT || sel == QDMA_IND_SEL_PFTCH))
				continue;
			rc = qdma_ind_ctxt(ad, sel, QDMA_IND_OP_CLR, q, NULL, 0, NULL);
			if (rc < 0)
				return rc;
		}
	}
	/* this PF's FMAP starts empty, and so does every VF's: whatever an
	 * earlier PF driver granted is void, or a VF could keep ringing
	 * doorbells on queues that are about to be given to someone else */
	for (uint32_t f = 0; f < QDMA_MAX_FUNCS; f++) {
		if (f != ad->func_id && f < ad->cap.num_pfs)
			continue;   /* other PFs' windows are theirs */
		rc = qdma_fmap_write(ad, (uint16_t)f, 0, 0);
		if (rc < 0)
			return rc;
	}

	/* error reporting: every leaf enabled, then the aggregate */
	for (i = 0; i < RTE_DIM(err_leaves); i++)
		qdma_wr(ad, err_leaves[i].msk, err_leaves[i].all);
	qdma_wr(ad, QDMA_GLBL_ERR_MASK, QDMA_GLBL_ERR_ALL);
	qdma_pf_read_csr(ad);
	return 0;
}

/*
 * Devargs of net_qdma.  Common keys here; the bus layer passes its own
 * (card, fn, token) through @p extra.  An unknown key fails the probe.
 */
static const char *const common_keys[] = {
	"desc_prefetch", "cmpt_desc_len", "trigger_mode", "mm_queues",
	"mbox_send_timeout_ms", "mbox_rate", "mbox_burst", NULL
};

struct devargs_ctx {
	struct qdma_adapter *ad;
	int (*extra)(const char *key, const char *value, void *opaque);
	void *opaque;
};

static int
parse_uint(const char *value, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || *out > max)
		return -EINVAL;
	return 0;
}

static int
devarg_cb(const char *key, const char *value, void *opaque)
{
	struct devargs_ctx *c = opaque;
	struct qdma_adapter *ad = c->ad;
	unsigned long v;

	if (value == NULL)
		value = "";
	if (strcmp(key, "desc_prefetch") == 0) {
		if (parse_uint(value, 1, &v) < 0)
			goto bad;
		ad->desc_prefetch = v;
		return 0;
	}
	if (strcmp(key, "cmpt_desc_len") == 0) {
		int sz;

		if (parse_uint(value, 64, &v) < 0 || (sz = qdma_cmpt_sz_from_bytes(v)) < 0)
			goto bad;
		ad->cmpt_sz = (uint8_t)sz;
		return 0;
	}
	if (strcmp(key, "mm_queues") == 0) {
		if (parse_uint(value, QDMA_MAX_MM_QUEUES, &v) < 0)
			goto bad;
		ad->nb_mmq = (uint8_t)v;
		return 0;
	}
	if (strcmp(key, "mbox_send_timeout_ms") == 0) {
		if (parse_uint(value, 60000, &v) < 0 || v == 0)
			goto bad;
		ad->mbox_send_timeout_ms = (uint32_t)v;
		return 0;
	}
	if (strcmp(key, "mbox_rate") == 0) {
		if (parse_uint(value, 10000000, &v) < 0)
			goto bad;
		ad->mbox_rate = (uint32_t)v;
		return 0;
	}
	if (strcmp(key, "mbox_burst") == 0) {
		if (parse_uint(value, 1000000, &v) < 0 || v == 0)
			goto bad;
		ad->mbox_burst = (uint32_t)v;
		return 0;
	}
	if (strcmp(key, "trigger_mode") == 0) {
		if (parse_uint(value, 5, &v) < 0)
			goto bad;
		ad->trig_mode = (uint8_t)v;
		return 0;
	}
	if (c->extra != NULL)
		return c->extra(key, value, c->opaque);
bad:
	QDMA_LOG(ERR, "%s: bad value '%s' for devarg '%s'", ad->name, value, key);
	return -EINVAL;
}

int
qdma_parse_devargs(struct qdma_adapter *ad, const char *args, const char *const *extra_keys,
		int (*extra)(const char *key, const char *value, void *opaque), void *opaque)
{
	const char *keys[24];
	struct rte_kvargs *kv;
	struct devargs_ctx c = { ad, extra, opaque };
	unsigned int n = 0;
	int rc;

	/* defaults, as the reference PMD */
	ad->cmpt_sz = QDMA_CMPT_SZ_8B;
	ad->trig_mode = QDMA_CMPT_TRIG_USER_TIMER;
	ad->desc_prefetch = false;
	ad->mbox_send_timeout_ms = QDMA_MBOX_SEND_TIMEOUT_MS;
	ad->mbox_rate = QDMA_MBOX_RATE;
	ad->mbox_burst = QDMA_MBOX_BURST;
	if (args == NULL || args[0] == '\0')
		return 0;
	for (unsigned int i = 0; common_keys[i] != NULL; i++)
		keys[n++] = common_keys[i];
	for (unsigned int i = 0; extra_keys != NULL && extra_keys[i] != NULL && n < 23; i++)
		keys[n++] = extra_keys[i];
	keys[n] = NULL;
	kv = rte_kvargs_parse(args, keys);
	if (kv == NULL) {
		QDMA_LOG(ERR, "%s: cannot parse devargs '%s' (unknown key? valid: "
			"desc_prefetch, cmpt_desc_len, trigger_mode, mm_queues, mbox_send_timeout_ms, "
			"mbox_rate, mbox_burst%s)", ad->name, args,
			extra_keys ? ", card, fn, token, num_vfs, grants" : "");
		return -EINVAL;
	}
	rc = rte_kvargs_process(kv, NULL, devarg_cb, &c);
	rte_kvargs_free(kv);
	return rc;
}
