/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * QDMA queue manager of the svff control plane: who owns which queues of the
 * card's queue space.  Pure C (no DPDK): the table and the planner.  The
 * control plane applies a plan to the card (rte_pmd_qdma_fn_set_queues) and
 * then commits it here.
 *
 * Every function owns at most one contiguous range [base, base+len).
 * Ranges never overlap and stay inside [0, nb_queues).  Placement is best
 * fit over the free gaps (gaps are computed from the table, so freed ranges
 * coalesce with their neighbours by construction), smallest gap first, the
 * lower base on ties.  When no gap fits, the planner may relocate the
 * ranges of functions the caller marks movable (VFs not running queues) to
 * make room; fixed ranges (the PF's, VFs in use) never move.
 */
#ifndef SVFF_QM_H
#define SVFF_QM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Functions in the table (QDMA function numbers 0..255). */
#define SVFF_QM_MAX_FUNCS 256

/** One function's range; len 0 (base -1) means none. */
struct svff_qm_range {
	int32_t base;
	uint32_t len;
};

/** The table. */
struct svff_qm {
	uint32_t nb_queues;                          /**< the card's queue space */
	struct svff_qm_range fn[SVFF_QM_MAX_FUNCS];  /**< by function number */
};

/** A request: function @p func wants @p len queues (0: give back). */
struct svff_qm_req {
	uint16_t func;
	uint32_t len;
};

/** A plan: the new range of every function whose range changes. */
struct svff_qm_plan {
	unsigned int nb;
	struct {
		uint16_t func;
		struct svff_qm_range from, to;
	} mv[SVFF_QM_MAX_FUNCS];
};

/** Empty table for a space of @p nb_queues queues. */
void svff_qm_init(struct svff_qm *qm, uint32_t nb_queues);

/**
 * Plan the requests @p req[0..n-1] (distinct functions).  A function keeps
 * its base when its new length still fits there (beside the ranges kept
 * before it in request order); others are placed best fit in request order; if that fails, movable ranges (@p movable[func],
 * may be NULL for none) are relocated too.  The table is not changed.
 * @return 0 with @p plan, -EINVAL (bad request), -ENOSPC (no room).
 */
int svff_qm_plan(const struct svff_qm *qm, const struct svff_qm_req *req, unsigned int n,
		const bool *movable, struct svff_qm_plan *plan);

/** Commit @p plan to the table (after the card has been told). */
void svff_qm_apply(struct svff_qm *qm, const struct svff_qm_plan *plan);

/** Set one range directly (replay, reservation); -EINVAL/-ENOSPC if it does not fit. */
int svff_qm_set(struct svff_qm *qm, uint16_t func, int32_t base, uint32_t len);

/** Queues not in any range. */
uint32_t svff_qm_free(const struct svff_qm *qm);

/** Largest free gap. */
uint32_t svff_qm_largest_gap(const struct svff_qm *qm);

/**
 * Check the table's invariants (inside the space, no overlap, base -1 iff
 * len 0).  @return 0, or -EPROTO with the first violation in @p err.
 */
int svff_qm_check(const struct svff_qm *qm, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_QM_H */
