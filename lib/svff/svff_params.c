/* SPDX-License-Identifier: BSD-3-Clause */
/* Strict telemetry parameter parser (svff_params.h).  Pure C. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "svff_params.h"

#define FAIL(c, ...) do { snprintf(err, errlen, __VA_ARGS__); *code = (c); return -EINVAL; } while (0)

bool
svff_params_valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
		if (n >= SVFF_PARAMS_NAME_MAX)
			return false;
	}
	return n > 0;
}

/* Decimal, no sign, no leading zero (but "0"), at most 10 digits. */
static int
parse_uint(const char *s, uint64_t *v)
{
	size_t n = strlen(s);

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

int
svff_params_uint(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (parse_uint(s, &x) < 0 || x < min || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int
parse_value(const struct svff_param_spec *sp, const char *val, struct svff_param_val *out,
		char *err, size_t errlen, const char **code)
{
	uint64_t v;

	if (sp->type == SVFF_PARAM_NAME) {
		if (!svff_params_valid_name(val))
			FAIL("bad-name", "'%s' must be 1 to %d characters of A-Z a-z 0-9 . _ -",
				sp->key, SVFF_PARAMS_NAME_MAX);
		snprintf(out->name, sizeof(out->name), "%s", val);
	} else {
		if (parse_uint(val, &v) < 0)
			FAIL("bad-number", "'%s' must be a decimal integer without sign or leading "
				"zeros", sp->key);
		if (v < sp->min || v > sp->max)
			FAIL("out-of-range", "'%s' must be in [%u, %u]", sp->key, sp->min, sp->max);
		out->u = (uint32_t)v;
	}
	out->set = true;
	return 0;
}

static int
parse_pair(char *pair, const struct svff_param_spec *spec, unsigned int n,
		struct svff_param_val *out, char *err, size_t errlen, const char **code)
{
	char *eq = strchr(pair, '=');
	unsigned int i;

	if (pair[0] == '\0')
		FAIL("bad-syntax", "empty parameter: use key=value pairs separated by commas");
	if (eq == NULL)
		FAIL("bad-syntax", "parameter '%.64s' is not key=value", pair);
	*eq = '\0';
	if (pair[0] == '\0')
		FAIL("bad-syntax", "parameter with an empty key");
	for (i = 0; i < n; i++)
		if (strcmp(spec[i].key, pair) == 0)
			break;
	if (i == n)
		FAIL("unknown-key", "unknown parameter '%.64s'", pair);
	if (out[i].set)
		FAIL("duplicate-key", "parameter '%s' given twice", spec[i].key);
	return parse_value(&spec[i], eq + 1, &out[i], err, errlen, code);
}

int
svff_params_parse(const char *text, const struct svff_param_spec *spec, unsigned int n,
		struct svff_param_val *out, char *err, size_t errlen, const char **code)
{
	char buf[SVFF_PARAMS_MAX_LEN + 1];
	char *p, *comma;

	memset(out, 0, sizeof(*out) * n);
	if (text != NULL && text[0] != '\0') {
		if (strlen(text) > SVFF_PARAMS_MAX_LEN)
			FAIL("too-long", "parameters longer than %d characters", SVFF_PARAMS_MAX_LEN);
		if (n == 0)
			FAIL("no-params", "this command takes no parameters");
		snprintf(buf, sizeof(buf), "%s", text);
		for (p = buf; p != NULL; p = comma) {
			comma = strchr(p, ',');
			if (comma != NULL)
				*comma++ = '\0';
			if (parse_pair(p, spec, n, out, err, errlen, code) < 0)
				return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		if (spec[i].required && !out[i].set)
			FAIL("missing-key", "parameter '%s' is required", spec[i].key);
	return 0;
}
