/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Hypervisor adapter of the svff control plane: how a VF is given to a VM
 * and taken back.  One small interface, two implementations:
 *  - libvirt (a real card): the VF's PCI address is hot-plugged into the
 *    domain as a managed hostdev (virDomainAttachDeviceFlags), taken back
 *    with virDomainDetachDeviceFlags; suspend/resume for the forced pause;
 *    domain lifecycle events release a VM's VFs;
 *  - emulated (the emulated card): a VF is a card function; attach grants a
 *    fresh random token on the card (rte_pmd_qdma_vf_grant) and returns the
 *    devargs a guest process uses; detach revokes it.  The VM name is a
 *    label, unless a libvirt domain of that name exists: then it must be
 *    running.
 *
 * Threading: every function is called from the manager lcore only.  Events
 * (libvirt's event loop runs on a thread of the adapter) are queued and
 * delivered to the callback on the caller's thread by svff_hv_poll().
 *
 * All functions return 0 or a negative errno, with a sentence in @p err.
 */
#ifndef SVFF_HV_H
#define SVFF_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest VM (domain) name, without the NUL. */
#define SVFF_HV_NAME_MAX 64
/** Size of the buffer for what a guest needs to reach its VF. */
#define SVFF_HV_DEVARGS_MAX 256

/** Which implementation. */
enum svff_hv_kind {
	SVFF_HV_EMULATED = 0, /**< VFs of the emulated card (token grants) */
	SVFF_HV_LIBVIRT,      /**< VFs of a PCI card, hot-plugged through libvirt */
};

/** The VF an operation is about. */
struct svff_hv_vf {
	unsigned int vf;        /**< VF index (0-based) */
	uint16_t func_id;       /**< QDMA function number */
	uint16_t pf_port;       /**< ethdev port of the PF (QDMA PMD) */
	char bdf[16];           /**< PCI: the VF's address (sysfs virtfn<n>); "" when emulated */
	const char *card_socket; /**< emulated: the card's slot socket */
};

/** What attach gives back. */
struct svff_hv_grant {
	uint64_t token;                     /**< emulated: the granted token (journal it) */
	char devargs[SVFF_HV_DEVARGS_MAX];  /**< emulated: the guest's --vdev string */
	char alias[SVFF_HV_NAME_MAX + 1];   /**< libvirt: the hostdev's alias ("ua-svff-vfN") */
	char guest_bdf[16];                 /**< emulated, VM: the VF's PCI address in the guest */
};

/**
 * What the emulated card offers for VMs (svffd embeds the card and passes
 * these in): attach VF @p vf with its BAR exported as the new tmpfs file
 * @p bar_path (@p bar_size bytes, owner @p uid/@p gid, mode 0600) and the
 * guest RAM (@p ram_fd, @p ram_len bytes, borrowed) as its only DMA window
 * at IOVA 0; detach it again (-ENOENT: not attached).
 */
struct svff_hv_card {
	int (*attach_vm)(void *arg, unsigned int vf, const char *bar_path, uint64_t bar_size,
			int uid, int gid, int ram_fd, uint64_t ram_len, char *err, size_t errlen);
	int (*detach_vm)(void *arg, unsigned int vf);
	/**
	 * Load another user logic ("loopback", "generator", "sink"): the emulated card's
	 * stand-in for a new bitstream (svffd's reconf pauses the VFs around it). NULL: none.
	 */
	int (*load_personality)(void *arg, const char *name, char *err, size_t errlen);
};

/** Domain states, as far as svff cares. */
enum svff_hv_dom_state {
	SVFF_HV_DOM_ABSENT = 0, /**< no such domain */
	SVFF_HV_DOM_RUNNING,
	SVFF_HV_DOM_PAUSED,
	SVFF_HV_DOM_SHUTOFF,    /**< defined, not running */
	SVFF_HV_DOM_OTHER,      /**< crashed, starting, ... */
};

/** Events delivered by svff_hv_poll(). */
enum svff_hv_event_type {
	SVFF_HV_EVT_DOMAIN_STOPPED = 1, /**< shut down, destroyed or crashed */
	SVFF_HV_EVT_DOMAIN_UNDEFINED,
	SVFF_HV_EVT_DEVICE_REMOVED,     /**< a hostdev left the domain (confirms a detach) */
};

/** One event. */
struct svff_hv_event {
	enum svff_hv_event_type type;
	char vm[SVFF_HV_NAME_MAX + 1];
	char alias[SVFF_HV_NAME_MAX + 1]; /**< DEVICE_REMOVED: the device's alias */
};

/** Event callback (runs on the thread calling svff_hv_poll()). */
typedef void (*svff_hv_event_cb)(void *arg, const struct svff_hv_event *ev);

struct svff_hv;

/**
 * Open an adapter.
 * @param uri        libvirt URI (libvirt: required; emulated: used only to
 *                   look a VM name up, may be NULL or "" for no libvirt).
 * @param persistent libvirt: also change the domain's persistent config.
 */
struct svff_hv *svff_hv_open(enum svff_hv_kind kind, const char *uri, bool persistent,
		svff_hv_event_cb cb, void *cb_arg, char *err, size_t errlen);

/**
 * Emulated adapter: the card can take VMs. From then on attaching a VF to a
 * VM name that is a running libvirt domain with shared RAM (memoryBacking
 * access mode shared) hot-plugs it into that domain (an ivshmem-plain device
 * for the BAR, the domain's RAM as the DMA window); other names are handled
 * as before (token grant). @p card NULL turns it off.
 */
void svff_hv_set_card(struct svff_hv *hv, const struct svff_hv_card *card, void *arg);

/** Close it (stops the event thread). */
void svff_hv_close(struct svff_hv *hv);

/** Give @p vf to @p vm; @p out says how the guest reaches it. */
int svff_hv_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen);

/** Take @p vf back from @p vm (the guest sees a removal). */
int svff_hv_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen);

/** Suspend / resume a VM (the forced-pause path). */
int svff_hv_suspend(struct svff_hv *hv, const char *vm, char *err, size_t errlen);
int svff_hv_resume(struct svff_hv *hv, const char *vm, char *err, size_t errlen);

/** State of domain @p vm (ABSENT when libvirt has none or is not used). */
int svff_hv_domain_state(struct svff_hv *hv, const char *vm, enum svff_hv_dom_state *st,
		char *err, size_t errlen);

/**
 * Whether @p vm currently holds @p vf (libvirt: a hostdev with the VF's
 * address in the live domain XML; emulated: the card's grant is in place).
 * Used to reconcile the journal with reality after a restart.
 */
int svff_hv_vf_present(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		bool *present, char *err, size_t errlen);

/** Deliver queued events to the callback; returns how many. */
int svff_hv_poll(struct svff_hv *hv);

/**
 * PCI address of VF @p vf (0-based) of the PF at @p pf_bdf, from the PF's
 * sysfs link virtfn<vf> (what svff_hv_vf.bdf needs on a PCI card).
 * @p pf_bdf is "dddd:bb:ss.f" or "bb:ss.f" (domain 0).
 * @param sysfs_root "/sys", or a fake tree in tests (NULL means "/sys").
 * @return 0, -ENOENT (no such VF: SR-IOV off or vf >= numvfs), -EINVAL
 *         (malformed address) or another negative errno.
 */
int svff_hv_vf_bdf(const char *sysfs_root, const char *pf_bdf, unsigned int vf,
		char *bdf, size_t len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_HV_H */
