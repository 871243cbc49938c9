/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Write-ahead journal of the svff control plane, in the state directory:
 *  - journal.jsonl: one JSON object per line, each with a sequence number
 *    "seq"; appended with write() + fdatasync() before the caller goes on;
 *  - state.json: a compacted snapshot {"seq": S, ...}, written as a temp
 *    file + fsync + rename + fsync of the directory.  Records with seq <= S
 *    are already in the snapshot.
 * A torn last line (a crash in the middle of a write) is ignored on load.
 */
#ifndef SVFF_JOURNAL_H
#define SVFF_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

struct svff_journal;

/**
 * Open (creating the directory, mode 0700, if needed) the journal in
 * @p dir and load it.
 * @param snapshot out: the snapshot object (a new reference), or NULL if none
 * @param records  out: an array of the records after the snapshot (new reference)
 * @return the journal, or NULL with a reason in @p err.
 */
struct svff_journal *svff_journal_open(const char *dir, json_t **snapshot, json_t **records,
		char *err, size_t errlen);

/** Append @p rec (a "seq" member is added) and make it durable. 0 or -errno. */
int svff_journal_append(struct svff_journal *j, json_t *rec);

/**
 * Replace the snapshot by @p snap (a "seq" member is added: the last record
 * it covers) and empty the journal.  0 or -errno.
 */
int svff_journal_compact(struct svff_journal *j, json_t *snap);

/** Path of the journal file. */
const char *svff_journal_path(const struct svff_journal *j);

/** Records appended since open. */
uint64_t svff_journal_count(const struct svff_journal *j);

/** Lines dropped on load (torn or malformed). */
unsigned int svff_journal_dropped(const struct svff_journal *j);

void svff_journal_close(struct svff_journal *j);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_JOURNAL_H */
