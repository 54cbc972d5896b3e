/*
 * callevent.c: a call's news and its trace event (see callevent.h).
 */
#include <string.h>
#include <strings.h>

#include "core/callevent.h"

#define OUTSIDE_MIN_DIGITS 7 /* fewer is an extension or a short code */

json_t *
call_event_json(const struct call_event *e, enum call_source source)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:n,s:s}", "type", "call",
	    "source", call_source_name(source), "direction",
	    call_direction_name(e->direction), "state",
	    call_state_name(e->state), "number",
	    e->withheld ? json_null() : json_string(e->number), "contact", "id",
	    e->id);
}

bool
call_text_copy(char *out, size_t max, const char *s, size_t len)
{
	if (len >= max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

void
call_text_shown(char *out, size_t max, const char *s, size_t len)
{
	bool cut;
	size_t n;

	if (max < 4) {
		if (max > 0)
			out[0] = '\0';
		return;
	}
	cut = len > max - 1;
	n = cut ? max - 4 : len;
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
	if (cut)
		memcpy(out + n, "...", 3);
	out[cut ? max - 1 : n] = '\0';
}

bool
call_number_withheld(const char *number)
{
	static const char *const unknown[] = { "anonymous", "unknown",
		"<unknown>", "restricted", "private", "withheld", "unavailable",
		NULL };

	if (number[0] == '\0')
		return true;
	for (size_t i = 0; unknown[i] != NULL; i++)
		if (strcasecmp(number, unknown[i]) == 0)
			return true;
	return false;
}

static bool
is_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
	    c == ')';
}

bool
call_number_outside(const char *number)
{
	size_t digits = 0;
	const char *p = number;

	if (*p == '+')
		p++;
	for (; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!is_separator(*p))
			return false;
	}
	return digits >= OUTSIDE_MIN_DIGITS;
}
