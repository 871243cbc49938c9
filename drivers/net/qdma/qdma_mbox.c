/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox transport (both roles) and the VF's requests to its PF.
 * Register protocol: reference §4.2; FN_CMD is polled back to 0 after each
 * command on a card that asks for it (convention 2 of qdma_hw_emu.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "qdma.h"

static inline uint32_t
mb_off(const struct qdma_adapter *ad, uint32_t rel)
{
	return ad->mbox_base + rel;
}

/*
 * Write FN_CMD and wait (bounded) until the card has acted on it.  The wait
 * is emulation convention 2 (qdma_hw_emu.h), only for a card that asks for it.
 * On a real card FN_CMD is write-only; what it reads back is not known
 * (qdma-reference 4.1), so there the write is followed by a read of
 * FN_STATUS only, which completes after the posted write.
 */
static int
mbox_cmd(struct qdma_adapter *ad, uint32_t cmd)
{
	qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_CMD), cmd);
	if (!(ad->emu_conv & QDMA_EMU_CONV_FN_CMD_CLEAR)) {
		(void)qdma_rd(ad, mb_off(ad, QDMA_MBOX_FN_STATUS));
		return 0;
	}
	return qdma_wait32(ad, ad->bar + mb_off(ad, QDMA_MBOX_FN_CMD), UINT32_MAX, 0, 200, 5,
		QDMA_MBOX_CMD_TIMEOUT_EMU_US);
}

/* PF: is our outbox still holding a message its target has not consumed? */
bool
qdma_mbox_outbox_busy(struct qdma_adapter *ad)
{
	return (qdma_rd(ad, mb_off(ad, QDMA_MBOX_FN_STATUS)) & QDMA_MBOX_FN_STATUS_O_MSG) != 0;
}

/*
 * PF: reset the mailbox of VF @p func (FN_CMD.vf_reset with TARGET_FN, a
 * placeholder bit on the IP, qdma-reference 4.1): its inbox is emptied and
 * our outbox message to it withdrawn.  Only on a card that advertises it
 * (emulation convention 4, qdma_hw_emu.h); on any other card nothing is
 * written (the reference never writes the bit) and -ENOTSUP is returned.
 * Caller holds mbox_lock.
 */
int
qdma_mbox_vf_reset(struct qdma_adapter *ad, uint16_t func)
{
	if (!(ad->emu_conv & QDMA_EMU_CONV_VF_RESET))
		return -ENOTSUP;
	qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_TARGET), func);
	return mbox_cmd(ad, QDMA_MBOX_FN_CMD_VF_RESET);
}

/*
 * Send @p m to function @p dst (ignored by a VF: its target is its PF).
 * -EBUSY while our previous message has not been consumed.
 * Caller holds mbox_lock.
 */
int
qdma_mbox_send(struct qdma_adapter *ad, uint16_t dst, const union qdma_mbox_msg *m)
{
	uint32_t st = qdma_rd(ad, mb_off(ad, QDMA_MBOX_FN_STATUS));

	if (st & QDMA_MBOX_FN_STATUS_O_MSG)
		return -EBUSY;
	if (!ad->is_vf)
		qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_TARGET), dst);
	for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		qdma_wr(ad, mb_off(ad, QDMA_MBOX_MSG_OUT(i)), m->w[i]);
	if (!ad->is_vf)
		qdma_wr(ad, mb_off(ad, QDMA_MBOX_PF_ACK(QDMA_MBOX_PF_ACK_WORD(dst))),
			QDMA_MBOX_PF_ACK_BIT(dst));
	ad->mbox_tx++;
	return mbox_cmd(ad, QDMA_MBOX_FN_CMD_SEND);
}

/*
 * Receive one message.  Returns 1 with the message (and, on the PF, the
 * hardware-reported source function), 0 if none is pending, < 0 on error.
 * Caller holds mbox_lock.
 */
int
qdma_mbox_recv(struct qdma_adapter *ad, union qdma_mbox_msg *m, uint16_t *src)
{
	uint32_t st = qdma_rd(ad, mb_off(ad, QDMA_MBOX_FN_STATUS));
	uint16_t from = 0;
	int rc;

	if (!(st & QDMA_MBOX_FN_STATUS_I_MSG))
		return 0;
	if (!ad->is_vf) {
		from = (uint16_t)((st >> QDMA_MBOX_FN_STATUS_SRC_SHIFT) &
			QDMA_MBOX_FN_STATUS_SRC_MASK);
		qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_TARGET), from);
	}
	for (unsigned int i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		m->w[i] = qdma_rd(ad, mb_off(ad, QDMA_MBOX_MSG_IN(i)));
	rc = mbox_cmd(ad, QDMA_MBOX_FN_CMD_RCV);
	if (rc < 0)
		return rc;
	ad->mbox_rx++;
	if (src != NULL)
		*src = from;
	if (qdma_mbox_msg_is_zero(m))
		return -EIO;    /* broken mailbox (reference error 25) */
	return 1;
}

/* Mailbox start: drain stale messages, clear stale acks, enable the interrupt. */
void
qdma_mbox_init(struct qdma_adapter *ad)
{
	union qdma_mbox_msg m;
	unsigned int n = 0;

	rte_spinlock_lock(&ad->mbox_lock);
	if (ad->is_vf) {
		while (n++ < 4 && qdma_mbox_recv(ad, &m, NULL) != 0)
			;
	} else if (qdma_rd(ad, mb_off(ad, QDMA_MBOX_FN_STATUS)) & QDMA_MBOX_FN_STATUS_ACK) {
		for (unsigned int i = 0; i < QDMA_MBOX_PF_ACK_WORDS; i++) {
			uint32_t v = qdma_rd(ad, mb_off(ad, QDMA_MBOX_PF_ACK(i)));

			if (v != 0)
				qdma_wr(ad, mb_off(ad, QDMA_MBOX_PF_ACK(i)), v);
		}
	}
	qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_INTR_VEC), 0);
	qdma_wr(ad, mb_off(ad, QDMA_MBOX_FN_INTR_CTRL), QDMA_MBOX_FN_INTR_CTRL_EN);
	rte_spinlock_unlock(&ad->mbox_lock);
}

/* ------------------------------------------------------------------ VF role */

/*
 * PF->VF notices.  RESET_PREPARE and PF_BYE are answered at once; the
 * application learns of them through ethdev events (RTE_ETH_EVENT_INTR_RESET
 * / RTE_ETH_EVENT_INTR_RMV).  Called with mbox_lock held.
 */
void
qdma_vf_handle_pf_msg(struct qdma_adapter *ad, union qdma_mbox_msg *m)
{
	uint8_t op = m->hdr.op;
	union qdma_mbox_msg rsp = *m;

	ad->pf_msgs++;
	if (qdma_vf_pause_msg(ad, m))
		return;
	switch (op) {
	case QDMA_MBOX_OP_SVFF_RESTORE:
		/* not answered; the work needs the mailbox: after the lock is released */
		ad->pending_events |= QDMA_EVT_RESTORE;
		break;
	case QDMA_MBOX_OP_RESET_PREPARE:
	case QDMA_MBOX_OP_RESET_DONE:
	case QDMA_MBOX_OP_PF_BYE:
		qdma_mbox_msg_make_rsp(&rsp, ad->func_id, 0);
		/* best effort: our outbox is free unless a request is in flight */
		for (unsigned int i = 0; i < 1000 && qdma_mbox_send(ad, 0, &rsp) == -EBUSY; i++)
			qdma_ctl_pause(ad, 10);
		/* the application hears of it once the mailbox lock is released
		 * (its callback may well stop or reset the port) */
		if (op == QDMA_MBOX_OP_PF_BYE) {
			ad->pf_gone = true;
			ad->pending_events |= QDMA_EVT_RMV;
			QDMA_MBOX_LOG(NOTICE, "%s: PF is going away", ad->name);
		} else if (op == QDMA_MBOX_OP_RESET_PREPARE) {
			ad->reset_pending = true;
			ad->pending_events |= QDMA_EVT_RESET;
			QDMA_MBOX_LOG(NOTICE, "%s: PF reset announced", ad->name);
		} else {
			ad->reset_pending = false;
			QDMA_MBOX_LOG(NOTICE, "%s: PF reset done", ad->name);
		}
		break;
	default:
		QDMA_MBOX_LOG(DEBUG, "%s: unexpected message op 0x%02x from PF dropped",
			ad->name, op);
		break;
	}
}

/* Deliver the ethdev events PF notices left; called without mbox_lock. */
void
qdma_vf_fire_events(struct qdma_adapter *ad)
{
	uint8_t ev = __atomic_exchange_n(&ad->pending_events, 0, __ATOMIC_ACQ_REL);

	if ((ev & QDMA_EVT_RESTORE) && ad->restoring) {
		/* a restore runs further up this stack: the next delivery (poll) takes it */
		__atomic_fetch_or(&ad->pending_events, QDMA_EVT_RESTORE, __ATOMIC_RELAXED);
		ev &= (uint8_t)~QDMA_EVT_RESTORE;
	}
	if (ev & QDMA_EVT_RESTORE) {
		ad->restoring = true;
		qdma_vf_restore(ad);
		ad->restoring = false;
	}
	if (ev & QDMA_EVT_RESET)
		rte_eth_dev_callback_process(ad->eth, RTE_ETH_EVENT_INTR_RESET, NULL);
	if (ev & QDMA_EVT_RMV)
		rte_eth_dev_callback_process(ad->eth, RTE_ETH_EVENT_INTR_RMV, NULL);
}

/*
 * Wait for the answer @p want into *m (mbox_lock held, released while
 * sleeping); PF notices arriving meanwhile are handled.  0, or -ENODEV (PF_BYE
 * came), -ETIMEDOUT (nothing by @p deadline), -EIO (broken mailbox).
 */
static int
vf_wait_answer(struct qdma_adapter *ad, uint8_t want, uint64_t deadline, union qdma_mbox_msg *m)
{
	union qdma_mbox_msg r;
	int rc;

	for (;;) {
		rc = qdma_mbox_recv(ad, &r, NULL);
		if (rc < 0)
			return rc;
		if (rc == 1 && r.hdr.op == want) {
			*m = r;
			return 0;
		}
		if (rc == 1) {
			qdma_vf_handle_pf_msg(ad, &r);
			if (ad->pf_gone)
				return -ENODEV;
			continue;
		}
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_ctl_pause(ad, 20);
		rte_spinlock_lock(&ad->mbox_lock);
	}
}

/*
 * One request/response exchange with the PF.  @p m is the request on entry
 * and the response on success.  Every request has a timeout.  Returns 0 when
 * the PF answered, with its status (enum qdma_mbox_status) in *status, or a
 * -errno when no answer came: -ENODEV (the PF said PF_BYE, the card is
 * gone), -ETIMEDOUT (the PF did not take the request or did not answer
 * within QDMA_MBOX_TIMEOUT_MS), -EIO (broken mailbox).
 */
static int
vf_exchange(struct qdma_adapter *ad, union qdma_mbox_msg *m, int *status)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t deadline = rte_get_timer_cycles() + hz / 1000 * QDMA_MBOX_TIMEOUT_MS;
	uint8_t want = qdma_mbox_op_rsp(m->hdr.op);
	union qdma_mbox_msg r;
	int rc;

	if (ad->pf_gone || ad->dev_gone)
		return -ENODEV;
	m->hdr.src_func_id = ad->func_id;
	m->hdr.dst_func_id = 0;
	rte_spinlock_lock(&ad->mbox_lock);
	ad->req_inflight = true;
	/* whatever waits in the inbox is older than this request: notices are
	 * handled, a late answer to an earlier request that timed out is dropped */
	while (qdma_mbox_recv(ad, &r, NULL) == 1) {
		if (r.hdr.op < QDMA_MBOX_OP_RSP)
			qdma_vf_handle_pf_msg(ad, &r);
	}
	while ((rc = qdma_mbox_send(ad, 0, m)) == -EBUSY) {
		if (rte_get_timer_cycles() > deadline) {
			rc = -ETIMEDOUT;   /* the PF never took our previous message */
			break;
		}
		rte_spinlock_unlock(&ad->mbox_lock);
		qdma_ctl_pause(ad, 50);
		rte_spinlock_lock(&ad->mbox_lock);
	}
	if (rc == 0)
		rc = vf_wait_answer(ad, want, deadline, m);
	ad->req_inflight = false;
	rte_spinlock_unlock(&ad->mbox_lock);
	qdma_vf_fire_events(ad);
	if (rc == 0) {
		*status = m->hdr.status;
		return 0;
	}
	if (rc == -ETIMEDOUT)
		ad->mbox_timeouts++;
	QDMA_MBOX_LOG(ERR, "%s: request op 0x%02x to the PF failed: %s", ad->name, want - 0x80,
		rc == -ETIMEDOUT ? "no answer within the timeout" : rte_strerror(-rc));
	return rc;
}

/*
 * A request to the PF, as the application sees it: 0, or a -errno - either
 * the exchange's own (vf_exchange) or the PF's refusal, a mailbox status
 * converted here and nowhere else (qdma_mbox_status_to_errno(); the table
 * is in README.md, "Errors a VF port returns").
 */
int
qdma_vf_request(struct qdma_adapter *ad, union qdma_mbox_msg *m)
{
	uint8_t op = m->hdr.op;
	int status = QDMA_MBOX_OK;
	int rc = vf_exchange(ad, m, &status);

	if (rc < 0)
		return rc;
	rc = qdma_mbox_status_to_errno(status);
	if (rc < 0)
		QDMA_MBOX_LOG(ERR, "%s: the PF refused request op 0x%02x: status %d (%s)", ad->name,
			op, status, rte_strerror(-rc));
	return rc;
}

int
qdma_vf_hello(struct qdma_adapter *ad)
{
	union qdma_mbox_msg m;
	int rc;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_HELLO, 0, 0);
	m.fmap.qbase = -1;
	m.fmap.qmax = 0;
	qdma_vf_pause_hello_req(&m);
	ad->func_id = 0;   /* unknown until the PF answers */
	rc = qdma_vf_request(ad, &m);
	if (rc < 0)
		return rc;
	ad->func_id = m.hdr.dst_func_id;
	ad->cap = m.hello.cap;
	ad->qbase = m.hello.qbase;
	ad->qmax = m.hello.qmax;
	qdma_vf_pause_hello_rsp(ad, &m);
	QDMA_MBOX_LOG(INFO, "%s: VF is function %u, card has %u queues", ad->name, ad->func_id,
		ad->cap.num_qs);
	return 0;
}

int
qdma_vf_csr(struct qdma_adapter *ad)
{
	union qdma_mbox_msg m;
	int rc;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_CSR, ad->func_id, 0);
	rc = qdma_vf_request(ad, &m);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++) {
		ad->csr.ring_sz[i] = m.csr.ringsz[i];
		ad->csr.buf_sz[i] = m.csr.bufsz[i];
		ad->csr.timer_cnt[i] = m.csr.timer_cnt[i];
		ad->csr.cnt_th[i] = m.csr.cnt_thres[i];
	}
	ad->csr_valid = true;
	return 0;
}

/* QREQ(qmax) then FMAP(qbase, qmax); qmax 0 gives the queues back. */
int
qdma_vf_qreq(struct qdma_adapter *ad, uint32_t qmax)
{
	union qdma_mbox_msg m;
	int rc;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_QREQ, ad->func_id, 0);
	m.fmap.qbase = -1;
	m.fmap.qmax = qmax;
	rc = qdma_vf_request(ad, &m);
	if (rc < 0) {
		QDMA_MBOX_LOG(ERR, "%s: no window of %u queues: %s", ad->name, qmax,
			rte_strerror(-rc));
		return rc;
	}
	ad->qbase = m.fmap.qbase;
	ad->qmax = m.fmap.qmax;
	if (qmax == 0)
		return 0;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_FMAP, ad->func_id, 0);
	m.fmap.qbase = ad->qbase;
	m.fmap.qmax = ad->qmax;
	return qdma_vf_request(ad, &m);
}

int
qdma_vf_qnotify(struct qdma_adapter *ad, uint16_t qid_hw, unsigned int type, bool add)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, add ? QDMA_MBOX_OP_QNOTIFY_ADD : QDMA_MBOX_OP_QNOTIFY_DEL,
		ad->func_id, 0);
	m.qnotify.qid_hw = qid_hw;
	m.qnotify.q_type = type;
	return qdma_vf_request(ad, &m);
}

int
qdma_vf_qctxt(struct qdma_adapter *ad, uint8_t op, uint16_t qid_hw, uint8_t flags,
		const struct qdma_mbox_descq_conf *conf)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, op, ad->func_id, 0);
	m.qctxt.qid_hw = qid_hw;
	m.qctxt.flags = flags;
	if (conf != NULL)
		m.qctxt.descq = *conf;
	return qdma_vf_request(ad, &m);
}

/* VF_BYE is not answered. */
void
qdma_vf_bye(struct qdma_adapter *ad)
{
	union qdma_mbox_msg m;

	if (ad->pf_gone)
		return;
	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_VF_BYE, ad->func_id, 0);
	rte_spinlock_lock(&ad->mbox_lock);
	for (unsigned int i = 0; i < 2000 && qdma_mbox_send(ad, 0, &m) == -EBUSY; i++) {
		if (ad->dev_gone)
			break;
		qdma_ctl_pause(ad, 50);
	}
	rte_spinlock_unlock(&ad->mbox_lock);
}
