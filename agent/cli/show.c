/*
 * show.c: value formatting for the command line's output (see show.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent/cli/show.h"
#include "core/journal.h"

void
show_line(enum text_id id, ...)
{
	va_list ap;
	char *s;

	va_start(ap, id);
	s = text_vprintf(id, ap);
	va_end(ap);
	printf("%s\n", s);
	free(s);
}

void
show_line_n(enum text_id id, unsigned long n, ...)
{
	va_list ap;
	char *s;

	va_start(ap, n);
	s = text_vprintf_n(id, n, ap);
	va_end(ap);
	printf("%s\n", s);
	free(s);
}

const char *
show_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

const char *
show_int(const json_t *o, const char *key, char *buf, size_t size)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, size, "%s", "");
	return buf;
}

const char *
show_real(const json_t *o, const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f", json_number_value(json_object_get(o, key)));
	return buf;
}

const char *
show_time(const char *journal_time, char *buf, size_t size)
{
	long long ms;
	time_t t;
	struct tm tm;

	if (journal_time == NULL ||
	    journal_parse_time(journal_time, &ms) != 0) {
		snprintf(
		    buf, size, "%s", journal_time != NULL ? journal_time : "");
		return buf;
	}
	t = (time_t)(ms / 1000);
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

const char *
show_user(const json_t *o)
{
	static char buf[24];
	const char *user = json_string_value(json_object_get(o, "user"));
	const json_t *uid = json_object_get(o, "uid");

	if (user != NULL)
		return user;
	if (json_is_integer(uid) && json_integer_value(uid) >= 0) {
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(uid));
		return buf;
	}
	return "?";
}

const char *
show_who(const json_t *o)
{
	if (json_integer_value(json_object_get(o, "uid")) < 0)
		return text(TXT_CLI_EVERYONE);
	return show_user(o);
}

void
show_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

void
show_json_line(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}
