/*
 * phonecall.c: an incoming call that a phone paired with this desktop
 * reports (KDE Connect, GSConnect), as the trace format's call event
 * (docs/trace.md), handed to outbox.c. Owns the wording of a call: which of
 * the strings a phone app sends is a number, which a name, and the limits
 * on both. Knows nothing of where a call came from.
 */
#include <stdbool.h>
#include <string.h>

#include "agent/notifier/notifier.h"
#include "core/phone.h"

#define NAME_MAX_CHARS 128 /* a contact's name is cut after this */

bool
phone_text_is_number(const char *s)
{
	char key[PHONE_KEY_MAX];

	if (s == NULL || phone_key(s, key) == 0)
		return false;
	return strspn(s, "0123456789+-()./ ") == strlen(s);
}

/* The number as written, or null when there is none (withheld). */
static json_t *
number_value(const char *number)
{
	if (!phone_text_is_number(number))
		return json_null();
	return json_string(number);
}

/* s cut to NAME_MAX_CHARS characters; null when empty or not UTF-8. */
static json_t *
name_value(const char *s)
{
	json_t *value;
	gchar *cut;

	if (s == NULL || s[0] == '\0' || !g_utf8_validate(s, -1, NULL))
		return json_null();
	/* g_utf8_substring must not be asked past the end. */
	if (g_utf8_strlen(s, -1) <= NAME_MAX_CHARS)
		return json_string(s);
	cut = g_utf8_substring(s, 0, NAME_MAX_CHARS);
	value = json_string(cut);
	g_free(cut);
	return value;
}

void
phone_call_seen(const char *source, const char *state, const char *number,
    const char *contact, const char *id)
{
	json_t *event = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "type", "call",
	    "source", source, "direction", "incoming", "state", state, "number",
	    number_value(number), "contact", name_value(contact));
	json_t *call_id = name_value(id);

	if (json_is_string(call_id))
		json_object_set(event, "id", call_id);
	json_decref(call_id);
	outbox_send(event);
}
