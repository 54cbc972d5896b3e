/*
 * outbox.c: the signals on their way to rdguardd.
 *
 * Every source hands its events here (outbox_send). They go to the daemon
 * one at a time with the `signal` verb on link.c's connection, in the order
 * they happened; the next goes when the daemon has answered the last
 * ("reply_to":"signal"). An event the daemon finds wrong is logged and
 * dropped; one it refuses for coming too fast ("too-many") goes again
 * after a pause; one whose answer was lost with the connection goes again
 * after the next register. While the daemon is away the newest
 * SIGNALS_KEPT wait, each with the time it happened ("at"), the oldest
 * dropped first.
 *
 * Owns the waiting events. A signal can reach the daemon twice (taken, and
 * the connection lost before its answer): that makes rdguard no less
 * careful.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/notifier/notifier.h"

#define PAUSE_S 2 /* after "too-many" */

static struct {
	json_t *events[SIGNALS_KEPT]; /* a ring, oldest at first */
	size_t first, count;
	bool in_flight;        /* the oldest was sent; its answer is due */
	bool paused;           /* the daemon asked us to slow down */
	unsigned long dropped; /* since the log last said so */
} box;

/* Now in RFC 3339, UTC, to the millisecond: 2026-11-25T10:02:00.250Z. */
static json_t *
now_rfc3339(void)
{
	gint64 us = g_get_real_time();
	time_t s = (time_t)(us / G_USEC_PER_SEC);
	struct tm tm;
	char buf[40];
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(us / 1000 % 1000));
	return json_string(buf);
}

static json_t **
slot(size_t i)
{
	return &box.events[(box.first + i) % SIGNALS_KEPT];
}

/* Removes the i-th oldest event, keeping the order of the others. */
static void
remove_at(size_t i)
{
	json_decref(*slot(i));
	for (; i + 1 < box.count; i++)
		*slot(i) = *slot(i + 1);
	box.count--;
}

static void
remove_oldest(void)
{
	json_decref(*slot(0));
	box.first = (box.first + 1) % SIGNALS_KEPT;
	box.count--;
}

static void
send_next(void)
{
	if (box.in_flight || box.paused || box.count == 0 || !link_connected())
		return;
	if (box.dropped > 0)
		notifier_log_n(TXT_SIGNALS_DROPPED, box.dropped, NULL);
	box.dropped = 0;
	box.in_flight = link_send(
	    json_pack("{s:s,s:O}", "verb", "signal", "event", *slot(0)));
}

static gboolean
resume(gpointer data)
{
	box.paused = false;
	send_next();
	return G_SOURCE_REMOVE;
}

void
outbox_send(json_t *event)
{
	if (event == NULL)
		return;
	if (json_object_get(event, "at") == NULL)
		json_object_set_new(event, "at", now_rfc3339());
	if (box.count == SIGNALS_KEPT) {
		/* The oldest that is not awaiting its answer. */
		remove_at(box.in_flight ? 1 : 0);
		box.dropped++;
	}
	*slot(box.count++) = event;
	send_next();
}

bool
outbox_on_reply(const json_t *msg)
{
	const char *to = json_string_value(json_object_get(msg, "reply_to"));
	const char *error = json_string_value(json_object_get(msg, "error"));
	const char *why = json_string_value(json_object_get(msg, "message"));

	if (to == NULL || strcmp(to, "signal") != 0)
		return false;
	if (!box.in_flight)
		return true; /* not ours to answer any more */
	box.in_flight = false;
	if (error != NULL && strcmp(error, "too-many") == 0) {
		box.paused = true;
		g_timeout_add_seconds(PAUSE_S, resume, NULL);
		return true;
	}
	if (!json_is_true(json_object_get(msg, "ok")))
		notifier_log(TXT_SIGNALS_REFUSED, "message",
		    why != NULL ? why : "", NULL);
	remove_oldest();
	send_next();
	return true;
}

void
outbox_on_connected(void)
{
	box.in_flight = false;
	send_next();
}

void
outbox_on_disconnected(void)
{
	box.in_flight = false; /* its answer is lost: it goes again */
}
