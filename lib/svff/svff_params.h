/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Strict parser of telemetry command parameters: "key=value" pairs
 * separated by commas, each key at most once, every key known, integers in
 * decimal (no sign, no leading zeros, no blanks) within a range, names
 * matching [A-Za-z0-9._-]{1,64}.  Pure C.
 */
#ifndef SVFF_PARAMS_H
#define SVFF_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest parameter text accepted. */
#define SVFF_PARAMS_MAX_LEN 512
/** Longest name value, without the NUL. */
#define SVFF_PARAMS_NAME_MAX 64

/** Kind of a parameter's value. */
enum svff_param_type {
	SVFF_PARAM_UINT, /**< decimal integer in [min, max] */
	SVFF_PARAM_NAME, /**< [A-Za-z0-9._-]{1,64} */
};

/** What a command accepts. */
struct svff_param_spec {
	const char *key;
	enum svff_param_type type;
	bool required;
	uint32_t min, max;    /**< UINT */
};

/** A parsed value (set[] says which were given). */
struct svff_param_val {
	bool set;
	uint32_t u;
	char name[SVFF_PARAMS_NAME_MAX + 1];
};

/**
 * Parse @p text (NULL or "" = no parameters) against @p spec[0..n-1];
 * @p out[i] receives spec[i]'s value.  Limits known only at run time (a VF
 * number below numvfs) are the caller's to check.
 * @return 0, or -EINVAL with a sentence in @p err and a short id in @p code.
 */
int svff_params_parse(const char *text, const struct svff_param_spec *spec, unsigned int n,
		struct svff_param_val *out, char *err, size_t errlen, const char **code);

/**
 * A decimal integer in [@p min, @p max] written as the parser wants it (no sign, no
 * leading zeros), for values given inside a name ("3", "0-7").  0, or -EINVAL.
 */
int svff_params_uint(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/** Whether @p s is a valid name ([A-Za-z0-9._-]{1,64}). */
bool svff_params_valid_name(const char *s);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_PARAMS_H */
