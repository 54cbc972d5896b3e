/*
 * phone.h: telephone numbers as people and phones write them.
 *
 * A number is compared by its digits, and two numbers are the same when
 * their last nine digits are (or all of them, when either has fewer), so
 * that "0151 2345678", "+49 151 2345678" and "0049-151-2345678" match: a
 * phone shows the same caller in any of these forms. Numbers are also found
 * in running text (a scam page's "call +1 (888) 555-0100 now").
 */
#ifndef RDGUARD_PHONE_H
#define RDGUARD_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#define PHONE_KEY_MAX 24 /* digits kept of a number, with the NUL */

/*
 * The digits of a number as written, into key (PHONE_KEY_MAX bytes).
 * Returns how many there are; 0 when s holds none or too many.
 */
size_t phone_key(const char *s, char *key);

/* Whether two keys are the same number. */
bool phone_same(const char *a, const char *b);

/* A number found in text: where it starts and how long it is, in bytes. */
struct phone_span {
	size_t at;
	size_t len;
};

/*
 * Finds numbers in text of len bytes: runs of 7 to 15 digits with the
 * separators people write (spaces, dashes, dots, slashes, brackets, a
 * leading +). Writes at most max spans; returns how many were found (which
 * may be more than max).
 */
size_t phone_find(
    const char *text, size_t len, struct phone_span *spans, size_t max);

#endif
