/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: sequence accounting and gaps.
 *
 * Sequences are numbered from 0 in the order tx_burst took them.  A ring of
 * bits (TC_SEQ_BITS sequences) says which of the most recent ones came back:
 * a second arrival is a duplicate, an arrival below the highest one seen is
 * reordered, and lost is what was sent and never came back.  A frame so late
 * that its bit was reused (more than TC_SEQ_BITS sequences behind) counts as
 * reordered and stays lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tc.h"

/* Sequences tracked: 2^24 (2 MiB of bits), far more than ever in flight. */
#define TC_SEQ_BITS (1ull << 24)

int
tc_seq_init(struct tc_seq *s, uint64_t t0_ns, double gap_us)
{
	memset(s, 0, sizeof(*s));
	s->nbits = TC_SEQ_BITS;
	s->bits = calloc(s->nbits / 8, 1);
	if (s->bits == NULL)
		return -ENOMEM;
	s->t0_ns = t0_ns;
	s->gap_min_ns = (uint64_t)(gap_us * 1e3);
	return 0;
}

void
tc_seq_free(struct tc_seq *s)
{
	free(s->bits);
	free(s->gaps);
	s->bits = NULL;
	s->gaps = NULL;
}

static inline bool
bit_test_set(uint8_t *bits, uint64_t i)
{
	uint8_t m = (uint8_t)(1u << (i & 7));
	bool was = (bits[i >> 3] & m) != 0;

	bits[i >> 3] |= m;
	return was;
}

/* @n more sequences were taken by the port: their bits start clear. */
void
tc_seq_sent(struct tc_seq *s, uint64_t n)
{
	uint64_t mask = s->nbits - 1;

	for (uint64_t i = 0; i < n; i++, s->next++)
		s->bits[(s->next & mask) >> 3] &= (uint8_t)~(1u << (s->next & 7));
	if (s->next > s->nbits)
		s->base = s->next - s->nbits;
}

void
tc_seq_rx(struct tc_seq *s, uint64_t seq, uint64_t tx_ns, uint64_t now)
{
	if (seq >= s->next) {
		s->foreign++;           /* never sent: not ours */
		return;
	}
	s->received++;
	if (now > tx_ns && now - tx_ns > s->max_lat_ns)
		s->max_lat_ns = now - tx_ns;
	if (seq < s->base) {
		s->too_late++;
		s->reordered++;
		return;
	}
	if (bit_test_set(s->bits, seq & (s->nbits - 1))) {
		s->duplicated++;
		return;
	}
	s->unique++;
	if (seq + 1 < s->max_seen)
		s->reordered++;
	else
		s->max_seen = seq + 1;
}

static void
gap_add(struct tc_seq *s, uint64_t from, uint64_t len)
{
	struct tc_gap *g;

	if (s->ngaps == s->gaps_cap) {
		uint32_t cap = s->gaps_cap ? s->gaps_cap * 2 : 64;

		g = realloc(s->gaps, cap * sizeof(*g));
		if (g == NULL)
			return;         /* the gap stays in max_gap_us */
		s->gaps = g;
		s->gaps_cap = cap;
	}
	g = &s->gaps[s->ngaps++];
	g->start_us = (double)(from - s->t0_ns) / 1e3;
	g->us = (double)len / 1e3;
}

/* A burst with at least one of our frames arrived at @now. */
void
tc_seq_note_rx_time(struct tc_seq *s, uint64_t now)
{
	uint64_t gap;

	if (s->last_rx_ns != 0 && now > s->last_rx_ns) {
		gap = now - s->last_rx_ns;
		if (gap > s->max_gap_ns)
			s->max_gap_ns = gap;
		if (gap >= s->gap_min_ns)
			gap_add(s, s->last_rx_ns, gap);
	}
	if (s->first_rx_ns == 0)
		s->first_rx_ns = now;
	s->last_rx_ns = now;
}

uint64_t
tc_seq_lost(const struct tc_seq *s)
{
	return s->next - s->unique;
}

uint64_t
tc_seq_in_flight(const struct tc_seq *s)
{
	return s->next - s->unique;
}
