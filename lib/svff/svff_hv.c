/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor adapter: argument checks, dispatch to the implementation, the
 * event queue, and the sysfs lookup of a VF's PCI address.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svff_hv_private.h"
#include "svff_private.h"

/* ------------------------------------------------------------ event queue */

struct svff_hv_evq *
svff_hv_evq_new(void)
{
	struct svff_hv_evq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		free(q);
		return NULL;
	}
	q->refs = 1;
	return q;
}

void
svff_hv_evq_get(struct svff_hv_evq *q)
{
	pthread_mutex_lock(&q->lock);
	q->refs++;
	pthread_mutex_unlock(&q->lock);
}

void
svff_hv_evq_put(struct svff_hv_evq *q)
{
	unsigned int left;

	pthread_mutex_lock(&q->lock);
	left = --q->refs;
	pthread_mutex_unlock(&q->lock);
	if (left != 0)
		return;
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void
svff_hv_evq_push(struct svff_hv_evq *q, enum svff_hv_event_type type, const char *vm,
		const char *alias)
{
	struct svff_hv_event *ev;

	pthread_mutex_lock(&q->lock);
	if (q->count == SVFF_HV_EVQ_SIZE) {
		q->dropped++;
		pthread_mutex_unlock(&q->lock);
		return;
	}
	ev = &q->ev[(q->head + q->count) % SVFF_HV_EVQ_SIZE];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	snprintf(ev->vm, sizeof(ev->vm), "%s", vm != NULL ? vm : "");
	snprintf(ev->alias, sizeof(ev->alias), "%s", alias != NULL ? alias : "");
	q->count++;
	pthread_mutex_unlock(&q->lock);
}

/* Take the oldest event; false when none. */
static bool
evq_pop(struct svff_hv_evq *q, struct svff_hv_event *ev, uint64_t *dropped)
{
	bool got = false;

	pthread_mutex_lock(&q->lock);
	*dropped = q->dropped;
	q->dropped = 0;
	if (q->count != 0) {
		*ev = q->ev[q->head];
		q->head = (q->head + 1) % SVFF_HV_EVQ_SIZE;
		q->count--;
		got = true;
	}
	pthread_mutex_unlock(&q->lock);
	return got;
}

int
svff_hv_poll(struct svff_hv *hv)
{
	struct svff_hv_event ev;
	uint64_t dropped;
	int n = 0;

	if (hv == NULL)
		return -EINVAL;
	while (evq_pop(hv->evq, &ev, &dropped)) {
		if (hv->cb != NULL)
			hv->cb(hv->cb_arg, &ev);
		n++;
	}
	if (dropped != 0)
		SVFF_LOG(WARNING, "hypervisor: %" PRIu64 " events dropped (queue of %u full): "
			"state will be reconciled from the domains", dropped, SVFF_HV_EVQ_SIZE);
	return n;
}

/* ------------------------------------------------------------ checks */

int
svff_hv_check_name(const char *vm, char *err, size_t errlen)
{
	size_t i, n;

	if (vm == NULL || vm[0] == '\0') {
		snprintf(err, errlen, "a VM name is required");
		return -EINVAL;
	}
	n = strnlen(vm, SVFF_HV_NAME_MAX + 1);
	if (n > SVFF_HV_NAME_MAX) {
		snprintf(err, errlen, "VM name longer than %d characters", SVFF_HV_NAME_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		char c = vm[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			snprintf(err, errlen, "VM name '%.*s' has a character outside [A-Za-z0-9._-]",
				SVFF_HV_NAME_MAX, vm);
			return -EINVAL;
		}
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @p n hex digits at @p s; -1 if any is not one. */
static int
hexfield(const char *s, int n)
{
	int v = 0, i, d;

	for (i = 0; i < n; i++) {
		d = hexval(s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

int
svff_hv_parse_bdf(const char *bdf, struct svff_hv_pci_addr *a)
{
	int dom, bus, slot, fn;

	/* exactly "dddd:bb:ss.f" */
	if (bdf == NULL || strlen(bdf) != 12 || bdf[4] != ':' || bdf[7] != ':' || bdf[10] != '.')
		return -EINVAL;
	dom = hexfield(bdf, 4);
	bus = hexfield(bdf + 5, 2);
	slot = hexfield(bdf + 8, 2);
	fn = hexfield(bdf + 11, 1);
	if (dom < 0 || bus < 0 || slot < 0 || slot > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	a->domain = (unsigned int)dom;
	a->bus = (unsigned int)bus;
	a->slot = (unsigned int)slot;
	a->function = (unsigned int)fn;
	return 0;
}

/* ------------------------------------------------------------ sysfs */

int
svff_hv_vf_bdf(const char *sysfs_root, const char *pf_bdf, unsigned int vf,
		char *bdf, size_t len, char *err, size_t errlen)
{
	struct svff_hv_pci_addr a;
	char link[PATH_MAX], target[PATH_MAX], full[16];
	const char *base;
	ssize_t n;

	/* "bb:ss.f" (as EAL's -a takes it) is in PCI domain 0 */
	if (pf_bdf != NULL && strlen(pf_bdf) == 7) {
		snprintf(full, sizeof(full), "0000:%s", pf_bdf);
		pf_bdf = full;
	}
	if (svff_hv_parse_bdf(pf_bdf, &a) < 0) {
		snprintf(err, errlen, "'%s' is not a PCI address (dddd:bb:ss.f)",
			pf_bdf != NULL ? pf_bdf : "");
		return -EINVAL;
	}
	if ((size_t)snprintf(link, sizeof(link), "%s/bus/pci/devices/%s/virtfn%u",
			sysfs_root != NULL ? sysfs_root : "/sys", pf_bdf, vf) >= sizeof(link)) {
		snprintf(err, errlen, "sysfs path too long");
		return -ENAMETOOLONG;
	}
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		int e = errno;

		snprintf(err, errlen, "PF %s has no VF %u (%s: %s)", pf_bdf, vf, link, strerror(e));
		return -e;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (svff_hv_parse_bdf(base, &a) < 0 || strlen(base) >= len) {
		snprintf(err, errlen, "%s points to '%s', not a PCI address", link, target);
		return -EINVAL;
	}
	snprintf(bdf, len, "%s", base);
	return 0;
}

/* ------------------------------------------------------------ dispatch */

#ifndef SVFF_HAVE_LIBVIRT
/* Built without libvirt: no domains exist, and the libvirt kind is refused. */
const struct svff_hv_ops svff_hv_libvirt_ops;

struct _virConnect *
svff_hv_virt_get(struct svff_hv *hv, bool quiet, char *err, size_t errlen)
{
	(void)hv;
	(void)quiet;
	snprintf(err, errlen, "svff was built without libvirt");
	return NULL;
}

void
svff_hv_virt_close(struct svff_hv *hv)
{
	(void)hv;
}

bool
svff_hv_virt_built(void)
{
	return false;
}

int
svff_hv_virt_state(struct _virConnect *conn, const char *vm, enum svff_hv_dom_state *st,
		char *err, size_t errlen)
{
	(void)conn;
	(void)vm;
	(void)err;
	(void)errlen;
	*st = SVFF_HV_DOM_ABSENT;
	return 0;
}

int
svff_hv_virt_suspend(struct _virConnect *conn, const char *vm, bool resume,
		char *err, size_t errlen)
{
	(void)conn;
	(void)resume;
	snprintf(err, errlen, "VM '%s': svff was built without libvirt", vm);
	return -ENOTSUP;
}

int
svff_hv_vm_reattach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen)
{
	(void)hv;
	(void)vf;
	(void)link;
	snprintf(err, errlen, "VM '%s': svff was built without libvirt", vm);
	return -ESRCH;
}

void
svff_hv_vm_forget(struct svff_hv *hv, const struct svff_hv_vm_link *link)
{
	(void)hv;
	(void)link;
}
#endif

struct svff_hv *
svff_hv_open(enum svff_hv_kind kind, const char *uri, bool persistent,
		svff_hv_event_cb cb, void *cb_arg, char *err, size_t errlen)
{
	struct svff_hv *hv;

	if (kind != SVFF_HV_EMULATED && kind != SVFF_HV_LIBVIRT) {
		snprintf(err, errlen, "unknown hypervisor adapter kind %d", (int)kind);
		return NULL;
	}
	if (kind == SVFF_HV_LIBVIRT && !svff_hv_virt_built()) {
		snprintf(err, errlen, "svff was built without libvirt (meson -Dlibvirt=enabled)");
		return NULL;
	}
	if (kind == SVFF_HV_LIBVIRT && (uri == NULL || uri[0] == '\0')) {
		snprintf(err, errlen, "the libvirt adapter needs a libvirt URI (libvirt_uri)");
		return NULL;
	}
	if (uri != NULL && strlen(uri) >= SVFF_HV_URI_MAX) {
		snprintf(err, errlen, "libvirt URI longer than %d characters", SVFF_HV_URI_MAX - 1);
		return NULL;
	}
	hv = calloc(1, sizeof(*hv));
	if (hv == NULL || (hv->evq = svff_hv_evq_new()) == NULL) {
		free(hv);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	hv->kind = kind;
	hv->ops = kind == SVFF_HV_LIBVIRT ? &svff_hv_libvirt_ops : &svff_hv_emulated_ops;
	hv->persistent = persistent;
	snprintf(hv->uri, sizeof(hv->uri), "%s", uri != NULL ? uri : "");
	hv->cb = cb;
	hv->cb_arg = cb_arg;
	/* a PCI card cannot work without libvirtd: say so now, not at the first attach */
	if (kind == SVFF_HV_LIBVIRT && svff_hv_virt_get(hv, false, err, errlen) == NULL) {
		svff_hv_close(hv);
		return NULL;
	}
	return hv;
}

void
svff_hv_set_card(struct svff_hv *hv, const struct svff_hv_card *card, void *arg)
{
	if (hv == NULL)
		return;
	hv->card = card;
	hv->card_arg = arg;
}

void
svff_hv_get_caps(const struct svff_hv *hv, struct svff_hv_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (hv == NULL)
		return;
	caps->kind = hv->kind;
	caps->libvirt_built = svff_hv_virt_built();
	caps->libvirt_uri = hv->uri[0] != '\0';
	caps->vms = hv->kind == SVFF_HV_EMULATED && hv->card != NULL && caps->libvirt_built;
}

void
svff_hv_close(struct svff_hv *hv)
{
	if (hv == NULL)
		return;
	svff_hv_virt_close(hv);
	svff_hv_evq_put(hv->evq);
	free(hv);
}

static int
check_vf(const struct svff_hv_vf *vf, char *err, size_t errlen)
{
	if (vf == NULL || vf->vf >= SVFF_HV_VF_MAX) {
		snprintf(err, errlen, "no such VF");
		return -EINVAL;
	}
	return 0;
}

/* The arguments every per-VF call takes: an adapter, a VM name, a VF (and, @p ptrs_ok,
 * whatever pointers of its own the call needs). */
static int
check_call(const struct svff_hv *hv, bool ptrs_ok, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	int rc;

	if (hv == NULL || !ptrs_ok) {
		snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	rc = svff_hv_check_name(vm, err, errlen);
	return rc < 0 ? rc : check_vf(vf, err, errlen);
}

int
svff_hv_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen)
{
	int rc;

	rc = check_call(hv, out != NULL, vm, vf, err, errlen);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	return hv->ops->attach(hv, vm, vf, out, err, errlen);
}

int
svff_hv_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	int rc;

	rc = check_call(hv, true, vm, vf, err, errlen);
	if (rc < 0)
		return rc;
	return hv->ops->detach(hv, vm, vf, err, errlen);
}

int
svff_hv_suspend(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	int rc;

	if (hv == NULL) {
		snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	rc = svff_hv_check_name(vm, err, errlen);
	return rc < 0 ? rc : hv->ops->suspend(hv, vm, err, errlen);
}

int
svff_hv_resume(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	int rc;

	if (hv == NULL) {
		snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	rc = svff_hv_check_name(vm, err, errlen);
	return rc < 0 ? rc : hv->ops->resume(hv, vm, err, errlen);
}

int
svff_hv_domain_state(struct svff_hv *hv, const char *vm, enum svff_hv_dom_state *st,
		char *err, size_t errlen)
{
	int rc;

	if (hv == NULL || st == NULL) {
		snprintf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	rc = svff_hv_check_name(vm, err, errlen);
	return rc < 0 ? rc : hv->ops->domain_state(hv, vm, st, err, errlen);
}

int
svff_hv_vf_present(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		bool *present, char *err, size_t errlen)
{
	int rc;

	rc = check_call(hv, present != NULL, vm, vf, err, errlen);
	return rc < 0 ? rc : hv->ops->vf_present(hv, vm, vf, present, err, errlen);
}

bool
svff_hv_keeps_device(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf)
{
	char err[128];

	if (hv == NULL || hv->ops->keeps_device == NULL ||
	    svff_hv_check_name(vm, err, sizeof(err)) < 0 || check_vf(vf, err, sizeof(err)) < 0)
		return false;
	return hv->ops->keeps_device(hv, vm, vf);
}

int
svff_hv_park(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	int rc;

	rc = check_call(hv, true, vm, vf, err, errlen);
	if (rc < 0)
		return rc;
	if (hv->ops->park == NULL || !svff_hv_keeps_device(hv, vm, vf)) {
		snprintf(err, errlen, "VM '%s' cannot keep VF %u's device across a re-creation "
			"of the function", vm, vf->vf);
		return -ENOTSUP;
	}
	return hv->ops->park(hv, vm, vf, err, errlen);
}

int
svff_hv_unpark(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen)
{
	int rc;

	rc = check_call(hv, link != NULL, vm, vf, err, errlen);
	if (rc < 0)
		return rc;
	if (hv->ops->unpark == NULL) {
		snprintf(err, errlen, "this adapter keeps no device across a re-creation");
		return -ENOTSUP;
	}
	return hv->ops->unpark(hv, vm, vf, link, err, errlen);
}
