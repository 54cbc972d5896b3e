/*
 * warning.c: the warnings on the screen, one per held tool, and the steps
 * an answer goes through.
 *
 * A held tool's warning is a critical notification that stays until it is
 * answered: why the tool was stopped, what to do, whom to call, and three
 * buttons: Keep it blocked (also what clicking the warning does), Allow…
 * and What is this?. What "Allow…" leads to depends on the policy:
 *
 *   self       a pause (the daemon counts it, not us), then a second
 *              question that repeats the key sentence, then the tool runs;
 *   caregiver  a small dialog for the caregiver's PIN;
 *   admin      a sentence saying how to reach an administrator.
 *
 * Each warning is independent: several held tools give several warnings,
 * and an open dialog never holds another warning up. Owns the warnings and
 * their notifications; every sentence comes from core/text.
 */
#include <gtk/gtk.h>
#include <libnotify/notify.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/notifier/notifier.h"
#include "core/correlate.h"
#include "core/verdictline.h"
#include "core/journal.h"
#include "core/xalloc.h"

#define PAUSE_TICK_S 5 /* how often the pause's countdown is redrawn */

enum step {
	STEP_ASK,     /* the three buttons */
	STEP_PAUSE,   /* self: waiting out the pause */
	STEP_CONFIRM, /* self: the second question */
	STEP_ANSWERED /* the daemon has it; waiting for the outcome */
};

struct warning {
	unsigned id;
	json_t *view; /* what the daemon sent */
	NotifyNotification *n;
	enum step step;
	enum text_id note; /* a sentence added after an answer, or TEXT_COUNT */
	unsigned long note_number;
	long long pause_end_ms;
	guint pause_timer;
	struct warning *next;
};

static struct warning *warnings;

/* ---------------------------------------------------------------------- */
/* Words                                                                  */
/* ---------------------------------------------------------------------- */

static const char *
view_str(const json_t *view, const char *key)
{
	const char *s = json_string_value(json_object_get(view, key));

	return s != NULL ? s : "";
}

static const char *
tool_name(const json_t *view)
{
	return view_str(json_object_get(view, "tool"), "name");
}

static long long
now_ms(void)
{
	return g_get_real_time() / 1000;
}

/* The reason the warning leads with, by the policy's order of weight. */
static const json_t *
lead_reason(const json_t *view, const char **key)
{
	static const char *const order[] = { "reason.fresh-file",
		"reason.user-writable", "reason.not-packaged", NULL };
	const json_t *reasons = json_object_get(view, "reasons"), *r;
	size_t i;

	for (size_t k = 0; order[k] != NULL; k++) {
		json_array_foreach (reasons, i, r) {
			if (strcmp(view_str(r, "key"), order[k]) == 0) {
				*key = order[k];
				return r;
			}
		}
	}
	*key = NULL;
	return NULL;
}

/*
 * The first reason that is a signal (a call, a scam page, a sharing
 * session): the daemon lists the strongest first. NULL if there is none.
 */
static const json_t *
signal_reason_of(const json_t *view)
{
	const json_t *reasons = json_object_get(view, "reasons"), *r;
	size_t i;

	json_array_foreach (reasons, i, r)
		if (strncmp(view_str(r, "key"), "reason.signal.", 14) == 0)
			return r;
	return NULL;
}

/* A reason's own sentence, worded here in the session's language. */
static char *
reason_sentence(const json_t *view, const json_t *r)
{
	struct tool t = { .name = (char *)tool_name(view) };

	return verdict_reason_words(r, &t, NULL);
}

static bool
was_running(const json_t *view)
{
	return json_is_true(json_object_get(view, "running"));
}

/* "AnyDesk was stopped before it could run", or "… was stopped". */
static char *
summary_sentence(const json_t *view)
{
	return text_printf(
	    was_running(view) ? TXT_WARN_SUMMARY_RUNNING : TXT_WARN_SUMMARY,
	    "tool", tool_name(view), NULL);
}

/*
 * Why: what happened around it when something did ("You are on a call
 * with …"), else what is odd about the file ("AnyDesk came onto this
 * computer a minute ago.").
 */
static char *
why_sentence(const json_t *view)
{
	const char *key, *exe = view_str(view, "exe");
	const json_t *r = signal_reason_of(view);
	char age[64], *folder, *s;

	if (r != NULL && (s = reason_sentence(view, r)) != NULL)
		return s;
	r = lead_reason(view, &key);
	if (key == NULL)
		return text_printf(
		    TXT_WARN_WHY_OTHER, "tool", tool_name(view), NULL);
	if (strcmp(key, "reason.fresh-file") == 0) {
		human_duration(json_integer_value(json_object_get(r, "number")),
		    age, sizeof age);
		return text_printf(TXT_WARN_WHY_FRESH, "tool", tool_name(view),
		    "age", age, NULL);
	}
	if (strcmp(key, "reason.user-writable") == 0) {
		folder = g_path_get_dirname(exe);
		s = text_printf(TXT_WARN_WHY_USER_WRITABLE, "tool",
		    tool_name(view), "folder", folder, NULL);
		g_free(folder);
		return s;
	}
	return text_printf(
	    TXT_WARN_WHY_NOT_PACKAGED, "tool", tool_name(view), NULL);
}

/* "Call Maria first: 0151 2345678." or nothing. */
static char *
contact_sentence(const json_t *view)
{
	const json_t *c = json_object_get(view, "contact");

	if (!json_is_object(c))
		return NULL;
	if (json_is_string(json_object_get(c, "phone")))
		return text_printf(TXT_WARN_CONTACT, "name",
		    view_str(c, "name"), "phone", view_str(c, "phone"), NULL);
	return text_printf(
	    TXT_WARN_CONTACT_NO_PHONE, "name", view_str(c, "name"), NULL);
}

/* What the policy says about this tool (tools: ID: message:), or NULL. */
static char *
policy_message(const json_t *view)
{
	const json_t *m = json_object_get(view, "message");

	return json_is_string(m) ? xstrdup(json_string_value(m)) : NULL;
}

/* Whole sentences, one a paragraph; NULLs are skipped, each is freed. */
static char *
paragraphs(char **parts, size_t count)
{
	GString *out = g_string_new(NULL);

	for (size_t i = 0; i < count; i++) {
		if (parts[i] == NULL)
			continue;
		if (out->len > 0)
			g_string_append(out, "\n\n");
		g_string_append(out, parts[i]);
		free(parts[i]);
	}
	return g_string_free(out, FALSE);
}

static char *
ask_body(const struct warning *w)
{
	char id[16];

	snprintf(id, sizeof id, "%u", w->id);
	char *parts[] = { w->note != TEXT_COUNT
		    ? text_printf_n(w->note, w->note_number, "id", id, "tool",
			  tool_name(w->view), NULL)
		    : NULL,
		why_sentence(w->view), policy_message(w->view),
		xstrdup(text(TXT_WARN_WHAT_TO_DO)), contact_sentence(w->view),
		json_is_true(json_object_get(w->view, "test"))
		    ? xstrdup(text(TXT_WARN_TEST))
		    : NULL };

	return paragraphs(parts, sizeof parts / sizeof parts[0]);
}

static unsigned long
seconds_left(const struct warning *w)
{
	long long left = (w->pause_end_ms - now_ms() + 999) / 1000;

	return left > 0 ? (unsigned long)left : 0;
}

static char *
pause_body(const struct warning *w)
{
	char *parts[] = { text_printf_n(
			      TXT_WARN_PAUSE_BODY, seconds_left(w), NULL),
		xstrdup(text(TXT_WARN_WHAT_TO_DO)), contact_sentence(w->view) };

	return paragraphs(parts, sizeof parts / sizeof parts[0]);
}

static char *
confirm_body(const struct warning *w)
{
	char *parts[] = { text_printf(TXT_WARN_CONFIRM_BODY, "tool",
			      tool_name(w->view), NULL),
		xstrdup(text(TXT_WARN_WHAT_TO_DO)) };

	return paragraphs(parts, sizeof parts / sizeof parts[0]);
}

/* ---------------------------------------------------------------------- */
/* Notifications                                                          */
/* ---------------------------------------------------------------------- */

static void on_action(NotifyNotification *n, char *action, gpointer data);

/* The tool's own icon when the theme has one, else a warning sign. */
static const char *
icon_for(const json_t *view)
{
	const char *id = view_str(json_object_get(view, "tool"), "id");
	GtkIconTheme *theme = gtk_icon_theme_get_default();

	if (theme != NULL && id[0] != '\0' &&
	    gtk_icon_theme_has_icon(theme, id))
		return id;
	return "dialog-warning";
}

static void
add_action(struct warning *w, const char *action, enum text_id label)
{
	notify_notification_add_action(w->n, action, text(label), on_action,
	    GUINT_TO_POINTER(w->id), NULL);
}

static void
allow_now_action(struct warning *w)
{
	long long minutes =
	    json_integer_value(json_object_get(w->view, "allow_for_s")) / 60;
	char *label = text_printf_n(
	    TXT_WARN_BUTTON_ALLOW_NOW, (unsigned long)minutes, NULL);

	notify_notification_add_action(
	    w->n, "allow", label, on_action, GUINT_TO_POINTER(w->id), NULL);
	free(label);
}

/* Shows (or redraws) a warning as its step wants it. */
static void
show(struct warning *w)
{
	char *summary, *body;

	switch (w->step) {
	case STEP_PAUSE:
		summary = xstrdup(text(TXT_WARN_PAUSE_SUMMARY));
		body = pause_body(w);
		break;
	case STEP_CONFIRM:
		summary = text_printf(
		    TXT_WARN_CONFIRM_SUMMARY, "tool", tool_name(w->view), NULL);
		body = confirm_body(w);
		break;
	default:
		summary = summary_sentence(w->view);
		body = ask_body(w);
		break;
	}
	if (w->n == NULL)
		w->n =
		    notify_notification_new(summary, body, icon_for(w->view));
	else
		notify_notification_update(
		    w->n, summary, body, icon_for(w->view));
	free(summary);
	g_free(body);
	notify_notification_set_urgency(w->n, NOTIFY_URGENCY_CRITICAL);
	notify_notification_set_timeout(w->n, NOTIFY_EXPIRES_NEVER);
	notify_notification_set_hint(
	    w->n, "resident", g_variant_new_boolean(TRUE));
	notify_notification_set_app_name(w->n, "rdguard");
	notify_notification_clear_actions(w->n);
	/* Clicking the warning itself keeps the tool blocked. */
	add_action(w, "default", TXT_WARN_BUTTON_BLOCK);
	add_action(w, "block", TXT_WARN_BUTTON_BLOCK);
	if (w->step == STEP_ASK)
		add_action(w, "allow", TXT_WARN_BUTTON_ALLOW);
	else if (w->step == STEP_CONFIRM)
		allow_now_action(w);
	add_action(w, "help", TXT_WARN_BUTTON_HELP);
	notify_notification_show(w->n, NULL);
}

/* A notification that only informs, normal urgency, closing by itself. */
static void
inform(const char *summary, const char *body, NotifyUrgency urgency)
{
	NotifyNotification *n =
	    notify_notification_new(summary, body, "dialog-information");

	notify_notification_set_urgency(n, urgency);
	notify_notification_set_app_name(n, "rdguard");
	notify_notification_show(n, NULL);
	g_object_unref(n);
}

static void
speak_warning(const struct warning *w)
{
	char *summary, *why, *all;

	if (!json_is_true(json_object_get(w->view, "speak")))
		return;
	summary = summary_sentence(w->view);
	why = why_sentence(w->view);
	all = g_strdup_printf(
	    "%s. %s %s", summary, why, text(TXT_WARN_WHAT_TO_DO));
	speech_say(all);
	g_free(all);
	free(summary);
	free(why);
}

/* ---------------------------------------------------------------------- */
/* The list                                                               */
/* ---------------------------------------------------------------------- */

static struct warning *
find(unsigned id)
{
	for (struct warning *w = warnings; w != NULL; w = w->next)
		if (w->id == id)
			return w;
	return NULL;
}

static void
forget(struct warning *w)
{
	for (struct warning **p = &warnings; *p != NULL; p = &(*p)->next) {
		if (*p != w)
			continue;
		*p = w->next;
		if (w->pause_timer != 0)
			g_source_remove(w->pause_timer);
		if (w->n != NULL) {
			notify_notification_close(w->n, NULL);
			g_object_unref(w->n);
		}
		json_decref(w->view);
		free(w);
		return;
	}
}

static gboolean
on_pause_tick(gpointer data)
{
	struct warning *w = find(GPOINTER_TO_UINT(data));

	if (w == NULL || w->step != STEP_PAUSE)
		return G_SOURCE_REMOVE;
	if (now_ms() >= w->pause_end_ms) {
		w->pause_timer = 0;
		w->step = STEP_CONFIRM;
		show(w);
		return G_SOURCE_REMOVE;
	}
	show(w);
	return G_SOURCE_CONTINUE;
}

static void
start_pause(struct warning *w, long long end_ms)
{
	long long left = end_ms - now_ms();

	w->step = STEP_PAUSE;
	w->pause_end_ms = end_ms;
	show(w);
	if (w->pause_timer != 0)
		g_source_remove(w->pause_timer);
	/* Redraw the countdown, and turn to the question when it is over. */
	w->pause_timer = g_timeout_add(left < PAUSE_TICK_S * 1000
		? (guint)(left > 0 ? left : 0)
		: PAUSE_TICK_S * 1000,
	    on_pause_tick, GUINT_TO_POINTER(w->id));
}

/* A new warning, or a known one the daemon sends again (a reconnect, or
 * another session of this user pressed Allow…). */
static void
take_warning(json_t *view)
{
	unsigned id = (unsigned)json_integer_value(json_object_get(view, "id"));
	long long asked =
	    json_integer_value(json_object_get(view, "allow_asked_ms"));
	struct warning *w = id != 0 ? find(id) : NULL;
	bool fresh = w == NULL;

	if (fresh) {
		w = xcalloc(1, sizeof *w);
		w->id = id;
		w->note = TEXT_COUNT;
		w->next = warnings;
		warnings = w;
	} else
		json_decref(w->view);
	w->view = json_incref(view);
	if (asked > 0 && w->step == STEP_ASK)
		start_pause(w,
		    asked +
			json_integer_value(
			    json_object_get(view, "allow_pause_s")) *
			    1000);
	else
		show(w);
	if (fresh)
		speak_warning(w);
}

static void
take_notice(const json_t *view)
{
	static const struct {
		const char *verdict;
		enum text_id summary, running, body;
		NotifyUrgency urgency;
	} notices[] = {
		{ "notify", TXT_NOTICE_NOTIFY_SUMMARY,
		    TXT_NOTICE_NOTIFY_RUNNING_SUMMARY, TXT_NOTICE_NOTIFY_BODY,
		    NOTIFY_URGENCY_NORMAL },
		{ "warn", TXT_NOTICE_WARN_SUMMARY,
		    TXT_NOTICE_WARN_RUNNING_SUMMARY, TXT_NOTICE_WARN_BODY,
		    NOTIFY_URGENCY_CRITICAL },
		{ "block", TXT_NOTICE_BLOCK_SUMMARY, TXT_NOTICE_BLOCK_SUMMARY,
		    TXT_NOTICE_BLOCK_BODY, NOTIFY_URGENCY_CRITICAL },
	};
	const char *verdict = view_str(view, "verdict");
	const json_t *signal = signal_reason_of(view);

	for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
		char *parts[3], *summary, *body;

		if (strcmp(notices[i].verdict, verdict) != 0)
			continue;
		summary = text_printf(
		    was_running(view) ? notices[i].running : notices[i].summary,
		    "tool", tool_name(view), NULL);
		/* What happened around it first, when something did. */
		parts[0] =
		    signal != NULL ? reason_sentence(view, signal) : NULL;
		parts[1] =
		    text_printf(notices[i].body, "tool", tool_name(view), NULL);
		parts[2] = policy_message(view);
		body = paragraphs(parts, 3);
		inform(summary, body, notices[i].urgency);
		free(summary);
		g_free(body);
	}
}

static void allowed(struct warning *w, const char *until);

static void
take_resolved(const json_t *resolved)
{
	unsigned id =
	    (unsigned)json_integer_value(json_object_get(resolved, "id"));
	struct warning *w = find(id);
	char *summary;

	if (w == NULL)
		return;
	if (strcmp(view_str(resolved, "outcome"), "allowed") == 0) {
		allowed(w, view_str(resolved, "until"));
		return;
	}
	if (strcmp(view_str(resolved, "outcome"), "timed-out") == 0 ||
	    (strcmp(view_str(resolved, "outcome"), "killed") == 0 &&
		w->step != STEP_ANSWERED)) {
		summary = text_printf(
		    TXT_WARN_ENDED, "tool", tool_name(w->view), NULL);
		inform(
		    summary, text(TXT_WARN_WHAT_TO_DO), NOTIFY_URGENCY_NORMAL);
		free(summary);
	}
	forget(w);
}

/* ---------------------------------------------------------------------- */
/* Answers and what the daemon says to them                               */
/* ---------------------------------------------------------------------- */

static void
on_pin(unsigned id, const char *pin)
{
	if (pin != NULL)
		warnings_answer(id, "pin", pin);
}

static void
note(struct warning *w, enum text_id id, long long number)
{
	w->note = id;
	w->note_number = number > 0 ? (unsigned long)number : 0;
	w->step = STEP_ASK;
	show(w);
}

static void
allowed(struct warning *w, const char *until)
{
	char when[16] = "", *summary;
	long long ms;

	if (journal_parse_time(until, &ms) == 0) {
		time_t t = (time_t)(ms / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M", &tm);
	}
	summary = text_printf(
	    TXT_WARN_ALLOWED, "tool", tool_name(w->view), "time", when, NULL);
	inform(summary, text(TXT_WARN_WHAT_TO_DO), NOTIFY_URGENCY_NORMAL);
	free(summary);
	forget(w);
}

/* The daemon's reply to an answer. */
static void
take_reply(const json_t *reply)
{
	unsigned id =
	    (unsigned)json_integer_value(json_object_get(reply, "id"));
	const char *error = view_str(reply, "error");
	struct warning *w = find(id);

	if (w == NULL)
		return;
	if (json_is_true(json_object_get(reply, "ok"))) {
		if (json_object_get(reply, "confirm_after_s") != NULL)
			start_pause(w,
			    now_ms() +
				json_integer_value(
				    json_object_get(reply, "confirm_after_s")) *
				    1000);
		else if (json_is_string(json_object_get(reply, "until")))
			allowed(w, view_str(reply, "until"));
		return;
	}
	if (strcmp(error, "needs-pin") == 0)
		pin_dialog_ask(tool_name(w->view), id, on_pin);
	else if (strcmp(error, "needs-admin") == 0)
		note(w, TXT_WARN_NEEDS_ADMIN, id);
	else if (strcmp(error, "wrong-pin") == 0 &&
	    json_integer_value(json_object_get(reply, "wait_s")) == 0)
		note(w, TXT_WARN_PIN_WRONG,
		    json_integer_value(json_object_get(reply, "tries_left")));
	else if (strcmp(error, "wrong-pin") == 0 ||
	    strcmp(error, "locked") == 0)
		note(w, TXT_WARN_PIN_LOCKED,
		    (json_integer_value(json_object_get(reply, "wait_s")) +
			59) /
			60);
	else if (strcmp(error, "no-pin") == 0)
		note(w, TXT_WARN_NO_PIN, 0);
	else if (strcmp(error, "too-soon") != 0)
		forget(w); /* gone, or not held any more */
}

void
warnings_on_message(json_t *msg)
{
	json_t *v;

	if ((v = json_object_get(msg, "warning")) != NULL)
		take_warning(v);
	else if ((v = json_object_get(msg, "notice")) != NULL)
		take_notice(v);
	else if ((v = json_object_get(msg, "resolved")) != NULL)
		take_resolved(v);
	else if (strcmp(view_str(msg, "reply_to"), "answer") == 0)
		take_reply(msg);
}

void
warnings_on_disconnect(void)
{
	/* The daemon sends every pending warning again when we are back. */
}

void
warnings_answer(unsigned id, const char *answer, const char *pin)
{
	struct warning *w = find(id);

	if (w == NULL)
		return;
	if (json_is_true(json_object_get(w->view, "test"))) {
		forget(w); /* a sample: nothing to tell the daemon */
		return;
	}
	if (strcmp(answer, "block") == 0)
		w->step = STEP_ANSWERED;
	link_send(pin != NULL
		? json_pack("{s:s,s:I,s:s,s:s}", "verb", "answer", "id",
		      (json_int_t)id, "answer", answer, "pin", pin)
		: json_pack("{s:s,s:I,s:s}", "verb", "answer", "id",
		      (json_int_t)id, "answer", answer));
}

static void
on_action(NotifyNotification *n, char *action, gpointer data)
{
	unsigned id = GPOINTER_TO_UINT(data);
	struct warning *w = find(id);

	if (w == NULL)
		return;
	if (strcmp(action, "help") == 0) {
		help_open();
		show(w); /* still waiting for an answer */
	} else if (strcmp(action, "allow") == 0)
		warnings_answer(id, "allow", NULL);
	else
		warnings_answer(id, "block", NULL);
}
