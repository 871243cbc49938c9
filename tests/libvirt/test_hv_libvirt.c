/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor adapter's libvirt implementation.
 *  - against libvirt's test driver (test:///default, in-process): domain
 *    state, suspend/resume, lifecycle events, bad input;
 *  - against a real libvirtd (URI in SVFF_LIBVIRT_URI; the suite's
 *    run-with-libvirtd.py starts a private one): a TCG domain defined,
 *    started, suspended, resumed, destroyed and undefined with the events
 *    delivered through svff_hv_poll(); the --config hostdev round trip on
 *    an inactive domain; the --live hostdev attach (needs VFIO: skipped
 *    with the reason where it is absent).
 * Domains are named svfft-hv-<pid>-* and removed by the test (and by the
 * runner's clean-up if the test dies).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "svff_hv.h"

static char err[512];

/* ------------------------------------------------------------ helpers */

struct rec {
	int n;
	struct svff_hv_event ev[64];
};

static void
record(void *arg, const struct svff_hv_event *ev)
{
	struct rec *r = arg;

	if (r->n < (int)(sizeof(r->ev) / sizeof(r->ev[0])))
		r->ev[r->n++] = *ev;
}

/* Poll until @p vm got an event of @p type (generous timeout: it is no timing test). */
static bool
wait_event(struct svff_hv *hv, struct rec *r, enum svff_hv_event_type type, const char *vm)
{
	time_t end = time(NULL) + 30;
	int i;

	do {
		svff_hv_poll(hv);
		for (i = 0; i < r->n; i++)
			if (r->ev[i].type == type && strcmp(r->ev[i].vm, vm) == 0)
				return true;
		usleep(20 * 1000);
	} while (time(NULL) < end);
	return false;
}

/* The private libvirtd's URI (main() checked it is set for the "real" and "live" groups). */
static const char *
real_uri(void)
{
	return getenv("SVFF_LIBVIRT_URI");
}

static void
quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

/* The test's own connection, to set the scene and to check the adapter's work. */
static virConnectPtr
own_conn(const char *uri)
{
	virConnectPtr c;

	virSetErrorFunc(NULL, quiet);
	c = virConnectOpen(uri);
	assert_non_null(c);
	return c;
}

static void
dom_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "svfft-hv-%d-%s", (int)getpid(), what);
}

/* A TCG domain: tiny RAM, no disk (it sits in the firmware), nothing to clean on the host. */
static virDomainPtr
define_tcg(virConnectPtr c, const char *name)
{
	char xml[1024];
	virDomainPtr d;

	snprintf(xml, sizeof(xml),
		"<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
		"<os><type arch='x86_64' machine='pc'>hvm</type></os>"
		"<devices><memballoon model='none'/></devices></domain>", name);
	d = virDomainDefineXML(c, xml);
	if (d == NULL)
		fail_msg("cannot define %s: %s", name, virGetLastErrorMessage());
	return d;
}

static void
remove_dom(virDomainPtr d)
{
	if (d == NULL)
		return;
	if (virDomainIsActive(d) == 1)
		virDomainDestroy(d);
	virDomainUndefine(d);
	virDomainFree(d);
}

static int
dom_state(virDomainPtr d)
{
	int s, reason;

	assert_int_equal(virDomainGetState(d, &s, &reason, 0), 0);
	return s;
}

static struct svff_hv_vf
pci_vf(unsigned int n, const char *bdf)
{
	struct svff_hv_vf vf = { .vf = n, .func_id = (uint16_t)(n + 1) };

	snprintf(vf.bdf, sizeof(vf.bdf), "%s", bdf);
	return vf;
}

/* --------------------------------------------------- test driver (in-process) */

static void
test_open_errors(void **state)
{
	(void)state;
	assert_null(svff_hv_open(SVFF_HV_LIBVIRT, NULL, false, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "URI"));
	assert_null(svff_hv_open(SVFF_HV_LIBVIRT, "nosuchdriver:///x", false, NULL, NULL, err,
		sizeof(err)));
	assert_non_null(strstr(err, "nosuchdriver:///x"));
	assert_null(svff_hv_open((enum svff_hv_kind)7, "test:///default", false, NULL, NULL, err,
		sizeof(err)));
}

static void
test_testdrv_state_suspend_resume(void **state)
{
	enum svff_hv_dom_state st;
	struct svff_hv *hv;

	(void)state;
	hv = svff_hv_open(SVFF_HV_LIBVIRT, "test:///default", false, NULL, NULL, err,
		sizeof(err));
	assert_non_null(hv);
	/* the test driver's one domain, "test", runs */
	assert_int_equal(svff_hv_domain_state(hv, "test", &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_RUNNING);
	assert_int_equal(svff_hv_suspend(hv, "test", err, sizeof(err)), 0);
	assert_int_equal(svff_hv_domain_state(hv, "test", &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_PAUSED);
	assert_int_equal(svff_hv_resume(hv, "test", err, sizeof(err)), 0);
	assert_int_equal(svff_hv_domain_state(hv, "test", &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_RUNNING);
	/* resuming a running domain is refused by libvirt, with its reason */
	assert_int_equal(svff_hv_resume(hv, "test", err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "resume"));
	/* no such domain */
	assert_int_equal(svff_hv_domain_state(hv, "nosuch", &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_ABSENT);
	assert_int_equal(svff_hv_suspend(hv, "nosuch", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nosuch"));
	svff_hv_close(hv);
}

static void
test_testdrv_bad_input(void **state)
{
	struct svff_hv_vf vf = pci_vf(1, "0000:3b:00.2");
	struct svff_hv_grant g;
	struct svff_hv *hv;
	bool present = true;
	static const char *const bad_bdf[] = { "", "0000:3b:00", "0000:3b:00.8", "0000:3b:20.0",
		"000:3b:00.1", "0000-3b:00.1", "0000:3g:00.1", "0000:3b:00.1 " };
	unsigned int i;

	(void)state;
	hv = svff_hv_open(SVFF_HV_LIBVIRT, "test:///default", true, NULL, NULL, err,
		sizeof(err));
	assert_non_null(hv);
	assert_int_equal(svff_hv_attach(hv, "bad name", &vf, &g, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[A-Za-z0-9._-]"));
	assert_int_equal(svff_hv_attach(hv, "", &vf, &g, err, sizeof(err)), -EINVAL);
	assert_int_equal(svff_hv_attach(hv,
		"a123456789012345678901234567890123456789012345678901234567890123456789", &vf, &g,
		err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer"));
	assert_int_equal(svff_hv_attach(hv, "test", NULL, &g, err, sizeof(err)), -EINVAL);
	for (i = 0; i < sizeof(bad_bdf) / sizeof(bad_bdf[0]); i++) {
		vf = pci_vf(1, bad_bdf[i]);
		err[0] = '\0';
		assert_int_equal(svff_hv_attach(hv, "test", &vf, &g, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "PCI address"));
		assert_int_equal(svff_hv_vf_present(hv, "test", &vf, &present, err, sizeof(err)),
			-EINVAL);
	}
	/* a good address: the domain has no such hostdev (its XML is parsed) */
	vf = pci_vf(1, "0000:3b:00.2");
	assert_int_equal(svff_hv_vf_present(hv, "test", &vf, &present, err, sizeof(err)), 0);
	assert_false(present);
	/* an absent domain holds nothing */
	present = true;
	assert_int_equal(svff_hv_vf_present(hv, "nosuch", &vf, &present, err, sizeof(err)), 0);
	assert_false(present);
	assert_int_equal(svff_hv_attach(hv, "nosuch", &vf, &g, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nosuch"));
	svff_hv_close(hv);
}

static void
test_testdrv_events(void **state)
{
	struct rec r = { 0 };
	struct svff_hv *hv;
	virConnectPtr c;
	virDomainPtr d;

	(void)state;
	hv = svff_hv_open(SVFF_HV_LIBVIRT, "test:///default", false, record, &r, err,
		sizeof(err));
	assert_non_null(hv);
	assert_int_equal(svff_hv_poll(hv), 0);
	/* the test driver's state is shared by the connections of one process */
	c = own_conn("test:///default");
	d = virDomainLookupByName(c, "test");
	assert_non_null(d);
	assert_int_equal(virDomainDestroy(d), 0);
	assert_true(wait_event(hv, &r, SVFF_HV_EVT_DOMAIN_STOPPED, "test"));
	assert_int_equal(virDomainUndefine(d), 0);
	assert_true(wait_event(hv, &r, SVFF_HV_EVT_DOMAIN_UNDEFINED, "test"));
	virDomainFree(d);
	virConnectClose(c);
	svff_hv_close(hv);
}

/* ---------------------------------------------------- real libvirtd */

static void
test_real_lifecycle(void **state)
{
	enum svff_hv_dom_state st;
	const char *uri = real_uri();
	char name[64];
	struct rec r = { 0 };
	struct svff_hv *hv;
	virConnectPtr c;
	virDomainPtr d;

	(void)state;
	assert_non_null(uri);
	c = own_conn(uri);
	dom_name(name, sizeof(name), "life");
	d = define_tcg(c, name);
	hv = svff_hv_open(SVFF_HV_LIBVIRT, uri, false, record, &r, err, sizeof(err));
	if (hv == NULL)
		fail_msg("open: %s", err);
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_SHUTOFF);
	if (virDomainCreate(d) < 0)
		fail_msg("cannot start %s: %s", name, virGetLastErrorMessage());
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_RUNNING);
	/* suspend/resume through the adapter, seen by libvirt itself */
	assert_int_equal(svff_hv_suspend(hv, name, err, sizeof(err)), 0);
	assert_int_equal(dom_state(d), VIR_DOMAIN_PAUSED);
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_PAUSED);
	assert_int_equal(svff_hv_resume(hv, name, err, sizeof(err)), 0);
	assert_int_equal(dom_state(d), VIR_DOMAIN_RUNNING);
	/* events: stopped, then undefined, for this domain */
	svff_hv_poll(hv);
	r.n = 0;
	assert_int_equal(virDomainDestroy(d), 0);
	assert_true(wait_event(hv, &r, SVFF_HV_EVT_DOMAIN_STOPPED, name));
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_SHUTOFF);
	assert_int_equal(virDomainUndefine(d), 0);
	assert_true(wait_event(hv, &r, SVFF_HV_EVT_DOMAIN_UNDEFINED, name));
	assert_int_equal(svff_hv_domain_state(hv, name, &st, err, sizeof(err)), 0);
	assert_int_equal(st, SVFF_HV_DOM_ABSENT);
	virDomainFree(d);
	svff_hv_close(hv);
	virConnectClose(c);
}

/* Number of nodes matching @p xpath in @p doc. */
static int
xp_count(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	int n = res != NULL && res->nodesetval != NULL ? res->nodesetval->nodeNr : 0;

	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return n;
}

/* The inactive XML of @p d, parsed. */
static xmlDocPtr
inactive_xml(virDomainPtr d)
{
	char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	xmlDocPtr doc;

	assert_non_null(xml);
	doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, XML_PARSE_NONET);
	free(xml);
	assert_non_null(doc);
	return doc;
}

static int
hostdevs(virDomainPtr d)
{
	xmlDocPtr doc = inactive_xml(d);
	int n = xp_count(doc, "/domain/devices/hostdev");

	xmlFreeDoc(doc);
	return n;
}

static void
test_real_config_hostdev(void **state)
{
	struct svff_hv_vf vf3 = pci_vf(3, "0000:3b:00.4"), vf2 = pci_vf(2, "0000:3b:00.3");
	const char *uri = real_uri();
	struct svff_hv *hv, *live_only;
	struct svff_hv_grant g;
	bool present;
	char name[64];
	virConnectPtr c;
	virDomainPtr d;
	xmlDocPtr doc;

	(void)state;
	assert_non_null(uri);
	c = own_conn(uri);
	dom_name(name, sizeof(name), "cfg");
	d = define_tcg(c, name);
	hv = svff_hv_open(SVFF_HV_LIBVIRT, uri, true, NULL, NULL, err, sizeof(err));
	live_only = svff_hv_open(SVFF_HV_LIBVIRT, uri, false, NULL, NULL, err, sizeof(err));
	assert_non_null(hv);
	assert_non_null(live_only);
	/* not persistent + not running: nothing to change, refused, nothing changed */
	assert_int_equal(svff_hv_attach(live_only, name, &vf3, &g, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "not running"));
	assert_int_equal(hostdevs(d), 0);

	if (svff_hv_attach(hv, name, &vf3, &g, err, sizeof(err)) != 0)
		fail_msg("config attach: %s", err);
	assert_string_equal(g.alias, "ua-svff-vf3");
	/* what libvirt stored is what svff built */
	doc = inactive_xml(d);
	assert_int_equal(xp_count(doc, "/domain/devices/hostdev"), 1);
	assert_int_equal(xp_count(doc, "/domain/devices/hostdev[@mode='subsystem' and "
		"@type='pci' and @managed='yes']"), 1);
	assert_int_equal(xp_count(doc, "/domain/devices/hostdev/source/address[@domain='0x0000' "
		"and @bus='0x3b' and @slot='0x00' and @function='0x4']"), 1);
	assert_int_equal(xp_count(doc, "/domain/devices/hostdev/alias[@name='ua-svff-vf3']"), 1);
	xmlFreeDoc(doc);
	assert_int_equal(svff_hv_vf_present(hv, name, &vf3, &present, err, sizeof(err)), 0);
	assert_true(present);
	assert_int_equal(svff_hv_vf_present(hv, name, &vf2, &present, err, sizeof(err)), 0);
	assert_false(present);
	/* the same VF twice: libvirt refuses, the config keeps one */
	assert_int_equal(svff_hv_attach(hv, name, &vf3, &g, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "cannot attach VF 3"));
	assert_int_equal(hostdevs(d), 1);
	/* detaching a VF the domain does not have: refused, nothing changed */
	assert_int_equal(svff_hv_detach(hv, name, &vf2, err, sizeof(err)), -EIO);
	assert_int_equal(hostdevs(d), 1);

	if (svff_hv_detach(hv, name, &vf3, err, sizeof(err)) != 0)
		fail_msg("config detach: %s", err);
	assert_int_equal(hostdevs(d), 0);
	assert_int_equal(svff_hv_vf_present(hv, name, &vf3, &present, err, sizeof(err)), 0);
	assert_false(present);
	svff_hv_close(live_only);
	svff_hv_close(hv);
	remove_dom(d);
	virConnectClose(c);
}

static void
test_real_live_hostdev(void **state)
{
	const char *uri = real_uri(), *bdf = getenv("SVFF_TEST_VF_BDF");
	struct svff_hv_vf vf;
	struct svff_hv_grant g;
	struct svff_hv *hv;
	struct rec r = { 0 };
	bool present;
	char name[64];
	virConnectPtr c;
	virDomainPtr d;

	(void)state;
	assert_non_null(uri);
	if (access("/dev/vfio/vfio", F_OK) != 0 || bdf == NULL) {
		printf("# skipped: --live hostdev attach needs VFIO (/dev/vfio/vfio: %s) and a VF "
			"bound to vfio-pci named in SVFF_TEST_VF_BDF (%s)\n",
			access("/dev/vfio/vfio", F_OK) == 0 ? "present" : "absent",
			bdf != NULL ? bdf : "unset");
		skip();
	}
	c = own_conn(uri);
	dom_name(name, sizeof(name), "live");
	d = define_tcg(c, name);
	assert_int_equal(virDomainCreate(d), 0);
	hv = svff_hv_open(SVFF_HV_LIBVIRT, uri, false, record, &r, err, sizeof(err));
	assert_non_null(hv);
	vf = pci_vf(0, bdf);
	if (svff_hv_attach(hv, name, &vf, &g, err, sizeof(err)) != 0)
		fail_msg("live attach: %s", err);
	assert_int_equal(svff_hv_vf_present(hv, name, &vf, &present, err, sizeof(err)), 0);
	assert_true(present);
	assert_int_equal(svff_hv_detach(hv, name, &vf, err, sizeof(err)), 0);
	assert_true(wait_event(hv, &r, SVFF_HV_EVT_DEVICE_REMOVED, name));
	assert_int_equal(svff_hv_vf_present(hv, name, &vf, &present, err, sizeof(err)), 0);
	assert_false(present);
	svff_hv_close(hv);
	remove_dom(d);
	virConnectClose(c);
}

/* Why a group cannot run here, or NULL. */
static const char *
skip_reason(const char *group, char *buf, size_t len)
{
	const char *why = getenv("SVFF_LIBVIRT_SKIP");

	if (strcmp(group, "testdrv") == 0)
		return NULL;
	if (real_uri() == NULL || real_uri()[0] == '\0') {
		snprintf(buf, len, "%s", why != NULL ? why :
			"no libvirtd (SVFF_LIBVIRT_URI unset: run through run-with-libvirtd.py)");
		return buf;
	}
	if (strcmp(group, "live") == 0 &&
	    (access("/dev/vfio/vfio", F_OK) != 0 || getenv("SVFF_TEST_VF_BDF") == NULL)) {
		snprintf(buf, len, "--live hostdev attach needs VFIO (/dev/vfio/vfio: %s) and a VF "
			"bound to vfio-pci named in SVFF_TEST_VF_BDF (%s)",
			access("/dev/vfio/vfio", F_OK) == 0 ? "present" : "absent",
			getenv("SVFF_TEST_VF_BDF") != NULL ? getenv("SVFF_TEST_VF_BDF") : "unset");
		return buf;
	}
	return NULL;
}

/* test_hv_libvirt testdrv|real|live: one group per meson test, so that a group
 * that cannot run here is reported as skipped ("1..0 # SKIP <reason>"). */
int
main(int argc, char **argv)
{
	const struct CMUnitTest testdrv[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_testdrv_state_suspend_resume),
		cmocka_unit_test(test_testdrv_bad_input),
		cmocka_unit_test(test_testdrv_events),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_real_lifecycle),
		cmocka_unit_test(test_real_config_hostdev),
	};
	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_real_live_hostdev),
	};
	const char *group = argc > 1 ? argv[1] : "testdrv";
	struct svff_hv *keeper;
	char why[512];
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(group, "testdrv") != 0 && strcmp(group, "real") != 0 &&
	    strcmp(group, "live") != 0) {
		fprintf(stderr, "usage: %s [testdrv|real|live]\n", argv[0]);
		return 2;
	}
	if (skip_reason(group, why, sizeof(why)) != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	/*
	 * The test's own connections (own_conn()) share libvirt's event
	 * implementation with the adapter; keep one adapter open so that its
	 * event thread runs for the whole test.
	 */
	keeper = svff_hv_open(SVFF_HV_LIBVIRT, "test:///default", false, NULL, NULL, err,
		sizeof(err));
	if (keeper == NULL) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	if (strcmp(group, "testdrv") == 0)
		rc = cmocka_run_group_tests_name("hv_libvirt_testdrv", testdrv, NULL, NULL);
	else if (strcmp(group, "real") == 0)
		rc = cmocka_run_group_tests_name("hv_libvirt_real", real, NULL, NULL);
	else
		rc = cmocka_run_group_tests_name("hv_libvirt_live", live, NULL, NULL);
	svff_hv_close(keeper);
	return rc;
}
