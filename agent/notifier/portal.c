/*
 * portal.c: desktop-sharing sessions set up through the desktop portal.
 *
 * On Wayland, and for sandboxed apps everywhere, a program that wants to
 * see the screen or control the computer must ask the portal
 * (org.freedesktop.portal.Desktop, /org/freedesktop/portal/desktop):
 * ScreenCast or RemoteDesktop CreateSession, SelectSources/SelectDevices,
 * then Start(session, parent window, options), which asks the person and
 * answers through a Request object's Response(u code, a{sv} results)
 * signal. The session ends when the app calls Session.Close, when the
 * portal says Session.Closed, or when the app leaves the bus.
 *
 * The session-bus monitor (busmonitor.c) shows us Start, Close, Closed and
 * the Responses. A Start is a sharing session "started" (the app asked;
 * most people say yes to what the caller tells them); its end, or a
 * refused or cancelled Start, is "stopped". The app is the caller's
 * Flatpak app id, read from /.flatpak-info in its sandbox (as the portal
 * itself does), or "" for a program outside Flatpak.
 *
 * Owns the table of sessions it has seen start (at most SESSIONS_MAX, the
 * oldest forgotten first) and the events it sends for them.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/notifier/notifier.h"

#define PORTAL_NAME   "org.freedesktop.portal.Desktop"
#define PORTAL_PATH   "/org/freedesktop/portal/desktop"
#define REQUEST_PATH  PORTAL_PATH "/request/"
#define SESSIONS_MAX  16
#define PATH_MAX_LEN  256 /* longer handles are not the portal's */
#define INFO_MAX_SIZE 65536

static const char *const rules[] = {
	"type='method_call',path='" PORTAL_PATH "',"
	"interface='org.freedesktop.portal.RemoteDesktop',member='Start'",
	"type='method_call',path='" PORTAL_PATH "',"
	"interface='org.freedesktop.portal.ScreenCast',member='Start'",
	"type='method_call',interface='org.freedesktop.portal.Session',"
	"member='Close'",
	"type='signal',interface='org.freedesktop.portal.Session',"
	"member='Closed'",
	"type='signal',interface='org.freedesktop.portal.Request',"
	"member='Response'",
	NULL,
};

struct session {
	bool in_use;
	char handle[PATH_MAX_LEN];  /* the session's object path */
	char request[PATH_MAX_LEN]; /* Start's Request path, or its folder */
	bool request_exact;         /* request is the path, not the folder */
	char sender[PATH_MAX_LEN];  /* the app's unique bus name */
	const char *interface;      /* "RemoteDesktop" or "ScreenCast" */
	char *app;                  /* NULL until known */
	bool stop_waiting;          /* it ended before its start was sent */
	guint name_watch;
	unsigned long age;
};

static struct {
	GDBusConnection *bus;
	struct session sessions[SESSIONS_MAX];
	unsigned long clock;
} portal;

/* ---------------------------------------------------------------------- */
/* Events                                                                 */
/* ---------------------------------------------------------------------- */

static void
send_state(const struct session *s, const char *state)
{
	outbox_send(json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "portal",
	    "interface", s->interface, "state", state, "app", s->app, "session",
	    s->handle));
}

static void
forget(struct session *s)
{
	if (s->name_watch != 0)
		g_bus_unwatch_name(s->name_watch);
	g_free(s->app);
	memset(s, 0, sizeof *s);
}

/* The session is over: stopped now, or once its start has gone out. */
static void
stop(struct session *s)
{
	if (s->app == NULL) {
		s->stop_waiting = true;
		return;
	}
	send_state(s, "stopped");
	forget(s);
}

/* ---------------------------------------------------------------------- */
/* The table                                                              */
/* ---------------------------------------------------------------------- */

static struct session *
find_handle(const char *handle)
{
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (portal.sessions[i].in_use &&
		    strcmp(portal.sessions[i].handle, handle) == 0)
			return &portal.sessions[i];
	return NULL;
}

/* A free place, or the oldest session's (forgotten without a word). */
static struct session *
free_place(void)
{
	struct session *oldest = &portal.sessions[0];

	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		if (!portal.sessions[i].in_use)
			return &portal.sessions[i];
		if (portal.sessions[i].age < oldest->age)
			oldest = &portal.sessions[i];
	}
	forget(oldest);
	return oldest;
}

/* ---------------------------------------------------------------------- */
/* The app                                                                */
/* ---------------------------------------------------------------------- */

/* The Flatpak app id of process pid, or "" outside Flatpak. */
static char *
flatpak_app_id(guint32 pid)
{
	char path[64], *contents = NULL, *id = NULL;
	GKeyFile *info = g_key_file_new();
	struct stat st;
	gsize len;

	snprintf(path, sizeof path, "/proc/%u/root/.flatpak-info", pid);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size <= INFO_MAX_SIZE &&
	    g_file_get_contents(path, &contents, &len, NULL) &&
	    g_key_file_load_from_data(info, contents, len, 0, NULL))
		id = g_key_file_get_string(info, "Application", "name", NULL);
	g_key_file_free(info);
	g_free(contents);
	if (id == NULL || !g_application_id_is_valid(id)) {
		g_free(id);
		id = g_strdup("");
	}
	return id;
}

static void
on_sender_pid(GObject *source, GAsyncResult *result, gpointer data)
{
	struct session *s = find_handle(data);
	GVariant *reply = g_dbus_connection_call_finish(
	    G_DBUS_CONNECTION(source), result, NULL);
	guint32 pid = 0;

	g_free(data);
	if (reply != NULL) {
		g_variant_get(reply, "(u)", &pid);
		g_variant_unref(reply);
	}
	if (s == NULL || s->app != NULL)
		return;
	s->app = pid != 0 ? flatpak_app_id(pid) : g_strdup("");
	send_state(s, "started");
	if (s->stop_waiting)
		stop(s);
}

static void
ask_sender_pid(const struct session *s)
{
	g_dbus_connection_call(portal.bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "GetConnectionUnixProcessID", g_variant_new("(s)", s->sender),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	    on_sender_pid, g_strdup(s->handle));
}

/* The app left the bus: the portal ends its sessions. */
static void
on_sender_gone(GDBusConnection *bus, const gchar *name, gpointer data)
{
	struct session *s = find_handle(data);

	if (s != NULL)
		stop(s);
}

/* ---------------------------------------------------------------------- */
/* What the monitor shows                                                 */
/* ---------------------------------------------------------------------- */

/* Where the portal puts the Request of a call by sender: its folder
 * (":1.42" is "1_42"), and the path itself when the call chose a token. */
static void
request_path(struct session *s, GVariant *options)
{
	const char *token = NULL;
	char *folder = g_strdup(s->sender + (s->sender[0] == ':'));

	g_strdelimit(folder, ".", '_');
	g_variant_lookup(options, "handle_token", "&s", &token);
	s->request_exact = token != NULL;
	snprintf(s->request, sizeof s->request, "%s%s/%s", REQUEST_PATH, folder,
	    token != NULL ? token : "");
	g_free(folder);
}

static void
on_start(GDBusMessage *message, const char *interface)
{
	GVariant *body = g_dbus_message_get_body(message);
	const char *sender = g_dbus_message_get_sender(message);
	const char *handle;
	GVariant *options;
	struct session *s;

	if (body == NULL || sender == NULL || strlen(sender) >= PATH_MAX_LEN ||
	    !g_variant_is_of_type(body, G_VARIANT_TYPE("(osa{sv})")))
		return;
	g_variant_get(body, "(&os@a{sv})", &handle, NULL, &options);
	if (strlen(handle) < PATH_MAX_LEN && find_handle(handle) == NULL) {
		s = free_place();
		s->in_use = true;
		s->age = ++portal.clock;
		snprintf(s->handle, sizeof s->handle, "%s", handle);
		snprintf(s->sender, sizeof s->sender, "%s", sender);
		s->interface = interface;
		request_path(s, options);
		s->name_watch = g_bus_watch_name_on_connection(portal.bus,
		    sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_sender_gone,
		    g_strdup(handle), g_free);
		ask_sender_pid(s);
	}
	g_variant_unref(options);
}

/* A Response to a Start we saw: refused or cancelled ends the session. */
static void
on_response(GDBusMessage *message)
{
	GVariant *body = g_dbus_message_get_body(message);
	const char *path = g_dbus_message_get_path(message);
	guint32 code;

	if (body == NULL || path == NULL ||
	    !g_variant_is_of_type(body, G_VARIANT_TYPE("(ua{sv})")))
		return;
	g_variant_get_child(body, 0, "u", &code);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &portal.sessions[i];

		if (!s->in_use || s->request[0] == '\0' ||
		    !(s->request_exact ? strcmp(path, s->request) == 0
				       : g_str_has_prefix(path, s->request)))
			continue;
		s->request[0] = '\0'; /* its one answer */
		if (code != 0)
			stop(s);
		return;
	}
}

static void
on_session_end(GDBusMessage *message)
{
	const char *path = g_dbus_message_get_path(message);
	struct session *s = path != NULL ? find_handle(path) : NULL;

	if (s != NULL)
		stop(s);
}

static void
on_message(GDBusMessage *message)
{
	const char *iface = g_dbus_message_get_interface(message);
	const char *member = g_dbus_message_get_member(message);
	GDBusMessageType type = g_dbus_message_get_message_type(message);

	if (iface == NULL || member == NULL)
		return;
	if (type == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
	    strcmp(member, "Start") == 0) {
		if (strcmp(iface, "org.freedesktop.portal.RemoteDesktop") == 0)
			on_start(message, "RemoteDesktop");
		else if (strcmp(iface, "org.freedesktop.portal.ScreenCast") ==
		    0)
			on_start(message, "ScreenCast");
	} else if (strcmp(iface, "org.freedesktop.portal.Session") == 0 &&
	    ((type == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
		 strcmp(member, "Close") == 0) ||
		(type == G_DBUS_MESSAGE_TYPE_SIGNAL &&
		    strcmp(member, "Closed") == 0)))
		on_session_end(message);
	else if (type == G_DBUS_MESSAGE_TYPE_SIGNAL &&
	    strcmp(iface, "org.freedesktop.portal.Request") == 0 &&
	    strcmp(member, "Response") == 0)
		on_response(message);
}

/* Whether the portal runs, or would be started when asked. */
static bool
portal_available(GDBusConnection *bus)
{
	const char *methods[] = { "ListNames", "ListActivatableNames" };
	bool found = false;

	for (size_t i = 0; i < 2 && !found; i++) {
		GVariant *names =
		    g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus",
			methods[i], NULL, G_VARIANT_TYPE("(as)"),
			G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
		const char **list;

		if (names == NULL)
			continue;
		g_variant_get(names, "(^a&s)", &list);
		found = g_strv_contains(list, PORTAL_NAME);
		g_free(list);
		g_variant_unref(names);
	}
	return found;
}

void
portal_start(GDBusConnection *bus)
{
	portal.bus = bus;
	if (!portal_available(bus))
		notifier_log(TXT_SIGNALS_PORTAL_ABSENT, NULL);
	bus_monitor_add(rules, on_message);
}
