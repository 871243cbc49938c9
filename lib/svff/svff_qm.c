/* SPDX-License-Identifier: BSD-3-Clause */
/* The queue manager's table and planner (svff_qm.h).  Pure C. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svff_qm.h"

struct used {
	uint32_t base, len;
};

static const struct svff_qm_range none = { -1, 0 };

void
svff_qm_init(struct svff_qm *qm, uint32_t nb_queues)
{
	qm->nb_queues = nb_queues;
	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++)
		qm->fn[f] = none;
}

static int
used_cmp(const void *a, const void *b)
{
	const struct used *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* The ranges in use, sorted by base. */
static unsigned int
collect(const struct svff_qm *t, struct used *u)
{
	unsigned int n = 0;

	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++)
		if (t->fn[f].len > 0)
			u[n++] = (struct used){ (uint32_t)t->fn[f].base, t->fn[f].len };
	qsort(u, n, sizeof(u[0]), used_cmp);
	return n;
}

/* Smallest free gap of at least @p len (lower base on ties). */
static int
best_fit(const struct svff_qm *t, uint32_t len, uint32_t *base)
{
	struct used u[SVFF_QM_MAX_FUNCS];
	unsigned int n = collect(t, u);
	uint32_t cur = 0, best_len = 0;
	bool found = false;

	for (unsigned int i = 0; i <= n; i++) {
		uint32_t end = i < n ? u[i].base : t->nb_queues;

		if (end > cur && end - cur >= len && (!found || end - cur < best_len)) {
			best_len = end - cur;
			*base = cur;
			found = true;
		}
		if (i < n && u[i].base + u[i].len > cur)
			cur = u[i].base + u[i].len;
	}
	return found ? 0 : -ENOSPC;
}

/* Is [base, base+len) inside the space and free of every range but @p skip's? */
static bool
fits(const struct svff_qm *t, uint16_t skip, uint32_t base, uint32_t len)
{
	if ((uint64_t)base + len > t->nb_queues)
		return false;
	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++) {
		const struct svff_qm_range *r = &t->fn[f];

		if (f == skip || r->len == 0)
			continue;
		if (base < (uint32_t)r->base + r->len && (uint32_t)r->base < base + len)
			return false;
	}
	return true;
}

static int
place(struct svff_qm *t, uint16_t func, uint32_t len)
{
	uint32_t base;

	t->fn[func] = none;
	if (len == 0)
		return 0;
	if (best_fit(t, len, &base) < 0)
		return -ENOSPC;
	t->fn[func] = (struct svff_qm_range){ (int32_t)base, len };
	return 0;
}

static int
check_reqs(const struct svff_qm *qm, const struct svff_qm_req *req, unsigned int n)
{
	bool seen[SVFF_QM_MAX_FUNCS] = { false };

	for (unsigned int i = 0; i < n; i++) {
		if (req[i].func >= SVFF_QM_MAX_FUNCS || req[i].len > qm->nb_queues ||
		    seen[req[i].func])
			return -EINVAL;
		seen[req[i].func] = true;
	}
	return 0;
}

/*
 * Without relocation: the requested functions' ranges freed; each that still
 * fits at its old base keeps it (in request order), the others best fit.
 */
static int
plan_in_place(const struct svff_qm *qm, struct svff_qm *w, const struct svff_qm_req *req,
		unsigned int n)
{
	bool kept[SVFF_QM_MAX_FUNCS] = { false };

	for (unsigned int i = 0; i < n; i++)
		w->fn[req[i].func] = none;
	for (unsigned int i = 0; i < n; i++) {
		const struct svff_qm_range *old = &qm->fn[req[i].func];

		if (old->len > 0 && req[i].len > 0 &&
		    fits(w, req[i].func, (uint32_t)old->base, req[i].len)) {
			w->fn[req[i].func] = (struct svff_qm_range){ old->base, req[i].len };
			kept[req[i].func] = true;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (!kept[req[i].func] && place(w, req[i].func, req[i].len) < 0)
			return -ENOSPC;
	return 0;
}

struct item {
	uint16_t func;
	uint32_t len;
};

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->func < y->func ? -1 : x->func > y->func;
}

/* With relocation: free every movable range and repack, largest first. */
static int
plan_relocate(struct svff_qm *w, const struct svff_qm_req *req, unsigned int n,
		const bool *movable)
{
	struct item it[SVFF_QM_MAX_FUNCS];
	bool is_req[SVFF_QM_MAX_FUNCS] = { false };
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++) {
		is_req[req[i].func] = true;
		w->fn[req[i].func] = none;
		if (req[i].len > 0)
			it[k++] = (struct item){ req[i].func, req[i].len };
	}
	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++) {
		if (is_req[f] || !movable[f] || w->fn[f].len == 0)
			continue;
		it[k++] = (struct item){ (uint16_t)f, w->fn[f].len };
		w->fn[f] = none;
	}
	qsort(it, k, sizeof(it[0]), item_cmp);
	for (unsigned int i = 0; i < k; i++)
		if (place(w, it[i].func, it[i].len) < 0)
			return -ENOSPC;
	return 0;
}

static void
diff(const struct svff_qm *from, const struct svff_qm *to, struct svff_qm_plan *plan)
{
	plan->nb = 0;
	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++) {
		const struct svff_qm_range *a = &from->fn[f], *b = &to->fn[f];

		if (a->base == b->base && a->len == b->len)
			continue;
		plan->mv[plan->nb].func = (uint16_t)f;
		plan->mv[plan->nb].from = *a;
		plan->mv[plan->nb].to = *b;
		plan->nb++;
	}
}

int
svff_qm_plan(const struct svff_qm *qm, const struct svff_qm_req *req, unsigned int n,
		const bool *movable, struct svff_qm_plan *plan)
{
	struct svff_qm *w;
	int rc;

	if (check_reqs(qm, req, n) < 0)
		return -EINVAL;
	w = malloc(sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	*w = *qm;
	rc = 0;
	if (plan_in_place(qm, w, req, n) < 0) {
		*w = *qm;
		rc = movable != NULL ? plan_relocate(w, req, n, movable) : -ENOSPC;
	}
	if (rc == 0)
		diff(qm, w, plan);
	free(w);
	return rc;
}

void
svff_qm_apply(struct svff_qm *qm, const struct svff_qm_plan *plan)
{
	for (unsigned int i = 0; i < plan->nb; i++)
		qm->fn[plan->mv[i].func] = plan->mv[i].to;
}

int
svff_qm_set(struct svff_qm *qm, uint16_t func, int32_t base, uint32_t len)
{
	if (func >= SVFF_QM_MAX_FUNCS || (len > 0 && base < 0))
		return -EINVAL;
	if (len == 0) {
		qm->fn[func] = none;
		return 0;
	}
	if (!fits(qm, func, (uint32_t)base, len))
		return -ENOSPC;
	qm->fn[func] = (struct svff_qm_range){ base, len };
	return 0;
}

uint32_t
svff_qm_free(const struct svff_qm *qm)
{
	uint64_t used = 0;

	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++)
		used += qm->fn[f].len;
	return used >= qm->nb_queues ? 0 : qm->nb_queues - (uint32_t)used;
}

uint32_t
svff_qm_largest_gap(const struct svff_qm *qm)
{
	struct used u[SVFF_QM_MAX_FUNCS];
	unsigned int n = collect(qm, u);
	uint32_t cur = 0, best = 0;

	for (unsigned int i = 0; i <= n; i++) {
		uint32_t end = i < n ? u[i].base : qm->nb_queues;

		if (end > cur && end - cur > best)
			best = end - cur;
		if (i < n && u[i].base + u[i].len > cur)
			cur = u[i].base + u[i].len;
	}
	return best;
}

int
svff_qm_check(const struct svff_qm *qm, char *err, size_t errlen)
{
	struct used u[SVFF_QM_MAX_FUNCS];
	unsigned int n;

	for (unsigned int f = 0; f < SVFF_QM_MAX_FUNCS; f++) {
		const struct svff_qm_range *r = &qm->fn[f];

		if ((r->len == 0) != (r->base < 0)) {
			snprintf(err, errlen, "function %u: base %d with %u queues", f, r->base,
				r->len);
			return -EPROTO;
		}
		if (r->len > 0 && (uint64_t)r->base + r->len > qm->nb_queues) {
			snprintf(err, errlen, "function %u: [%d, +%u) leaves the space of %u", f,
				r->base, r->len, qm->nb_queues);
			return -EPROTO;
		}
	}
	/* sorted by base, a range overlaps another iff it overlaps its successor */
	n = collect(qm, u);
	for (unsigned int i = 0; i + 1 < n; i++) {
		if (u[i].base + u[i].len > u[i + 1].base) {
			snprintf(err, errlen, "ranges at %u (+%u) and %u (+%u) overlap", u[i].base,
				u[i].len, u[i + 1].base, u[i + 1].len);
			return -EPROTO;
		}
	}
	return 0;
}
