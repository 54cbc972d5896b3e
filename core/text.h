/*
 * text.h: every sentence a person reads, looked up by a stable key.
 *
 * The sentences live in text.def, one line each: an identifier for the code,
 * a key that journals and tests refer to, and the English template that is
 * also the gettext msgid. A sentence with a count has PLURAL instead of
 * TEXT and two English forms; the language's own plural rules choose among
 * its translations (Polish has three forms, for example). Templates are whole
 * sentences with named holes
 * ("{tool} was stopped."); code fills the holes and never glues fragments
 * together, so that a translator sees every sentence whole.
 */
#ifndef RDGUARD_TEXT_H
#define RDGUARD_TEXT_H

#include <stdarg.h>
#include <stddef.h>

enum text_id {
#define TEXT(id, key, english)     id,
#define PLURAL(id, key, one, many) id,
#include "core/text.def"
#undef TEXT
#undef PLURAL
	TEXT_COUNT
};

/* Chooses the language from the environment (LANGUAGE, LC_ALL, LANG). */
void text_init(void);

/* The template for id, translated when a translation exists. */
const char *text(enum text_id id);

/* The template for id for a count of n (plural sentences), translated. */
const char *text_n(enum text_id id, unsigned long n);

/* The English template, whatever the language. */
const char *text_english(enum text_id id);

/* The English plural template of a PLURAL sentence, or NULL. */
const char *text_english_plural(enum text_id id);

/* The stable key of id ("reason.fresh-file"). */
const char *text_key(enum text_id id);

/* Finds the id for a key; returns 0 when found, -1 otherwise. */
int text_find(const char *key, enum text_id *id);

/*
 * Renders id into buf, replacing each {name} by the value that follows name
 * in the NULL-terminated list of (name, value) pairs. A hole without a value
 * is left as it is, so a missing argument shows in tests. Returns the length
 * the full text needs, like snprintf.
 */
size_t text_format(char *buf, size_t size, enum text_id id, ...);

/* The same, into a string the caller frees. */
char *text_printf(enum text_id id, ...);

/*
 * The same for a sentence with a count: the form is chosen for n, and the
 * hole {n} (if any) is filled with n. Other holes follow as usual.
 */
char *text_printf_n(enum text_id id, unsigned long n, ...);

/* The va_list forms, for functions that pass their own holes on. */
size_t text_vformat(char *buf, size_t size, enum text_id id, va_list ap);
char *text_vprintf(enum text_id id, va_list ap);
char *text_vprintf_n(enum text_id id, unsigned long n, va_list ap);

#endif
