/* SPDX-License-Identifier: BSD-3-Clause */
/* svffd configuration: defaults, the shipped config, and every kind of bad
 * input (syntax, unknown key, wrong type, range, consistency). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "svff_config.h"

static char err[512];

static int
parse(const char *text, struct svff_config *c)
{
	err[0] = '\0';
	return svff_config_parse(text, "t.json", c, err, sizeof(err));
}

static void
test_defaults(void **state)
{
	struct svff_config c;

	(void)state;
	svff_config_defaults(&c);
	assert_int_equal(c.card.type, SVFF_CARD_EMULATED);
	assert_int_equal(c.vfs.count, 4);
	assert_int_equal(c.vfs.queues, 8);
	assert_int_equal(c.card.queues, 2048);
	assert_string_equal(c.log_level, "info");
}

static void
test_shipped_default_json(void **state)
{
	struct svff_config c;
	char path[1024];
	const char *src = getenv("SVFF_SOURCE_ROOT");

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/config/default.json", src);
	assert_int_equal(svff_config_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.card.type, SVFF_CARD_EMULATED);
	assert_int_equal(c.vfs.count, 4);
	assert_int_equal(c.vfs.queues, 8);
	assert_int_equal(c.card.personality, SVFF_PERSONALITY_LOOPBACK);
	assert_int_equal(c.card.card_mem, 1 << 20);
	assert_string_equal(c.path, path);
}

static void
test_values_applied(void **state)
{
	struct svff_config c;

	(void)state;
	assert_int_equal(parse("{\"card\":{\"type\":\"socket\",\"socket\":\"/tmp/x.sock\","
		"\"queues\":512,\"total_vfs\":16,\"personality\":\"generator\",\"card_mem\":\"64K\"},"
		"\"vfs\":{\"count\":2,\"queues\":100},\"log_level\":\"debug\","
		"\"eal\":[\"-l\",\"1\"]}", &c), 0);
	assert_int_equal(c.card.type, SVFF_CARD_SOCKET);
	assert_string_equal(c.card.socket, "/tmp/x.sock");
	assert_int_equal(c.card.queues, 512);
	assert_int_equal(c.card.total_vfs, 16);
	assert_int_equal(c.card.personality, SVFF_PERSONALITY_GENERATOR);
	assert_int_equal(c.card.card_mem, 65536);
	assert_int_equal(c.vfs.count, 2);
	assert_int_equal(c.vfs.queues, 100);
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(c.nb_eal_args, 2);
	assert_string_equal(c.eal_args[0], "-l");
	assert_string_equal(c.eal_args[1], "1");
}

/* A failed parse must leave the output exactly as it was. */
static void
expect_fail(const char *text, const char *needle)
{
	struct svff_config c, before;

	memset(&c, 0xA5, sizeof(c));
	before = c;
	assert_int_not_equal(parse(text, &c), 0);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' does not contain '%s'", err, needle);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void
test_syntax_error_has_line_and_column(void **state)
{
	(void)state;
	expect_fail("{\n  \"vfs\": {\n    \"count\": 4,,\n  }\n}", "t.json:3:");
	expect_fail("", "t.json:1:");
	expect_fail("{\"vfs\": {\"count\": 1}, \"vfs\": {\"count\": 2}}", "duplicate");
}

static void
test_unknown_keys(void **state)
{
	(void)state;
	expect_fail("{\"bogus\": 1}", "unknown key 'bogus'");
	expect_fail("{\"card\": {\"typo\": \"emulated\"}}", "unknown key 'card.typo'");
	expect_fail("{\"vfs\": {\"count\": 1, \"quues\": 2}}", "unknown key 'vfs.quues'");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	expect_fail("[]", "top level: expected an object");
	expect_fail("{\"card\": 3}", "'card': expected an object, got an integer");
	expect_fail("{\"card\": {\"queues\": \"8\"}}", "'card.queues': expected an integer, got a string");
	expect_fail("{\"vfs\": {\"count\": 1.5}}", "'vfs.count': expected an integer");
	expect_fail("{\"state_dir\": true}", "'state_dir': expected a string, got a boolean");
	expect_fail("{\"eal\": \"-l 0\"}", "'eal': expected an array of strings");
	expect_fail("{\"eal\": [\"-l\", 0]}", "'eal[1]': expected a string");
	expect_fail("{\"card\": {\"card_mem\": [1]}}", "'card.card_mem': expected a size");
}

static void
test_ranges_and_enums(void **state)
{
	(void)state;
	expect_fail("{\"card\": {\"queues\": 0}}", "'card.queues': 0 is out of range");
	expect_fail("{\"card\": {\"queues\": 4096}}", "out of range [1, 2048]");
	expect_fail("{\"card\": {\"total_vfs\": 253}}", "'card.total_vfs'");
	expect_fail("{\"vfs\": {\"count\": -1}}", "'vfs.count': -1 is out of range");
	expect_fail("{\"card\": {\"type\": \"fpga\"}}", "not one of: emulated, socket, pci");
	expect_fail("{\"card\": {\"personality\": \"echo\"}}", "'card.personality'");
	expect_fail("{\"log_level\": \"loud\"}", "'log_level'");
	expect_fail("{\"card\": {\"card_mem\": \"12Q\"}}", "not a size");
	expect_fail("{\"card\": {\"card_mem\": 100}}", "out of range");
	expect_fail("{\"state_dir\": \"\"}", "'state_dir': string must have");
}

static void
test_consistency(void **state)
{
	(void)state;
	expect_fail("{\"card\": {\"type\": \"pci\"}}", "'card.pci': required");
	expect_fail("{\"card\": {\"total_vfs\": 2}, \"vfs\": {\"count\": 3}}",
		"3 VFs exceed card.total_vfs (2)");
	expect_fail("{\"card\": {\"queues\": 64}, \"vfs\": {\"count\": 8, \"queues\": 8}}",
		"8 VFs x 8 queues and the PF's 8 do not fit card.queues (64)");
	expect_fail("{\"vfs\": {\"queues\": 257}}", "'vfs.queues': 257 is out of range");
	expect_fail("{\"vfs\": {\"stuck_limit\": 0}}", "'vfs.stuck_limit': 0 is out of range");
	expect_fail("{\"card\": {\"pf_queues\": 300}}", "'card.pf_queues': 300 is out of range");
}

static void
test_new_keys(void **state)
{
	struct svff_config c;

	(void)state;
	assert_int_equal(parse("{\"card\": {\"queues\": 64, \"pf_queues\": 0}, \"vfs\": "
		"{\"count\": 8, \"queues\": 8, \"stuck_limit\": 5}, \"libvirt_uri\": \"\"}", &c), 0);
	assert_int_equal(c.card.pf_queues, 0);
	assert_int_equal(c.vfs.stuck_limit, 5);
	assert_string_equal(c.libvirt_uri, "");
	assert_int_equal(parse("{\"mailbox\": {\"rate\": 100, \"burst\": 10, \"send_timeout_ms\": 50}}",
		&c), 0);
	assert_int_equal(c.mailbox.rate, 100);
	assert_int_equal(c.mailbox.burst, 10);
	assert_int_equal(c.mailbox.send_timeout_ms, 50);
	expect_fail("{\"mailbox\": {\"send_timeout_ms\": 60001}}", "out of range");
	svff_config_defaults(&c);
	assert_int_equal(c.card.pf_queues, 8);
	assert_int_equal(c.vfs.stuck_limit, 1);
}

static void
test_missing_file(void **state)
{
	struct svff_config c;

	(void)state;
	assert_int_equal(svff_config_load("/nonexistent/svff.json", &c, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "/nonexistent/svff.json"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_default_json),
		cmocka_unit_test(test_values_applied),
		cmocka_unit_test(test_syntax_error_has_line_and_column),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_new_keys),
		cmocka_unit_test(test_ranges_and_enums),
		cmocka_unit_test(test_consistency),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests_name("svff_config", tests, NULL, NULL);
}
