/*
 * logformat.c: formats journal records for syslog (RFC 5424) and journald
 * (its native protocol); see logformat.h.
 *
 * Owns nothing past a call: each function returns a string the caller
 * frees. A record is first flattened into (name, value) fields, in the
 * record's order; both formats are written from those fields.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logformat.h"
#include "core/text.h"
#include "core/xalloc.h"

#define FIELDS_MAX      48
#define SEVERITY_ERR    3
#define SEVERITY_WARN   4
#define SEVERITY_NOTICE 5
#define SEVERITY_INFO   6

struct field {
	char name[33]; /* an RFC 5424 PARAM-NAME: at most 32 characters */
	char *value;
};

struct fields {
	struct field f[FIELDS_MAX];
	size_t count;
};

/* ---------------------------------------------------------------------- */
/* Severities and message ids                                             */
/* ---------------------------------------------------------------------- */

static const struct {
	const char *event;
	int severity;
	const char *message_id;
} events[] = {
	{ "decision", -1, "11922104dc3244f9bb849fb6adf502d7" },
	{ "running", -1, "07c6c9fd73114cad93072ab3c0e7dcfb" },
	{ "raised", -1, "f150e973f74945e399a6b72a6b836701" },
	{ "signal", SEVERITY_NOTICE, "0d220d480ee14a31a7e55981e815bc1e" },
	{ "released", SEVERITY_NOTICE, "96dc8f454617458c841a9d302a8e4d45" },
	{ "killed", SEVERITY_NOTICE, "eaa8ae8a80c04d8e8033ca6fa1a8c7c5" },
	{ "exited", SEVERITY_INFO, "592057e0d5ab472282f68f06e83dad4c" },
	{ "adopted", SEVERITY_INFO, "0ef01e6cb48a4b2fb9186726584ead30" },
	{ "launch-failed", SEVERITY_NOTICE,
	    "9ad7a3451d474ae29cbc2c1522bda4bb" },
	{ "allow-asked", SEVERITY_NOTICE, "1cbe5d1fad7043a5b1efb7ff1d07f3b1" },
	{ "pin-refused", SEVERITY_WARN, "f5c65f71794b42e9979ec1dde24b9de5" },
	{ "timed-out", SEVERITY_NOTICE, "d029ee70a298401bb80ce540f1b9763c" },
	{ "nobody-answered", SEVERITY_NOTICE,
	    "fb62d51b927f4ec0b98a0dfd8a8a95af" },
	{ "started", SEVERITY_INFO, "d726028e88924e1b8be9d65ccf55bd09" },
	{ "stopped", SEVERITY_NOTICE, "fbdba894904f42f6a2c486899dd4189b" },
	{ "allowed", SEVERITY_NOTICE, "bd2fa6557d284b0aaccbc5634fd3fd98" },
	{ "pin-set", SEVERITY_NOTICE, "2d7fbd0ed1b64e13aa1bfb71d340f0bb" },
	{ "policy-loaded", SEVERITY_INFO, "590d86fdc6ed48f8a0433179dbd0b8af" },
	{ "policy-refused", SEVERITY_ERR, "94bb03e478314cbcbca6287a03af8c8c" },
	{ "alert-sent", SEVERITY_INFO, "1047c48bbd41412d9198d6b6ce9e1c18" },
	{ "alert-failed", SEVERITY_WARN, "5825fa4587af47e8b789b1e37f9b8f7b" },
	{ "alert-dropped", SEVERITY_WARN, "0fb2eba251b84b60a4772382b974f293" },
	{ "log-dropped", SEVERITY_WARN, "f976d585957647089ed7121835752e53" },
};

#define OTHER_MESSAGE_ID "3696964cc370457da91755115451d1af"

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A judged launch: held or refused warn, a warning is a notice. */
static int
verdict_severity(const char *verdict)
{
	if (verdict == NULL)
		return SEVERITY_INFO;
	if (strcmp(verdict, "hold") == 0 || strcmp(verdict, "block") == 0)
		return SEVERITY_WARN;
	if (strcmp(verdict, "warn") == 0)
		return SEVERITY_NOTICE;
	return SEVERITY_INFO;
}

int
logformat_severity(const json_t *record)
{
	const char *event = str(record, "event");

	for (size_t i = 0; event != NULL && i < sizeof events / sizeof *events;
	     i++)
		if (strcmp(events[i].event, event) == 0)
			return events[i].severity >= 0
			    ? events[i].severity
			    : verdict_severity(str(record, "verdict"));
	return SEVERITY_INFO;
}

const char *
logformat_message_id(const char *event)
{
	for (size_t i = 0; event != NULL && i < sizeof events / sizeof *events;
	     i++)
		if (strcmp(events[i].event, event) == 0)
			return events[i].message_id;
	return OTHER_MESSAGE_ID;
}

/* ---------------------------------------------------------------------- */
/* Flattening                                                             */
/* ---------------------------------------------------------------------- */

static void
add_field(struct fields *fs, const char *name, char *value)
{
	if (value == NULL)
		return;
	if (fs->count >= FIELDS_MAX || strlen(name) >= sizeof fs->f[0].name) {
		free(value);
		return;
	}
	snprintf(fs->f[fs->count].name, sizeof fs->f[0].name, "%s", name);
	fs->f[fs->count++].value = value;
}

/* A scalar as text; NULL for null, objects and arrays. */
static char *
scalar_text(const json_t *v)
{
	if (v == NULL)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		return xasprintf("%g", json_real_value(v));
	case JSON_TRUE:
		return xstrdup("true");
	case JSON_FALSE:
		return xstrdup("false");
	default:
		return NULL;
	}
}

/* "a,b,c" from the strings (or the member key of the objects) of a list. */
static char *
joined(const json_t *list, const char *member, const char *sep)
{
	char *out = NULL;
	size_t size = 0, i;
	const json_t *v;
	FILE *f = open_memstream(&out, &size);

	json_array_foreach (list, i, v) {
		const char *s =
		    member != NULL ? str(v, member) : json_string_value(v);

		if (s != NULL)
			fprintf(f, "%s%s", i > 0 ? sep : "", s);
	}
	fclose(f);
	return out;
}

/* Some members of an object, each under its own name (prefix + name). */
static void
add_members(struct fields *fs, const json_t *o, const char *prefix,
    const char *const *members)
{
	char name[64];

	for (size_t i = 0; members[i] != NULL; i++) {
		snprintf(name, sizeof name, "%s%s", prefix, members[i]);
		add_field(
		    fs, name, scalar_text(json_object_get(o, members[i])));
	}
}

static void
add_tool(struct fields *fs, const json_t *tool)
{
	if (json_is_string(tool)) {
		add_field(fs, "tool", scalar_text(tool));
		return;
	}
	add_field(fs, "tool", scalar_text(json_object_get(tool, "id")));
	add_field(fs, "tool_name", scalar_text(json_object_get(tool, "name")));
	add_field(fs, "tool_kind", scalar_text(json_object_get(tool, "kind")));
}

/* The one member of the record at key, the way it is flattened. */
static void
add_member(struct fields *fs, const char *key, const json_t *v)
{
	static const char *const process[] = { "pid", "uid", "user", "exe",
		"ppid", "tty", NULL };
	static const char *const by[] = { "uid", "user", "pid", NULL };
	static const char *const action[] = { "stopped", "held", "denied",
		NULL };
	static const char *const file[] = { "age_s", "packaged", NULL };

	if (strcmp(key, "time") == 0)
		return;
	if (strcmp(key, "tool") == 0)
		add_tool(fs, v);
	else if (strcmp(key, "process") == 0)
		add_members(fs, v, "", process);
	else if (strcmp(key, "by") == 0)
		add_members(fs, v, "by_", by);
	else if (strcmp(key, "action") == 0)
		add_members(fs, v, "", action);
	else if (strcmp(key, "file") == 0)
		add_members(fs, v, "file_", file);
	else if (strcmp(key, "gate") == 0)
		add_field(fs, "gate", scalar_text(json_object_get(v, "tier")));
	else if (strcmp(key, "reasons") == 0)
		add_field(fs, "reasons", joined(v, "key", ","));
	else if (strcmp(key, "errors") == 0)
		add_field(fs, "errors", joined(v, NULL, "; "));
	else
		add_field(fs, key, scalar_text(v));
}

static void
flatten(const json_t *record, struct fields *fs)
{
	const char *key;
	json_t *v;

	fs->count = 0;
	json_object_foreach ((json_t *)record, key, v)
		add_member(fs, key, v);
}

static void
fields_free(struct fields *fs)
{
	for (size_t i = 0; i < fs->count; i++)
		free(fs->f[i].value);
	fs->count = 0;
}

/* ---------------------------------------------------------------------- */
/* The sentence                                                           */
/* ---------------------------------------------------------------------- */

static const char *
or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static char *
field_text(const json_t *o, const char *key)
{
	char *s = scalar_text(json_object_get(o, key));

	return s != NULL ? s : xstrdup("-");
}

static char *
launch_sentence(const json_t *rec)
{
	const json_t *process = json_object_get(rec, "process");
	const json_t *tool = json_object_get(rec, "tool");
	char *pid = field_text(process, "pid"), *risk = field_text(rec, "risk");
	char *id = field_text(rec, "id"), *s;

	s = text_printf(TXT_LOG_SENTENCE_LAUNCH, "verdict",
	    or_dash(str(rec, "verdict")), "id", id, "tool",
	    or_dash(str(tool, "name")), "exe", or_dash(str(process, "exe")),
	    "user", or_dash(str(process, "user")), "pid", pid, "risk", risk,
	    NULL);
	free(pid);
	free(risk);
	free(id);
	return s;
}

char *
logformat_sentence(const json_t *rec)
{
	const char *event = or_dash(str(rec, "event"));
	char *id, *pid, *s;

	if (json_is_object(json_object_get(rec, "process")))
		return launch_sentence(rec);
	if (strcmp(event, "log-dropped") == 0)
		return text_printf_n(TXT_LOG_SENTENCE_DROPPED,
		    (unsigned long)json_integer_value(
			json_object_get(rec, "dropped")),
		    "target", or_dash(str(rec, "target")), NULL);
	if (json_object_get(rec, "id") == NULL)
		return text_printf(
		    TXT_LOG_SENTENCE_EVENT, "event", event, NULL);
	id = field_text(rec, "id");
	pid = field_text(rec, "pid");
	s = text_printf(TXT_LOG_SENTENCE_RUN, "event", event, "id", id, "tool",
	    or_dash(json_is_string(json_object_get(rec, "name"))
		    ? str(rec, "name")
		    : str(rec, "tool")),
	    "pid", pid, NULL);
	free(id);
	free(pid);
	return s;
}

/* ---------------------------------------------------------------------- */
/* RFC 5424                                                               */
/* ---------------------------------------------------------------------- */

/* Control characters would end a line a collector reads; '?' for each. */
static void
put_printable(FILE *f, const char *s, bool escape)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			c = '?';
		else if (escape && (c == '"' || c == '\\' || c == ']'))
			fputc('\\', f);
		fputc(c, f);
	}
}

char *
logformat_sd_value(const char *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	put_printable(f, s, true);
	fclose(f);
	return out;
}

/* A header field: 1..max printable ASCII characters but space, or "-". */
static void
put_header_field(FILE *f, const char *s, size_t max)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0' && n < max; s++)
		if (*s > 0x20 && *s < 0x7f) {
			fputc(*s, f);
			n++;
		}
	if (n == 0)
		fputc('-', f);
}

char *
logformat_syslog(const json_t *record, const struct log_origin *o)
{
	int pri = o->facility * 8 + logformat_severity(record);
	char *out = NULL, *sentence = logformat_sentence(record);
	size_t size = 0;
	struct fields fs;
	FILE *f = open_memstream(&out, &size);

	flatten(record, &fs);
	fprintf(f, "<%d>1 ", pri);
	put_header_field(f, str(record, "time"), 32);
	fputc(' ', f);
	put_header_field(f, o->hostname, 255);
	fprintf(f, " %s %ld ", LOGFORMAT_APP_NAME, o->pid);
	put_header_field(f, str(record, "event"), 32);
	fprintf(f, " [%s", LOGFORMAT_SD_ID);
	for (size_t i = 0; i < fs.count; i++) {
		fprintf(f, " %s=\"", fs.f[i].name);
		put_printable(f, fs.f[i].value, true);
		fputc('"', f);
	}
	fputs("] ", f);
	put_printable(f, sentence, false);
	fclose(f);
	fields_free(&fs);
	free(sentence);
	return out;
}

/* ---------------------------------------------------------------------- */
/* journald                                                               */
/* ---------------------------------------------------------------------- */

/* One field; a value with a line end goes with its length (binary). */
static void
put_journal_field(FILE *f, const char *name, const char *value)
{
	uint64_t len = strlen(value);
	unsigned char le[8];

	if (strchr(value, '\n') == NULL) {
		fprintf(f, "%s=%s\n", name, value);
		return;
	}
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(len >> (8 * i));
	fprintf(f, "%s\n", name);
	fwrite(le, 1, sizeof le, f);
	fwrite(value, 1, (size_t)len, f);
	fputc('\n', f);
}

/* "tool_name" -> "RDGUARD_TOOL_NAME". */
static void
journal_name(const char *field, char *buf, size_t size)
{
	size_t at = (size_t)snprintf(buf, size, "RDGUARD_");

	for (; *field != '\0' && at + 1 < size; field++)
		buf[at++] = isalnum((unsigned char)*field)
		    ? (char)toupper((unsigned char)*field)
		    : '_';
	buf[at] = '\0';
}

char *
logformat_journald(
    const json_t *record, const struct log_origin *o, size_t *len)
{
	char *out = NULL, *sentence = logformat_sentence(record);
	char name[64], number[32];
	struct fields fs;
	FILE *f = open_memstream(&out, len);

	flatten(record, &fs);
	put_journal_field(f, "MESSAGE", sentence);
	snprintf(number, sizeof number, "%d", logformat_severity(record));
	put_journal_field(f, "PRIORITY", number);
	put_journal_field(
	    f, "MESSAGE_ID", logformat_message_id(str(record, "event")));
	put_journal_field(f, "SYSLOG_IDENTIFIER", LOGFORMAT_APP_NAME);
	snprintf(number, sizeof number, "%d", o->facility);
	put_journal_field(f, "SYSLOG_FACILITY", number);
	for (size_t i = 0; i < fs.count; i++) {
		journal_name(fs.f[i].name, name, sizeof name);
		put_journal_field(f, name, fs.f[i].value);
	}
	if (str(record, "time") != NULL)
		put_journal_field(f, "RDGUARD_TIME", str(record, "time"));
	fclose(f);
	fields_free(&fs);
	free(sentence);
	return out;
}
