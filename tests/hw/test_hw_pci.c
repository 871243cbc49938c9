/* SPDX-License-Identifier: BSD-3-Clause */
/* PCI identity tests (qdma-reference.md section 1.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qdma_hw_pci.h"

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(QDMA_PCI_VENDOR_ID, 0x10ee);
	assert_int_equal(QDMA_PCI_DEVID_PF_DEFAULT, 0x903f);
	assert_int_equal(QDMA_PCI_DEVID_VF_DEFAULT, 0xa03f);
	assert_int_equal(QDMA_PCI_CONFIG_BAR, 0);
	assert_int_equal(QDMA_PCI_CLASS_BASE, 0x05); /* memory controller */
	assert_int_equal(QDMA_PCI_CLASS_CODE, 0x058000);
}

static void
test_classification(void **state)
{
	(void)state;
	/* PF 0x9<pf><gen><w> / 0xB..., VF 0xA... / 0xC... */
	assert_true(qdma_pci_devid_is_pf(0x903f));
	assert_false(qdma_pci_devid_is_vf(0x903f));
	assert_true(qdma_pci_devid_is_vf(0xa03f));
	assert_false(qdma_pci_devid_is_pf(0xa03f));
	assert_true(qdma_pci_devid_is_pf(0xb03f));
	assert_true(qdma_pci_devid_is_vf(0xc03f));
	assert_true(qdma_pci_devid_is_pf(0x9311)); /* PF3 Gen1 x1 */
	assert_true(qdma_pci_devid_is_pf(0x9122)); /* PF1 Gen2 x2 */
	assert_true(qdma_pci_devid_is_pf(0x9234)); /* PF2 Gen3 x4 */
	assert_true(qdma_pci_devid_is_vf(0xa248)); /* VF of PF2 Gen4 x8 */
	assert_true(qdma_pci_devid_is_pf(0x9058)); /* Gen5 x8 */
	assert_false(qdma_pci_devid_is_pf(0x905f)); /* Gen5 only x8 */
	assert_false(qdma_pci_devid_is_pf(0x9434)); /* pf 4 */
	assert_false(qdma_pci_devid_is_pf(0x9033)); /* width 3 */
	assert_false(qdma_pci_devid_is_pf(0x900f)); /* gen 0 */
	assert_false(qdma_pci_devid_is_pf(0x906f)); /* gen 6 */
	assert_false(qdma_pci_devid_is_pf(0x803f));
	assert_false(qdma_pci_devid_is_vf(0xd03f));
	assert_false(qdma_pci_devid_is_pf(0x0000));
	assert_true(qdma_pci_is_pf(0x10ee, 0x903f));
	assert_false(qdma_pci_is_pf(0x8086, 0x903f));
	assert_true(qdma_pci_is_vf(0x10ee, 0xa03f));
	assert_false(qdma_pci_is_vf(0x10ef, 0xa03f));
}

static void
test_fields(void **state)
{
	(void)state;
	assert_int_equal(qdma_pci_devid_type(0xb128), 0xb);
	assert_int_equal(qdma_pci_devid_pf(0xb128), 1);
	assert_int_equal(qdma_pci_devid_gen(0xb128), 2);
	assert_int_equal(qdma_pci_devid_width(0xb128), 8);
	assert_int_equal(qdma_pci_width_lanes(0xf), 16);
	assert_int_equal(qdma_pci_width_lanes(0x4), 4);
	assert_int_equal(qdma_pci_width_lanes(0x3), 0);
	assert_int_equal(qdma_pci_vf_devid_of(0x903f), 0xa03f);
	assert_int_equal(qdma_pci_vf_devid_of(0xb128), 0xc128);
	assert_int_equal(qdma_pci_vf_devid_of(0xa03f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
