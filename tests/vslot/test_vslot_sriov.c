/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot SR-IOV control and VF access: numvfs rules (Linux sysfs),
 * grant tokens, revoke with REMOVED notice, PF-only operations, numvfs -> 0
 * removing VFs, open mode, card-initiated function removal.
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
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

static void
expect_removed(struct agent *a, unsigned fn, unsigned reason)
{
	struct agent_res r;

	assert_int_equal(agent_call(a, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), 1);
	assert_int_equal(r.v[0], VSLOT_MSG_NOTICE_REMOVED);
	assert_int_equal(r.v[1], fn);
	assert_int_equal(r.v[2], reason);
	/* the connection is closed after the notice */
	assert_int_equal(agent_call(a, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), -ENOTCONN);
	assert_int_equal(agent_call(a, &r, A_GET_NUMVFS, 0, 0, 0, 0), -ENOTCONN);
}

static void
test_numvfs_rules(void **state)
{
	struct tcard_opts o = { .total_vfs = 4 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *pf = &f->ag[0];
	struct vslot_server *srv = f->card.srv;
	struct agent_res r;
	unsigned lo, ln;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_GET_TOTALVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 4);
	assert_int_equal(agent_call(pf, &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 0);

	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 5, 0, 0, 0), -EINVAL);
	assert_non_null(strstr(r.err, "totalvfs"));
	assert_int_equal(tcard_numvfs_calls(&f->card, NULL, NULL), 0);

	/* 0 -> 2: the card is called and adds the VF functions */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(tcard_numvfs_calls(&f->card, &lo, &ln), 1);
	assert_int_equal(lo, 0);
	assert_int_equal(ln, 2);
	assert_int_equal(vslot_server_get_numvfs(srv), 2);
	assert_non_null(vslot_server_bar(srv, VSLOT_FN_VF(1), 0, NULL));
	assert_null(vslot_server_bar(srv, VSLOT_FN_VF(2), 0, NULL));
	assert_int_equal(agent_call(pf, &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 2);

	/* same value: no-op */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(tcard_numvfs_calls(&f->card, NULL, NULL), 1);
	/* N -> M: must go through 0 */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 3, 0, 0, 0), -EBUSY);
	assert_non_null(strstr(r.err, "set 0 first"));
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), -EBUSY);
	assert_int_equal(vslot_server_get_numvfs(srv), 2);

	/* -> 0 -> 4 */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(tcard_numvfs_calls(&f->card, &lo, &ln), 2);
	assert_int_equal(lo, 2);
	assert_int_equal(ln, 0);
	assert_null(vslot_server_bar(srv, VSLOT_FN_VF(0), 0, NULL));
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(tcard_numvfs_calls(&f->card, NULL, NULL), 2);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 4, 0, 0, 0), 0);
	assert_int_equal(vslot_server_get_numvfs(srv), 4);
	assert_non_null(vslot_server_bar(srv, VSLOT_FN_VF(3), 0, NULL));

	/* the card refuses: numvfs stays 0 */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	tcard_set_numvfs_fail(&f->card, -ENOSPC);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 3, 0, 0, 0), -ENOSPC);
	assert_non_null(strstr(r.err, "refused"));
	assert_int_equal(vslot_server_get_numvfs(srv), 0);
	tcard_set_numvfs_fail(&f->card, 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 3, 0, 0, 0), 0);
}

static void
test_vf_tokens_and_revoke(void **state)
{
	struct tcard_opts o = { .total_vfs = 3 };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1], *other = &f->ag[2];
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(1);
	const uint64_t tok = 0x0123456789abcdefull;
	struct agent_res r;
	volatile uint32_t *bar;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	/* grant before the VF exists */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, tok, 0, 0), -ENODEV);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 2, tok, 0, 0), -ENODEV); /* vf2 >= numvfs */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 3, tok, 0, 0), -EINVAL); /* >= totalvfs */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, 0, 0, 0), -EINVAL);   /* token 0 */

	/* not granted yet */
	assert_int_equal(agent_open(vf, f->card.path, fn, tok, &r), -EACCES);
	assert_non_null(strstr(r.err, "open refused"));
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, tok, 0, 0), 0);
	/* wrong token, no token */
	assert_int_equal(agent_open(vf, f->card.path, fn, tok ^ 1, &r), -EACCES);
	assert_non_null(strstr(r.err, "open refused"));
	assert_int_equal(agent_open(vf, f->card.path, fn, 0, &r), -EACCES);
	/* the token of vf1 does not open vf0 */
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), tok, &r), -EACCES);
	/* granted token */
	assert_int_equal(agent_open(vf, f->card.path, fn, tok, &r), 0);
	assert_true(vslot_server_fn_connected(srv, fn));
	/* the VF's BAR is shared too */
	bar = vslot_server_bar(srv, fn, 0, NULL);
	assert_non_null(bar);
	assert_int_equal(agent_call(vf, &r, A_BAR_WRITE32, 0, 0x100, 0x600dcafe, 0), 0);
	assert_int_equal(bar[0x100 / 4], 0x600dcafe);
	/* one client per function */
	assert_int_equal(agent_open(other, f->card.path, fn, tok, &r), -EACCES);
	/* a re-grant with another token while held is refused; same token is fine */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, tok + 1, 0, 0), -EBUSY);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, tok, 0, 0), 0);

	/* the VF maps memory, then is revoked: REMOVED, disconnected, FLR, maps gone */
	assert_int_equal(agent_call(vf, &r, A_MEM_CREATE, 0x1000, 0, 0, 0), 0);
	assert_int_equal(agent_call(vf, &r, A_DMA_MAP, 0x1000, 0x1000, 0, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 1);
	assert_int_equal(agent_call(pf, &r, A_REVOKE, 1, 0, 0, 0), 0);
	expect_removed(vf, fn, VSLOT_REMOVED_REVOKED);
	assert_true(tcard_wait_resets(&f->card, fn, 1));
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 0);
	assert_false(vslot_server_fn_connected(srv, fn));
	/* the PF is untouched */
	assert_int_equal(tcard_resets(&f->card, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	/* the old token no longer opens it */
	assert_int_equal(agent_open(other, f->card.path, fn, tok, &r), -EACCES);
	/* revoke is idempotent */
	assert_int_equal(agent_call(pf, &r, A_REVOKE, 1, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_REVOKE, 5, 0, 0, 0), -EINVAL);
	/* grant again with a new token */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, tok + 7, 0, 0), 0);
	assert_int_equal(agent_open(other, f->card.path, fn, tok + 7, &r), 0);
}

static void
test_vf_pf_only_ops(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1];
	struct agent_res r;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 42, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 42, &r), 0);

	assert_int_equal(agent_call(vf, &r, A_GRANT, 1, 43, 0, 0), -EPERM);
	assert_non_null(strstr(r.err, "only from the PF"));
	assert_int_equal(agent_call(vf, &r, A_REVOKE, 0, 0, 0, 0), -EPERM);
	assert_int_equal(agent_call(vf, &r, A_SET_NUMVFS, 0, 0, 0, 0), -EPERM);
	assert_int_equal(agent_call(vf, &r, A_GET_NUMVFS, 0, 0, 0, 0), -EPERM);
	assert_int_equal(agent_call(vf, &r, A_GET_TOTALVFS, 0, 0, 0, 0), -EPERM);
	/* nothing changed; vf1 was not granted by the VF */
	assert_int_equal(vslot_server_get_numvfs(f->card.srv), 2);
	assert_true(vslot_server_fn_connected(f->card.srv, VSLOT_FN_VF(0)));
	assert_int_equal(agent_call(vf, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(1), 43, &r), -EACCES);

	/* the PF leaving does not take the VFs' grants or clients away */
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 42, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, 0, 1));
	assert_true(vslot_server_fn_connected(f->card.srv, VSLOT_FN_VF(0)));
	assert_int_equal(agent_call(vf, &r, A_POLL_NOTICE, 0, 0, 0, 0), 0);
	assert_int_equal(vslot_server_get_numvfs(f->card.srv), 2);
}

static void
test_numvfs_zero_removes_vfs(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent *pf = &f->ag[0], *v0 = &f->ag[1], *v1 = &f->ag[2];
	struct vslot_server *srv = f->card.srv;
	struct agent_res r;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 100, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 1, 101, 0, 0), 0);
	assert_int_equal(agent_open(v0, f->card.path, VSLOT_FN_VF(0), 100, &r), 0);
	assert_int_equal(agent_open(v1, f->card.path, VSLOT_FN_VF(1), 101, &r), 0);
	assert_int_equal(agent_call(v0, &r, A_MEM_CREATE, 0x2000, 0, 0, 0), 0);
	assert_int_equal(agent_call(v0, &r, A_DMA_MAP, 0x4000, 0x2000, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_MEM_CREATE, 0x2000, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_DMA_MAP, 0x4000, 0x2000, 0, 0), 0);

	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	expect_removed(v0, VSLOT_FN_VF(0), VSLOT_REMOVED_NUMVFS);
	expect_removed(v1, VSLOT_FN_VF(1), VSLOT_REMOVED_NUMVFS);
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_VF(0), 1));
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_VF(1), 1));
	assert_int_equal(vslot_server_nb_dma_maps(srv, VSLOT_FN_VF(0)), 0);
	{
		unsigned lo, ln;

		tcard_numvfs_calls(&f->card, &lo, &ln);
		assert_int_equal(lo, 2);
		assert_int_equal(ln, 0);
	}
	/* the PF keeps its client and its maps */
	assert_int_equal(vslot_server_nb_dma_maps(srv, 0), 1);
	assert_int_equal(tcard_resets(&f->card, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_POLL_NOTICE, 0, 0, 0, 0), 0);

	/* the VFs are gone */
	assert_int_equal(agent_call(v0, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_int_equal(agent_open(v0, f->card.path, VSLOT_FN_VF(0), 100, &r), -EACCES);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 100, 0, 0), -ENODEV);
	/* back to 2: the grants did not survive */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_open(v0, f->card.path, VSLOT_FN_VF(0), 100, &r), -EACCES);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 100, 0, 0), 0);
	assert_int_equal(agent_open(v0, f->card.path, VSLOT_FN_VF(0), 100, &r), 0);
}

static void
test_open_mode(void **state)
{
	struct tcard_opts o = { .total_vfs = 2, .open_mode = true };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent_res r;

	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	/* open mode does not make absent VFs appear */
	assert_int_equal(agent_open(&f->ag[1], f->card.path, VSLOT_FN_VF(0), 0, &r), -EACCES);
	assert_int_equal(agent_call(&f->ag[0], &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_open(&f->ag[1], f->card.path, VSLOT_FN_VF(0), 0, &r), 0);
	/* still one client per function */
	assert_int_equal(agent_open(&f->ag[2], f->card.path, VSLOT_FN_VF(0), 0, &r), -EACCES);
	assert_int_equal(agent_open(&f->ag[2], f->card.path, VSLOT_FN_VF(1), 12345, &r), 0);
	/* revoke still disconnects an open-mode holder */
	assert_int_equal(agent_call(&f->ag[0], &r, A_REVOKE, 1, 0, 0, 0), 0);
	expect_removed(&f->ag[2], VSLOT_FN_VF(1), VSLOT_REMOVED_REVOKED);
}

/* The card removes a function on its own (from another thread). */
static void
test_card_removes_function(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1];
	struct vslot_server *srv = f->card.srv;
	const struct vslot_bar_desc bar = { .index = 4, .size = 100 };
	struct agent_res r;
	size_t sz;

	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 9, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 9, &r), 0);

	/* add_function on an existing function, bad arguments */
	assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(0), &bar, 1), -EEXIST);
	assert_int_equal(vslot_server_add_function(srv, 3, &bar, 1), -EINVAL);
	{
		const struct vslot_bar_desc bad[] = { { 6, 100 } };
		const struct vslot_bar_desc dup[] = { { 1, 100 }, { 1, 200 } };
		const struct vslot_bar_desc zero[] = { { 1, 0 } };

		assert_int_equal(vslot_server_remove_function(srv, 3), -EINVAL);
		assert_int_equal(vslot_server_add_function(srv, 0, bad, 1), -EEXIST);
		assert_int_equal(vslot_server_remove_function(srv, VSLOT_FN_VF(1)), 0);
		assert_int_equal(vslot_server_remove_function(srv, VSLOT_FN_VF(1)), -ENOENT);
		assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(1), bad, 1), -EINVAL);
		assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(1), dup, 2), -EINVAL);
		assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(1), zero, 1), -EINVAL);
		/* an odd-sized BAR is reported with its exact size */
		assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(1), &bar, 1), 0);
		assert_non_null(vslot_server_bar(srv, VSLOT_FN_VF(1), 4, &sz));
		assert_int_equal(sz, 100);
	}

	assert_int_equal(vslot_server_remove_function(srv, VSLOT_FN_VF(0)), 0);
	expect_removed(vf, VSLOT_FN_VF(0), VSLOT_REMOVED_FUNCTION);
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_VF(0), 1));
	assert_null(vslot_server_bar(srv, VSLOT_FN_VF(0), 0, NULL));
	assert_int_equal(agent_call(vf, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 9, &r), -EACCES);
	assert_non_null(strstr(r.err, "open refused"));
	/* the card brings it back: the grant was dropped with the function */
	assert_int_equal(vslot_server_add_function(srv, VSLOT_FN_VF(0), &bar, 1), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 9, &r), -EACCES);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 9, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 9, &r), 0);
	assert_int_equal(agent_call(vf, &r, A_BAR_WRITE32, 4, 96, 0x77, 0), 0);
	assert_int_equal(agent_call(vf, &r, A_BAR_WRITE32, 4, 100, 0x77, 0), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_numvfs_rules),
		FX_TEST(test_vf_tokens_and_revoke),
		FX_TEST(test_vf_pf_only_ops),
		FX_TEST(test_numvfs_zero_removes_vfs),
		FX_TEST(test_open_mode),
		FX_TEST(test_card_removes_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
