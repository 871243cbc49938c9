/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: internal interfaces between its files.
 *
 * tc_args.c   options after "--"
 * tc_seq.c    sequence accounting (lost, duplicated, reordered) and gaps
 * tc_port.c   the port: mempool, configure, start, frames in and out
 * tc_report.c the JSON report
 * main.c      EAL, signals, the send/receive loop, the drain
 */
#ifndef TC_H
#define TC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/** Marks a frame of this program (payload offset 0). */
#define TC_MAGIC 0x53565443u /* "SVTC" */

/** Ethertype of the frames (IEEE local experimental 1). */
#define TC_ETHERTYPE 0x88b5u

/** Smallest frame that holds the header and the payload below. */
#define TC_MIN_SIZE 60u

/** Largest frame (one mbuf per frame). */
#define TC_MAX_SIZE 9000u

/** Most bursts offered to tx_burst at once. */
#define TC_MAX_BURST 512u

/** Payload of every frame, after the Ethernet header. */
struct tc_payload {
	uint32_t magic;   /**< TC_MAGIC */
	uint32_t run;     /**< random per run: frames of another run are foreign */
	uint64_t seq;     /**< sequence number, from 0 */
	uint64_t ns;      /**< CLOCK_MONOTONIC at build time */
} __rte_packed;

/** Options (defaults in tc_args_defaults()). */
struct tc_opts {
	uint16_t port;
	uint32_t size;
	uint32_t burst;
	uint64_t rate;          /**< frames per second, 0: as fast as the port takes */
	double duration;        /**< seconds, 0: until a signal */
	double gap_us;          /**< gaps at least this long are listed */
	uint32_t window;        /**< frames in flight at most */
	const char *json;       /**< NULL: stdout */
	const char *ready;      /**< NULL: none */
	const char *stats;      /**< NULL: none */
};

/** One recorded gap. */
struct tc_gap {
	double start_us;        /**< last frame before the gap, since t0 */
	double us;
};

/** Sequence accounting and gaps. */
struct tc_seq {
	uint8_t *bits;          /**< received bit per sequence, a ring of nbits */
	uint64_t nbits;         /**< power of two */
	uint64_t base;          /**< lowest sequence still tracked */
	uint64_t next;          /**< next sequence to send (sent = next) */
	uint64_t unique;        /**< distinct sequences received */
	uint64_t received;      /**< our frames received, duplicates included */
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t too_late;      /**< received below base: no longer tracked */
	uint64_t foreign;       /**< frames not of this run */
	uint64_t max_seen;      /**< highest sequence received + 1 (0: none yet) */
	uint64_t first_rx_ns;   /**< 0: nothing received yet */
	uint64_t last_rx_ns;    /**< 0: nothing received yet */
	uint64_t max_gap_ns;
	uint64_t max_lat_ns;
	struct tc_gap *gaps;
	uint32_t ngaps, gaps_cap;
	uint64_t gap_min_ns;
	uint64_t t0_ns;
};

/** Port, pool and frames waiting for tx_burst. */
struct tc_port {
	uint16_t id;
	struct rte_mempool *mp;
	struct rte_ether_addr mac;
	struct rte_mbuf *pend[TC_MAX_BURST];
	uint16_t npend;
	uint32_t run;
};

/** The whole run (kept on main()'s stack). */
struct tc_ctx {
	struct tc_opts o;
	struct tc_port p;
	struct tc_seq s;
	uint64_t t0_ns;         /**< CLOCK_MONOTONIC at t0 */
	uint64_t end_ns;        /**< when sending stopped (0: still sending) */
	bool ready_done;
	int stats_fd;           /**< --stats FILE, -1: none */
	bool stats_failed;      /**< a write failed: no more updates */
	uint64_t stats_ns;      /**< last --stats write */
};

/** CLOCK_MONOTONIC in ns: every time of the checker (gaps, payload, --stats). */
static inline uint64_t
tc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int tc_args_parse(struct tc_opts *o, int argc, char **argv);
void tc_args_usage(FILE *out, const char *prog);

int tc_seq_init(struct tc_seq *s, uint64_t t0_ns, double gap_us);
void tc_seq_free(struct tc_seq *s);
void tc_seq_sent(struct tc_seq *s, uint64_t n);
void tc_seq_rx(struct tc_seq *s, uint64_t seq, uint64_t tx_ns, uint64_t now);
void tc_seq_note_rx_time(struct tc_seq *s, uint64_t now);
uint64_t tc_seq_lost(const struct tc_seq *s);
uint64_t tc_seq_in_flight(const struct tc_seq *s);

int tc_port_setup(struct tc_port *p, const struct tc_opts *o);
void tc_port_close(struct tc_port *p);
uint16_t tc_port_send(struct tc_port *p, struct tc_seq *s, const struct tc_opts *o,
		      uint32_t want);
uint16_t tc_port_recv(struct tc_port *p, struct tc_seq *s);

int tc_report(const struct tc_ctx *c, FILE *out, bool final);

#endif /* TC_H */
