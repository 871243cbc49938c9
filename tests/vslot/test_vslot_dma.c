/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot DMA maps = the IOMMU: translation of a driver's memfd region
 * (driver in another process), refused ranges, map/unmap errors, isolation
 * between functions, client death (FLR drops the maps), the map limit and
 * the reader's last-hit cache.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

#define MEM_SIZE 0x40000u

static uint8_t *
expected_mem(void)
{
	uint8_t *e = malloc(MEM_SIZE);

	assert_non_null(e);
	for (size_t off = 0; off + 8 <= MEM_SIZE; off += 8) {
		uint64_t v = t_pattern(off);

		memcpy(e + off, &v, 8);
	}
	return e;
}

static void
check_bytes(struct vslot_server *srv, unsigned fn, uint64_t iova, const uint8_t *exp, size_t len)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	assert_true(t_dma_read(srv, fn, iova, buf, len));
	assert_memory_equal(buf, exp, len);
	free(buf);
}

static void
test_dma_translate(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 1, &o);
	struct vslot_server *srv;
	struct agent *a = &f->ag[0];
	struct agent_res r;
	uint8_t *exp = expected_mem();
	struct vslot_reader *rd;
	size_t avail;

	srv = f->card.srv;
	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, MEM_SIZE, 0, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000, 0x10000, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x200000, 0x3000, 0x5000, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x300000, 0x100, 0x123, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 3);

	/* the card sees the driver's bytes */
	check_bytes(srv, 0, 0x100000 + 0x800, exp + 0x800, 64);
	check_bytes(srv, 0, 0x100000, exp, 0x10000);
	check_bytes(srv, 0, 0x200008, exp + 0x5008, 16);
	check_bytes(srv, 0, 0x300000, exp + 0x123, 0x100);

	/* card writes, driver reads; driver writes, card reads */
	rd = vslot_reader_register(srv);
	assert_non_null(rd);
	{
		uint64_t v = 0x1122334455667788ull;
		void *p = vslot_dma_ptr(srv, 0, 0x101000, 8);

		assert_non_null(p);
		memcpy(p, &v, 8);
	}
	/* boundaries */
	assert_non_null(vslot_dma_ptr(srv, 0, 0x10ffff, 1));
	assert_null(vslot_dma_ptr(srv, 0, 0x0, 8));
	assert_null(vslot_dma_ptr(srv, 0, 0xfffff, 2));            /* straddles the start */
	assert_null(vslot_dma_ptr(srv, 0, 0x10fff8, 16));          /* straddles the end */
	assert_null(vslot_dma_ptr(srv, 0, 0x100000, 0x10001));     /* one byte too long */
	assert_null(vslot_dma_ptr(srv, 0, 0x110000, 8));           /* just past */
	assert_null(vslot_dma_ptr(srv, 0, 0x100000, 0));           /* empty */
	assert_null(vslot_dma_ptr(srv, 0, UINT64_MAX - 4, 8));     /* wraps */
	assert_null(vslot_dma_ptr(srv, 0, 0x1ff000, 0x2000));      /* before map 2 */
	assert_null(vslot_dma_ptr(srv, 0, 0x300000, 0x101));
	assert_null(vslot_dma_ptr(srv, 1, 0x100000, 8));           /* no such function */
	assert_null(vslot_dma_ptr(srv, 1000, 0x100000, 8));
	assert_non_null(vslot_dma_ptr_prefix(srv, 0, 0x10fff0, 0x100, &avail));
	assert_int_equal(avail, 0x10);
	assert_null(vslot_dma_ptr_prefix(srv, 0, 0x110000, 0x100, &avail));
	assert_int_equal(avail, 0);
	vslot_reader_offline(rd);

	assert_int_equal(agent_call(a, &r, A_MEM_READ64, 0x1000, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 0x1122334455667788ull);
	assert_int_equal(agent_call(a, &r, A_MEM_WRITE64, 0x5010, 0xfeedfacecafebeefull, 0, 0), 0);
	{
		uint64_t v;

		assert_true(t_dma_read(srv, 0, 0x200010, &v, 8));
		assert_int_equal(v, 0xfeedfacecafebeefull);
	}

	/* map errors */
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000, 0x10000, 0, 0), -EEXIST);
	assert_non_null(strstr(r.err, "overlaps"));
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0xff000, 0x2000, 0, 0), -EEXIST);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x10f000, 0x2000, 0, 0), -EEXIST);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x104000, 0x1000, 0, 0), -EEXIST);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0xf0000, 0x30000, 0, 0), -EEXIST);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x1fffff, 0x2, 0, 0), -EEXIST);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, 0, 0, 0), -EINVAL);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, UINT64_MAX - 0xfff, 0x2000, 0, 0), -EINVAL);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, 0x1000, MEM_SIZE, 0), -EINVAL);
	assert_non_null(strstr(r.err, "end of the file"));
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, MEM_SIZE + 1, 0, 0), -EINVAL);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, 0x1000, UINT64_MAX - 8, 0),
		-EINVAL);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP_FD, 0x400000, 0x1000, 0, 0), -EBADF);
	assert_non_null(strstr(r.err, "regular file"));
	assert_int_equal(agent_call(a, &r, A_DMA_MAP_FD, 0x400000, 0x1000, 1, 0), -EBADF);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 3);

	/* touching is not overlapping; a span may or may not be contiguous */
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x110000, 0x1000, 0x10000, 0), 0);
	vslot_reader_online(rd);
	{
		uint64_t iova = 0x10fff0, left = 0x20;
		const uint8_t *e = exp + 0xfff0;
		void *whole = vslot_dma_ptr(srv, 0, iova, (size_t)left);

		/* the server keeps ascending adjacent maps host-contiguous */
		assert_non_null(whole);
		assert_memory_equal(whole, e, left);
		/* walk piecewise: always possible */
		while (left > 0) {
			void *p = vslot_dma_ptr_prefix(srv, 0, iova, (size_t)left, &avail);

			assert_non_null(p);
			assert_true(avail > 0 && avail <= left);
			assert_memory_equal(p, e, avail);
			iova += avail;
			e += avail;
			left -= avail;
		}
	}
	vslot_reader_offline(rd);

	/* unmap errors */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x100000, 0x8000, 0, 0), -EINVAL);
	assert_non_null(strstr(r.err, "split"));
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x500000, 0x1000, 0, 0), -ENOENT);
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x100000, 0, 0, 0), -EINVAL);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 4);

	/* unmap two maps at once */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x100000, 0x11000, 0, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 2);
	assert_null(vslot_dma_ptr(srv, 0, 0x100000, 8));
	assert_null(vslot_dma_ptr(srv, 0, 0x110000, 8));
	check_bytes(srv, 0, 0x300000, exp + 0x123, 0x100);
	/* the iova range can be mapped again */
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000, 0x1000, 0x2000, 0), 0);
	check_bytes(srv, 0, 0x100000, exp + 0x2000, 0x1000);
	/* unmap everything */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0, UINT64_MAX, 0, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 0);
	assert_null(vslot_dma_ptr(srv, 0, 0x300000, 8));
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0, UINT64_MAX, 0, 0), -ENOENT);

	vslot_reader_unregister(rd);
	free(exp);
}

static void
test_dma_isolation(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 3, &o);
	struct vslot_server *srv = f->card.srv;
	struct agent *pf = &f->ag[0], *vf0 = &f->ag[1], *vf1 = &f->ag[2];
	struct agent_res r;
	uint64_t v;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0x1111, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, 0x2222, 0, 0), 0);
	assert_int_equal(agent_open(vf0, f->card.path, VSLOT_FN_VF(0), 0x1111, &r), 0);
	assert_int_equal(agent_open(vf1, f->card.path, VSLOT_FN_VF(1), 0x2222, &r), 0);

	/* each driver owns different memory, tagged at offset 0 */
	assert_int_equal(agent_call(pf, &r, A_MEM_CREATE, 0x10000, 0, 0, 0), 0);
	assert_int_equal(agent_call(vf0, &r, A_MEM_CREATE, 0x20000, 0, 0, 0), 0);
	assert_int_equal(agent_call(vf1, &r, A_MEM_CREATE, 0x10000, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_MEM_WRITE64, 0, 0xaaaaaaaaaaaaaaaaull, 0, 0), 0);
	assert_int_equal(agent_call(vf0, &r, A_MEM_WRITE64, 0, 0xbbbbbbbbbbbbbbbbull, 0, 0), 0);
	assert_int_equal(agent_call(vf1, &r, A_MEM_WRITE64, 0, 0xccccccccccccccccull, 0, 0), 0);

	/* PF and VF0 map the same IOVA: each translation sees its own memory */
	assert_int_equal(agent_call(pf, &r, A_DMA_MAP, 0x10000, 0x10000, 0, 0), 0);
	assert_int_equal(agent_call(vf0, &r, A_DMA_MAP, 0x10000, 0x10000, 0, 0), 0);
	assert_int_equal(agent_call(vf0, &r, A_DMA_MAP, 0x80000, 0x10000, 0x10000, 0), 0);
	assert_true(t_dma_read(srv, 0, 0x10000, &v, 8));
	assert_int_equal(v, 0xaaaaaaaaaaaaaaaaull);
	assert_true(t_dma_read(srv, VSLOT_FN_VF(0), 0x10000, &v, 8));
	assert_int_equal(v, 0xbbbbbbbbbbbbbbbbull);
	/* VF1 registered nothing: it reaches nothing */
	assert_false(t_dma_read(srv, VSLOT_FN_VF(1), 0x10000, &v, 8));
	/* VF0's private map is invisible to the PF and to VF1 */
	assert_true(t_dma_read(srv, VSLOT_FN_VF(0), 0x80000, &v, 8));
	assert_int_equal(v, t_pattern(0x10000));
	assert_false(t_dma_read(srv, 0, 0x80000, &v, 8));
	assert_false(t_dma_read(srv, VSLOT_FN_VF(1), 0x80000, &v, 8));
	assert_null(vslot_dma_ptr(srv, 99, 0x80000, 8));
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 1);
	assert_int_equal(vslot_server_nb_dma_maps(srv, VSLOT_FN_VF(0)), 2);
	assert_int_equal(vslot_server_nb_dma_maps(srv, VSLOT_FN_VF(1)), 0);

	/* VF1 cannot unmap what VF0 mapped */
	assert_int_equal(agent_call(vf1, &r, A_DMA_UNMAP, 0x10000, 0x10000, 0, 0), -ENOENT);
	/* VF0's unmap leaves the PF's map of the same IOVA alone */
	assert_int_equal(agent_call(vf0, &r, A_DMA_UNMAP, 0x10000, 0x10000, 0, 0), 0);
	assert_false(t_dma_read(srv, VSLOT_FN_VF(0), 0x10000, &v, 8));
	assert_true(t_dma_read(srv, 0, 0x10000, &v, 8));
	assert_int_equal(v, 0xaaaaaaaaaaaaaaaaull);

	/* VF1 may map the same IOVA too */
	assert_int_equal(agent_call(vf1, &r, A_DMA_MAP, 0x80000, 0x1000, 0, 0), 0);
	assert_true(t_dma_read(srv, VSLOT_FN_VF(1), 0x80000, &v, 8));
	assert_int_equal(v, 0xccccccccccccccccull);
	assert_true(t_dma_read(srv, VSLOT_FN_VF(0), 0x80000, &v, 8));
	assert_int_equal(v, t_pattern(0x10000));
}

static void
test_dma_client_death(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 2, &o);
	struct vslot_server *srv = f->card.srv;
	struct agent_res r;
	uint64_t v;

	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_MEM_CREATE, 0x10000, 0, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_DMA_MAP, 0x1000000, 0x8000, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_DMA_MAP, 0x2000000, 0x8000, 0x8000, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 2);
	assert_true(t_dma_read(srv, 0, 0x2000000, &v, 8));
	assert_int_equal(v, t_pattern(0x8000));
	assert_int_equal(tcard_resets(&f->card, 0), 0);

	agent_kill(&f->ag[0]);
	assert_true(tcard_wait_resets(&f->card, 0, 1));
	/* maps were dropped before the reset callback */
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 0);
	assert_false(t_dma_read(srv, 0, 0x2000000, &v, 8));
	assert_false(vslot_server_fn_connected(srv, 0));

	/* a new driver starts with an empty IOMMU */
	assert_int_equal(agent_open(&f->ag[1], f->card.path, 0, 0, &r), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 0);
	assert_false(t_dma_read(srv, 0, 0x1000000, &v, 8));
	assert_int_equal(agent_call(&f->ag[1], &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, 0, 2));
}

static void
test_dma_map_limit(void **state)
{
	struct tcard_opts o = { .total_vfs = 0, .max_maps = 8 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *a = &f->ag[0];
	struct agent_res r;

	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, 0x20000, 0, 0, 0), 0);
	/* insert in a scrambled order to exercise the sorted insert */
	for (unsigned i = 0; i < 8; i++) {
		unsigned k = (i * 5) % 8;

		assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000 + k * 0x10000, 0x1000,
			k * 0x1000, 0), 0);
	}
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x900000, 0x1000, 0, 0), -ENOSPC);
	assert_non_null(strstr(r.err, "limit of 8"));
	for (unsigned k = 0; k < 8; k++) {
		uint64_t v;

		assert_true(t_dma_read(f->card.srv, 0, 0x100000 + k * 0x10000 + 0x10, &v, 8));
		assert_int_equal(v, t_pattern(k * 0x1000 + 0x10));
	}
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x130000, 0x1000, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x900000, 0x1000, 0, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), 8);
}

/*
 * IOVA-contiguous memory registered page by page in ascending order (as a
 * DPDK memseg list) translates as one range; a hole breaks it.
 */
static void
test_dma_adjacent_chain(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 1, &o);
	struct vslot_server *srv = f->card.srv;
	struct agent *a = &f->ag[0];
	const uint64_t base = 0x7f0000000000ull, pg = 0x4000;
	uint8_t *exp = expected_mem();
	struct agent_res r;
	struct vslot_reader *rd;
	size_t avail;

	assert_int_equal(agent_open(a, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, MEM_SIZE, 0, 0, 0), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(agent_call(a, &r, A_DMA_MAP, base + i * pg, pg, i * pg, 0), 0);
	rd = vslot_reader_register(srv);
	assert_non_null(rd);
	{
		uint8_t *p = vslot_dma_ptr(srv, 0, base, 16 * pg);

		assert_non_null(p);
		assert_memory_equal(p, exp, 16 * pg);
		assert_ptr_equal(vslot_dma_ptr(srv, 0, base + 5 * pg - 8, 16), p + 5 * pg - 8);
		assert_ptr_equal(vslot_reader_dma_ptr(rd, 0, base + 3 * pg + 1, 3 * pg),
			p + 3 * pg + 1);
		assert_null(vslot_dma_ptr(srv, 0, base, 16 * pg + 1));
	}
	vslot_reader_offline(rd);
	/* a hole in the middle */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, base + 7 * pg, pg, 0, 0), 0);
	vslot_reader_online(rd);
	assert_null(vslot_dma_ptr(srv, 0, base + 6 * pg, 2 * pg));
	assert_non_null(vslot_dma_ptr_prefix(srv, 0, base + 6 * pg + 8, 2 * pg, &avail));
	assert_int_equal(avail, pg - 8);
	assert_null(vslot_dma_ptr(srv, 0, base + 7 * pg, 8));
	assert_non_null(vslot_dma_ptr(srv, 0, base + 8 * pg, 8 * pg));
	assert_non_null(vslot_dma_ptr(srv, 0, base, 7 * pg));
	vslot_reader_offline(rd);
	/* filled again (maybe elsewhere in host VA): bytes are right either way */
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, base + 7 * pg, pg, 7 * pg, 0), 0);
	vslot_reader_online(rd);
	{
		uint64_t iova = base, left = 16 * pg;
		const uint8_t *e = exp;

		while (left > 0) {
			void *p = vslot_dma_ptr_prefix(srv, 0, iova, (size_t)left, &avail);

			assert_non_null(p);
			assert_memory_equal(p, e, avail);
			iova += avail;
			e += avail;
			left -= avail;
		}
	}
	vslot_reader_offline(rd);
	/* descending registration still works (contiguity is best effort) */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, base, 16 * pg, 0, 0), 0);
	for (unsigned i = 16; i-- > 0;)
		assert_int_equal(agent_call(a, &r, A_DMA_MAP, base + i * pg, pg, i * pg, 0), 0);
	vslot_reader_online(rd);
	for (unsigned i = 0; i < 16; i++) {
		uint8_t *p = vslot_dma_ptr(srv, 0, base + i * pg, pg);

		assert_non_null(p);
		assert_memory_equal(p, exp + i * pg, pg);
	}
	vslot_reader_offline(rd);

	/* many scattered maps exhaust the VA reservation budget: still correct */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, base, 16 * pg, 0, 0), 0);
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000000ull * (i + 1), pg,
			(i % 16) * pg, 0), 0);
	vslot_reader_online(rd);
	for (unsigned i = 0; i < 100; i++) {
		uint8_t *p = vslot_dma_ptr(srv, 0, 0x100000000ull * (i + 1), pg);

		assert_non_null(p);
		assert_memory_equal(p, exp + (i % 16) * pg, pg);
	}
	vslot_reader_offline(rd);
	/* once they are gone, the budget is back: a new chain is contiguous again */
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0, UINT64_MAX, 0, 0), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(agent_call(a, &r, A_DMA_MAP, base + i * pg, pg, i * pg, 0), 0);
	vslot_reader_online(rd);
	assert_non_null(vslot_dma_ptr(srv, 0, base, 4 * pg));
	vslot_reader_unregister(rd);
	free(exp);
}

/* The per-reader last-hit cache gives the same answers as the plain lookup. */
static void
test_reader_cache(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 0, &o);
	struct vslot_server *srv = f->card.srv;
	char err[256];
	struct vslot_client *c = vslot_client_open(f->card.path, 0, 0, err, sizeof(err));
	struct vslot_reader *rd;
	int mfd;

	assert_non_null(c);
	mfd = memfd_create("t", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 16 * 0x1000), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(vslot_client_dma_map(c, 0x10000 * (i + 1), 0x1000, mfd,
			i * 0x1000), 0);
	rd = vslot_reader_register(srv);
	assert_non_null(rd);
	for (unsigned round = 0; round < 3; round++) {
		for (uint64_t iova = 0; iova < 0x120000; iova += 0x7f0) {
			for (size_t len = 1; len <= 0x1000; len *= 8) {
				assert_ptr_equal(vslot_reader_dma_ptr(rd, 0, iova, len),
					vslot_dma_ptr(srv, 0, iova, len));
				/* twice: the second one hits the cache */
				assert_ptr_equal(vslot_reader_dma_ptr(rd, 0, iova, len),
					vslot_dma_ptr(srv, 0, iova, len));
			}
		}
		vslot_reader_quiescent(rd);
	}
	assert_non_null(vslot_reader_dma_ptr(rd, 0, 0x50010, 8));
	assert_null(vslot_reader_dma_ptr(rd, 1, 0x50010, 8));
	/* an RPC that needs a grace period: go offline around it */
	vslot_reader_offline(rd);
	assert_int_equal(vslot_client_dma_unmap(c, 0x50000, 0x1000), 0);
	vslot_reader_online(rd);
	assert_null(vslot_reader_dma_ptr(rd, 0, 0x50010, 8));
	assert_non_null(vslot_reader_dma_ptr(rd, 0, 0x60010, 8));
	vslot_reader_unregister(rd);
	/* errors carry a reason */
	assert_int_equal(vslot_client_dma_unmap(c, 0x50000, 0x1000), -ENOENT);
	assert_non_null(strstr(vslot_client_strerror(c), "no map"));
	{
		char buf[256];

		vslot_client_last_error(c, buf, sizeof(buf));
		assert_non_null(strstr(buf, "DMA_UNMAP"));
	}
	close(mfd);
	vslot_client_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_dma_translate),
		FX_TEST(test_dma_isolation),
		FX_TEST(test_dma_client_death),
		FX_TEST(test_dma_map_limit),
		FX_TEST(test_dma_adjacent_chain),
		FX_TEST(test_reader_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
