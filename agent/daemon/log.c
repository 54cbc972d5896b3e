/*
 * log.c: writes the daemon's own messages to standard error (see log.h),
 * with systemd's priority prefix when standard error is the journal.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/daemon/log.h"

static bool to_journald;

void
log_init(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	to_journald = stream != NULL &&
	    sscanf(stream, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

static void
log_line(enum log_level level, const char *message)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (to_journald) {
		fprintf(stderr, "<%d>%s\n", (int)level, message);
		return;
	}
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s rdguardd: %s\n", when, message);
}

void
log_say(enum log_level level, enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	log_line(level, message);
	free(message);
}

void
log_say_n(enum log_level level, enum text_id id, unsigned long n, ...)
{
	va_list ap;
	char *message;

	va_start(ap, n);
	message = text_vprintf_n(id, n, ap);
	va_end(ap);
	log_line(level, message);
	free(message);
}

void
log_diag(enum log_level level, const struct diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		log_line(level, line);
		free(line);
	}
}
