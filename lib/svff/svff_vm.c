/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFs in VMs across a restart of svffd (emulated card).  The card dies with
 * svffd, the guest does not: its QEMU keeps the VF's BAR file mapped and
 * its PMD keeps polling it.  So each such VF's journal entry carries its
 * link to the VM (domain UUID and id, BAR file, guest slot, the RAM's
 * identity); once the new card is plugged (svff_set_card()), the VF is
 * given back to the same running domain instance: the card adopts the BAR
 * file and the same RAM as the DMA window, and the PF sends RESTORE, on
 * which the guest's PMD registers again and restarts its queues (the guest
 * sees a stall).  A VM that stopped, restarted or lost the device meanwhile
 * gets nothing back: the VF is released and the file removed; a VM that
 * cannot be checked (libvirtd unreachable) leaves the VF failed, with the
 * reason (detach still works).
 * Also what /svff/info says of the hypervisor side.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_mgr.h"

void
svff_vm_link_json(const struct svff *s, unsigned int vf, json_t *o)
{
	const struct svff_hv_vm_link *l = &s->vf[vf].link;
	char dev[24], ino[24];

	if (l->shmem[0] == '\0' || !svff_vf_has_vm(&s->vf[vf]))
		return;
	/* hex strings: JSON integers are signed */
	snprintf(dev, sizeof(dev), "%" PRIx64, l->ram_dev);
	snprintf(ino, sizeof(ino), "%" PRIx64, l->ram_ino);
	json_object_set_new(o, "vm_link", json_pack("{s:s, s:i, s:s, s:i, s:s, s:s}", "uuid",
		l->uuid, "dom_id", l->dom_id, "shmem", l->shmem, "slot", (int)l->slot,
		"ram_dev", dev, "ram_ino", ino));
}

static const char *
str_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

void
svff_vm_link_parse(const json_t *entry, struct svff_hv_vm_link *l)
{
	const json_t *o = json_object_get(entry, "vm_link");
	json_t *id = json_object_get(o, "dom_id"), *slot = json_object_get(o, "slot");

	memset(l, 0, sizeof(*l));
	if (!json_is_object(o) || !json_is_integer(id) || !json_is_integer(slot))
		return;
	snprintf(l->uuid, sizeof(l->uuid), "%s", str_of(o, "uuid"));
	snprintf(l->shmem, sizeof(l->shmem), "%s", str_of(o, "shmem"));
	l->dom_id = (int)json_integer_value(id);
	l->slot = (unsigned int)json_integer_value(slot);
	l->ram_dev = strtoull(str_of(o, "ram_dev"), NULL, 16);
	l->ram_ino = strtoull(str_of(o, "ram_ino"), NULL, 16);
}

/*
 * Serve what the new card has queued for the PF (the VFs' reset notices of
 * its numvfs change) before RESTORE goes out: a reset notice handled after
 * it would withdraw it from the outbox.  Bounded: until 3 quiet rounds.
 */
void
svff_mbox_drain(struct svff *s)
{
	for (int quiet = 0, i = 0; quiet < 3 && i < 200; i++) {
		if (rte_pmd_qdma_mbox_service(s->pf_port, 64) > 0) {
			quiet = 0;
		} else {
			quiet++;
			rte_delay_us_sleep(2000);
		}
	}
}

/* VF @p vf back into its VM; false if the VM no longer has it. */
static bool
reattach_one(struct svff *s, unsigned int vf)
{
	struct svff_vf *v = &s->vf[vf];
	struct svff_hv_vm_link link = v->link;
	struct svff_hv_vf hvf;
	struct svff_op *op;
	char target[96], err[256];
	int rc;

	snprintf(target, sizeof(target), "vf%u vm=%s", vf, v->vm);
	op = svff_op_begin(s, "reattach", target, 2);
	svff_hv_vf_of(s, vf, &hvf);
	rc = svff_hv_vm_reattach(s->hv, v->vm, &hvf, &link, err, sizeof(err));
	if (rc == -ESRCH) {
		/* the VM is gone, restarted or without the device: nobody holds the VF */
		svff_journal_outcome(s, op, "failed", NULL, 0);
		/* results and reasons stay below telemetry's 128-character strings */
		svff_op_end(s, op, SVFF_OP_FAILED, (int)vf, "VF %u not back in its VM: %.100s", vf,
			err);
		svff_vf_release(s, vf, "no longer holds it (found at start-up)");
		svff_hv_vm_forget(s->hv, &link);
		return false;
	}
	if (rc < 0) {
		/* not known (libvirtd unreachable, ...): the VM may still hold it; detach works */
		v->state = SVFF_VF_FAILED;
		snprintf(v->reason, sizeof(v->reason), "not given back to its VM after the "
			"restart: %.80s", err);
		svff_journal_outcome(s, op, "done", &vf, 1);
		svff_op_end(s, op, SVFF_OP_FAILED, (int)vf, "VF %u: %s", vf, v->reason);
		return false;
	}
	op->steps_done = 1;
	/* the guest's PMD registers again (HELLO, window, queues) on RESTORE */
	svff_mbox_drain(s);
	rc = rte_pmd_qdma_vf_restore(s->pf_port, svff_vf_func(s, vf));
	if (rc < 0)
		SVFF_LOG(ERR, "VF %u: cannot send RESTORE: %s", vf, rte_strerror(-rc));
	svff_journal_outcome(s, op, "done", &vf, 1);
	svff_op_end(s, op, SVFF_OP_DONE, (int)vf, "VF %u back in VM %.64s (RESTORE sent%s)", vf,
		v->vm, v->state == SVFF_VF_PAUSED ? ", paused" : "");
	return true;
}

void
svff_recover_vms(struct svff *s)
{
	unsigned int back = 0, gone = 0;

	for (unsigned int vf = 0; vf < s->numvfs; vf++) {
		if (!svff_vf_has_vm(&s->vf[vf]) || s->vf[vf].link.shmem[0] == '\0')
			continue;
		if (reattach_one(s, vf))
			back++;
		else
			gone++;
	}
	if (back + gone > 0)
		SVFF_LOG(NOTICE, "VFs in VMs after the restart: %u given back, %u not",
			back, gone);
}

json_t *
svff_hv_info_json(const struct svff *s)
{
	struct svff_hv_caps c;
	unsigned int in_vm = 0;
	const char *why = "";

	svff_hv_get_caps(s->hv, &c);
	for (unsigned int vf = 0; vf < s->numvfs; vf++)
		in_vm += svff_vf_has_vm(&s->vf[vf]) && s->vf[vf].link.shmem[0] != '\0';
	if (c.kind == SVFF_HV_LIBVIRT)
		why = "a PCI card's VFs go to VMs as libvirt hostdevs";
	else if (!c.libvirt_built)
		why = "svff was built without libvirt";
	else if (!c.vms)
		why = "the card is not embedded in svffd (card.type socket): it cannot export BARs";
	else if (!c.libvirt_uri)
		why = "libvirt_uri is not configured: VM names are labels";
	return json_pack("{s:s, s:b, s:b, s:b, s:s, s:i}",
		"adapter", c.kind == SVFF_HV_LIBVIRT ? "libvirt" : "emulated",
		"libvirt", c.libvirt_built, "libvirt_configured", c.libvirt_uri,
		/* a VF into a running domain: ivshmem BAR + the domain's RAM as DMA window */
		"vm_passthrough", c.kind == SVFF_HV_EMULATED && c.vms,
		"vm_passthrough_note", why, "vfs_in_vms", (int)in_vm);
}
