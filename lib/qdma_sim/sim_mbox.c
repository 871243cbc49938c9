/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mailbox hardware (qdma-reference.md 4.1-4.3) and the FLR registers. The card only MOVES
 * messages; it never answers them.
 *
 * Model: every function has one inbox and one outbox. A VF's send queues its outbox in the PF's
 * inbox FIFO (source = the VF's QDMA function id, shown in PF FN_STATUS[15:4]; PF MSG_IN shows the
 * FIFO head); the sender's o_msg stays set until the PF's rcv pops it. A PF send goes to TARGET_FN's
 * inbox (i_msg); the PF's o_msg stays set until that function's rcv, which also sets its PF_ACK
 * bit (cleared by the card when the PF sends to it again, or by the driver's W1C store: any store
 * that changes a PF_ACK word clears the bits it holds). FN_STATUS[2] = some PF_ACK bit set.
 * A landing message raises the receiver's mailbox vector (FN_INTR_VEC) when FN_INTR_CTRL is
 * enabled; the PF's vector is raised again after a rcv that exposes the next queued message.
 * FN_CMD is cleared to 0 once acted on (emulation convention 2). A send while the sender's o_msg
 * is set, or a PF send to a function that does not exist (or is not a VF), is dropped (the PF's
 * o_msg stays clear) and logged.
 *
 * Convention 4 of qdma_hw_regs.h: the PF's rcv consumes exactly the message of the function in
 * TARGET_FN (the driver selects it from cur_src_fn before reading): a VF reset that drops the
 * message the PF is reading never makes the rcv consume another VF's message. A VF's function
 * reset empties its mailbox, releases the PF's outbox if it waits for that VF, and lands a
 * VF_BYE (status QDMA_MBOX_BYE_ST_FN_RESET) from the VF in the PF's inbox, so that the PF's
 * service learns of it. The PF's FN_CMD.vf_reset resets the mailbox of TARGET_FN (no BYE: the
 * PF asked for it).
 */
#include <string.h>

#include "sim_priv.h"

static uint32_t
mbox_off(const struct sim_fn *f, uint32_t rel)
{
	return (f->is_vf ? QDMA_VF_MBOX_BASE : QDMA_PF_MBOX_BASE) + rel;
}

static bool
pf_ack_any(const struct qdma_sim *sim)
{
	unsigned i;

	for (i = 0; i < QDMA_MBOX_PF_ACK_WORDS; i++)
		if (sim->pf_ack[i])
			return true;
	return false;
}

static void
publish_words(struct sim_fn *f, const uint32_t *w)
{
	unsigned i;

	for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		bar_pub(f->bar, mbox_off(f, QDMA_MBOX_MSG_IN(i)), w[i]);
}

/* Publish FN_STATUS, MSG_IN and (PF) PF_ACK of @f from the card's state. */
void
sim_mbox_publish(struct qdma_sim *sim, struct sim_fn *f)
{
	static const uint32_t zero[QDMA_MBOX_MSG_WORDS];
	uint32_t st;
	unsigned i;

	if (f->is_vf) {
		st = qdma_mbox_fn_status(f->i_msg, f->o_msg, 0, 0);
		publish_words(f, f->i_msg ? f->inbox : zero);
	} else {
		const struct sim_msg *h = sim->fifo_len ? &sim->fifo[sim->fifo_head] : NULL;

		st = qdma_mbox_fn_status(h != NULL, f->o_msg, pf_ack_any(sim), h ? h->src : 0);
		publish_words(f, h ? h->w : zero);
		for (i = 0; i < QDMA_MBOX_PF_ACK_WORDS; i++)
			bar_pub(f->bar, QDMA_PF_MBOX_PF_ACK(i), sim->pf_ack[i]);
	}
	bar_pub(f->bar, mbox_off(f, QDMA_MBOX_FN_STATUS), st);
}

static void
raise_irq(struct qdma_sim *sim, struct sim_fn *f)
{
	uint32_t vec;

	if (!(bar_rd(f->bar, mbox_off(f, QDMA_MBOX_FN_INTR_CTRL)) & QDMA_MBOX_FN_INTR_CTRL_EN))
		return;
	vec = bar_rd(f->bar, mbox_off(f, QDMA_MBOX_FN_INTR_VEC)) & QDMA_MBOX_FN_INTR_VEC_MASK;
	vslot_irq_raise(sim->srv, f->slot, vec);
}

static struct sim_fn *
pf(struct qdma_sim *sim)
{
	return &sim->fn[SIM_PF_QFN];
}

/* A VF's message lands in the PF's FIFO. */
static void
land_at_pf(struct qdma_sim *sim, unsigned src, const uint32_t *w)
{
	struct sim_msg *m;

	if (sim->fifo_len >= SIM_MBOX_FIFO) {
		sim_log(sim, 4, "mailbox: PF inbox full, message of function %u lost", src);
		return;
	}
	m = &sim->fifo[(sim->fifo_head + sim->fifo_len) % SIM_MBOX_FIFO];
	memcpy(m->w, w, sizeof(m->w));
	m->src = (uint16_t)src;
	sim->fifo_len++;
	SIM_STAT_ADD(sim->st.mbox_msgs, 1);
	sim_mbox_publish(sim, pf(sim));
	raise_irq(sim, pf(sim));
}

/* The PF's message lands in VF @t's inbox. */
static void
land_at_vf(struct qdma_sim *sim, struct sim_fn *t, const uint32_t *w)
{
	memcpy(t->inbox, w, sizeof(t->inbox));
	t->i_msg = true;
	SIM_STAT_ADD(sim->st.mbox_msgs, 1);
	sim_mbox_publish(sim, t);
	raise_irq(sim, t);
}

/* Deliver a message sent by @f now (to @target when @f is the PF). */
static void
deliver(struct qdma_sim *sim, struct sim_fn *f, unsigned target, const uint32_t *w)
{
	struct sim_fn *t;

	if (f->is_vf) {
		land_at_pf(sim, f->qfn, w);
		return;
	}
	t = sim_fn_of(sim, target);
	if (t == NULL || !t->is_vf) {
		sim_log(sim, 4, "mailbox: PF message to function %u dropped (no such VF)", target);
		f->o_msg = false;
		sim_mbox_publish(sim, f);
		return;
	}
	land_at_vf(sim, t, w);
}

static void
do_send(struct qdma_sim *sim, struct sim_fn *f)
{
	uint32_t w[QDMA_MBOX_MSG_WORDS];
	unsigned target = 0, i;

	if (f->o_msg) {
		sim_log(sim, 4, "mailbox: function %u sent while its outbox is busy: ignored", f->qfn);
		return;
	}
	for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
		w[i] = bar_rd(f->bar, mbox_off(f, QDMA_MBOX_MSG_OUT(i)));
	if (!f->is_vf) {
		target = bar_rd(f->bar, QDMA_PF_MBOX_FN_TARGET) & QDMA_MBOX_FN_TARGET_MASK;
		if (target < SIM_NB_FUNCS) {
			sim->pf_ack[QDMA_MBOX_PF_ACK_WORD(target)] &= ~QDMA_MBOX_PF_ACK_BIT(target);
		} else {
			sim_log(sim, 4, "mailbox: PF message to function %u dropped", target);
			sim_mbox_publish(sim, f);
			return;
		}
		f->o_target = (uint16_t)target;
	}
	if (f->mbox_drop > 0) {
		f->mbox_drop--;
		sim_log(sim, 6, "mailbox: fault: message of function %u lost", f->qfn);
		sim_mbox_publish(sim, f);
		return;
	}
	f->o_msg = true;
	if (f->mbox_delay_ms > 0) {
		memcpy(f->delayed_msg, w, sizeof(w));
		f->delayed_target = (uint16_t)target;
		f->delayed_at_ns = sim_now_ns() + (uint64_t)f->mbox_delay_ms * 1000000ull;
		f->delayed = true;
		sim_mbox_publish(sim, f);
		return;
	}
	sim_mbox_publish(sim, f);
	deliver(sim, f, target, w);
}

/* Remove the first queued message of @src from the PF FIFO; false if it has none. */
static bool
fifo_take_src(struct qdma_sim *sim, unsigned src)
{
	unsigned i, len = sim->fifo_len;

	for (i = 0; i < len; i++) {
		if (sim->fifo[(sim->fifo_head + i) % SIM_MBOX_FIFO].src == src)
			break;
	}
	if (i == len)
		return false;
	for (; i + 1 < len; i++)
		sim->fifo[(sim->fifo_head + i) % SIM_MBOX_FIFO] =
			sim->fifo[(sim->fifo_head + i + 1) % SIM_MBOX_FIFO];
	sim->fifo_len--;
	return true;
}

/* The PF consumed the message of the function it selected in TARGET_FN. */
static void
pf_rcv(struct qdma_sim *sim, struct sim_fn *f)
{
	unsigned src = bar_rd(f->bar, QDMA_PF_MBOX_FN_TARGET) & QDMA_MBOX_FN_TARGET_MASK;
	struct sim_fn *s;

	if (!fifo_take_src(sim, src)) {
		sim_log(sim, 7, "mailbox: PF rcv for function %u: no message of it queued", src);
		return;
	}
	s = sim_fn_of(sim, src);
	if (s != NULL && s->is_vf) {
		s->o_msg = false;
		sim_mbox_publish(sim, s);
	}
	sim_mbox_publish(sim, f);
	if (sim->fifo_len > 0)
		raise_irq(sim, f);
}

static void
do_rcv(struct qdma_sim *sim, struct sim_fn *f)
{
	if (!f->is_vf) {
		pf_rcv(sim, f);
		return;
	}
	if (!f->i_msg)
		return;
	f->i_msg = false;
	sim_mbox_publish(sim, f);
	if (pf(sim)->o_msg && pf(sim)->o_target == f->qfn)
		pf(sim)->o_msg = false;
	sim->pf_ack[QDMA_MBOX_PF_ACK_WORD(f->qfn)] |= QDMA_MBOX_PF_ACK_BIT(f->qfn);
	sim_mbox_publish(sim, pf(sim));
}

/* Remove the queued messages of @src from the PF FIFO. */
static void
fifo_drop_src(struct qdma_sim *sim, unsigned src)
{
	unsigned i, n = 0, len = sim->fifo_len;

	for (i = 0; i < len; i++) {
		struct sim_msg *m = &sim->fifo[(sim->fifo_head + i) % SIM_MBOX_FIFO];

		if (m->src == src)
			continue;
		if (n != i)
			sim->fifo[(sim->fifo_head + n) % SIM_MBOX_FIFO] = *m;
		n++;
	}
	sim->fifo_len = n;
}

void
sim_mbox_reset_fn(struct qdma_sim *sim, struct sim_fn *f)
{
	struct sim_fn *p = pf(sim);
	unsigned i;

	f->o_msg = false;
	f->delayed = false;
	f->last_cmd = 0;
	if (f->is_vf) {
		f->i_msg = false;
		fifo_drop_src(sim, f->qfn);
		if (p->o_msg && p->o_target == f->qfn)
			p->o_msg = false;
		sim->pf_ack[QDMA_MBOX_PF_ACK_WORD(f->qfn)] &= ~QDMA_MBOX_PF_ACK_BIT(f->qfn);
		if (f->bar != NULL)
			sim_mbox_publish(sim, f);
	} else {
		/* the queued VF messages are lost: their senders' outboxes are free again */
		for (i = 0; i < sim->fifo_len; i++) {
			struct sim_fn *s =
				sim_fn_of(sim, sim->fifo[(sim->fifo_head + i) % SIM_MBOX_FIFO].src);

			if (s != NULL && s->is_vf) {
				s->o_msg = false;
				sim_mbox_publish(sim, s);
			}
		}
		sim->fifo_len = 0;
		memset(sim->pf_ack, 0, sizeof(sim->pf_ack));
	}
	sim_mbox_publish(sim, p);
}

/* PF FN_CMD.vf_reset: reset the mailbox of the VF in TARGET_FN (convention 4). */
static void
do_vf_reset(struct qdma_sim *sim, struct sim_fn *f)
{
	unsigned target = bar_rd(f->bar, QDMA_PF_MBOX_FN_TARGET) & QDMA_MBOX_FN_TARGET_MASK;
	struct sim_fn *t = sim_fn_of(sim, target);

	if (f->is_vf || t == NULL || !t->is_vf) {
		sim_log(sim, 4, "mailbox: VF reset of function %u ignored (no such VF)", target);
		return;
	}
	sim_mbox_reset_fn(sim, t);
	sim_log(sim, 6, "mailbox of function %u reset by the PF", target);
}

/* Tell the PF that VF @f was reset: a VF_BYE on its behalf (convention 4). */
static void
bye_on_behalf(struct qdma_sim *sim, struct sim_fn *f)
{
	union qdma_mbox_msg m;

	qdma_mbox_msg_init(&m, QDMA_MBOX_OP_VF_BYE, (uint16_t)f->qfn, SIM_PF_QFN);
	m.hdr.status = QDMA_MBOX_BYE_ST_FN_RESET;
	land_at_pf(sim, f->qfn, m.w);
}

/* Function level reset of @f: queues stopped, mailbox state dropped, registers reset. */
static void
flr(struct qdma_sim *sim, struct sim_fn *f)
{
	sim_fn_reset_queues(sim, f->qfn);
	if (f->is_vf) {
		/* mailbox first: the register reset clears FLR, which tells the driver "done" */
		sim_mbox_reset_fn(sim, f);
		bye_on_behalf(sim, f);
		sim_regs_init_vf(sim, f);
	} else {
		unsigned i;

		bar_wr(f->bar, QDMA_PF_MBOX_FN_INTR_CTRL, 0);
		bar_wr(f->bar, QDMA_PF_MBOX_FN_INTR_VEC, 0);
		bar_wr(f->bar, QDMA_PF_MBOX_FN_TARGET, 0);
		bar_wr(f->bar, QDMA_PF_MBOX_FN_CMD, 0);
		for (i = 0; i < QDMA_MBOX_MSG_WORDS; i++)
			bar_wr(f->bar, QDMA_PF_MBOX_MSG_OUT(i), 0);
		sim_mbox_reset_fn(sim, f);
	}
	sim_active_rebuild(sim);
	SIM_STAT_ADD(sim->st.flrs, 1);
	sim_log(sim, 6, "FLR of function %u", f->qfn);
}

void
sim_fn_flr(struct qdma_sim *sim, struct sim_fn *f)
{
	flr(sim, f);
}

int
sim_mbox_poll_fn(struct qdma_sim *sim, struct sim_fn *f)
{
	uint32_t flr_off = f->is_vf ? QDMA_VF_FLR : QDMA_PF_FLR;
	uint32_t cmd_off = mbox_off(f, QDMA_MBOX_FN_CMD);
	uint32_t v;
	int work = 0;
	unsigned i;

	if (bar_rd(f->bar, flr_off) & QDMA_FLR_START) {
		flr(sim, f);
		bar_wr(f->bar, flr_off, 0);
		work = 1;
	}
	if (f->stalled)
		return work;
	v = bar_rd(f->bar, cmd_off);
	if (v != 0) {
		if (v & QDMA_MBOX_FN_CMD_RCV)
			do_rcv(sim, f);
		if (v & QDMA_MBOX_FN_CMD_VF_RESET)
			do_vf_reset(sim, f);
		if (v & QDMA_MBOX_FN_CMD_SEND)
			do_send(sim, f);
		bar_wr(f->bar, cmd_off, 0);
		work = 1;
	}
	if (!f->is_vf) {
		for (i = 0; i < QDMA_MBOX_PF_ACK_WORDS; i++) {
			v = bar_rd(f->bar, QDMA_PF_MBOX_PF_ACK(i));
			if (v != sim->pf_ack[i]) {
				sim->pf_ack[i] &= ~v;
				sim_mbox_publish(sim, f);
				work = 1;
			}
		}
	}
	return work;
}

int
sim_mbox_timers(struct qdma_sim *sim)
{
	uint64_t now = 0;
	int work = 0;
	unsigned i;

	for (i = 0; i < SIM_NB_FUNCS; i++) {
		struct sim_fn *f = &sim->fn[i];

		if (!f->present || !f->delayed || f->stalled)
			continue;
		if (now == 0)
			now = sim_now_ns();
		if (now < f->delayed_at_ns)
			continue;
		f->delayed = false;
		deliver(sim, f, f->delayed_target, f->delayed_msg);
		work = 1;
	}
	return work;
}
