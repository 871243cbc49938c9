/* SPDX-License-Identifier: BSD-3-Clause */
/* Inside the lifecycle manager: what svff_mgr.c, svff_recover.c and svff_report.c share. */
#ifndef SVFF_MGR_H
#define SVFF_MGR_H

#include <stdarg.h>

#include <rte_common.h>

#include "svff_private.h"

const char *svff_op_state_name(enum svff_op_state st);
bool svff_vf_has_vm(const struct svff_vf *v);
uint16_t svff_vf_func(const struct svff *s, unsigned int vf);
void svff_crash_point(const struct svff *s, const char *op, const char *step);

struct svff_op *svff_op_begin(struct svff *s, const char *name, const char *target,
		uint32_t steps);
void svff_op_end(struct svff *s, struct svff_op *op, enum svff_op_state st, int vf,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

json_t *svff_vf_entry_json(const struct svff *s, unsigned int vf);
int svff_journal_intent(struct svff *s, const struct svff_op *op, json_t *args);
int svff_journal_outcome(struct svff *s, const struct svff_op *op, const char *phase,
		const unsigned int *vfs, unsigned int n);

/** Check the invariants (table, card FMAP, active queues); counts and logs violations. */
void svff_check_invariants(struct svff *s);

/** Give VF @p vf's table range to the card (FMAP + the PMD's window), retrying while busy. */
int svff_vf_window_sync(struct svff *s, unsigned int vf);
/** Take VF @p vf's window away and give it back: its queue contexts are cleared. */
int svff_vf_window_reset(struct svff *s, unsigned int vf);
/** Apply a plan to the card (free moved ranges first, then place), then to the table. */
int svff_apply_plan(struct svff *s, const struct svff_qm_plan *plan);
/** Set numvfs on the card (through 0 as Linux requires). */
int svff_set_numvfs(struct svff *s, uint32_t n, char *err, size_t errlen);
/** Describe VF @p vf to the hypervisor adapter. */
void svff_hv_vf_of(const struct svff *s, unsigned int vf, struct svff_hv_vf *hvf);

/** Can VF @p vf's range move (paused, or ready with no active queue)? */
bool svff_vf_movable(const struct svff *s, unsigned int vf);

/** Detach VF @p vf because its VM went away (@p why, for the log). */
void svff_vf_release(struct svff *s, unsigned int vf, const char *why);

/* svff_vm.c: VFs in VMs (emulated card): across a restart (the journal's vm_link), /svff/info */
void svff_vm_link_json(const struct svff *s, unsigned int vf, json_t *o);
void svff_vm_link_parse(const json_t *entry, struct svff_hv_vm_link *l);
/** Serve what the card has queued for the PF (reset notices) until it is quiet (bounded). */
void svff_mbox_drain(struct svff *s);
/** Once the card is known: give journaled VM VFs back to their VMs (or release them). */
void svff_recover_vms(struct svff *s);
/** /svff/info's "hypervisor": the adapter, libvirt, whether VFs can go into VMs. */
json_t *svff_hv_info_json(const struct svff *s);

/* svff_recover.c */
int svff_recover(struct svff *s, char *err, size_t errlen);
json_t *svff_snapshot(const struct svff *s);
int svff_compact(struct svff *s);

/* svff_report.c: read-only replies */
json_t *svff_report_info(struct svff *s);
json_t *svff_report_vfs(struct svff *s);
json_t *svff_report_vf(struct svff *s, unsigned int vf);
json_t *svff_report_ops(struct svff *s);
json_t *svff_report_card(struct svff *s);
json_t *svff_op_json(const struct svff_op *op);

/* the long init operation */
int svff_init_start(struct svff *s, uint32_t numvfs, uint32_t qmax, struct svff_req *req,
		const char *target, json_t **reply);
void svff_init_run_all(struct svff *s);

#endif /* SVFF_MGR_H */
