/*
 * pattern.c: glob matching for paths, names and arguments (see pattern.h).
 */
#include <ctype.h>
#include <string.h>

#include "core/pattern.h"

struct matcher {
	enum pattern_kind kind;
	const char *pattern; /* the whole pattern, to see component starts */
};

static bool
same_char(const struct matcher *m, char a, char b)
{
	if (m->kind == PATTERN_NAME)
		return tolower((unsigned char)a) == tolower((unsigned char)b);
	return a == b;
}

/* Whether p is a "**" that fills a whole path component. */
static bool
is_globstar(const struct matcher *m, const char *p)
{
	return m->kind == PATTERN_PATH && p[0] == '*' && p[1] == '*' &&
	    (p[2] == '/' || p[2] == '\0') && p > m->pattern && p[-1] == '/';
}

static bool match_from(const struct matcher *, const char *, const char *);

/* p points just past a "**" component; s at the start of a component. */
static bool
match_globstar(const struct matcher *m, const char *p, const char *s)
{
	if (*p == '\0')
		return *s != '\0'; /* a trailing ** needs something below */
	p++;                       /* the '/' after ** */
	for (;;) {
		if (match_from(m, p, s))
			return true;
		if ((s = strchr(s, '/')) == NULL)
			return false;
		s++;
	}
}

/* p points just past a run of '*'. */
static bool
match_star(const struct matcher *m, const char *p, const char *s)
{
	bool stop_at_slash = m->kind == PATTERN_PATH;

	for (;; s++) {
		if (match_from(m, p, s))
			return true;
		if (*s == '\0' || (stop_at_slash && *s == '/'))
			return false;
	}
}

static bool
match_from(const struct matcher *m, const char *p, const char *s)
{
	while (*p != '\0') {
		if (is_globstar(m, p))
			return match_globstar(m, p + 2, s);
		if (*p == '*') {
			while (*p == '*')
				p++;
			return match_star(m, p, s);
		}
		if (*s == '\0')
			return false;
		if (*p == '?') {
			if (m->kind == PATTERN_PATH && *s == '/')
				return false;
		} else if (!same_char(m, *p, *s))
			return false;
		p++;
		s++;
	}
	return *s == '\0';
}

bool
pattern_match(enum pattern_kind kind, const char *pattern, const char *s)
{
	struct matcher m = { kind, pattern };

	return match_from(&m, pattern, s);
}

static int
wildcard_groups(const char *p)
{
	int n = 0;

	for (; *p != '\0'; p++) {
		if (*p == '?' || (*p == '*' && p[1] != '*'))
			n++;
	}
	return n;
}

static int
check_path(const char *p, enum text_id *why)
{
	if (p[0] != '/') {
		*why = TXT_ERR_PATTERN_NOT_ABSOLUTE;
		return -1;
	}
	for (const char *q = p; *q != '\0'; q++) {
		if (q[0] == '/' && q[1] == '/') {
			*why = TXT_ERR_PATTERN_EMPTY_FOLDER;
			return -1;
		}
		if (q[0] == '*' && q[1] == '*' &&
		    (q[-1] != '/' || (q[2] != '/' && q[2] != '\0'))) {
			*why = TXT_ERR_PATTERN_GLOBSTAR;
			return -1;
		}
		if (q[0] == '*' && q[1] == '*')
			q++;
	}
	return 0;
}

static int
check_name(const char *p, enum text_id *why)
{
	char stem[PATTERN_MAX_LENGTH + 1];

	if (strchr(p, '/') != NULL) {
		*why = TXT_ERR_PATTERN_SLASH_IN_NAME;
		return -1;
	}
	if (pattern_stem(p, stem, sizeof stem) < PATTERN_MIN_STEM) {
		*why = TXT_ERR_PATTERN_SHORT_STEM;
		return -1;
	}
	return 0;
}

int
pattern_check(enum pattern_kind kind, const char *pattern, enum text_id *why)
{
	if (pattern[0] == '\0' || strlen(pattern) > PATTERN_MAX_LENGTH) {
		*why = TXT_ERR_PATTERN_LENGTH;
		return -1;
	}
	if (wildcard_groups(pattern) > PATTERN_MAX_WILDCARDS) {
		*why = TXT_ERR_PATTERN_TOO_MANY_WILDCARDS;
		return -1;
	}
	switch (kind) {
	case PATTERN_PATH:
		return check_path(pattern, why);
	case PATTERN_NAME:
		return check_name(pattern, why);
	case PATTERN_ARG:
		return 0;
	}
	return 0;
}

size_t
pattern_stem(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		unsigned char c = (unsigned char)name[n];

		if (!isalnum(c) && c != '_')
			break;
		if (n + 1 < size)
			out[n] = (char)tolower(c);
	}
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

size_t
pattern_literal_dir(const char *pattern)
{
	size_t wild = strcspn(pattern, "*?");
	size_t end = 0;

	for (size_t i = 0; i < wild; i++)
		if (pattern[i] == '/')
			end = i;
	return end;
}
