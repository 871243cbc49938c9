/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor adapter, emulated card, VM side: a VF given to a running
 * libvirt domain (QEMU) with stock parts only.
 *  - BAR: the card exports the VF's config BAR as /dev/shm/svff-<card>-vf<N>
 *    (owned by QEMU's user, mode 0600), hot-plugged live as an ivshmem-plain
 *    device at a fixed guest PCI address (bus 0, slot SVFF_VM_SLOT0 + N);
 *  - DMA: the domain's RAM (memoryBacking source memfd, or a file on
 *    tmpfs/hugetlbfs, access shared) is the VF's only DMA window, IOVA =
 *    guest-physical address = offset in the RAM (machine type pc, RAM <=
 *    2 GiB, so the RAM is one block below the PCI hole). It is found in the
 *    QEMU process: the shared mapping of the RAM's size in /proc/<pid>/maps,
 *    opened through /proc/<pid>/map_files (root);
 *  - detach: PF_BYE to the VF first (the guest PMD polls its mailbox and
 *    raises RTE_ETH_EVENT_INTR_RMV), a short wait for the guest to let go,
 *    then the device is unplugged and the card detaches the VF.
 * Everything here needs libvirt; without a card that can attach VMs
 * (svff_hv_set_card()) the adapter treats VM names as labels.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <rte_cycles.h>
#include <rte_pmd_qdma.h>

#include "svff_hv_private.h"
#include "svff_private.h"

/** Guest PCI slot of VF 0's device (bus 0 of machine pc); VF n uses slot + n. */
#define SVFF_VM_SLOT0 0x10
#define SVFF_VM_MAX_VFS (0x20 - SVFF_VM_SLOT0)
/** The ivshmem device's size (libvirt wants a power of two, at least 1 MiB). */
#define SVFF_VM_BAR_FILE_SIZE (1u << 20)
/** Largest guest RAM: below the PCI hole, guest-physical = offset in the RAM. */
#define SVFF_VM_RAM_MAX (2ull << 30)
/** How long detach waits for the guest to let the VF go after PF_BYE. */
#define SVFF_VM_BYE_WAIT_MS 5000u
/** Then how long the guest's application gets to stop using the port. */
#define SVFF_VM_BYE_GRACE_MS 500u
#define QEMU_PID_DIR "/run/libvirt/qemu"

/* The QEMU process of running domain @p vm, checked against its command line. */
static int
qemu_pid(const char *vm, pid_t *pid, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[4096], want[SVFF_HV_NAME_MAX + 16];
	FILE *f;
	size_t n;
	long p = 0;

	snprintf(path, sizeof(path), "%s/%s.pid", QEMU_PID_DIR, vm);
	f = fopen(path, "re");
	if (f == NULL || fscanf(f, "%ld", &p) != 1 || p <= 0) {
		if (f != NULL)
			fclose(f);
		snprintf(err, errlen, "VM '%s': no QEMU process (%s)", vm, path);
		return -ESRCH;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", p);
	f = fopen(path, "re");
	n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	snprintf(want, sizeof(want), "guest=%s,", vm);
	if (strstr(buf, want) == NULL) {
		snprintf(err, errlen, "VM '%s': process %ld is not its QEMU", vm, p);
		return -ESRCH;
	}
	*pid = (pid_t)p;
	return 0;
}

/* uid/gid of process @p pid (QEMU's user: the BAR file's owner). */
static int
proc_ids(pid_t pid, int *uid, int *gid)
{
	char path[64], line[256];
	FILE *f;

	*uid = *gid = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Uid:", 4) == 0)
			*uid = atoi(line + 4);
		else if (strncmp(line, "Gid:", 4) == 0)
			*gid = atoi(line + 4);
	}
	fclose(f);
	return *uid >= 0 && *gid >= 0 ? 0 : -EIO;
}

/*
 * Open the guest RAM of QEMU @p pid: the one shared read-write mapping of
 * exactly @p ram bytes whose name is a RAM backend (memfd or pc.ram).
 */
static int
open_ram(pid_t pid, uint64_t ram, char *err, size_t errlen)
{
	char path[128], line[512], found[40] = "";
	unsigned long long lo, hi;
	char perms[8];
	int nfound = 0, fd;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3 || hi - lo != ram ||
				strcmp(perms, "rw-s") != 0)
			continue;
		if (strstr(line, "memory-backend-memfd") == NULL && strstr(line, "pc.ram") == NULL)
			continue;
		snprintf(found, sizeof(found), "%llx-%llx", lo, hi);
		nfound++;
	}
	fclose(f);
	if (nfound != 1) {
		snprintf(err, errlen, "QEMU %ld has %s shared RAM of %" PRIu64 " bytes: define the "
			"domain with <memoryBacking><source type='memfd'/><access mode='shared'/>"
			"</memoryBacking> (and no NUMA cells)", (long)pid, nfound ? "more than one" :
			"no", ram);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/%ld/map_files/%s", (long)pid, found);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the guest RAM (%s): %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

/* The BAR file's name: svff-<card>-vf<N>, <card> from the card's socket name. */
static void
bar_name(const struct svff_hv_vf *vf, char *name, size_t len)
{
	const char *b = strrchr(vf->card_socket, '/');
	char tag[32];
	size_t k = 0;

	b = b != NULL ? b + 1 : vf->card_socket;
	for (; *b != '\0' && *b != '.' && k < sizeof(tag) - 1; b++)
		tag[k++] = isalnum((unsigned char)*b) || *b == '-' || *b == '_' ? *b : '_';
	tag[k] = '\0';
	snprintf(name, len, "svff-%s-vf%u", k ? tag : "card", vf->vf);
}

static void
shmem_xml(const char *name, unsigned int slot, char *xml, size_t len)
{
	snprintf(xml, len, "<shmem name='%s'><model type='ivshmem-plain'/>"
		"<size unit='M'>%u</size><address type='pci' domain='0x0000' bus='0x00' "
		"slot='0x%02x' function='0x0'/></shmem>", name, SVFF_VM_BAR_FILE_SIZE >> 20, slot);
}

/* The domain as this path needs it: running, machine pc, RAM <= 2 GiB. */
static int
check_domain(virDomainPtr d, const char *vm, uint64_t *ram, char *err, size_t errlen)
{
	char *xml = virDomainGetXMLDesc(d, 0);
	unsigned long kib = virDomainGetMaxMemory(d);
	bool pc = xml != NULL && strstr(xml, "machine='pc") != NULL;

	pc = pc || (xml != NULL && strstr(xml, "machine=\"pc") != NULL);
	free(xml);
	if (!pc) {
		snprintf(err, errlen, "VM '%s' is not of machine type pc (i440fx): hot-plug at a "
			"fixed address on bus 0 needs it", vm);
		return -ENOTSUP;
	}
	if (kib == 0 || (uint64_t)kib * 1024 > SVFF_VM_RAM_MAX) {
		snprintf(err, errlen, "VM '%s' has %lu KiB of RAM: at most 2 GiB (guest-physical "
			"addresses must equal RAM offsets)", vm, kib);
		return -ENOTSUP;
	}
	*ram = (uint64_t)kib * 1024;
	return 0;
}

bool
svff_hv_vm_capable(struct svff_hv *hv, const char *vm)
{
	char why[256], *xml, *mb, *end;
	virConnectPtr conn = svff_hv_virt_get(hv, true, why, sizeof(why));
	virDomainPtr d = conn != NULL ? virDomainLookupByName(conn, vm) : NULL;
	bool shared = false;

	if (d == NULL)
		return false;
	xml = virDomainGetXMLDesc(d, 0);
	virDomainFree(d);
	if (xml == NULL)
		return false;
	/* <memoryBacking> ... <access mode='shared'/> ... </memoryBacking> */
	mb = strstr(xml, "<memoryBacking>");
	end = mb != NULL ? strstr(mb, "</memoryBacking>") : NULL;
	if (end != NULL) {
		*end = '\0';
		shared = strstr(mb, "<access mode='shared'") != NULL ||
			strstr(mb, "<access mode=\"shared\"") != NULL;
	}
	free(xml);
	return shared;
}

/* What a VF in domain @p d needs of it: its QEMU (pid, user) and its RAM (an open fd). */
struct vm_res {
	uint64_t ram;
	pid_t pid;
	int uid, gid;
	int ram_fd;
	struct stat ram_st;
};

static int
vm_resources(virDomainPtr d, const char *vm, struct vm_res *r, char *err, size_t errlen)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->ram_fd = -1;
	rc = check_domain(d, vm, &r->ram, err, errlen);
	if (rc == 0)
		rc = qemu_pid(vm, &r->pid, err, errlen);
	if (rc == 0 && proc_ids(r->pid, &r->uid, &r->gid) < 0) {
		snprintf(err, errlen, "VM '%s': cannot read QEMU's user", vm);
		rc = -EIO;
	}
	if (rc == 0) {
		r->ram_fd = open_ram(r->pid, r->ram, err, errlen);
		rc = r->ram_fd < 0 ? r->ram_fd : 0;
	}
	if (rc == 0 && fstat(r->ram_fd, &r->ram_st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "VM '%s': cannot stat its RAM: %s", vm, strerror(-rc));
	}
	if (rc < 0 && r->ram_fd >= 0) {
		close(r->ram_fd);
		r->ram_fd = -1;
	}
	return rc;
}

/* The adapter's record of VF @p vf in @p vm, and the reply's guest-side fields. */
static void
note_in_vm(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, struct svff_hv_grant *out)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];

	snprintf(g->guest_bdf, sizeof(g->guest_bdf), "0000:00:%02x.0", link->slot);
	snprintf(g->shmem, sizeof(g->shmem), "%s", link->shmem);
	g->slot = link->slot;
	g->in_vm = true;
	g->granted = true;
	g->token = 0;
	snprintf(g->vm, sizeof(g->vm), "%s", vm);
	if (out == NULL)
		return;
	snprintf(out->guest_bdf, sizeof(out->guest_bdf), "%s", g->guest_bdf);
	snprintf(out->devargs, sizeof(out->devargs), "net_qdma0,ivshmem=%s", g->guest_bdf);
	out->vm = *link;
}

int
svff_hv_vm_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen)
{
	struct svff_hv_vm_link link;
	struct vm_res r;
	char path[96], xml[512];
	virConnectPtr conn;
	virDomainPtr d;
	int rc;

	if (vf->vf >= SVFF_VM_MAX_VFS) {
		snprintf(err, errlen, "VF %u: only VFs 0..%u can go to a VM (one guest PCI slot "
			"each)", vf->vf, SVFF_VM_MAX_VFS - 1);
		return -ENOSPC;
	}
	conn = svff_hv_virt_get(hv, false, err, errlen);
	if (conn == NULL)
		return -ECONNREFUSED;
	d = virDomainLookupByName(conn, vm);
	if (d == NULL) {
		snprintf(err, errlen, "VM '%s': %s", vm, virGetLastErrorMessage());
		return -ENOENT;
	}
	memset(&link, 0, sizeof(link));
	bar_name(vf, link.shmem, sizeof(link.shmem));
	link.slot = SVFF_VM_SLOT0 + vf->vf;
	link.dom_id = (int)virDomainGetID(d);
	if (virDomainGetUUIDString(d, link.uuid) < 0)
		link.uuid[0] = '\0';
	snprintf(path, sizeof(path), "/dev/shm/%s", link.shmem);
	rc = vm_resources(d, vm, &r, err, errlen);
	if (rc == 0) {
		link.ram_dev = (uint64_t)r.ram_st.st_dev;
		link.ram_ino = (uint64_t)r.ram_st.st_ino;
		rc = hv->card->attach_vm(hv->card_arg, vf->vf, path, SVFF_VM_BAR_FILE_SIZE, r.uid,
			r.gid, r.ram_fd, r.ram, false, err, errlen);
		close(r.ram_fd);
	}
	if (rc < 0) {
		virDomainFree(d);
		return rc;
	}
	shmem_xml(link.shmem, link.slot, xml, sizeof(xml));
	if (virDomainAttachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		snprintf(err, errlen, "cannot hot-plug VF %u into VM '%s': %s", vf->vf, vm,
			virGetLastErrorMessage());
		hv->card->detach_vm(hv->card_arg, vf->vf, false);
		virDomainFree(d);
		return -EIO;
	}
	virDomainFree(d);
	note_in_vm(hv, vm, vf, &link, out);
	SVFF_LOG(INFO, "VF %u: BAR %s hot-plugged into VM '%s' at %s, DMA window = its %" PRIu64
		" MiB of RAM", vf->vf, path, vm, out->guest_bdf, r.ram >> 20);
	return 0;
}

/* Does QEMU @p pid map @p path (the BAR file it was given before the restart)? */
static bool
qemu_maps(pid_t pid, const char *path)
{
	char maps[64], line[512];
	size_t n = strlen(path);
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%ld/maps", (long)pid);
	f = fopen(maps, "re");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, path);

		found = p != NULL && (p[n] == '\n' || p[n] == '\0');
	}
	fclose(f);
	return found;
}

/* The journaled domain instance, still running, with the same RAM and the BAR file mapped. */
static int
reattach_check(virDomainPtr d, const char *vm, const struct svff_hv_vm_link *link,
		const char *path, struct vm_res *r, char *err, size_t errlen)
{
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	int state = 0, reason, rc;

	if (virDomainGetState(d, &state, &reason, 0) < 0 || state != VIR_DOMAIN_RUNNING ||
			(int)virDomainGetID(d) != link->dom_id ||
			virDomainGetUUIDString(d, uuid) < 0 || strcmp(uuid, link->uuid) != 0) {
		snprintf(err, errlen, "VM '%s' stopped or restarted since", vm);
		return -ESRCH;
	}
	rc = vm_resources(d, vm, r, err, errlen);
	if (rc < 0)
		return rc == -ENOTSUP ? -ESRCH : rc;
	if ((uint64_t)r->ram_st.st_dev != link->ram_dev ||
			(uint64_t)r->ram_st.st_ino != link->ram_ino) {
		snprintf(err, errlen, "VM '%s' has other RAM than before", vm);
		rc = -ESRCH;
	} else if (!qemu_maps(r->pid, path)) {
		snprintf(err, errlen, "VM '%s' no longer holds the device", vm);
		rc = -ESRCH;
	}
	if (rc < 0) {
		close(r->ram_fd);
		r->ram_fd = -1;
	}
	return rc;
}

/*
 * The card takes the BAR file and the RAM of the journaled domain instance again
 * (@p what: why, for the log): after a restart of svffd, or after a VF count change
 * that the VM's device outlived.
 */
static int
vm_adopt(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, const char *what, char *err, size_t errlen)
{
	char path[96];
	virConnectPtr conn;
	virDomainPtr d;
	struct vm_res r;
	int rc;

	if (hv == NULL || vf == NULL || link == NULL || link->shmem[0] == '\0' ||
			vf->vf >= SVFF_VM_MAX_VFS || hv->card == NULL) {
		snprintf(err, errlen, "invalid arguments (or the card takes no VMs)");
		return -EINVAL;
	}
	conn = svff_hv_virt_get(hv, false, err, errlen);
	if (conn == NULL)
		return -ECONNREFUSED;
	d = virDomainLookupByUUIDString(conn, link->uuid);
	if (d == NULL) {
		snprintf(err, errlen, "VM '%s' no longer exists", vm);
		return -ESRCH;
	}
	snprintf(path, sizeof(path), "/dev/shm/%s", link->shmem);
	rc = reattach_check(d, vm, link, path, &r, err, errlen);
	virDomainFree(d);
	if (rc < 0)
		return rc;
	rc = hv->card->attach_vm(hv->card_arg, vf->vf, path, SVFF_VM_BAR_FILE_SIZE, r.uid, r.gid,
		r.ram_fd, r.ram, true, err, errlen);
	close(r.ram_fd);
	if (rc < 0)
		return rc;
	note_in_vm(hv, vm, vf, link, NULL);
	SVFF_LOG(NOTICE, "VF %u: back in VM '%s' at %s %s (BAR %s adopted)", vf->vf, vm,
		hv->emu[vf->vf].guest_bdf, what, path);
	return 0;
}

int
svff_hv_vm_reattach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen)
{
	return vm_adopt(hv, vm, vf, link, "after the restart", err, errlen);
}

int
svff_hv_vm_park(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];
	int rc;

	/* the card lets go of the function; QEMU keeps mapping the file, nothing is unplugged */
	rc = hv->card->detach_vm(hv->card_arg, vf->vf, true);
	if (rc < 0) {
		snprintf(err, errlen, "the card cannot let VF %u go: %s", vf->vf, strerror(-rc));
		return rc;
	}
	g->parked = true;
	SVFF_LOG(INFO, "VF %u: parked (VM '%s' keeps its device, /dev/shm/%s kept)", vf->vf, vm,
		g->shmem);
	return 0;
}

int
svff_hv_vm_unpark(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		const struct svff_hv_vm_link *link, char *err, size_t errlen)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];
	int rc;

	if (!g->parked) {
		snprintf(err, errlen, "VF %u is not parked", vf->vf);
		return -EINVAL;
	}
	rc = vm_adopt(hv, vm, vf, link, "(its function re-created)", err, errlen);
	if (rc == 0)
		g->parked = false;
	return rc;
}

void
svff_hv_vm_unplug_stale(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf)
{
	char name[64], quoted[72], path[96], xml[512], why[256];
	virConnectPtr conn;
	virDomainPtr d;
	struct stat st;
	char *live;

	if (vf->vf >= SVFF_VM_MAX_VFS || vf->card_socket == NULL || vf->card_socket[0] == '\0')
		return;
	conn = svff_hv_virt_get(hv, true, why, sizeof(why));
	if (conn == NULL)
		return;   /* nothing can be checked: the file stays */
	bar_name(vf, name, sizeof(name));
	snprintf(quoted, sizeof(quoted), "'%s'", name);
	d = virDomainLookupByName(conn, vm);
	live = d != NULL ? virDomainGetXMLDesc(d, 0) : NULL;
	if (live != NULL && strstr(live, quoted) != NULL) {
		shmem_xml(name, SVFF_VM_SLOT0 + vf->vf, xml, sizeof(xml));
		if (virDomainDetachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) == 0)
			SVFF_LOG(NOTICE, "VF %u: the device a cut attach left in VM '%s' was "
				"unplugged", vf->vf, vm);
		else
			SVFF_LOG(WARNING, "VF %u: cannot unplug the device a cut attach left in VM "
				"'%s': %s", vf->vf, vm, virGetLastErrorMessage());
	}
	free(live);
	if (d != NULL)
		virDomainFree(d);
	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
		SVFF_LOG(INFO, "removed %s (left by a cut attach)", path);
}

void
svff_hv_vm_forget(struct svff_hv *hv, const struct svff_hv_vm_link *link)
{
	char path[96];
	struct stat st;

	(void)hv;
	if (link == NULL || link->shmem[0] == '\0' || strncmp(link->shmem, "svff-", 5) != 0 ||
			strchr(link->shmem, '/') != NULL)
		return;
	snprintf(path, sizeof(path), "/dev/shm/%s", link->shmem);
	/* only a regular file of ours: QEMU's user owns it, nobody else may have made it */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
		SVFF_LOG(INFO, "removed %s (its VM is gone)", path);
}

/*
 * PF_BYE, then wait (bounded) for the guest PMD's acknowledgement, then a
 * grace period for the application to stop using the port (testpmd closes
 * it from an alarm 100 ms after RTE_ETH_EVENT_INTR_RMV): only then may the
 * BAR go away under the guest.  The mailbox is served meanwhile (svffd
 * polls it from this very lcore).
 */
static void
say_bye(const struct svff_hv_vf *vf)
{
	struct rte_pmd_qdma_fn_state st0, st;
	uint64_t hz = rte_get_timer_hz(), end, now;
	bool acked = false;

	if (rte_pmd_qdma_fn_state(vf->pf_port, vf->func_id, &st0) < 0 || !st0.online ||
			rte_pmd_qdma_vf_notify(vf->pf_port, vf->func_id, RTE_PMD_QDMA_PF_BYE) <= 0)
		return;
	end = rte_get_timer_cycles() + hz * SVFF_VM_BYE_WAIT_MS / 1000;
	while ((now = rte_get_timer_cycles()) < end) {
		rte_pmd_qdma_mbox_service(vf->pf_port, 64);
		if (!acked && rte_pmd_qdma_fn_state(vf->pf_port, vf->func_id, &st) == 0 &&
				st.mbox_rx > st0.mbox_rx) {
			acked = true;
			end = now + hz * SVFF_VM_BYE_GRACE_MS / 1000;
		}
		rte_delay_us_sleep(5000);
	}
	if (!acked)
		SVFF_LOG(WARNING, "VF %u: the guest did not acknowledge PF_BYE within %u ms: "
			"unplugging anyway", vf->vf, SVFF_VM_BYE_WAIT_MS);
}

int
svff_hv_vm_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	struct svff_hv_emu_grant *g = &hv->emu[vf->vf];
	virConnectPtr conn;
	virDomainPtr d = NULL;
	char xml[512];
	int state = 0, reason, rc;

	conn = svff_hv_virt_get(hv, true, err, errlen);
	if (conn != NULL)
		d = virDomainLookupByName(conn, vm);
	if (d != NULL && virDomainGetState(d, &state, &reason, 0) == 0 &&
			state == VIR_DOMAIN_RUNNING) {
		say_bye(vf);
		shmem_xml(g->shmem, g->slot, xml, sizeof(xml));
		if (virDomainDetachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
			SVFF_LOG(WARNING, "VF %u: unplug from VM '%s' failed (%s): the card "
				"detaches it anyway", vf->vf, vm, virGetLastErrorMessage());
	}
	if (d != NULL)
		virDomainFree(d);
	rc = hv->card->detach_vm(hv->card_arg, vf->vf, false);
	if (rc < 0 && rc != -ENOENT) {
		snprintf(err, errlen, "the card cannot detach VF %u: %s", vf->vf, strerror(-rc));
		return rc;
	}
	if (g->parked) {
		/* the card had let it go already: the file it kept goes now */
		struct svff_hv_vm_link l = { .slot = g->slot };

		snprintf(l.shmem, sizeof(l.shmem), "%s", g->shmem);
		svff_hv_vm_forget(hv, &l);
	}
	memset(g, 0, sizeof(*g));
	return 0;
}
