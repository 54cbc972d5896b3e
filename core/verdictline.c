/*
 * verdictline.c: writes verdicts as `rdguard policy test` prints them (see
 * verdictline.h).
 *
 * Owns the cache of worded reasons: a fixed table, indexed by a hash of
 * everything a reason's sentence depends on, each entry holding the
 * sentence and its JSON form. A collision simply words the reason again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/verdictline.h"
#include "core/xalloc.h"

#define CACHE_SLOTS 4096
#define KEY_MAX     512

struct cached_reason {
	char *key; /* NULL: empty */
	char *text;
	char *json; /* text as a JSON string, quotes included */
};

struct verdict_writer {
	struct cached_reason cache[CACHE_SLOTS];
};

struct verdict_writer *
verdict_writer_new(void)
{
	return xcalloc(1, sizeof(struct verdict_writer));
}

static void
cached_free(struct cached_reason *c)
{
	free(c->key);
	free(c->text);
	free(c->json);
	c->key = c->text = c->json = NULL;
}

void
verdict_writer_free(struct verdict_writer *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		cached_free(&w->cache[i]);
	free(w);
}

/* ---------------------------------------------------------------------- */
/* JSON strings                                                           */
/* ---------------------------------------------------------------------- */

/* s as a JSON string, quotes included; a new string. */
static char *
json_quote(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(s), n = 0;
	char *out = xmalloc(len * 6 + 3);

	out[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else if (*p < 0x20) {
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hex[*p >> 4];
			out[n + 5] = hex[*p & 15];
			n += 6;
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static void
write_quoted(FILE *out, const char *s)
{
	char *q = json_quote(s);

	fputs(q, out);
	free(q);
}

/* ---------------------------------------------------------------------- */
/* Worded reasons                                                         */
/* ---------------------------------------------------------------------- */

/* The folder of an executable, as far as the sentence shows it. */
static size_t
folder_length(const char *exe)
{
	const char *slash = exe != NULL ? strrchr(exe, '/') : NULL;

	return slash != NULL ? (size_t)(slash - exe) : 0;
}

/*
 * What a reason's sentence depends on, as a string: the sentence, its
 * number (ages and times to the minute, which is all a sentence shows),
 * its detail, the tool, the package and the folder.
 */
static void
reason_key(const struct reason *r, const struct tool *t,
    const struct launch_facts *f, char *key, size_t size)
{
	long long number = r->id == TXT_REASON_PAGE_NOT_SCAM ? r->number
							     : r->number / 60;
	const char *exe = f != NULL ? f->exe : NULL;

	snprintf(key, size, "%d|%lld|%s|%s|%s|%.*s", (int)r->id, number,
	    r->detail, t != NULL ? t->id : "",
	    f != NULL && f->package != NULL ? f->package : "",
	    (int)folder_length(exe), exe != NULL ? exe : "");
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * The sentence for a reason, worded once and then found in the cache: two
 * reasons with the same key read the same (reason_text shows ages and
 * times no finer than the minute).
 */
static const struct cached_reason *
worded(struct verdict_writer *w, const struct reason *r, const struct tool *t,
    const struct launch_facts *f)
{
	char key[KEY_MAX];
	struct cached_reason *c;

	reason_key(r, t, f, key, sizeof key);
	c = &w->cache[hash(key) % CACHE_SLOTS];
	if (c->key != NULL && strcmp(c->key, key) == 0)
		return c;
	cached_free(c);
	c->key = xstrdup(key);
	c->text = reason_text(r, t, f);
	c->json = json_quote(c->text);
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

	fprintf(out, "{\"line\":%ld,\"type\":\"%s\",\"tool\":", line,
	    trace_type_name(v->type));
	if (v->tool != NULL) {
		write_quoted(out, v->tool->id);
		fprintf(out, ",\"kind\":\"%s\"", tool_kind_name(v->tool->kind));
	} else {
		fputs("null,\"kind\":null", out);
	}
	fprintf(out, ",\"risk\":%d,\"verdict\":\"%s\",\"reasons\":[", j->risk,
	    verdict_name(j->verdict));
	for (size_t i = 0; i < j->reason_count; i++) {
		const struct cached_reason *c =
		    worded(w, &j->reasons[i], v->tool, facts_of(v));

		fprintf(out, "%s{\"key\":\"%s\",\"text\":%s}", i > 0 ? "," : "",
		    text_key(j->reasons[i].id), c->json);
	}
	fputs("]}\n", out);
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
	fprintf(out, "%s\n", head);
	for (size_t i = 0; i < j->reason_count; i++)
		fprintf(out, "    %s\n",
		    worded(w, &j->reasons[i], v->tool, facts_of(v))->text);
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
