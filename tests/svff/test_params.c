/* SPDX-License-Identifier: BSD-3-Clause */
/* The strict telemetry parameter parser (lib/svff/svff_params.c). Pure C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "svff_params.h"

static const struct svff_param_spec spec[] = {
	{"vf", SVFF_PARAM_UINT, true, 0, 251},
	{"vm", SVFF_PARAM_NAME, false, 0, 0},
	{"qmax", SVFF_PARAM_UINT, false, 1, 256},
};

static struct svff_param_val out[3];
static char err[256];
static const char *code;

static int
parse(const char *text)
{
	code = "";
	err[0] = '\0';
	return svff_params_parse(text, spec, 3, out, err, sizeof(err), &code);
}

static void
test_good(void **state)
{
	(void)state;
	assert_int_equal(parse("vf=3"), 0);
	assert_true(out[0].set && out[0].u == 3 && !out[1].set && !out[2].set);
	assert_int_equal(parse("vm=guest-1.a_b,vf=251,qmax=256"), 0);
	assert_string_equal(out[1].name, "guest-1.a_b");
	assert_int_equal(out[0].u, 251);
	assert_int_equal(out[2].u, 256);
	assert_int_equal(parse("vf=0"), 0);
	assert_int_equal(parse("vf=1,vm=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
}

static void
test_bad(void **state)
{
	static const struct {
		const char *text, *code, *needle;
	} cases[] = {
		{"", "missing-key", "'vf' is required"},
		{NULL, "missing-key", "'vf' is required"},
		{"vf=1,vf=2", "duplicate-key", "'vf' given twice"},
		{"vf=1,colour=red", "unknown-key", "unknown parameter 'colour'"},
		{"vf", "bad-syntax", "not key=value"},
		{"=1", "bad-syntax", "empty key"},
		{"vf=1,", "bad-syntax", "empty parameter"},
		{",vf=1", "bad-syntax", "empty parameter"},
		{"vf=", "bad-number", "decimal"},
		{"vf=01", "bad-number", "leading"},
		{"vf=+1", "bad-number", "sign"},
		{"vf=-1", "bad-number", "sign"},
		{"vf=1x", "bad-number", "decimal"},
		{"vf=0x1", "bad-number", "decimal"},
		{"vf= 1", "bad-number", "decimal"},
		{"vf=12345678901", "bad-number", "decimal"},
		{"vf=252", "out-of-range", "[0, 251]"},
		{"vf=4294967295", "out-of-range", "[0, 251]"},
		{"vf=1,qmax=0", "out-of-range", "[1, 256]"},
		{"vf=1,vm=", "bad-name", "1 to 64"},
		{"vf=1,vm=a/b", "bad-name", "A-Z"},
		{"vf=1,vm=a b", "bad-name", "A-Z"},
		{"vf=1,vm=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad-name",
			"1 to 64"},
		{"VF=1", "unknown-key", "'VF'"},
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text), -22);
		if (strcmp(code, cases[i].code) != 0 || strstr(err, cases[i].needle) == NULL)
			fail_msg("'%s': got %s '%s', want %s '%s'", cases[i].text ? cases[i].text :
				"(null)", code, err, cases[i].code, cases[i].needle);
	}
}

static void
test_too_long_and_no_params(void **state)
{
	char big[SVFF_PARAMS_MAX_LEN + 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big), -22);
	assert_string_equal(code, "too-long");
	assert_int_equal(svff_params_parse("x=1", NULL, 0, out, err, sizeof(err), &code), -22);
	assert_string_equal(code, "no-params");
	assert_int_equal(svff_params_parse("", NULL, 0, out, err, sizeof(err), &code), 0);
	assert_true(svff_params_valid_name("a.b-c_D9"));
	assert_false(svff_params_valid_name("a:b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_long_and_no_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
