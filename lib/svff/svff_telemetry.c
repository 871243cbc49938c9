/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /svff/ telemetry commands.  A handler parses its parameters strictly,
 * posts a request to the manager lcore (which owns all state) and turns the
 * JSON reply into telemetry data.  Replies are JSON objects; a failure is
 * {"error": sentence, "code": short-id} and never changes state.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ring.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "svff_private.h"

/* How long a handler waits for the manager's answer. */
#define TIMEOUT_READ_MS 10000
#define TIMEOUT_CHANGE_MS 120000
/* The telemetry reply buffer of DPDK 22.11 is 16 KiB. */
#define REPLY_MAX 16384

/*
 * DPDK 22.11 telemetry callbacks carry no context pointer, so the one
 * registered instance is reachable only from here.  Handlers count
 * themselves in and out so that unregistering waits for them.
 */
static struct svff *tel_svff;
static uint32_t tel_inflight;
/* DPDK offers no way to unregister a command: register them once. */
static bool tel_cmds_registered;

/* ------------------------------------------------- JSON -> telemetry data */

static int put_value(struct rte_tel_data *d, const char *key, json_t *v);

static struct rte_tel_data *
array_of(json_t *a)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	bool strings = json_array_size(a) == 0 || json_is_string(json_array_get(a, 0));
	size_t i;
	json_t *e;

	if (c == NULL)
		return NULL;
	rte_tel_data_start_array(c, strings ? RTE_TEL_STRING_VAL : RTE_TEL_U64_VAL);
	json_array_foreach(a, i, e) {
		int rc = strings ? rte_tel_data_add_array_string(c, json_is_string(e) ?
			json_string_value(e) : "") :
			rte_tel_data_add_array_u64(c, (uint64_t)json_integer_value(e));

		if (rc != 0) {
			rte_tel_data_free(c);
			return NULL;
		}
	}
	return c;
}

static struct rte_tel_data *
dict_of(json_t *o)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	const char *k;
	json_t *v;

	if (c == NULL)
		return NULL;
	rte_tel_data_start_dict(c);
	json_object_foreach(o, k, v) {
		if (put_value(c, k, v) != 0) {
			rte_tel_data_free(c);
			return NULL;
		}
	}
	return c;
}

static int
put_value(struct rte_tel_data *d, const char *key, json_t *v)
{
	struct rte_tel_data *c;

	switch (json_typeof(v)) {
	case JSON_INTEGER:
		if (json_integer_value(v) >= 0)
			return rte_tel_data_add_dict_u64(d, key, (uint64_t)json_integer_value(v));
		return rte_tel_data_add_dict_int(d, key, (int)json_integer_value(v));
	case JSON_STRING:
		return rte_tel_data_add_dict_string(d, key, json_string_value(v));
	case JSON_TRUE:
	case JSON_FALSE:
		return rte_tel_data_add_dict_u64(d, key, json_is_true(v));
	case JSON_OBJECT:
	case JSON_ARRAY:
		c = json_is_object(v) ? dict_of(v) : array_of(v);
		if (c == NULL)
			return -ENOMEM;
		if (rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
			rte_tel_data_free(c);
			return -EINVAL;
		}
		return 0;
	default:
		return rte_tel_data_add_dict_string(d, key, "");
	}
}

/* Fill @p d from @p reply (consumed); a reply that cannot be told is an error. */
static int
reply_json(struct rte_tel_data *d, json_t *reply)
{
	char *text = json_dumps(reply, JSON_COMPACT);
	size_t len = text != NULL ? strlen(text) : 0;
	const char *k;
	json_t *v;
	int rc = 0;

	free(text);
	rte_tel_data_start_dict(d);
	if (len + 64 > REPLY_MAX) {
		rc = -E2BIG;
	} else {
		json_object_foreach(reply, k, v)
			if ((rc = put_value(d, k, v)) != 0)
				break;
	}
	json_decref(reply);
	if (rc != 0) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "error", "the reply does not fit a telemetry "
			"message");
		rte_tel_data_add_dict_string(d, "code", "reply-too-large");
	}
	return 0;
}

/* ------------------------------------------------------------ handlers */

static struct svff *
enter(void)
{
	__atomic_add_fetch(&tel_inflight, 1, __ATOMIC_ACQ_REL);
	return __atomic_load_n(&tel_svff, __ATOMIC_ACQUIRE);
}

static void
leave(void)
{
	__atomic_sub_fetch(&tel_inflight, 1, __ATOMIC_ACQ_REL);
}

struct cmd_def {
	const char *name;
	enum svff_cmd cmd;
	const char *help;
	unsigned int nb_params;
	struct svff_param_spec params[SVFF_REQ_MAX_PARAMS];
};

static const struct cmd_def cmd_defs[] = {
	{"/svff/info", SVFF_CMD_INFO, "svffd status: card, queues total/free, numvfs, VFs per state, manager "
		"lcore, uptime, journal. No parameters.", 0, {{0}}},
	{"/svff/vfs", SVFF_CMD_VFS, "Every VF, one line each: '<state> <qmax>@<qbase> [vm]'. No parameters.", 0, {{0}}},
	{"/svff/vf", SVFF_CMD_VF, "One VF: /svff/vf,<n> (or vf=<n>): state, vm, queues, FMAP, mailbox "
		"counters, last op.", 1,
		{{"vf", SVFF_PARAM_UINT, true, 0, SVFF_MAX_VFS - 1}}},
	{"/svff/ops", SVFF_CMD_OPS, "The running op and the last 64: target, state, progress, start, "
		"duration, result. No parameters.", 0, {{0}}},
	{"/svff/debug/card", SVFF_CMD_DEBUG_CARD, "Read-only: FMAP of every function (from the card), PMD windows, "
		"grants (hashed). No parameters.",
		0, {{0}}},
	{"/svff/init", SVFF_CMD_INIT, "Enable VFs: numvfs=<0..252>[,qmax=<0..256 queues each>]. Refused while "
		"a VF is attached.", 2,
		{{"numvfs", SVFF_PARAM_UINT, true, 0, SVFF_MAX_VFS},
		 {"qmax", SVFF_PARAM_UINT, false, 0, 256}}},
	{"/svff/attach", SVFF_CMD_ATTACH, "Give a ready VF to a VM: vf=<n>,vm=<[A-Za-z0-9._-]{1,64}>. The reply "
		"has the guest's devargs.", 2,
		{{"vf", SVFF_PARAM_UINT, true, 0, SVFF_MAX_VFS - 1},
		 {"vm", SVFF_PARAM_NAME, true, 0, 0}}},
	{"/svff/detach", SVFF_CMD_DETACH, "Take a VF back from its VM (a failed one too): vf=<n>. The guest sees "
		"a removal.", 1,
		{{"vf", SVFF_PARAM_UINT, true, 0, SVFF_MAX_VFS - 1}}},
	{"/svff/pause", SVFF_CMD_PAUSE, "Pause attached VFs (a stall for their guests): vf=<n>|all. "
		"No answer in time: by force. Progress: /svff/ops.", 1,
		{{"vf", SVFF_PARAM_NAME, true, 0, 0}}},
	{"/svff/unpause", SVFF_CMD_UNPAUSE, "Resume paused VFs where they stopped: vf=<n>|all.", 1,
		{{"vf", SVFF_PARAM_NAME, true, 0, 0}}},
	{"/svff/reconf", SVFF_CMD_RECONF, "vf=<n>|vfs=<a-b>,qmax=<q> (pauses the VFs that move); "
		"numvfs=<m>[,qmax=<q>]; personality=loopback|generator|sink", 5,
		{{"vf", SVFF_PARAM_UINT, false, 0, SVFF_MAX_VFS - 1},
		 {"vfs", SVFF_PARAM_NAME, false, 0, 0},
		 {"qmax", SVFF_PARAM_UINT, false, 0, 256},
		 {"numvfs", SVFF_PARAM_UINT, false, 0, SVFF_MAX_VFS},
		 {"personality", SVFF_PARAM_NAME, false, 0, 0}}},
};

static const struct cmd_def *
find_cmd(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(cmd_defs); i++)
		if (strcmp(cmd_defs[i].name, name) == 0)
			return &cmd_defs[i];
	return NULL;
}

/* /svff/vf,<n>: a bare number stands for vf=<n>. */
static const char *
vf_shorthand(const char *params, char *buf, size_t len)
{
	size_t n = params != NULL ? strlen(params) : 0;

	if (n == 0 || n > 10 || strspn(params, "0123456789") != n)
		return params;
	snprintf(buf, len, "vf=%s", params);
	return buf;
}

static int
tel_svff_cmd(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct cmd_def *def = find_cmd(cmd);
	struct svff *s = enter();
	struct svff_req *req;
	const char *code = "internal";
	char err[256], buf[32];
	json_t *reply;

	if (s == NULL || def == NULL) {
		reply = svff_error("shutdown", "svffd is shutting down");
		goto out;
	}
	req = calloc(1, sizeof(*req));
	if (req == NULL) {
		reply = svff_error("no-memory", "out of memory");
		goto out;
	}
	req->cmd = def->cmd;
	if (def->cmd == SVFF_CMD_VF)
		params = vf_shorthand(params, buf, sizeof(buf));
	if (svff_params_parse(params, def->params, def->nb_params, req->p, err, sizeof(err),
			&code) < 0) {
		free(req);
		reply = svff_error(code, "%s: %s", cmd, err);
		goto out;
	}
	reply = svff_request(s, req, def->cmd >= SVFF_CMD_INIT ? TIMEOUT_CHANGE_MS :
		TIMEOUT_READ_MS);
out:
	leave();
	return reply_json(d, reply);
}

static int
tel_version(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	if (params != NULL && params[0] != '\0')
		return reply_json(d, svff_error("no-params", "/svff/version: this command takes "
			"no parameters"));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "svff", SVFF_VERSION_STRING);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	return 0;
}

static int
tel_help(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *r = json_object();

	(void)cmd;
	if (params != NULL && params[0] != '\0') {
		json_decref(r);
		return reply_json(d, svff_error("no-params", "/svff/help: this command takes no "
			"parameters"));
	}
	for (unsigned int i = 0; i < RTE_DIM(cmd_defs); i++)
		json_object_set_new(r, cmd_defs[i].name, json_string(cmd_defs[i].help));
	json_object_set_new(r, "/svff/version", json_string("svff and DPDK versions."));
	return reply_json(d, r);
}

int
svff_telemetry_register(struct svff *s)
{
	struct svff *expected = NULL;

	if (!__atomic_compare_exchange_n(&tel_svff, &expected, s, false, __ATOMIC_RELEASE,
			__ATOMIC_RELAXED))
		return -EEXIST;
	if (tel_cmds_registered)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(cmd_defs); i++) {
		int rc = rte_telemetry_register_cmd(cmd_defs[i].name, tel_svff_cmd,
			cmd_defs[i].help);

		if (rc < 0) {
			__atomic_store_n(&tel_svff, NULL, __ATOMIC_RELEASE);
			return rc;
		}
	}
	if (rte_telemetry_register_cmd("/svff/version", tel_version,
			"svff and DPDK versions. No parameters.") < 0 ||
	    rte_telemetry_register_cmd("/svff/help", tel_help,
			"Every /svff/ command with its parameters. No parameters.") < 0) {
		__atomic_store_n(&tel_svff, NULL, __ATOMIC_RELEASE);
		return -EINVAL;
	}
	tel_cmds_registered = true;
	return 0;
}

void
svff_telemetry_unregister(struct svff *s)
{
	struct svff *expected = s;

	__atomic_compare_exchange_n(&tel_svff, &expected, NULL, false, __ATOMIC_RELEASE,
		__ATOMIC_RELAXED);
	/* handlers that got the instance finish before it goes away; the
	 * manager no longer runs, so answer what they queued */
	while (__atomic_load_n(&tel_inflight, __ATOMIC_ACQUIRE) > 0) {
		void *obj;

		while (rte_ring_sc_dequeue(s->ring, &obj) == 0) {
			struct svff_req *req = obj;
			uint32_t q = SVFF_REQ_QUEUED;

			if (__atomic_compare_exchange_n(&req->state, &q, SVFF_REQ_TAKEN, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				svff_req_finish(req, svff_error("shutdown", "svffd is shutting down"));
			else
				svff_req_put(req);
		}
		usleep(1000);
	}
}
