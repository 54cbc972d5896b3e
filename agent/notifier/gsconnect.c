/*
 * gsconnect.c: calls on a phone paired with GSConnect (GNOME Shell).
 *
 * GSConnect has no telephony signal on the bus. When the phone rings it
 * shows a GNotification (its telephony plugin, device.showNotification):
 * GApplication "org.gnome.Shell.Extensions.GSConnect" sends, through GLib,
 * org.gtk.Notifications.AddNotification(app id, "<device id>|ringing|
 * <sender>", {title, body, ...}) to GNOME Shell, where sender is the
 * contact's name, else the number, else "Unknown Contact". An answered
 * call replaces it by "<device id>|talking|<sender>", and the end of the
 * call withdraws that one (RemoveNotification). The session-bus monitor
 * (busmonitor.c) sees these calls; rules on the method and the app id keep
 * every other notification away from us.
 *
 * Owns the reading of those notification ids; the call event itself is
 * phonecall.c's.
 */
#include <stdio.h>
#include <string.h>

#include "agent/notifier/notifier.h"

#define GSCONNECT_APP "org.gnome.Shell.Extensions.GSConnect"
#define ID_MAX        1024 /* longer notification ids are not GSConnect's */

static const char *const rules[] = {
	"type='method_call',interface='org.gtk.Notifications',"
	"member='AddNotification',arg0='" GSCONNECT_APP "'",
	"type='method_call',interface='org.gtk.Notifications',"
	"member='RemoveNotification',arg0='" GSCONNECT_APP "'",
	NULL,
};

/* The sender after "|what|" in a notification id, or NULL. */
static const char *
sender_of(const char *id, const char *what)
{
	char mark[16];
	const char *at;

	snprintf(mark, sizeof mark, "|%s|", what);
	at = strstr(id, mark);
	return at != NULL ? at + strlen(mark) : NULL;
}

/* A call's news: the sender is a number or a name; the name GSConnect
 * uses when it has neither is no name. */
static void
call_news(const char *state, const char *sender)
{
	bool number = phone_text_is_number(sender);

	if (sender[0] == '\0' || strcmp(sender, "Unknown Contact") == 0)
		sender = NULL;
	phone_call_seen("gsconnect", state, number ? sender : NULL,
	    number ? NULL : sender, sender);
}

static void
on_added(const char *id)
{
	const char *sender;

	if ((sender = sender_of(id, "ringing")) != NULL)
		call_news("ringing", sender);
	else if ((sender = sender_of(id, "talking")) != NULL)
		call_news("active", sender);
}

static void
on_removed(const char *id)
{
	const char *sender = sender_of(id, "talking");

	/* A withdrawn ringing one is not news: it is answered or missed. */
	if (sender != NULL)
		call_news("ended", sender);
}

static void
on_message(GDBusMessage *message)
{
	const char *member = g_dbus_message_get_member(message);
	GVariant *body = g_dbus_message_get_body(message);
	const char *app, *id;

	if (g_dbus_message_get_message_type(message) !=
		G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    g_strcmp0(g_dbus_message_get_interface(message),
		"org.gtk.Notifications") != 0 ||
	    body == NULL ||
	    !(g_variant_is_of_type(body, G_VARIANT_TYPE("(ssa{sv})")) ||
		g_variant_is_of_type(body, G_VARIANT_TYPE("(ss)"))))
		return;
	g_variant_get_child(body, 0, "&s", &app);
	g_variant_get_child(body, 1, "&s", &id);
	if (strcmp(app, GSCONNECT_APP) != 0 || strlen(id) > ID_MAX)
		return;
	if (g_strcmp0(member, "AddNotification") == 0)
		on_added(id);
	else if (g_strcmp0(member, "RemoveNotification") == 0)
		on_removed(id);
}

void
gsconnect_start(GDBusConnection *bus)
{
	GVariant *owner =
	    g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
		g_variant_new("(s)", GSCONNECT_APP), G_VARIANT_TYPE("(b)"),
		G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	gboolean running = FALSE;

	if (owner != NULL) {
		g_variant_get(owner, "(b)", &running);
		g_variant_unref(owner);
	}
	if (!running)
		notifier_log(TXT_SIGNALS_GSCONNECT_ABSENT, NULL);
	bus_monitor_add(rules, on_message);
}
