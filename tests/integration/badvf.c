/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A misbehaving guest for the svffd tests: opens a VF that svffd attached
 * (the card socket and token of its devargs) and either never reads its
 * inbox (stuck) or floods the PF's mailbox (flood).  Runs until killed.
 *   badvf SOCKET VF TOKEN stuck|flood
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfraw.h"

int
main(int argc, char **argv)
{
	struct vfraw v = { 0 };
	union qdma_mbox_msg m;
	bool stuck;

	if (argc != 5 || (strcmp(argv[4], "stuck") != 0 && strcmp(argv[4], "flood") != 0)) {
		fprintf(stderr, "usage: %s SOCKET VF TOKEN stuck|flood\n", argv[0]);
		return 2;
	}
	stuck = strcmp(argv[4], "stuck") == 0;
	if (vfraw_open(&v, argv[1], (unsigned int)atoi(argv[2]),
			strtoull(argv[3], NULL, 0)) < 0)
		return 1;
	if (vfraw_hello(&v, 5000) != 0) {
		fprintf(stderr, "badvf: HELLO failed\n");
		return 1;
	}
	printf("badvf: function %u says HELLO, now %s\n", v.func, argv[4]);
	fflush(stdout);
	for (;;) {
		qdma_mbox_msg_init(&m, stuck ? QDMA_MBOX_OP_CSR : QDMA_MBOX_OP_GET_QACTIVE_CNT,
			v.func, 0);
		vfraw_send(&v, &m, 50);
		while (!stuck && vfraw_try_recv(&v, &m))
			;
	}
}
