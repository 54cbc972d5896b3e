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
	const char *english_plural; /* NULL but for PLURAL sentences */
};

static const struct text_entry text_table[TEXT_COUNT] = {
#define TEXT(id, key, english)     [id] = { key, english, NULL },
#define PLURAL(id, key, one, many) [id] = { key, one, many },
#include "core/text.def"
#undef TEXT
#undef PLURAL
};

static size_t vformat_template(
    char *buf, size_t size, const char *t, const char *count, va_list ap);

/*
 * The gettext msgids, "key\004English": each sentence's context is its key
 * (po/make-pot.py writes them so). Made by text_init; until then, and in a
 * program that never calls it (rdguardd, whose journal is English), text()
 * gives the English without asking gettext.
 */
static char *msgids[TEXT_COUNT];

void
text_init(void)
{
	const char *dir = getenv("RDGUARD_LOCALEDIR");

	setlocale(LC_ALL, "");
	/* RDGUARD_LOCALEDIR: the build tree's catalogs, for the tests. */
	bindtextdomain(TEXT_DOMAIN,
	    dir != NULL && dir[0] != '\0' ? dir : RDGUARD_LOCALEDIR);
	bind_textdomain_codeset(TEXT_DOMAIN, "UTF-8");
	for (int i = 0; i < TEXT_COUNT; i++) {
		size_t klen = strlen(text_table[i].key);
		size_t elen = strlen(text_table[i].english);

		if (msgids[i] != NULL)
			continue;
		if ((msgids[i] = malloc(klen + elen + 2)) == NULL)
			abort();
		memcpy(msgids[i], text_table[i].key, klen);
		msgids[i][klen] = '\004';
		memcpy(msgids[i] + klen + 1, text_table[i].english, elen + 1);
	}
}

/*
 * Each sentence as gettext found it, once: the language does not change
 * while the program runs, and the strings gettext returns live as long as
 * the program. Wording a million reasons must not ask it a million times.
 */
static const char *found[TEXT_COUNT];

const char *
text(enum text_id id)
{
	const char *t;

	if ((unsigned)id >= TEXT_COUNT)
		return "";
	if (msgids[id] == NULL)
		return text_table[id].english;
	if (found[id] != NULL)
		return found[id];
	t = dgettext(TEXT_DOMAIN, msgids[id]);
	found[id] = t == msgids[id] ? text_table[id].english : t;
	return found[id];
}

const char *
text_n(enum text_id id, unsigned long n)
{
	const struct text_entry *e;
	const char *t;

	if ((unsigned)id >= TEXT_COUNT)
		return "";
	e = &text_table[id];
	if (e->english_plural == NULL)
		return text(id);
	if (msgids[id] == NULL)
		return n == 1 ? e->english : e->english_plural;
	t = dngettext(TEXT_DOMAIN, msgids[id], e->english_plural, n);
	return t == msgids[id] ? e->english : t;
}

const char *
text_english_plural(enum text_id id)
{
	if ((unsigned)id >= TEXT_COUNT)
		return NULL;
	return text_table[id].english_plural;
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
	return vformat_template(buf, size, text(id), NULL, ap);
}

/*
 * Fills the holes of template t from the (name, value) pairs in ap; when
 * count is given, it fills the hole {n} first.
 */
static size_t
vformat_template(
    char *buf, size_t size, const char *t, const char *count, va_list ap)
{
	const char *close, *value;
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
		if (count != NULL && close == t + 2 && t[1] == 'n')
			value = count;
		else {
			va_copy(copy, ap);
			value =
			    hole_value(t + 1, (size_t)(close - t - 1), copy);
			va_end(copy);
		}
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
text_vprintf_n(enum text_id id, unsigned long n, va_list ap)
{
	const char *t = text_n(id, n);
	char number[24], *s;
	va_list copy;
	size_t len;

	snprintf(number, sizeof number, "%lu", n);
	va_copy(copy, ap);
	len = vformat_template(NULL, 0, t, number, copy);
	va_end(copy);
	if ((s = malloc(len + 1)) == NULL)
		abort();
	vformat_template(s, len + 1, t, number, ap);
	return s;
}

char *
text_printf_n(enum text_id id, unsigned long n, ...)
{
	va_list ap;
	char *s;

	va_start(ap, n);
	s = text_vprintf_n(id, n, ap);
	va_end(ap);
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
