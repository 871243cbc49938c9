/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Example-design user logic behind PF BAR2 (qdma_hw_user.h, qdma-reference.md section 7).
 *
 * Every personality has the same logic; a personality is the reset state a "bitstream load"
 * leaves: loopback = ST_C2H_CONTROL LOOPBACK set; generator and sink = 0.
 *  - Loopback (LOOPBACK set): an H2C packet on absolute queue q is written as a C2H packet on q;
 *    the H2C side waits while q lacks C2H buffers or CMPT space (back-pressure, no drop). A packet
 *    is dropped (ST_C2H_PKT_DROP) when q has no usable ST C2H queue, when it is zero-length (the
 *    DPDK PMD cannot take a zero-length completion, reference 3.6), or when it needs more than 7
 *    buffers (C2H len_mismatch).
 *  - H2C checker (LOOPBACK clear): each H2C packet is compared with the 16-bit pattern from offset
 *    0; ST_H2C_XFER_CNT counts packets; ST_H2C_STATUS MATCH = at least one packet since the last
 *    clear and no mismatch. Storing ST_H2C_CONTROL CLEAR resets it; the card then clears the bit.
 *  - Generator: storing ST_C2H_CONTROL with START_C2H snapshots QID, PKTLEN and PKT_CNT and emits
 *    PKT_CNT packets of PKTLEN bytes of the pattern (restarting at 0 per packet with
 *    RESTART_PATTERN, else continuing), IMM_DATA: completion-only entries. It stalls without
 *    buffers / CMPT space. The card clears START_C2H when the run is over (so that the next start
 *    is again a visible change). MARKER: C2H status MARKER_DONE is set and START|MARKER cleared.
 */
#include <string.h>

#include "sim_priv.h"

static void
user_publish(struct qdma_sim *sim)
{
	struct sim_user *u = &sim->user;

	bar_pub(u->bar, QDMA_USER_ST_H2C_STATUS,
		(u->h2c_xfer > 0 && !u->h2c_mismatch) ? QDMA_USER_H2C_STATUS_MATCH : 0);
	bar_pub(u->bar, QDMA_USER_ST_H2C_XFER_CNT, u->h2c_xfer);
	bar_pub(u->bar, QDMA_USER_C2H_STATUS, u->c2h_status);
	bar_pub(u->bar, QDMA_USER_ST_C2H_PKT_DROP, u->pkt_drop);
	bar_pub(u->bar, QDMA_USER_ST_C2H_PKT_ACCEPT, u->pkt_accept);
}

void
sim_user_reset(struct qdma_sim *sim, enum qdma_sim_personality p)
{
	struct sim_user *u = &sim->user;
	uint32_t *bar = u->bar;

	memset(u, 0, sizeof(*u));
	u->bar = bar;
	memset(bar, 0, QDMA_USER_BAR_SIZE_EMU);
	u->c2h_ctrl = p == QDMA_SIM_LOOPBACK ? QDMA_USER_C2H_CTRL_LOOPBACK : 0;
	bar_wr(bar, QDMA_USER_ST_C2H_CONTROL, u->c2h_ctrl);
	sim->personality = p;
	user_publish(sim);
}

bool
sim_user_loopback(struct qdma_sim *sim)
{
	return (sim->user.c2h_ctrl & QDMA_USER_C2H_CTRL_LOOPBACK) != 0;
}

void
sim_user_check(struct qdma_sim *sim, const uint8_t *p, uint32_t len, uint64_t off)
{
	if (!sim->user.h2c_mismatch && qdma_user_pattern_check(p, len, off) != len)
		sim->user.h2c_mismatch = 1;
}

void
sim_user_pkt_done(struct qdma_sim *sim)
{
	sim->user.h2c_xfer++;
	sim->user.dirty = true;
}

void
sim_user_drop(struct qdma_sim *sim)
{
	sim->user.pkt_drop++;
	sim->user.dirty = true;
}

void
sim_user_accept(struct qdma_sim *sim)
{
	sim->user.pkt_accept++;
	sim->user.dirty = true;
}

int
sim_user_generate(struct qdma_sim *sim)
{
	struct sim_user *u = &sim->user;
	bool imm = (u->c2h_ctrl & QDMA_USER_C2H_CTRL_IMM_DATA) != 0;
	bool restart = (u->c2h_ctrl & QDMA_USER_C2H_CTRL_RESTART_PATTERN) != 0;
	unsigned n = 0;
	int work = 0;

	while (u->gen_left > 0 && n < SIM_C2H_BATCH) {
		int rc = sim_c2h_put(sim, u->gen_qid, u->gen_len, NULL, 0, restart ? 0 : u->gen_off,
			imm);

		if (rc == 0)
			break;
		if (rc > 0)
			sim_user_accept(sim);
		else
			sim_user_drop(sim);
		u->gen_off += u->gen_len;
		u->gen_left--;
		n++;
		work = 1;
	}
	if (work && u->gen_qid < sim->nb_q)
		sim_c2h_flush(sim, u->gen_qid);
	if (u->gen_left == 0) {
		u->gen_run = false;
		u->c2h_ctrl &= ~QDMA_USER_C2H_CTRL_START_C2H;
		bar_wr(u->bar, QDMA_USER_ST_C2H_CONTROL, u->c2h_ctrl);
		work = 1;
	}
	return work;
}

int
sim_user_poll(struct qdma_sim *sim)
{
	struct sim_user *u = &sim->user;
	uint32_t ctrl = bar_rd(u->bar, QDMA_USER_ST_C2H_CONTROL);
	uint32_t h2c = bar_rd(u->bar, QDMA_USER_ST_H2C_CONTROL);
	int work = 0;

	if (ctrl != u->c2h_ctrl) {
		uint32_t rise = ctrl & ~u->c2h_ctrl;

		u->c2h_ctrl = ctrl;
		if ((ctrl & QDMA_USER_C2H_CTRL_MARKER) != 0) {
			u->c2h_status |= QDMA_USER_C2H_STATUS_MARKER_DONE;
			u->c2h_ctrl &= ~(QDMA_USER_C2H_CTRL_MARKER | QDMA_USER_C2H_CTRL_START_C2H);
			bar_wr(u->bar, QDMA_USER_ST_C2H_CONTROL, u->c2h_ctrl);
			u->dirty = true;
		} else if ((rise & QDMA_USER_C2H_CTRL_START_C2H) && !u->gen_run) {
			u->gen_qid = bar_rd(u->bar, QDMA_USER_ST_C2H_QID);
			u->gen_len = bar_rd(u->bar, QDMA_USER_ST_C2H_PKTLEN);
			u->gen_left = bar_rd(u->bar, QDMA_USER_ST_C2H_PKT_CNT);
			u->gen_off = 0;
			u->gen_run = true;
			u->c2h_status &= ~QDMA_USER_C2H_STATUS_MARKER_DONE;
		}
		work = 1;
	}
	if (h2c & QDMA_USER_H2C_CTRL_CLEAR) {
		u->h2c_mismatch = 0;
		u->h2c_xfer = 0;
		bar_wr(u->bar, QDMA_USER_ST_H2C_CONTROL, h2c & ~QDMA_USER_H2C_CTRL_CLEAR);
		u->dirty = true;
		work = 1;
	}
	if (u->gen_run)
		work |= sim_user_generate(sim);
	if (u->dirty) {
		u->dirty = false;
		user_publish(sim);
	}
	return work;
}

void
sim_user_republish(struct qdma_sim *sim)
{
	user_publish(sim);
}
