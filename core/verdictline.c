/*
 * verdictline.c: writes verdicts as `rdguard policy test` prints them (see
 * verdictline.h).
 *
 * Owns the cache of worded reasons and the line being written. A reason's
 * sentence depends only on what its template's holes show (an age to the
 * minute, a score, a detail, the tool, the package, the folder), so the
 * cache is keyed by those alone: a fixed table indexed by their hash, each
 * entry holding the sentence and its JSON form. A collision simply words
 * the reason again. Lines are built in a buffer and written whole, without
 * printf, because a trace may have millions of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strcopy.h"
#include "core/verdictline.h"
#include "core/xalloc.h"

#define CACHE_SLOTS 4096

/* What a template's holes show, found once per sentence. */
enum shows {
	SHOWS_KNOWN = 1,  /* the template was looked at */
	SHOWS_AGE = 2,    /* an age: as human_duration words it */
	SHOWS_NUMBER = 4, /* a number as it is (a score) */
	SHOWS_DETAIL = 8, /* a caller, a site, another tool, a port, a relay */
	SHOWS_TOOL = 16,
	SHOWS_PACKAGE = 32,
	SHOWS_FOLDER = 64,
	SHOWS_TIME = 128, /* a clock time: to the minute */
};

/* What a sentence depends on; the cache's key. */
struct reason_key {
	enum text_id id;
	long long number;
	const struct tool *tool;
	const char *detail, *package, *folder;
	size_t folder_len;
};

struct cached_reason {
	bool used;
	enum text_id id;
	long long number;
	const struct tool *tool;
	char *detail, *package, *folder;
	char *text;
	char *json; /* text as a JSON string, quotes included */
	size_t json_len;
};

struct verdict_writer {
	unsigned char shows[TEXT_COUNT];
	struct cached_reason cache[CACHE_SLOTS];
	char *line; /* the line being built */
	size_t len, cap;
};

struct verdict_writer *
verdict_writer_new(void)
{
	return xcalloc(1, sizeof(struct verdict_writer));
}

static void
cached_free(struct cached_reason *c)
{
	free(c->detail);
	free(c->package);
	free(c->folder);
	free(c->text);
	free(c->json);
	memset(c, 0, sizeof *c);
}

void
verdict_writer_free(struct verdict_writer *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		cached_free(&w->cache[i]);
	free(w->line);
	free(w);
}

/* ---------------------------------------------------------------------- */
/* Building a line                                                        */
/* ---------------------------------------------------------------------- */

static void
add(struct verdict_writer *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap)
		xgrow(&w->line, &w->cap, w->len + n + 1, 1);
	memcpy(w->line + w->len, s, n);
	w->len += n;
}

static void
add_str(struct verdict_writer *w, const char *s)
{
	add(w, s, strlen(s));
}

static void
add_long(struct verdict_writer *w, long long v)
{
	char digits[24], *p = digits + sizeof digits;
	unsigned long long u =
	    v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	add(w, p, (size_t)(digits + sizeof digits - p));
}

/* s as a JSON string, quotes included, appended to the line. */
static void
add_json_string(struct verdict_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	add(w, "\"", 1);
	while (*p != '\0') {
		const unsigned char *run = p;

		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		add(w, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };

			add(w, esc, 2);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
				hex[*p & 15] };

			add(w, esc, 6);
		}
		p++;
	}
	add(w, "\"", 1);
}

/* Hands the finished line to out and starts the next. */
static void
flush_line(struct verdict_writer *w, FILE *out)
{
	fwrite(w->line, 1, w->len, out);
	w->len = 0;
}

/* ---------------------------------------------------------------------- */
/* Worded reasons                                                         */
/* ---------------------------------------------------------------------- */

static unsigned
shows_of(struct verdict_writer *w, enum text_id id)
{
	static const struct {
		const char *hole;
		unsigned shows;
	} holes[] = {
		{ "{age}", SHOWS_AGE },
		{ "{time}", SHOWS_TIME },
		{ "{score}", SHOWS_NUMBER },
		{ "{caller}", SHOWS_DETAIL },
		{ "{site}", SHOWS_DETAIL },
		{ "{remote}", SHOWS_DETAIL },
		{ "{other}", SHOWS_DETAIL },
		{ "{browser}", SHOWS_DETAIL },
		{ "{port}", SHOWS_DETAIL },
		{ "{threshold}", SHOWS_DETAIL },
		{ "{days}", SHOWS_DETAIL },
		{ "{hours}", SHOWS_DETAIL },
		{ "{relay}", SHOWS_DETAIL },
		{ "{approved}", SHOWS_DETAIL },
		{ "{tool}", SHOWS_TOOL },
		{ "{package}", SHOWS_PACKAGE },
		{ "{folder}", SHOWS_FOLDER },
	};
	const char *english;

	if ((unsigned)id >= TEXT_COUNT)
		return 0;
	if (w->shows[id] & SHOWS_KNOWN)
		return w->shows[id];
	english = text_english(id);
	w->shows[id] = SHOWS_KNOWN;
	for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
		if (strstr(english, holes[i].hole) != NULL)
			w->shows[id] |= (unsigned char)holes[i].shows;
	return w->shows[id];
}

/* The folder an executable is in, as a length into exe. */
static size_t
folder_length(const char *exe)
{
	const char *slash = exe != NULL ? strrchr(exe, '/') : NULL;

	return slash != NULL ? (size_t)(slash - exe) : 0;
}

/*
 * An age as human_duration words it: under a minute, in minutes, hours or
 * days; two ages that read the same give the same number.
 */
static long long
age_words(long long seconds)
{
	if (seconds < 60)
		return -1;
	if (seconds < 3600)
		return seconds / 60;
	if (seconds < 86400)
		return 100000 + seconds / 3600;
	return 200000 + seconds / 86400;
}

/* The key of a reason: only what its sentence shows. */
static void
key_of(struct verdict_writer *w, const struct reason *r, const struct tool *t,
    const struct launch_facts *f, struct reason_key *k)
{
	unsigned shows = shows_of(w, r->id);

	memset(k, 0, sizeof *k);
	k->id = r->id;
	k->detail = k->package = k->folder = "";
	if (shows & SHOWS_AGE)
		k->number = age_words(r->number);
	else if (shows & SHOWS_TIME)
		k->number = r->number / 60;
	else if (shows & SHOWS_NUMBER)
		k->number = r->number;
	if (shows & SHOWS_DETAIL)
		k->detail = r->detail;
	if (shows & SHOWS_TOOL)
		k->tool = t;
	if ((shows & SHOWS_PACKAGE) && f != NULL && f->package != NULL)
		k->package = f->package;
	if ((shows & SHOWS_FOLDER) && f != NULL && f->exe != NULL) {
		k->folder = f->exe;
		k->folder_len = folder_length(f->exe);
	}
}

static uint32_t
hash_bytes(uint32_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t
hash_key(const struct reason_key *k)
{
	uint32_t h = 2166136261u;

	h = hash_bytes(h, &k->id, sizeof k->id);
	h = hash_bytes(h, &k->number, sizeof k->number);
	h = hash_bytes(h, &k->tool, sizeof k->tool);
	h = hash_bytes(h, k->detail, strlen(k->detail));
	h = hash_bytes(h, k->package, strlen(k->package));
	return hash_bytes(h, k->folder, k->folder_len);
}

static bool
key_matches(const struct cached_reason *c, const struct reason_key *k)
{
	return c->used && c->id == k->id && c->number == k->number &&
	    c->tool == k->tool && strcmp(c->detail, k->detail) == 0 &&
	    strcmp(c->package, k->package) == 0 &&
	    strlen(c->folder) == k->folder_len &&
	    memcmp(c->folder, k->folder, k->folder_len) == 0;
}

/* s as a JSON string, quotes included; a new string. */
static char *
json_quote(struct verdict_writer *w, const char *s, size_t *len)
{
	size_t start = w->len;
	char *q;

	add_json_string(w, s);
	*len = w->len - start;
	q = xstrndup(w->line + start, *len);
	w->len = start;
	return q;
}

/* The sentence for a reason, worded once and then found in the cache. */
static const struct cached_reason *
worded(struct verdict_writer *w, const struct reason *r, const struct tool *t,
    const struct launch_facts *f)
{
	struct reason_key k;
	struct cached_reason *c;

	key_of(w, r, t, f, &k);
	c = &w->cache[hash_key(&k) % CACHE_SLOTS];
	if (key_matches(c, &k))
		return c;
	cached_free(c);
	c->used = true;
	c->id = k.id;
	c->number = k.number;
	c->tool = k.tool;
	c->detail = xstrdup(k.detail);
	c->package = xstrdup(k.package);
	c->folder = xstrndup(k.folder, k.folder_len);
	c->text = reason_text(r, t, f);
	c->json = json_quote(w, c->text, &c->json_len);
	return c;
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                  */
/* ---------------------------------------------------------------------- */

static const struct launch_facts *
facts_of(const struct engine_verdict *v)
{
	return v->type == TRACE_EXEC ? &v->facts : NULL;
}

void
verdict_write_json(struct verdict_writer *w, const struct engine_verdict *v,
    long line, FILE *out)
{
	const struct judgement *j = &v->j;

	add_str(w, "{\"line\":");
	add_long(w, line);
	add_str(w, ",\"type\":\"");
	add_str(w, trace_type_name(v->type));
	add_str(w, "\",\"tool\":");
	if (v->tool != NULL) {
		add_json_string(w, v->tool->id);
		add_str(w, ",\"kind\":\"");
		add_str(w, tool_kind_name(v->tool->kind));
		add_str(w, "\"");
	} else {
		add_str(w, "null,\"kind\":null");
	}
	add_str(w, ",\"risk\":");
	add_long(w, j->risk);
	add_str(w, ",\"verdict\":\"");
	add_str(w, verdict_name(j->verdict));
	add_str(w, "\",\"reasons\":[");
	for (size_t i = 0; i < j->reason_count; i++) {
		const struct cached_reason *c =
		    worded(w, &j->reasons[i], v->tool, facts_of(v));

		add_str(w, i > 0 ? ",{\"key\":\"" : "{\"key\":\"");
		add_str(w, text_key(j->reasons[i].id));
		add_str(w, "\",\"text\":");
		add(w, c->json, c->json_len);
		add_str(w, "}");
	}
	add_str(w, "]}\n");
	flush_line(w, out);
}

void
verdict_write_text(struct verdict_writer *w, const struct engine_verdict *v,
    long line, FILE *out)
{
	const struct judgement *j = &v->j;
	char number[24], risk[8], head[512];

	snprintf(number, sizeof number, "%ld", line);
	snprintf(risk, sizeof risk, "%d", j->risk);
	text_format(head, sizeof head, TXT_CLI_TEST_VERDICT, "line", number,
	    "type", trace_type_name(v->type), "tool",
	    v->tool != NULL ? v->tool->id : "-", "verdict",
	    verdict_name(j->verdict), "risk", risk, NULL);
	add_str(w, head);
	add_str(w, "\n");
	for (size_t i = 0; i < j->reason_count; i++) {
		add_str(w, "    ");
		add_str(
		    w, worded(w, &j->reasons[i], v->tool, facts_of(v))->text);
		add_str(w, "\n");
	}
	flush_line(w, out);
}

char *
verdict_reason_words(
    const json_t *r, const struct tool *t, const struct launch_facts *f)
{
	struct reason reason = { 0 };
	const char *key = json_string_value(json_object_get(r, "key"));
	const char *detail = json_string_value(json_object_get(r, "detail"));

	if (key == NULL || text_find(key, &reason.id) != 0)
		return NULL;
	reason.number = json_integer_value(json_object_get(r, "number"));
	strcopy(reason.detail, sizeof reason.detail, detail);
	return reason_text(&reason, t, f);
}

json_t *
verdict_reasons_json(const struct judgement *j, const struct tool *t,
    const struct launch_facts *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < j->reason_count; i++) {
		const struct reason *r = &j->reasons[i];
		char *text = reason_text(r, t, f);

		json_array_append_new(a,
		    json_pack("{s:s,s:I,s:s,s:s}", "key", text_key(r->id),
			"number", (json_int_t)r->number, "detail", r->detail,
			"text", text));
		free(text);
	}
	return a;
}
