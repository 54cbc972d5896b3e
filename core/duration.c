/*
 * duration.c: reads and writes "1h30m"-style durations.
 */
#include <stdio.h>
#include <string.h>

#include "core/duration.h"

static long long
unit_seconds(char unit)
{
	switch (unit) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	default:
		return 0;
	}
}

int
duration_parse(const char *s, long long *seconds)
{
	long long total = 0, number, unit, last_unit = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		for (number = 0; *s >= '0' && *s <= '9'; s++) {
			number = number * 10 + (*s - '0');
			if (number > DURATION_MAX)
				return -1;
		}
		/* Each part needs a unit, and units go from large to small. */
		if ((unit = unit_seconds(*s)) == 0)
			return -1;
		if (last_unit != 0 && unit >= last_unit)
			return -1;
		last_unit = unit;
		s++;
		total += number * unit;
		if (total > DURATION_MAX)
			return -1;
	}
	*seconds = total;
	return 0;
}

void
duration_format(long long seconds, char *buf, size_t size)
{
	static const struct {
		char unit;
		long long seconds;
	} parts[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };
	size_t at = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (seconds <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		long long n = seconds / parts[i].seconds;

		if (n == 0)
			continue;
		seconds -= n * parts[i].seconds;
		if (at < size)
			at += (size_t)snprintf(
			    buf + at, size - at, "%lld%c", n, parts[i].unit);
	}
}
