/*
 * busmonitor.c: the session bus as a monitor sees it.
 *
 * Owns a second connection to the session bus, which becomes a monitor
 * (org.freedesktop.DBus.Monitoring.BecomeMonitor) for the match rules the
 * sources gave (gsconnect.c, portal.c): it then receives copies of the
 * messages those rules match, whoever they are for, and can never send
 * again. Only the bus's owner may do that; on a desktop the session bus
 * is the user's, and so is this notifier.
 *
 * GDBus reads the connection on its own thread; the filter there takes
 * every copied message away from GDBus (which would otherwise answer
 * method calls meant for others, and a monitor that sends is cut off) and
 * hands it to the main loop, where each source's handler sees it. Messages
 * addressed to this connection itself (the reply to BecomeMonitor) go on
 * to GDBus as usual.
 */
#include <string.h>

#include "agent/notifier/notifier.h"

#define RULES_MAX    16
#define HANDLERS_MAX 4

static struct {
	const char *rules[RULES_MAX + 1];
	size_t rule_count;
	bus_monitor_handler handlers[HANDLERS_MAX];
	size_t handler_count;
	GDBusConnection *conn;
	gchar *own_name; /* the connection's unique name */
} monitor;

void
bus_monitor_add(const char *const *rules, bus_monitor_handler handler)
{
	for (; *rules != NULL; rules++) {
		g_return_if_fail(monitor.rule_count < RULES_MAX);
		monitor.rules[monitor.rule_count++] = *rules;
	}
	g_return_if_fail(monitor.handler_count < HANDLERS_MAX);
	monitor.handlers[monitor.handler_count++] = handler;
}

/* On the main loop: one copied message to every handler. */
static gboolean
deliver(gpointer data)
{
	GDBusMessage *message = data;

	for (size_t i = 0; i < monitor.handler_count; i++)
		monitor.handlers[i](message);
	g_object_unref(message);
	return G_SOURCE_REMOVE;
}

/* On GDBus's thread: what is ours goes on, copies go to the main loop. */
static GDBusMessage *
on_message(GDBusConnection *conn, GDBusMessage *message, gboolean incoming,
    gpointer data)
{
	const char *to = g_dbus_message_get_destination(message);

	if (!incoming || (to != NULL && g_strcmp0(to, monitor.own_name) == 0))
		return message;
	g_idle_add(deliver, message); /* deliver owns it now */
	return NULL;
}

static void
on_closed(GDBusConnection *conn, gboolean remote_peer_vanished, GError *error,
    gpointer data)
{
	notifier_log(TXT_SIGNALS_MONITOR_LOST, NULL);
}

static void
on_become_monitor(GObject *source, GAsyncResult *result, gpointer data)
{
	GError *error = NULL;
	GVariant *reply = g_dbus_connection_call_finish(
	    G_DBUS_CONNECTION(source), result, &error);

	if (reply == NULL) {
		notifier_log(TXT_SIGNALS_MONITOR_REFUSED, "reason",
		    error->message, NULL);
		g_error_free(error);
		return;
	}
	g_variant_unref(reply);
	g_signal_connect(monitor.conn, "closed", G_CALLBACK(on_closed), NULL);
	notifier_log(TXT_SIGNALS_MONITOR_ON, NULL);
}

/* A connection of our own: the shared one must stay able to send. */
static GDBusConnection *
connect_again(void)
{
	GError *error = NULL;
	GDBusConnection *conn = NULL;
	gchar *address =
	    g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL, &error);

	if (address != NULL)
		conn = g_dbus_connection_new_for_address_sync(address,
		    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		    NULL, NULL, &error);
	g_free(address);
	if (conn == NULL) {
		notifier_log(TXT_SIGNALS_MONITOR_REFUSED, "reason",
		    error->message, NULL);
		g_error_free(error);
	}
	return conn;
}

void
bus_monitor_start(void)
{
	if (monitor.rule_count == 0 || (monitor.conn = connect_again()) == NULL)
		return;
	g_dbus_connection_set_exit_on_close(monitor.conn, FALSE);
	monitor.own_name =
	    g_strdup(g_dbus_connection_get_unique_name(monitor.conn));
	g_dbus_connection_add_filter(monitor.conn, on_message, NULL, NULL);
	g_dbus_connection_call(monitor.conn, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring",
	    "BecomeMonitor",
	    g_variant_new("(^asu)", (gchar **)monitor.rules, 0u), NULL,
	    G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_become_monitor, NULL);
}
