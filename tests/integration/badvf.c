/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A misbehaving guest for the svffd tests: opens a VF that svffd attached
 * (the card socket and token of its devargs) and either never reads its
 * inbox (stuck), floods the PF's mailbox (flood), or says at HELLO that it
 * speaks the svff pause extension, then reads every PF message and answers
 * none (mute: a driver that ignores PAUSE).  Runs until killed.
 *   badvf SOCKET VF TOKEN stuck|flood|mute
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

int
main(int argc, char **argv)
{
	struct vfraw v = { 0 };
	union qdma_mbox_msg m;
	bool stuck, quiet;

	if (argc != 5 || (strcmp(argv[4], "stuck") != 0 && strcmp(argv[4], "flood") != 0 &&
			  strcmp(argv[4], "mute") != 0)) {
		fprintf(stderr, "usage: %s SOCKET VF TOKEN stuck|flood|mute\n", argv[0]);
		return 2;
	}
	stuck = strcmp(argv[4], "stuck") == 0;
	quiet = strcmp(argv[4], "mute") == 0;
	if (vfraw_open(&v, argv[1], (unsigned int)atoi(argv[2]),
			strtoull(argv[3], NULL, 0)) < 0)
		return 1;
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
