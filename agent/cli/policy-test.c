/*
 * policy-test.c: `rdguard policy test [--policy FILE] [--catalog DIR]
 * --trace FILE [--json]`: what rdguard would do, event by event, for a
 * trace (docs/trace.md), with the same engine the daemon runs.
 *
 * Owns one run over one trace: the catalog and policy it loads, the engine,
 * the writer. Reads line by line and prints as it goes, so a trace of any
 * length runs in the same memory. A bad line is reported FILE:LINE:COL and
 * skipped; the exit status then says the trace had mistakes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "core/catalog.h"
#include "core/engine.h"
#include "core/journal.h"
#include "core/matchindex.h"
#include "core/verdictline.h"
#include "core/xalloc.h"

#define ERRORS_SHOWN 20 /* after these, mistakes are only counted */

struct test_run {
	const char *trace_path;
	bool json;
	FILE *in;
	struct catalog catalog;
	struct match_index *index;
	struct policy policy;
	struct engine *engine;
	struct verdict_writer *writer;
	struct json_line *scratch;
	long long last_at;
	unsigned long errors;
};

static int
parse_args(const struct cli_options *o, int argc, char **argv,
    struct test_run *t, const char **policy, const char **catalog)
{
	*policy = o->policy_path;
	*catalog = o->catalog_dir;
	t->json = o->json;
	for (int i = 0; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--json") == 0)
			t->json = true;
		else if (strcmp(argv[i], "--policy") == 0 && next != NULL)
			*policy = argv[++i];
		else if (strcmp(argv[i], "--catalog") == 0 && next != NULL)
			*catalog = argv[++i];
		else if (strcmp(argv[i], "--trace") == 0 && next != NULL)
			t->trace_path = argv[++i];
		else
			return -1;
	}
	return t->trace_path != NULL ? 0 : -1;
}

static int
load_rules(struct test_run *t, const char *policy, const char *catalog)
{
	struct diag d = { 0 };

	if (catalog_load(&t->catalog, catalog, &d) != 0 ||
	    policy_load(&t->policy, policy, &t->catalog, &d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		return -1;
	}
	t->index = match_index_build(&t->catalog);
	return 0;
}

static int
open_trace(struct test_run *t)
{
	if (strcmp(t->trace_path, "-") == 0) {
		t->in = stdin;
		return 0;
	}
	if ((t->in = fopen(t->trace_path, "re")) != NULL)
		return 0;
	cli_error(TXT_CLI_TEST_NO_TRACE, "file", t->trace_path, "reason",
	    strerror(errno), NULL);
	return -1;
}

static void
report(struct test_run *t, long line, int col, const char *message)
{
	if (++t->errors <= ERRORS_SHOWN)
		fprintf(stderr, "%s:%ld:%d: %s\n", t->trace_path, line, col,
		    message);
}

/* Reads, checks and judges one line; prints its verdict. */
static void
test_line(struct test_run *t, const char *text, size_t len, long line)
{
	struct trace_event ev;
	struct trace_error err;
	struct engine_verdict v;
	char previous[40], message[256];

	if (trace_line_skipped(text, len))
		return;
	if (trace_read(text, len, true, t->scratch, &ev, &err) != 0) {
		report(t, line, err.col, err.message);
		return;
	}
	if (ev.at_ms < t->last_at) {
		journal_time(t->last_at, previous, sizeof previous);
		text_format(message, sizeof message, TXT_ERR_TRACE_BACKWARDS,
		    "previous", previous, NULL);
		report(t, line, 1, message);
		return;
	}
	t->last_at = ev.at_ms;
	engine_event(t->engine, &ev, &v);
	if (t->json)
		verdict_write_json(t->writer, &v, line, stdout);
	else
		verdict_write_text(t->writer, &v, line, stdout);
}

static void
run_trace(struct test_run *t)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	long line = 0;

	while ((n = getline(&buf, &cap, t->in)) >= 0) {
		line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		test_line(t, buf, (size_t)n, line);
	}
	free(buf);
}

static void
finish(struct test_run *t)
{
	char *more;

	if (t->errors > ERRORS_SHOWN) {
		more = text_printf_n(
		    TXT_CLI_TEST_MORE_ERRORS, t->errors - ERRORS_SHOWN, NULL);
		fprintf(stderr, "rdguard: %s\n", more);
		free(more);
	}
	if (t->in != NULL && t->in != stdin)
		fclose(t->in);
	verdict_writer_free(t->writer);
	free(t->engine);
	free(t->scratch);
	match_index_free(t->index);
	policy_free(&t->policy);
	catalog_free(&t->catalog);
}

int
policy_test(const struct cli_options *o, int argc, char **argv)
{
	struct test_run t = { 0 };
	const char *policy, *catalog;
	static char out[1 << 20];
	int rc = CLI_OK;

	if (parse_args(o, argc, argv, &t, &policy, &catalog) != 0)
		return cli_usage(&cmd_policy);
	policy_init_defaults(&t.policy);
	if (load_rules(&t, policy, catalog) != 0 || open_trace(&t) != 0) {
		finish(&t);
		return CLI_FAILED;
	}
	setvbuf(stdout, out, _IOFBF, sizeof out);
	t.engine = xmalloc(sizeof *t.engine);
	t.scratch = xmalloc(sizeof *t.scratch);
	t.writer = verdict_writer_new();
	t.last_at = -1;
	engine_init(t.engine);
	engine_set_rules(t.engine, &t.policy, &t.catalog, t.index, NULL, 0);
	run_trace(&t);
	fflush(stdout);
	if (t.errors > 0)
		rc = CLI_FAILED;
	finish(&t);
	return rc;
}
