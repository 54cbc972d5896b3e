/*
 * main.c: rdguard-notifier's start: options, language, one instance per
 * session, the signal sources, and the main loop.
 */
#include <fcntl.h>
#include <gtk/gtk.h>
#include <libnotify/notify.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/notifier/notifier.h"
#include "core/paths.h"
#include "core/text.h"

static char language[16] = "en";

const char *
session_language(void)
{
	return language;
}

/*
 * "de" from LANGUAGE's first entry or from LC_MESSAGES ("de_DE.UTF-8"), in
 * the order gettext chooses the translation, so that speech and the help
 * page speak the warning's language.
 */
static void
find_language(void)
{
	const char *list = getenv("LANGUAGE");
	const char *l = setlocale(LC_MESSAGES, NULL);
	size_t n;

	if (l == NULL || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0)
		return; /* gettext ignores LANGUAGE in the C locale */
	if (list != NULL && list[0] != '\0')
		l = list;
	n = strcspn(l, "_.@:");
	/* C.UTF-8 and the like speak English. */
	if (n < 2 || n >= sizeof language)
		return;
	snprintf(language, sizeof language, "%.*s", (int)n, l);
}

/* One notifier per session: a second one leaves quietly. */
static bool
first_in_session(void)
{
	const char *session = getenv("XDG_SESSION_ID");
	const char *display = getenv("WAYLAND_DISPLAY");
	char *path;
	int fd;

	if (display == NULL)
		display = getenv("DISPLAY");
	path = g_strdup_printf("%s/rdguard-notifier-%s.lock",
	    g_get_user_runtime_dir(),
	    session != NULL ? session : (display != NULL ? display : "x"));
	for (char *p = strrchr(path, '/') + 1; *p != '\0'; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	g_free(path);
	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
}

/*
 * The sources of signals this session can see. Each is optional: one with
 * nothing to watch says so once in the log, and the others go on.
 */
static void
start_signal_sources(void)
{
	GError *error = NULL;
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);

	if (bus != NULL) {
		kdeconnect_start(bus);
		gsconnect_start(bus);
		portal_start(bus);
		bus_monitor_start();
	} else {
		notifier_log(
		    TXT_SIGNALS_NO_SESSION_BUS, "reason", error->message, NULL);
		g_error_free(error);
	}
	windows_start();
}

static void
usage(FILE *out)
{
	fprintf(out, "%s\n", text(TXT_NOTIFIER_USAGE));
}

int
main(int argc, char **argv)
{
	const char *socket_path = RDGUARD_DEFAULT_SOCKET;

	text_init();
	find_language();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			socket_path = argv[++i];
		else if (strcmp(argv[i], "--version") == 0) {
			printf("rdguard-notifier %s\n", RDGUARD_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!gtk_init_check(&argc, &argv)) {
		fprintf(stderr, "rdguard-notifier: %s\n",
		    text(TXT_NOTIFIER_NO_DISPLAY));
		return 1;
	}
	if (!first_in_session())
		return 0;
	notify_init("rdguard");
	link_start(socket_path);
	start_signal_sources();
	gtk_main();
	notify_uninit();
	return 0;
}
