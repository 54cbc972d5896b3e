/*
 * text.c: the table of sentences and the filling of their {holes}.
 *
 * Owns the mapping from text_id to key and template. Translation goes through
 * gettext with the English template as msgid; nothing else in rdguard holds a
 * sentence a person reads.
 */
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/paths.h"
#include "core/text.h"

#define TEXT_DOMAIN "rdguard"

struct text_entry {
	const char *key;
	const char *english;
};

static const struct text_entry text_table[TEXT_COUNT] = {
#define TEXT(id, key, english) [id] = { key, english },
#include "core/text.def"
#undef TEXT
};

void
text_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain(TEXT_DOMAIN, RDGUARD_LOCALEDIR);
	bind_textdomain_codeset(TEXT_DOMAIN, "UTF-8");
}

const char *
text(enum text_id id)
{
	if ((unsigned)id >= TEXT_COUNT)
		return "";
	return dgettext(TEXT_DOMAIN, text_table[id].english);
}

const char *
text_english(enum text_id id)
{
	if ((unsigned)id >= TEXT_COUNT)
		return "";
	return text_table[id].english;
}

const char *
text_key(enum text_id id)
{
	if ((unsigned)id >= TEXT_COUNT)
		return "";
	return text_table[id].key;
}

int
text_find(const char *key, enum text_id *id)
{
	for (int i = 0; i < TEXT_COUNT; i++) {
		if (strcmp(text_table[i].key, key) == 0) {
			*id = (enum text_id)i;
			return 0;
		}
	}
	return -1;
}

/* The value given for the hole name[0..len), or NULL. */
static const char *
hole_value(const char *name, size_t len, va_list ap)
{
	const char *n, *v;

	while ((n = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return v != NULL ? v : "";
	}
	return NULL;
}

/* Appends len bytes of s at *at, never past size; *at still counts them. */
static void
put(char *buf, size_t size, size_t *at, const char *s, size_t len)
{
	if (*at < size) {
		size_t room = size - *at - 1;
		memcpy(buf + *at, s, len < room ? len : room);
	}
	*at += len;
}

size_t
text_vformat(char *buf, size_t size, enum text_id id, va_list ap)
{
	const char *t = text(id), *close, *value;
	size_t at = 0;
	va_list copy;

	while (*t != '\0') {
		close = t[0] == '{' ? strchr(t + 1, '}') : NULL;
		if (close == NULL) {
			size_t run = strcspn(t + 1, "{") + 1;
			put(buf, size, &at, t, run);
			t += run;
			continue;
		}
		va_copy(copy, ap);
		value = hole_value(t + 1, (size_t)(close - t - 1), copy);
		va_end(copy);
		if (value != NULL)
			put(buf, size, &at, value, strlen(value));
		else
			put(buf, size, &at, t, (size_t)(close - t + 1));
		t = close + 1;
	}
	if (size > 0)
		buf[at < size ? at : size - 1] = '\0';
	return at;
}

size_t
text_format(char *buf, size_t size, enum text_id id, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, id);
	n = text_vformat(buf, size, id, ap);
	va_end(ap);
	return n;
}

char *
text_vprintf(enum text_id id, va_list ap)
{
	va_list copy;
	size_t n;
	char *s;

	va_copy(copy, ap);
	n = text_vformat(NULL, 0, id, copy);
	va_end(copy);
	if ((s = malloc(n + 1)) == NULL)
		abort();
	text_vformat(s, n + 1, id, ap);
	return s;
}

char *
text_printf(enum text_id id, ...)
{
	va_list ap;
	char *s;

	va_start(ap, id);
	s = text_vprintf(id, ap);
	va_end(ap);
	return s;
}
