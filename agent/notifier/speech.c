/*
 * speech.c: reads a warning aloud with espeak-ng, in the session's
 * language, for people who cannot read small text (policy: speak: true).
 * espeak-ng runs on its own; the notifier never waits for it. With
 * RDGUARD_SPEECH_FILE set, the speech goes to that WAV file instead of the
 * loudspeaker (for a machine without sound, and for the tests).
 */
#include <glib.h>
#include <stdlib.h>

#include "agent/notifier/notifier.h"

void
speech_say(const char *text)
{
	const char *file = getenv("RDGUARD_SPEECH_FILE");
	const char *argv[8];
	int n = 0;

	argv[n++] = "espeak-ng";
	argv[n++] = "-v";
	argv[n++] = session_language();
	if (file != NULL && file[0] != '\0') {
		argv[n++] = "-w";
		argv[n++] = file;
	}
	argv[n++] = text;
	argv[n] = NULL;
	g_spawn_async(NULL, (char **)argv, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
		G_SPAWN_STDERR_TO_DEV_NULL,
	    NULL, NULL, NULL, NULL);
}
