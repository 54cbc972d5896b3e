/*
 * strcopy.c: bounded copies of strings (see strcopy.h).
 */
#include <string.h>

#include "core/strcopy.h"

size_t
strcopy(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strnlen(src, size - 1) : 0;

	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
	return n;
}

size_t
strjoin(char *dst, size_t size, const char *a, char sep, const char *b)
{
	size_t n = strcopy(dst, size, a);

	if (n + 1 >= size)
		return n;
	dst[n++] = sep;
	return n + strcopy(dst + n, size - n, b);
}
