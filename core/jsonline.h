/*
 * jsonline.h: one line of JSON holding one flat object, read fast and
 * strictly, without allocating.
 *
 * The trace format (docs/trace.md) is a JSON object per line whose values
 * are strings, numbers, true, false, null or lists of strings. A trace of a
 * million events must be read in well under a second, so this reader
 * decodes into a buffer the caller owns and reuses, and points into it. It
 * follows RFC 8259 (UTF-8 checked, escapes and surrogate pairs decoded,
 * control characters refused) and refuses duplicate keys, nested objects
 * and lists of anything but strings. A mistake is reported with the column
 * where it is.
 */
#ifndef RDGUARD_JSONLINE_H
#define RDGUARD_JSONLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/text.h"

#define JSONLINE_MAX     65536 /* bytes in a line */
#define JSONLINE_MEMBERS 32    /* keys in an object */
#define JSONLINE_STRINGS 256   /* strings in all the lists of a line */

enum json_kind {
	JL_NULL,
	JL_FALSE,
	JL_TRUE,
	JL_INTEGER, /* a number without fraction or exponent */
	JL_NUMBER,  /* any other number */
	JL_STRING,
	JL_LIST /* of strings */
};

struct json_value {
	enum json_kind kind;
	int col;            /* 1-based, of the value's first byte */
	long long integer;  /* JL_INTEGER */
	const char *string; /* JL_STRING: decoded, NUL-terminated */
	size_t length;      /* its length in bytes (it may hold NULs) */
	const char **items; /* JL_LIST */
	size_t count;
};

struct json_member {
	const char *key;
	size_t key_length;
	int col; /* of the key */
	struct json_value value;
};

struct json_line {
	size_t count;
	struct json_member members[JSONLINE_MEMBERS];
	const char *items[JSONLINE_STRINGS];
	char strings[JSONLINE_MAX + 1]; /* decoded keys and strings */
};

struct json_line_error {
	int col;
	enum text_id id; /* the sentence; its only hole is {key} */
	char found[64];  /* the key given twice, for the sentence */
};

/*
 * Reads the object in line (len bytes, no newline). Returns 0, or -1 with
 * the first mistake in err. out is valid until the next call with it.
 */
int json_line_read(const char *line, size_t len, struct json_line *out,
    struct json_line_error *err);

/* The member called key, or NULL. */
const struct json_member *json_line_get(
    const struct json_line *l, const char *key);

#endif
