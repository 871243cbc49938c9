/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff-trafficcheck: the port (one RX and one TX queue) and the frames.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_random.h>

#include "tc.h"

#define TC_RING 1024u
#define TC_RX_BURST 64u
#define TC_POOL_CACHE 256u

static int
tc_port_err(const char *what, uint16_t port, int rc)
{
	fprintf(stderr, "svff-trafficcheck: port %u: %s failed: %s\n", port, what,
		strerror(rc < 0 ? -rc : rc));
	return -1;
}

static uint16_t
ring_size(const struct rte_eth_desc_lim *lim)
{
	uint16_t n = TC_RING;

	if (lim->nb_max != 0 && n > lim->nb_max)
		n = lim->nb_max;
	if (n < lim->nb_min)
		n = lim->nb_min;
	return n;
}

static int
tc_pool_create(struct tc_port *p, const struct tc_opts *o, unsigned int nring)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t room = RTE_MAX(o->size, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM);
	unsigned int n = 2 * nring + o->window + TC_MAX_BURST + 2 * TC_POOL_CACHE;

	snprintf(name, sizeof(name), "tc_pool_%u", p->id);
	p->mp = rte_pktmbuf_pool_create(name, RTE_MAX(n, 4096u), TC_POOL_CACHE, 0,
					(uint16_t)(room + RTE_PKTMBUF_HEADROOM),
					rte_eth_dev_socket_id(p->id));
	if (p->mp == NULL) {
		fprintf(stderr, "svff-trafficcheck: mbuf pool: %s (give EAL more memory, -m)\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
tc_queues_setup(struct tc_port *p, const struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf;
	uint16_t nrx = ring_size(&info->rx_desc_lim), ntx = ring_size(&info->tx_desc_lim);
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (rc != 0)
		return tc_port_err("configure", p->id, rc);
	rc = rte_eth_rx_queue_setup(p->id, 0, nrx, rte_eth_dev_socket_id(p->id), NULL, p->mp);
	if (rc != 0)
		return tc_port_err("RX queue setup", p->id, rc);
	rc = rte_eth_tx_queue_setup(p->id, 0, ntx, rte_eth_dev_socket_id(p->id), NULL);
	if (rc != 0)
		return tc_port_err("TX queue setup", p->id, rc);
	return 0;
}

int
tc_port_setup(struct tc_port *p, const struct tc_opts *o)
{
	struct rte_eth_dev_info info;
	int rc;

	memset(p, 0, sizeof(*p));
	p->id = o->port;
	p->run = (uint32_t)rte_rand();
	if (!rte_eth_dev_is_valid_port(p->id)) {
		fprintf(stderr, "svff-trafficcheck: no port %u (%u ports; give the VF with "
			"--vdev <the devargs /svff/attach returned>)\n", p->id,
			rte_eth_dev_count_avail());
		return -1;
	}
	rc = rte_eth_dev_info_get(p->id, &info);
	if (rc != 0)
		return tc_port_err("info", p->id, rc);
	if (tc_pool_create(p, o, 2u * TC_RING) != 0)
		return -1;
	if (tc_queues_setup(p, &info) != 0)
		return -1;
	rc = rte_eth_dev_start(p->id);
	if (rc != 0)
		return tc_port_err("start", p->id, rc);
	rte_eth_macaddr_get(p->id, &p->mac);
	return 0;
}

void
tc_port_close(struct tc_port *p)
{
	if (p->npend)
		rte_pktmbuf_free_bulk(p->pend, p->npend);
	p->npend = 0;
	if (rte_eth_dev_is_valid_port(p->id)) {
		rte_eth_dev_stop(p->id);
		rte_eth_dev_close(p->id);
	}
	rte_mempool_free(p->mp);
	p->mp = NULL;
}

static void
frame_build(struct tc_port *p, struct rte_mbuf *m, uint32_t size, uint64_t seq, uint64_t ns)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct tc_payload pl = { TC_MAGIC, p->run, seq, ns };

	m->data_len = (uint16_t)size;
	m->pkt_len = size;
	rte_ether_addr_copy(&p->mac, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(TC_ETHERTYPE);
	memcpy(eh + 1, &pl, sizeof(pl));
}

/* Fill the pending burst with @want new frames (0 if the pool is short). */
static void
tc_port_fill(struct tc_port *p, const struct tc_seq *s, const struct tc_opts *o,
	     uint32_t want)
{
	uint64_t ns = tc_now_ns();

	if (rte_pktmbuf_alloc_bulk(p->mp, p->pend, want) != 0)
		return;
	for (uint32_t i = 0; i < want; i++)
		frame_build(p, p->pend[i], o->size, s->next + i, ns);
	p->npend = (uint16_t)want;
}

/*
 * Offer the pending frames (new ones, up to @want, when none are pending).
 * What tx_burst does not take stays pending, in order, for the next call.
 */
uint16_t
tc_port_send(struct tc_port *p, struct tc_seq *s, const struct tc_opts *o, uint32_t want)
{
	uint16_t sent;

	if (p->npend == 0 && want > 0)
		tc_port_fill(p, s, o, RTE_MIN(want, o->burst));
	if (p->npend == 0)
		return 0;
	sent = rte_eth_tx_burst(p->id, 0, p->pend, p->npend);
	if (sent == 0)
		return 0;
	tc_seq_sent(s, sent);
	p->npend = (uint16_t)(p->npend - sent);
	memmove(p->pend, p->pend + sent, p->npend * sizeof(p->pend[0]));
	return sent;
}

static bool
frame_parse(const struct tc_port *p, struct rte_mbuf *m, struct tc_payload *pl)
{
	const struct rte_ether_hdr *eh;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*pl))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(TC_ETHERTYPE))
		return false;
	memcpy(pl, eh + 1, sizeof(*pl));
	return pl->magic == TC_MAGIC && pl->run == p->run;
}

/* Take one burst back; returns how many of our frames it held. */
uint16_t
tc_port_recv(struct tc_port *p, struct tc_seq *s)
{
	struct rte_mbuf *pk[TC_RX_BURST];
	struct tc_payload pl;
	uint16_t n, ours = 0;
	uint64_t now;

	n = rte_eth_rx_burst(p->id, 0, pk, TC_RX_BURST);
	if (n == 0)
		return 0;
	now = tc_now_ns();
	for (uint16_t i = 0; i < n; i++) {
		if (frame_parse(p, pk[i], &pl)) {
			tc_seq_rx(s, pl.seq, pl.ns, now);
			ours++;
		} else {
			s->foreign++;
		}
	}
	rte_pktmbuf_free_bulk(pk, n);
	if (ours)
		tc_seq_note_rx_time(s, now);
	return ours;
}
