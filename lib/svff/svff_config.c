/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "svff_config.h"

/* Schema: every key svffd accepts, its type and its range. */
enum ftype { F_OBJ, F_STR, F_UINT, F_SIZE, F_ENUM, F_STRARR };

struct field {
	const char *key;
	enum ftype type;
	size_t off;                 /* offset in struct svff_config */
	size_t len;                 /* F_STR: buffer size */
	uint64_t min, max;          /* F_UINT, F_SIZE */
	const char *const *names;   /* F_ENUM: NULL-terminated */
	const struct field *sub;    /* F_OBJ: fields, terminated by key NULL */
};

#define OFF(m) offsetof(struct svff_config, m)
#define LEN(m) sizeof(((struct svff_config *)0)->m)

static const char *const card_types[] = {"emulated", "socket", "pci", NULL};
static const char *const personalities[] = {"loopback", "generator", "sink", NULL};
static const char *const log_levels[] = {"emerg", "alert", "crit", "error", "warning",
	"notice", "info", "debug", NULL};

static const struct field card_fields[] = {
	{"type", F_ENUM, OFF(card.type), 0, 0, 0, card_types, NULL},
	{"socket", F_STR, OFF(card.socket), LEN(card.socket), 0, 0, NULL, NULL},
	{"pci", F_STR, OFF(card.pci), LEN(card.pci), 0, 0, NULL, NULL},
	{"queues", F_UINT, OFF(card.queues), 0, 1, 2048, NULL, NULL},
	{"total_vfs", F_UINT, OFF(card.total_vfs), 0, 0, 252, NULL, NULL},
	{"personality", F_ENUM, OFF(card.personality), 0, 0, 0, personalities, NULL},
	{"card_mem", F_SIZE, OFF(card.card_mem), 0, 4096, UINT64_C(1) << 34, NULL, NULL},
	{"pf_queues", F_UINT, OFF(card.pf_queues), 0, 0, 256, NULL, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field vfs_fields[] = {
	{"count", F_UINT, OFF(vfs.count), 0, 0, 252, NULL, NULL},
	{"queues", F_UINT, OFF(vfs.queues), 0, 0, 256, NULL, NULL},
	{"stuck_limit", F_UINT, OFF(vfs.stuck_limit), 0, 1, 1000000, NULL, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field mailbox_fields[] = {
	{"rate", F_UINT, OFF(mailbox.rate), 0, 0, 10000000, NULL, NULL},
	{"burst", F_UINT, OFF(mailbox.burst), 0, 0, 1000000, NULL, NULL},
	{"send_timeout_ms", F_UINT, OFF(mailbox.send_timeout_ms), 0, 0, 60000, NULL, NULL},
	{"pause_timeout_ms", F_UINT, OFF(mailbox.pause_timeout_ms), 0, 0, 600000, NULL, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field top_fields[] = {
	{"card", F_OBJ, 0, 0, 0, 0, NULL, card_fields},
	{"vfs", F_OBJ, 0, 0, 0, 0, NULL, vfs_fields},
	{"mailbox", F_OBJ, 0, 0, 0, 0, NULL, mailbox_fields},
	{"state_dir", F_STR, OFF(state_dir), LEN(state_dir), 0, 0, NULL, NULL},
	{"libvirt_uri", F_STR, OFF(libvirt_uri), LEN(libvirt_uri), 1, 0, NULL, NULL},
	{"log_level", F_ENUM, OFF(log_level), LEN(log_level), 0, 0, log_levels, NULL},
	{"eal", F_STRARR, OFF(eal_args), 0, 0, 0, NULL, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL, NULL},
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* "4096", "64K", "1M", "2G" (binary units) */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -EINVAL;
	}
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
apply_object(const json_t *obj, const struct field *fields, const char *prefix,
		struct svff_config *cfg, const char *name, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
		const struct field *f;
		char path[128];
		uint8_t *dst;

		for (f = fields; f->key != NULL; f++)
			if (strcmp(f->key, key) == 0)
				break;
		snprintf(path, sizeof(path), "%s%s", prefix, key);
		if (f->key == NULL) {
			seterr(err, errlen, "%s: unknown key '%s'", name, path);
			return -EINVAL;
		}
		dst = (uint8_t *)cfg + f->off;
		switch (f->type) {
		case F_OBJ: {
			char sub[160];

			if (!json_is_object(v))
				goto wrong_type;
			snprintf(sub, sizeof(sub), "%s.", path);
			if (apply_object(v, f->sub, sub, cfg, name, err, errlen) < 0)
				return -EINVAL;
			break;
		}
		case F_STR: {
			const char *s;

			if (!json_is_string(v))
				goto wrong_type;
			s = json_string_value(v);
			/* min 1: may be empty */
			if (strlen(s) >= f->len || (strlen(s) == 0 && f->min == 0)) {
				seterr(err, errlen, "%s: key '%s': string must have %d to %zu characters",
					name, path, f->min ? 0 : 1, f->len - 1);
				return -EINVAL;
			}
			memcpy(dst, s, strlen(s) + 1);
			break;
		}
		case F_UINT: {
			json_int_t i;

			if (!json_is_integer(v))
				goto wrong_type;
			i = json_integer_value(v);
			if (i < 0 || (uint64_t)i < f->min || (uint64_t)i > f->max) {
				seterr(err, errlen, "%s: key '%s': %" JSON_INTEGER_FORMAT
					" is out of range [%" PRIu64 ", %" PRIu64 "]",
					name, path, i, f->min, f->max);
				return -EINVAL;
			}
			*(uint32_t *)dst = (uint32_t)i;
			break;
		}
		case F_SIZE: {
			uint64_t sz;

			if (json_is_integer(v) && json_integer_value(v) >= 0) {
				sz = (uint64_t)json_integer_value(v);
			} else if (json_is_string(v)) {
				if (parse_size(json_string_value(v), &sz) < 0) {
					seterr(err, errlen, "%s: key '%s': '%s' is not a size "
						"(e.g. 4096, 64K, 1M, 2G)", name, path,
						json_string_value(v));
					return -EINVAL;
				}
			} else {
				goto wrong_type;
			}
			if (sz < f->min || sz > f->max) {
				seterr(err, errlen, "%s: key '%s': %" PRIu64
					" bytes is out of range [%" PRIu64 ", %" PRIu64 "]",
					name, path, sz, f->min, f->max);
				return -EINVAL;
			}
			*(uint64_t *)dst = sz;
			break;
		}
		case F_ENUM: {
			const char *s;
			unsigned int n;

			if (!json_is_string(v))
				goto wrong_type;
			s = json_string_value(v);
			for (n = 0; f->names[n] != NULL; n++)
				if (strcmp(f->names[n], s) == 0)
					break;
			if (f->names[n] == NULL) {
				char choices[160] = "";

				for (unsigned int k = 0; f->names[k] != NULL; k++) {
					strncat(choices, k ? ", " : "", sizeof(choices) - strlen(choices) - 1);
					strncat(choices, f->names[k], sizeof(choices) - strlen(choices) - 1);
				}
				seterr(err, errlen, "%s: key '%s': '%s' is not one of: %s",
					name, path, s, choices);
				return -EINVAL;
			}
			if (f->len)   /* stored as text */
				snprintf((char *)dst, f->len, "%s", s);
			else
				*(int *)dst = (int)n;
			break;
		}
		case F_STRARR: {
			size_t i;
			json_t *e;

			if (!json_is_array(v))
				goto wrong_type;
			if (json_array_size(v) > SVFF_CONFIG_EAL_MAX) {
				seterr(err, errlen, "%s: key '%s': at most %d entries", name, path,
					SVFF_CONFIG_EAL_MAX);
				return -EINVAL;
			}
			json_array_foreach(v, i, e) {
				const char *s;

				if (!json_is_string(e)) {
					seterr(err, errlen, "%s: key '%s[%zu]': expected a string, got %s",
						name, path, i, json_type_name(e));
					return -EINVAL;
				}
				s = json_string_value(e);
				if (strlen(s) >= SVFF_CONFIG_STR_MAX) {
					seterr(err, errlen, "%s: key '%s[%zu]': too long", name, path, i);
					return -EINVAL;
				}
				snprintf(cfg->eal_args[i], SVFF_CONFIG_STR_MAX, "%s", s);
			}
			cfg->nb_eal_args = (unsigned int)json_array_size(v);
			break;
		}
		}
		continue;
wrong_type:
		seterr(err, errlen, "%s: key '%s': expected %s, got %s", name, path,
			f->type == F_OBJ ? "an object" : f->type == F_UINT ? "an integer" :
			f->type == F_STRARR ? "an array of strings" :
			f->type == F_SIZE ? "a size (integer or string)" : "a string",
			json_type_name(v));
		return -EINVAL;
	}
	return 0;
}

void
svff_config_defaults(struct svff_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->card.type = SVFF_CARD_EMULATED;
	snprintf(cfg->card.socket, sizeof(cfg->card.socket), "/run/svff/card.sock");
	cfg->card.queues = 2048;
	cfg->card.total_vfs = 252;
	cfg->card.personality = SVFF_PERSONALITY_LOOPBACK;
	cfg->card.card_mem = 1u << 20;
	cfg->vfs.count = 4;
	cfg->vfs.queues = 8;
	cfg->vfs.stuck_limit = 1;
	cfg->card.pf_queues = 8;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/svff");
	snprintf(cfg->libvirt_uri, sizeof(cfg->libvirt_uri), "qemu:///system");
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
}

static int
check_consistency(const struct svff_config *c, const char *name, char *err, size_t errlen)
{
	if (c->card.type == SVFF_CARD_PCI && c->card.pci[0] == '\0') {
		seterr(err, errlen, "%s: key 'card.pci': required when card.type is \"pci\"", name);
		return -EINVAL;
	}
	if (c->card.type != SVFF_CARD_PCI && c->vfs.count > c->card.total_vfs) {
		seterr(err, errlen, "%s: key 'vfs.count': %u VFs exceed card.total_vfs (%u)",
			name, c->vfs.count, c->card.total_vfs);
		return -EINVAL;
	}
	if (c->card.type != SVFF_CARD_PCI &&
	    (uint64_t)c->vfs.count * c->vfs.queues + c->card.pf_queues > c->card.queues) {
		seterr(err, errlen, "%s: key 'vfs.queues': %u VFs x %u queues and the PF's %u "
			"do not fit card.queues (%u)", name, c->vfs.count,
			c->vfs.queues, c->card.pf_queues, c->card.queues);
		return -EINVAL;
	}
	return 0;
}

static int
config_from_json(json_t *root, const char *name, struct svff_config *cfg, char *err,
		size_t errlen)
{
	struct svff_config tmp;

	if (!json_is_object(root)) {
		seterr(err, errlen, "%s: top level: expected an object, got %s", name,
			json_type_name(root));
		return -EINVAL;
	}
	svff_config_defaults(&tmp);
	if (apply_object(root, top_fields, "", &tmp, name, err, errlen) < 0)
		return -EINVAL;
	if (check_consistency(&tmp, name, err, errlen) < 0)
		return -EINVAL;
	snprintf(tmp.path, sizeof(tmp.path), "%s", name);
	*cfg = tmp;
	return 0;
}

int
svff_config_parse(const char *text, const char *name, struct svff_config *cfg, char *err,
		size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		seterr(err, errlen, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	rc = config_from_json(root, name, cfg, err, errlen);
	json_decref(root);
	return rc;
}

int
svff_config_load(const char *path, struct svff_config *cfg, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (root == NULL) {
		seterr(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	rc = config_from_json(root, path, cfg, err, errlen);
	json_decref(root);
	return rc;
}

const char *
svff_card_type_name(enum svff_card_type t)
{
	return (unsigned int)t < 3 ? card_types[t] : "?";
}

const char *
svff_personality_name(enum svff_personality p)
{
	return (unsigned int)p < 3 ? personalities[p] : "?";
}
