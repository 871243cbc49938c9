/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Default contents of the global CSR tables (qdma-reference.md section 1.4).
 */
#include "qdma_hw_regs.h"

const uint32_t qdma_glbl_rng_sz_default[QDMA_CSR_TABLE_ENTRIES] = {
	2049, 65, 129, 193, 257, 385, 513, 769, 1025, 1537, 3073, 4097, 6145, 8193, 12289, 16385,
};

const uint32_t qdma_c2h_timer_cnt_default[QDMA_CSR_TABLE_ENTRIES] = {
	1, 2, 4, 5, 8, 10, 15, 20, 25, 30, 50, 75, 100, 125, 150, 200,
};

const uint32_t qdma_c2h_cnt_th_default[QDMA_CSR_TABLE_ENTRIES] = {
	2, 4, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192,
};

const uint32_t qdma_c2h_buf_sz_default[QDMA_CSR_TABLE_ENTRIES] = {
	4096, 256, 512, 1024, 2048, 3968, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 8192, 9018,
	16384,
};

int
qdma_csr_table_find(const uint32_t table[QDMA_CSR_TABLE_ENTRIES], uint32_t value)
{
	unsigned i;

	for (i = 0; i < QDMA_CSR_TABLE_ENTRIES; i++)
		if (table[i] == value)
			return (int)i;
	return -1;
}
