/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor adapter, libvirt side: the connection (with its event thread
 * and the lifecycle / device-removed callbacks that feed the adapter's event
 * queue), and the implementation for VFs of a PCI card: a VF is a managed
 * PCI hostdev with the alias "ua-svff-vf<N>", hot-plugged into the domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "svff_hv_private.h"
#include "svff_private.h"

/* A connection that died is tried again at most this often (emulated: a
 * libvirtd that is not running must not slow every attach down). */
#define VIRT_RETRY_S 5
/* Keepalive: a libvirtd that stops answering is given up after about
 * interval * (count + 1) seconds instead of blocking the manager forever. */
#define VIRT_KA_INTERVAL 2
#define VIRT_KA_COUNT 2
/* How long opening a connection may take before libvirt counts as unreachable:
 * emulated (a VM name lookup) / libvirt (the adapter cannot work without it). */
#define VIRT_OPEN_QUIET_MS 2000
#define VIRT_OPEN_MS 30000

struct svff_hv_virt {
	virConnectPtr conn;
	int cb_lifecycle;   /* callback ids, -1 when not registered */
	int cb_removed;
	bool loop_ref;      /* holds a reference on the event thread */
	time_t retry_after; /* after a failed open (CLOCK_MONOTONIC seconds) */
};

/* ------------------------------------------------------------ event loop */

/*
 * libvirt has one event loop implementation per process
 * (virEventRegisterDefaultImpl) and it is run by one thread: both are
 * process-wide by libvirt's design, so they are the only state here that
 * is not inside an adapter.  The thread runs while at least one
 * connection is open.
 */
static pthread_once_t loop_once = PTHREAD_ONCE_INIT;
static int loop_init_rc;
static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int loop_refs;
static bool loop_stop;
static pthread_t loop_thread;

static void
quiet_errors(void *arg, virErrorPtr e)
{
	/* errors are reported by the callers, in their own words */
	(void)arg;
	(void)e;
}

static void
loop_init(void)
{
	virSetErrorFunc(NULL, quiet_errors);
	loop_init_rc = virInitialize() < 0 ? -1 : virEventRegisterDefaultImpl();
}

static void *
loop_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&loop_stop, __ATOMIC_ACQUIRE)) {
		if (virEventRunDefaultImpl() < 0)
			SVFF_LOG(WARNING, "libvirt event loop: %s", virGetLastErrorMessage());
	}
	return NULL;
}

static void
loop_wake(int timer, void *arg)
{
	(void)arg;
	virEventRemoveTimeout(timer);
}

static int
loop_get(char *err, size_t errlen)
{
	int rc = 0;

	pthread_once(&loop_once, loop_init);
	if (loop_init_rc < 0) {
		snprintf(err, errlen, "cannot initialise libvirt's event loop");
		return -EIO;
	}
	pthread_mutex_lock(&loop_lock);
	if (loop_refs == 0) {
		__atomic_store_n(&loop_stop, false, __ATOMIC_RELEASE);
		rc = -pthread_create(&loop_thread, NULL, loop_main, NULL);
		if (rc < 0)
			snprintf(err, errlen, "cannot start the libvirt event thread: %s",
				strerror(-rc));
	}
	if (rc == 0)
		loop_refs++;
	pthread_mutex_unlock(&loop_lock);
	return rc;
}

static void
loop_put(void)
{
	pthread_mutex_lock(&loop_lock);
	if (--loop_refs == 0) {
		__atomic_store_n(&loop_stop, true, __ATOMIC_RELEASE);
		/* an immediate timer makes the loop's poll return and see loop_stop */
		if (virEventAddTimeout(0, loop_wake, NULL, NULL) < 0)
			SVFF_LOG(WARNING, "cannot wake the libvirt event thread");
		pthread_join(loop_thread, NULL);
	}
	pthread_mutex_unlock(&loop_lock);
}

/* ------------------------------------------------------------ callbacks */

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	(void)conn;
	(void)detail;
	if (event == VIR_DOMAIN_EVENT_STOPPED)
		svff_hv_evq_push(opaque, SVFF_HV_EVT_DOMAIN_STOPPED, virDomainGetName(dom), NULL);
	else if (event == VIR_DOMAIN_EVENT_UNDEFINED)
		svff_hv_evq_push(opaque, SVFF_HV_EVT_DOMAIN_UNDEFINED, virDomainGetName(dom), NULL);
	return 0;
}

static void
on_removed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	svff_hv_evq_push(opaque, SVFF_HV_EVT_DEVICE_REMOVED, virDomainGetName(dom), alias);
}

static void
evq_release(void *opaque)
{
	svff_hv_evq_put(opaque);
}

/* libvirt's generic callback type differs from each event's own: cast through void (*)(void) */
#define EVENT_CB(f) ((virConnectDomainEventGenericCallback)(void (*)(void))(f))

static int
register_events(struct svff_hv *hv, char *err, size_t errlen)
{
	struct svff_hv_virt *v = hv->virt;

	svff_hv_evq_get(hv->evq);
	v->cb_lifecycle = virConnectDomainEventRegisterAny(v->conn, NULL,
		VIR_DOMAIN_EVENT_ID_LIFECYCLE, EVENT_CB(on_lifecycle), hv->evq, evq_release);
	if (v->cb_lifecycle < 0) {
		svff_hv_evq_put(hv->evq);
		goto fail;
	}
	svff_hv_evq_get(hv->evq);
	v->cb_removed = virConnectDomainEventRegisterAny(v->conn, NULL,
		VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, EVENT_CB(on_removed), hv->evq, evq_release);
	if (v->cb_removed < 0) {
		svff_hv_evq_put(hv->evq);
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "libvirt at %s: cannot register for domain events: %s", hv->uri,
		virGetLastErrorMessage());
	return -EIO;
}

/* ------------------------------------------------------------ connection */

/*
 * virConnectOpen() has no timeout: a libvirtd that accepts connections but
 * does not answer (stopped, hung) would block the manager lcore for ever.
 * So the open runs on a short-lived thread and is waited for with a
 * timeout; a late open is abandoned and closed by its thread when it ends.
 */
struct open_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, abandoned;   /* under lock */
	virConnectPtr conn;
	char err[256];
	char uri[SVFF_HV_URI_MAX];
};

static void
job_free(struct open_job *j)
{
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *
open_main(void *arg)
{
	struct open_job *j = arg;
	virConnectPtr c = virConnectOpen(j->uri);
	bool abandoned;

	pthread_mutex_lock(&j->lock);
	if (c == NULL)
		snprintf(j->err, sizeof(j->err), "%s", virGetLastErrorMessage());
	j->conn = c;
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (abandoned) {
		if (c != NULL)
			virConnectClose(c);
		job_free(j);
	}
	return NULL;
}

static int
job_init(struct open_job *j, const char *uri)
{
	pthread_condattr_t ca;
	int rc;

	snprintf(j->uri, sizeof(j->uri), "%s", uri);
	if (pthread_condattr_init(&ca) != 0)
		return -ENOMEM;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -rc;
	rc = pthread_mutex_init(&j->lock, NULL);
	if (rc != 0)
		pthread_cond_destroy(&j->cond);
	return -rc;
}

static virConnectPtr
open_timed(const char *uri, int timeout_ms, char *err, size_t errlen)
{
	struct open_job *j = calloc(1, sizeof(*j));
	struct timespec until;
	virConnectPtr conn;
	pthread_attr_t ta;
	pthread_t t;
	int rc;

	if (j == NULL || job_init(j, uri) < 0) {
		free(j);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &ta, open_main, j);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		job_free(j);
		snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->lock);
	while (!j->done && pthread_cond_timedwait(&j->cond, &j->lock, &until) != ETIMEDOUT)
		;
	if (!j->done) {
		/* the thread frees the job (and closes a late connection) */
		j->abandoned = true;
		pthread_mutex_unlock(&j->lock);
		snprintf(err, errlen, "cannot connect to libvirt at %s: no answer within %d ms",
			uri, timeout_ms);
		return NULL;
	}
	conn = j->conn;
	if (conn == NULL)
		snprintf(err, errlen, "cannot connect to libvirt at %s: %s", uri, j->err);
	pthread_mutex_unlock(&j->lock);
	job_free(j);
	return conn;
}

static void
virt_drop(struct svff_hv_virt *v)
{
	if (v->conn != NULL) {
		if (v->cb_lifecycle >= 0)
			virConnectDomainEventDeregisterAny(v->conn, v->cb_lifecycle);
		if (v->cb_removed >= 0)
			virConnectDomainEventDeregisterAny(v->conn, v->cb_removed);
		virConnectClose(v->conn);
		v->conn = NULL;
	}
	v->cb_lifecycle = -1;
	v->cb_removed = -1;
	if (v->loop_ref) {
		loop_put();
		v->loop_ref = false;
	}
}

static int
virt_open(struct svff_hv *hv, bool quiet, char *err, size_t errlen)
{
	struct svff_hv_virt *v = hv->virt;
	int rc;

	rc = loop_get(err, errlen);
	if (rc < 0)
		return rc;
	v->loop_ref = true;
	v->conn = open_timed(hv->uri, quiet ? VIRT_OPEN_QUIET_MS : VIRT_OPEN_MS, err, errlen);
	if (v->conn == NULL) {
		virt_drop(v);
		return -ECONNREFUSED;
	}
	if (virConnectSetKeepAlive(v->conn, VIRT_KA_INTERVAL, VIRT_KA_COUNT) < 0)
		SVFF_LOG(DEBUG, "libvirt at %s: no keepalive: %s", hv->uri,
			virGetLastErrorMessage());
	rc = register_events(hv, err, errlen);
	if (rc < 0) {
		virt_drop(v);
		return rc;
	}
	SVFF_LOG(INFO, "hypervisor: connected to libvirt at %s", hv->uri);
	return 0;
}

struct _virConnect *
svff_hv_virt_get(struct svff_hv *hv, bool quiet, char *err, size_t errlen)
{
	struct svff_hv_virt *v = hv->virt;
	struct timespec ts;
	time_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;

	if (hv->uri[0] == '\0') {
		snprintf(err, errlen, "no libvirt URI configured");
		return NULL;
	}
	if (v == NULL) {
		v = calloc(1, sizeof(*v));
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		v->cb_lifecycle = v->cb_removed = -1;
		hv->virt = v;
	}
	if (v->conn != NULL && virConnectIsAlive(v->conn) == 1)
		return v->conn;
	if (v->conn != NULL) {
		SVFF_LOG(WARNING, "hypervisor: lost the connection to libvirt at %s", hv->uri);
		virt_drop(v);
	}
	if (quiet && now < v->retry_after) {
		snprintf(err, errlen, "libvirt at %s was unreachable moments ago", hv->uri);
		return NULL;
	}
	if (virt_open(hv, quiet, err, errlen) < 0) {
		v->retry_after = now + VIRT_RETRY_S;
		return NULL;
	}
	return v->conn;
}

void
svff_hv_virt_close(struct svff_hv *hv)
{
	if (hv->virt == NULL)
		return;
	virt_drop(hv->virt);
	free(hv->virt);
	hv->virt = NULL;
}

bool
svff_hv_virt_built(void)
{
	return true;
}

/* ------------------------------------------------------------ domains */

/* Look @p vm up; NULL with *absent set when libvirt has no such domain. */
static virDomainPtr
dom_lookup(virConnectPtr conn, const char *vm, bool *absent, char *err, size_t errlen)
{
	virDomainPtr d = virDomainLookupByName(conn, vm);

	*absent = false;
	if (d != NULL)
		return d;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
		*absent = true;
		snprintf(err, errlen, "libvirt has no domain '%s'", vm);
	} else {
		snprintf(err, errlen, "cannot look domain '%s' up: %s", vm,
			virGetLastErrorMessage());
	}
	return NULL;
}

static enum svff_hv_dom_state
map_state(int s)
{
	switch (s) {
	case VIR_DOMAIN_RUNNING:
		return SVFF_HV_DOM_RUNNING;
	case VIR_DOMAIN_PAUSED:
		return SVFF_HV_DOM_PAUSED;
	case VIR_DOMAIN_SHUTOFF:
		return SVFF_HV_DOM_SHUTOFF;
	default:
		return SVFF_HV_DOM_OTHER;
	}
}

int
svff_hv_virt_state(struct _virConnect *conn, const char *vm, enum svff_hv_dom_state *st,
		char *err, size_t errlen)
{
	virDomainPtr d;
	bool absent;
	int s, reason;

	d = dom_lookup(conn, vm, &absent, err, errlen);
	if (d == NULL) {
		*st = SVFF_HV_DOM_ABSENT;
		return absent ? 0 : -EIO;
	}
	if (virDomainGetState(d, &s, &reason, 0) < 0) {
		snprintf(err, errlen, "cannot read the state of domain '%s': %s", vm,
			virGetLastErrorMessage());
		virDomainFree(d);
		return -EIO;
	}
	virDomainFree(d);
	*st = map_state(s);
	return 0;
}

int
svff_hv_virt_suspend(struct _virConnect *conn, const char *vm, bool resume,
		char *err, size_t errlen)
{
	virDomainPtr d;
	bool absent;
	int rc;

	d = dom_lookup(conn, vm, &absent, err, errlen);
	if (d == NULL)
		return absent ? -ENOENT : -EIO;
	rc = resume ? virDomainResume(d) : virDomainSuspend(d);
	if (rc < 0)
		snprintf(err, errlen, "cannot %s domain '%s': %s", resume ? "resume" : "suspend",
			vm, virGetLastErrorMessage());
	virDomainFree(d);
	return rc < 0 ? -EIO : 0;
}

/* ------------------------------------------------------------ hostdevs */

/* The hostdev element for @p vf, and its alias. */
static int
hostdev_xml(const struct svff_hv_vf *vf, char *xml, size_t len, char *alias, size_t alen,
		char *err, size_t errlen)
{
	struct svff_hv_pci_addr a;

	if (svff_hv_parse_bdf(vf->bdf, &a) < 0) {
		snprintf(err, errlen, "VF %u has no valid PCI address ('%.*s')", vf->vf,
			(int)sizeof(vf->bdf), vf->bdf);
		return -EINVAL;
	}
	snprintf(alias, alen, "ua-svff-vf%u", vf->vf);
	snprintf(xml, len,
		"<hostdev mode='subsystem' type='pci' managed='yes'>\n"
		"  <source>\n"
		"    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
		"  </source>\n"
		"  <alias name='%s'/>\n"
		"</hostdev>\n", a.domain, a.bus, a.slot, a.function, alias);
	return 0;
}

/* Flags for a hostdev change: the running domain, and its config if persistent. */
static int
change_flags(struct svff_hv *hv, virDomainPtr d, const char *vm, unsigned int *flags,
		char *err, size_t errlen)
{
	int active = virDomainIsActive(d);

	if (active < 0) {
		snprintf(err, errlen, "cannot tell whether domain '%s' runs: %s", vm,
			virGetLastErrorMessage());
		return -EIO;
	}
	*flags = (active ? VIR_DOMAIN_AFFECT_LIVE : 0) |
		(hv->persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0);
	if (*flags == 0) {
		snprintf(err, errlen, "domain '%s' is not running (and the adapter is not "
			"persistent, so its config is left alone)", vm);
		return -ENODEV;
	}
	return 0;
}

/* Attach (or detach) @p vf's hostdev to (from) domain @p vm. */
static int
hostdev_change(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf, bool attach,
		char *alias, size_t alen, char *err, size_t errlen)
{
	char xml[512];
	virConnectPtr conn;
	virDomainPtr d;
	unsigned int flags;
	bool absent;
	int rc;

	rc = hostdev_xml(vf, xml, sizeof(xml), alias, alen, err, errlen);
	if (rc < 0)
		return rc;
	conn = svff_hv_virt_get(hv, false, err, errlen);
	if (conn == NULL)
		return -ECONNREFUSED;
	d = dom_lookup(conn, vm, &absent, err, errlen);
	if (d == NULL)
		return absent ? -ENOENT : -EIO;
	rc = change_flags(hv, d, vm, &flags, err, errlen);
	if (rc == 0) {
		rc = attach ? virDomainAttachDeviceFlags(d, xml, flags) :
			virDomainDetachDeviceFlags(d, xml, flags);
		if (rc < 0) {
			snprintf(err, errlen, "cannot %s VF %u (%s) %s domain '%s': %s",
				attach ? "attach" : "detach", vf->vf, vf->bdf,
				attach ? "to" : "from", vm, virGetLastErrorMessage());
			rc = -EIO;
		}
	}
	virDomainFree(d);
	return rc;
}

static int
lv_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen)
{
	return hostdev_change(hv, vm, vf, true, out->alias, sizeof(out->alias), err, errlen);
}

static int
lv_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		char *err, size_t errlen)
{
	char alias[SVFF_HV_NAME_MAX + 1];

	return hostdev_change(hv, vm, vf, false, alias, sizeof(alias), err, errlen);
}

static int
lv_suspend(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	virConnectPtr conn = svff_hv_virt_get(hv, false, err, errlen);

	return conn == NULL ? -ECONNREFUSED : svff_hv_virt_suspend(conn, vm, false, err, errlen);
}

static int
lv_resume(struct svff_hv *hv, const char *vm, char *err, size_t errlen)
{
	virConnectPtr conn = svff_hv_virt_get(hv, false, err, errlen);

	return conn == NULL ? -ECONNREFUSED : svff_hv_virt_suspend(conn, vm, true, err, errlen);
}

static int
lv_state(struct svff_hv *hv, const char *vm, enum svff_hv_dom_state *st, char *err,
		size_t errlen)
{
	virConnectPtr conn = svff_hv_virt_get(hv, false, err, errlen);

	return conn == NULL ? -ECONNREFUSED : svff_hv_virt_state(conn, vm, st, err, errlen);
}

/* An attribute of @p n as a number (libvirt writes "0x3b"); -1 when absent or bad. */
static long
xml_num(xmlNodePtr n, const char *attr)
{
	xmlChar *s = xmlGetProp(n, (const xmlChar *)attr);
	char *end;
	long v;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtol((const char *)s, &end, 0);
	if (errno != 0 || end == (char *)s || *end != '\0' || v < 0)
		v = -1;
	xmlFree(s);
	return v;
}

/* Whether domain XML @p xml has a PCI hostdev at @p a. */
static int
xml_has_hostdev(const char *xml, const struct svff_hv_pci_addr *a, bool *present)
{
	xmlDocPtr doc;
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	int i, rc = -EINVAL;

	*present = false;
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	if (ctx != NULL)
		res = xmlXPathEvalExpression((const xmlChar *)
			"/domain/devices/hostdev[@mode='subsystem' and @type='pci']/source/address",
			ctx);
	if (res != NULL) {
		rc = 0;
		for (i = 0; res->nodesetval != NULL && i < res->nodesetval->nodeNr; i++) {
			xmlNodePtr n = res->nodesetval->nodeTab[i];

			if (xml_num(n, "domain") == (long)a->domain &&
			    xml_num(n, "bus") == (long)a->bus &&
			    xml_num(n, "slot") == (long)a->slot &&
			    xml_num(n, "function") == (long)a->function)
				*present = true;
		}
		xmlXPathFreeObject(res);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}

static int
lv_present(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf, bool *present,
		char *err, size_t errlen)
{
	struct svff_hv_pci_addr a;
	virConnectPtr conn;
	virDomainPtr d;
	bool absent;
	char *xml;
	int rc;

	*present = false;
	if (svff_hv_parse_bdf(vf->bdf, &a) < 0) {
		snprintf(err, errlen, "VF %u has no valid PCI address", vf->vf);
		return -EINVAL;
	}
	conn = svff_hv_virt_get(hv, false, err, errlen);
	if (conn == NULL)
		return -ECONNREFUSED;
	d = dom_lookup(conn, vm, &absent, err, errlen);
	if (d == NULL)
		return absent ? 0 : -EIO;
	xml = virDomainGetXMLDesc(d, 0);
	virDomainFree(d);
	if (xml == NULL) {
		snprintf(err, errlen, "cannot read domain '%s': %s", vm, virGetLastErrorMessage());
		return -EIO;
	}
	rc = xml_has_hostdev(xml, &a, present);
	if (rc < 0)
		snprintf(err, errlen, "domain '%s': libvirt returned XML that does not parse", vm);
	free(xml);
	return rc;
}

const struct svff_hv_ops svff_hv_libvirt_ops = {
	.attach = lv_attach,
	.detach = lv_detach,
	.suspend = lv_suspend,
	.resume = lv_resume,
	.domain_state = lv_state,
	.vf_present = lv_present,
};
