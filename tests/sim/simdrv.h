/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal QDMA driver for the card tests: it reaches the card only through BAR loads/stores
 * (vslot client mappings) and DMA memory it allocates (hugepages when available) and registers
 * with vslot_client_dma_map(). It never calls into the model.
 */
#ifndef SIMDRV_H
#define SIMDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qdma_hw.h"
#include "vslot_client.h"

struct simdrv {
	struct vslot_client *c;
	unsigned slot;    /* vslot function */
	bool is_vf;
	uint32_t *bar;    /* config BAR */
	size_t bar_size;
	uint32_t *ubar;   /* PF user BAR (NULL for VFs) */
	int memfd;
	uint8_t *mem;     /* DMA memory */
	size_t mem_size;
	uint64_t iova;    /* IOVA of mem[0] */
	size_t used;
	bool huge;
};

/* Open @slot of the card at @sock, allocate and map @dma bytes at IOVA @iova. 0 or -errno. */
int simdrv_open(struct simdrv *d, const char *sock, unsigned slot, size_t dma, uint64_t iova);
void simdrv_close(struct simdrv *d);

uint32_t simdrv_rd(struct simdrv *d, uint32_t off);
void simdrv_wr(struct simdrv *d, uint32_t off, uint32_t v);
uint32_t simdrv_urd(struct simdrv *d, uint32_t off);
void simdrv_uwr(struct simdrv *d, uint32_t off, uint32_t v);

/* Bump-allocate @size bytes aligned to @align from the DMA memory; NULL when full. */
void *simdrv_alloc(struct simdrv *d, size_t size, size_t align, uint64_t *iova);

/* Poll @off until (value & mask) == want or @ms elapse. 0 or -ETIMEDOUT. */
int simdrv_wait(struct simdrv *d, uint32_t off, uint32_t mask, uint32_t want, int ms);

/* Indirect context command (PF). @data: WR words (8, NULL = zeros); @out: RD words (8). */
int simdrv_ctx(struct simdrv *pf, unsigned sel, unsigned op, unsigned qid, const uint32_t *data,
	uint32_t *out);

/* PF probe + master init as in reference 1.11 (identity, CSR tables, MM run, clear all
 * contexts of @nb_q queues, enable errors). 0 or -1 (message on stderr). */
int simdrv_pf_init(struct simdrv *pf);
int simdrv_fmap(struct simdrv *pf, unsigned fn, unsigned qbase, unsigned qmax);

/* W1C clear of status register @off (strobe convention, qdma_hw_emu.h). */
void simdrv_w1c(struct simdrv *pf, uint32_t off, uint32_t bits);

/* An ST or MM queue owned by function @own (rings and buffers in its DMA memory), whose
 * contexts the PF @pf programs. */
struct simq {
	struct simdrv *pf, *own;
	unsigned qfn;             /* QDMA function id of the owner */
	unsigned qid, rel;        /* absolute / function-relative queue */
	unsigned rsz_idx, cmpt_idx, bufsz_idx, esz_code, trig;
	uint32_t r, rc, esz, bufsz;
	bool mm;
	/* H2C */
	uint8_t *h2c;
	uint64_t h2c_iova;
	uint32_t h2c_pidx;
	uint8_t *tx;              /* r-1 slots of SIMQ_TX_SLOT bytes */
	uint64_t tx_iova;
	/* C2H */
	uint64_t *c2h;
	uint64_t c2h_iova;
	uint32_t c2h_pidx;
	uint32_t rx_tail;         /* next C2H descriptor a packet starts at */
	uint8_t *rx;              /* r-1 buffers of bufsz */
	uint64_t rx_iova;
	uint8_t *cmpt;
	uint64_t cmpt_iova;
	uint32_t cmpt_cidx;
	uint8_t color;            /* expected color */
};

#define SIMQ_TX_SLOT 16384u

/* Allocate rings/buffers. 0 or -1. */
int simq_init(struct simq *q, struct simdrv *pf, struct simdrv *own, unsigned qfn, unsigned qid,
	unsigned rel, unsigned rsz_idx, unsigned cmpt_idx, unsigned bufsz_idx, unsigned esz_code);
/* Contexts + first doorbells (reference 2.8). 0 or -1. */
int simq_start_h2c(struct simq *q);
int simq_start_c2h(struct simq *q);
int simq_start_mm(struct simq *q); /* H2C + C2H MM contexts */
void simq_stop(struct simq *q);
/* Doorbells. */
void simq_db_h2c(struct simq *q, uint32_t pidx);
void simq_db_c2h(struct simq *q, uint32_t pidx);
void simq_db_cmpt(struct simq *q, uint32_t cidx);
/* H2C status-descriptor cidx. */
uint32_t simq_h2c_status_cidx(struct simq *q);
/* Send one packet as descriptors of at most @seg bytes each (0: one descriptor). 0 or -1. */
int simq_tx(struct simq *q, const void *pkt, uint32_t len, uint32_t seg);
/* Wait until every posted H2C descriptor is consumed (status cidx). 0 or -1. */
int simq_tx_drain(struct simq *q, int ms);
/* Receive one packet: completion entry in *@entry, data copied to @buf. Returns the length,
 * -ETIMEDOUT, or -EPROTO (bad color / entry). */
int simq_rx(struct simq *q, void *buf, uint32_t max, uint64_t *entry, int ms);
/* MM: copy @len bytes host -> card at @card (H2C) or card -> host (C2H). 0 or -1. */
int simq_mm(struct simq *q, bool h2c, uint64_t card, void *host, uint32_t len, int ms);

#endif /* SIMDRV_H */
