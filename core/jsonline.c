/*
 * jsonline.c: reads one line holding one flat JSON object (see jsonline.h).
 *
 * A recursive-descent reader over the bytes of the line, one function per
 * part of the grammar. Strings are decoded into the caller's buffer; the
 * reader keeps nothing between calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonline.h"

struct reader {
	const unsigned char *s;
	size_t len;
	size_t pos;
	struct json_line *out;
	size_t used;  /* bytes of out->strings in use */
	size_t items; /* of out->items in use */
	struct json_line_error *err;
};

static int
fail_at(struct reader *r, size_t pos, enum text_id id)
{
	r->err->col = (int)pos + 1;
	r->err->id = id;
	return -1;
}

static int
fail(struct reader *r, enum text_id id)
{
	return fail_at(r, r->pos, id);
}

static void
skip_space(struct reader *r)
{
	while (r->pos < r->len &&
	    (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
		r->s[r->pos] == '\r' || r->s[r->pos] == '\n'))
		r->pos++;
}

static bool
at(struct reader *r, unsigned char c)
{
	return r->pos < r->len && r->s[r->pos] == c;
}

/* ---------------------------------------------------------------------- */
/* Strings                                                                */
/* ---------------------------------------------------------------------- */

static void
put_code_point(char *out, size_t *n, uint32_t c)
{
	if (c < 0x80) {
		out[(*n)++] = (char)c;
	} else if (c < 0x800) {
		out[(*n)++] = (char)(0xC0 | (c >> 6));
		out[(*n)++] = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (c >> 12));
		out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (c & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | (c >> 18));
		out[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (c & 0x3F));
	}
}

/* Four hex digits at s; -1 if they are not. */
static long
hex4(const unsigned char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A \uXXXX escape (and its low surrogate) at r->pos, past the "\u". */
static int
read_unicode_escape(struct reader *r, char *out, size_t *n)
{
	long hi, lo;

	if (r->pos + 4 > r->len || (hi = hex4(r->s + r->pos)) < 0)
		return fail(r, TXT_ERR_JSON_BAD_ESCAPE);
	r->pos += 4;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return fail_at(r, r->pos - 6, TXT_ERR_JSON_BAD_ESCAPE);
	if (hi < 0xD800 || hi > 0xDBFF) {
		put_code_point(out, n, (uint32_t)hi);
		return 0;
	}
	if (r->pos + 6 > r->len || r->s[r->pos] != '\\' ||
	    r->s[r->pos + 1] != 'u' ||
	    (lo = hex4(r->s + r->pos + 2)) < 0xDC00 || lo > 0xDFFF)
		return fail_at(r, r->pos - 6, TXT_ERR_JSON_BAD_ESCAPE);
	r->pos += 6;
	put_code_point(out, n,
	    0x10000 + (((uint32_t)hi - 0xD800) << 10) +
		((uint32_t)lo - 0xDC00));
	return 0;
}

static int
read_escape(struct reader *r, char *out, size_t *n)
{
	static const char plain[] = "\"\\/bfnrt";
	static const char meant[] = "\"\\/\b\f\n\r\t";
	const char *which;

	if (++r->pos >= r->len)
		return fail(r, TXT_ERR_JSON_UNCLOSED_STRING);
	if (r->s[r->pos] == 'u') {
		r->pos++;
		return read_unicode_escape(r, out, n);
	}
	if (r->s[r->pos] == '\0' ||
	    (which = strchr(plain, r->s[r->pos])) == NULL)
		return fail_at(r, r->pos - 1, TXT_ERR_JSON_BAD_ESCAPE);
	out[(*n)++] = meant[which - plain];
	r->pos++;
	return 0;
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
utf8_length(const unsigned char *s, size_t n)
{
	uint32_t c;
	size_t len;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (n < len)
		return 0;
	c = s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	return len;
}

/* The bytes that end a run of plain ASCII in a string: a quote, a
   backslash, a control byte, the start of a UTF-8 sequence. */
#define PLAIN16(b)                                                            \
	(b), (b), (b), (b), (b), (b), (b), (b), (b), (b), (b), (b), (b), (b), \
	    (b), (b)
static const bool plain[256] = {
	PLAIN16(false), PLAIN16(false),                  /* 0x00-0x1f */
	true, true, false, true, true, true, true, true, /* ' ' '!' '"' */
	true, true, true, true, true, true, true, true, PLAIN16(true),
	PLAIN16(true),                                   /* 0x30-0x4f */
	true, true, true, true, true, true, true, true,  /* 0x50-0x5b */
	true, true, true, true, false, true, true, true, /* '\\' at 0x5c */
	PLAIN16(true), PLAIN16(true),                    /* 0x60-0x7f */
};

static bool
special(unsigned char c)
{
	return !plain[c];
}

/* Copies plain bytes up to the next quote, backslash or control byte. */
static int
copy_plain(struct reader *r, char *out, size_t *n)
{
	while (r->pos < r->len) {
		unsigned char c = r->s[r->pos];
		size_t len, run = r->pos;

		/* Most of a trace is plain ASCII: copy it a run at a time. */
		while (run < r->len && !special(r->s[run]))
			run++;
		if (run > r->pos) {
			memcpy(out + *n, r->s + r->pos, run - r->pos);
			*n += run - r->pos;
			r->pos = run;
			continue;
		}
		if (c == '"' || c == '\\')
			return 0;
		if (c < 0x20)
			return fail(r, TXT_ERR_JSON_CONTROL_CHARACTER);
		if ((len = utf8_length(r->s + r->pos, r->len - r->pos)) == 0)
			return fail(r, TXT_ERR_JSON_BAD_UTF8);
		memcpy(out + *n, r->s + r->pos, len);
		*n += len;
		r->pos += len;
	}
	return 0;
}

/*
 * A string at r->pos (which is a quote): decoded into the line's buffer.
 * Decoding never makes a string longer, so the buffer, as long as the
 * line, always has room.
 */
static int
read_string(struct reader *r, const char **value, size_t *length)
{
	char *out = r->out->strings + r->used;
	size_t start = r->pos, n = 0;

	r->pos++;
	for (;;) {
		if (copy_plain(r, out, &n) != 0)
			return -1;
		if (r->pos >= r->len)
			return fail_at(r, start, TXT_ERR_JSON_UNCLOSED_STRING);
		if (r->s[r->pos] == '"')
			break;
		if (read_escape(r, out, &n) != 0)
			return -1;
	}
	r->pos++;
	out[n] = '\0';
	r->used += n + 1;
	*value = out;
	*length = n;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Other values                                                           */
/* ---------------------------------------------------------------------- */

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static size_t
skip_digits(struct reader *r)
{
	size_t start = r->pos;

	while (r->pos < r->len && is_digit(r->s[r->pos]))
		r->pos++;
	return r->pos - start;
}

/* Whether the integer text from start to r->pos fits a long long. */
static bool
integer_value(struct reader *r, size_t start, long long *out)
{
	bool negative = r->s[start] == '-';
	unsigned long long v = 0,
			   limit = negative ? (unsigned long long)INT64_MAX + 1
					    : (unsigned long long)INT64_MAX;

	for (size_t i = start + negative; i < r->pos; i++) {
		unsigned d = r->s[i] - '0';

		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = negative ? (long long)(0 - v) : (long long)v;
	return true;
}

static int
read_number(struct reader *r, struct json_value *v)
{
	size_t start = r->pos;
	bool integer = true;

	if (at(r, '-'))
		r->pos++;
	if (at(r, '0'))
		r->pos++;
	else if (skip_digits(r) == 0)
		return fail_at(r, start, TXT_ERR_JSON_BAD_NUMBER);
	if (at(r, '.')) {
		r->pos++;
		integer = false;
		if (skip_digits(r) == 0)
			return fail_at(r, start, TXT_ERR_JSON_BAD_NUMBER);
	}
	if (at(r, 'e') || at(r, 'E')) {
		r->pos++;
		integer = false;
		if (at(r, '+') || at(r, '-'))
			r->pos++;
		if (skip_digits(r) == 0)
			return fail_at(r, start, TXT_ERR_JSON_BAD_NUMBER);
	}
	v->kind = integer ? JL_INTEGER : JL_NUMBER;
	if (integer && !integer_value(r, start, &v->integer))
		v->kind = JL_NUMBER; /* too large to be a count of anything */
	return 0;
}

static int
read_literal(struct reader *r, const char *word, enum json_kind kind,
    struct json_value *v)
{
	size_t n = strlen(word);

	if (r->pos + n > r->len || memcmp(r->s + r->pos, word, n) != 0)
		return fail(r, TXT_ERR_JSON_EXPECTED_VALUE);
	r->pos += n;
	v->kind = kind;
	return 0;
}

/* A list of strings at r->pos (which is '['). */
static int
read_list(struct reader *r, struct json_value *v)
{
	r->pos++;
	v->kind = JL_LIST;
	v->items = r->out->items + r->items;
	v->count = 0;
	skip_space(r);
	if (at(r, ']')) {
		r->pos++;
		return 0;
	}
	for (;;) {
		size_t length;

		skip_space(r);
		if (!at(r, '"'))
			return fail(r, TXT_ERR_JSON_LIST_OF_STRINGS);
		if (r->items == JSONLINE_STRINGS)
			return fail(r, TXT_ERR_JSON_TOO_MANY);
		if (read_string(r, &r->out->items[r->items], &length) != 0)
			return -1;
		r->items++;
		v->count++;
		skip_space(r);
		if (at(r, ']')) {
			r->pos++;
			return 0;
		}
		if (!at(r, ','))
			return fail(r, TXT_ERR_JSON_EXPECTED_LIST_COMMA);
		r->pos++;
	}
}

static int
read_value(struct reader *r, struct json_value *v)
{
	memset(v, 0, sizeof *v);
	skip_space(r);
	v->col = (int)r->pos + 1;
	if (r->pos >= r->len)
		return fail(r, TXT_ERR_JSON_EXPECTED_VALUE);
	switch (r->s[r->pos]) {
	case '"':
		v->kind = JL_STRING;
		return read_string(r, &v->string, &v->length);
	case '[':
		return read_list(r, v);
	case '{':
		return fail(r, TXT_ERR_JSON_NESTED);
	case 't':
		return read_literal(r, "true", JL_TRUE, v);
	case 'f':
		return read_literal(r, "false", JL_FALSE, v);
	case 'n':
		return read_literal(r, "null", JL_NULL, v);
	default:
		if (r->s[r->pos] == '-' || is_digit(r->s[r->pos]))
			return read_number(r, v);
		return fail(r, TXT_ERR_JSON_EXPECTED_VALUE);
	}
}

/* ---------------------------------------------------------------------- */
/* The object                                                             */
/* ---------------------------------------------------------------------- */

static int
check_unique(struct reader *r, const struct json_member *m)
{
	for (size_t i = 0; i < r->out->count; i++) {
		if (r->out->members[i].key_length != m->key_length ||
		    memcmp(r->out->members[i].key, m->key, m->key_length) != 0)
			continue;
		snprintf(r->err->found, sizeof r->err->found, "%s", m->key);
		return fail_at(
		    r, (size_t)m->col - 1, TXT_ERR_JSON_DUPLICATE_KEY);
	}
	return 0;
}

static int
read_member(struct reader *r)
{
	struct json_member *m;
	size_t length;

	skip_space(r);
	if (!at(r, '"'))
		return fail(r, TXT_ERR_JSON_EXPECTED_KEY);
	if (r->out->count == JSONLINE_MEMBERS)
		return fail(r, TXT_ERR_JSON_TOO_MANY);
	m = &r->out->members[r->out->count];
	m->col = (int)r->pos + 1;
	if (read_string(r, &m->key, &length) != 0)
		return -1;
	m->key_length = length;
	if (check_unique(r, m) != 0)
		return -1;
	skip_space(r);
	if (!at(r, ':'))
		return fail(r, TXT_ERR_JSON_EXPECTED_COLON);
	r->pos++;
	if (read_value(r, &m->value) != 0)
		return -1;
	r->out->count++;
	return 0;
}

static int
read_members(struct reader *r)
{
	skip_space(r);
	if (at(r, '}')) {
		r->pos++;
		return 0;
	}
	for (;;) {
		if (read_member(r) != 0)
			return -1;
		skip_space(r);
		if (at(r, '}')) {
			r->pos++;
			return 0;
		}
		if (!at(r, ','))
			return fail(r, TXT_ERR_JSON_EXPECTED_COMMA);
		r->pos++;
	}
}

int
json_line_read(const char *line, size_t len, struct json_line *out,
    struct json_line_error *err)
{
	struct reader r = { .s = (const unsigned char *)line,
		.len = len,
		.out = out,
		.err = err };

	memset(err, 0, sizeof *err);
	out->count = 0;
	if (len > JSONLINE_MAX)
		return fail_at(&r, JSONLINE_MAX, TXT_ERR_JSON_TOO_LONG);
	skip_space(&r);
	if (!at(&r, '{'))
		return fail(&r, TXT_ERR_JSON_NOT_AN_OBJECT);
	r.pos++;
	if (read_members(&r) != 0)
		return -1;
	skip_space(&r);
	if (r.pos != len)
		return fail(&r, TXT_ERR_JSON_TRAILING);
	return 0;
}

const struct json_member *
json_line_get(const struct json_line *l, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < l->count; i++)
		if (l->members[i].key_length == len &&
		    memcmp(l->members[i].key, key, len) == 0)
			return &l->members[i];
	return NULL;
}
