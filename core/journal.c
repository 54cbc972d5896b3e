/*
 * journal.c: writes and reads the JSON-lines journal (see journal.h).
 *
 * Owns the open journal file and the lines waiting for a failed disk. Knows
 * nothing of what a record means.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/xalloc.h"

int
journal_open(struct journal *j, const char *path, long long max_size, int keep)
{
	struct stat st;

	memset(j, 0, sizeof *j);
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0)
		return -1;
	j->path = xstrdup(path);
	j->size = fstat(j->fd, &st) == 0 ? (long long)st.st_size : 0;
	j->max_size = max_size > 0 ? max_size : JOURNAL_DEFAULT_MAX_SIZE;
	j->keep = keep > 0 ? keep : JOURNAL_DEFAULT_KEEP;
	return 0;
}

static char *
rotated_name(const char *path, int n)
{
	return n == 0 ? xstrdup(path) : xasprintf("%s.%d", path, n);
}

/* journal.jsonl -> .1 -> .2 ...; the oldest falls off. */
static void
rotate(struct journal *j)
{
	int fd;

	for (int n = j->keep; n > 0; n--) {
		char *from = rotated_name(j->path, n - 1);
		char *to = rotated_name(j->path, n);

		rename(from, to);
		free(from);
		free(to);
	}
	fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return; /* keep writing to the renamed file */
	close(j->fd);
	j->fd = fd;
	j->size = 0;
}

/* Writes one line whole; returns 0 or -1. */
static int
write_line(struct journal *j, const char *line)
{
	size_t len = strlen(line), done = 0;

	if (j->size > 0 && j->size + (long long)len > j->max_size)
		rotate(j);
	while (done < len) {
		ssize_t n = write(j->fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Take back a partial line so the file stays whole. */
			if (done > 0)
				(void)!ftruncate(j->fd, j->size);
			return -1;
		}
		done += (size_t)n;
	}
	j->size += (long long)len;
	j->written++;
	return 0;
}

static void
keep_pending(struct journal *j, char *line)
{
	if (j->pending_count >= JOURNAL_MAX_PENDING) {
		free(line);
		j->dropped++;
		return;
	}
	xgrow(&j->pending, &j->pending_capacity, j->pending_count + 1,
	    sizeof *j->pending);
	j->pending[j->pending_count++] = line;
}

size_t
journal_flush(struct journal *j)
{
	size_t done = 0;

	if (j->pending_count == 0)
		return 0;
	while (done < j->pending_count && write_line(j, j->pending[done]) == 0)
		free(j->pending[done++]);
	memmove(j->pending, j->pending + done,
	    (j->pending_count - done) * sizeof *j->pending);
	j->pending_count -= done;
	return j->pending_count;
}

static long long
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
journal_append(struct journal *j, json_t *record, long long now_ms)
{
	char when[40], *body, *line;

	if (json_object_get(record, "time") == NULL) {
		json_t *timed;

		/* "time" first, so that a person reading the file sees it. */
		journal_time(
		    now_ms != 0 ? now_ms : clock_ms(), when, sizeof when);
		timed = json_pack("{s:s}", "time", when);
		json_object_update(timed, record);
		json_object_clear(record);
		json_object_update(record, timed);
		json_decref(timed);
	}
	body = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (body == NULL)
		abort();
	line = xasprintf("%s\n", body);
	free(body);
	if (j->fd < 0 || journal_flush(j) > 0 || write_line(j, line) != 0) {
		keep_pending(j, line);
		return 1;
	}
	free(line);
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j->fd >= 0) {
		journal_flush(j);
		fsync(j->fd);
		close(j->fd);
	}
	for (size_t i = 0; i < j->pending_count; i++)
		free(j->pending[i]);
	free(j->pending);
	free(j->path);
	memset(j, 0, sizeof *j);
	j->fd = -1;
}

/* Reads one file's records; returns 1 when fn asked to stop. */
static int
read_file(
    const char *path, int (*fn)(json_t *, void *), void *arg, size_t *count)
{
	char *line = NULL;
	size_t len = 0;
	int stop = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (!stop && getline(&line, &len, f) > 0) {
		json_t *record = json_loads(line, 0, NULL);

		if (json_is_object(record)) {
			(*count)++;
			stop = fn(record, arg);
		}
		json_decref(record);
	}
	free(line);
	fclose(f);
	return stop;
}

size_t
journal_read(const char *path, int keep, int (*fn)(json_t *, void *), void *arg)
{
	size_t count = 0;

	for (int n = keep > 0 ? keep : JOURNAL_DEFAULT_KEEP; n >= 0; n--) {
		char *name = rotated_name(path, n);
		int stop = read_file(name, fn, arg, &count);

		free(name);
		if (stop)
			break;
	}
	return count;
}

void
journal_time(long long ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	char whole[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03dZ", whole, (int)(ms % 1000));
}

int
journal_parse_time(const char *s, long long *ms)
{
	struct tm tm = { 0 };
	int millis = 0, n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.') {
		int digits = 0;

		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 3)
				millis = millis * 10 + (*s - '0');
		while (digits++ < 3)
			millis *= 10;
	}
	if (strcmp(s, "Z") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = (long long)timegm(&tm) * 1000 + millis;
	return 0;
}
