/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor adapter, emulated card: a VF is a function of the card that a
 * guest process opens over the card's slot socket with a token.  Attach
 * grants a fresh random token and returns the guest's --vdev devargs;
 * detach revokes it (the card disconnects the VF's user, which sees a
 * removal).  The VM name is a label, unless libvirt is configured,
 * reachable and has a domain of that name: then that domain must run, and
 * if its RAM is shared and svffd's card takes VMs, the VF is hot-plugged
 * into it instead (svff_hv_vm.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_hv_private.h"
#include "svff_private.h"

/*
 * If libvirt knows @p vm, it must be running (*running set).  libvirt not
 * configured or not reachable: the name is a label (0).
 */
static int
check_vm(struct svff_hv *hv, const char *vm, bool *running, char *err, size_t errlen)
{
	enum svff_hv_dom_state st;
	char why[256];
	struct _virConnect *conn;
	int rc;

	*running = false;
	if (hv->uri[0] == '\0')
		return 0;
	conn = svff_hv_virt_get(hv, true, why, sizeof(why));
	if (conn == NULL) {
		SVFF_LOG(DEBUG, "hypervisor: VM '%s' taken as a label: %s", vm, why);
		return 0;
	}
	rc = svff_hv_virt_state(conn, vm, &st, why, sizeof(why));
	if (rc < 0) {
		SVFF_LOG(WARNING, "hypervisor: VM '%s' taken as a label: %s", vm, why);
		return 0;
	}
	*running = st == SVFF_HV_DOM_RUNNING;
	if (st == SVFF_HV_DOM_ABSENT || st == SVFF_HV_DOM_RUNNING)
		return 0;
	snprintf(err, errlen, "VM '%s' is a libvirt domain that is not running (%s): start it "
		"first", vm, st == SVFF_HV_DOM_PAUSED ? "paused" :
		st == SVFF_HV_DOM_SHUTOFF ? "shut off" : "neither running nor stopped");
	return -EHOSTDOWN;
}

/* A random non-zero token (0 means "no grant" on the card). */
static int
fresh_token(uint64_t *token, char *err, size_t errlen)
{
	do {
		if (getrandom(token, sizeof(*token), 0) != (ssize_t)sizeof(*token)) {
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return -EIO;
		}
	} while (*token == 0);
	return 0;
}

static int
emu_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];
	bool running = false;
	uint64_t token;
	int rc, n;

	if (vf->card_socket == NULL || vf->card_socket[0] == '\0') {
		snprintf(err, errlen, "VF %u: the card's slot socket is unknown", vf->vf);
		return -EINVAL;
	}
	if (g->granted) {
		snprintf(err, errlen, "VF %u is already attached to VM '%s'", vf->vf, g->vm);
		return -EBUSY;
	}
	rc = check_vm(hv, vm, &running, err, errlen);
#ifdef SVFF_HAVE_LIBVIRT
	/*
	 * a running domain with shared RAM and a card that takes VMs: hot-plug it there
	 * (any other domain: a name checked, the guest opens the VF over the slot)
	 */
	if (rc == 0 && running && hv->card != NULL && svff_hv_vm_capable(hv, vm))
		return svff_hv_vm_attach(hv, vm, vf, out, err, errlen);
#endif
	if (rc == 0)
		rc = fresh_token(&token, err, errlen);
	if (rc < 0)
		return rc;
	n = snprintf(out->devargs, sizeof(out->devargs), "net_qdma%u,card=%s,fn=vf%u,token=0x%016"
		PRIx64, vf->vf, vf->card_socket, vf->vf, token);
	if (n < 0 || (size_t)n >= sizeof(out->devargs)) {
		out->devargs[0] = '\0';
		snprintf(err, errlen, "VF %u: the devargs do not fit %d bytes (card socket path too "
			"long)", vf->vf, SVFF_HV_DEVARGS_MAX);
		return -ENAMETOOLONG;
	}
	rc = rte_pmd_qdma_vf_grant(vf->pf_port, vf->vf, token);
	if (rc < 0) {
		out->devargs[0] = '\0';
		snprintf(err, errlen, "the card refused to grant VF %u: %s", vf->vf,
			rte_strerror(-rc));
		return rc;
	}
	out->token = token;
	g->granted = true;
	g->token = token;
	snprintf(g->vm, sizeof(g->vm), "%s", vm);
	return 0;
}

static int
emu_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];
	int rc;

	/* not granted by this adapter (e.g. after a restart): revoking is harmless */
	if (g->granted && strcmp(g->vm, vm) != 0) {
		snprintf(err, errlen, "VF %u is attached to VM '%s', not '%s'", vf->vf, g->vm, vm);
		return -EINVAL;
	}
#ifdef SVFF_HAVE_LIBVIRT
	if (g->granted && g->in_vm)
		return svff_hv_vm_detach(hv, vm, vf, err, errlen);
	if (!g->granted && hv->uri[0] != '\0')
		svff_hv_vm_unplug_stale(hv, vm, vf);
#endif
	rc = rte_pmd_qdma_vf_revoke(vf->pf_port, vf->vf);
	if (rc < 0) {
		snprintf(err, errlen, "the card refused to revoke VF %u: %s", vf->vf,
			rte_strerror(-rc));
		return rc;
	}
	memset(g, 0, sizeof(*g));
	return 0;
}

/* Suspend/resume/state: only for a VM that is a libvirt domain. */
static int
emu_suspend_resume(struct svff_hv *hv, const char *vm, bool resume, char *err, size_t errlen)
{
	struct _virConnect *conn;

	if (hv->uri[0] == '\0') {
		snprintf(err, errlen, "VM '%s' is a label (no libvirt configured): it cannot be %s",
			vm, resume ? "resumed" : "suspended");
		return -ENOTSUP;
	}
	conn = svff_hv_virt_get(hv, true, err, errlen);
	if (conn == NULL)
		return -ECONNREFUSED;
	return svff_hv_virt_suspend(conn, vm, resume, err, errlen);
}

static int
emu_suspend(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	return emu_suspend_resume(hv, vm, false, err, errlen);
}

static int
emu_resume(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	return emu_suspend_resume(hv, vm, true, err, errlen);
}

static int
emu_state(struct svff_hv *hv, const char *vm, enum svff_hv_dom_state *st, char *err,
		size_t errlen)
{
	struct _virConnect *conn;
	char why[256];

	*st = SVFF_HV_DOM_ABSENT;
	if (hv->uri[0] == '\0')
		return 0;
	conn = svff_hv_virt_get(hv, true, why, sizeof(why));
	if (conn == NULL)
		return 0;
	return svff_hv_virt_state(conn, vm, st, err, errlen);
}

/*
 * The card has no query for its grants, so this is what this adapter
 * granted and has not revoked (the card keeps grants across a restart of
 * the control plane; the journal holds the tokens for that case).
 */
static int
emu_present(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf, bool *present,
		char *err, size_t errlen)
{
	const struct svff_hv_emu_grant *g = &hv->emu[vf->vf];

	(void)err;
	(void)errlen;
	*present = g->granted && strcmp(g->vm, vm) == 0;
	return 0;
}

/*
 * A VF in a VM keeps its device across a re-creation of its function: the BAR is
 * a file QEMU maps and the DMA window the VM's RAM, both of which the card can take
 * again.  A process guest's connection to the slot is cut: it cannot.
 */
static bool
emu_keeps_device(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf)
{
	const struct svff_hv_emu_grant *g = &hv->emu[vf->vf];

	return hv->card != NULL && g->granted && g->in_vm && strcmp(g->vm, vm) == 0;
}

static int
emu_park(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf, char *err,
		size_t errlen)
{
#ifdef SVFF_HAVE_LIBVIRT
	return svff_hv_vm_park(hv, vm, vf, err, errlen);
#else
	(void)hv;
	snprintf(err, errlen, "VF %u (VM '%s'): svff was built without libvirt", vf->vf, vm);
	return -ENOTSUP;
#endif
}

static int
emu_unpark(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen)
{
#ifdef SVFF_HAVE_LIBVIRT
	return svff_hv_vm_unpark(hv, vm, vf, link, err, errlen);
#else
	(void)hv;
	(void)link;
	snprintf(err, errlen, "VF %u (VM '%s'): svff was built without libvirt", vf->vf, vm);
	return -ENOTSUP;
#endif
}

const struct svff_hv_ops svff_hv_emulated_ops = {
	.keeps_device = emu_keeps_device,
	.park = emu_park,
	.unpark = emu_unpark,
	.attach = emu_attach,
	.detach = emu_detach,
	.suspend = emu_suspend,
	.resume = emu_resume,
	.domain_state = emu_state,
	.vf_present = emu_present,
};
