/*
 * phone.c: telephone numbers, compared and found in text (see phone.h).
 */
#include <string.h>

#include "core/phone.h"

#define SAME_DIGITS 9  /* digits that must agree for two numbers to match */
#define FIND_MIN    7  /* fewer digits in text is not a phone number */
#define FIND_MAX    15 /* the longest number ITU-T E.164 allows */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t
phone_key(const char *s, char *key)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (!is_digit(*s))
			continue;
		if (n == PHONE_KEY_MAX - 1) {
			key[0] = '\0';
			return 0;
		}
		key[n++] = *s;
	}
	key[n] = '\0';
	return n;
}

bool
phone_same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == 0 || lb == 0)
		return false;
	if (la < SAME_DIGITS || lb < SAME_DIGITS)
		return la == lb && memcmp(a, b, la) == 0;
	return memcmp(a + la - SAME_DIGITS, b + lb - SAME_DIGITS,
		   SAME_DIGITS) == 0;
}

static bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
	    c == ')';
}

/*
 * Reads a run of digits and separators from text[i]; sets *end past its
 * last digit and returns how many digits it has.
 */
static size_t
digit_run(const char *text, size_t len, size_t i, size_t *end)
{
	size_t digits = 0, gap = 0;

	*end = i;
	for (; i < len; i++) {
		if (is_digit(text[i])) {
			digits++;
			gap = 0;
			*end = i + 1;
		} else if (is_separator(text[i]) && ++gap <= 2) {
			continue;
		} else {
			break;
		}
	}
	return digits;
}

size_t
phone_find(const char *text, size_t len, struct phone_span *spans, size_t max)
{
	size_t found = 0, i = 0;

	while (i < len) {
		size_t start = i, end, digits;

		if (!is_digit(text[i]) && text[i] != '+' && text[i] != '(') {
			i++;
			continue;
		}
		/* A number does not start in the middle of a word. */
		if (i > 0 &&
		    (is_digit(text[i - 1]) || is_letter(text[i - 1]))) {
			i++;
			continue;
		}
		digits = digit_run(text, len, text[i] == '+' ? i + 1 : i, &end);
		if (digits >= FIND_MIN && digits <= FIND_MAX) {
			if (found < max) {
				spans[found].at = start;
				spans[found].len = end - start;
			}
			found++;
		}
		i = end > i ? end : i + 1;
	}
	return found;
}
