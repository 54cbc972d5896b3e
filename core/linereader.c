/*
 * linereader.c: bounded lines from a byte stream (see linereader.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/linereader.h"
#include "core/xalloc.h"

void
line_reader_init(struct line_reader *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
	r->buf = xmalloc(max + 1);
}

void
line_reader_reset(struct line_reader *r)
{
	r->len = 0;
	r->discarding = false;
	r->handed_out = false;
}

void
line_reader_free(struct line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Takes n bytes of the input, and the newline after them when there is. */
static void
consume(const char **data, size_t *len, size_t n, bool newline)
{
	n += newline ? 1 : 0;
	*data += n;
	*len -= n;
}

enum line_status
line_reader_next(struct line_reader *r, const char **data, size_t *len,
    const char **line, size_t *line_len)
{
	if (r->handed_out) {
		r->len = 0;
		r->handed_out = false;
	}
	while (*len > 0) {
		const char *nl = memchr(*data, '\n', *len);
		size_t chunk = nl != NULL ? (size_t)(nl - *data) : *len;

		if (r->discarding) {
			consume(data, len, chunk, nl != NULL);
			r->discarding = nl == NULL;
			continue;
		}
		if (r->len + chunk > r->max) {
			consume(data, len, chunk, nl != NULL);
			r->len = 0;
			r->discarding = nl == NULL;
			return LINE_TOO_LONG;
		}
		memcpy(r->buf + r->len, *data, chunk);
		r->len += chunk;
		consume(data, len, chunk, nl != NULL);
		if (nl == NULL)
			break;
		if (r->len > 0 && r->buf[r->len - 1] == '\r')
			r->len--;
		r->buf[r->len] = '\0';
		r->handed_out = true;
		*line = r->buf;
		*line_len = r->len;
		return LINE_READY;
	}
	return LINE_NEED_MORE;
}
