/*
 * pagescore.h: how much a web page or a window looks like a tech-support
 * scam, from what it did (indicators) and what it says (its title and
 * text). The signs and their points are in core/pagewords.def, shared with
 * the browser extension, which scores alike.
 */
#ifndef RDGUARD_PAGESCORE_H
#define RDGUARD_PAGESCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/phone.h"

/* What a page did: the trace's "indicators" (docs/trace.md). */
enum page_sign {
#define PAGE_SIGN(id, name, points) PAGE_##id,
#include "core/pagewords.def"
	PAGE_SIGN_COUNT
};

#define PAGE_NUMBERS_MAX 4

struct page_score {
	int score;        /* 0-100 */
	unsigned signs;   /* bit (1 << enum page_sign) for each sign seen,
			     phone-number included when the text has one */
	bool scam_words;  /* a scam phrase was found */
	bool brand_words; /* a brand or threat word was found */
	size_t number_count;
	char numbers[PAGE_NUMBERS_MAX][PHONE_KEY_MAX]; /* the first numbers'
							  digits */
};

/* The sign called name ("keyboard-lock"), or -1. */
int page_sign_parse(const char *name);
const char *page_sign_name(enum page_sign s);

/* The score from which the extension reports a page. */
int page_report_at(void);

/*
 * Scores a page: title and text (either may be NULL) and the signs it
 * showed (bits of enum page_sign).
 */
void page_score(const char *title, const char *text, unsigned signs,
    struct page_score *out);

#endif
