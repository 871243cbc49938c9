/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: arbitrary 128-byte mailbox messages, from arbitrary
 * source functions, into the PF's VF-message service (our PMD's PF role) on
 * an emulated card running in this process.
 *
 * Input: byte 0 selects the source function (any of the 256), bytes 1..128
 * are the message (shorter inputs are zero-padded).
 *
 * After every input the isolation invariants are checked, against the
 * card itself (FMAP and contexts read back through the indirect interface)
 * and the PF's function table:
 *   - nothing of any function other than the sender changed: its FMAP, its
 *     window and counters, the contexts of a victim VF's queues and of its
 *     interrupt rings;
 *   - every window lies inside the queue space and no two overlap.
 * Any violation aborts (a crash for libFuzzer).
 *
 * The card runs in stepped mode (no engine thread): the PMD's control-path
 * waits step it from this thread (adapter wait_hook), so an input costs a few
 * dozen engine iterations, not a few dozen thread hand-offs.
 *
 *   tests/fuzz/run-fuzz.sh [seconds]      builds with clang and runs it
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include "qdma.h"
#include "qdma_sim.h"

#define NF 16            /* functions whose state is snapshotted: 0..15 */
#define VICTIM 5         /* VF 1 */
#define VICTIM_QUEUES 8

static struct qdma_sim *card;
static struct qdma_adapter *ad;
static uint16_t port;

struct state {
	struct qdma_fn_entry fn[QDMA_MAX_FUNCS];
	uint32_t fqb[NF], fqm[NF];
	uint32_t ctx[VICTIM_QUEUES][2][QDMA_SW_CTX_WORDS];
	uint32_t ictx[VICTIM_QUEUES][QDMA_INTR_CTX_WORDS];   /* its interrupt rings */
};

/* @p vq: first queue of the victim's window when the input arrived (-1: none) */
static void
snapshot(struct state *s, int32_t vq)
{
	int rc = 0;

	memcpy(s->fn, ad->pf->fn, sizeof(s->fn));
	if (vq < 0) {
		memset(s->ctx, 0, sizeof(s->ctx));
		memset(s->ictx, 0, sizeof(s->ictx));
	}
	for (uint16_t f = 0; f < NF; f++)
		rc |= qdma_fmap_read(ad, f, &s->fqb[f], &s->fqm[f]);
	/* the queues the victim owns (as far as they exist): their contexts
	 * are the victim's to change, nobody else's */
	for (unsigned int q = 0; vq >= 0 && q < VICTIM_QUEUES; q++) {
		rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_SW_H2C, QDMA_IND_OP_RD, (unsigned int)vq + q,
			NULL, QDMA_SW_CTX_WORDS, s->ctx[q][0]);
		rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_SW_C2H, QDMA_IND_OP_RD, (unsigned int)vq + q,
			NULL, QDMA_SW_CTX_WORDS, s->ctx[q][1]);
		rc |= qdma_ind_ctxt(ad, QDMA_IND_SEL_INT_COAL, QDMA_IND_OP_RD, (unsigned int)vq + q,
			NULL, QDMA_INTR_CTX_WORDS, s->ictx[q]);
	}
	if (rc != 0) {
		fprintf(stderr, "reading the card back failed\n");
		abort();
	}
}

static void
violation(const char *what, unsigned int f)
{
	fprintf(stderr, "ISOLATION VIOLATION: %s (function %u)\n", what, f);
	abort();
}

/* Word-by-word equality (a plain loop: the sanitizer's memcmp is slow on big tables). */
static bool
same(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint64_t u, v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		if (u != v)
			return false;
	}
	for (; i < len; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* No two windows overlap (the few functions that have one, pairwise). */
static void
check_overlap(const struct state *a)
{
	uint16_t w[QDMA_MAX_FUNCS];
	unsigned int n = 0;

	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++)
		if (a->fn[f].qbase >= 0 && a->fn[f].qmax > 0)
			w[n++] = (uint16_t)f;
	for (unsigned int i = 0; i < n; i++) {
		const struct qdma_fn_entry *e = &a->fn[w[i]];

		for (unsigned int j = i + 1; j < n; j++) {
			const struct qdma_fn_entry *o = &a->fn[w[j]];

			if ((uint32_t)e->qbase < (uint32_t)o->qbase + o->qmax &&
			    (uint32_t)o->qbase < (uint32_t)e->qbase + e->qmax)
				violation("two windows overlap", w[i]);
		}
	}
}

static void
check(const struct state *b, const struct state *a, unsigned int src)
{
	for (unsigned int f = 0; f < QDMA_MAX_FUNCS; f++) {
		const struct qdma_fn_entry *e = &a->fn[f];

		/* all of it: window, queues, mailbox slot, rate state, counters */
		if (f != src && !same(&b->fn[f], e, sizeof(*e)))
			violation("another function's state changed", f);
		if (e->qbase >= 0 && (uint64_t)e->qbase + e->qmax > ad->pf->num_qs)
			violation("window outside the queue space", f);
		if (e->qbase < 0 && e->qmax != 0)
			violation("queues without a base", f);
	}
	check_overlap(a);
	for (unsigned int f = 0; f < NF; f++) {
		if (f != src && (b->fqb[f] != a->fqb[f] || b->fqm[f] != a->fqm[f]))
			violation("another function's FMAP changed", f);
		if ((uint64_t)a->fqb[f] + a->fqm[f] > ad->pf->num_qs)
			violation("FMAP outside the queue space", f);
	}
	if (src != VICTIM && !same(b->ctx, a->ctx, sizeof(a->ctx)))
		violation("a context of the victim's queues changed", VICTIM);
	if (src != VICTIM && !same(b->ictx, a->ictx, sizeof(a->ictx)))
		violation("an interrupt context of the victim's rings changed", VICTIM);
}

/* Drive the victim through the service as a well-behaved VF would. */
static void
victim_setup(void)
{
	union qdma_mbox_msg m;
	bool respond;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	qdma_pf_handle_msg(ad, VICTIM, &m, &respond);
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QREQ, VICTIM, 0);
	m.fmap.qbase = -1;
	m.fmap.qmax = VICTIM_QUEUES;
	qdma_pf_handle_msg(ad, VICTIM, &m, &respond);
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_FMAP, VICTIM, 0);
	m.fmap.qbase = ad->pf->fn[VICTIM].qbase;
	m.fmap.qmax = VICTIM_QUEUES;
	qdma_pf_handle_msg(ad, VICTIM, &m, &respond);
	for (unsigned int q = 0; q < VICTIM_QUEUES; q++) {
		qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QCTXT_WRT, VICTIM, 0);
		m.qctxt.qid_hw = (uint16_t)(ad->pf->fn[VICTIM].qbase + (int32_t)q);
		m.qctxt.flags = qdma_mbox_qctxt_flags(1, 0, QDMA_MBOX_CMPT_CTXT_NONE);
		m.qctxt.descq.ring_bs_addr = 0x100000 + q * 0x10000;
		m.qctxt.descq.flags = (uint32_t)QDMA_DESC_SZ_16B << QDMA_DESCQ_DESC_SZ_SHIFT;
		m.qctxt.descq.ringsz = 1024;
		qdma_pf_handle_msg(ad, VICTIM, &m, &respond);
	}
	if (ad->pf->fn[VICTIM].qmax != VICTIM_QUEUES) {
		fprintf(stderr, "victim setup failed\n");
		abort();
	}
}

/* Control-path waits make the stepped card progress. */
static void
step_hook(void *arg)
{
	qdma_sim_step(arg);
}

/* Steps the card while the PF probes (before the hook can be installed). */
static volatile int probing = 1;

static void *
prober_stepper(void *arg)
{
	while (__atomic_load_n(&probing, __ATOMIC_ACQUIRE))
		if (qdma_sim_step(arg) == 0)
			usleep(10);
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/svff-fuzz-XXXXXX";
	static char sock[256], vdev[400], prefix[64];
	char *eal[] = { "fuzz_mbox", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m", "128",
		"--vdev", vdev, "--log-level", "*:error", NULL };
	struct qdma_sim_cfg cfg;
	pthread_t stepper;
	char err[256];

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.stepped = true;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		fprintf(stderr, "card: %s\n", err);
		abort();
	}
	snprintf(prefix, sizeof(prefix), "svfft-fuzz-%d", getpid());
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf,num_vfs=8", sock);
	if (pthread_create(&stepper, NULL, prober_stepper, card) != 0)
		abort();
	if (rte_eal_init(12, eal) < 0 || rte_eth_dev_get_port_by_name("net_qdma0", &port) != 0)
		abort();
	ad = qdma_port_adapter(port);
	if (ad == NULL || ad->pf == NULL)
		abort();
	rte_pmd_qdma_mbox_set_poll(port, true);   /* no interrupt-thread service */
	__atomic_store_n(&probing, 0, __ATOMIC_RELEASE);
	pthread_join(stepper, NULL);
	ad->wait_hook = step_hook;
	ad->wait_hook_arg = card;
	victim_setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union qdma_mbox_msg m;
	struct state before, after;
	unsigned int src;
	bool respond;
	int32_t vq;

	if (size < 1)
		return 0;
	src = data[0];
	memset(&m, 0, sizeof(m));
	memcpy(m.b, data + 1, size - 1 < sizeof(m) ? size - 1 : sizeof(m));
	vq = ad->pf->fn[VICTIM].qmax >= VICTIM_QUEUES ? ad->pf->fn[VICTIM].qbase : -1;
	snapshot(&before, vq);
	qdma_pf_handle_msg(ad, (uint16_t)src, &m, &respond);
	snapshot(&after, vq);
	check(&before, &after, src);
	/* a response always goes back to the true sender */
	if (respond && m.hdr.dst_func_id != src)
		violation("response addressed to another function", src);
	return 0;
}
