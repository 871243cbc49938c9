/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the slot's socket protocol (lib/vslot server) in this process, in stepped
 * mode (vslot_server_poll(): no server thread, every event handled on this thread, so one
 * input costs a few syscalls, not thread hand-offs).
 *
 * An input is a little program of byte-coded steps over up to 4 client connections: connect,
 * close, send a frame, let the server run. A frame has an input-chosen size (empty, short,
 * exact, oversized), an input-chosen header (raw bytes, or a well-formed header with any type),
 * payload bytes from the input (with helpers that make DMA maps and HELLOs likely to be
 * valid: the PF key is filled in on demand) and 0..4 fds of input-chosen kinds (memfd,
 * eventfd, a file on a disk file system, a pipe).
 *
 * After every input all connections are closed, the server runs until it has noticed, numvfs
 * is set back to 0 through a PF connection of the harness, and the invariants are checked:
 *  - the process has exactly the fds it had before the input (none leaked, none lost);
 *  - the server holds no connection and no DMA map (count and bytes);
 *  - no HELLO for the PF succeeded without the PF key.
 * A violation aborts (a crash for libFuzzer).
 *
 *   tests/fuzz/run-fuzz.sh [seconds]      builds with clang and runs both targets
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "vslot_client.h"
#include "vslot_proto.h"
#include "vslot_server.h"

#define NCONN 4
#define TOTAL_VFS 2
#define MEM_SIZE (1u << 20)

#define VIOLATION(...)                                                                             \
	do {                                                                                       \
		fprintf(stderr, "ISOLATION VIOLATION: " __VA_ARGS__);                              \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

struct harness {
	struct vslot_server *srv;
	char dir[64];
	char path[128];
	uint8_t key[VSLOT_PF_KEY_LEN];
	int fd_mem, fd_ev, fd_disk, fd_pipe[2]; /* templates, dup'ed into frames */
	unsigned base_fds;
	int conn[NCONN];
	bool pf_key_sent[NCONN]; /* last HELLO for the PF on this connection carried the key */
	bool dialed;             /* connections made since the server last ran */
};

static struct harness H;

/* ---- the card side: functions come and go with numvfs --------------------------------------- */
static int
cb_numvfs(void *ctx, unsigned old_n, unsigned new_n)
{
	const struct vslot_bar_desc bar = { .index = 0, .size = 4096 };

	(void)ctx;
	for (unsigned v = 0; v < new_n; v++)
		if (vslot_server_add_function(H.srv, VSLOT_FN_VF(v), &bar, 1) < 0)
			return -ENOMEM;
	for (unsigned v = 0; v < old_n && new_n == 0; v++)
		vslot_server_remove_function(H.srv, VSLOT_FN_VF(v));
	return 0;
}

static void
quiet(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/*
 * Entries of /proc/self/fd, read through a directory fd kept open (counted in the baseline),
 * read to the end: procfs may return a short batch before the last one.
 */
static unsigned
count_fds(void)
{
	static int dfd = -1;
	char buf[4096];
	unsigned n = 0;
	long len;

	if (dfd < 0)
		dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || lseek(dfd, 0, SEEK_SET) < 0)
		abort();
	while ((len = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < len;) {
			const struct dirent64 *d = (const void *)(buf + off);

			n++;
			off += d->d_reclen;
		}
	}
	if (len < 0)
		abort();
	return n;
}

static const char *
disk_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp", "." };

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (access(dirs[i], W_OK) == 0)
			return dirs[i];
	return ".";
}

static void set_numvfs(unsigned n);

static void
harness_init(void)
{
	static const struct vslot_server_ops ops = { .numvfs_changed = cb_numvfs };
	const struct vslot_bar_desc pfbars[] = {
		{ .index = 0, .size = 16384 },
		{ .index = 2, .size = 4096 },
	};
	struct vslot_server_cfg cfg = { 0 };
	char err[256], tmp[160];

	snprintf(H.dir, sizeof(H.dir), "/dev/shm/svfft-fuzz-slot-XXXXXX");
	if (mkdtemp(H.dir) == NULL) {
		snprintf(H.dir, sizeof(H.dir), "/tmp/svfft-fuzz-slot-XXXXXX");
		if (mkdtemp(H.dir) == NULL)
			abort();
	}
	snprintf(H.path, sizeof(H.path), "%s/card.sock", H.dir);
	cfg.path = H.path;
	cfg.total_vfs = TOTAL_VFS;
	cfg.nb_irq_vectors = 2;
	cfg.max_dma_maps = 8;
	cfg.max_dma_bytes = 4u << 20;
	cfg.log = quiet;
	H.srv = vslot_server_create(&cfg, &ops, NULL, err, sizeof(err));
	if (H.srv == NULL || vslot_server_add_function(H.srv, VSLOT_FN_PF, pfbars, 2) < 0) {
		fprintf(stderr, "fuzz_slot: %s\n", err);
		abort();
	}
	if (vslot_pf_key_read(vslot_server_pf_key_path(H.srv), H.key, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_slot: %s\n", err);
		abort();
	}
	H.fd_mem = memfd_create("fuzz-mem", MFD_CLOEXEC);
	if (H.fd_mem < 0 || ftruncate(H.fd_mem, MEM_SIZE) < 0)
		abort();
	H.fd_ev = eventfd(0, EFD_CLOEXEC);
	snprintf(tmp, sizeof(tmp), "%s/svfft-fuzz-disk-XXXXXX", disk_dir());
	H.fd_disk = mkstemp(tmp);
	if (H.fd_ev < 0 || H.fd_disk < 0 || ftruncate(H.fd_disk, MEM_SIZE) < 0 ||
			pipe2(H.fd_pipe, O_CLOEXEC) < 0)
		abort();
	unlink(tmp);
	for (unsigned i = 0; i < NCONN; i++)
		H.conn[i] = -1;
	/* every VF function once: their interrupt eventfds live as long as the server */
	set_numvfs(TOTAL_VFS);
	set_numvfs(0);
}

/* ---- the client side ------------------------------------------------------------------------ */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t
next(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static int
dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		abort();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", H.path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	H.dialed = true;
	return fd;
}

/* Read every reply waiting on connection @i: close its fds, check PF HELLOs. */
static void
drain(unsigned i)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * (VSLOT_MAX_FDS + 8))];
			struct cmsghdr align;
		} cbuf;
		struct vslot_msg m;
		struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t len = recvmsg(H.conn[i], &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (len <= 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				for (size_t k = 0; k < cnt; k++) {
					int fd;

					memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
					close(fd);
				}
			}
		}
		if (len == (ssize_t)sizeof(m) &&
				le16toh(m.hdr.type) == (VSLOT_MSG_HELLO | VSLOT_MSG_REPLY) &&
				m.hdr.status == 0 && le32toh(m.u.hello_reply.function) == VSLOT_FN_PF &&
				!H.pf_key_sent[i])
			VIOLATION("the PF was opened without the PF key");
	}
}

/* Let the server handle what is pending (a few rounds: accept, then read), then read the
 * replies on @conn (all connections if @conn < 0; unread ones die with their socket). */
static void
run_server_on(int conn)
{
	/* one round handles what was sent on accepted connections; new ones take two more */
	unsigned rounds = H.dialed ? 4 : 1;

	H.dialed = false;
	for (unsigned k = 0; k < rounds && vslot_server_poll(H.srv, 0) > 0; k++)
		;
	for (unsigned i = 0; i < NCONN; i++)
		if (H.conn[i] >= 0 && (conn < 0 || (unsigned)conn == i))
			drain(i);
}

static void
run_server(void)
{
	run_server_on(-1);
}

static int
take_fd(uint8_t kind)
{
	switch (kind % 5) {
	case 0:
		return dup(H.fd_mem);
	case 1:
		return dup(H.fd_ev);
	case 2:
		return dup(H.fd_disk);
	case 3:
		return dup(H.fd_pipe[0]);
	default:
		return memfd_create("fuzz-small", MFD_CLOEXEC); /* empty: beyond its end */
	}
}

/* Payload helpers: make the structured requests likely to be well formed. */
static void
shape(struct vslot_msg *m, struct input *in, unsigned conn)
{
	uint16_t type = le16toh(m->hdr.type);

	switch (type) {
	case VSLOT_MSG_HELLO:
		m->u.hello.function = htole32(next(in) % (TOTAL_VFS + 2));
		m->u.hello.token = htole64(next(in) % 4);
		if (next(in) & 1)
			memcpy(m->u.hello.pf_key, H.key, sizeof(H.key));
		break;
	case VSLOT_MSG_DMA_MAP:
	case VSLOT_MSG_DMA_UNMAP:
		m->u.dma.iova = htole64((uint64_t)(next(in) % 16) << 16);
		m->u.dma.len = htole64((uint64_t)(next(in) % 17) << 12);
		m->u.dma.offset = htole64((uint64_t)(next(in) % 300) << 12);
		break;
	case VSLOT_MSG_GRANT:
	case VSLOT_MSG_REVOKE:
		m->u.grant.vf = htole32(next(in) % (TOTAL_VFS + 1));
		m->u.grant.token = htole64(next(in) % 4);
		break;
	case VSLOT_MSG_SET_NUMVFS:
		m->u.numvfs.n = htole32(next(in) % (TOTAL_VFS + 2));
		break;
	default:
		break;
	}
	H.pf_key_sent[conn] = type == VSLOT_MSG_HELLO &&
		memcmp(m->u.hello.pf_key, H.key, sizeof(H.key)) == 0;
}

static void
send_frame(struct input *in)
{
	unsigned i = next(in) % NCONN;
	uint8_t flags = next(in), nfds = next(in) % 5;
	uint8_t buf[VSLOT_MSG_SIZE + 64];
	struct vslot_msg *m = (struct vslot_msg *)buf;
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[4];
	size_t len;

	if (H.conn[i] < 0)
		return;
	memset(buf, 0, sizeof(buf));
	for (size_t k = 0, raw = next(in) % 64; k < raw; k++)
		buf[k] = next(in);
	if (flags & 4) {
		/* well-formed header, any type (requests, replies, notices, unknown) */
		static const uint16_t types[] = {
			VSLOT_MSG_HELLO, VSLOT_MSG_DMA_MAP, VSLOT_MSG_DMA_UNMAP, VSLOT_MSG_GRANT,
			VSLOT_MSG_REVOKE, VSLOT_MSG_SET_NUMVFS, VSLOT_MSG_GET_NUMVFS,
			VSLOT_MSG_GET_TOTALVFS, VSLOT_MSG_NOTICE_REMOVED, 0, 9,
			VSLOT_MSG_HELLO | VSLOT_MSG_REPLY,
		};

		m->hdr.magic = htole32(VSLOT_PROTO_MAGIC);
		m->hdr.version = htole16(VSLOT_PROTO_VERSION);
		m->hdr.type = htole16(types[next(in) % (sizeof(types) / sizeof(types[0]))]);
		m->hdr.req_id = htole64((flags & 8) ? 0 : 1u + next(in));
		m->hdr.status = 0;
		m->hdr.rsvd = 0;
		if (flags & 16)
			shape(m, in, i);
		else
			H.pf_key_sent[i] = false;
	} else {
		H.pf_key_sent[i] = false;
	}
	switch (flags & 3) {
	case 0:
		len = VSLOT_MSG_SIZE;
		break;
	case 1:
		len = 0;
		break;
	case 2:
		len = next(in);
		break;
	default:
		len = sizeof(buf);
		break;
	}
	iov.iov_len = len;
	for (unsigned k = 0; k < nfds; k++) {
		fds[k] = take_fd(next(in));
		if (fds[k] < 0)
			abort();
	}
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(H.conn[i], &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the server closed it, or its queue is full: let it run, the frame is lost */
		run_server();
	}
	for (unsigned k = 0; k < nfds; k++)
		close(fds[k]);
	run_server_on((int)i);
}

static void
close_all(void)
{
	H.dialed = true; /* the server needs a round to see the hang-ups, one more to sweep */
	for (unsigned i = 0; i < NCONN; i++) {
		if (H.conn[i] >= 0)
			close(H.conn[i]);
		H.conn[i] = -1;
		H.pf_key_sent[i] = false;
	}
	run_server();
}

/* Set numvfs to @n through a PF connection of our own (0: VF functions and grants gone). */
static void
set_numvfs(unsigned n)
{
	struct vslot_msg m;
	int fd;

	fd = dial();
	if (fd < 0)
		VIOLATION("the harness cannot connect");
	H.conn[0] = fd;
	memset(&m, 0, sizeof(m));
	m.hdr.magic = htole32(VSLOT_PROTO_MAGIC);
	m.hdr.version = htole16(VSLOT_PROTO_VERSION);
	m.hdr.type = htole16(VSLOT_MSG_HELLO);
	m.hdr.req_id = htole64(1);
	memcpy(m.u.hello.pf_key, H.key, sizeof(H.key));
	H.pf_key_sent[0] = true;
	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		abort();
	run_server();
	m.hdr.type = htole16(VSLOT_MSG_SET_NUMVFS);
	m.hdr.req_id = htole64(2);
	memset(&m.u, 0, sizeof(m.u));
	m.u.numvfs.n = htole32(n);
	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		abort();
	run_server();
	close_all();
	if (vslot_server_get_numvfs(H.srv) != n)
		VIOLATION("the PF with its key could not set numvfs to %u", n);
}

static void
reset_numvfs(void)
{
	if (vslot_server_get_numvfs(H.srv) != 0)
		set_numvfs(0);
}

/* What the process holds (for the report of a violation). */
static void
dump_fds(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		char p[64], target[256];
		ssize_t n;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			fprintf(stderr, "fd %d -> %s\n", fd, target);
		}
	}
}

static void
check_invariants(void)
{
	struct vslot_server_stats st;
	unsigned fds;

	/* the server notices the closes in a round or two */
	for (unsigned k = 0; k < 1000; k++) {
		vslot_server_get_stats(H.srv, &st);
		if (st.nb_conns == 0)
			break;
		vslot_server_poll(H.srv, k < 100 ? 0 : 1);
	}
	vslot_server_get_stats(H.srv, &st);
	if (st.nb_conns != 0)
		VIOLATION("%u connections left after every client closed", st.nb_conns);
	if (st.nb_maps != 0 || st.map_bytes != 0)
		VIOLATION("%u DMA maps (%llu bytes) left after every client closed", st.nb_maps,
			(unsigned long long)st.map_bytes);
	fds = count_fds();
	if (fds != H.base_fds) {
		dump_fds();
		VIOLATION("the process has %u fds, %u before the input", fds, H.base_fds);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .p = data, .n = size };
	unsigned steps = 0;

	if (H.srv == NULL)
		harness_init();
	/* per input: libFuzzer itself may open fds between inputs (a symbolizer's pipes) */
	H.base_fds = count_fds();
	while (in.n > 0 && steps++ < 32) {
		uint8_t op = next(&in) % 8;
		unsigned i;

		switch (op) {
		case 0:
		case 1:
			i = next(&in) % NCONN;
			if (H.conn[i] < 0)
				H.conn[i] = dial();
			break;
		case 2:
			i = next(&in) % NCONN;
			if (H.conn[i] >= 0) {
				close(H.conn[i]);
				H.conn[i] = -1;
				H.pf_key_sent[i] = false;
			}
			run_server();
			break;
		case 7:
			run_server();
			break;
		default:
			send_frame(&in);
			break;
		}
	}
	close_all();
	reset_numvfs();
	check_invariants();
	return 0;
}
