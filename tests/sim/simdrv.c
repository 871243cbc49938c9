/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "simdrv.h"

#define HUGE_SZ (2u << 20)

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
simdrv_open(struct simdrv *d, const char *sock, unsigned slot, size_t dma, uint64_t iova)
{
	char err[256];
	size_t sz;
	int rc;

	memset(d, 0, sizeof(*d));
	d->memfd = -1;
	d->slot = slot;
	d->is_vf = VSLOT_FN_IS_VF(slot);
	d->c = vslot_client_open(sock, slot, 0, err, sizeof(err));
	if (d->c == NULL) {
		rc = -errno;
		fprintf(stderr, "simdrv: open fn %u: %s\n", slot, err);
		return rc ? rc : -EIO;
	}
	d->bar = vslot_client_bar(d->c, 0, &d->bar_size);
	if (!d->is_vf)
		d->ubar = vslot_client_bar(d->c, QDMA_USER_BAR_EMU, NULL);
	if (dma == 0)
		return 0;
	sz = (dma + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1);
	d->memfd = memfd_create("simdrv", MFD_HUGETLB | MFD_CLOEXEC);
	if (d->memfd >= 0 && ftruncate(d->memfd, (off_t)sz) == 0) {
		d->mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, d->memfd,
			0);
		if (d->mem == MAP_FAILED)
			d->mem = NULL;
		d->huge = d->mem != NULL;
	}
	if (d->mem == NULL) {
		if (d->memfd >= 0)
			close(d->memfd);
		sz = (dma + 4095) & ~(size_t)4095;
		d->memfd = memfd_create("simdrv", MFD_CLOEXEC);
		if (d->memfd < 0 || ftruncate(d->memfd, (off_t)sz) != 0)
			return -errno;
		d->mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
		if (d->mem == MAP_FAILED) {
			d->mem = NULL;
			return -errno;
		}
	}
	d->mem_size = sz;
	d->iova = iova;
	rc = vslot_client_dma_map(d->c, iova, sz, d->memfd, 0);
	if (rc < 0)
		fprintf(stderr, "simdrv: dma_map: %s\n", vslot_client_strerror(d->c));
	return rc;
}

void
simdrv_close(struct simdrv *d)
{
	if (d->c != NULL)
		vslot_client_close(d->c);
	if (d->mem != NULL)
		munmap(d->mem, d->mem_size);
	if (d->memfd >= 0)
		close(d->memfd);
	memset(d, 0, sizeof(*d));
	d->memfd = -1;
}

uint32_t
simdrv_rd(struct simdrv *d, uint32_t off)
{
	return __atomic_load_n(&d->bar[off / 4], __ATOMIC_ACQUIRE);
}

void
simdrv_wr(struct simdrv *d, uint32_t off, uint32_t v)
{
	__atomic_store_n(&d->bar[off / 4], v, __ATOMIC_RELEASE);
}

uint32_t
simdrv_urd(struct simdrv *d, uint32_t off)
{
	return __atomic_load_n(&d->ubar[off / 4], __ATOMIC_ACQUIRE);
}

void
simdrv_uwr(struct simdrv *d, uint32_t off, uint32_t v)
{
	__atomic_store_n(&d->ubar[off / 4], v, __ATOMIC_RELEASE);
}

void *
simdrv_alloc(struct simdrv *d, size_t size, size_t align, uint64_t *iova)
{
	size_t off = (d->used + align - 1) & ~(align - 1);

	if (off + size > d->mem_size)
		return NULL;
	d->used = off + size;
	memset(d->mem + off, 0, size);
	if (iova != NULL)
		*iova = d->iova + off;
	return d->mem + off;
}

int
simdrv_wait(struct simdrv *d, uint32_t off, uint32_t mask, uint32_t want, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		if ((simdrv_rd(d, off) & mask) == want)
			return 0;
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(10);
	}
}

int
simdrv_ctx(struct simdrv *pf, unsigned sel, unsigned op, unsigned qid, const uint32_t *data,
	uint32_t *out)
{
	unsigned i;

	if (op == QDMA_IND_OP_WR) {
		for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
			simdrv_wr(pf, QDMA_IND_CTXT_DATA(i), data ? data[i] : 0);
		for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
			simdrv_wr(pf, QDMA_IND_CTXT_MASK(i), 0xFFFFFFFFu);
	}
	/* the card's conventions (qdma_hw_emu.h): the busy bit is written */
	simdrv_wr(pf, QDMA_IND_CTXT_CMD,
		qdma_emu_ind_cmd(qdma_ind_cmd((enum qdma_ind_sel)sel, (enum qdma_ind_op)op, qid)));
	if (simdrv_wait(pf, QDMA_IND_CTXT_CMD, QDMA_IND_CTXT_CMD_BUSY, 0, 5000) < 0) {
		fprintf(stderr, "simdrv: context command sel %u op %u qid %u timed out\n", sel, op,
			qid);
		return -1;
	}
	if (op == QDMA_IND_OP_RD && out != NULL)
		for (i = 0; i < QDMA_IND_CTXT_DATA_WORDS; i++)
			out[i] = simdrv_rd(pf, QDMA_IND_CTXT_DATA(i));
	return 0;
}

void
simdrv_w1c(struct simdrv *pf, uint32_t off, uint32_t bits)
{
	simdrv_wr(pf, off, qdma_emu_w1c_value(bits));
}

int
simdrv_pf_init(struct simdrv *pf)
{
	uint32_t nb_q, chan, v, i;
	unsigned sel;

	/* 1. identity and attributes */
	if (qdma_magic_of(simdrv_rd(pf, QDMA_CFG_BLOCK_ID)) != QDMA_MAGIC) {
		fprintf(stderr, "simdrv: bad magic 0x%x\n", simdrv_rd(pf, QDMA_CFG_BLOCK_ID));
		return -1;
	}
	if (simdrv_rd(pf, QDMA_GLBL2_MISC_CAP) != QDMA_MISC_CAP_QDMA31_DEFAULT)
		return -1;
	if (qdma_user_bar_from_bitmap(qdma_barlite_get(simdrv_rd(pf, QDMA_GLBL2_PF_BARLITE_EXT),
		    0)) != (int)QDMA_USER_BAR_EMU)
		return -1;
	if (qdma_barlite_get(simdrv_rd(pf, QDMA_GLBL2_PF_BARLITE_INT), 0) == 0)
		return -1;
	chan = simdrv_rd(pf, QDMA_GLBL2_CHANNEL_MDMA);
	if ((chan & QDMA_GLBL2_CHANNEL_ST_EN) != QDMA_GLBL2_CHANNEL_ST_EN ||
	    (chan & QDMA_GLBL2_CHANNEL_MM_EN) != QDMA_GLBL2_CHANNEL_MM_EN)
		return -1;
	nb_q = simdrv_rd(pf, QDMA_GLBL2_CHANNEL_QDMA_CAP) & QDMA_GLBL2_QDMA_CAP_MULTIQ_MAX_MASK;
	if (nb_q == 0 || (simdrv_rd(pf, QDMA_GLBL2_CHANNEL_FUNC_RET) & 0xFF) != 0)
		return -1;
	/* 2. CSR tables */
	for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		simdrv_wr(pf, QDMA_GLBL_RNG_SZ(i), qdma_glbl_rng_sz_default[i]);
		simdrv_wr(pf, QDMA_C2H_TIMER_CNT(i), qdma_c2h_timer_cnt_default[i]);
		simdrv_wr(pf, QDMA_C2H_CNT_TH(i), qdma_c2h_cnt_th_default[i]);
		simdrv_wr(pf, QDMA_C2H_BUF_SZ(i), qdma_c2h_buf_sz_default[i]);
	}
	simdrv_wr(pf, QDMA_GLBL_DSC_CFG, QDMA_GLBL_DSC_CFG_DEFAULT);
	v = simdrv_rd(pf, QDMA_C2H_PFCH_CACHE_DEPTH);
	simdrv_wr(pf, QDMA_C2H_PFCH_CFG, qdma_c2h_pfch_cfg_default(v));
	simdrv_wr(pf, QDMA_C2H_INT_TIMER_TICK, QDMA_C2H_INT_TIMER_TICK_DEFAULT);
	v = simdrv_rd(pf, QDMA_C2H_CMPT_COAL_BUF_DEPTH);
	simdrv_wr(pf, QDMA_C2H_WRB_COAL_CFG, qdma_c2h_wrb_coal_cfg_default(v));
	simdrv_wr(pf, QDMA_H2C_REQ_THROT, QDMA_H2C_REQ_THROT_DEFAULT);
	simdrv_wr(pf, QDMA_C2H_MM_CONTROL(0), QDMA_MM_CONTROL_RUN);
	simdrv_wr(pf, QDMA_H2C_MM_CONTROL(0), QDMA_MM_CONTROL_RUN);
	/* clear every context of every queue (sel 0..7) */
	for (i = 0; i < nb_q; i++)
		for (sel = QDMA_IND_SEL_SW_C2H; sel <= QDMA_IND_SEL_PFTCH; sel++)
			if (simdrv_ctx(pf, sel, QDMA_IND_OP_CLR, i, NULL, NULL) < 0)
				return -1;
	if (simdrv_fmap(pf, 0, 0, 0) < 0)
		return -1;
	/* enable errors */
	simdrv_wr(pf, QDMA_RAM_SBE_MSK_A, QDMA_RAM_SBE_ALL);
	simdrv_wr(pf, QDMA_RAM_DBE_MSK_A, QDMA_RAM_DBE_ALL);
	simdrv_wr(pf, QDMA_GLBL_DSC_ERR_MSK, QDMA_DSC_ERR_ALL);
	simdrv_wr(pf, QDMA_GLBL_TRQ_ERR_MSK, QDMA_TRQ_ERR_ALL);
	simdrv_wr(pf, QDMA_C2H_ERR_MASK, QDMA_C2H_ERR_ALL);
	simdrv_wr(pf, QDMA_C2H_FATAL_ERR_MASK, QDMA_C2H_FATAL_ERR_ALL);
	simdrv_wr(pf, QDMA_H2C_ERR_MASK, QDMA_H2C_ERR_ALL);
	simdrv_wr(pf, QDMA_GLBL_ERR_MASK, QDMA_GLBL_ERR_ALL);
	return 0;
}

int
simdrv_fmap(struct simdrv *pf, unsigned fn, unsigned qbase, unsigned qmax)
{
	struct qdma_fmap_ctx c = { .qbase = (uint16_t)qbase, .qmax = (uint16_t)qmax };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };

	if (qdma_fmap_ctx_encode(&c, w) < 0)
		return -1;
	return simdrv_ctx(pf, QDMA_IND_SEL_FMAP, QDMA_IND_OP_WR, fn, w, NULL);
}

/* ---- queues -------------------------------------------------------------------------------- */
int
simq_init(struct simq *q, struct simdrv *pf, struct simdrv *own, unsigned qfn, unsigned qid,
	unsigned rel, unsigned rsz_idx, unsigned cmpt_idx, unsigned bufsz_idx, unsigned esz_code)
{
	memset(q, 0, sizeof(*q));
	q->pf = pf;
	q->own = own;
	q->qfn = qfn;
	q->qid = qid;
	q->rel = rel;
	q->rsz_idx = rsz_idx;
	q->cmpt_idx = cmpt_idx;
	q->bufsz_idx = bufsz_idx;
	q->esz_code = esz_code;
	q->trig = QDMA_CMPT_TRIG_USER_TIMER;
	q->r = simdrv_rd(pf, QDMA_GLBL_RNG_SZ(rsz_idx)) & QDMA_GLBL_RNG_SZ_MASK;
	q->rc = simdrv_rd(pf, QDMA_GLBL_RNG_SZ(cmpt_idx)) & QDMA_GLBL_RNG_SZ_MASK;
	q->bufsz = simdrv_rd(pf, QDMA_C2H_BUF_SZ(bufsz_idx)) & QDMA_C2H_BUF_SZ_MASK;
	q->esz = qdma_cmpt_sz_bytes(esz_code);
	q->color = 1;
	q->h2c = simdrv_alloc(own, qdma_ring_bytes(q->r, 32), 4096, &q->h2c_iova);
	q->c2h = simdrv_alloc(own, qdma_ring_bytes(q->r, 32), 4096, &q->c2h_iova);
	q->cmpt = simdrv_alloc(own, qdma_ring_bytes(q->rc, q->esz), 4096, &q->cmpt_iova);
	q->tx = simdrv_alloc(own, (size_t)(q->r - 1) * SIMQ_TX_SLOT, 4096, &q->tx_iova);
	q->rx = simdrv_alloc(own, (size_t)(q->r - 1) * q->bufsz, 4096, &q->rx_iova);
	if (!q->h2c || !q->c2h || !q->cmpt || !q->tx || !q->rx) {
		fprintf(stderr, "simdrv: out of DMA memory\n");
		return -1;
	}
	return 0;
}

static uint32_t
db_off(struct simq *q, uint32_t reg)
{
	return QDMA_DMAP_REG(q->own->is_vf ? QDMA_VF_DMAP_BASE : QDMA_PF_DMAP_BASE, q->rel, reg);
}

void
simq_db_h2c(struct simq *q, uint32_t pidx)
{
	simdrv_wr(q->own, db_off(q, QDMA_DMAP_H2C_PIDX), qdma_db_pidx((uint16_t)pidx, 0));
}

void
simq_db_c2h(struct simq *q, uint32_t pidx)
{
	simdrv_wr(q->own, db_off(q, QDMA_DMAP_C2H_PIDX), qdma_db_pidx((uint16_t)pidx, 0));
}

void
simq_db_cmpt(struct simq *q, uint32_t cidx)
{
	struct qdma_cmpt_cidx_db d = { .cidx = (uint16_t)cidx, .counter_idx = 7, .timer_idx = 3,
		.trig_mode = (uint8_t)q->trig, .stat_desc_en = 1 };

	simdrv_wr(q->own, db_off(q, QDMA_DMAP_CMPT_CIDX), qdma_db_cmpt_cidx(&d));
}

static int
sw_ctx(struct simq *q, unsigned sel, bool h2c, unsigned desc_sz, uint64_t base)
{
	struct qdma_sw_ctx c = { 0 };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };

	c.fnc_id = (uint16_t)q->qfn;
	c.qen = 1;
	c.fcrd_en = !h2c && !q->mm;
	c.wbk_en = 1;
	c.wbi_chk = 1;
	c.wbi_intvl_en = 1;
	c.rngsz_idx = (uint8_t)q->rsz_idx;
	c.desc_sz = (uint8_t)desc_sz;
	c.is_mm = q->mm;
	c.ring_base = base;
	if (qdma_sw_ctx_encode(&c, w) < 0)
		return -1;
	return simdrv_ctx(q->pf, sel, QDMA_IND_OP_WR, q->qid, w, NULL);
}

int
simq_start_h2c(struct simq *q)
{
	if (simdrv_ctx(q->pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_HW_H2C, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_CR_H2C, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    sw_ctx(q, QDMA_IND_SEL_SW_H2C, true, QDMA_DESC_SZ_16B, q->h2c_iova))
		return -1;
	memset(q->h2c, 0, qdma_ring_bytes(q->r, 16));
	q->h2c_pidx = 0;
	simq_db_h2c(q, 0);
	return 0;
}

int
simq_start_c2h(struct simq *q)
{
	struct qdma_pfch_ctx p = { 0 };
	struct qdma_cmpt_ctx m = { 0 };
	uint32_t w[QDMA_IND_CTXT_DATA_WORDS] = { 0 };
	unsigned sel[] = { QDMA_IND_SEL_SW_C2H, QDMA_IND_SEL_HW_C2H, QDMA_IND_SEL_PFTCH,
		QDMA_IND_SEL_CMPT, QDMA_IND_SEL_CR_C2H };
	uint32_t i;

	for (i = 0; i < 5; i++)
		if (simdrv_ctx(q->pf, sel[i], QDMA_IND_OP_CLR, q->qid, NULL, NULL))
			return -1;
	/* ring reset, as drivers do on queue start: no stale entries or status */
	memset(q->cmpt, 0, qdma_ring_bytes(q->rc, q->esz));
	memset(q->c2h, 0, qdma_ring_bytes(q->r, 8));
	for (i = 0; i < q->r - 1; i++)
		q->c2h[i] = q->rx_iova + (uint64_t)i * q->bufsz;
	if (sw_ctx(q, QDMA_IND_SEL_SW_C2H, false, QDMA_DESC_SZ_8B, q->c2h_iova))
		return -1;
	p.valid = 1;
	p.bufsz_idx = (uint8_t)q->bufsz_idx;
	if (qdma_pfch_ctx_encode(&p, w) < 0 ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_PFTCH, QDMA_IND_OP_WR, q->qid, w, NULL))
		return -1;
	memset(w, 0, sizeof(w));
	m.en_stat_desc = 1;
	m.trig_mode = (uint8_t)q->trig;
	m.fnc_id = (uint16_t)q->qfn;
	m.counter_idx = 7;
	m.timer_idx = 3;
	m.color = 1;
	m.ringsz_idx = (uint8_t)q->cmpt_idx;
	m.base_addr = q->cmpt_iova;
	m.desc_sz = (uint8_t)q->esz_code;
	m.valid = 1;
	if (qdma_cmpt_ctx_encode(&m, w) < 0 ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_CMPT, QDMA_IND_OP_WR, q->qid, w, NULL))
		return -1;
	q->cmpt_cidx = 0;
	q->rx_tail = 0;
	q->color = 1;
	simq_db_cmpt(q, 0);
	q->c2h_pidx = q->r - 2;
	simq_db_c2h(q, q->c2h_pidx);
	return 0;
}

int
simq_start_mm(struct simq *q)
{
	q->mm = true;
	if (simdrv_ctx(q->pf, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_HW_H2C, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    simdrv_ctx(q->pf, QDMA_IND_SEL_HW_C2H, QDMA_IND_OP_CLR, q->qid, NULL, NULL) ||
	    sw_ctx(q, QDMA_IND_SEL_SW_H2C, true, QDMA_DESC_SZ_32B, q->h2c_iova) ||
	    sw_ctx(q, QDMA_IND_SEL_SW_C2H, false, QDMA_DESC_SZ_32B, q->c2h_iova))
		return -1;
	q->h2c_pidx = q->c2h_pidx = 0;
	return 0;
}

void
simq_stop(struct simq *q)
{
	unsigned sel;

	for (sel = QDMA_IND_SEL_SW_C2H; sel <= QDMA_IND_SEL_PFTCH; sel++)
		simdrv_ctx(q->pf, sel, QDMA_IND_OP_INV, q->qid, NULL, NULL);
}

uint32_t
simq_h2c_status_cidx(struct simq *q)
{
	const struct qdma_status_desc *s =
		(const void *)(q->h2c + qdma_ring_status_off(q->r, q->mm ? 32 : 16));

	return __atomic_load_n(&s->cidx, __ATOMIC_ACQUIRE);
}

static uint32_t
c2h_status_cidx(struct simq *q)
{
	const struct qdma_status_desc *s = (const void *)((uint8_t *)q->c2h +
							   qdma_ring_status_off(q->r, q->mm ? 32 : 8));

	return __atomic_load_n(&s->cidx, __ATOMIC_ACQUIRE);
}

int
simq_tx_drain(struct simq *q, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (simq_h2c_status_cidx(q) != q->h2c_pidx) {
		if (now_ms() > end)
			return -1;
		usleep(5);
	}
	return 0;
}

int
simq_tx(struct simq *q, const void *pkt, uint32_t len, uint32_t seg)
{
	uint32_t nd, k, off = 0;
	uint64_t end = now_ms() + 5000;

	if (seg == 0 || seg > len)
		seg = len ? len : 1;
	nd = len ? (len + seg - 1) / seg : 1;
	if (len > SIMQ_TX_SLOT * nd)
		return -1;
	while (qdma_ring_free(q->h2c_pidx, simq_h2c_status_cidx(q), q->r) < nd) {
		if (now_ms() > end)
			return -1;
		usleep(5);
	}
	for (k = 0; k < nd; k++) {
		struct qdma_h2c_st_desc *d = (void *)(q->h2c + (size_t)q->h2c_pidx * 16);
		uint32_t n = len - off < seg ? len - off : seg;
		uint8_t *buf = q->tx + (size_t)q->h2c_pidx * SIMQ_TX_SLOT;
		uint16_t fl = 0;

		memcpy(buf, (const uint8_t *)pkt + off, n);
		if (nd > 1)
			fl = (k == 0 ? QDMA_H2C_ST_F_SOP : 0) | (k == nd - 1 ? QDMA_H2C_ST_F_EOP : 0);
		qdma_h2c_st_desc_fill(d, q->tx_iova + (uint64_t)q->h2c_pidx * SIMQ_TX_SLOT,
			(uint16_t)n, fl);
		off += n;
		q->h2c_pidx = qdma_ring_next(q->h2c_pidx, q->r);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	simq_db_h2c(q, q->h2c_pidx);
	return 0;
}

int
simq_rx(struct simq *q, void *buf, uint32_t max, uint64_t *entry, int ms)
{
	const struct qdma_status_desc *st =
		(const void *)(q->cmpt + qdma_ring_status_off(q->rc, q->esz));
	uint64_t end = now_ms() + (uint64_t)ms, e;
	uint32_t len, nd, k, off = 0;

	while (__atomic_load_n(&st->pidx, __ATOMIC_ACQUIRE) == q->cmpt_cidx) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(5);
	}
	e = __atomic_load_n((uint64_t *)(q->cmpt + (size_t)q->cmpt_cidx * q->esz),
		__ATOMIC_ACQUIRE);
	if (entry != NULL)
		*entry = e;
	if (qdma_cmpt_entry_color(e) != q->color || qdma_cmpt_entry_data_frmt(e) ||
	    qdma_cmpt_entry_err(e)) {
		fprintf(stderr, "simdrv: bad completion 0x%llx (expected color %u)\n",
			(unsigned long long)e, q->color);
		return -EPROTO;
	}
	len = qdma_cmpt_entry_desc_used(e) ? qdma_cmpt_entry_len(e) : 0;
	nd = qdma_cmpt_entry_desc_used(e) ? (len ? (len + q->bufsz - 1) / q->bufsz : 1) : 0;
	for (k = 0; k < nd; k++) {
		uint32_t n = len - off < q->bufsz ? len - off : q->bufsz;

		if (off + n <= max)
			memcpy((uint8_t *)buf + off, q->rx + (size_t)q->rx_tail * q->bufsz, n);
		off += n;
		q->rx_tail = qdma_ring_next(q->rx_tail, q->r);
		/* repost the buffer */
		q->c2h_pidx = qdma_ring_next(q->c2h_pidx, q->r);
	}
	q->cmpt_cidx = qdma_ring_next(q->cmpt_cidx, q->rc);
	if (q->cmpt_cidx == 0)
		q->color ^= 1u;
	simq_db_cmpt(q, q->cmpt_cidx);
	if (nd > 0) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		simq_db_c2h(q, q->c2h_pidx);
	}
	return (int)len;
}

int
simq_mm(struct simq *q, bool h2c, uint64_t card, void *host, uint32_t len, int ms)
{
	struct qdma_mm_desc *d;
	uint8_t *ring = h2c ? q->h2c : (uint8_t *)q->c2h;
	uint32_t *pidx = h2c ? &q->h2c_pidx : &q->c2h_pidx;
	uint64_t hiova, end = now_ms() + (uint64_t)ms;

	if (len > SIMQ_TX_SLOT * (q->r - 1))
		return -1;
	hiova = q->tx_iova;
	if (h2c)
		memcpy(q->tx, host, len);
	d = (void *)(ring + (size_t)*pidx * 32);
	if (h2c)
		qdma_mm_desc_fill(d, hiova, card, len);
	else
		qdma_mm_desc_fill(d, card, hiova, len);
	*pidx = qdma_ring_next(*pidx, q->r);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (h2c)
		simq_db_h2c(q, *pidx);
	else
		simq_db_c2h(q, *pidx);
	while ((h2c ? simq_h2c_status_cidx(q) : c2h_status_cidx(q)) != *pidx) {
		if (now_ms() > end)
			return -1;
		usleep(5);
	}
	if (!h2c)
		memcpy(host, q->tx, len);
	return 0;
}
