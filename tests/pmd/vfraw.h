/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VF driven by hand, from its own process: only its BAR (lib/vslot client)
 * and the mailbox layouts of lib/qdma_hw.  What a hostile (or a minimal)
 * guest driver can do, nothing more.  Header-only, for the PMD tests.
 */
#ifndef SVFF_TEST_VFRAW_H
#define SVFF_TEST_VFRAW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "qdma_hw.h"
#include "vslot_client.h"

struct vfraw {
	struct vslot_client *c;
	volatile uint8_t *bar;
	uint16_t func;
};

static inline uint64_t
vfraw_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline uint32_t
vfraw_rd(struct vfraw *v, uint32_t off)
{
	return *(volatile uint32_t *)(v->bar + off);
}

static inline void
vfraw_wr(struct vfraw *v, uint32_t off, uint32_t val)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile uint32_t *)(v->bar + off) = val;
}

static inline int
vfraw_open(struct vfraw *v, const char *sock, unsigned int idx, uint64_t token)
{
	char err[256];
	size_t len;

	v->c = vslot_client_open(sock, VSLOT_FN_VF(idx), token, err, sizeof(err));
	if (v->c == NULL) {
		fprintf(stderr, "open vf%u: %s\n", idx, err);
		return -1;
	}
	v->bar = vslot_client_bar(v->c, 0, &len);
	return v->bar ? 0 : -1;
}

/* Wait until the card took our FN_CMD (emulation convention 2). */
static inline bool
vfraw_cmd_done(struct vfraw *v)
{
	for (int i = 0; i < 500000; i++) {
		if (vfraw_rd(v, QDMA_VF_MBOX_FN_CMD) == 0)
			return true;
		if (i > 100)
			usleep(10);
	}
	return false;
}

/* Send; waits up to @p ms for our outbox to be free first. */
static inline bool
vfraw_send(struct vfraw *v, const union qdma_mbox_msg *m, int ms)
{
	uint64_t end = vfraw_now_us() + (uint64_t)ms * 1000u;

	while (vfraw_rd(v, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_O_MSG) {
		if (vfraw_now_us() > end)
			return false;
		usleep(20);
	}
	for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		vfraw_wr(v, QDMA_VF_MBOX_MSG_OUT(i), m->w[i]);
	vfraw_wr(v, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_SEND);
	return vfraw_cmd_done(v);
}

/* Take one message from the inbox if there is one. */
static inline bool
vfraw_try_recv(struct vfraw *v, union qdma_mbox_msg *m)
{
	if (!(vfraw_rd(v, QDMA_VF_MBOX_FN_STATUS) & QDMA_MBOX_FN_STATUS_I_MSG))
		return false;
	for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		m->w[i] = vfraw_rd(v, QDMA_VF_MBOX_MSG_IN(i));
	vfraw_wr(v, QDMA_VF_MBOX_FN_CMD, QDMA_MBOX_FN_CMD_RCV);
	vfraw_cmd_done(v);
	return true;
}

/* Request/response within @p ms; the status, or 99 when no answer came (98: not sent). */
static inline int
vfraw_req(struct vfraw *v, union qdma_mbox_msg *m, int ms)
{
	uint8_t want = qdma_mbox_op_rsp(m->hdr.op);
	uint64_t end = vfraw_now_us() + (uint64_t)ms * 1000u;
	union qdma_mbox_msg r;

	if (!vfraw_send(v, m, ms))
		return 98;
	while (vfraw_now_us() < end) {
		if (!vfraw_try_recv(v, &r)) {
			usleep(20);
			continue;
		}
		if (r.hdr.op == want) {
			*m = r;
			return r.hdr.status;
		}
	}
	return 99;
}

/* HELLO: learns the function id.  0 or the failure. */
static inline int
vfraw_hello(struct vfraw *v, int ms)
{
	union qdma_mbox_msg m;
	int st;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	m.fmap.qbase = -1;
	st = vfraw_req(v, &m, ms);
	if (st == 0)
		v->func = m.hdr.dst_func_id;
	return st;
}

/* QREQ @p n then FMAP of the granted window; the window's qbase or < 0. */
static inline int32_t
vfraw_queues(struct vfraw *v, uint32_t n, int ms)
{
	union qdma_mbox_msg m;
	int32_t qb;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QREQ, v->func, 0);
	m.fmap.qbase = -1;
	m.fmap.qmax = n;
	if (vfraw_req(v, &m, ms) != 0 || m.fmap.qmax != n)
		return -1;
	qb = m.fmap.qbase;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_FMAP, v->func, 0);
	m.fmap.qbase = qb;
	m.fmap.qmax = n;
	return vfraw_req(v, &m, ms) == 0 ? qb : -1;
}

/* QNOTIFY_ADD of one queue of @p type. */
static inline int
vfraw_qnotify(struct vfraw *v, uint16_t qid, uint32_t type, int ms)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QNOTIFY_ADD, v->func, 0);
	m.qnotify.qid_hw = qid;
	m.qnotify.q_type = type;
	return vfraw_req(v, &m, ms);
}

/* QCTXT_WRT of an ST H2C queue: ring of @p entries (incl. status) at @p ring. */
static inline int
vfraw_h2c_ctxt(struct vfraw *v, uint16_t qid, uint64_t ring, uint16_t entries, int ms)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QCTXT_WRT, v->func, 0);
	m.qctxt.qid_hw = qid;
	m.qctxt.flags = qdma_mbox_qctxt_flags(1, 0, QDMA_MBOX_CMPT_CTXT_NONE);
	m.qctxt.descq.ring_bs_addr = ring;
	m.qctxt.descq.flags = (uint32_t)QDMA_DESC_SZ_16B << QDMA_DESCQ_DESC_SZ_SHIFT;
	m.qctxt.descq.ringsz = (uint16_t)(entries - 1);
	return vfraw_req(v, &m, ms);
}

#endif /* SVFF_TEST_VFRAW_H */
