/*
 * show.h: how the command line prints what the daemon sends: a sentence a
 * line, times in local time, users by name. Every sentence still comes from
 * text; these only fetch and format the values that fill the holes.
 */
#ifndef RDGUARD_SHOW_H
#define RDGUARD_SHOW_H

#include <jansson.h>
#include <stddef.h>

#include "core/text.h"

/* Prints a sentence and a newline on standard output. */
void show_line(enum text_id id, ...);
/* The same for a sentence with a count (PLURAL). */
void show_line_n(enum text_id id, unsigned long n, ...);

/* A string member, or "" when missing. */
const char *show_str(const json_t *o, const char *key);
/* A number member as text ("" when missing). */
const char *show_int(const json_t *o, const char *key, char *buf, size_t size);
const char *show_real(const json_t *o, const char *key, char *buf, size_t size);
/* A journal time ("...Z") as local "2026-11-25 10:09:03". */
const char *show_time(const char *journal_time, char *buf, size_t size);
/* The "user" member, or the uid, or "?". */
const char *show_user(const json_t *o);
/* "everyone" for uid -1, else the user. */
const char *show_who(const json_t *o);
/* A value as pretty JSON on standard output. */
void show_json(const json_t *v);
/* A value as one compact JSON line on standard output. */
void show_json_line(const json_t *v);

#endif
