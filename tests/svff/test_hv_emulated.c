/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor adapter's emulated implementation, on an embedded emulated
 * card with its PF probed in this process (root, hugepages).  The card's
 * side is checked from the guest's position: a slot client opens the VF
 * with the token of the reply (accepted), with another token (refused),
 * and after the detach (refused).
 *
 * With SVFF_LIBVIRT_URI set (the libvirt suite runs this binary through
 * run-with-libvirtd.py) the VM name is also looked up in a real libvirtd:
 * a defined domain that is shut off is refused, a running one accepted.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_pmd_qdma.h>

#ifdef SVFF_HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

#include "qdma_sim.h"
#include "svff_hv.h"
#include "vslot_client.h"

static char err[512];
static char sock[256];
static uint16_t pf_port;

static struct svff_hv_vf
emu_vf(unsigned int n)
{
	struct svff_hv_vf vf = { .vf = n, .pf_port = pf_port, .card_socket = sock };

	vf.func_id = (uint16_t)rte_pmd_qdma_vf_func_id(pf_port, n);
	return vf;
}

/* Can a guest open VF @p vf with @p token?  0 or the card's negative errno. */
static int
guest_open(unsigned int vf, uint64_t token)
{
	char e[256];
	struct vslot_client *c = vslot_client_open(sock, VSLOT_FN_VF(vf), token, e, sizeof(e));

	if (c == NULL)
		return -errno;
	vslot_client_close(c);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "net_qdma<vf>,card=<sock>,fn=vf<vf>,token=0x<16 hex>" and the token in it */
static void
check_devargs(const struct svff_hv_grant *g, unsigned int vf)
{
	char want[SVFF_HV_DEVARGS_MAX + 256];

	snprintf(want, sizeof(want), "net_qdma%u,card=%s,fn=vf%u,token=0x%016" PRIx64, vf, sock,
		vf, g->token);
	assert_string_equal(g->devargs, want);
}

static void
test_attach_detach(void **state)
{
	struct svff_hv_vf vf1 = emu_vf(1), vf2 = emu_vf(2);
	struct svff_hv_grant g1, g2, again;
	struct svff_hv *hv;
	bool present;

	(void)state;
	hv = svff_hv_open(SVFF_HV_EMULATED, NULL, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	/* before: nobody gets in, the adapter knows of no grant */
	assert_int_equal(guest_open(1, 0x1234), -EACCES);
	assert_int_equal(svff_hv_vf_present(hv, "g1", &vf1, &present, err, sizeof(err)), 0);
	assert_false(present);

	if (svff_hv_attach(hv, "g1", &vf1, &g1, err, sizeof(err)) != 0)
		fail_msg("attach: %s", err);
	assert_int_equal(svff_hv_attach(hv, "g2", &vf2, &g2, err, sizeof(err)), 0);
	assert_int_not_equal(g1.token, 0);
	assert_int_not_equal(g1.token, g2.token);
	check_devargs(&g1, 1);
	check_devargs(&g2, 2);
	/* the card: the granted token opens the VF, another does not, nor VF 1's for VF 2 */
	assert_int_equal(guest_open(1, g1.token), 0);
	assert_int_equal(guest_open(1, g1.token ^ 1), -EACCES);
	assert_int_equal(guest_open(2, g1.token), -EACCES);
	assert_int_equal(guest_open(2, g2.token), 0);
	assert_int_equal(svff_hv_vf_present(hv, "g1", &vf1, &present, err, sizeof(err)), 0);
	assert_true(present);
	assert_int_equal(svff_hv_vf_present(hv, "g2", &vf1, &present, err, sizeof(err)), 0);
	assert_false(present);

	/* twice: refused, and the first grant still works */
	assert_int_equal(svff_hv_attach(hv, "g3", &vf1, &again, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "'g1'"));
	assert_int_equal(guest_open(1, g1.token), 0);
	/* detach by the wrong VM: refused, nothing changed */
	assert_int_equal(svff_hv_detach(hv, "g2", &vf1, err, sizeof(err)), -EINVAL);
	assert_int_equal(guest_open(1, g1.token), 0);

	assert_int_equal(svff_hv_detach(hv, "g1", &vf1, err, sizeof(err)), 0);
	assert_int_equal(guest_open(1, g1.token), -EACCES);
	assert_int_equal(guest_open(2, g2.token), 0);
	assert_int_equal(svff_hv_vf_present(hv, "g1", &vf1, &present, err, sizeof(err)), 0);
	assert_false(present);
	/* attach again: a fresh token; the old one stays dead */
	assert_int_equal(svff_hv_attach(hv, "g1", &vf1, &again, err, sizeof(err)), 0);
	assert_int_not_equal(again.token, g1.token);
	assert_int_equal(guest_open(1, g1.token), -EACCES);
	assert_int_equal(guest_open(1, again.token), 0);
	assert_int_equal(svff_hv_detach(hv, "g1", &vf1, err, sizeof(err)), 0);
	assert_int_equal(svff_hv_detach(hv, "g2", &vf2, err, sizeof(err)), 0);
	assert_int_equal(guest_open(2, g2.token), -EACCES);
	svff_hv_close(hv);
}

/*
 * The VF count change's fallback decision: a process guest (a grant over the slot
 * socket) cannot keep its device across a re-creation of the function, with or
 * without a card that takes VMs; parking it is refused and changes nothing.
 */
static int
no_vm_attach(void *arg, unsigned int vf, const char *bar_path, uint64_t bar_size, int uid,
		int gid, int ram_fd, uint64_t ram_len, bool adopt, char *e, size_t elen)
{
	(void)arg; (void)vf; (void)bar_path; (void)bar_size; (void)uid; (void)gid;
	(void)ram_fd; (void)ram_len; (void)adopt;
	snprintf(e, elen, "not in this test");
	return -ENOTSUP;
}

static int
no_vm_detach(void *arg, unsigned int vf, bool keep_file)
{
	(void)arg; (void)vf; (void)keep_file;
	fail_msg("the card was asked to let a process guest's VF go");
	return -EIO;
}

static void
test_keeps_device(void **state)
{
	static const struct svff_hv_card card = { .attach_vm = no_vm_attach,
		.detach_vm = no_vm_detach };
	struct svff_hv_vf vf1 = emu_vf(1);
	struct svff_hv_vm_link link = { .slot = 0x11 };
	struct svff_hv_grant g;
	struct svff_hv *hv;

	(void)state;
	hv = svff_hv_open(SVFF_HV_EMULATED, NULL, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	if (svff_hv_attach(hv, "g1", &vf1, &g, err, sizeof(err)) != 0)
		fail_msg("attach: %s", err);
	assert_false(svff_hv_keeps_device(hv, "g1", &vf1));
	assert_int_equal(svff_hv_park(hv, "g1", &vf1, err, sizeof(err)), -ENOTSUP);
	svff_hv_set_card(hv, &card, NULL);
	assert_false(svff_hv_keeps_device(hv, "g1", &vf1));
	assert_false(svff_hv_keeps_device(hv, "other", &vf1));
	assert_false(svff_hv_keeps_device(hv, "bad name", &vf1));
	assert_int_equal(svff_hv_park(hv, "g1", &vf1, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "cannot keep"));
	/* nothing parked: nothing to take back */
	snprintf(link.shmem, sizeof(link.shmem), "svff-x-vf1");
	assert_true(svff_hv_unpark(hv, "g1", &vf1, &link, err, sizeof(err)) < 0);
	/* the grant is as it was */
	assert_int_equal(guest_open(1, g.token), 0);
	svff_hv_set_card(hv, NULL, NULL);
	assert_int_equal(svff_hv_detach(hv, "g1", &vf1, err, sizeof(err)), 0);
	svff_hv_close(hv);
}

static void
test_bad_input(void **state)
{
	struct svff_hv_vf vf = emu_vf(0), beyond = emu_vf(0), nosock = emu_vf(0);
	enum svff_hv_dom_state st;
	struct svff_hv_grant g;
	struct svff_hv *hv;

	(void)state;
	beyond.vf = 100; /* the card has 4 VFs enabled */
	nosock.card_socket = NULL;
	hv = svff_hv_open(SVFF_HV_EMULATED, "", false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	assert_int_equal(svff_hv_attach(hv, "a b", &vf, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(svff_hv_attach(hv, "a/b", &vf, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(svff_hv_attach(hv, NULL, &vf, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(svff_hv_attach(hv, "g", &nosock, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "socket"));
	assert_true(svff_hv_attach(hv, "g", &beyond, &g, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "refused"));
	assert_string_equal(g.devargs, "");
	/* nothing was granted by any of these */
	assert_int_equal(svff_hv_attach(hv, "g", &vf, &g, err, sizeof(err)), 0);
	assert_int_equal(svff_hv_detach(hv, "g", &vf, err, sizeof(err)), 0);
	/* a label cannot be suspended, and has no domain */
	assert_int_equal(svff_hv_suspend(hv, "g", err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "label"));
	assert_int_equal(svff_hv_domain_state(hv, "g", &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_ABSENT);
	svff_hv_close(hv);
}

/* A libvirt URI nobody answers: the VM is a label, attach works, and quickly. */
static void
test_unreachable_libvirt(void **state)
{
	struct svff_hv_vf vf = emu_vf(3);
	struct svff_hv_grant g;
	struct svff_hv *hv;
	char uri[512];
	double t0, t1;
	int i;

	(void)state;
	snprintf(uri, sizeof(uri), "qemu+unix:///system?socket=/tmp/svfft-nolibvirt-%d/sock",
		(int)getpid());
	hv = svff_hv_open(SVFF_HV_EMULATED, uri, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	for (i = 0; i < 3; i++) {
		t0 = now_s();
		if (svff_hv_attach(hv, "label", &vf, &g, err, sizeof(err)) != 0)
			fail_msg("attach with libvirt unreachable: %s", err);
		t1 = now_s();
		printf("# attach with an unreachable libvirt: %.3f s\n", t1 - t0);
		assert_true(t1 - t0 < 10.0); /* generous: it must not wait for libvirt */
		assert_int_equal(guest_open(3, g.token), 0);
		assert_int_equal(svff_hv_detach(hv, "label", &vf, err, sizeof(err)), 0);
	}
	svff_hv_close(hv);
}

/*
 * A libvirtd that accepts connections and never answers (stopped, hung):
 * a listening socket nobody serves.  The VM is a label after a short wait,
 * and the next attach does not wait again.
 */
static void
test_hung_libvirt(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/svfft-hunglv-XXXXXX", uri[512];
	struct svff_hv_vf vf = emu_vf(2);
	struct svff_hv_grant g;
	struct svff_hv *hv;
	double t0, t1;
	int lfd, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/libvirt-sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	snprintf(uri, sizeof(uri), "qemu+unix:///system?socket=%s", sa.sun_path);
	hv = svff_hv_open(SVFF_HV_EMULATED, uri, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	for (i = 0; i < 2; i++) {
		t0 = now_s();
		if (svff_hv_attach(hv, "label", &vf, &g, err, sizeof(err)) != 0)
			fail_msg("attach with a libvirtd that does not answer: %s", err);
		t1 = now_s();
		printf("# attach with a libvirtd that does not answer (%s): %.3f s\n",
			i == 0 ? "first" : "again", t1 - t0);
		assert_true(t1 - t0 < 20.0); /* generous: bounded, not for ever */
		assert_int_equal(guest_open(2, g.token), 0);
		assert_int_equal(svff_hv_detach(hv, "label", &vf, err, sizeof(err)), 0);
	}
	svff_hv_close(hv);
	close(lfd);
	unlink(sa.sun_path);
	rmdir(dir);
}

#ifdef SVFF_HAVE_LIBVIRT
static void
quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

/* With a real libvirtd: a domain of that name must be running. */
static void
test_libvirt_domain(void **state)
{
	const char *uri = getenv("SVFF_LIBVIRT_URI");
	struct svff_hv_vf vf = emu_vf(0);
	enum svff_hv_dom_state st;
	struct svff_hv_grant g;
	struct svff_hv *hv;
	char name[64], xml[1024];
	virConnectPtr c;
	virDomainPtr d;

	(void)state;
	assert_non_null(uri);
	virSetErrorFunc(NULL, quiet);
	c = virConnectOpen(uri);
	assert_non_null(c);
	snprintf(name, sizeof(name), "svfft-hvemu-%d", (int)getpid());
	snprintf(xml, sizeof(xml),
		"<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
		"<os><type arch='x86_64' machine='pc'>hvm</type></os>"
		"<devices><memballoon model='none'/></devices></domain>", name);
	d = virDomainDefineXML(c, xml);
	assert_non_null(d);
	hv = svff_hv_open(SVFF_HV_EMULATED, uri, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);

	assert_int_equal(svff_hv_attach(hv, name, &vf, &g, err, sizeof(err)), -EHOSTDOWN);
	assert_non_null(strstr(err, "not running"));
	assert_int_equal(guest_open(0, g.token), -EACCES);
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_SHUTOFF);

	assert_int_equal(virDomainCreate(d), 0);
	if (svff_hv_attach(hv, name, &vf, &g, err, sizeof(err)) != 0)
		fail_msg("attach to a running domain: %s", err);
	assert_int_equal(guest_open(0, g.token), 0);
	/* the domain's suspend/resume goes through libvirt */
	assert_int_equal(svff_hv_suspend(hv, name, err, sizeof(err)), 0);
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_PAUSED);
	assert_int_equal(svff_hv_resume(hv, name, err, sizeof(err)), 0);
	assert_int_equal(svff_hv_detach(hv, name, &vf, err, sizeof(err)), 0);
	/* a name libvirt does not know stays a label */
	assert_int_equal(svff_hv_attach(hv, "svfft-label-only", &vf, &g, err, sizeof(err)), 0);
	assert_int_equal(svff_hv_detach(hv, "svfft-label-only", &vf, err, sizeof(err)), 0);
	svff_hv_close(hv);
	virDomainDestroy(d);
	virDomainUndefine(d);
	virDomainFree(d);
	virConnectClose(c);
}
#endif

/*
 * test_svff_hv_emulated [libvirt]: the card cases, or (libvirt suite, through
 * run-with-libvirtd.py) the VM-name cases against a real libvirtd, reported
 * as skipped ("1..0 # SKIP <reason>") when there is none.
 */
int
main(int argc, char **argv)
{
	char dir[] = "/tmp/svfft-hvemu-XXXXXX", vdev[400], prefix[64];
	char *eal_argv[] = { "test_hv_emulated", "-l", "0", "--no-pci", "--file-prefix", prefix, "-m",
		"128", "--log-level", "lib.svff:debug", "--vdev", vdev, NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_detach),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_keeps_device),
		cmocka_unit_test(test_unreachable_libvirt),
		cmocka_unit_test(test_hung_libvirt),
	};
#ifdef SVFF_HAVE_LIBVIRT
	const struct CMUnitTest lv_tests[] = {
		cmocka_unit_test(test_libvirt_domain),
	};
#endif
	bool lv = argc > 1 && strcmp(argv[1], "libvirt") == 0;
	const char *uri = getenv("SVFF_LIBVIRT_URI"), *why = getenv("SVFF_LIBVIRT_SKIP");
	struct qdma_sim_cfg cfg;
	struct qdma_sim *card;
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
#ifndef SVFF_HAVE_LIBVIRT
	why = "svff was built without libvirt";
	uri = NULL;
#endif
	if (lv && (uri == NULL || uri[0] == '\0')) {
		printf("1..0 # SKIP %s\n", why != NULL ? why : "no libvirtd (SVFF_LIBVIRT_URI unset)");
		return 0;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock, sizeof(sock), "%s/card.sock", dir);
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sock;
	cfg.nb_queues = 64;
	cfg.total_vfs = 8;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		printf("Bail out! card: %s\n", err);
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-hvemu-%d", getpid());
	snprintf(vdev, sizeof(vdev), "net_qdma0,card=%s,fn=pf,num_vfs=4", sock);
	if (rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0])) - 1, eal_argv) < 0 ||
	    rte_eth_dev_get_port_by_name("net_qdma0", &pf_port) != 0) {
		printf("Bail out! EAL or PF probe failed\n");
		qdma_sim_destroy(card);
		return 1;
	}
#ifdef SVFF_HAVE_LIBVIRT
	if (lv)
		rc = cmocka_run_group_tests_name("hv_emulated_libvirt", lv_tests, NULL, NULL);
	else
#endif
		rc = cmocka_run_group_tests_name("hv_emulated", tests, NULL, NULL);
	rte_eth_dev_close(pf_port);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	unlink(sock);
	rmdir(dir);
	return rc;
}
