/*
 * linereader.h: bounded lines from a byte stream (a call monitor's TCP
 * connection).
 *
 * A line ends with "\n"; a "\r" before it is dropped. A line longer than
 * the limit is reported once and skipped up to its end, so a peer that
 * never sends a newline costs at most the limit in memory.
 */
#ifndef RDGUARD_LINEREADER_H
#define RDGUARD_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>

struct line_reader {
	char *buf;       /* max + 1 bytes */
	size_t max;      /* the longest line kept, without its end */
	size_t len;      /* bytes of the line so far */
	bool discarding; /* inside a line that was too long */
	bool handed_out; /* buf holds the line returned last */
};

enum line_status {
	LINE_READY,     /* *line is the next line */
	LINE_NEED_MORE, /* every byte was taken; no whole line yet */
	LINE_TOO_LONG,  /* a line passed the limit; its rest is skipped */
};

void line_reader_init(struct line_reader *r, size_t max);
/* Forgets a partial line (a new connection). */
void line_reader_reset(struct line_reader *r);
void line_reader_free(struct line_reader *r);

/*
 * Takes bytes from *data (advancing *data and *len) up to the end of the
 * next line. The line returned is NUL-terminated and valid until the next
 * call.
 */
enum line_status line_reader_next(struct line_reader *r, const char **data,
    size_t *len, const char **line, size_t *line_len);

#endif
