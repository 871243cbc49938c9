/* SPDX-License-Identifier: BSD-3-Clause */
/* svffctl's output: a reply judged (ok / refused), then shown as a table. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svffctl.h"

/* ------------------------------------------------------------ judging */

/* "/svff/vf,3" -> "/svff/vf": the key DPDK files the reply under */
static void
cmd_name(const char *cmd, char *name, size_t len)
{
	size_t n = strcspn(cmd, ",");

	snprintf(name, len, "%.*s", (int)n, cmd);
}

bool
svffctl_busy(const char *cmd, const char *reply)
{
	char name[SVFFCTL_CMD_MAX];
	json_t *root, *v, *code;
	bool busy;

	cmd_name(cmd, name, sizeof(name));
	root = json_loads(reply, JSON_DECODE_ANY, NULL);
	v = json_is_object(root) ? json_object_get(root, name) : NULL;
	code = json_is_object(v) ? json_object_get(v, "code") : NULL;
	busy = json_is_string(code) && strcmp(json_string_value(code), "busy") == 0;
	json_decref(root);
	return busy;
}

int
svffctl_show(const char *cmd, const char *reply, bool json, svffctl_fmt_fn fmt,
		FILE *out, FILE *errout)
{
	char name[SVFFCTL_CMD_MAX];
	json_error_t jerr;
	json_t *root, *v, *e;
	int status = SVFFCTL_OK;

	cmd_name(cmd, name, sizeof(name));
	root = json_loads(reply, JSON_DECODE_ANY, &jerr);
	if (!json_is_object(root) || (v = json_object_get(root, name)) == NULL) {
		fprintf(errout, "svffctl: svffd's reply to %s is not what DPDK telemetry sends: "
			"%.120s\n", name, reply);
		json_decref(root);
		return SVFFCTL_FAILED;
	}
	if (json_is_null(v)) {
		fprintf(errout, "svffctl: svffd has no command %s (an older svffd?)\n", name);
		status = SVFFCTL_REFUSED;
	} else if (json_is_object(v) && json_is_string(e = json_object_get(v, "error"))) {
		const json_t *code = json_object_get(v, "code");

		fprintf(errout, "svffctl: refused: %s%s%s%s\n", json_string_value(e),
			json_is_string(code) ? " [" : "",
			json_is_string(code) ? json_string_value(code) : "",
			json_is_string(code) ? "]" : "");
		status = SVFFCTL_REFUSED;
	}
	if (json) {
		fprintf(out, "%s\n", reply);
	} else if (status == SVFFCTL_OK) {
		fmt(v, out);
	}
	json_decref(root);
	return status;
}

/* ------------------------------------------------------------ helpers */

static const char *
str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static json_int_t
num(const json_t *o, const char *k, json_int_t dflt)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* A scalar as text ("" for objects/arrays). */
static void
scalar(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	case JSON_NULL:
		snprintf(buf, len, "-");
		break;
	default:
		buf[0] = '\0';
	}
}

/* "duration_us" as a human duration */
static void
duration(json_int_t us, char *buf, size_t len)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 1000)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT " us", us);
	else if (us < 10 * 1000 * 1000)
		snprintf(buf, len, "%.1f ms", (double)us / 1000.0);
	else
		snprintf(buf, len, "%.1f s", (double)us / 1e6);
}

/* ------------------------------------------------------------ key  value */

static void
kv_walk(const json_t *o, const char *prefix, int width, FILE *out)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)o, k, v) {
		char key[256], val[1024];

		snprintf(key, sizeof(key), "%s%s", prefix, k);
		if (json_is_object(v)) {
			char sub[sizeof(key) + 1];

			snprintf(sub, sizeof(sub), "%s.", key);
			kv_walk(v, sub, width, out);
			continue;
		}
		if (json_is_array(v)) {
			char *s = json_dumps(v, JSON_COMPACT);

			fprintf(out, "%-*s  %s\n", width, key, s != NULL ? s : "[]");
			free(s);
			continue;
		}
		scalar(v, val, sizeof(val));
		fprintf(out, "%-*s  %s\n", width, key, val);
	}
}

/* Width of the longest flattened key. */
static int
kv_width(const json_t *o, int prefix_len)
{
	const char *k;
	json_t *v;
	int w = 0, n;

	json_object_foreach((json_t *)(uintptr_t)o, k, v) {
		n = prefix_len + (int)strlen(k);
		if (json_is_object(v))
			n = kv_width(v, n + 1);
		if (n > w)
			w = n;
	}
	return w;
}

void
svffctl_fmt_kv(const json_t *v, FILE *out)
{
	if (!json_is_object(v)) {
		svffctl_fmt_json(v, out);
		return;
	}
	kv_walk(v, "", kv_width(v, 0), out);
}

void
svffctl_fmt_json(const json_t *v, FILE *out)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);

	fprintf(out, "%s\n", s != NULL ? s : "");
	free(s);
}

/* ------------------------------------------------------------ vfs */

void
svffctl_fmt_vfs(const json_t *v, FILE *out)
{
	const json_t *list = json_object_get(v, "vfs");
	size_t i;

	if (!json_is_array(list)) {
		svffctl_fmt_json(v, out);
		return;
	}
	fprintf(out, "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " VFs enabled\n",
		num(v, "numvfs", (json_int_t)json_array_size(list)), num(v, "totalvfs", 0));
	fprintf(out, "%-4s %-9s %6s %6s  %s\n", "VF", "STATE", "QUEUES", "QBASE", "VM");
	for (i = 0; i < json_array_size(list); i++) {
		const char *line = json_string_value(json_array_get(list, i));
		char state[32] = "?", vm[128] = "";
		unsigned int qmax = 0, qbase = 0;

		/* "<state> <qmax>@<qbase> [vm]" */
		if (line == NULL || sscanf(line, "%31s %u@%u %127s", state, &qmax, &qbase, vm) < 3) {
			fprintf(out, "%-4zu %s\n", i, line != NULL ? line : "?");
			continue;
		}
		fprintf(out, "%-4zu %-9s %6u %6u  %s\n", i, state, qmax, qbase, vm[0] ? vm : "-");
	}
}

/* ------------------------------------------------------------ changes */

void
svffctl_fmt_init(const json_t *v, FILE *out)
{
	char d[32];

	duration(num(v, "duration_us", -1), d, sizeof(d));
	fprintf(out, "%" JSON_INTEGER_FORMAT " VFs x %" JSON_INTEGER_FORMAT
		" queues enabled (op %" JSON_INTEGER_FORMAT ", %s)\n",
		num(v, "numvfs", 0), num(v, "qmax", 0), num(v, "op", 0), d);
}

/* attach, detach, reconf: the VF's new state */
void
svffctl_fmt_attach(const json_t *v, FILE *out)
{
	const char *vm = str(v, "vm"), *devargs = str(v, "devargs");
	char d[32];

	duration(num(v, "duration_us", -1), d, sizeof(d));
	fprintf(out, "VF %" JSON_INTEGER_FORMAT ": %s%s%s, queues %" JSON_INTEGER_FORMAT
		"@%" JSON_INTEGER_FORMAT " (op %" JSON_INTEGER_FORMAT ", %s)\n",
		num(v, "vf", -1), str(v, "state"), vm[0] ? " to VM " : "", vm,
		num(v, "qmax", 0), num(v, "qbase", 0), num(v, "op", 0), d);
	if (devargs[0] != '\0')
		fprintf(out, "guest devargs: %s\n", devargs);
}

/* ------------------------------------------------------------ ops */

static int
by_id_desc(const void *a, const void *b)
{
	json_int_t x = num(*(json_t *const *)a, "id", 0), y = num(*(json_t *const *)b, "id", 0);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* "running": "" when idle, else the running op (an init of many VFs runs in steps) */
static void
ops_running(const json_t *r, FILE *out)
{
	if (!json_is_object(r)) {
		fprintf(out, "running: %s\n", json_is_string(r) && json_string_length(r) > 0 ?
			json_string_value(r) : "-");
		return;
	}
	fprintf(out, "running: %" JSON_INTEGER_FORMAT " %s %s, step %" JSON_INTEGER_FORMAT
		" of %" JSON_INTEGER_FORMAT "\n", num(r, "id", 0), str(r, "op"), str(r, "target"),
		num(r, "steps_done", 0), num(r, "steps_total", 0));
}

void
svffctl_fmt_ops(const json_t *v, FILE *out)
{
	const json_t *ops = json_object_get(v, "ops");
	const char *k;
	json_t **list, *op;
	size_t n = 0, i;

	if (!json_is_object(ops)) {
		svffctl_fmt_json(v, out);
		return;
	}
	list = calloc(json_object_size(ops) + 1, sizeof(*list));
	if (list == NULL)
		return;
	json_object_foreach((json_t *)(uintptr_t)ops, k, op)
		if (json_is_object(op))
			list[n++] = op;
	qsort(list, n, sizeof(*list), by_id_desc);
	ops_running(json_object_get(v, "running"), out);
	fprintf(out, "%-5s %-7s %-24s %-22s %-9s %10s  %s\n", "ID", "OP", "TARGET", "STATE",
		"PROGRESS", "DURATION", "RESULT");
	for (i = 0; i < n; i++) {
		char prog[32], d[32];

		snprintf(prog, sizeof(prog), "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
			num(list[i], "steps_done", 0), num(list[i], "steps_total", 0));
		duration(num(list[i], "duration_us", -1), d, sizeof(d));
		fprintf(out, "%-5" JSON_INTEGER_FORMAT " %-7s %-24s %-22s %-9s %10s  %s\n",
			num(list[i], "id", 0), str(list[i], "op"), str(list[i], "target"),
			str(list[i], "state"), prog, d, str(list[i], "result"));
	}
	free(list);
}

/* ------------------------------------------------------------ help */

void
svffctl_fmt_help(const json_t *v, FILE *out)
{
	const char *k;
	json_t *t;

	if (!json_is_object(v)) {
		svffctl_fmt_json(v, out);
		return;
	}
	json_object_foreach((json_t *)(uintptr_t)v, k, t)
		fprintf(out, "%-18s %s\n", k, json_is_string(t) ? json_string_value(t) : "");
}
