/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: the JSON report (jansson).
 */
#include <jansson.h>

#include <rte_ethdev.h>

#include "tc.h"

static double
ns_us(uint64_t ns)
{
	return (double)ns / 1e3;
}

static json_t *
report_gaps(const struct tc_seq *s, bool detail)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a != NULL && i < s->ngaps; i++) {
		const struct tc_gap *g = &s->gaps[i];

		if (detail)
			json_array_append_new(a, json_pack("{s:f, s:f}", "start_us", g->start_us,
							   "us", g->us));
		else
			json_array_append_new(a, json_real(g->us));
	}
	return a;
}

static json_t *
report_port(uint16_t port)
{
	struct rte_eth_stats st;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(port, &st);
	return json_pack("{s:I, s:I, s:I}", "ierrors", (json_int_t)st.ierrors,
			 "oerrors", (json_int_t)st.oerrors, "rx_nombuf", (json_int_t)st.rx_nombuf);
}

static json_t *
report_counts(const struct tc_seq *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "sent", (json_int_t)s->next,
			 "received", (json_int_t)s->received,
			 "lost", (json_int_t)tc_seq_lost(s),
			 "duplicated", (json_int_t)s->duplicated,
			 "reordered", (json_int_t)s->reordered,
			 "foreign", (json_int_t)s->foreign,
			 "too_late", (json_int_t)s->too_late);
}

static json_t *
report_build(const struct tc_ctx *c, bool final)
{
	const struct tc_seq *s = &c->s;
	uint64_t end = c->end_ns ? c->end_ns : tc_now_ns();
	double secs = (double)(end - c->t0_ns) / 1e9;
	json_t *o = report_counts(s);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "max_gap_us", json_real(ns_us(s->max_gap_ns)));
	json_object_set_new(o, "gaps_us", report_gaps(s, false));
	json_object_set_new(o, "gaps", report_gaps(s, true));
	json_object_set_new(o, "mpps", json_real(secs > 0 ? (double)s->unique / secs / 1e6 : 0));
	json_object_set_new(o, "duration_s", json_real(secs));
	json_object_set_new(o, "port_errors", report_port(c->p.id));
	json_object_set_new(o, "first_rx_us", s->first_rx_ns ?
			    json_real(ns_us(s->first_rx_ns - s->t0_ns)) : json_null());
	json_object_set_new(o, "last_rx_us", s->last_rx_ns ?
			    json_real(ns_us(s->last_rx_ns - s->t0_ns)) : json_null());
	json_object_set_new(o, "max_latency_us", json_real(ns_us(s->max_lat_ns)));
	json_object_set_new(o, "in_flight", json_integer((json_int_t)tc_seq_in_flight(s)));
	json_object_set_new(o, "t0_monotonic_ns", json_integer((json_int_t)c->t0_ns));
	json_object_set_new(o, "size", json_integer(c->o.size));
	json_object_set_new(o, "final", json_boolean(final));
	return o;
}

/* One line of JSON to @out; 0 or -1. */
int
tc_report(const struct tc_ctx *c, FILE *out, bool final)
{
	json_t *o = report_build(c, final);
	int rc;

	if (o == NULL)
		return -1;
	rc = json_dumpf(o, out, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (rc == 0)
		rc = fputc('\n', out) == EOF ? -1 : 0;
	fflush(out);
	json_decref(o);
	return rc;
}
