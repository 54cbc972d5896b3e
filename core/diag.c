/*
 * diag.c: collects and prints errors that point at file:line:col.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/xalloc.h"

void
diag_vadd(struct diag *d, const char *file, int line, int col, enum text_id id,
    va_list ap)
{
	struct diag_entry *e;

	xgrow(&d->entries, &d->capacity, d->count + 1, sizeof *d->entries);
	e = &d->entries[d->count++];
	e->file = xstrdup(file != NULL ? file : "-");
	e->line = line;
	e->col = col;
	e->message = text_vprintf(id, ap);
}

void
diag_add(
    struct diag *d, const char *file, int line, int col, enum text_id id, ...)
{
	va_list ap;

	va_start(ap, id);
	diag_vadd(d, file, line, col, id, ap);
	va_end(ap);
}

static bool
entry_before(const struct diag_entry *a, const struct diag_entry *b)
{
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

void
diag_sort_from(struct diag *d, size_t first)
{
	for (size_t i = first + 1; i < d->count; i++) {
		struct diag_entry e = d->entries[i];
		size_t j = i;

		for (; j > first && entry_before(&e, &d->entries[j - 1]); j--)
			d->entries[j] = d->entries[j - 1];
		d->entries[j] = e;
	}
}

char *
diag_entry_line(const struct diag_entry *e)
{
	if (e->line <= 0)
		return xasprintf("%s: %s", e->file, e->message);
	if (e->col <= 0)
		return xasprintf("%s:%d: %s", e->file, e->line, e->message);
	return xasprintf("%s:%d:%d: %s", e->file, e->line, e->col, e->message);
}

void
diag_print(const struct diag *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		fprintf(out, "%s\n", line);
		free(line);
	}
}

void
diag_clear(struct diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->entries[i].file);
		free(d->entries[i].message);
	}
	free(d->entries);
	d->entries = NULL;
	d->count = d->capacity = 0;
}
