/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VF lifecycle on the manager lcore: init, attach, detach, reconf, the
 * PMD's policy hooks (queue requests, VF events) and the bookkeeping every
 * operation shares (op records, journal, structured log, invariants).
 *
 * Every operation: validate (a refusal changes nothing) -> journal the
 * intent -> act -> journal the outcome.  A crash between intent and outcome
 * is resolved on restart (svff_recover.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_mgr.h"

static const char *const state_names[SVFF_VF_NB_STATES] = {
	"absent", "ready", "attached", "paused", "failed",
};

const char *
svff_vf_state_name(enum svff_vf_state st)
{
	return (unsigned int)st < SVFF_VF_NB_STATES ? state_names[st] : "?";
}

int
svff_vf_state_parse(const char *name)
{
	for (unsigned int i = 0; i < SVFF_VF_NB_STATES; i++)
		if (strcmp(state_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

const char *
svff_op_state_name(enum svff_op_state st)
{
	static const char *const n[] = {
		"running", "done", "failed", "completed-after-restart", "rolled-back",
	};

	return (unsigned int)st < RTE_DIM(n) ? n[st] : "?";
}

bool
svff_vf_has_vm(const struct svff_vf *v)
{
	return v->vm[0] != '\0';
}

uint16_t
svff_vf_func(const struct svff *s, unsigned int vf)
{
	return (uint16_t)(s->vf_func_base + vf);
}

/* ------------------------------------------------------------ crash points */

/*
 * Test only: SVFF_CRASH_AT=<op>:<step> kills svffd (SIGKILL, as kill -9
 * would) when operation <op> reaches <step>.  Used by the crash test to cut
 * operations at named places; never set it in production.
 */
void
svff_crash_point(const struct svff *s, const char *op, const char *step)
{
	char here[64];

	if (s->crash_at[0] == '\0')
		return;
	snprintf(here, sizeof(here), "%s:%s", op, step);
	if (strcmp(here, s->crash_at) != 0)
		return;
	SVFF_LOG(WARNING, "SVFF_CRASH_AT=%s reached: killing svffd (test only)", here);
	raise(SIGKILL);
}

/* ---------------------------------------------------------------- ops */

static uint64_t
wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

struct svff_op *
svff_op_begin(struct svff *s, const char *name, const char *target, uint32_t steps)
{
	struct svff_op *op = &s->ops[s->ops_head];

	s->ops_head = (s->ops_head + 1) % SVFF_OPS_KEPT;
	if (s->ops_count < SVFF_OPS_KEPT)
		s->ops_count++;
	memset(op, 0, sizeof(*op));
	op->id = ++s->next_op_id;
	snprintf(op->name, sizeof(op->name), "%s", name);
	snprintf(op->target, sizeof(op->target), "%s", target);
	op->state = SVFF_OP_RUNNING;
	op->steps_total = steps;
	op->start_ms = wall_ms();
	op->start_us = svff_mono_us();
	return op;
}

/* Close @p op: duration, one structured log line, the VF's last op. */
void
svff_op_end(struct svff *s, struct svff_op *op, enum svff_op_state st, int vf, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op->result, sizeof(op->result), fmt, ap);
	va_end(ap);
	op->state = st;
	op->dur_us = svff_mono_us() - op->start_us;
	if (st == SVFF_OP_DONE)
		op->steps_done = op->steps_total;
	if (vf >= 0 && vf < SVFF_MAX_VFS) {
		s->vf[vf].last_op_id = op->id;
		snprintf(s->vf[vf].last_op, sizeof(s->vf[vf].last_op), "%s", op->name);
		s->vf[vf].last_op_us = op->dur_us;
	}
	rte_log(st == SVFF_OP_FAILED ? RTE_LOG_NOTICE : RTE_LOG_INFO, svff_logtype,
		"svff: op=%s id=%" PRIu64 " target=%s state=%s duration_us=%" PRIu64
		" steps=%u/%u result=\"%s\"\n", op->name, op->id, op->target,
		svff_op_state_name(st), op->dur_us, op->steps_done, op->steps_total, op->result);
	svff_check_invariants(s);
}

/* ------------------------------------------------------------ journal */

/* A VF's journal entry (the token in hex: JSON integers are signed). */
json_t *
svff_vf_entry_json(const struct svff *s, unsigned int vf)
{
	const struct svff_vf *v = &s->vf[vf];
	const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];
	char tok[24];

	json_t *o;

	snprintf(tok, sizeof(tok), "%" PRIx64, v->token);
	o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:s}", "vf", (int)vf,
		"state", svff_vf_state_name(v->state), "vm", v->vm, "token", tok,
		"qbase", r->base, "qmax", (int)r->len, "reason", v->reason);
	svff_pause_json(s, vf, o);   /* a paused VF's snapshot goes with its state */
	svff_vm_link_json(s, vf, o); /* a VF in a VM: how a restart finds it again */
	return o;
}

static int
journal_write(struct svff *s, json_t *rec)
{
	int rc = svff_journal_append(s->journal, rec);

	if (rc < 0)
		SVFF_LOG(ERR, "journal %s: %s", svff_journal_path(s->journal), strerror(-rc));
	json_decref(rec);
	return rc;
}

int
svff_journal_intent(struct svff *s, const struct svff_op *op, json_t *args)
{
	json_object_set_new(args, "op", json_string(op->name));
	json_object_set_new(args, "id", json_integer((json_int_t)op->id));
	json_object_set_new(args, "phase", json_string("intent"));
	return journal_write(s, args);
}

/* Outcome: the full entries of the VFs @p vfs[0..n-1] (and numvfs). */
int
svff_journal_outcome(struct svff *s, const struct svff_op *op, const char *phase,
		const unsigned int *vfs, unsigned int n)
{
	json_t *arr = json_array();

	int rc;

	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(arr, svff_vf_entry_json(s, vfs[i]));
	rc = journal_write(s, json_pack("{s:s, s:I, s:s, s:i, s:o}", "op", op->name,
		"id", (json_int_t)op->id, "phase", phase, "numvfs", (int)s->numvfs, "vfs", arr));
	/* the journal is folded into the snapshot now and then, never under a running init */
	if (rc == 0 && !s->lop.active &&
	    svff_journal_count(s->journal) - s->journal_mark >= SVFF_JOURNAL_COMPACT_EVERY)
		svff_compact(s);
	return rc;
}

/* ------------------------------------------------------------ the card */

void
svff_hv_vf_of(const struct svff *s, unsigned int vf, struct svff_hv_vf *hvf)
{
	memset(hvf, 0, sizeof(*hvf));
	hvf->vf = vf;
	hvf->func_id = svff_vf_func(s, vf);
	hvf->pf_port = s->pf_port;
	hvf->card_socket = s->cfg.card.type == SVFF_CARD_PCI ? NULL : s->cfg.card.socket;
	/* a PCI card's VF is hot-plugged by its address (an empty one makes libvirt refuse) */
	if (s->cfg.card.type == SVFF_CARD_PCI) {
		char err[256];

		if (svff_hv_vf_bdf(NULL, s->cfg.card.pci, vf, hvf->bdf, sizeof(hvf->bdf), err,
				sizeof(err)) < 0)
			SVFF_LOG(ERR, "VF %u: %s", vf, err);
	}
}

/*
 * The invariants: the table is sound; every VF's FMAP on the card and its
 * window in the PMD are either empty or start at the table's base and lie
 * inside the table's range (a guest may ask for fewer queues than its
 * quota); active queues fit the window; functions beyond numvfs own
 * nothing.  Checked after every operation unless built with NDEBUG.
 */
void
svff_check_invariants(struct svff *s)
{
#ifndef NDEBUG
	char why[160] = "";

	if (svff_qm_check(&s->qm, why, sizeof(why)) < 0)
		goto bad;
	for (unsigned int vf = 0; vf < s->totalvfs; vf++) {
		const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];
		struct rte_pmd_qdma_fn_state st;
		uint32_t qb = 0, qm = 0;

		if (vf >= s->numvfs && r->len > 0) {
			snprintf(why, sizeof(why), "VF %u beyond numvfs owns queues", vf);
			goto bad;
		}
		if (vf >= s->numvfs)
			continue;
		if (rte_pmd_qdma_fmap_get(s->pf_port, svff_vf_func(s, vf), &qb, &qm) < 0 ||
		    rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) < 0) {
			snprintf(why, sizeof(why), "VF %u: cannot read FMAP", vf);
			goto bad;
		}
		if (qm > 0 && (qb != (uint32_t)r->base || qm > r->len)) {
			snprintf(why, sizeof(why), "VF %u: FMAP %u+%u outside its range %d+%u", vf,
				qb, qm, r->base, r->len);
			goto bad;
		}
		if (st.qmax > 0 && (st.qbase != r->base || st.qmax > r->len)) {
			snprintf(why, sizeof(why), "VF %u: window %d+%u outside its range %d+%u",
				vf, st.qbase, st.qmax, r->base, r->len);
			goto bad;
		}
		if (st.active_h2c > st.qmax || st.active_c2h > st.qmax || st.active_cmpt > st.qmax) {
			snprintf(why, sizeof(why), "VF %u: more active queues than its window", vf);
			goto bad;
		}
	}
	return;
bad:
	s->invariant_errors++;
	SVFF_LOG(ERR, "invariant violated: %s", why);
#else
	(void)s;
#endif
}

/* The PMD refuses to move a window while the VF's queues are active: the
 * VF's reset (after a revoke) is noticed by the mailbox service. */
static int
set_queues_retry(struct svff *s, uint16_t func, int32_t base, uint32_t len)
{
	uint64_t deadline = svff_mono_us() + 2000000u;
	int rc;

	while ((rc = rte_pmd_qdma_fn_set_queues(s->pf_port, func, base, len)) == -EBUSY &&
	       svff_mono_us() < deadline) {
		rte_pmd_qdma_mbox_service(s->pf_port, 32);
		usleep(1000);
	}
	return rc;
}

int
svff_vf_window_sync(struct svff *s, unsigned int vf)
{
	const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];

	return set_queues_retry(s, svff_vf_func(s, vf), r->len ? r->base : -1, r->len);
}

int
svff_apply_plan(struct svff *s, const struct svff_qm_plan *plan)
{
	int rc = 0;

	for (unsigned int i = 0; i < plan->nb && rc == 0; i++)
		if (plan->mv[i].from.len > 0)
			rc = set_queues_retry(s, plan->mv[i].func, -1, 0);
	for (unsigned int i = 0; i < plan->nb && rc == 0; i++)
		if (plan->mv[i].to.len > 0)
			rc = set_queues_retry(s, plan->mv[i].func, plan->mv[i].to.base,
				plan->mv[i].to.len);
	if (rc == 0)
		svff_qm_apply(&s->qm, plan);
	return rc;
}

int
svff_set_numvfs(struct svff *s, uint32_t n, char *err, size_t errlen)
{
	unsigned int cur = 0;
	int rc = rte_pmd_qdma_sriov_get_numvfs(s->pf_port, &cur);

	if (rc == 0 && cur != n && cur != 0)
		rc = rte_pmd_qdma_sriov_set_numvfs(s->pf_port, 0);
	if (rc == 0 && cur != n && n != 0)
		rc = rte_pmd_qdma_sriov_set_numvfs(s->pf_port, n);
	if (rc < 0) {
		snprintf(err, errlen, "cannot set numvfs to %u: %s", n, rte_strerror(-rc));
		return rc;
	}
	return 0;
}

/* ------------------------------------------------------ policy hooks */

static int
vf_of_func(const struct svff *s, uint16_t func)
{
	if (func < s->vf_func_base || (uint32_t)(func - s->vf_func_base) >= s->numvfs)
		return -1;
	return func - s->vf_func_base;
}

/*
 * A VF asks for queues: inside its own range, from its base, never more.  A paused
 * VF asks too when its driver registers again on RESTORE (after a restart of svffd,
 * its queues wait for the unpause).
 */
static int
hook_queue_request(void *arg, uint16_t port, uint16_t func, uint32_t qmax, int32_t *qbase)
{
	struct svff *s = arg;
	int vf = vf_of_func(s, func);
	const struct svff_qm_range *r;

	(void)port;
	if (vf < 0)
		return -EPERM;
	r = &s->qm.fn[func];
	if ((s->vf[vf].state != SVFF_VF_ATTACHED && s->vf[vf].state != SVFF_VF_PAUSED) ||
	    r->len == 0 || qmax > r->len)
		return -ENOSPC;
	*qbase = r->base;
	return 0;
}

enum { EVT_GONE = 1, EVT_STUCK = 2, EVT_FLOOD = 4, EVT_BYE = 8 };

/* Hooks run under the PMD's mailbox lock: note the event, act after. */
static void
hook_vf_event(void *arg, uint16_t port, uint16_t func, enum rte_pmd_qdma_vf_event ev)
{
	struct svff *s = arg;
	int vf = vf_of_func(s, func);

	(void)port;
	if (vf < 0)
		return;
	if (ev == RTE_PMD_QDMA_VF_EVT_GONE)
		s->vf_evt[vf] |= EVT_GONE;
	else if (ev == RTE_PMD_QDMA_VF_EVT_STUCK)
		s->vf_evt[vf] |= EVT_STUCK;
	else if (ev == RTE_PMD_QDMA_VF_EVT_FLOOD)
		s->vf_evt[vf] |= EVT_FLOOD;
}

static void
hook_vf_bye(void *arg, uint16_t port, uint16_t func)
{
	struct svff *s = arg;
	int vf = vf_of_func(s, func);

	(void)port;
	if (vf >= 0)
		s->vf_evt[vf] |= EVT_BYE;
}

const struct rte_pmd_qdma_policy svff_mgr_policy = {
	.queue_request = hook_queue_request,
	.vf_event = hook_vf_event,
	.vf_bye = hook_vf_bye,
};

/* A VF that stopped reading its inbox too often is marked failed (journaled). */
static void
vf_stuck(struct svff *s, unsigned int vf)
{
	struct svff_vf *v = &s->vf[vf];
	struct svff_op *op;
	char target[16];

	v->stuck_events++;
	/* a VF no VM holds has no driver of ours to blame (a former holder's leftovers) */
	if (!svff_vf_has_vm(v) || v->state == SVFF_VF_FAILED ||
	    v->stuck_events < s->cfg.vfs.stuck_limit)
		return;
	snprintf(target, sizeof(target), "vf%u", vf);
	op = svff_op_begin(s, "mark-failed", target, 1);
	v->state = SVFF_VF_FAILED;
	snprintf(v->reason, sizeof(v->reason), "stopped reading its mailbox: %" PRIu64
		" PF->VF messages timed out", v->stuck_events);
	svff_journal_outcome(s, op, "done", &vf, 1);
	svff_op_end(s, op, SVFF_OP_DONE, (int)vf, "VF %u failed: %s", vf, v->reason);
}

void
svff_mgr_events(struct svff *s)
{
	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		uint8_t e = s->vf_evt[vf];

		if (e == 0)
			continue;
		s->vf_evt[vf] = 0;
		if (e & EVT_GONE) {
			s->vf[vf].gone_events++;
			if (s->vf[vf].state == SVFF_VF_ATTACHED)
				SVFF_LOG(NOTICE, "VF %u (VM %s): its driver went away or was reset",
					vf, s->vf[vf].vm);
		}
		if (e & EVT_BYE)
			s->vf[vf].byes++;
		if (e & EVT_FLOOD)
			s->vf[vf].flood_events++;
		if (e & EVT_STUCK)
			vf_stuck(s, vf);
	}
}

/* ------------------------------------------------------------ replies */

static json_t *
op_reply(const struct svff_op *op, unsigned int vf, const struct svff *s)
{
	const struct svff_qm_range *r = &s->qm.fn[svff_vf_func(s, vf)];

	return json_pack("{s:I, s:i, s:s, s:s, s:i, s:i, s:I}", "op", (json_int_t)op->id,
		"vf", (int)vf, "state", svff_vf_state_name(s->vf[vf].state), "vm", s->vf[vf].vm,
		"qbase", r->base, "qmax", (int)r->len, "duration_us", (json_int_t)op->dur_us);
}

/* A refused or failed operation: nothing changed; journaled if it had begun. */
static json_t *
op_failed(struct svff *s, struct svff_op *op, int vf, const char *code, const char *msg)
{
	svff_journal_outcome(s, op, "failed", NULL, 0);
	svff_op_end(s, op, SVFF_OP_FAILED, vf, "%s", msg);
	return svff_error(code, "%s", msg);
}

/* The VF a command names: it must exist (below numvfs). */
static json_t *
check_vf(const struct svff *s, uint32_t vf)
{
	if (vf >= s->numvfs)
		return svff_error("no-such-vf", "VF %u does not exist: %u VFs are enabled "
			"(see /svff/init)", vf, s->numvfs);
	return NULL;
}

/* ------------------------------------------------------------ attach */

static json_t *
do_attach(struct svff *s, uint32_t vf, const char *vm)
{
	struct svff_vf *v = &s->vf[vf];
	struct svff_hv_grant g;
	struct svff_hv_vf hvf;
	struct svff_op *op;
	char target[96], err[256];
	json_t *reply = check_vf(s, vf);

	if (reply != NULL)
		return reply;
	if (v->state != SVFF_VF_READY)
		return svff_error("wrong-state", "VF %u is %s%s%s: only a ready VF can be attached",
			vf, svff_vf_state_name(v->state), svff_vf_has_vm(v) ? " to VM " : "", v->vm);
	if (v->quota == 0)
		return svff_error("no-queues", "VF %u has no queues: give it some with "
			"/svff/reconf first", vf);
	snprintf(target, sizeof(target), "vf%u vm=%s", vf, vm);
	op = svff_op_begin(s, "attach", target, 2);
	if (svff_journal_intent(s, op, json_pack("{s:i, s:s}", "vf", (int)vf, "vm", vm)) < 0)
		return op_failed(s, op, (int)vf, "journal", "cannot write the journal");
	svff_crash_point(s, "attach", "intent");
	svff_hv_vf_of(s, vf, &hvf);
	memset(&g, 0, sizeof(g));
	if (svff_hv_attach(s->hv, vm, &hvf, &g, err, sizeof(err)) < 0)
		return op_failed(s, op, (int)vf, "hv-refused", err);
	op->steps_done = 1;
	svff_crash_point(s, "attach", "granted");
	v->state = SVFF_VF_ATTACHED;
	snprintf(v->vm, sizeof(v->vm), "%s", vm);
	v->token = g.token;
	v->link = g.vm;
	v->stuck_events = 0;       /* counts the reports of this holder */
	v->attaches++;
	svff_journal_outcome(s, op, "done", &vf, 1);
	svff_crash_point(s, "attach", "done");
	svff_op_end(s, op, SVFF_OP_DONE, (int)vf, "VF %u attached to VM %s", vf, vm);
	reply = op_reply(op, vf, s);
	if (g.devargs[0] != '\0')
		json_object_set_new(reply, "devargs", json_string(g.devargs));
	if (g.alias[0] != '\0')
		json_object_set_new(reply, "alias", json_string(g.alias));
	if (g.guest_bdf[0] != '\0')
		json_object_set_new(reply, "guest_bdf", json_string(g.guest_bdf));
	return reply;
}

/* ------------------------------------------------------------ detach */

/*
 * Take the window away and give it back: every context of the VF's queues
 * is invalidated and cleared by the PMD when a window changes.
 */
int
svff_vf_window_reset(struct svff *s, unsigned int vf)
{
	int rc = set_queues_retry(s, svff_vf_func(s, vf), -1, 0);

	return rc < 0 ? rc : svff_vf_window_sync(s, vf);
}

static json_t *
do_detach(struct svff *s, uint32_t vf)
{
	struct svff_vf *v = &s->vf[vf];
	struct svff_hv_vf hvf;
	struct svff_op *op;
	char target[96], err[256];
	json_t *reply = check_vf(s, vf);
	int rc;

	if (reply != NULL)
		return reply;
	if (v->state != SVFF_VF_ATTACHED && v->state != SVFF_VF_PAUSED &&
	    v->state != SVFF_VF_FAILED)
		return svff_error("not-attached", "VF %u is %s: there is nothing to detach", vf,
			svff_vf_state_name(v->state));
	snprintf(target, sizeof(target), "vf%u vm=%s", vf, v->vm);
	op = svff_op_begin(s, "detach", target, 3);
	if (svff_journal_intent(s, op, json_pack("{s:i, s:s}", "vf", (int)vf, "vm", v->vm)) < 0)
		return op_failed(s, op, (int)vf, "journal", "cannot write the journal");
	svff_crash_point(s, "detach", "intent");
	svff_hv_vf_of(s, vf, &hvf);
	if (svff_hv_detach(s->hv, v->vm, &hvf, err, sizeof(err)) < 0)
		return op_failed(s, op, (int)vf, "hv-refused", err);
	op->steps_done = 1;
	svff_crash_point(s, "detach", "revoked");
	rc = svff_vf_window_reset(s, vf);
	op->steps_done = 2;
	v->state = SVFF_VF_READY;
	v->vm[0] = '\0';
	v->token = 0;
	memset(&v->link, 0, sizeof(v->link));
	v->reason[0] = '\0';
	v->detaches++;
	svff_journal_outcome(s, op, "done", &vf, 1);
	svff_crash_point(s, "detach", "done");
	svff_op_end(s, op, SVFF_OP_DONE, (int)vf, "VF %u detached%s", vf,
		rc < 0 ? " (its queue window could not be reset: see the log)" : "");
	if (rc < 0)
		SVFF_LOG(ERR, "VF %u: cannot reset its queue window: %s", vf, rte_strerror(-rc));
	return op_reply(op, vf, s);
}

/* ------------------------------------------------------------ reconf */

bool
svff_vf_movable(const struct svff *s, unsigned int vf)
{
	struct rte_pmd_qdma_fn_state st;

	if (s->vf[vf].state == SVFF_VF_PAUSED)
		return true;   /* its contexts are saved: they come back at the new base */
	if (s->vf[vf].state != SVFF_VF_READY && !(s->vf[vf].state == SVFF_VF_FAILED &&
	    !svff_vf_has_vm(&s->vf[vf])))
		return false;
	if (rte_pmd_qdma_fn_state(s->pf_port, svff_vf_func(s, vf), &st) < 0)
		return false;
	return st.active_h2c == 0 && st.active_c2h == 0 && st.active_cmpt == 0;
}

/* ------------------------------------------------------------ init */

#define INIT_CHUNK 16   /* VFs placed per manager round: the manager keeps answering */

static json_t *
init_check(const struct svff *s, uint32_t numvfs, uint32_t qmax)
{
	uint32_t room = s->qm.nb_queues - s->qm.fn[0].len;

	if (numvfs > s->totalvfs)
		return svff_error("out-of-range", "numvfs %u exceeds the card's TotalVFs (%u)",
			numvfs, s->totalvfs);
	if ((uint64_t)numvfs * qmax > room)
		return svff_error("no-room", "%u VFs x %u queues do not fit the %u queues left "
			"beside the PF's", numvfs, qmax, room);
	for (unsigned int vf = 0; vf < s->numvfs; vf++)
		if (svff_vf_has_vm(&s->vf[vf]))
			return svff_error("vf-in-use", "VF %u is %s to VM %s: detach every VF "
				"before init", vf, svff_vf_state_name(s->vf[vf].state),
				s->vf[vf].vm);
	return NULL;
}

int
svff_init_start(struct svff *s, uint32_t numvfs, uint32_t qmax, struct svff_req *req,
		const char *target, json_t **reply)
{
	struct svff_long_op *l = &s->lop;
	char t[64];

	*reply = init_check(s, numvfs, qmax);
	if (*reply != NULL)
		return -EINVAL;
	snprintf(t, sizeof(t), "numvfs=%u qmax=%u%s%s", numvfs, qmax, target ? " " : "",
		target ? target : "");
	memset(l, 0, sizeof(*l));
	l->op = svff_op_begin(s, "init", t, numvfs + 2);
	l->req = req;
	l->numvfs = numvfs;
	l->qmax = qmax;
	if (svff_journal_intent(s, l->op, json_pack("{s:i, s:i}", "numvfs", (int)numvfs,
			"qmax", (int)qmax)) < 0) {
		*reply = op_failed(s, l->op, -1, "journal", "cannot write the journal");
		return -EIO;
	}
	svff_crash_point(s, "init", "intent");
	l->active = true;
	return 0;
}

static void
init_finish(struct svff *s, enum svff_op_state st, const char *code, const char *msg)
{
	struct svff_long_op *l = &s->lop;
	unsigned int all[SVFF_MAX_VFS];
	json_t *reply;

	for (unsigned int i = 0; i < s->totalvfs; i++)
		all[i] = i;
	svff_journal_outcome(s, l->op, st == SVFF_OP_DONE ? "done" : "failed", all,
		s->totalvfs);
	if (st == SVFF_OP_DONE) {
		svff_crash_point(s, "init", "done");
		svff_op_end(s, l->op, st, -1, "%u VFs x %u queues", l->numvfs, l->qmax);
		reply = json_pack("{s:I, s:i, s:i, s:I}", "op", (json_int_t)l->op->id,
			"numvfs", (int)s->numvfs, "qmax", (int)l->qmax, "duration_us",
			(json_int_t)l->op->dur_us);
		svff_compact(s);
	} else {
		svff_op_end(s, l->op, st, -1, "%s", msg);
		reply = svff_error(code, "%s", msg);
	}
	if (l->req != NULL)
		svff_req_finish(l->req, reply);
	else
		json_decref(reply);
	l->active = false;
}

/* Phase 0, one chunk per round: the VF ranges freed (their contexts cleared). */
static bool
init_free_chunk(struct svff *s)
{
	struct svff_long_op *l = &s->lop;
	unsigned int end = RTE_MIN(l->next + INIT_CHUNK, s->totalvfs);

	for (; l->next < end; l->next++) {
		uint16_t f = svff_vf_func(s, l->next);

		if (s->qm.fn[f].len > 0)
			set_queues_retry(s, f, -1, 0);
		svff_qm_set(&s->qm, f, -1, 0);
		svff_pause_drop(s, l->next);
		memset(&s->vf[l->next], 0, sizeof(s->vf[l->next]));   /* absent, counters reset */
	}
	return l->next >= s->totalvfs;
}

/* Phase 1: numvfs through 0 to N, the layout planned. */
static int
init_prepare(struct svff *s, char *err, size_t errlen)
{
	struct svff_long_op *l = &s->lop;
	struct svff_qm_req rq[SVFF_MAX_VFS];
	int rc;

	s->numvfs = 0;
	rc = svff_set_numvfs(s, 0, err, errlen);
	svff_crash_point(s, "init", "zero");
	if (rc == 0)
		rc = svff_set_numvfs(s, l->numvfs, err, errlen);
	if (rc < 0)
		return rc;
	s->numvfs = l->numvfs;
	svff_crash_point(s, "init", "enabled");
	for (unsigned int vf = 0; vf < l->numvfs; vf++)
		rq[vf] = (struct svff_qm_req){ svff_vf_func(s, vf), l->qmax };
	l->plan = malloc(sizeof(*l->plan));
	if (l->plan == NULL)
		return -ENOMEM;
	rc = svff_qm_plan(&s->qm, rq, l->numvfs, NULL, l->plan);
	if (rc < 0)
		snprintf(err, errlen, "no room for %u VFs x %u queues", l->numvfs, l->qmax);
	return rc;
}

/* One round of the init: prepare, then INIT_CHUNK VFs at a time. */
static bool
init_step(struct svff *s)
{
	struct svff_long_op *l = &s->lop;
	char err[256];
	int rc = 0;

	if (l->phase == 0) {
		if (init_free_chunk(s)) {
			l->op->steps_done = 1;
			l->next = 0;
			l->phase = 1;
		}
		return true;
	}
	if (l->phase == 1) {
		rc = init_prepare(s, err, sizeof(err));
		l->op->steps_done = 2;
		l->phase = 2;
	} else {
		unsigned int end = RTE_MIN(l->next + INIT_CHUNK, l->numvfs);

		for (; l->next < end && rc == 0; l->next++) {
			uint16_t f = svff_vf_func(s, l->next);
			const struct svff_qm_range *to = NULL;

			for (unsigned int i = 0; i < l->plan->nb; i++)
				if (l->plan->mv[i].func == f)
					to = &l->plan->mv[i].to;
			if (to != NULL && to->len > 0) {
				rc = set_queues_retry(s, f, to->base, to->len);
				if (rc == 0)
					svff_qm_set(&s->qm, f, to->base, to->len);
			}
			if (rc < 0)
				snprintf(err, sizeof(err), "the card refused queues for VF %u: %s",
					l->next, rte_strerror(-rc));
			s->vf[l->next].state = SVFF_VF_READY;
			s->vf[l->next].quota = l->qmax;
			l->op->steps_done++;
			if (l->next == l->numvfs / 2)
				svff_crash_point(s, "init", "half");
		}
	}
	if (rc < 0) {
		free(l->plan);
		l->plan = NULL;
		init_finish(s, SVFF_OP_FAILED, "card-refused", err);
		return true;
	}
	if (l->phase == 2 && l->next >= l->numvfs) {
		free(l->plan);
		l->plan = NULL;
		svff_crash_point(s, "init", "placed");
		init_finish(s, SVFF_OP_DONE, NULL, NULL);
	}
	return true;
}

bool
svff_mgr_step(struct svff *s)
{
	bool busy = s->lop.active ? init_step(s) : false;

	return svff_batch_step(s) || busy;
}

/* For the other parts of the manager (svff_pause.c). */
json_t *
svff_op_failed(struct svff *s, struct svff_op *op, int vf, const char *code, const char *msg)
{
	return op_failed(s, op, vf, code, msg);
}

json_t *
svff_op_reply(const struct svff_op *op, unsigned int vf, const struct svff *s)
{
	return op_reply(op, vf, s);
}

json_t *
svff_check_vf(const struct svff *s, uint32_t vf)
{
	return check_vf(s, vf);
}

void
svff_init_run_all(struct svff *s)
{
	while (s->lop.active)
		init_step(s);
}

/* ------------------------------------------------------------ dispatch */

static json_t *
handle_change(struct svff *s, struct svff_req *req)
{
	const struct svff_param_val *p = req->p;
	json_t *reply = NULL;

	if (s->lop.active)
		return svff_error("busy", "an init is running (%u/%u steps): retry when it is "
			"done", s->lop.op->steps_done, s->lop.op->steps_total);
	if (s->batch.active)
		return svff_error("busy", "a %s (%s) waits for its VFs to pause (%u paused): retry "
			"when it is done", s->batch.op->name, s->batch.op->target,
			s->batch.op->steps_done);
	switch (req->cmd) {
	case SVFF_CMD_INIT:
		if (svff_init_start(s, p[0].u, p[1].set ? p[1].u : s->cfg.vfs.queues, req, NULL,
				&reply) == 0)
			return NULL;    /* answered when done */
		return reply;
	case SVFF_CMD_ATTACH:
		return do_attach(s, p[0].u, p[1].name);
	case SVFF_CMD_DETACH:
		return do_detach(s, p[0].u);
	case SVFF_CMD_RECONF:
		return svff_batch_reconf(s, req);          /* NULL: answered when done */
	case SVFF_CMD_PAUSE:
		return svff_batch_pause(s, req, p[0].name);
	case SVFF_CMD_UNPAUSE:
		return svff_batch_unpause(s, p[0].name);
	default:
		return svff_error("internal", "unknown command");
	}
}

void
svff_mgr_handle(struct svff *s, struct svff_req *req)
{
	json_t *reply;

	switch (req->cmd) {
	case SVFF_CMD_INFO:
		reply = svff_report_info(s);
		break;
	case SVFF_CMD_VFS:
		reply = svff_report_vfs(s);
		break;
	case SVFF_CMD_VF:
		reply = req->p[0].u < s->numvfs ? svff_report_vf(s, req->p[0].u) :
			check_vf(s, req->p[0].u);
		break;
	case SVFF_CMD_OPS:
		reply = svff_report_ops(s);
		break;
	case SVFF_CMD_DEBUG_CARD:
		reply = svff_report_card(s);
		break;
	default:
		reply = handle_change(s, req);
		if (reply == NULL)
			return;         /* a long op: its end answers */
		break;
	}
	svff_req_finish(req, reply);
}

/* Take a VF back outside a telemetry request (a VM that went away); logged and journaled. */
void
svff_vf_release(struct svff *s, unsigned int vf, const char *why)
{
	json_t *r;

	SVFF_LOG(NOTICE, "VF %u: VM %s %s: taking the VF back", vf, s->vf[vf].vm, why);
	r = do_detach(s, vf);
	json_decref(r);
}

/* ------------------------------------------------------------ start/stop */

static void
hv_event(void *arg, const struct svff_hv_event *ev)
{
	struct svff *s = arg;

	if (ev->type != SVFF_HV_EVT_DOMAIN_STOPPED && ev->type != SVFF_HV_EVT_DOMAIN_UNDEFINED)
		return;
	/* a VM that is gone releases its VFs */
	for (unsigned int vf = 0; vf < s->numvfs; vf++)
		if (svff_vf_has_vm(&s->vf[vf]) && strcmp(s->vf[vf].vm, ev->vm) == 0)
			svff_vf_release(s, vf, ev->type == SVFF_HV_EVT_DOMAIN_STOPPED ?
				"stopped" : "was undefined");
}

int
svff_mgr_init(struct svff *s, char *err, size_t errlen)
{
	struct rte_pmd_qdma_info info;
	const char *crash = getenv("SVFF_CRASH_AT");
	unsigned int total = 0;
	int rc;

	rc = rte_pmd_qdma_get_info(s->pf_port, &info);
	if (rc == 0)
		rc = rte_pmd_qdma_sriov_get_totalvfs(s->pf_port, &total);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the card: %s", rte_strerror(-rc));
		return rc;
	}
	s->totalvfs = RTE_MIN(total, (unsigned int)SVFF_MAX_VFS);
	svff_qm_init(&s->qm, info.num_qs);
	if (s->cfg.card.pf_queues > 0 && svff_qm_set(&s->qm, 0, 0,
			RTE_MIN(s->cfg.card.pf_queues, info.num_qs)) < 0) {
		snprintf(err, errlen, "cannot reserve the PF's queues");
		return -ENOSPC;
	}
	s->hv = svff_hv_open(s->cfg.card.type == SVFF_CARD_PCI ? SVFF_HV_LIBVIRT :
		SVFF_HV_EMULATED, s->cfg.libvirt_uri, false, hv_event, s, err, errlen);
	if (s->hv == NULL)
		return -EINVAL;
	rc = rte_pmd_qdma_set_policy(s->pf_port, &svff_mgr_policy, s);
	if (rc == 0)
		rc = rte_pmd_qdma_mbox_set_poll(s->pf_port, true);
	if (rc < 0) {
		snprintf(err, errlen, "cannot take over the PF's VF-message service: %s",
			rte_strerror(-rc));
		goto fail;
	}
	rc = svff_recover(s, err, errlen);
	if (rc < 0)
		goto fail_policy;
	/* test-only crash points are armed once start-up is over */
	if (crash != NULL)
		snprintf(s->crash_at, sizeof(s->crash_at), "%s", crash);
	return 0;
fail_policy:
	rte_pmd_qdma_set_policy(s->pf_port, NULL, NULL);
	rte_pmd_qdma_mbox_set_poll(s->pf_port, false);
fail:
	svff_hv_close(s->hv);
	s->hv = NULL;
	return rc;
}

/* The manager loop is over: a long op still running is answered (and stays cut). */
void
svff_mgr_stop(struct svff *s)
{
	if (s->lop.active && s->lop.req != NULL)
		svff_req_finish(s->lop.req, svff_error("shutdown", "svffd is stopping: the init "
			"is finished on the next start"));
	s->lop.req = NULL;
	svff_batch_stop(s);
}

void
svff_mgr_fini(struct svff *s)
{
	bool cut = s->lop.active;

	svff_mgr_stop(s);
	s->lop.active = false;
	free(s->lop.plan);
	s->lop.plan = NULL;
	/* an init cut by the stop stays in the journal: the next start finishes it */
	if (s->journal != NULL && !cut)
		svff_compact(s);
	for (unsigned int vf = 0; vf < SVFF_MAX_VFS; vf++)
		svff_pause_drop(s, vf);
	rte_pmd_qdma_set_policy(s->pf_port, NULL, NULL);
	rte_pmd_qdma_mbox_set_poll(s->pf_port, false);
	svff_hv_close(s->hv);
	s->hv = NULL;
	svff_journal_close(s->journal);
	s->journal = NULL;
}
