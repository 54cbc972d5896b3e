/*
 * diag.h: the mistakes found in an input file, each pointing at file:line:col.
 *
 * Loaders add every error they find instead of stopping at the first, so that
 * a person fixes a file in one go. The message comes from text (by id) with
 * its holes filled; diag only keeps and prints the list.
 */
#ifndef RDGUARD_DIAG_H
#define RDGUARD_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#include "core/text.h"

struct diag_entry {
	char *file;
	int line; /* 1-based; 0 when the error is about the whole file */
	int col;  /* 1-based; 0 when unknown */
	char *message;
};

struct diag {
	struct diag_entry *entries;
	size_t count;
	size_t capacity;
};

/* Adds an error; the varargs are (name, value) pairs ending with NULL. */
void diag_add(
    struct diag *d, const char *file, int line, int col, enum text_id id, ...);

void diag_vadd(struct diag *d, const char *file, int line, int col,
    enum text_id id, va_list ap);

/*
 * Puts the entries from first on (the mistakes of one file) in the order of
 * their lines, so that a person reads them top to bottom. Stable.
 */
void diag_sort_from(struct diag *d, size_t first);

/* Writes "file:line:col: message" for each entry, one a line. */
void diag_print(const struct diag *d, FILE *out);

/* The entry as one line, into a string the caller frees. */
char *diag_entry_line(const struct diag_entry *e);

void diag_clear(struct diag *d);

#endif
