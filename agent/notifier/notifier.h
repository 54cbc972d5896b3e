/*
 * notifier.h: the parts of rdguard-notifier and how they reach each other.
 *
 * rdguard-notifier runs in each graphical session, as the user. It keeps a
 * connection to rdguardd (link.c), shows each held tool's warning and takes
 * the person's answers (warning.c), asks for the caregiver's PIN in a small
 * dialog (pindialog.c), reads warnings aloud when the policy says so
 * (speech.c) and explains the scam on a local page (help.c). Everything
 * runs on GLib's main loop, which libnotify needs for its buttons.
 *
 * It also hands the daemon the signals this session can see
 * (docs/signals-desktop.md): calls on a phone paired through KDE Connect
 * (kdeconnect.c) or GSConnect (gsconnect.c), desktop-sharing sessions of
 * the portal (portal.c), scam pages in window titles (windows.c). GSConnect
 * and the portal are seen through one session-bus monitor (busmonitor.c);
 * phonecall.c words a call as the trace format has it; outbox.c sends the
 * signals on link.c's connection, and keeps them while the daemon is away.
 */
#ifndef RDGUARD_NOTIFIER_H
#define RDGUARD_NOTIFIER_H

#include <gio/gio.h>
#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "core/text.h"

/* link.c: the connection to rdguardd. */
void link_start(const char *socket_path);
/* Sends a request; false when there is no connection. */
bool link_send(json_t *request);
bool link_connected(void);

/*
 * outbox.c: the signals on their way to rdguardd. outbox_send hands one
 * over (docs/trace.md: popup, call, portal), stamped with "at" now unless
 * it has one; it goes with the `signal` verb when the daemon is there.
 * The newest SIGNALS_KEPT wait while it is not. Takes the event.
 */
#define SIGNALS_KEPT 32
void outbox_send(json_t *event);
/* link.c's news: connected (registered), disconnected, a message that may
 * be the reply to a signal (true when it was, and is taken care of). */
void outbox_on_connected(void);
void outbox_on_disconnected(void);
bool outbox_on_reply(const json_t *msg);

/* log.c: the notifier's own messages, on standard error. */
void notifier_log(enum text_id id, ...);
void notifier_log_n(enum text_id id, unsigned long n, ...);

/* phonecall.c: an incoming call seen on the desktop, to the daemon. */
/* Whether s is a telephone number as written, and nothing else. */
bool phone_text_is_number(const char *s);
/*
 * Sends a call event: source ("kdeconnect"), state ("ringing"), number
 * (NULL when withheld), contact (NULL when the phone knows no name), id
 * (what ties the states of one call, or NULL).
 */
void phone_call_seen(const char *source, const char *state, const char *number,
    const char *contact, const char *id);

/* busmonitor.c: the session bus, watched through a monitor connection. */
typedef void (*bus_monitor_handler)(GDBusMessage *message);
/* Adds match rules (NULL-terminated) and the handler of what they match;
 * before bus_monitor_start. Every handler sees every message. */
void bus_monitor_add(const char *const *rules, bus_monitor_handler handler);
void bus_monitor_start(void);

/* The sources; each says once in the log when it has nothing to watch. */
void kdeconnect_start(GDBusConnection *bus);
void gsconnect_start(GDBusConnection *bus);
void portal_start(GDBusConnection *bus);
void windows_start(void);

/* warning.c: what the daemon says, and the person's answers. */
void warnings_on_message(json_t *msg);
void warnings_on_disconnect(void);
void warnings_answer(unsigned id, const char *answer, const char *pin);

/* pindialog.c: asks for the caregiver's PIN; calls back with it or NULL. */
void pin_dialog_ask(
    const char *tool, unsigned id, void (*done)(unsigned id, const char *pin));

/* speech.c: reads text aloud in the session's language. */
void speech_say(const char *text);

/* help.c: writes the help page in the session's language and opens it. */
void help_open(void);

/* The session's language for speech and the help page ("de", "en"). */
const char *session_language(void);

#endif
