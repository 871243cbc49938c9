/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethdev operations of the QDMA PMD, both roles.  The PF programs its own
 * FMAP and contexts directly; the VF asks its PF through the mailbox.
 * Everything here is the same on a real card and on the emulated one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "qdma.h"

#define QDMA_ERR_POLL_US (1000 * 1000)
#define QDMA_MAX_RX_PKTLEN 16384u

static const struct eth_dev_ops qdma_ops;

/* ------------------------------------------------------------ device ops */

static int
qdma_dev_configure(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	uint32_t neth = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	uint32_t n = neth + ad->nb_mmq;   /* MM queues follow the ethdev ones */
	int32_t qb;
	int rc;

	if (n > QDMA_MAX_QUEUES_PER_FN) {
		QDMA_LOG(ERR, "%s: %u queues asked, a function has at most %u", ad->name, n,
			QDMA_MAX_QUEUES_PER_FN);
		return -EINVAL;
	}
	if (n == ad->qmax && ad->qbase >= 0 && neth == ad->nb_eth_q)
		return 0;
	/* a new window: queues set up in the old one are gone */
	qdma_mm_release(ad);
	ad->nb_eth_q = (uint16_t)neth;
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		qdma_rx_queue_release(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		qdma_tx_queue_release(dev, i);
	if (ad->is_vf) {
		rc = qdma_vf_qreq(ad, n);
		if (rc < 0)
			return rc;
	} else {
		/* the resource manager is shared with the VF-message service */
		rte_spinlock_lock(&ad->mbox_lock);
		rc = qdma_fn_window_set(ad, ad->func_id, n, -1, &qb);
		if (rc == 0)
			rc = qdma_fmap_write(ad, ad->func_id, n ? (uint32_t)qb : 0, n);
		rte_spinlock_unlock(&ad->mbox_lock);
		if (rc < 0) {
			QDMA_LOG(ERR, "%s: no room for %u queues on the card: %s", ad->name, n,
				rte_strerror(-rc));
			return rc;
		}
		ad->qbase = qb;
		ad->qmax = n;
	}
	QDMA_LOG(INFO, "%s: function %u uses queues [%d, %d)", ad->name, ad->func_id, ad->qbase,
		ad->qbase + (int32_t)ad->qmax);
	return 0;
}

static int
qdma_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	uint32_t maxq = ad->is_vf ? QDMA_MAX_QUEUES_PER_FN :
		RTE_MIN(QDMA_MAX_QUEUES_PER_FN, ad->cap.num_qs);
	uint32_t rmax = 0, rmin = UINT32_MAX;

	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		if (ad->csr.ring_sz[i] < 3)
			continue;
		rmax = RTE_MAX(rmax, ad->csr.ring_sz[i] - 1);
		rmin = RTE_MIN(rmin, ad->csr.ring_sz[i] - 1);
	}
	if (rmax == 0)
		rmin = rmax = 64;
	info->max_rx_queues = (uint16_t)maxq;
	info->max_tx_queues = (uint16_t)maxq;
	info->min_rx_bufsize = 256;
	info->max_rx_pktlen = QDMA_MAX_RX_PKTLEN;
	info->max_mtu = QDMA_MAX_RX_PKTLEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mac_addrs = 1;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* RX: the completion ring needs 2N+1 entries, so N is bounded by half */
	info->rx_desc_lim.nb_max = (uint16_t)RTE_MIN(rmax / 2, 8192u);
	info->rx_desc_lim.nb_min = (uint16_t)rmin;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = (uint16_t)RTE_MIN(rmax, 16384u);
	info->tx_desc_lim.nb_min = (uint16_t)rmin;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = 64;
	info->tx_desc_lim.nb_mtu_seg_max = 64;
	info->default_rxportconf.ring_size = 1024;
	info->default_txportconf.ring_size = 1024;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	return 0;
}

static int
qdma_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t len)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	static const char *const rel[] = { "2018.3", "2019.1", "2019.2" };
	unsigned int r = ad->is_vf ?
		(ad->ip_version >> QDMA_VF_VERSION_VIVADO_REL_SHIFT) & 0xF :
		(ad->ip_version >> QDMA_MISC_CAP_VIVADO_REL_SHIFT) & 0xF;
	int n = snprintf(fw, len, "QDMA3.1 soft %s", r < 3 ? rel[r] : "?");

	return n + 1 > (int)len ? n + 1 : 0;
}

static int
qdma_link_update(struct rte_eth_dev *dev, int wait)
{
	struct rte_eth_link link = { 0 };

	(void)wait;
	link.link_status = dev->data->dev_started ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	link.link_speed = RTE_ETH_SPEED_NUM_100G;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	return rte_eth_linkstatus_set(dev, &link);
}

static int
qdma_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	(void)dev;
	if ((uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN > QDMA_MAX_RX_PKTLEN)
		return -EINVAL;
	return 0;
}

static int
qdma_dev_stop(struct rte_eth_dev *dev)
{
	dev->data->dev_started = 0;
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] != NULL)
			qdma_tx_queue_stop(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			qdma_rx_queue_stop(dev, i);
	qdma_link_update(dev, 0);
	return 0;
}

static int
qdma_dev_start(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	int rc;

	if (ad->pf_gone)
		return -ENODEV;
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		struct qdma_txq *q = dev->data->tx_queues[i];

		if (q != NULL && !q->deferred_start && (rc = qdma_tx_queue_start(dev, i)) < 0)
			goto fail;
	}
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		struct qdma_rxq *q = dev->data->rx_queues[i];

		if (q != NULL && !q->deferred_start && (rc = qdma_rx_queue_start(dev, i)) < 0)
			goto fail;
	}
	qdma_set_burst_functions(dev);
	dev->data->dev_started = 1;
	qdma_vf_pause_guard(dev);
	qdma_link_update(dev, 0);
	return 0;
fail:
	qdma_dev_stop(dev);
	return rc;
}

/* ------------------------------------------------------------------ stats */

static int
qdma_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *s)
{
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		struct qdma_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		s->ipackets += q->st.pkts;
		s->rx_nombuf += q->nombuf;
		s->ibytes += q->st.bytes;
		s->ierrors += q->st.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			s->q_ipackets[i] = q->st.pkts;
			s->q_ibytes[i] = q->st.bytes;
			s->q_errors[i] = q->st.errors;
		}
	}
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		struct qdma_txq *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		s->opackets += q->st.pkts;
		s->obytes += q->st.bytes;
		s->oerrors += q->st.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			s->q_opackets[i] = q->st.pkts;
			s->q_obytes[i] = q->st.bytes;
		}
	}
	return 0;
}

static int
qdma_stats_reset(struct rte_eth_dev *dev)
{
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			memset(&((struct qdma_rxq *)dev->data->rx_queues[i])->st, 0,
				sizeof(struct qdma_qstats));
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] != NULL)
			memset(&((struct qdma_txq *)dev->data->tx_queues[i])->st, 0,
				sizeof(struct qdma_qstats));
	return 0;
}

/* xstats: per device mailbox counters, then per queue counters. */
static const char *const dev_xstat_names[] = {
	"mbox_tx", "mbox_rx", "mbox_timeouts", "mbox_pf_notices", "mbox_rejected",
	"mbox_dropped", "err_dsc", "err_trq", "err_c2h", "err_c2h_fatal", "err_h2c",
};
static const char *const q_xstat_names[] = {
	"packets", "bytes", "doorbells", "errors", "completions",
};
#define N_DEV_XSTATS RTE_DIM(dev_xstat_names)
#define N_Q_XSTATS RTE_DIM(q_xstat_names)

static unsigned int
xstats_count(struct rte_eth_dev *dev)
{
	return N_DEV_XSTATS + N_Q_XSTATS * (dev->data->nb_rx_queues + dev->data->nb_tx_queues);
}

static int
qdma_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		unsigned int size)
{
	unsigned int n = xstats_count(dev), k = 0;

	if (names == NULL || size < n)
		return (int)n;
	for (unsigned int i = 0; i < N_DEV_XSTATS; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", dev_xstat_names[i]);
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		for (unsigned int i = 0; i < N_Q_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q,
				q_xstat_names[i]);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		for (unsigned int i = 0; i < N_Q_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q,
				q_xstat_names[i]);
	return (int)n;
}

static void
put_qstats(struct rte_eth_xstat *x, unsigned int *k, const struct qdma_qstats *s)
{
	const uint64_t v[N_Q_XSTATS] = { s->pkts, s->bytes, s->doorbells, s->errors,
		s->completions };

	for (unsigned int i = 0; i < N_Q_XSTATS; i++) {
		x[*k].id = *k;
		x[*k].value = v[i];
		(*k)++;
	}
}

static int
qdma_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *x, unsigned int size)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	unsigned int n = xstats_count(dev), k = 0;
	static const struct qdma_qstats zero;
	uint64_t v[N_DEV_XSTATS] = { ad->mbox_tx, ad->mbox_rx, ad->mbox_timeouts, ad->pf_msgs };

	if (x == NULL || size < n)
		return (int)n;
	if (ad->pf != NULL) {
		v[4] = ad->pf->mbox_rejects;
		v[5] = ad->pf->mbox_dropped;
		for (unsigned int i = 0; i < 5; i++)
			v[6 + i] = ad->pf->err_counts[i];
	}
	for (unsigned int i = 0; i < N_DEV_XSTATS; i++) {
		x[k].id = k;
		x[k].value = v[i];
		k++;
	}
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct qdma_rxq *r = dev->data->rx_queues[q];

		put_qstats(x, &k, r ? &r->st : &zero);
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		struct qdma_txq *t = dev->data->tx_queues[q];

		put_qstats(x, &k, t ? &t->st : &zero);
	}
	return (int)n;
}

/* ----------------------------------------------------------- interrupts */

/*
 * Mailbox interrupt: the PF serves its VFs (unless the owner polls); a VF
 * takes PF notices (unless a request of its own is waiting for an answer:
 * then the requester reads the mailbox itself).
 */
void
qdma_mbox_intr_handler(void *arg)
{
	struct qdma_adapter *ad = arg;
	union qdma_mbox_msg m;

	if (ad->bus->intr_ack != NULL)
		ad->bus->intr_ack(ad);
	if (ad->is_vf) {
		if (!rte_spinlock_trylock(&ad->mbox_lock))
			return;
		/* a request waiting for its answer reads the inbox itself */
		if (!ad->req_inflight)
			while (qdma_mbox_recv(ad, &m, NULL) == 1)
				qdma_vf_handle_pf_msg(ad, &m);
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_vf_fire_events(ad);
	} else if (ad->pf != NULL && !ad->pf->mbox_poll) {
		qdma_pf_mbox_service(ad, 64);
	}
}

static void
error_poll_alarm(void *arg)
{
	struct qdma_adapter *ad = arg;

	qdma_pf_error_poll(ad);
	rte_eal_alarm_set(QDMA_ERR_POLL_US, error_poll_alarm, ad);
}

/* --------------------------------------------------------- init / close */

int
qdma_eth_init(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	int rc;

	ad->eth = dev;
	ad->qbase = -1;
	ad->qmax = 0;
	rte_spinlock_init(&ad->ind_lock);
	rte_spinlock_init(&ad->mbox_lock);
	rc = qdma_identify(ad);
	if (rc < 0)
		return rc;
	dev->dev_ops = &qdma_ops;
	dev->rx_pkt_burst = qdma_recv_pkts;
	dev->tx_pkt_burst = qdma_xmit_pkts;
	dev->data->mac_addrs = rte_zmalloc("qdma_mac", RTE_ETHER_ADDR_LEN, 0);
	if (dev->data->mac_addrs == NULL)
		return -ENOMEM;
	/* a locally administered address derived from the function */
	dev->data->mac_addrs[0].addr_bytes[0] = 0x02;
	dev->data->mac_addrs[0].addr_bytes[1] = 0x0e;
	dev->data->mac_addrs[0].addr_bytes[2] = 0xd5;

	if (ad->is_vf) {
		qdma_mbox_init(ad);
		rc = qdma_vf_hello(ad);
		if (rc == 0)
			rc = qdma_vf_csr(ad);
		if (rc < 0) {
			QDMA_LOG(ERR, "%s: the PF did not accept this VF: %s", ad->name,
				rte_strerror(-rc));
			return rc;
		}
	} else {
		ad->pf = rte_zmalloc("qdma_pf", sizeof(*ad->pf), RTE_CACHE_LINE_SIZE);
		if (ad->pf == NULL)
			return -ENOMEM;
		qdma_pf_init_state(ad);
		rc = qdma_pf_hw_init(ad);
		if (rc < 0) {
			QDMA_LOG(ERR, "%s: card initialisation failed", ad->name);
			return rc;
		}
		if (ad->cap.flags & QDMA_DEV_CAP_MAILBOX_EN)
			qdma_mbox_init(ad);
		rte_eal_alarm_set(QDMA_ERR_POLL_US, error_poll_alarm, ad);
	}
	dev->data->mac_addrs[0].addr_bytes[4] = (uint8_t)(ad->func_id >> 8);
	dev->data->mac_addrs[0].addr_bytes[5] = (uint8_t)ad->func_id;
	if (ad->intr != NULL) {
		rc = rte_intr_callback_register(ad->intr, qdma_mbox_intr_handler, ad);
		if (rc < 0)
			QDMA_LOG(WARNING, "%s: no mailbox interrupt (%s): VF messages are served "
				"only by rte_pmd_qdma_mbox_service()", ad->name, rte_strerror(-rc));
		else if (ad->bus->intr_enable != NULL)
			ad->bus->intr_enable(ad, true);
	}
	QDMA_LOG(INFO, "%s: QDMA3.1 %s, function %u, %u queues on the card", ad->name,
		ad->is_vf ? "VF" : "PF", ad->func_id, ad->cap.num_qs);
	return 0;
}

static void
intr_unregister(struct qdma_adapter *ad)
{
	if (ad->intr == NULL)
		return;
	if (ad->bus->intr_enable != NULL)
		ad->bus->intr_enable(ad, false);
	/* the callback may be running: retry while it is busy */
	for (int i = 0; i < 1000; i++) {
		int rc = rte_intr_callback_unregister(ad->intr, qdma_mbox_intr_handler, ad);

		if (rc != -EAGAIN)
			break;
		rte_delay_us_sleep(1000);
	}
}

int
qdma_eth_uninit(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);

	if (ad->eth == NULL)
		return 0;
	if (!ad->is_vf)
		rte_eal_alarm_cancel(error_poll_alarm, ad);
	intr_unregister(ad);
	if (ad->is_vf) {
		qdma_vf_pause_stop(ad);
		if (!ad->pf_gone && !ad->dev_gone && ad->qmax > 0)
			qdma_vf_qreq(ad, 0);
		if (!ad->dev_gone)
			qdma_vf_bye(ad);
	} else if (ad->pf != NULL) {
		struct qdma_pf *pf = ad->pf;

		if (!ad->dev_gone)
			qdma_pf_send_vfs(ad, QDMA_MBOX_OP_PF_BYE, -1);
		qdma_pf_mbox_stop(ad);
		rte_spinlock_lock(&ad->mbox_lock);
		qdma_pf_release_vfs(ad);
		qdma_fn_window_set(ad, ad->func_id, 0, -1, NULL);
		qdma_fmap_write(ad, ad->func_id, 0, 0);
		ad->pf = NULL;   /* a service call still waiting for the lock sees this */
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_pf_mbox_stop(ad);   /* an alarm set by a service call that raced us */
		rte_free(pf);
	}
	ad->qbase = -1;
	ad->qmax = 0;
	if (ad->bus != NULL && ad->bus->close != NULL)
		ad->bus->close(ad);
	ad->eth = NULL;
	return 0;
}

static int
qdma_dev_close(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	/* a dead card is noticed once, here: nothing below waits for it then */
	if (qdma_dev_gone(qdma_ad(dev)))
		QDMA_LOG(NOTICE, "%s: the card is gone: closing without waiting for it",
			qdma_ad(dev)->name);
	qdma_dev_stop(dev);
	qdma_mm_release(qdma_ad(dev));
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		qdma_rx_queue_release(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		qdma_tx_queue_release(dev, i);
	return qdma_eth_uninit(dev);
}

static int
qdma_dev_reset(struct rte_eth_dev *dev)
{
	struct qdma_adapter *ad = qdma_ad(dev);
	int rc;

	qdma_dev_stop(dev);
	qdma_mm_release(ad);
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		qdma_rx_queue_release(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		qdma_tx_queue_release(dev, i);
	if (ad->is_vf) {
		/* a new VF driver instance: HELLO again, CSR again */
		ad->qbase = -1;
		ad->qmax = 0;
		ad->csr_valid = false;
		ad->reset_pending = false;
		rc = qdma_vf_hello(ad);
		/* the PF kept our window but zeroed its FMAP: ask again on configure */
		ad->qbase = -1;
		ad->qmax = 0;
		return rc < 0 ? rc : qdma_vf_csr(ad);
	}
	qdma_pf_send_vfs(ad, QDMA_MBOX_OP_RESET_PREPARE, -1);
	qdma_pf_send_vfs(ad, QDMA_MBOX_OP_RESET_DONE, -1);
	return 0;
}

static const struct eth_dev_ops qdma_ops;

struct qdma_adapter *
qdma_port_adapter(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &qdma_ops)
		return NULL;
	return qdma_ad(dev);
}

/*
 * Secondary processes (dpdk-proc-info, dpdk-dumpcap, multi-process
 * applications): the device data is shared - dev_private, the queue
 * structures and their counters live in DPDK memory - but the BAR mapping,
 * the card connection, DMA maps and interrupts are the primary's.  A
 * secondary gets the ops that read shared data only (info, link, stats,
 * xstats, firmware version; stats reset) and burst functions that move
 * nothing.  It cannot configure, start or stop the port, and the private
 * API (rte_pmd_qdma_*) answers -ENODEV there.
 */
static const struct eth_dev_ops qdma_secondary_ops = {
	.dev_infos_get = qdma_dev_infos_get,
	.link_update = qdma_link_update,
	.stats_get = qdma_stats_get,
	.stats_reset = qdma_stats_reset,
	.xstats_get = qdma_xstats_get,
	.xstats_get_names = qdma_xstats_get_names,
	.fw_version_get = qdma_fw_version_get,
};

void
qdma_eth_attach_secondary(struct rte_eth_dev *dev)
{
	dev->dev_ops = &qdma_secondary_ops;
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
}

static const struct eth_dev_ops qdma_ops = {
	.dev_configure = qdma_dev_configure,
	.dev_infos_get = qdma_dev_infos_get,
	.dev_start = qdma_dev_start,
	.dev_stop = qdma_dev_stop,
	.dev_close = qdma_dev_close,
	.dev_reset = qdma_dev_reset,
	.link_update = qdma_link_update,
	.mtu_set = qdma_mtu_set,
	.rx_queue_setup = qdma_rx_queue_setup,
	.tx_queue_setup = qdma_tx_queue_setup,
	.rx_queue_release = qdma_rx_queue_release,
	.tx_queue_release = qdma_tx_queue_release,
	.rx_queue_start = qdma_rx_queue_start,
	.rx_queue_stop = qdma_rx_queue_stop,
	.tx_queue_start = qdma_tx_queue_start,
	.tx_queue_stop = qdma_tx_queue_stop,
	.stats_get = qdma_stats_get,
	.stats_reset = qdma_stats_reset,
	.xstats_get = qdma_xstats_get,
	.xstats_get_names = qdma_xstats_get_names,
	.fw_version_get = qdma_fw_version_get,
	.rx_burst_mode_get = qdma_rx_burst_mode_get,
	.tx_burst_mode_get = qdma_tx_burst_mode_get,
};
