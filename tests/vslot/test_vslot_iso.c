/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot isolation: every attack comes from its own process (an agent) and is judged on the
 * victim's side (the card's view of the BARs, the next tenant's mappings and interrupts, the
 * server's fd table):
 *  - access never outlives the grant: a revoked or closed holder (VF and PF) keeps its
 *    mappings and eventfds, but reads nothing of the next tenant and changes nothing;
 *  - the PF opens only with the PF key, from the server's uid or root; the socket is 0600;
 *  - fds sent without HELLO (empty datagrams included) are all closed;
 *  - idle connections cannot keep a legitimate client out;
 *  - DMA maps: only memfd/tmpfs/hugetlbfs memory, bytes limited per function, a truncated
 *    file is contained to its function.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

#define OFF_TENANT 0x200u  /* the new tenant writes here */
#define OFF_ATTACK 0x300u  /* the former holder writes here */
#define PAT_TENANT 0xCAFE0001u
#define PAT_ATTACK 0xBAD0BAD0u

static uint32_t
card_rd(struct tcard *t, unsigned fn, unsigned bar, uint32_t off)
{
	size_t sz;
	volatile uint32_t *p = vslot_server_bar(t->srv, fn, bar, &sz);

	assert_non_null(p);
	assert_true(off + 4 <= sz);
	return p[off / 4];
}

static unsigned
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Wait until the server's fd count is back to @base (the server closes asynchronously). */
static bool
fds_back_to(unsigned base)
{
	uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

	while (count_fds() > base && t_now_ms() < deadline)
		t_sleep_ms(10);
	return count_fds() <= base;
}

/*
 * @old held function @fn (and kept its mappings and irq fds), @tenant holds it now: the old
 * mappings show nothing of the tenant, writes through them reach neither the card nor the
 * tenant, the tenant's interrupts do not reach the old eventfds.
 */
static void
check_dead(struct fx *f, struct agent *old, struct agent *tenant, unsigned fn, unsigned bar)
{
	struct agent_res r;

	assert_int_equal(agent_call(tenant, &r, A_BAR_WRITE32, bar, OFF_TENANT, PAT_TENANT, 0), 0);
	assert_int_equal(card_rd(&f->card, fn, bar, OFF_TENANT), PAT_TENANT);
	assert_int_equal(agent_call(old, &r, A_OLD_READ32, bar, OFF_TENANT, 0, 0), 0);
	assert_int_not_equal(r.v[0], PAT_TENANT);

	assert_int_equal(agent_call(old, &r, A_OLD_WRITE32, bar, OFF_ATTACK, PAT_ATTACK, 0), 0);
	/* the write landed in the old holder's own memory ... */
	assert_int_equal(agent_call(old, &r, A_OLD_READ32, bar, OFF_ATTACK, 0, 0), 0);
	assert_int_equal(r.v[0], PAT_ATTACK);
	/* ... and nowhere else */
	assert_int_not_equal(card_rd(&f->card, fn, bar, OFF_ATTACK), PAT_ATTACK);
	assert_int_equal(agent_call(tenant, &r, A_BAR_READ32, bar, OFF_ATTACK, 0, 0), 0);
	assert_int_not_equal(r.v[0], PAT_ATTACK);

	/* interrupts: the tenant gets them, the old eventfd stays silent */
	assert_int_equal(vslot_irq_raise(f->card.srv, fn, 0), 1);
	assert_int_equal(agent_call(tenant, &r, A_IRQ_WAIT, 0, T_TIMEOUT_MS, 0, 0), 1);
	assert_int_equal(agent_call(old, &r, A_OLD_IRQ_WAIT, 0, 200, 0, 0), 0);
}

/* A holder's writes do reach the card while it holds the function (so check_dead can fail). */
static void
check_live(struct fx *f, struct agent *holder, unsigned fn, unsigned bar)
{
	struct agent_res r;

	assert_int_equal(agent_call(holder, &r, A_BAR_WRITE32, bar, 0x100, 0x1111, 0), 0);
	assert_int_equal(card_rd(&f->card, fn, bar, 0x100), 0x1111);
	assert_int_equal(agent_call(holder, &r, A_KEEP, 0, 0, 0, 0), 0);
	/* the kept mapping is the live one for now */
	assert_int_equal(agent_call(holder, &r, A_OLD_WRITE32, bar, 0x104, 0x2222, 0), 0);
	assert_int_equal(card_rd(&f->card, fn, bar, 0x104), 0x2222);
}

/* A VF holder revoked by its PF: reads and writes through what it kept are dead. */
static void
test_vf_revoked(void **state)
{
	struct tcard_opts o = { .total_vfs = 1 };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent *pf = &f->ag[0], *old = &f->ag[1], *tenant = &f->ag[2];
	unsigned fn = VSLOT_FN_VF(0);
	struct agent_res r;

	assert_int_equal(agent_open(pf, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0xA11CE, 0, 0), 0);
	assert_int_equal(agent_open(old, f->card.path, fn, 0xA11CE, &r), 0);
	check_live(f, old, fn, 0);

	assert_int_equal(agent_call(pf, &r, A_REVOKE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, fn, 1));
	assert_int_equal(agent_call(old, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), 1);
	assert_int_equal(r.v[2], VSLOT_REMOVED_REVOKED);
	/* the old token opens nothing */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0xB0B, 0, 0), 0);
	assert_int_equal(agent_open(tenant, f->card.path, fn, 0xA11CE, &r), -EACCES);
	assert_int_equal(agent_open(tenant, f->card.path, fn, 0xB0B, &r), 0);
	check_dead(f, old, tenant, fn, 0);
}

/* A VF holder that closes (FLR by disconnect) keeps nothing live either. */
static void
test_vf_closed(void **state)
{
	struct tcard_opts o = { .total_vfs = 2, .open_mode = true };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent *pf = &f->ag[0], *old = &f->ag[1], *tenant = &f->ag[2];
	unsigned fn = VSLOT_FN_VF(1);
	struct agent_res r;

	assert_int_equal(agent_open(pf, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_open(old, f->card.path, fn, 0, &r), 0);
	check_live(f, old, fn, 0);
	assert_int_equal(agent_call(old, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, fn, 1));
	assert_int_equal(agent_open(tenant, f->card.path, fn, 0, &r), 0);
	check_dead(f, old, tenant, fn, 0);
}

/* numvfs 1 -> 0 -> 1: the VF is a new function; what its former holder kept is dead. */
static void
test_vf_numvfs_cycle(void **state)
{
	struct tcard_opts o = { .total_vfs = 1, .open_mode = true };
	struct fx *f = fx_begin(state, 3, &o);
	struct agent *pf = &f->ag[0], *old = &f->ag[1], *tenant = &f->ag[2];
	unsigned fn = VSLOT_FN_VF(0);
	struct agent_res r;

	assert_int_equal(agent_open(pf, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	assert_int_equal(agent_open(old, f->card.path, fn, 0, &r), 0);
	check_live(f, old, fn, 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(agent_call(old, &r, A_WAIT_NOTICE, T_TIMEOUT_MS, 0, 0, 0), 1);
	assert_int_equal(r.v[2], VSLOT_REMOVED_NUMVFS);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	assert_int_equal(agent_open(tenant, f->card.path, fn, 0, &r), 0);
	check_dead(f, old, tenant, fn, 0);
}

/*
 * A PF holder that closes (a control plane that restarts): the register file survives for
 * the next PF client, but the former holder's mapping of both BARs is dead.
 */
static void
test_pf_closed(void **state)
{
	struct tcard_opts o = { .total_vfs = 1 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *old = &f->ag[0], *tenant = &f->ag[1];
	struct agent_res r;

	assert_int_equal(agent_open(old, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	check_live(f, old, VSLOT_FN_PF, 0);
	assert_int_equal(agent_call(old, &r, A_BAR_WRITE32, 2, 0x100, 0x3333, 0), 0);
	assert_int_equal(agent_call(old, &r, A_KEEP, 0, 0, 0, 0), 0);
	assert_int_equal(agent_call(old, &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_PF, 1));
	/* the card's registers are what they were */
	assert_int_equal(card_rd(&f->card, VSLOT_FN_PF, 0, 0x100), 0x1111);
	assert_int_equal(card_rd(&f->card, VSLOT_FN_PF, 2, 0x100), 0x3333);

	assert_int_equal(agent_open(tenant, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	/* and the next PF client sees them */
	assert_int_equal(agent_call(tenant, &r, A_BAR_READ32, 0, 0x100, 0, 0), 0);
	assert_int_equal(r.v[0], 0x1111);
	assert_int_equal(agent_call(tenant, &r, A_BAR_READ32, 2, 0x100, 0, 0), 0);
	assert_int_equal(r.v[0], 0x3333);
	check_dead(f, old, tenant, VSLOT_FN_PF, 0);
	check_dead(f, old, tenant, VSLOT_FN_PF, 2);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* The PF needs the key, from the server's uid or root; the files are private. */
static void
test_pf_credentials(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 4, &o);
	struct agent_res r;
	char key[PATH_MAX], wrong[PATH_MAX], old_key[128], new_key[128];
	struct stat st;

	snprintf(key, sizeof(key), "%s.pf-key", f->card.path);
	snprintf(wrong, sizeof(wrong), "%s.wrong", f->card.path);
	assert_string_equal(vslot_server_pf_key_path(f->card.srv), key);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(stat(f->card.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* a wrong key (well formed) is refused like anything else */
	write_file(wrong, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
	assert_int_equal(agent_call_path(&f->ag[0], &r, A_OPEN, f->card.path, VSLOT_FN_PF, 0, 1),
		-EACCES);
	assert_non_null(strstr(r.err, "open refused"));
	/* a process of another uid cannot reach the socket ... */
	if (geteuid() == 0) {
		assert_int_equal(agent_call(&f->ag[1], &r, A_SETUID, 65534, 0, 0, 0), 0);
		assert_int_equal(agent_open(&f->ag[1], f->card.path, VSLOT_FN_PF, 0, &r), -EACCES);
		/* ... and, even with the key and the socket opened up, is refused by uid */
		read_file(key, old_key, sizeof(old_key));
		write_file(wrong, old_key);
		assert_int_equal(chmod(wrong, 0644), 0);
		assert_int_equal(chmod(f->card.path, 0666), 0);
		assert_int_equal(chmod(f->card.dir, 0711), 0);
		assert_int_equal(agent_call_path(&f->ag[1], &r, A_OPEN, f->card.path, VSLOT_FN_PF, 0,
			1), -EACCES);
		assert_int_equal(chmod(f->card.dir, 0700), 0);
		assert_int_equal(chmod(f->card.path, 0600), 0);
		assert_non_null(strstr(r.err, "open refused"));
	}
	{
		struct vslot_server_stats s;

		vslot_server_get_stats(f->card.srv, &s);
		assert_true(s.bad_credentials >= (geteuid() == 0 ? 2u : 1u));
	}
	/* the right key from the right uid opens it */
	assert_int_equal(agent_open(&f->ag[2], f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[2], &r, A_CLOSE, 0, 0, 0, 0), 0);
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_PF, 1));

	/* a new server start replaces the key: the old one opens nothing */
	read_file(key, old_key, sizeof(old_key));
	write_file(wrong, old_key);
	vslot_server_destroy(f->card.srv);
	assert_int_equal(access(key, F_OK), -1); /* destroy removes its key */
	{
		struct vslot_server_cfg cfg = { .path = f->card.path, .log_level = VSLOT_LOG_ERR };
		const struct vslot_bar_desc bar = { .index = 0, .size = 4096 };
		char err[256];

		f->card.srv = vslot_server_create(&cfg, NULL, NULL, err, sizeof(err));
		assert_non_null(f->card.srv);
		assert_int_equal(vslot_server_add_function(f->card.srv, 0, &bar, 1), 0);
		assert_int_equal(vslot_server_start(f->card.srv), 0);
	}
	read_file(key, new_key, sizeof(new_key));
	assert_string_not_equal(old_key, new_key);
	assert_int_equal(agent_call_path(&f->ag[3], &r, A_OPEN, f->card.path, VSLOT_FN_PF, 0, 1),
		-EACCES);
	assert_int_equal(agent_open(&f->ag[3], f->card.path, VSLOT_FN_PF, 0, &r), 0);
	unlink(wrong);
}

/* A group/world-writable socket directory without the sticky bit is refused. */
static void
test_socket_dir(void **state)
{
	char dir[64] = "/tmp/vslot-dir-XXXXXX", sub[128], path[160], err[256];
	struct vslot_server_cfg cfg = { .path = path, .log_level = VSLOT_LOG_ERR };
	struct vslot_server *s;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* missing: created 0700 */
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/card.sock", sub);
	s = vslot_server_create(&cfg, NULL, NULL, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	vslot_server_destroy(s);
	/* world-writable, not sticky: refused */
	assert_int_equal(chmod(sub, 0777), 0);
	s = vslot_server_create(&cfg, NULL, NULL, err, sizeof(err));
	assert_null(s);
	assert_int_equal(errno, EPERM);
	assert_non_null(strstr(err, "writable"));
	rmdir(sub);
	rmdir(dir);
}

/*
 * Thousands of datagrams carrying fds, empty or garbage, without HELLO, from another process:
 * the server's fd table does not grow, and a normal client still opens.
 */
static void
test_fd_flood(void **state)
{
	struct tcard_opts o = { .total_vfs = 1, .open_mode = true };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent_res r;
	unsigned base = count_fds();
	unsigned logs = tcard_log_warnings(&f->card);

	/* empty datagrams with 4 fds, garbage (100 bytes) with 3, well-sized non-HELLO with 2 */
	assert_int_equal(agent_call_path(&f->ag[0], &r, A_FLOOD_FDS, f->card.path, 3000, 4, 0), 0);
	assert_true(fds_back_to(base));
	assert_int_equal(agent_call_path(&f->ag[0], &r, A_FLOOD_FDS, f->card.path, 2000, 3, 100),
		0);
	assert_true(fds_back_to(base));
	assert_int_equal(agent_call_path(&f->ag[0], &r, A_FLOOD_FDS, f->card.path, 2000, 2,
		VSLOT_MSG_SIZE), 0);
	assert_true(fds_back_to(base));
	/* 7000 attempts are logged a few times, not per attempt */
	assert_true(tcard_log_warnings(&f->card) - logs <= 20);
	assert_int_equal(agent_open(&f->ag[1], f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[1], &r, A_GET_TOTALVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 1);
}

/* Idle connections from other processes fill the table: a legitimate client still gets in. */
static void
test_idle_flood(void **state)
{
	struct tcard_opts o = { .total_vfs = 1, .max_pending = 16 };
	struct fx *f = fx_begin(state, 4, &o);
	struct agent_res r;
	struct vslot_server_stats s;
	unsigned logs = tcard_log_warnings(&f->card);

	for (unsigned a = 0; a < 3; a++) {
		assert_int_equal(agent_call_path(&f->ag[a], &r, A_FLOOD_IDLE, f->card.path, 200, 0, 0),
			0);
		assert_int_equal(r.v[0], 200);
	}
	assert_int_equal(agent_open(&f->ag[3], f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[3], &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	vslot_server_get_stats(f->card.srv, &s);
	assert_true(s.nb_pending <= 16);
	assert_true(s.conns_rejected > 500);
	/* hundreds of connections closed unheard, logged a few times */
	assert_true(tcard_log_warnings(&f->card) - logs <= 20);
	/* more of it while the client works */
	assert_int_equal(agent_call_path(&f->ag[0], &r, A_FLOOD_IDLE, f->card.path, 200, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[3], &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	assert_true(vslot_server_fn_connected(f->card.srv, VSLOT_FN_PF));
}

/* Per-function byte limit; error texts name the request once. */
static void
test_map_bytes_limit(void **state)
{
	struct tcard_opts o = { .total_vfs = 0, .max_bytes = 1u << 20 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *a = &f->ag[0];
	struct agent_res r;
	const char *p;

	assert_int_equal(agent_open(a, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, 2u << 20, 0, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000, 512u << 10, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, 768u << 10, 0, 0), -ENOSPC);
	assert_non_null(strstr(r.err, "limit"));
	p = strstr(r.err, "DMA_MAP");
	assert_non_null(p);
	assert_null(strstr(p + 1, "DMA_MAP"));
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), 1);
	assert_int_equal(agent_call(a, &r, A_DMA_UNMAP, 0x100000, 512u << 10, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x400000, 768u << 10, 0, 0), 0);
}

/* DMA_MAP takes only memory that cannot stall: memfd yes; disk file, /proc, eventfd no. */
static void
test_map_fs_rule(void **state)
{
	struct tcard_opts o = { .total_vfs = 0 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *a = &f->ag[0];
	struct agent_res r;

	assert_int_equal(agent_open(a, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	if (t_disk_dir() != NULL) {
		assert_int_equal(agent_call(a, &r, A_DMA_MAP_FD, 0x100000, 0x10000, 2, 0), -EBADF);
		assert_non_null(strstr(r.err, "memfd"));
	}
	assert_int_equal(agent_call(a, &r, A_DMA_MAP_FD, 0x100000, 0x1000, 3, 0), -EBADF);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP_FD, 0x100000, 0x1000, 4, 0), -EBADF);
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), 0);
	assert_int_equal(agent_call(a, &r, A_MEM_CREATE, 0x10000, 0, 0, 0), 0);
	assert_int_equal(agent_call(a, &r, A_DMA_MAP, 0x100000, 0x10000, 0, 0), 0);
}

/*
 * A client truncates the memfd behind its map while the card reads it: the card (this
 * process) survives, reads zeros, the function is reported faulted; another function's
 * memory is untouched.
 */
static void
test_truncate_contained(void **state)
{
	struct tcard_opts o = { .total_vfs = 1, .open_mode = true };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1];
	struct agent_res r;
	uint64_t buf[512], want[512];

	assert_int_equal(agent_open(pf, f->card.path, VSLOT_FN_PF, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, VSLOT_FN_VF(0), 0, &r), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(agent_call(&f->ag[i], &r, A_MEM_CREATE, 0x10000, 0, 0, 0), 0);
		assert_int_equal(agent_call(&f->ag[i], &r, A_DMA_MAP, 0x100000, 0x10000, 0, 0), 0);
	}
	for (unsigned i = 0; i < 512; i++)
		want[i] = t_pattern(0x8000 + 8 * i);
	assert_true(t_dma_read(f->card.srv, VSLOT_FN_VF(0), 0x108000, buf, sizeof(buf)));
	assert_memory_equal(buf, want, sizeof(buf));

	/* the VF's owner pulls the memory from under the card */
	assert_int_equal(agent_call(vf, &r, A_MEM_TRUNCATE, 0, 0, 0, 0), 0);
	assert_true(t_dma_read(f->card.srv, VSLOT_FN_VF(0), 0x108000, buf, sizeof(buf)));
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(buf[i], 0);
	{
		uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

		while (tcard_faults(&f->card, VSLOT_FN_VF(0)) == 0 && t_now_ms() < deadline)
			t_sleep_ms(5);
	}
	assert_int_equal(tcard_faults(&f->card, VSLOT_FN_VF(0)), 1);
	assert_true(vslot_server_fn_faulted(f->card.srv, VSLOT_FN_VF(0)));
	assert_int_equal(tcard_faults(&f->card, VSLOT_FN_PF), 0);
	/* the PF's memory is what it was, the VF is still connected */
	assert_true(t_dma_read(f->card.srv, VSLOT_FN_PF, 0x108000, buf, sizeof(buf)));
	assert_memory_equal(buf, want, sizeof(buf));
	assert_true(vslot_server_fn_connected(f->card.srv, VSLOT_FN_VF(0)));
	/* the VF's maps can be dropped as usual */
	assert_int_equal(agent_call(vf, &r, A_DMA_UNMAP, 0x100000, 0x10000, 0, 0), 0);
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, VSLOT_FN_VF(0)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_vf_revoked),
		FX_TEST(test_vf_closed),
		FX_TEST(test_vf_numvfs_cycle),
		FX_TEST(test_pf_closed),
		FX_TEST(test_pf_credentials),
		FX_TEST(test_socket_dir),
		FX_TEST(test_fd_flood),
		FX_TEST(test_idle_flood),
		FX_TEST(test_map_bytes_limit),
		FX_TEST(test_map_fs_rule),
		FX_TEST(test_truncate_contained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
