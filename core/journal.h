/*
 * journal.h: the journal of decisions, one JSON object a line, in a file
 * that is rotated by size (journal.jsonl, journal.jsonl.1, ...).
 *
 * Every record has "time" (RFC 3339, UTC, milliseconds) and "event"; the
 * rest depends on the event (docs/journal.md). The writer never loses a
 * record it was given: when a write fails (a full disk), the line waits in
 * memory, in order, and goes out with the next successful write.
 */
#ifndef RDGUARD_JOURNAL_H
#define RDGUARD_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#define JOURNAL_DEFAULT_MAX_SIZE (4 * 1024 * 1024)
#define JOURNAL_DEFAULT_KEEP     4
#define JOURNAL_MAX_PENDING      10000

struct journal {
	char *path;
	int fd;
	long long size;
	long long max_size; /* rotate before a line would pass this */
	int keep;           /* rotated files kept */
	char **pending;     /* lines that could not be written yet */
	size_t pending_count;
	size_t pending_capacity;
	unsigned long long written;
	unsigned long long dropped; /* only when pending overflowed */
};

/* Opens (creating, mode 0640) path for appending. Returns 0 or -1 (errno). */
int journal_open(
    struct journal *j, const char *path, long long max_size, int keep);

/*
 * Appends record, adding "time" when it has none (now_ms: unix time in
 * milliseconds, or 0 for the clock). Returns 0 when the line reached the
 * file, 1 when it waits in memory.
 */
int journal_append(struct journal *j, json_t *record, long long now_ms);

/* Writes what waits in memory; returns how many lines still wait. */
size_t journal_flush(struct journal *j);

void journal_close(struct journal *j);

/*
 * Reads the records of path and its rotated files, oldest first, calling fn
 * for each; fn returns non-zero to stop. Lines that are not JSON objects are
 * skipped. Returns the number of records read.
 */
size_t journal_read(const char *path, int keep,
    int (*fn)(json_t *record, void *arg), void *arg);

/* Formats unix milliseconds as "2026-11-25T10:09:03.123Z" into buf. */
void journal_time(long long ms, char *buf, size_t size);

/* Parses journal_time's format back; returns 0 or -1. */
int journal_parse_time(const char *s, long long *ms);

#endif
