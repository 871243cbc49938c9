/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The svff control plane: one object per svffd instance.  It owns the
 * configuration, the card (through the QDMA PMD's private API) and the VF
 * lifecycle, and serves the /svff/ telemetry commands.
 */
#ifndef SVFF_H
#define SVFF_H

#include <stddef.h>
#include <stdint.h>

#include "svff_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version string of svff (from the VERSION file). */
#define SVFF_VERSION_STRING SVFF_VERSION

struct svff;

/**
 * Create the control plane for @p cfg.  EAL must be initialised and, for an
 * emulated card, the card must be in its slot (cfg->card.socket): svffd
 * attaches its PF there and enables cfg->vfs.count VFs.
 * @return the object, or NULL with a reason in @p err.
 */
struct svff *svff_create(const struct svff_config *cfg, char *err, size_t errlen);

struct svff_hv_card;

/**
 * The embedded emulated card takes VMs (see svff_hv_set_card()): attaching a
 * VF to a running libvirt domain then hot-plugs it there. Call before
 * svff_run(). VFs the journal has in VMs (a restart) are given back to
 * their VMs here, or released if their VMs no longer hold them.
 */
void svff_set_card(struct svff *s, const struct svff_hv_card *card, void *arg);

/**
 * The PF devargs for the config's "mailbox" settings (",mbox_rate=..." and
 * so on; "" when all are defaults), for svffd to add to a PCI card's -a.
 */
void svff_mailbox_devargs(const struct svff_config *cfg, char *buf, size_t len);

/** The PF's ethdev port (QDMA PMD). */
uint16_t svff_pf_port(const struct svff *s);

/** The configuration the instance runs with. */
const struct svff_config *svff_get_config(const struct svff *s);

/** Seconds since svff_create(). */
uint64_t svff_uptime_s(const struct svff *s);

/**
 * Register the /svff/ telemetry commands for @p s.  DPDK 22.11's telemetry
 * callbacks take no context argument, so exactly one instance per process
 * may be registered; a second call fails with -EEXIST.
 */
int svff_telemetry_register(struct svff *s);

/**
 * Run the manager on the calling lcore (the main lcore) until @p *stop
 * becomes non-zero: it serves the telemetry requests, polls the PF's
 * VF-message service and runs long operations in steps, backing off
 * (spin, then sleeps growing up to 1 ms) when idle.
 */
void svff_run(struct svff *s, volatile const int *stop);

/** Stop serving telemetry for @p s (commands then answer with an error). */
void svff_telemetry_unregister(struct svff *s);

/** Release everything @p s holds. */
void svff_destroy(struct svff *s);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_H */
