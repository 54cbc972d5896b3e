/*
 * report.c: checks a report from the browser and makes the popup event of
 * it (see report.h). Owns the list of fields a report may have and what
 * each must be; keeps no state.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent/native-host/report.h"
#include "core/pagescore.h"
#include "core/text.h"

enum kind { TEXT, ORIGIN, NAMES };

static const struct field {
	const char *name;
	enum kind kind;
	size_t max; /* bytes of text, or names in a list */
} fields[] = {
	{ "title", TEXT, REPORT_TITLE_MAX },
	{ "url", ORIGIN, REPORT_URL_MAX },
	{ "text", TEXT, REPORT_TEXT_MAX },
	{ "indicators", NAMES, REPORT_INDICATORS_MAX },
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static const struct field *
find_field(const char *name)
{
	for (size_t i = 0; i < FIELD_COUNT; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/*
 * A field name from the browser as it may be shown: at most 40 bytes,
 * anything but printable ASCII as '?'.
 */
static void
shown_name(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < size && i < 40; i++)
		out[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	out[i] = '\0';
	if (name[i] != '\0' && i >= 3)
		memcpy(out + i - 3, "...", 3);
}

/* ---------------------------------------------------------------------- */
/* Origins                                                                */
/* ---------------------------------------------------------------------- */

static bool
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-' || c == '_';
}

static bool
is_ipv6_char(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' ||
	    c == '.';
}

/* The length of the host at s (a name, or [an IPv6 address]), or 0. */
static size_t
host_length(const char *s)
{
	size_t n = 0;

	if (s[0] == '[') {
		for (n = 1; is_ipv6_char(s[n]); n++)
			;
		return s[n] == ']' && n > 1 ? n + 1 : 0;
	}
	while (is_host_char(s[n]))
		n++;
	return n;
}

/* Whether s is ":PORT" with PORT from 1 to 65535, and nothing after it. */
static bool
is_port(const char *s)
{
	long port = 0;
	size_t n;

	if (s[0] != ':')
		return false;
	for (n = 1; s[n] >= '0' && s[n] <= '9' && n <= 5; n++)
		port = port * 10 + (s[n] - '0');
	return n > 1 && s[n] == '\0' && port >= 1 && port <= 65535;
}

/*
 * Whether s is an origin as browsers write it: http or https, a lowercase
 * host, perhaps a port, and nothing else (no path, query or user).
 */
static bool
is_origin(const char *s)
{
	size_t host;

	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else
		return false;
	host = host_length(s);
	if (host == 0)
		return false;
	s += host;
	return *s == '\0' || is_port(s);
}

/* ---------------------------------------------------------------------- */
/* Fields                                                                 */
/* ---------------------------------------------------------------------- */

static char *
check_text(const struct field *f, const json_t *value)
{
	char max[24];

	if (!json_is_string(value))
		return text_printf(TXT_HOST_NOT_TEXT, "field", f->name, NULL);
	if (json_string_length(value) > f->max) {
		snprintf(max, sizeof max, "%zu", f->max);
		return text_printf(
		    TXT_HOST_TOO_LONG, "field", f->name, "max", max, NULL);
	}
	if (f->kind == ORIGIN && !is_origin(json_string_value(value)))
		return text_printf(TXT_HOST_NOT_ORIGIN, NULL);
	return NULL;
}

static char *
not_names(void)
{
	char max[24];

	snprintf(max, sizeof max, "%d", REPORT_INDICATORS_MAX);
	return text_printf(TXT_HOST_NOT_NAMES, "max", max, NULL);
}

/*
 * The indicators rdguard knows, each once, in the order of core/pagescore.h
 * (into *out), or a problem.
 */
static char *
check_names(const json_t *value, json_t **out)
{
	unsigned seen = 0;
	size_t i;
	json_t *name;

	*out = NULL;
	if (!json_is_array(value) ||
	    json_array_size(value) > REPORT_INDICATORS_MAX)
		return not_names();
	json_array_foreach (value, i, name) {
		int sign;

		if (!json_is_string(name) ||
		    json_string_length(name) > REPORT_NAME_MAX)
			return not_names();
		sign = page_sign_parse(json_string_value(name));
		if (sign >= 0)
			seen |= 1u << sign;
	}
	*out = json_array();
	for (int s = 0; s < PAGE_SIGN_COUNT; s++)
		if (seen & (1u << s))
			json_array_append_new(
			    *out, json_string(page_sign_name(s)));
	return NULL;
}

/* Checks one field and puts it into the event; returns a problem, or NULL. */
static char *
take_field(const char *name, json_t *value, json_t *event)
{
	const struct field *f = find_field(name);
	json_t *names;
	char *problem;
	char shown[48];

	if (f == NULL) {
		shown_name(name, shown, sizeof shown);
		return text_printf(
		    TXT_HOST_UNKNOWN_FIELD, "field", shown, NULL);
	}
	if (f->kind == NAMES) {
		if ((problem = check_names(value, &names)) != NULL)
			return problem;
		json_object_set_new(event, name, names);
		return NULL;
	}
	if ((problem = check_text(f, value)) != NULL)
		return problem;
	json_object_set(event, name, value);
	return NULL;
}

json_t *
report_to_event(const json_t *report, char **problem)
{
	const char *name;
	json_t *event, *value;

	*problem = NULL;
	if (!json_is_object(report)) {
		*problem = text_printf(TXT_HOST_NOT_OBJECT, NULL);
		return NULL;
	}
	event = json_pack("{s:s,s:s}", "type", "popup", "source", "browser");
	json_object_foreach ((json_t *)report, name, value) {
		if ((*problem = take_field(name, value, event)) != NULL) {
			json_decref(event);
			return NULL;
		}
	}
	return event;
}
