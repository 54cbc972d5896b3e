/*
 * strmap.c: open-addressing hash table with FNV-1a hashes (see strmap.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "core/xalloc.h"

struct slot {
	char *key; /* NULL when empty */
	size_t len;
	uint64_t hash;
	void *value;
};

struct strmap {
	struct slot *slots;
	size_t capacity; /* a power of two */
	size_t count;
};

static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof *m);

	m->capacity = 16;
	m->slots = xcalloc(m->capacity, sizeof *m->slots);
	return m;
}

void
strmap_free(struct strmap *m, void (*free_value)(void *))
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->capacity; i++) {
		if (m->slots[i].key == NULL)
			continue;
		free(m->slots[i].key);
		if (free_value != NULL)
			free_value(m->slots[i].value);
	}
	free(m->slots);
	free(m);
}

static struct slot *
find_slot(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->capacity - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];

		if (s->key == NULL)
			return s;
		if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
}

static void
grow(struct strmap *m)
{
	struct slot *old = m->slots;
	size_t old_capacity = m->capacity;

	m->capacity *= 2;
	m->slots = xcalloc(m->capacity, sizeof *m->slots);
	for (size_t i = 0; i < old_capacity; i++) {
		if (old[i].key != NULL)
			*find_slot(m, old[i].key, old[i].len, old[i].hash) =
			    old[i];
	}
	free(old);
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	size_t len = strlen(key);
	uint64_t h = hash_bytes(key, len);
	struct slot *s;
	void *previous;

	if ((m->count + 1) * 4 > m->capacity * 3)
		grow(m);
	s = find_slot(m, key, len, h);
	if (s->key != NULL) {
		previous = s->value;
		s->value = value;
		return previous;
	}
	s->key = xstrndup(key, len);
	s->len = len;
	s->hash = h;
	s->value = value;
	m->count++;
	return NULL;
}

void *
strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	struct slot *s = find_slot(m, key, len, hash_bytes(key, len));

	return s->key != NULL ? s->value : NULL;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

void
strmap_each(const struct strmap *m,
    void (*fn)(const char *key, void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->capacity; i++)
		if (m->slots[i].key != NULL)
			fn(m->slots[i].key, m->slots[i].value, arg);
}
