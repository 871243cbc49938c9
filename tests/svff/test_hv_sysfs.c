/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svff_hv_vf_bdf(): a VF's PCI address from its PF's virtfn<n> link, on a
 * fake sysfs tree built by the test (the links are relative, as the
 * kernel writes them).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "svff_hv.h"

static char root[] = "/tmp/svfft-sysfs-XXXXXX";
static char err[512];

static void
mkdirs(const char *rel)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
}

static void
link_vf(const char *pf, unsigned int n, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/virtfn%u", root, pf, n);
	assert_int_equal(symlink(target, p), 0);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(root) == NULL)
		return -1;
	/* what the kernel shows: bus/pci/devices/<bdf> link to devices/pci.../<bdf> */
	mkdirs("bus/pci/devices/0000:3b:00.0");
	mkdirs("bus/pci/devices/0000:3b:00.1");
	link_vf("0000:3b:00.0", 0, "../0000:3b:00.4");
	link_vf("0000:3b:00.0", 1, "../0000:3b:00.5");
	link_vf("0000:3b:00.0", 11, "../0000:3b:01.7");
	link_vf("0000:3b:00.0", 12, "../not-a-bdf");
	link_vf("0000:3b:00.0", 13, "../0000:3b:00.5trailing");
	link_vf("0000:3b:00.1", 0, "/sys/devices/pci0000:3a/0000:3a:00.0/10000:00:01.0");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_found(void **state)
{
	char bdf[16];

	(void)state;
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 0, bdf, sizeof(bdf), err,
		sizeof(err)), 0);
	assert_string_equal(bdf, "0000:3b:00.4");
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 1, bdf, sizeof(bdf), err,
		sizeof(err)), 0);
	assert_string_equal(bdf, "0000:3b:00.5");
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 11, bdf, sizeof(bdf), err,
		sizeof(err)), 0);
	assert_string_equal(bdf, "0000:3b:01.7");
	/* the short form, as EAL's -a takes it */
	assert_int_equal(svff_hv_vf_bdf(root, "3b:00.0", 1, bdf, sizeof(bdf), err,
		sizeof(err)), 0);
	assert_string_equal(bdf, "0000:3b:00.5");
}

static void
test_missing(void **state)
{
	char bdf[16] = "unchanged";

	(void)state;
	/* beyond numvfs, a PF without SR-IOV, no such PF */
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 2, bdf, sizeof(bdf), err,
		sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no VF 2"));
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.1", 1, bdf, sizeof(bdf), err,
		sizeof(err)), -ENOENT);
	assert_int_equal(svff_hv_vf_bdf(root, "0000:99:00.0", 0, bdf, sizeof(bdf), err,
		sizeof(err)), -ENOENT);
	assert_string_equal(bdf, "unchanged");
}

static void
test_malformed(void **state)
{
	static const char *const bad_pf[] = { "", "3b:00.9", "3b-00.0", "0000:3b:00.9", "0000:3b:00.0/..",
		"../../etc", "0000:3b:00.0x" };
	char bdf[16] = "unchanged";
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_pf) / sizeof(bad_pf[0]); i++) {
		assert_int_equal(svff_hv_vf_bdf(root, bad_pf[i], 0, bdf, sizeof(bdf), err,
			sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "not a PCI address"));
	}
	assert_int_equal(svff_hv_vf_bdf(root, NULL, 0, bdf, sizeof(bdf), err, sizeof(err)),
		-EINVAL);
	/* links that do not end in an address */
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 12, bdf, sizeof(bdf), err,
		sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not-a-bdf"));
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 13, bdf, sizeof(bdf), err,
		sizeof(err)), -EINVAL);
	/* a 5-digit PCI domain is not what svff handles */
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.1", 0, bdf, sizeof(bdf), err,
		sizeof(err)), -EINVAL);
	/* an output buffer too small */
	assert_int_equal(svff_hv_vf_bdf(root, "0000:3b:00.0", 0, bdf, 8, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(bdf, "unchanged");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("hv_sysfs", tests, setup, teardown);
}
