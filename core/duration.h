/*
 * duration.h: lengths of time as people write them in policy and on the
 * command line: "90s", "30m", "24h", "7d", "1h30m".
 */
#ifndef RDGUARD_DURATION_H
#define RDGUARD_DURATION_H

#include <stddef.h>

/* The longest duration accepted: ten years, in seconds. */
#define DURATION_MAX (10LL * 365 * 24 * 3600)

/* Parses s into seconds; returns 0, or -1 when s is not a duration. */
int duration_parse(const char *s, long long *seconds);

/* Writes seconds the way duration_parse reads it ("1h30m", "0s"). */
void duration_format(long long seconds, char *buf, size_t size);

#endif
