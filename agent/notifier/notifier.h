/*
 * notifier.h: the parts of rdguard-notifier and how they reach each other.
 *
 * rdguard-notifier runs in each graphical session, as the user. It keeps a
 * connection to rdguardd (link.c), shows each held tool's warning and takes
 * the person's answers (warning.c), asks for the caregiver's PIN in a small
 * dialog (pindialog.c), reads warnings aloud when the policy says so
 * (speech.c) and explains the scam on a local page (help.c). Everything
 * runs on GLib's main loop, which libnotify needs for its buttons.
 */
#ifndef RDGUARD_NOTIFIER_H
#define RDGUARD_NOTIFIER_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

/* link.c: the connection to rdguardd. */
void link_start(const char *socket_path);
/* Sends a request; false when there is no connection. */
bool link_send(json_t *request);
bool link_connected(void);

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
