/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot external holders (a VF attached to a virtual machine): the BAR
 * exported as a named tmpfs file (both ways, fresh per attach, dead after
 * detach), the guest RAM file as the VF's only DMA window (IOVA = file
 * offset, nothing outside it, no other function sees it), the VF closed to
 * socket clients while held, every way a client goes also releasing an
 * external holder, and bad requests refused without changing anything.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

#define RAM_SIZE (4u << 20)
#define WIN_OFF (1u << 20)    /* the window: file [1 MiB, 3 MiB) at IOVA 0x100000 */
#define WIN_LEN (2u << 20)
#define WIN_IOVA 0x100000ull
#define BAR_FILE_SIZE (1u << 20) /* ivshmem wants a power of two, >= 1 MiB in libvirt */

struct ram {
	char path[64];
	int fd;
	uint8_t *p;
};

/* A "guest RAM" file on tmpfs (/dev/shm), every 8 bytes tagged with its offset. */
static void
ram_make(struct ram *r, const char *tag)
{
	snprintf(r->path, sizeof(r->path), "/dev/shm/svfft-ext-ram-%s-%d", tag, getpid());
	r->fd = open(r->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(r->fd >= 0);
	assert_int_equal(ftruncate(r->fd, RAM_SIZE), 0);
	r->p = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	assert_true(r->p != MAP_FAILED);
	for (uint64_t o = 0; o < RAM_SIZE; o += 8)
		*(uint64_t *)(r->p + o) = o ^ 0xa5a5a5a500000000ull;
}

static void
ram_free(struct ram *r)
{
	munmap(r->p, RAM_SIZE);
	close(r->fd);
	unlink(r->path);
}

static void
ext_init(struct vslot_external *e, const char *bar_path, const struct ram *r)
{
	memset(e, 0, sizeof(*e));
	e->bar = 0;
	e->bar_path = bar_path;
	e->bar_file_size = BAR_FILE_SIZE;
	e->uid = -1;
	e->gid = -1;
	e->mode = 0660;
	e->dma_fd = r->fd;
	e->dma_offset = WIN_OFF;
	e->dma_iova = WIN_IOVA;
	e->dma_len = WIN_LEN;
}

static void
bar_path_of(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/dev/shm/svfft-ext-bar-%s-%d", tag, getpid());
	unlink(buf);
}

/* Map the exported BAR file as QEMU would. */
static volatile uint32_t *
map_bar_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(p != MAP_FAILED);
	return p;
}

static void
test_attach_detach(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1];
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(0);
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	struct stat st;
	char path[96], why[256];
	volatile uint32_t *card_bar, *guest_bar;
	size_t blen;
	uint64_t v;

	ram_make(&ram, "a");
	bar_path_of(path, sizeof(path), "a");
	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	assert_non_null(card_bar);
	card_bar[0x40 / 4] = 0x11223344;   /* register contents before the attach */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0x77, 0, 0), 0);
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	assert_true(vslot_server_fn_external(srv, fn));
	assert_true(vslot_server_fn_connected(srv, fn));
	assert_int_equal(tcard_opened(&f->card, fn), 1);

	/* the file: as asked, and it is the BAR, both ways */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, BAR_FILE_SIZE);
	assert_int_equal(st.st_mode & 0777, 0660);
	guest_bar = map_bar_file(path, &blen);
	assert_int_equal(guest_bar[0x40 / 4], 0x11223344);
	guest_bar[0x80 / 4] = 0xfeedf00d;
	assert_int_equal(card_bar[0x80 / 4], 0xfeedf00d);
	card_bar[0x84 / 4] = 0x0badc0de;
	assert_int_equal(guest_bar[0x84 / 4], 0x0badc0de);

	/* the window: IOVA -> file offset, nothing outside, no other function */
	assert_true(t_dma_read(srv, fn, WIN_IOVA, &v, 8));
	assert_int_equal(v, WIN_OFF ^ 0xa5a5a5a500000000ull);
	assert_true(t_dma_read(srv, fn, WIN_IOVA + WIN_LEN - 8, &v, 8));
	assert_int_equal(v, (WIN_OFF + WIN_LEN - 8) ^ 0xa5a5a5a500000000ull);
	assert_false(t_dma_read(srv, fn, WIN_IOVA - 8, &v, 8));
	assert_false(t_dma_read(srv, fn, WIN_IOVA + WIN_LEN, &v, 8));
	assert_false(t_dma_read(srv, fn, WIN_IOVA + WIN_LEN - 4, &v, 8));
	assert_false(t_dma_read(srv, VSLOT_FN_VF(1), WIN_IOVA, &v, 8));
	assert_false(t_dma_read(srv, 0, WIN_IOVA, &v, 8));
	*(uint64_t *)(ram.p + WIN_OFF + 0x1000) = 0x5eed5eed5eed5eedull;
	assert_true(t_dma_read(srv, fn, WIN_IOVA + 0x1000, &v, 8));
	assert_int_equal(v, 0x5eed5eed5eed5eedull);
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 1);

	/* held: no socket client gets it, not even with the grant made before; no new grant */
	assert_int_equal(agent_open(vf, f->card.path, fn, 0x77, &r), -EACCES);
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0x78, 0, 0), -EBUSY);
	/* a second attach is refused and changes nothing */
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EBUSY);
	assert_non_null(strstr(why, "held"));

	/* detach: function reset, window gone, file unlinked and connected to nothing */
	assert_int_equal(vslot_server_detach_external(srv, fn), 0);
	assert_true(tcard_wait_resets(&f->card, fn, 1));
	assert_false(vslot_server_fn_external(srv, fn));
	assert_false(vslot_server_fn_connected(srv, fn));
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 0);
	assert_false(t_dma_read(srv, fn, WIN_IOVA, &v, 8));
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(card_bar[0x80 / 4], 0xfeedf00d);   /* contents carried over */
	guest_bar[0x88 / 4] = 0xdeadbeef;                   /* the old guest mapping... */
	assert_int_not_equal(card_bar[0x88 / 4], 0xdeadbeef); /* ...reaches no one */
	card_bar[0x8c / 4] = 0x12345678;
	assert_int_not_equal(guest_bar[0x8c / 4], 0x12345678);
	assert_int_equal(vslot_server_detach_external(srv, fn), -ENOENT);
	munmap((void *)guest_bar, blen);

	/* the VF is a normal VF again: the granted client opens it */
	assert_int_equal(agent_open(vf, f->card.path, fn, 0x77, &r), 0);
	agent_call(vf, &r, A_CLOSE, 0, 0, 0, 0);
	ram_free(&ram);
}

/* Fresh per attach: a guest that kept the first file sees nothing of the second attach. */
static void
test_fresh_per_attach(void **state)
{
	struct tcard_opts o = { .total_vfs = 1 };
	struct fx *f = fx_begin(state, 1, &o);
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(0);
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	char path[96], why[256];
	volatile uint32_t *card_bar, *g1, *g2;
	size_t l1, l2;

	ram_make(&ram, "b");
	bar_path_of(path, sizeof(path), "b");
	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	g1 = map_bar_file(path, &l1);
	assert_int_equal(vslot_server_detach_external(srv, fn), 0);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	g2 = map_bar_file(path, &l2);
	card_bar[0x10 / 4] = 0xabcdef01;
	assert_int_equal(g2[0x10 / 4], 0xabcdef01);
	assert_int_not_equal(g1[0x10 / 4], 0xabcdef01);
	g1[0x14 / 4] = 0x99999999;
	assert_int_not_equal(card_bar[0x14 / 4], 0x99999999);
	assert_int_not_equal(g2[0x14 / 4], 0x99999999);
	munmap((void *)g1, l1);
	munmap((void *)g2, l2);
	ram_free(&ram);
}

/* Revoke, numvfs -> 0 and the card's destruction release an external holder too. */
static void
test_released_by_every_detach(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *pf = &f->ag[0];
	struct vslot_server *srv = f->card.srv;
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	char path[96], path2[96], why[256];
	struct stat st;

	ram_make(&ram, "c");
	bar_path_of(path, sizeof(path), "c");
	bar_path_of(path2, sizeof(path2), "c2");
	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, VSLOT_FN_VF(0), &e, why, sizeof(why)),
		0);
	/* revoke */
	assert_int_equal(agent_call(pf, &r, A_REVOKE, 0, 0, 0, 0), 0);
	assert_false(vslot_server_fn_external(srv, VSLOT_FN_VF(0)));
	assert_int_equal(stat(path, &st), -1);
	/* numvfs -> 0 */
	assert_int_equal(vslot_server_attach_external(srv, VSLOT_FN_VF(0), &e, why, sizeof(why)),
		0);
	e.bar_path = path2;
	assert_int_equal(vslot_server_attach_external(srv, VSLOT_FN_VF(1), &e, why, sizeof(why)),
		0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(stat(path2, &st), -1);
	/* destroy */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	e.bar_path = path;
	assert_int_equal(vslot_server_attach_external(srv, VSLOT_FN_VF(0), &e, why, sizeof(why)),
		0);
	assert_int_equal(stat(path, &st), 0);
	agent_kill(pf);
	tcard_fini(&f->card);
	f->card_up = false;
	assert_int_equal(stat(path, &st), -1);
	ram_free(&ram);
}

/* Bad requests: a clear reason, and nothing changed (no file, no map, no holder). */
static void
test_refusals(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 2, &o);
	struct agent *pf = &f->ag[0], *vf = &f->ag[1];
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(0);
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	char path[96], why[256], disk[128];
	struct stat st;
	const char *dd = t_disk_dir();
	int dfd;

	ram_make(&ram, "d");
	bar_path_of(path, sizeof(path), "d");
	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	/* VF beyond numvfs */
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "does not exist"));
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	/* the PF, a function beyond totalvfs */
	assert_int_equal(vslot_server_attach_external(srv, 0, &e, why, sizeof(why)), -EINVAL);
	assert_int_equal(vslot_server_attach_external(srv, VSLOT_FN_VF(7), &e, why, sizeof(why)),
		-EINVAL);
	/* no such BAR, relative path, file smaller than the BAR, bad mode, empty window */
	e.bar = 3;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	ext_init(&e, "dev/shm/x", &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	ext_init(&e, path, &ram);
	e.bar_file_size = 4096;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "below the BAR"));
	ext_init(&e, path, &ram);
	e.mode = 04777;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	ext_init(&e, path, &ram);
	e.dma_len = 0;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	/* a window beyond the RAM file */
	ext_init(&e, path, &ram);
	e.dma_offset = RAM_SIZE - 4096;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	assert_int_equal(stat(path, &st), -1);
	/* RAM on a disk file system (libvirt's default memory_backing_dir) */
	if (dd != NULL) {
		snprintf(disk, sizeof(disk), "%s/svfft-ext-disk-XXXXXX", dd);
		dfd = mkstemp(disk);
		assert_true(dfd >= 0);
		assert_int_equal(ftruncate(dfd, RAM_SIZE), 0);
		ext_init(&e, path, &ram);
		e.dma_fd = dfd;
		assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)),
			-EBADF);
		assert_non_null(strstr(why, "stall"));
		close(dfd);
		unlink(disk);
	}
	/* the BAR file on a disk file system, or a name that exists */
	if (dd != NULL) {
		snprintf(disk, sizeof(disk), "%s/svfft-ext-bar-%d", dd, getpid());
		unlink(disk);
		ext_init(&e, disk, &ram);
		assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)),
			-EBADF);
		assert_int_equal(stat(disk, &st), -1);
	}
	dfd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(dfd >= 0);
	close(dfd);
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EEXIST);
	assert_int_equal(stat(path, &st), 0);   /* someone else's file stays */
	assert_int_equal(st.st_size, 0);
	unlink(path);
	/* a VF held by a socket client */
	assert_int_equal(agent_call(pf, &r, A_GRANT, 0, 0x42, 0, 0), 0);
	assert_int_equal(agent_open(vf, f->card.path, fn, 0x42, &r), 0);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EBUSY);
	assert_int_equal(stat(path, &st), -1);
	/* nothing of it changed anything */
	assert_false(vslot_server_fn_external(srv, fn));
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 0);
	assert_int_equal(tcard_opened(&f->card, fn), 1);
	assert_int_equal(vslot_server_detach_external(srv, fn), -ENOENT);
	assert_true(vslot_server_fn_connected(srv, fn));
	ram_free(&ram);
}

/*
 * A holder that outlived its server (a VM after a restart of svffd): a new
 * card adopts the file the guest still maps (same inode, owner and mode kept),
 * copies its BAR into it, and the guest's old mapping reaches the new card
 * both ways; a missing or too small file is refused and left as it was.
 */
static void
test_adopt(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 1, &o);
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(0);
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	struct stat st0, st;
	char path[96], why[256];
	volatile uint32_t *card_bar, *guest;
	size_t glen;
	int fd;

	ram_make(&ram, "adopt");
	bar_path_of(path, sizeof(path), "adopt");
	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_SET_NUMVFS, 1, 0, 0, 0), 0);
	ext_init(&e, path, &ram);
	e.adopt = true;
	/* no file: refused, nothing created */
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -ENOENT);
	assert_int_equal(stat(path, &st), -1);
	/* too small: refused, left as it was */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), -EINVAL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4096);
	assert_false(vslot_server_fn_external(srv, fn));
	/* the guest's file from before the restart, with stale register contents */
	assert_int_equal(ftruncate(fd, BAR_FILE_SIZE), 0);
	close(fd);
	assert_int_equal(stat(path, &st0), 0);
	guest = map_bar_file(path, &glen);
	guest[0x40 / 4] = 0xdeadbeef;
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	card_bar[0x40 / 4] = 0x5a5a0001;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	assert_true(vslot_server_fn_external(srv, fn));
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, st0.st_ino);
	assert_int_equal(st.st_mode & 0777, 0640);      /* not the 0660 asked for a new file */
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	assert_int_equal(guest[0x40 / 4], 0x5a5a0001);   /* the card's BAR, copied in */
	guest[0x80 / 4] = 0xfeedf00d;
	assert_int_equal(card_bar[0x80 / 4], 0xfeedf00d);
	card_bar[0x84 / 4] = 0x0badcafe;
	assert_int_equal(guest[0x84 / 4], 0x0badcafe);
	/* detach: the file is removed as a created one would be */
	assert_int_equal(vslot_server_detach_external(srv, fn), 0);
	assert_int_equal(stat(path, &st), -1);
	munmap((void *)guest, glen);
	ram_free(&ram);
}

/*
 * A VF count change under a VM (svffd's "paused" path): the holder is let go with its
 * file kept (same inode, still mapped by the guest, connected to nothing meanwhile), the
 * count goes N -> 0 -> M, and the re-created function adopts the same file again.
 */
static void
test_keep_across_numvfs(void **state)
{
	struct tcard_opts o = { .total_vfs = 2 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent *pf = &f->ag[0];
	struct vslot_server *srv = f->card.srv;
	const unsigned fn = VSLOT_FN_VF(0);
	struct vslot_external e;
	struct agent_res r;
	struct ram ram;
	struct stat st0, st;
	char path[96], why[256];
	volatile uint32_t *card_bar, *guest;
	size_t glen;

	ram_make(&ram, "keep");
	bar_path_of(path, sizeof(path), "keep");
	assert_int_equal(agent_open(pf, f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	ext_init(&e, path, &ram);
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &st0), 0);
	guest = map_bar_file(path, &glen);
	/* let go, file kept: a function reset, no window, the file stays and reaches no one */
	assert_int_equal(vslot_server_detach_external_keep(srv, fn), 0);
	assert_true(tcard_wait_resets(&f->card, fn, 1));
	assert_false(vslot_server_fn_external(srv, fn));
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, st0.st_ino);
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	guest[0x90 / 4] = 0x13572468;
	assert_int_not_equal(card_bar[0x90 / 4], 0x13572468);
	assert_int_equal(vslot_server_detach_external_keep(srv, fn), -ENOENT);
	/* the count through 0: nothing removes the file */
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(agent_call(pf, &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, st0.st_ino);
	/* the re-created function takes it again: the guest's mapping is its BAR, both ways */
	e.adopt = true;
	assert_int_equal(vslot_server_attach_external(srv, fn, &e, why, sizeof(why)), 0);
	assert_int_equal(vslot_server_nb_dma_maps(srv, fn), 1);
	card_bar = vslot_server_bar(srv, fn, 0, NULL);
	guest[0x94 / 4] = 0x24681357;
	assert_int_equal(card_bar[0x94 / 4], 0x24681357);
	card_bar[0x98 / 4] = 0x0badcafe;
	assert_int_equal(guest[0x98 / 4], 0x0badcafe);
	/* a detach that does not keep it removes it */
	assert_int_equal(vslot_server_detach_external(srv, fn), 0);
	assert_int_equal(stat(path, &st), -1);
	munmap((void *)guest, glen);
	ram_free(&ram);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_attach_detach),
		FX_TEST(test_fresh_per_attach),
		FX_TEST(test_released_by_every_detach),
		FX_TEST(test_refusals),
		FX_TEST(test_adopt),
		FX_TEST(test_keep_across_numvfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
