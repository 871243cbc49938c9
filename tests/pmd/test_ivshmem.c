/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PMD's VM attachment (net_qdma,ivshmem=<BDF>) without a VM: the card
 * exports VF0's BAR as a tmpfs file (qdma_sim_attach_vm) and takes this
 * process's DPDK memory file as the VF's only DMA window, as svffd does with
 * a guest's RAM; a fake sysfs device directory (vendor 1af4, device 1110,
 * resource2 -> the BAR file) stands for the guest's ivshmem device. The
 * test-only devarg ivshmem_test_root points the PMD at it and lets it run
 * with IOVA = VA (here the window's IOVAs are this process's addresses, in a
 * guest they are guest-physical).
 *
 * Checks: probe through the polled mailbox, payload over the loopback (the
 * PMD has no slot connection: the window is all the card maps), a PF_BYE reaching the
 * application as RTE_ETH_EVENT_INTR_RMV with no interrupt, the device's
 * removal (resource2 gone) reaching it too, the PF's RESTORE after the card
 * lost the VF (svffd restarted under a VM: the BAR file adopted by the card,
 * the VF registering again, a packet posted during the outage delivered),
 * and bad devargs / devices refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "qdma_sim.h"
#include "rte_pmd_qdma.h"
#include "vslot_server.h"

#define BDF "0000:00:05.0"
#define NB_MBUF 2048u
#define RING 256u

static struct qdma_sim *card;
static struct rte_mempool *mp;
static char dir[] = "/tmp/svfft-ivshmem-XXXXXX";
static char sockpath[256], devdir[300], barpath[128];
static uint16_t pf_port;

/* The DPDK memory as one window: [iova, iova + len) = file [off, off + len). */
struct window {
	int fd;
	uint64_t iova, len, off;
	bool ok;
};

static int
win_walk(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct window *w = arg;
	size_t off;
	int fd;

	if (msl->external)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0)
		return -1;
	if (w->fd < 0) {
		w->fd = fd;
		w->iova = ms->iova;
		w->off = off;
		w->len = ms->len;
		return 0;
	}
	/* one file, IOVA-contiguous, offsets following IOVAs */
	if (fd != w->fd || ms->iova != w->iova + w->len || off != w->off + w->len)
		return -1;
	w->len += ms->len;
	return 0;
}

static void
make_window(struct window *w)
{
	w->fd = -1;
	rte_mcfg_mem_read_lock();
	w->ok = rte_memseg_walk_thread_unsafe(win_walk, w) == 0 && w->fd >= 0;
	rte_mcfg_mem_read_unlock();
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The fake sysfs device: vendor, device, resource2 -> @target. */
static void
fake_device(const char *vendor, const char *device, const char *target)
{
	char p[400];

	mkdir(devdir, 0700);
	snprintf(p, sizeof(p), "%s/vendor", devdir);
	write_file(p, vendor);
	snprintf(p, sizeof(p), "%s/device", devdir);
	write_file(p, device);
	snprintf(p, sizeof(p), "%s/resource2", devdir);
	unlink(p);
	if (target != NULL)
		assert_int_equal(symlink(target, p), 0);
}

static int rmv_events;

static int
on_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)port;
	(void)arg;
	(void)ret;
	if (type == RTE_ETH_EVENT_INTR_RMV)
		__atomic_fetch_add(&rmv_events, 1, __ATOMIC_RELAXED);
	return 0;
}

static void
attach_vf0_as(bool adopt)
{
	struct vslot_external e = { .adopt = adopt };
	struct window w;
	char err[256];

	make_window(&w);
	if (!w.ok)
		fail_msg("DPDK memory is not one IOVA-contiguous file (run with --single-file-segments)");
	e.bar_path = barpath;
	e.bar_file_size = 1u << 20;
	e.uid = -1;
	e.gid = -1;
	e.mode = 0600;
	e.dma_fd = w.fd;
	e.dma_offset = w.off;
	e.dma_iova = w.iova;
	e.dma_len = w.len;
	if (qdma_sim_attach_vm(card, 0, &e, err, sizeof(err)) < 0)
		fail_msg("attach_vm: %s", err);
}

static void
attach_vf0(void)
{
	attach_vf0_as(false);
}

static uint16_t
probe_vf(const char *name)
{
	char args[512];
	uint16_t port;

	snprintf(args, sizeof(args), "ivshmem=%s,ivshmem_test_root=%s", BDF, dir);
	assert_int_equal(rte_vdev_init(name, args), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name(name, &port), 0);
	return port;
}

static void
port_start(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, RING, 0, NULL, mp), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, RING, 0, NULL), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
}

/* @count packets of 512 bytes out and back, every byte checked. */
static void
roundtrip(uint16_t port, uint32_t count)
{
	uint32_t sent = 0, got = 0;
	uint64_t deadline = rte_get_timer_cycles() + 20 * rte_get_timer_hz();

	while (got < count) {
		struct rte_mbuf *rx[32];
		uint16_t n;

		if (sent < count) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
			uint8_t *p;

			assert_non_null(m);
			p = (uint8_t *)rte_pktmbuf_append(m, 512);
			for (uint32_t i = 0; i < 512; i++)
				p[i] = (uint8_t)(sent * 31u + i);
			if (rte_eth_tx_burst(port, 0, &m, 1) == 1)
				sent++;
			else
				rte_pktmbuf_free(m);
		}
		n = rte_eth_rx_burst(port, 0, rx, 32);
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(rx[i], const uint8_t *);

			assert_int_equal(rx[i]->pkt_len, 512);
			for (uint32_t k = 0; k < 512; k++)
				if (p[k] != (uint8_t)(got * 31u + k))
					fail_msg("packet %u byte %u corrupt", got, k);
			rte_pktmbuf_free(rx[i]);
			got++;
		}
		if (rte_get_timer_cycles() > deadline)
			fail_msg("%u of %u packets came back", got, count);
	}
}

static bool
wait_rmv(int want, unsigned int secs)
{
	uint64_t end = rte_get_timer_cycles() + secs * rte_get_timer_hz();

	while (__atomic_load_n(&rmv_events, __ATOMIC_RELAXED) < want) {
		if (rte_get_timer_cycles() > end)
			return false;
		rte_delay_us_sleep(10000);
	}
	return true;
}

static void
close_vf(const char *name, uint16_t port)
{
	(void)rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit(name);
}

static void
test_forward_and_pf_bye(void **state)
{
	struct rte_pmd_qdma_info info;
	uint16_t port;
	int fid;

	(void)state;
	fake_device("0x1af4\n", "0x1110\n", barpath);
	attach_vf0();
	port = probe_vf("net_qdma_vm0");
	assert_int_equal(rte_pmd_qdma_get_info(port, &info), 0);
	assert_true(info.is_vf);
	assert_true(info.emulated);
	port_start(port);
	roundtrip(port, 1000);
	rmv_events = 0;
	assert_int_equal(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV, on_event,
		NULL), 0);
	fid = rte_pmd_qdma_vf_func_id(pf_port, 0);
	assert_true(fid > 0);
	/* svffd's detach: PF_BYE first (polled by the VF: no interrupt), then the slot */
	assert_int_equal(rte_pmd_qdma_vf_notify(pf_port, (uint16_t)fid, RTE_PMD_QDMA_PF_BYE), 1);
	if (!wait_rmv(1, 10))
		fail_msg("no RTE_ETH_EVENT_INTR_RMV after PF_BYE");
	close_vf("net_qdma_vm0", port);
	assert_int_equal(qdma_sim_detach_vm(card, 0), 0);
	assert_int_equal(access(barpath, F_OK), -1);
}

/* Hot-unplug without PF_BYE: resource2 disappears, the application hears of it. */
static void
test_unplug(void **state)
{
	char p[400];
	uint16_t port;

	(void)state;
	fake_device("0x1af4\n", "0x1110\n", barpath);
	attach_vf0();
	port = probe_vf("net_qdma_vm1");
	port_start(port);
	roundtrip(port, 100);
	rmv_events = 0;
	assert_int_equal(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV, on_event,
		NULL), 0);
	(void)rte_eth_dev_stop(port);
	snprintf(p, sizeof(p), "%s/resource2", devdir);
	unlink(p);
	if (!wait_rmv(1, 10))
		fail_msg("no RTE_ETH_EVENT_INTR_RMV after the device went");
	rte_eth_dev_close(port);
	rte_vdev_uninit("net_qdma_vm1");
	assert_int_equal(qdma_sim_detach_vm(card, 0), 0);
}

/*
 * The card loses VF0 (svffd and its card die); its BAR file stays, as QEMU keeps
 * it (here under a second name while the card drops the first). The PF sees the
 * VF's reset before the new card adopts the file: the reset notice withdraws
 * whatever the PF had queued for the VF, so it must not overtake RESTORE.
 * From here on the PF's mailbox is served by the caller (polled).
 */
static void
lose_card(int fid)
{
	struct rte_pmd_qdma_fn_state st0, st;
	char keep[160];
	uint64_t end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();

	assert_int_equal(rte_pmd_qdma_mbox_set_poll(pf_port, true), 0);
	assert_int_equal(rte_pmd_qdma_fn_state(pf_port, (uint16_t)fid, &st0), 0);
	snprintf(keep, sizeof(keep), "%s.keep", barpath);
	assert_int_equal(link(barpath, keep), 0);
	assert_int_equal(qdma_sim_detach_vm(card, 0), 0);
	assert_int_equal(rename(keep, barpath), 0);
	do {
		if (rte_get_timer_cycles() > end)
			fail_msg("the PF did not see the VF's reset");
		rte_pmd_qdma_mbox_service(pf_port, 64);
		rte_delay_us_sleep(1000);
	} while (rte_pmd_qdma_fn_state(pf_port, (uint16_t)fid, &st) < 0 || st.resets == st0.resets);
}

/* One packet of @len bytes, every byte @tag + its offset. */
static struct rte_mbuf *
tagged(uint16_t len, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)(tag + i);
	return m;
}

/*
 * svffd (and the card in it) restarted under a VM: the card lost the VF, the
 * guest kept its BAR file. The new card adopts the file, the PF sends
 * RESTORE, the VF registers again by itself (HELLO, window, queues) and what
 * it posted for transmit during the outage goes out.
 */
static void
test_restore(void **state)
{
	uint64_t end;
	uint16_t port;
	bool back = false;
	int fid;

	(void)state;
	fake_device("0x1af4\n", "0x1110\n", barpath);
	attach_vf0();
	port = probe_vf("net_qdma_vm2");
	port_start(port);
	roundtrip(port, 100);
	fid = rte_pmd_qdma_vf_func_id(pf_port, 0);
	assert_true(fid > 0);
	lose_card(fid);
	/* the application goes on: a packet posted now waits in the TX ring */
	{
		struct rte_mbuf *m = tagged(300, 0xa5);

		assert_int_equal(rte_eth_tx_burst(port, 0, &m, 1), 1);
	}
	/* the new card: the file adopted, the PF tells the VF (served here, polled) */
	attach_vf0_as(true);
	assert_int_equal(rte_pmd_qdma_vf_restore(pf_port, (uint16_t)fid), 0);
	end = rte_get_timer_cycles() + 30 * rte_get_timer_hz();
	while (!back && rte_get_timer_cycles() < end) {
		struct rte_mbuf *rx[8];
		uint16_t n;

		rte_pmd_qdma_mbox_service(pf_port, 64);
		n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(rx[i], const uint8_t *);

			assert_int_equal(rx[i]->pkt_len, 300);
			for (uint16_t k = 0; k < 300; k++)
				if (p[k] != (uint8_t)(0xa5 + k))
					fail_msg("the packet posted during the outage is corrupt");
			back = true;
			rte_pktmbuf_free(rx[i]);
		}
		rte_delay_us_sleep(1000);
	}
	assert_int_equal(rte_pmd_qdma_mbox_set_poll(pf_port, false), 0);
	if (!back)
		fail_msg("the packet posted during the outage did not come back after RESTORE");
	roundtrip(port, 100);
	close_vf("net_qdma_vm2", port);
	assert_int_equal(qdma_sim_detach_vm(card, 0), 0);
	assert_int_equal(access(barpath, F_OK), -1);
}

/* Serve the PF's mailbox here until VF function @p fid is online with its queues again. */
static bool
wait_registered(int fid, unsigned int secs)
{
	uint64_t end = rte_get_timer_cycles() + secs * rte_get_timer_hz();
	struct rte_pmd_qdma_fn_state st;

	while (rte_get_timer_cycles() < end) {
		rte_pmd_qdma_mbox_service(pf_port, 64);
		if (rte_pmd_qdma_fn_state(pf_port, (uint16_t)fid, &st) == 0 && st.online &&
				st.qmax > 0 && st.active_h2c == 1 && st.active_c2h == 1 &&
				st.active_cmpt == 1)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

/*
 * The same with the VF paused when the card is lost: on RESTORE it registers
 * again but stays paused; the PF's unpause (its saved contexts written back,
 * RESUME) lets it go on.
 */
static void
test_restore_paused(void **state)
{
	struct rte_pmd_qdma_qctx snap[8];
	struct rte_mbuf *m;
	uint64_t end;
	uint16_t port;
	int fid, n;

	(void)state;
	fake_device("0x1af4\n", "0x1110\n", barpath);
	attach_vf0();
	port = probe_vf("net_qdma_vm3");
	port_start(port);
	roundtrip(port, 100);
	fid = rte_pmd_qdma_vf_func_id(pf_port, 0);
	assert_true(fid > 0);
	assert_int_equal(rte_pmd_qdma_vf_pause(pf_port, (uint16_t)fid), 0);
	end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	while (rte_pmd_qdma_vf_pause_state(pf_port, (uint16_t)fid) != RTE_PMD_QDMA_PAUSE_ACKED) {
		if (rte_get_timer_cycles() > end)
			fail_msg("no answer to PAUSE");
		rte_delay_us_sleep(1000);
	}
	n = rte_pmd_qdma_vf_ctx_save(pf_port, (uint16_t)fid, snap, RTE_DIM(snap));
	assert_true(n > 0);
	lose_card(fid);
	attach_vf0_as(true);
	assert_int_equal(rte_pmd_qdma_vf_restore(pf_port, (uint16_t)fid), 0);
	if (!wait_registered(fid, 30))
		fail_msg("the paused VF did not register again after RESTORE");
	assert_int_equal(rte_pmd_qdma_mbox_set_poll(pf_port, false), 0);
	/* registered, still paused: its bursts take nothing */
	m = tagged(64, 1);
	assert_int_equal(rte_eth_tx_burst(port, 0, &m, 1), 0);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_pmd_qdma_vf_ctx_restore(pf_port, (uint16_t)fid, snap, (unsigned)n), 0);
	assert_int_equal(rte_pmd_qdma_vf_resume(pf_port, (uint16_t)fid), 0);
	roundtrip(port, 100);
	close_vf("net_qdma_vm3", port);
	assert_int_equal(qdma_sim_detach_vm(card, 0), 0);
}

static void
test_bad_devices(void **state)
{
	char args[512];

	(void)state;
	/* not an ivshmem device */
	fake_device("0x8086\n", "0x1110\n", "/dev/null");
	snprintf(args, sizeof(args), "ivshmem=%s,ivshmem_test_root=%s", BDF, dir);
	assert_int_not_equal(rte_vdev_init("net_qdma_bad0", args), 0);
	/* no BAR2 */
	fake_device("0x1af4\n", "0x1110\n", NULL);
	assert_int_not_equal(rte_vdev_init("net_qdma_bad1", args), 0);
	/* a BAR2 smaller than a VF's config BAR */
	fake_device("0x1af4\n", "0x1110\n", "/dev/null");
	assert_int_not_equal(rte_vdev_init("net_qdma_bad2", args), 0);
	/* bad addresses: a path, garbage, out of range */
	assert_int_not_equal(rte_vdev_init("net_qdma_bad3", "ivshmem=../../x,ivshmem_test_root=/tmp"), 0);
	assert_int_not_equal(rte_vdev_init("net_qdma_bad4", "ivshmem=zz"), 0);
	assert_int_not_equal(rte_vdev_init("net_qdma_bad5", "ivshmem=0000:00:20.0"), 0);
	assert_int_not_equal(rte_vdev_init("net_qdma_bad6", "ivshmem=" BDF ",ivshmem_test_root=rel"), 0);
	/* no test root: IOVA mode must be PA (this process runs VA) */
	assert_int_not_equal(rte_vdev_init("net_qdma_bad7", "ivshmem=" BDF), 0);
	/* no half-probed port left behind: only the PF */
	assert_int_equal(rte_eth_dev_count_avail(), 1);
}

static int
setup(void **state)
{
	struct qdma_sim_cfg cfg;
	char err[256], vdev[400], prefix[64];
	char *argv[] = { "test_ivshmem", "-l", "0", "--no-pci", "--file-prefix", NULL,
		"-m", "64", "--single-file-segments", "--iova-mode=va", "--vdev", vdev,
		"--log-level", "pmd.net.qdma.*:info", NULL };

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/card.sock", dir);
	snprintf(devdir, sizeof(devdir), "%s/%s", dir, BDF);
	snprintf(barpath, sizeof(barpath), "/dev/shm/svfft-ivshmem-bar-%d", getpid());
	qdma_sim_cfg_defaults(&cfg);
	cfg.socket_path = sockpath;
	cfg.personality = QDMA_SIM_LOOPBACK;
	cfg.total_vfs = 4;
	card = qdma_sim_create(&cfg, err, sizeof(err));
	if (card == NULL) {
		print_error("card: %s\n", err);
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "svfft-ivshmem-%d", getpid());
	argv[5] = prefix;
	/* the VF's mailbox is polled by an alarm: on a loaded host (the ASan leg) its thread
	 * can miss the default send timeout of 1 s, which is not what this test is about */
	snprintf(vdev, sizeof(vdev), "net_qdma_pf,card=%s,fn=pf,num_vfs=2,mbox_send_timeout_ms=20000",
		sockpath);
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("ivs", NB_MBUF, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL || rte_eth_dev_get_port_by_name("net_qdma_pf", &pf_port) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char p[400];

	(void)state;
	rte_eth_dev_close(pf_port);
	rte_eal_cleanup();
	qdma_sim_destroy(card);
	unlink(barpath);
	for (const char *f = "vendor\0device\0resource2\0"; *f; f += strlen(f) + 1) {
		snprintf(p, sizeof(p), "%s/%s", devdir, f);
		unlink(p);
	}
	rmdir(devdir);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_and_pf_bye),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_restore_paused),
		cmocka_unit_test(test_bad_devices),
	};
	return cmocka_run_group_tests_name("pmd_ivshmem", tests, setup, teardown);
}
