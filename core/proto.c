/*
 * proto.c: framing and checking of control-socket messages (see proto.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/proto.h"
#include "core/xalloc.h"

void
proto_reader_init(struct proto_reader *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
}

void
proto_reader_free(struct proto_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->capacity = 0;
}

enum proto_status
proto_reader_feed(struct proto_reader *r, const void *data, size_t len)
{
	const char *newline;

	/* The unread text may hold several lines; only the last may be long. */
	if (len > r->max * 2 || r->len + len > r->max * 4)
		return PROTO_MALFORMED;
	xgrow(&r->buf, &r->capacity, r->len + len + 1, 1);
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	r->buf[r->len] = '\0';
	newline = memrchr(r->buf, '\n', r->len);
	if (r->len - (newline != NULL ? (size_t)(newline - r->buf) + 1 : 0) >=
	    r->max)
		return PROTO_MALFORMED;
	return PROTO_INCOMPLETE;
}

enum proto_status
proto_reader_next(struct proto_reader *r, json_t **msg)
{
	char *newline;
	size_t line_len;
	json_t *v;

	*msg = NULL;
	if (r->len == 0 || (newline = memchr(r->buf, '\n', r->len)) == NULL)
		return PROTO_INCOMPLETE;
	line_len = (size_t)(newline - r->buf);
	if (line_len + 1 > r->max)
		return PROTO_MALFORMED;
	v = json_loadb(r->buf, line_len, JSON_REJECT_DUPLICATES, NULL);
	memmove(r->buf, newline + 1, r->len - line_len - 1);
	r->len -= line_len + 1;
	if (!json_is_object(v)) {
		json_decref(v);
		return PROTO_MALFORMED;
	}
	*msg = v;
	return PROTO_MESSAGE;
}

char *
proto_encode(const json_t *msg, size_t *len)
{
	char *body = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *line;

	if (body == NULL)
		abort();
	line = xasprintf("%s\n", body);
	free(body);
	*len = strlen(line);
	return line;
}

const char *
proto_verb(const json_t *request)
{
	return json_string_value(json_object_get(request, "verb"));
}
