/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the hypervisor adapter: the dispatch table every implementation
 * fills, the event queue (libvirt's event thread produces, svff_hv_poll()
 * on the manager lcore consumes) and the libvirt connection helpers the
 * emulated implementation shares with the libvirt one.
 */
#ifndef SVFF_HV_PRIVATE_H
#define SVFF_HV_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "svff_hv.h"

/** Events queued between two svff_hv_poll() calls; more are dropped and counted. */
#define SVFF_HV_EVQ_SIZE 256
/** VFs the emulated implementation tracks (the PCIe SR-IOV maximum of the IP is 252). */
#define SVFF_HV_VF_MAX 256
/** Longest libvirt URI kept. */
#define SVFF_HV_URI_MAX 512

/*
 * The event queue.  Reference counted: the adapter holds one reference and
 * every libvirt callback registration one more (libvirt releases it through
 * the registration's free callback, possibly on its event thread, after
 * the adapter is gone).
 */
struct svff_hv_evq {
	pthread_mutex_t lock;
	unsigned int refs;           /* under lock */
	unsigned int head, count;    /* ring of ev[] */
	uint64_t dropped;
	struct svff_hv_event ev[SVFF_HV_EVQ_SIZE];
};

struct svff_hv_evq *svff_hv_evq_new(void);
/** Take / drop a reference; the last drop frees the queue. */
void svff_hv_evq_get(struct svff_hv_evq *q);
void svff_hv_evq_put(struct svff_hv_evq *q);
/** Queue one event (any thread). */
void svff_hv_evq_push(struct svff_hv_evq *q, enum svff_hv_event_type type, const char *vm,
		const char *alias);

/** One implementation. */
struct svff_hv_ops {
	int (*attach)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
			struct svff_hv_grant *out, char *err, size_t errlen);
	int (*detach)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
			char *err, size_t errlen);
	int (*suspend)(struct svff_hv *hv, const char *vm, char *err, size_t errlen);
	int (*resume)(struct svff_hv *hv, const char *vm, char *err, size_t errlen);
	int (*domain_state)(struct svff_hv *hv, const char *vm, enum svff_hv_dom_state *st,
			char *err, size_t errlen);
	int (*vf_present)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
			bool *present, char *err, size_t errlen);
	/* the device kept across a re-creation of the function (NULL: never) */
	bool (*keeps_device)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf);
	int (*park)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
			char *err, size_t errlen);
	int (*unpark)(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
			const struct svff_hv_vm_link *link, char *err, size_t errlen);
};

extern const struct svff_hv_ops svff_hv_libvirt_ops;
extern const struct svff_hv_ops svff_hv_emulated_ops;

struct svff_hv_virt; /* the libvirt connection (svff_hv_libvirt.c) */

/** What the emulated implementation remembers of a grant it made. */
struct svff_hv_emu_grant {
	bool granted;
	uint64_t token;
	char vm[SVFF_HV_NAME_MAX + 1];
	/* a VF hot-plugged into a libvirt domain (svff_hv_vm.c) */
	bool in_vm;
	unsigned int slot;             /* guest PCI slot on bus 0 */
	char shmem[64];                /* the shmem device's name = /dev/shm file */
	char guest_bdf[16];
	bool parked;                   /* the card let it go, the VM kept it (svff_hv_park()) */
};

struct svff_hv {
	enum svff_hv_kind kind;
	const struct svff_hv_ops *ops;
	bool persistent;
	char uri[SVFF_HV_URI_MAX];     /* "" when no libvirt */
	svff_hv_event_cb cb;
	void *cb_arg;
	struct svff_hv_evq *evq;
	struct svff_hv_virt *virt;     /* NULL until connected (or never) */
	struct svff_hv_emu_grant emu[SVFF_HV_VF_MAX];
	const struct svff_hv_card *card; /* emulated: the card takes VMs (NULL: it does not) */
	void *card_arg;
};

/*
 * svff_hv_vm.c (built with libvirt): a VF of the emulated card in a running domain.
 * Only a domain whose RAM is shared (memoryBacking access mode shared) can take one.
 */
bool svff_hv_vm_capable(struct svff_hv *hv, const char *vm);
int svff_hv_vm_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen);
int svff_hv_vm_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen);
/*
 * Detach of a VF this adapter does not hold (after a restart): an attach a crash cut
 * after its hot-plug left the device in the domain and the BAR file: both go.
 */
void svff_hv_vm_unplug_stale(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf);
/* Park / unpark a VF in a VM across a re-creation of its function (svff_hv_park()). */
int svff_hv_vm_park(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen);
int svff_hv_vm_unpark(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen);

/*
 * libvirt connection, shared by both implementations (svff_hv_libvirt.c).
 * svff_hv_virt_get() returns the live connection, (re)opening it when
 * needed; @p quiet: a failure to reach libvirtd is not an error worth a
 * warning (the emulated implementation then treats the VM as a label).
 * Returns NULL with a sentence in @p err.
 */
struct _virConnect;
struct _virConnect *svff_hv_virt_get(struct svff_hv *hv, bool quiet, char *err, size_t errlen);
void svff_hv_virt_close(struct svff_hv *hv);
/** Whether libvirt support is built in. */
bool svff_hv_virt_built(void);

/** Shared by the implementations: look a domain up, its state, suspend/resume. */
int svff_hv_virt_state(struct _virConnect *conn, const char *vm, enum svff_hv_dom_state *st,
		char *err, size_t errlen);
int svff_hv_virt_suspend(struct _virConnect *conn, const char *vm, bool resume,
		char *err, size_t errlen);

/** A PCI address "dddd:bb:ss.f" (hex, as sysfs writes it), checked strictly. */
struct svff_hv_pci_addr {
	unsigned int domain, bus, slot, function;
};
int svff_hv_parse_bdf(const char *bdf, struct svff_hv_pci_addr *a);

/** Check a VM name: 1..SVFF_HV_NAME_MAX characters of [A-Za-z0-9._-]. */
int svff_hv_check_name(const char *vm, char *err, size_t errlen);

#endif /* SVFF_HV_PRIVATE_H */
