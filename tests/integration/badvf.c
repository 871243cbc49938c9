/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A misbehaving guest for the svffd tests: opens a VF that svffd attached
 * (the card socket and token of its devargs) and either never reads its
 * inbox (stuck), floods the PF's mailbox (flood), or says at HELLO that it
 * speaks the svff pause extension, then reads every PF message and answers
 * none (mute: a driver that ignores PAUSE), or behaves as a stock Xilinx VF
 * driver without the extension (stock: HELLO, one active H2C queue; on
 * RESET_PREPARE it answers and goes offline with PF_RESET_VF_BYE, on
 * RESET_DONE it answers, says HELLO and takes its queue again).  Runs until
 * killed.
 *   badvf SOCKET VF TOKEN stuck|flood|mute|stock
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfraw.h"

/* HELLO advertising the pause extension, as our VF PMD sends it. */
static int
hello_ext(struct vfraw *v)
{
	struct qdma_mbox_svff_ext x = { QDMA_MBOX_SVFF_MAGIC, QDMA_MBOX_SVFF_EXT_PAUSE };
	union qdma_mbox_msg m;
	int st;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	m.fmap.qbase = -1;
	memcpy(&m.b[QDMA_MBOX_SVFF_HELLO_REQ_OFF], &x, sizeof(x));
	st = vfraw_req(v, &m, 5000);
	if (st == 0)
		v->func = m.hdr.dst_func_id;
	return st;
}

/* Read every PF message, answer none; say which PAUSEs were ignored. */
static void
mute(struct vfraw *v)
{
	union qdma_mbox_msg m;

	for (;;) {
		if (!vfraw_try_recv(v, &m)) {
			usleep(100);
			continue;
		}
		printf("badvf: op 0x%02x from the PF ignored%s\n", m.hdr.op,
			m.hdr.op == QDMA_MBOX_OP_SVFF_PAUSE ? " (PAUSE)" : "");
		fflush(stdout);
	}
}

/* HELLO, 1 queue, QNOTIFY_ADD of its H2C ring: a running stock driver. 0 or -1. */
static int
stock_up(struct vfraw *v)
{
	int32_t qb;

	if (vfraw_hello(v, 5000) != 0)
		return -1;
	qb = vfraw_queues(v, 1, 5000);
	if (qb < 0 || vfraw_qnotify(v, (uint16_t)qb, QDMA_MBOX_QTYPE_H2C, 5000) != 0)
		return -1;
	printf("badvf: stock driver up (queue %d)\n", qb);
	fflush(stdout);
	return 0;
}

static void
stock_answer(struct vfraw *v, union qdma_mbox_msg *m)
{
	qdma_mbox_msg_make_rsp(m, v->func, 0);
	vfraw_send(v, m, 1000);
}

/* The stock driver's side of a PF reset (qdma-reference 4.7). */
static void
stock(struct vfraw *v)
{
	union qdma_mbox_msg m;

	if (stock_up(v) < 0) {
		fprintf(stderr, "badvf: stock set-up failed\n");
		exit(1);
	}
	for (;;) {
		if (!vfraw_try_recv(v, &m)) {
			usleep(100);
			continue;
		}
		if (m.hdr.op == QDMA_MBOX_OP_RESET_PREPARE) {
			stock_answer(v, &m);
			qdma_mbox_msg_init(&m, QDMA_MBOX_OP_PF_RESET_VF_BYE, v->func, 0);
			vfraw_req(v, &m, 5000);
			printf("badvf: RESET_PREPARE: offline\n");
		} else if (m.hdr.op == QDMA_MBOX_OP_RESET_DONE) {
			stock_answer(v, &m);
			printf("badvf: RESET_DONE\n");
			if (stock_up(v) < 0)
				printf("badvf: re-init after RESET_DONE failed\n");
		} else {
			printf("badvf: op 0x%02x from the PF ignored\n", m.hdr.op);
		}
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	struct vfraw v = { 0 };
	union qdma_mbox_msg m;
	bool stuck, quiet;

	if (argc != 5 || (strcmp(argv[4], "stuck") != 0 && strcmp(argv[4], "flood") != 0 &&
			  strcmp(argv[4], "mute") != 0 && strcmp(argv[4], "stock") != 0)) {
		fprintf(stderr, "usage: %s SOCKET VF TOKEN stuck|flood|mute|stock\n", argv[0]);
		return 2;
	}
	stuck = strcmp(argv[4], "stuck") == 0;
	quiet = strcmp(argv[4], "mute") == 0;
	if (vfraw_open(&v, argv[1], (unsigned int)atoi(argv[2]),
			strtoull(argv[3], NULL, 0)) < 0)
		return 1;
	if (strcmp(argv[4], "stock") == 0)
		stock(&v);
	if ((quiet ? hello_ext(&v) : vfraw_hello(&v, 5000)) != 0) {
		fprintf(stderr, "badvf: HELLO failed\n");
		return 1;
	}
	printf("badvf: function %u says HELLO, now %s\n", v.func, argv[4]);
	fflush(stdout);
	if (quiet)
		mute(&v);
	for (;;) {
		qdma_mbox_msg_init(&m, stuck ? QDMA_MBOX_OP_CSR : QDMA_MBOX_OP_GET_QACTIVE_CNT,
			v.func, 0);
		vfraw_send(&v, &m, 50);
		while (!stuck && vfraw_try_recv(&v, &m))
			;
	}
}
