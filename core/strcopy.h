/*
 * strcopy.h: bounded copies of strings into fixed buffers. The engine
 * fills such buffers for every event of a trace, where snprintf's "%s"
 * costs more than the judging; these do the same without its machinery.
 */
#ifndef RDGUARD_STRCOPY_H
#define RDGUARD_STRCOPY_H

#include <stddef.h>

/*
 * Copies src (NULL: the empty string) into dst of size bytes, cut if need
 * be, always NUL-terminated (size > 0). Returns the length copied.
 */
size_t strcopy(char *dst, size_t size, const char *src);

/* a, the separator sep, then b, into dst as strcopy does. */
size_t strjoin(char *dst, size_t size, const char *a, char sep, const char *b);

#endif
