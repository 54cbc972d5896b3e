/*
 * xalloc.h: memory allocation that does not return NULL.
 *
 * rdguard treats running out of memory as fatal: the process aborts, which
 * closes the exec gate and so releases every launch the kernel holds for it.
 * Continuing with half-built state would be worse.
 */
#ifndef RDGUARD_XALLOC_H
#define RDGUARD_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *v (of *cap elements of size each) to hold at least need elements. */
void xgrow(void *v, size_t *cap, size_t need, size_t size);

#endif
