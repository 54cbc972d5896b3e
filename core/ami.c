/*
 * ami.c: Asterisk Manager Interface messages from lines (see ami.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/ami.h"
#include "core/callevent.h"
#include "core/text.h"

#define SHOWN_MAX 48 /* bytes of a bad line quoted in the reason */

void
ami_reader_init(struct ami_reader *r)
{
	memset(r, 0, sizeof *r);
}

static void
start_over(struct ami_reader *r)
{
	r->message.count = 0;
	r->message.used = 0;
	r->handed_out = false;
}

static enum ami_status
refuse_line(
    struct ami_reader *r, const char *line, size_t len, char *why, size_t size)
{
	char shown[SHOWN_MAX];

	call_text_shown(shown, sizeof shown, line, len);
	text_format(why, size, TXT_CALLS_ERR_AMI_LINE, "line", shown, NULL);
	r->skipping = true;
	return AMI_MALFORMED;
}

static enum ami_status
refuse_size(
    struct ami_reader *r, enum text_id id, int max, char *why, size_t size)
{
	char n[16];

	snprintf(n, sizeof n, "%d", max);
	text_format(why, size, id, "max", n, NULL);
	r->skipping = true;
	return AMI_MALFORMED;
}

/* Copies len bytes and a NUL into the message's text. */
static const char *
keep(struct ami_message *m, const char *s, size_t len)
{
	char *at = m->text + m->used;

	memcpy(at, s, len);
	at[len] = '\0';
	m->used += len + 1;
	return at;
}

/* "Key: Value" into the message; a bound broken or no colon: refused. */
static enum ami_status
add_field(
    struct ami_reader *r, const char *line, size_t len, char *why, size_t size)
{
	struct ami_message *m = &r->message;
	const char *colon = memchr(line, ':', len);
	size_t key_len, value_at;

	if (colon == NULL || colon == line || memchr(line, '\0', len) != NULL)
		return refuse_line(r, line, len, why, size);
	if (m->count == AMI_FIELDS_MAX)
		return refuse_size(
		    r, TXT_CALLS_ERR_AMI_FIELDS, AMI_FIELDS_MAX, why, size);
	if (m->used + len + 1 > AMI_MESSAGE_MAX)
		return refuse_size(
		    r, TXT_CALLS_ERR_AMI_SIZE, AMI_MESSAGE_MAX, why, size);
	key_len = (size_t)(colon - line);
	for (value_at = key_len + 1; value_at < len && line[value_at] == ' ';
	     value_at++)
		;
	m->fields[m->count].key = keep(m, line, key_len);
	m->fields[m->count].value = keep(m, line + value_at, len - value_at);
	m->count++;
	return AMI_MORE;
}

enum ami_status
ami_reader_line(struct ami_reader *r, const char *line, size_t len,
    const struct ami_message **message, char *why, size_t size)
{
	if (r->handed_out)
		start_over(r);
	if (len > 0)
		return r->skipping ? AMI_MORE
				   : add_field(r, line, len, why, size);
	if (r->skipping) {
		r->skipping = false;
		start_over(r);
		return AMI_MORE;
	}
	if (r->message.count == 0)
		return AMI_MORE; /* a stray blank line */
	r->handed_out = true;
	*message = &r->message;
	return AMI_MESSAGE;
}

void
ami_reader_skip_message(struct ami_reader *r)
{
	if (r->handed_out)
		start_over(r);
	r->skipping = true;
}

const char *
ami_get(const struct ami_message *m, const char *key)
{
	for (size_t i = 0; i < m->count; i++)
		if (strcasecmp(m->fields[i].key, key) == 0)
			return m->fields[i].value;
	return NULL;
}
