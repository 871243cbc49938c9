/* SPDX-License-Identifier: BSD-3-Clause */
/* Write-ahead journal and snapshot (svff_journal.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svff_journal.h"

struct svff_journal {
	int fd;             /* journal.jsonl, O_APPEND */
	int dirfd;
	uint64_t seq;       /* last sequence number used */
	uint64_t appended;
	unsigned int dropped;
	char dir[PATH_MAX];
	char path[PATH_MAX];
};

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t
seq_of(const json_t *o)
{
	json_t *v = json_object_get(o, "seq");

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static json_t *
load_snapshot(struct svff_journal *j, char *err, size_t errlen)
{
	char p[PATH_MAX + 16];
	json_error_t jerr;
	json_t *s;

	snprintf(p, sizeof(p), "%s/state.json", j->dir);
	if (access(p, F_OK) != 0)
		return NULL;
	s = json_load_file(p, JSON_REJECT_DUPLICATES, &jerr);
	if (s == NULL || !json_is_object(s)) {
		/* rename is atomic: a bad snapshot is not ours to guess about */
		snprintf(err, errlen, "%s:%d: unreadable snapshot: %s", p, jerr.line, jerr.text);
		json_decref(s);
		return json_null();
	}
	j->seq = seq_of(s);
	return s;
}

/* Every complete, well-formed line with seq > the snapshot's. */
static json_t *
load_records(struct svff_journal *j, uint64_t snap_seq)
{
	json_t *recs = json_array();
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(j->path, "r");

	if (f == NULL)
		return recs;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *r;

		if (line[n - 1] != '\n') {      /* torn: the crash cut this write */
			j->dropped++;
			break;
		}
		r = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
		if (r == NULL || !json_is_object(r) || seq_of(r) == 0) {
			j->dropped++;
			json_decref(r);
			continue;
		}
		if (seq_of(r) > j->seq)
			j->seq = seq_of(r);
		if (seq_of(r) > snap_seq)
			json_array_append_new(recs, r);
		else
			json_decref(r);
	}
	free(line);
	fclose(f);
	return recs;
}

struct svff_journal *
svff_journal_open(const char *dir, json_t **snapshot, json_t **records, char *err, size_t errlen)
{
	struct svff_journal *j = calloc(1, sizeof(*j));
	json_t *snap;

	if (j == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->fd = -1;
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	snprintf(j->path, sizeof(j->path), "%s/journal.jsonl", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		snprintf(err, errlen, "cannot open state directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	snap = load_snapshot(j, err, errlen);
	if (json_is_null(snap))
		goto fail_dir;
	*records = load_records(j, snap != NULL ? seq_of(snap) : 0);
	*snapshot = snap;
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", j->path, strerror(errno));
		json_decref(*records);
		json_decref(snap);
		goto fail_dir;
	}
	return j;
fail_dir:
	close(j->dirfd);
fail:
	free(j);
	return NULL;
}

int
svff_journal_append(struct svff_journal *j, json_t *rec)
{
	char *text;
	size_t len;
	int rc;

	json_object_set_new(rec, "seq", json_integer((json_int_t)++j->seq));
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return -ENOMEM;
	len = strlen(text);
	text[len] = '\n';     /* json_dumps leaves room for its NUL: reuse it */
	rc = write_all(j->fd, text, len + 1);
	free(text);
	if (rc == 0 && fdatasync(j->fd) < 0)
		rc = -errno;
	if (rc == 0)
		j->appended++;
	return rc;
}

static int
write_file_durably(struct svff_journal *j, const char *name, const char *text)
{
	char tmp[PATH_MAX + 32], dst[PATH_MAX + 32];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", j->dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", j->dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, strlen(text));
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = -errno;
	if (rc == 0 && fsync(j->dirfd) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int
svff_journal_compact(struct svff_journal *j, json_t *snap)
{
	char *text;
	int rc, fd;

	json_object_set_new(snap, "seq", json_integer((json_int_t)j->seq));
	text = json_dumps(snap, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL)
		return -ENOMEM;
	rc = write_file_durably(j, "state.json", text);
	free(text);
	if (rc < 0)
		return rc;
	/* the snapshot covers every record: start an empty journal */
	rc = write_file_durably(j, "journal.jsonl", "");
	if (rc < 0)
		return rc;
	fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(j->fd);
	j->fd = fd;
	return 0;
}

const char *
svff_journal_path(const struct svff_journal *j)
{
	return j->path;
}

uint64_t
svff_journal_count(const struct svff_journal *j)
{
	return j->appended;
}

unsigned int
svff_journal_dropped(const struct svff_journal *j)
{
	return j->dropped;
}

void
svff_journal_close(struct svff_journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	close(j->dirfd);
	free(j);
}
