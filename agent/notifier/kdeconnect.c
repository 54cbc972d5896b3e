/*
 * kdeconnect.c: calls on a phone paired with KDE Connect.
 *
 * KDE Connect's daemon (bus name org.kde.kdeconnect, on the session bus;
 * it may start after us, or restart) exports one object per device and
 * plugin. Its telephony plugin, /modules/kdeconnect/devices/<id>/telephony,
 * interface org.kde.kdeconnect.device.telephony, emits
 * callReceived(s event, s number, s contactName) when the phone rings
 * (event "callReceived") and after a missed call ("missedCall"). The number
 * is "unknown number" in the desktop's language when it was withheld; the
 * contact name is the number when the phone knows no name. Nothing says
 * when a call is answered or ends.
 *
 * Owns the subscription and the watch on the daemon's name; the call event
 * itself is phonecall.c's.
 */
#include <string.h>

#include "agent/notifier/notifier.h"

#define KDECONNECT_NAME "org.kde.kdeconnect"
#define TELEPHONY_IFACE "org.kde.kdeconnect.device.telephony"
#define DEVICES_PREFIX  "/modules/kdeconnect/devices/"

static const char *
state_of(const char *event)
{
	if (strcmp(event, "callReceived") == 0)
		return "ringing";
	if (strcmp(event, "missedCall") == 0)
		return "missed";
	return NULL;
}

static void
on_call_received(GDBusConnection *bus, const gchar *sender, const gchar *path,
    const gchar *iface, const gchar *member, GVariant *params, gpointer data)
{
	const char *event, *number, *contact, *state;

	if (!g_str_has_prefix(path, DEVICES_PREFIX) ||
	    !g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)")))
		return;
	g_variant_get(params, "(&s&s&s)", &event, &number, &contact);
	if ((state = state_of(event)) == NULL)
		return;
	/* A name that is only a number is the phone knowing no name. */
	if (phone_text_is_number(contact) || strcmp(contact, number) == 0)
		contact = NULL;
	phone_call_seen("kdeconnect", state, number, contact, NULL);
}

static void
on_appeared(
    GDBusConnection *bus, const gchar *name, const gchar *owner, gpointer data)
{
	notifier_log(TXT_SIGNALS_KDECONNECT_PRESENT, NULL);
}

static void
on_vanished(GDBusConnection *bus, const gchar *name, gpointer data)
{
	/* At the start when it is not running; later, when it stops. */
	notifier_log(TXT_SIGNALS_KDECONNECT_ABSENT, NULL);
}

void
kdeconnect_start(GDBusConnection *bus)
{
	g_dbus_connection_signal_subscribe(bus, KDECONNECT_NAME,
	    TELEPHONY_IFACE, "callReceived", NULL, NULL,
	    G_DBUS_SIGNAL_FLAGS_NONE, on_call_received, NULL, NULL);
	g_bus_watch_name_on_connection(bus, KDECONNECT_NAME,
	    G_BUS_NAME_WATCHER_FLAGS_NONE, on_appeared, on_vanished, NULL,
	    NULL);
}
