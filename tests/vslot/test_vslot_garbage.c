/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vslot server robustness: a client is untrusted. Random bytes, short
 * and oversized datagrams, bad headers, wrong fd counts, requests out of
 * order must neither crash the server nor leak fds, and must leave other
 * functions (a PF driver in another process with live DMA maps) untouched.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "vslot_fixture.h"

static int
raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static int
raw_send(int sock, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

/* Receive one reply: returns its length (0 = EOF), closes received fds. */
static ssize_t
raw_recv(int sock, struct vslot_msg *m, unsigned *nfds, int timeout_ms)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	ssize_t n;

	if (nfds != NULL)
		*nfds = 0;
	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	memset(m, 0, sizeof(*m));
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
			if (nfds != NULL)
				(*nfds)++;
		}
	}
	return n;
}

static void
mk(struct vslot_msg *m, uint16_t type, uint64_t id)
{
	memset(m, 0, sizeof(*m));
	m->hdr.magic = htole32(VSLOT_PROTO_MAGIC);
	m->hdr.version = htole16(VSLOT_PROTO_VERSION);
	m->hdr.type = htole16(type);
	m->hdr.req_id = htole64(id);
}

/* Send @m with @nfds fds, expect a reply with @status. */
static void
expect_status(int sock, struct vslot_msg *m, const int *fds, unsigned nfds, int status)
{
	struct vslot_msg rep;
	uint64_t id = le64toh(m->hdr.req_id);

	assert_int_equal(raw_send(sock, m, sizeof(*m), fds, nfds), 0);
	assert_int_equal(raw_recv(sock, &rep, NULL, T_TIMEOUT_MS), (ssize_t)sizeof(rep));
	assert_int_equal(le64toh(rep.hdr.req_id), id);
	assert_int_equal((int32_t)le32toh((uint32_t)rep.hdr.status), status);
	if (status < 0)
		assert_true(rep.u.error.msg[0] != '\0');
}

/* The server must drop this connection: EOF. */
static void
expect_eof(int sock)
{
	struct vslot_msg rep;
	ssize_t n;

	do {
		n = raw_recv(sock, &rep, NULL, T_TIMEOUT_MS);
	} while (n > 0);
	assert_int_equal(n, 0);
}

/* True once every write end of the pipe is closed (the server closed its copy). */
static bool
pipe_orphaned(int rd)
{
	uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;
	char c;

	for (;;) {
		ssize_t n = read(rd, &c, 1);

		if (n == 0)
			return true;
		if (t_now_ms() >= deadline)
			return false;
		t_sleep_ms(2);
	}
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

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
check_pf_intact(struct fx *f)
{
	struct agent_res r;
	uint64_t v;

	assert_int_equal(agent_call(&f->ag[0], &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 2);
	assert_true(t_dma_read(f->card.srv, 0, 0x100008, &v, 8));
	assert_int_equal(v, t_pattern(0x1008));
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, 0), 1);
	assert_int_equal(tcard_resets(&f->card, 0), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_POLL_NOTICE, 0, 0, 0, 0), 0);
}

static void
test_garbage(void **state)
{
	struct tcard_opts o = { .total_vfs = 2, .open_mode = true };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent_res r;
	struct vslot_msg m;
	uint8_t junk[600];
	uint64_t seed = 0x1234567887654321ull;
	unsigned base_fds;
	int s, p[2], mfd;

	/* a PF driver in another process, with a live DMA map */
	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_SET_NUMVFS, 2, 0, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_MEM_CREATE, 0x4000, 0, 0, 0), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_DMA_MAP, 0x100000, 0x2000, 0x1000, 0), 0);
	mfd = memfd_create("g", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 0x10000), 0);
	base_fds = count_fds();

	/* random bytes */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd(&seed);
	s = raw_connect(f->card.path);
	assert_int_equal(raw_send(s, junk, 100, NULL, 0), 0);
	expect_eof(s);
	close(s);
	/* short message, with an fd that must be closed */
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	s = raw_connect(f->card.path);
	mk(&m, VSLOT_MSG_HELLO, 1);
	assert_int_equal(raw_send(s, &m, 10, &p[1], 1), 0);
	close(p[1]);
	expect_eof(s);
	assert_true(pipe_orphaned(p[0]));
	close(p[0]);
	close(s);
	/* full size, bad magic / bad version */
	s = raw_connect(f->card.path);
	mk(&m, VSLOT_MSG_HELLO, 1);
	m.hdr.magic = 0;
	assert_int_equal(raw_send(s, &m, sizeof(m), NULL, 0), 0);
	expect_eof(s);
	close(s);
	s = raw_connect(f->card.path);
	mk(&m, VSLOT_MSG_HELLO, 1);
	m.hdr.version = htole16(99);
	assert_int_equal(raw_send(s, &m, sizeof(m), NULL, 0), 0);
	expect_eof(s);
	close(s);
	/* oversized */
	s = raw_connect(f->card.path);
	memcpy(junk, &m, sizeof(m));
	assert_int_equal(raw_send(s, junk, sizeof(junk), NULL, 0), 0);
	expect_eof(s);
	close(s);
	check_pf_intact(f);

	/* well framed, but wrong */
	s = raw_connect(f->card.path);
	mk(&m, VSLOT_MSG_DMA_UNMAP, 1);
	expect_status(s, &m, NULL, 0, -ENOTCONN); /* before HELLO */
	mk(&m, 0x77, 2);
	expect_status(s, &m, NULL, 0, -EOPNOTSUPP);
	mk(&m, VSLOT_MSG_HELLO | VSLOT_MSG_REPLY, 3);
	expect_status(s, &m, NULL, 0, -EOPNOTSUPP);
	mk(&m, VSLOT_MSG_NOTICE_REMOVED, 4);
	expect_status(s, &m, NULL, 0, -EOPNOTSUPP);
	mk(&m, VSLOT_MSG_HELLO, 0);
	expect_status(s, &m, NULL, 0, -EINVAL); /* id 0 */
	mk(&m, VSLOT_MSG_HELLO, 5);
	m.hdr.status = htole32(7);
	expect_status(s, &m, NULL, 0, -EINVAL);
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	mk(&m, VSLOT_MSG_HELLO, 6);
	expect_status(s, &m, &p[1], 1, -EBADF); /* HELLO carries no fd */
	close(p[1]);
	assert_true(pipe_orphaned(p[0]));
	close(p[0]);
	mk(&m, VSLOT_MSG_HELLO, 7);
	m.u.hello.function = htole32(VSLOT_FN_VF(0));
	m.u.hello.flags = htole32(1);
	expect_status(s, &m, NULL, 0, -EINVAL);
	mk(&m, VSLOT_MSG_HELLO, 8);
	m.u.hello.function = htole32(0xffffffffu);
	expect_status(s, &m, NULL, 0, -EACCES);
	mk(&m, VSLOT_MSG_HELLO, 9);
	m.u.hello.function = htole32(0);
	expect_status(s, &m, NULL, 0, -EACCES); /* no key (and the agent holds the PF) */
	mk(&m, VSLOT_MSG_HELLO, 10);
	m.u.hello.function = htole32(VSLOT_FN_VF(0));
	{
		struct vslot_msg rep;
		unsigned nfds;

		assert_int_equal(raw_send(s, &m, sizeof(m), NULL, 0), 0);
		assert_int_equal(raw_recv(s, &rep, &nfds, T_TIMEOUT_MS), (ssize_t)sizeof(rep));
		assert_int_equal(rep.hdr.status, 0);
		assert_int_equal(nfds, 2); /* BAR0 + 1 irq vector */
	}
	mk(&m, VSLOT_MSG_HELLO, 11);
	m.u.hello.function = htole32(VSLOT_FN_VF(0));
	expect_status(s, &m, NULL, 0, -EISCONN);
	mk(&m, VSLOT_MSG_DMA_MAP, 12);
	m.u.dma.len = htole64(0x1000);
	expect_status(s, &m, NULL, 0, -EBADF); /* no fd */
	{
		int many[60];

		assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
		for (unsigned i = 0; i < 60; i++) {
			many[i] = dup(p[1]);
			assert_true(many[i] >= 0);
		}
		mk(&m, VSLOT_MSG_DMA_MAP, 13);
		m.u.dma.len = htole64(0x1000);
		expect_status(s, &m, many, 2, -EBADF);
		mk(&m, VSLOT_MSG_DMA_MAP, 14);
		m.u.dma.len = htole64(0x1000);
		expect_status(s, &m, many, 60, -EBADF);
		mk(&m, VSLOT_MSG_DMA_UNMAP, 15);
		m.u.dma.len = htole64(0x1000);
		expect_status(s, &m, many, 1, -EBADF);
		mk(&m, VSLOT_MSG_DMA_MAP, 16);
		m.u.dma.len = htole64(0x1000);
		expect_status(s, &m, &p[1], 1, -EBADF); /* a pipe is not mappable memory */
		for (unsigned i = 0; i < 60; i++)
			close(many[i]);
		close(p[1]);
		assert_true(pipe_orphaned(p[0]));
		close(p[0]);
	}
	mk(&m, VSLOT_MSG_DMA_MAP, 17);
	expect_status(s, &m, &mfd, 1, -EINVAL); /* len 0 */
	mk(&m, VSLOT_MSG_DMA_MAP, 18);
	m.u.dma.iova = htole64(0x100000);
	m.u.dma.len = htole64(0x2000);
	expect_status(s, &m, &mfd, 1, 0); /* the same IOVA as the PF: no conflict */
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, VSLOT_FN_VF(0)), 1);
	mk(&m, VSLOT_MSG_GRANT, 19);
	m.u.grant.vf = htole32(1);
	m.u.grant.token = htole64(5);
	expect_status(s, &m, NULL, 0, -EPERM);
	mk(&m, VSLOT_MSG_SET_NUMVFS, 20);
	expect_status(s, &m, NULL, 0, -EPERM);
	check_pf_intact(f);
	/* an empty datagram reads as EOF: the connection is dropped, vf0 reset */
	assert_int_equal(raw_send(s, "", 0, NULL, 0), 0);
	expect_eof(s);
	close(s);
	assert_true(tcard_wait_resets(&f->card, VSLOT_FN_VF(0), 1));
	assert_int_equal(vslot_server_nb_dma_maps(f->card.srv, VSLOT_FN_VF(0)), 0);

	/* fuzz: mostly valid headers, random types, payloads and fds */
	if (getenv("VSLOT_FUZZ_SEED") != NULL)
		seed = strtoull(getenv("VSLOT_FUZZ_SEED"), NULL, 0) | 1;
	for (unsigned it = 0; it < 300; it++) {
		unsigned nmsg = 1 + (unsigned)(rnd(&seed) % 5);

		s = raw_connect(f->card.path);
		if (rnd(&seed) % 2) {
			mk(&m, VSLOT_MSG_HELLO, 1);
			m.u.hello.function = htole32((uint32_t)(rnd(&seed) % 4));
			(void)raw_send(s, &m, sizeof(m), NULL, 0);
		}
		for (unsigned k = 0; k < nmsg; k++) {
			size_t len = sizeof(m);
			int fds[4];
			unsigned nfds = (unsigned)(rnd(&seed) % 4);
			uint64_t shape = rnd(&seed) % 8;

			for (size_t i = 0; i < sizeof(m); i++)
				((uint8_t *)&m)[i] = (uint8_t)rnd(&seed);
			if (shape < 6) {
				m.hdr.magic = htole32(VSLOT_PROTO_MAGIC);
				m.hdr.version = htole16(VSLOT_PROTO_VERSION);
				m.hdr.type = htole16((uint16_t)(rnd(&seed) % 10));
				m.hdr.rsvd = 0;
				if (shape < 4)
					m.hdr.status = 0;
				if (shape < 3) {
					/* plausible DMA ranges */
					m.u.dma.iova = htole64(rnd(&seed) % 0x100000);
					m.u.dma.len = htole64(rnd(&seed) % 0x20000);
					m.u.dma.offset = htole64((rnd(&seed) % 0x20) * 0x800);
				}
			} else if (shape == 6) {
				len = (size_t)(rnd(&seed) % sizeof(m));
			}
			for (unsigned i = 0; i < nfds; i++)
				fds[i] = (rnd(&seed) % 2) ? dup(mfd) : open("/dev/null", O_RDONLY);
			(void)raw_send(s, &m, len, fds, nfds);
			for (unsigned i = 0; i < nfds; i++)
				close(fds[i]);
		}
		if (rnd(&seed) % 2) {
			struct vslot_msg rep;

			while (raw_recv(s, &rep, NULL, 0) > 0)
				;
		}
		close(s);
		if (it % 50 == 49)
			check_pf_intact(f);
	}
	check_pf_intact(f);

	/* every garbage connection is gone and no fd leaked */
	assert_true(tcard_wait_connected(&f->card, VSLOT_FN_VF(0), false));
	assert_true(tcard_wait_connected(&f->card, VSLOT_FN_VF(1), false));
	{
		uint64_t deadline = t_now_ms() + T_TIMEOUT_MS;

		while (count_fds() != base_fds && t_now_ms() < deadline)
			t_sleep_ms(10);
		assert_int_equal(count_fds(), base_fds);
	}
	/* and the server still serves new clients */
	{
		char err[256];
		struct vslot_client *c = vslot_client_open(f->card.path, VSLOT_FN_VF(1), 0, err,
			sizeof(err));

		assert_non_null(c);
		assert_int_equal(vslot_client_dma_map(c, 0x100000, 0x1000, mfd, 0), 0);
		vslot_client_close(c);
	}
	close(mfd);
}

/*
 * Many connections that never say HELLO do not block real clients, and are
 * closed after the HELLO timeout; a bound connection is not.
 */
static void
test_idle_connections(void **state)
{
	struct tcard_opts o = { .total_vfs = 1, .hello_timeout_ms = 300 };
	struct fx *f = fx_begin(state, 1, &o);
	struct agent_res r;
	int socks[40];

	for (unsigned i = 0; i < 40; i++)
		socks[i] = raw_connect(f->card.path);
	assert_int_equal(agent_open(&f->ag[0], f->card.path, 0, 0, &r), 0);
	assert_int_equal(agent_call(&f->ag[0], &r, A_GET_TOTALVFS, 0, 0, 0, 0), 0);
	assert_int_equal(r.v[0], 1);
	/* the silent ones are dropped by the server */
	for (unsigned i = 0; i < 40; i++) {
		expect_eof(socks[i]);
		close(socks[i]);
	}
	/* the PF driver, idle as long, is still served */
	t_sleep_ms(400);
	assert_int_equal(agent_call(&f->ag[0], &r, A_GET_NUMVFS, 0, 0, 0, 0), 0);
	assert_true(vslot_server_fn_connected(f->card.srv, 0));
	assert_int_equal(tcard_resets(&f->card, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_garbage),
		FX_TEST(test_idle_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
