/* SPDX-License-Identifier: BSD-3-Clause */
/* The write-ahead journal (lib/svff/svff_journal.c): append, reload, torn
 * lines, compaction, a damaged snapshot.  No DPDK. */
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

#include "svff_journal.h"

static char dir[64];
static char err[512];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/svfft-journal-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct svff_journal *
reopen(json_t **snap, json_t **recs)
{
	struct svff_journal *j = svff_journal_open(dir, snap, recs, err, sizeof(err));

	if (j == NULL)
		fail_msg("open: %s", err);
	return j;
}

static void
append_raw(const char *text)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/journal.jsonl", dir);
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void
test_append_reload_torn(void **state)
{
	json_t *snap, *recs;
	struct svff_journal *j;
	struct stat st;
	char p[128];

	(void)state;
	j = reopen(&snap, &recs);
	assert_null(snap);
	assert_int_equal(json_array_size(recs), 0);
	json_decref(recs);
	for (int i = 0; i < 3; i++) {
		json_t *r = json_pack("{s:s, s:i}", "op", "attach", "vf", i);

		assert_int_equal(svff_journal_append(j, r), 0);
		json_decref(r);
	}
	assert_int_equal(svff_journal_count(j), 3);
	svff_journal_close(j);
	snprintf(p, sizeof(p), "%s/journal.jsonl", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);       /* tokens live here */

	append_raw("{\"op\": \"detach\", \"seq\": 4, \"vf\"");  /* cut in the middle */
	j = reopen(&snap, &recs);
	assert_int_equal(json_array_size(recs), 3);
	assert_int_equal(svff_journal_dropped(j), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 2), "vf")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 2), "seq")), 3);
	json_decref(recs);
	svff_journal_close(j);
}

static void
test_compaction(void **state)
{
	json_t *snap, *recs, *r;
	struct svff_journal *j;

	(void)state;
	j = reopen(&snap, &recs);
	json_decref(recs);
	for (int i = 0; i < 5; i++) {
		r = json_pack("{s:i}", "n", i);
		svff_journal_append(j, r);
		json_decref(r);
	}
	snap = json_pack("{s:i}", "numvfs", 7);
	assert_int_equal(svff_journal_compact(j, snap), 0);
	json_decref(snap);
	r = json_pack("{s:i}", "n", 99);
	assert_int_equal(svff_journal_append(j, r), 0);
	json_decref(r);
	svff_journal_close(j);

	j = reopen(&snap, &recs);
	assert_non_null(snap);
	assert_int_equal(json_integer_value(json_object_get(snap, "numvfs")), 7);
	assert_int_equal(json_integer_value(json_object_get(snap, "seq")), 5);
	assert_int_equal(json_array_size(recs), 1);       /* only what came after */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 0), "seq")), 6);
	json_decref(snap);
	json_decref(recs);
	svff_journal_close(j);
}

static void
test_stale_records_and_bad_snapshot(void **state)
{
	json_t *snap, *recs;
	struct svff_journal *j;
	char p[128];
	FILE *f;

	(void)state;
	/* a crash between the snapshot's rename and the journal's: old lines stay */
	snprintf(p, sizeof(p), "%s/state.json", dir);
	f = fopen(p, "w");
	fputs("{\"seq\": 2, \"numvfs\": 1}", f);
	fclose(f);
	append_raw("{\"seq\": 1, \"a\": 1}\n{\"seq\": 2, \"a\": 2}\n{\"seq\": 3, \"a\": 3}\n");
	j = reopen(&snap, &recs);
	assert_int_equal(json_array_size(recs), 1);
	json_decref(snap);
	json_decref(recs);
	svff_journal_close(j);

	f = fopen(p, "w");
	fputs("{\"seq\": 2, \"numvfs\":", f);
	fclose(f);
	assert_null(svff_journal_open(dir, &snap, &recs, err, sizeof(err)));
	assert_non_null(strstr(err, "unreadable snapshot"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_reload_torn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_records_and_bad_snapshot, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
