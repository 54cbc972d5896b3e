/*
 * verdictline.h: a verdict of the engine as `rdguard policy test` prints it
 * (docs/trace.md, "What policy test prints"): one JSON object per line, or
 * sentences. The daemon's `signal` verb answers with the same JSON.
 *
 * Wording a reason is the slow part of printing a million verdicts, and
 * most reasons repeat, so a writer keeps the sentences it made (a fixed
 * number of them: its memory does not grow with the trace).
 */
#ifndef RDGUARD_VERDICTLINE_H
#define RDGUARD_VERDICTLINE_H

#include <jansson.h>
#include <stdio.h>

#include "core/engine.h"

struct verdict_writer;

struct verdict_writer *verdict_writer_new(void);
void verdict_writer_free(struct verdict_writer *w);

/*
 * Writes v, the verdict for the event on line (0: no line), as one JSON
 * object and a newline.
 */
void verdict_write_json(struct verdict_writer *w,
    const struct engine_verdict *v, long line, FILE *out);

/* The same as sentences: a line for the verdict, one for each reason. */
void verdict_write_text(struct verdict_writer *w,
    const struct engine_verdict *v, long line, FILE *out);

/*
 * A judgement's reasons for the journal and the control socket: each with
 * its key, number, detail and sentence (so that a reader in another
 * language can word it again); a new reference.
 */
json_t *verdict_reasons_json(const struct judgement *j, const struct tool *t,
    const struct launch_facts *f);

/*
 * A reason as the journal, the control socket and the notifier carry it
 * ({"key", "number", "detail"}), worded in this program's language for
 * tool t with facts f (either may be NULL); a new string, or NULL when
 * this rdguard does not know the key.
 */
char *verdict_reason_words(
    const json_t *r, const struct tool *t, const struct launch_facts *f);

#endif
