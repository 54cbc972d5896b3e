/*
 * pagescore.c: scores a page or a window as core/pagewords.def says (see
 * pagescore.h). Owns the table of signs, rules and wording built from that
 * file, and nothing else; it keeps no state between calls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pagescore.h"

#define TEXT_MAX 8192 /* bytes of title and text looked at */
/*
 * A number has at least 7 digits and something before it that is neither
 * digit nor letter: the text cannot hold more than this many, so that every
 * number counts for the nearness of the wording.
 */
#define NUMBERS_MAX (TEXT_MAX / 8 + 1)

enum page_rule {
#define PAGE_RULE(id, name, points) RULE_##id,
#include "core/pagewords.def"
	RULE_COUNT
};

enum { SCAM, BRAND };

static const struct {
	const char *name;
	int points;
} signs[PAGE_SIGN_COUNT] = {
#define PAGE_SIGN(id, name, points) [PAGE_##id] = { name, points },
#include "core/pagewords.def"
};

static const int rule_points[RULE_COUNT] = {
#define PAGE_RULE(id, name, points) [RULE_##id] = points,
#include "core/pagewords.def"
};

static const struct phrase {
	int strength;
	const char *words;
	size_t len;
} phrases[] = {
#define PAGE_WORDS(strength, lang, phrase) \
	{ strength, phrase, sizeof phrase - 1 },
#include "core/pagewords.def"
};

static const int report_at =
#define PAGE_REPORT_AT(score) score +
#include "core/pagewords.def"
    0;

static const size_t near_chars =
#define PAGE_NEAR(chars) chars +
#include "core/pagewords.def"
    0;

#define PHRASE_COUNT (sizeof phrases / sizeof phrases[0])

int
page_sign_parse(const char *name)
{
	for (int i = 0; i < PAGE_SIGN_COUNT; i++)
		if (strcmp(signs[i].name, name) == 0)
			return i;
	return -1;
}

const char *
page_sign_name(enum page_sign s)
{
	return (unsigned)s < PAGE_SIGN_COUNT ? signs[s].name : "";
}

int
page_report_at(void)
{
	return report_at;
}

/* ---------------------------------------------------------------------- */
/* Normalising the text                                                   */
/* ---------------------------------------------------------------------- */

/* The lowercase of a code point in the Latin ranges the wording uses. */
static uint32_t
lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c % 2 == 0 ? c + 1 : c;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return c % 2 == 1 ? c + 1 : c;
	return c;
}

/* Whether a code point is a letter, for whole-word matching. */
static bool
is_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

/* Unicode's White_Space: no-break spaces (U+00A0, U+202F) included. */
static bool
is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/*
 * Decodes the UTF-8 code point at s (n bytes left); sets *len. A byte that
 * does not start a valid sequence decodes as itself, one byte long.
 */
static uint32_t
decode(const unsigned char *s, size_t n, size_t *len)
{
	if (s[0] < 0x80 || n < 2 || (s[1] & 0xC0) != 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0) {
		*len = 2;
		return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[2] & 0xC0) == 0x80) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0F) << 12) |
		    ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*len = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) |
		    ((uint32_t)(s[1] & 0x3F) << 12) |
		    ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	}
	*len = 1;
	return s[0];
}

static size_t
encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Appends s, normalised, to out (at *at, of size bytes). */
static void
normalise(const char *s, char *out, size_t *at, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0 && *at + 4 < size) {
		size_t len;
		uint32_t c = decode(p, n, &len);

		p += len;
		n -= len;
		if (c == 0x2019 || c == 0x2018)
			c = '\'';
		if (is_space(c)) {
			if (*at > 0 && out[*at - 1] != ' ')
				out[(*at)++] = ' ';
			continue;
		}
		*at += encode(lower(c), out + *at);
	}
	out[*at] = '\0';
}

/* ---------------------------------------------------------------------- */
/* Finding the wording                                                    */
/* ---------------------------------------------------------------------- */

/* The code point that ends just before text + at, or 0 at the start. */
static uint32_t
before(const char *text, size_t at)
{
	size_t start = at, len;

	if (at == 0)
		return 0;
	while (start > 0 && at - start < 3 &&
	    ((unsigned char)text[start - 1] & 0xC0) == 0x80)
		start--;
	if (start > 0)
		start--;
	return decode((const unsigned char *)text + start, at - start, &len);
}

static bool
matches_at(const char *text, size_t len, size_t at, const struct phrase *ph)
{
	size_t cl;

	if (at + ph->len > len || memcmp(text + at, ph->words, ph->len) != 0)
		return false;
	if (at + ph->len == len)
		return true;
	return !is_letter(decode((const unsigned char *)text + at + ph->len,
	    len - at - ph->len, &cl));
}

/* Where the numbers start, in characters (not bytes), in text order. */
struct number_places {
	size_t count;
	size_t chars[NUMBERS_MAX];
};

static void
place_numbers(const char *text, const struct phone_span *spans, size_t count,
    struct number_places *np)
{
	size_t chars = 0, at = 0;

	np->count = count;
	for (size_t i = 0; i < count; i++) {
		for (; at < spans[i].at; at++)
			if (((unsigned char)text[at] & 0xC0) != 0x80)
				chars++;
		np->chars[i] = chars;
	}
}

/* Whether a number starts within near_chars characters of chars. */
static bool
near_a_number(size_t chars, const struct number_places *np)
{
	size_t lo = 0, hi = np->count;
	size_t from = chars > near_chars ? chars - near_chars : 0;

	/* The first number at or after from. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (np->chars[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < np->count && np->chars[lo] <= chars + near_chars;
}

struct wording {
	bool found[2]; /* a SCAM phrase, a BRAND word */
	bool near_number[2];
};

/*
 * The phrases by their first byte: phrase indexes, each list ended by -1.
 * Built once; a page is looked at only where a phrase could start.
 */
static short first_byte[256];
static short by_first[PHRASE_COUNT + 256];
static bool indexed;

static void
index_phrases(void)
{
	size_t n = 0;

	if (indexed)
		return;
	indexed = true;
	for (int b = 0; b < 256; b++) {
		first_byte[b] = (short)n;
		for (size_t i = 0; i < PHRASE_COUNT; i++)
			if ((unsigned char)phrases[i].words[0] == b)
				by_first[n++] = (short)i;
		by_first[n++] = -1;
	}
}

/*
 * Looks for every phrase that starts a word at text + at, which is the
 * character numbered chars.
 */
static void
phrases_at(const char *text, size_t len, size_t at, size_t chars,
    const struct number_places *np, struct wording *w)
{
	for (const short *i = &by_first[first_byte[(unsigned char)text[at]]];
	     *i >= 0; i++) {
		const struct phrase *ph = &phrases[*i];

		if (!matches_at(text, len, at, ph))
			continue;
		w->found[ph->strength] = true;
		if (!w->near_number[ph->strength] && near_a_number(chars, np))
			w->near_number[ph->strength] = true;
	}
}

static void
find_wording(const char *text, size_t len, const struct number_places *np,
    struct wording *w)
{
	size_t chars = 0;

	memset(w, 0, sizeof *w);
	for (size_t at = 0; at < len; at++) {
		if (((unsigned char)text[at] & 0xC0) == 0x80)
			continue;
		if (!is_letter(before(text, at)))
			phrases_at(text, len, at, chars, np, w);
		chars++;
	}
}

/* ---------------------------------------------------------------------- */
/* The score                                                              */
/* ---------------------------------------------------------------------- */

static void
keep_numbers(const char *text, const struct phone_span *spans, size_t count,
    struct page_score *out)
{
	char number[64];

	for (size_t i = 0; i < count && out->number_count < PAGE_NUMBERS_MAX;
	     i++) {
		size_t len = spans[i].len < sizeof number - 1
		    ? spans[i].len
		    : sizeof number - 1;

		memcpy(number, text + spans[i].at, len);
		number[len] = '\0';
		if (phone_key(number, out->numbers[out->number_count]) > 0)
			out->number_count++;
	}
}

static int
wording_points(const struct wording *w)
{
	int points = 0;

	if (w->found[SCAM])
		points += rule_points[RULE_SCAM_WORDS];
	else if (w->found[BRAND])
		points += rule_points[RULE_BRAND_WORDS];
	if (w->near_number[SCAM])
		points += rule_points[RULE_SCAM_NEAR_NUMBER];
	else if (w->near_number[BRAND])
		points += rule_points[RULE_BRAND_NEAR_NUMBER];
	return points;
}

void
page_score(
    const char *title, const char *text, unsigned shown, struct page_score *out)
{
	char buf[TEXT_MAX];
	struct phone_span numbers[NUMBERS_MAX];
	struct number_places places;
	struct wording w;
	size_t len = 0, count;
	int score = 0;

	memset(out, 0, sizeof *out);
	index_phrases();
	/* The title and the text, with white space between them. */
	normalise(title != NULL ? title : "", buf, &len, sizeof buf);
	normalise(" ", buf, &len, sizeof buf);
	normalise(text != NULL ? text : "", buf, &len, sizeof buf);
	count = phone_find(buf, len, numbers, NUMBERS_MAX);
	if (count > NUMBERS_MAX)
		count = NUMBERS_MAX;
	keep_numbers(buf, numbers, count, out);
	if (count > 0)
		shown |= 1u << PAGE_PHONE_NUMBER;
	for (int s = 0; s < PAGE_SIGN_COUNT; s++)
		if (shown & (1u << s))
			score += signs[s].points;
	if (shown & (1u << PAGE_PHONE_NUMBER))
		score += rule_points[RULE_PHONE_NUMBER];
	place_numbers(buf, numbers, count, &places);
	find_wording(buf, len, &places, &w);
	score += wording_points(&w);
	out->signs = shown;
	out->scam_words = w.found[SCAM];
	out->brand_words = w.found[BRAND];
	out->score = score > 100 ? 100 : score;
}
