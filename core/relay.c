/*
 * relay.c: reads the relay a remote tool's argv points at (see relay.h).
 *
 * Owns nothing: each reader scans the argv it is given and writes the host
 * into the caller's buffer.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/relay.h"

#define CONFIG_MAX 1024

struct relay_reader {
	const char *tool_id;
	bool (*read)(size_t, const char *const *, char *);
};

/* How many times c is in s[0..n). */
static size_t
count_char(const char *s, size_t n, char c)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += s[i] == c;
	return count;
}

/* Copies the host of s[0..n) into out: no port, no brackets, lower case. */
static bool
set_host(const char *s, size_t n, char *out)
{
	size_t len = 0;

	if (n > 0 && s[0] == '[') { /* [v6]:port */
		const char *end = memchr(s, ']', n);

		if (end == NULL)
			return false;
		s++;
		n = (size_t)(end - s);
	} else if (count_char(s, n, ':') == 1) /* host:port */
		n = (size_t)((const char *)memchr(s, ':', n) - s);
	while (n > 0 && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n && len < RELAY_MAX - 1; i++)
		out[len++] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return len > 0;
}

/* ---------------------------------------------------------------------- */
/* ScreenConnect: "…?e=Access&y=Guest&h=relay.example.com&p=8041&…"       */
/* ---------------------------------------------------------------------- */

static bool
screenconnect_arg(const char *arg, char *out)
{
	for (const char *p = arg; *p != '\0'; p++) {
		size_t n;

		if (p != arg && p[-1] != '?' && p[-1] != '&')
			continue;
		if (p[0] != 'h' || p[1] != '=')
			continue;
		n = strcspn(p + 2, "&#");
		return set_host(p + 2, n, out);
	}
	return false;
}

static bool
read_screenconnect(size_t argc, const char *const *argv, char *out)
{
	for (size_t i = 1; i < argc; i++)
		if (screenconnect_arg(argv[i], out))
			return true;
	return false;
}

/* ---------------------------------------------------------------------- */
/* RustDesk: --config STRING, STRING the reversed base64 of {"host": …}   */
/* ---------------------------------------------------------------------- */

static int
base64_value(char c)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p;

	if (c == '-')
		return 62; /* the URL-safe alphabet */
	if (c == '_')
		return 63;
	p = c != '\0' ? strchr(digits, c) : NULL;
	return p != NULL ? (int)(p - digits) : -1;
}

/* Decodes s read backwards into out; returns its length, or -1. */
static long
unreverse_base64(const char *s, char *out, size_t size)
{
	size_t len = strlen(s), n = 0;
	unsigned bits = 0;
	int have = 0;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	for (size_t i = len; i-- > 0;) {
		int v = base64_value(s[i]);

		if (s[i] == '=')
			break;
		if (v < 0)
			return -1;
		bits = (bits << 6) | (unsigned)v;
		if ((have += 6) >= 8) {
			have -= 8;
			if (n + 1 >= size)
				return -1;
			out[n++] = (char)((bits >> have) & 0xff);
		}
	}
	out[n] = '\0';
	return (long)n;
}

/* The string value of "key" in a flat JSON object, by a plain scan. */
static bool
json_host(const char *json, char *out)
{
	const char *p = strstr(json, "\"host\"");
	size_t n;

	if (p == NULL)
		return false;
	p += strlen("\"host\"");
	p += strspn(p, " \t\r\n");
	if (*p++ != ':')
		return false;
	p += strspn(p, " \t\r\n");
	if (*p++ != '"')
		return false;
	n = strcspn(p, "\"");
	return p[n] == '"' && set_host(p, n, out);
}

static bool
read_rustdesk(size_t argc, const char *const *argv, char *out)
{
	char json[CONFIG_MAX];

	for (size_t i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--config") != 0)
			continue;
		if (unreverse_base64(argv[i + 1], json, sizeof json) > 0 &&
		    json_host(json, out))
			return true;
	}
	return false;
}

static const struct relay_reader readers[] = {
	{ "rustdesk", read_rustdesk },
	{ "screenconnect", read_screenconnect },
};

static const struct relay_reader *
reader_for(const char *tool_id)
{
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
		if (strcmp(readers[i].tool_id, tool_id) == 0)
			return &readers[i];
	return NULL;
}

bool
relay_readable(const char *tool_id)
{
	return reader_for(tool_id) != NULL;
}

const char *
relay_readable_list(void)
{
	return "rustdesk, screenconnect";
}

bool
relay_from_argv(
    const char *tool_id, size_t argc, const char *const *argv, char *out)
{
	const struct relay_reader *r = reader_for(tool_id);

	out[0] = '\0';
	if (r == NULL || argv == NULL || !r->read(argc, argv, out)) {
		out[0] = '\0';
		return false;
	}
	return true;
}

bool
relay_same(const char *host, const char *approved)
{
	size_t n = strlen(approved);

	while (n > 0 && approved[n - 1] == '.')
		n--;
	return strlen(host) == n && strncasecmp(host, approved, n) == 0;
}
