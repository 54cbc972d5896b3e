/*
 * strmap.h: a hash table from strings to pointers.
 *
 * Built once and then only read: the exec gate reads it from its own thread
 * while nobody writes, so lookups take no lock. Keys are copied; values are
 * the caller's.
 */
#ifndef RDGUARD_STRMAP_H
#define RDGUARD_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
void strmap_free(struct strmap *m, void (*free_value)(void *));

/* Sets key to value, replacing (and returning) any value it had. */
void *strmap_put(struct strmap *m, const char *key, void *value);

/* The value for the first len bytes of key, or NULL. */
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
void *strmap_get(const struct strmap *m, const char *key);

size_t strmap_count(const struct strmap *m);

/* Calls fn for every entry, in no particular order. */
void strmap_each(const struct strmap *m,
    void (*fn)(const char *key, void *value, void *arg), void *arg);

#endif
