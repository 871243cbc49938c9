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

/**
 * A VF of the emulated card hot-plugged into a libvirt domain: what a restart
 * of the control plane needs to find it again (journal it).  shmem[0] == 0:
 * the VF is not in a VM.
 */
struct svff_hv_vm_link {
	char uuid[40];       /**< the domain's UUID */
	int dom_id;          /**< libvirt's domain id: a new one at every start of the domain */
	char shmem[64];      /**< the ivshmem device's name = its file in /dev/shm (the BAR) */
	unsigned int slot;   /**< guest PCI slot on bus 0 */
	uint64_t ram_dev;    /**< the guest RAM's identity (st_dev, st_ino of its memfd/file) */
	uint64_t ram_ino;
};

/** What attach gives back. */
struct svff_hv_grant {
	uint64_t token;                     /**< emulated: the granted token (journal it) */
	char devargs[SVFF_HV_DEVARGS_MAX];  /**< emulated: the guest's --vdev string */
	char alias[SVFF_HV_NAME_MAX + 1];   /**< libvirt: the hostdev's alias ("ua-svff-vfN") */
	char guest_bdf[16];                 /**< emulated, VM: the VF's PCI address in the guest */
	struct svff_hv_vm_link vm;          /**< emulated, VM: journal it (see above) */
};

/**
 * What the emulated card offers for VMs (svffd embeds the card and passes
 * these in): attach VF @p vf with its BAR exported as the new tmpfs file
 * @p bar_path (@p bar_size bytes, owner @p uid/@p gid, mode 0600) and the
 * guest RAM (@p ram_fd, @p ram_len bytes, borrowed) as its only DMA window
 * at IOVA 0; detach it again (-ENOENT: not attached).  @p adopt: the file exists
 * (a QEMU maps it since before a restart of svffd, or it was kept across a VF count
 * change) and is taken as it is.  @p keep_file: the detach leaves the file (the VM
 * keeps the device while the card re-creates the function; adopted again after).
 */
struct svff_hv_card {
	int (*attach_vm)(void *arg, unsigned int vf, const char *bar_path, uint64_t bar_size,
			int uid, int gid, int ram_fd, uint64_t ram_len, bool adopt, char *err,
			size_t errlen);
	int (*detach_vm)(void *arg, unsigned int vf, bool keep_file);
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

/** What an adapter can do (/svff/info). */
struct svff_hv_caps {
	enum svff_hv_kind kind;
	bool libvirt_built;  /**< svff was built with libvirt */
	bool libvirt_uri;    /**< a libvirt URI is configured */
	bool vms;            /**< emulated: attach can put a VF into a running libvirt domain
	                          (the card takes VMs and libvirt is built in) */
};

/** Fill @p caps for @p hv. */
void svff_hv_get_caps(const struct svff_hv *hv, struct svff_hv_caps *caps);

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

/**
 * After a restart of the control plane: give @p vf back to @p vm as the journal's @p link
 * says it was (emulated card, a card that takes VMs): the same domain instance must still
 * run with the same RAM and its QEMU must still map the BAR file; the card adopts that file
 * as the VF's BAR and the RAM as its DMA window again (no hot-plug: the device never left).
 * @return 0; -ESRCH (the domain stopped, restarted or no longer holds the device: release
 *         the VF, svff_hv_vm_forget()), or another negative errno.
 */
int svff_hv_vm_reattach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen);

/**
 * Can @p vm keep its device of @p vf while the VF's function is destroyed and
 * re-created (a VF count change goes N -> 0 -> M)?  Only where what the guest
 * holds is not the function itself: a VF of the emulated card in a VM (its BAR
 * is a file QEMU maps, its DMA window the VM's RAM; the card can take both
 * again).  Not a PCI card's VF (its vfio device goes with the count) nor a
 * process guest on the emulated card's slot socket (its connection is cut).
 */
bool svff_hv_keeps_device(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf);

/**
 * Before a VF count change: the card lets @p vf go while @p vm keeps its
 * device (nothing is unplugged, the BAR file stays; the guest's driver sees
 * nothing).  Only for a VF svff_hv_keeps_device() accepts (-ENOTSUP otherwise).
 */
int svff_hv_park(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen);

/**
 * After it: the re-created function takes the kept device back: the card
 * adopts the same BAR file and the same RAM as the DMA window (@p link as
 * attach returned it; the same domain instance must still run and map the
 * file).  On failure (-ESRCH: the VM no longer holds the device) the VF stays
 * parked: svff_hv_detach() takes it from the VM and removes the file.
 */
int svff_hv_unpark(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen);

/** The VM of @p link is gone: remove the BAR file it left (if it is still the one made). */
void svff_hv_vm_forget(struct svff_hv *hv, const struct svff_hv_vm_link *link);

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
