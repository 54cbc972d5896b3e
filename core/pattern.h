/*
 * pattern.h: the globs that catalog and policy files use.
 *
 * Three kinds, all with * (any run of characters) and ? (one character):
 *   PATTERN_PATH  a full path; * and ? stay inside one folder, and ** as a
 *                 whole component spans any number of folders;
 *   PATTERN_NAME  a file name, compared without regard to case;
 *   PATTERN_ARG   one argv element; * also matches /.
 * There are no character classes or escapes: what is not a wildcard is
 * literal, which keeps the patterns easy to read and to review.
 */
#ifndef RDGUARD_PATTERN_H
#define RDGUARD_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/text.h"

enum pattern_kind { PATTERN_PATH, PATTERN_NAME, PATTERN_ARG };

#define PATTERN_MAX_LENGTH    512
#define PATTERN_MAX_WILDCARDS 6
#define PATTERN_MIN_STEM      3

bool pattern_match(enum pattern_kind kind, const char *pattern, const char *s);

/*
 * Checks that a pattern is usable; returns 0, or -1 and the text id of the
 * problem (its template has a {pattern} hole).
 */
int pattern_check(
    enum pattern_kind kind, const char *pattern, enum text_id *why);

/*
 * The stem of a file name: its leading run of letters, digits and '_',
 * lower-cased, into out (of size bytes). Returns the stem's length.
 */
size_t pattern_stem(const char *name, char *out, size_t size);

/*
 * The length of the literal folder that a path pattern starts with: 4 for
 * "/opt/screenconnect-*" ("/opt"). A pattern without wildcards is its own
 * literal folder up to its last slash.
 */
size_t pattern_literal_dir(const char *pattern);

#endif
