/*
 * modem.c: calls from ModemManager's modems, on the system bus (policy:
 * calls.modemmanager; see calls.h and docs/calls.md).
 *
 * Owns: an sd-bus connection to the system bus, run by the daemon's libevent
 * loop (its descriptor, the events it wants and its timeout, re-armed after
 * every turn); which process owns the name org.freedesktop.ModemManager1;
 * the modems with the Voice interface and the calls being followed
 * (core/mmcall.c). Nothing here waits for an answer: every method call is
 * asynchronous.
 *
 * The flow: the owner of ModemManager's name is asked for and then
 * followed (NameOwnerChanged), so a ModemManager that is missing, starts
 * later or restarts is fine. When it is there, its ObjectManager lists the
 * modems; a modem's Voice interface lists its Calls and says CallAdded and
 * CallDeleted; each Call's properties (State, Direction, Number) are read
 * once, and followed through StateChanged and PropertiesChanged. Signals
 * count only when they come from ModemManager's present owner: any program
 * on the system bus may send a signal that looks like its. A lost bus is
 * tried again after a pause from 1 s, doubling to 5 minutes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "agent/daemon/calls.h"
#include "agent/daemon/log.h"
#include "core/mmcall.h"
#include "core/text.h"
#include "core/xalloc.h"

#define MM_NAME        "org.freedesktop.ModemManager1"
#define MM_PATH        "/org/freedesktop/ModemManager1"
#define MM_VOICE       "org.freedesktop.ModemManager1.Modem.Voice"
#define MM_CALL        "org.freedesktop.ModemManager1.Call"
#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES     "org.freedesktop.DBus.Properties"
#define BUS_NAME       "org.freedesktop.DBus"

#define CALLS_MAX      16
#define MODEMS_MAX     8
#define PAUSE_FIRST_MS 1000
#define PAUSE_MAX_MS   (5 * 60 * 1000)

enum modem_state {
	MODEM_CONNECTING,
	MODEM_WAITING,
	MODEM_WATCHING,
	MODEM_RETRYING
};

struct modem_source {
	struct daemon *d;
	sd_bus *bus;
	struct event *io, *bus_timer, *retry_timer;
	enum modem_state state;
	char *owner; /* ModemManager's unique name, while it runs */
	char *modems[MODEMS_MAX]; /* paths of modems with Voice */
	struct mm_call calls[CALLS_MAX];
	bool call_used[CALLS_MAX];
	char where[256];
	long long pause_ms, retry_at_ms, since_ms;
	char *last_error;
	unsigned long reported, skipped;
};

static void bus_open(struct modem_source *s);
static void on_bus(evutil_socket_t fd, short what, void *arg);

/* ---------------------------------------------------------------------- */
/* Calls                                                                  */
/* ---------------------------------------------------------------------- */

static void
report(struct modem_source *s, bool news, const struct call_event *e)
{
	if (!news)
		return;
	s->reported++;
	calls_report(s->d, e, CALL_MODEMMANAGER);
}

static struct mm_call *
find_call(struct modem_source *s, const char *path)
{
	for (size_t i = 0; i < CALLS_MAX; i++)
		if (s->call_used[i] && strcmp(s->calls[i].path, path) == 0)
			return &s->calls[i];
	return NULL;
}

static void
forget_call(struct modem_source *s, struct mm_call *c)
{
	s->call_used[c - s->calls] = false;
}

/* Ends every call followed (ModemManager went away). */
static void
end_all_calls(struct modem_source *s)
{
	struct call_event e;

	for (size_t i = 0; i < CALLS_MAX; i++) {
		if (!s->call_used[i])
			continue;
		report(s, mm_call_gone(&s->calls[i], &e), &e);
		s->call_used[i] = false;
	}
}

static void
skipped(struct modem_source *s, int r)
{
	s->skipped++;
	log_say(LOG_WARNING, TXT_CALLS_LOG_MM_SKIPPED, "reason", strerror(-r),
	    NULL);
}

/* Reads a call's a{sv}: Direction and Number first, then State. */
static int
read_call_properties(
    struct modem_source *s, struct mm_call *c, sd_bus_message *m)
{
	int state = -1, direction = -1, r;
	const char *key, *number = NULL;
	struct call_event e;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0)
			return r;
		if (strcmp(key, "State") == 0)
			r = sd_bus_message_read(m, "v", "i", &state);
		else if (strcmp(key, "Direction") == 0)
			r = sd_bus_message_read(m, "v", "i", &direction);
		else if (strcmp(key, "Number") == 0)
			r = sd_bus_message_read(m, "v", "s", &number);
		else
			r = sd_bus_message_skip(m, "v");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	if (direction >= 0)
		mm_call_direction(c, direction);
	if (number != NULL)
		report(s, mm_call_number(c, number, &e), &e);
	if (state >= 0)
		report(s, mm_call_state(c, state, &e), &e);
	return 0;
}

/* A GetAll in flight: the reply does not say which call it is about. */
struct reading {
	struct modem_source *s;
	char path[CALL_ID_MAX];
};

static int
on_call_read(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct reading *rd = arg;
	struct mm_call *c = find_call(rd->s, rd->path);
	int r;

	if (c == NULL || sd_bus_message_is_method_error(m, NULL))
		return 0; /* gone already */
	if ((r = read_call_properties(rd->s, c, m)) < 0)
		skipped(rd->s, r);
	return 0;
}

static void
read_call(struct modem_source *s, const char *path)
{
	struct reading *rd = xcalloc(1, sizeof *rd);
	sd_bus_slot *slot = NULL;

	rd->s = s;
	snprintf(rd->path, sizeof rd->path, "%s", path);
	if (sd_bus_call_method_async(s->bus, &slot, MM_NAME, path, PROPERTIES,
		"GetAll", on_call_read, rd, "s", MM_CALL) < 0) {
		free(rd);
		return;
	}
	/* The bus frees rd with the slot: after the reply, or on closing. */
	sd_bus_slot_set_destroy_callback(slot, free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
}

/* Follows a call from now on, and reads its properties. */
static struct mm_call *
add_call(struct modem_source *s, const char *path)
{
	struct mm_call *c = find_call(s, path);
	size_t i;

	if (c != NULL)
		return c;
	for (i = 0; i < CALLS_MAX && s->call_used[i]; i++)
		;
	/* Full: a call already over makes room. */
	for (size_t j = 0; i == CALLS_MAX && j < CALLS_MAX; j++)
		if (s->calls[j].reported == MM_REPORTED_OVER)
			i = j;
	if (i == CALLS_MAX || !mm_call_init(&s->calls[i], path))
		return NULL;
	s->call_used[i] = true;
	read_call(s, path);
	return &s->calls[i];
}

/* Reads an "ao" of call paths and follows each. */
static int
add_calls(struct modem_source *s, sd_bus_message *m)
{
	const char *path;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'a', "o")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "o", &path)) > 0)
		add_call(s, path);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* ---------------------------------------------------------------------- */
/* Modems                                                                 */
/* ---------------------------------------------------------------------- */

static size_t
modem_count(const struct modem_source *s)
{
	size_t n = 0;

	for (size_t i = 0; i < MODEMS_MAX; i++)
		n += s->modems[i] != NULL;
	return n;
}

static void
note_modem(struct modem_source *s, const char *path)
{
	size_t free_slot = MODEMS_MAX;

	for (size_t i = 0; i < MODEMS_MAX; i++) {
		if (s->modems[i] != NULL && strcmp(s->modems[i], path) == 0)
			return;
		if (s->modems[i] == NULL && free_slot == MODEMS_MAX)
			free_slot = i;
	}
	if (free_slot < MODEMS_MAX)
		s->modems[free_slot] = xstrdup(path);
}

static void
forget_modem(struct modem_source *s, const char *path)
{
	for (size_t i = 0; i < MODEMS_MAX; i++) {
		if (s->modems[i] != NULL && strcmp(s->modems[i], path) == 0) {
			free(s->modems[i]);
			s->modems[i] = NULL;
		}
	}
}

static void
forget_modems(struct modem_source *s)
{
	for (size_t i = 0; i < MODEMS_MAX; i++) {
		free(s->modems[i]);
		s->modems[i] = NULL;
	}
}

/* The properties of a modem's Voice interface: its Calls. */
static int
read_voice(struct modem_source *s, const char *path, sd_bus_message *m)
{
	const char *key;
	int r;

	note_modem(s, path);
	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0)
			return r;
		if (strcmp(key, "Calls") == 0) {
			if ((r = sd_bus_message_enter_container(m, 'v', "ao")) <
				0 ||
			    (r = add_calls(s, m)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				return r;
		} else if ((r = sd_bus_message_skip(m, "v")) < 0)
			return r;
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* An object's a{sa{sv}}: the interfaces it has, with their properties. */
static int
read_interfaces(struct modem_source *s, const char *path, sd_bus_message *m)
{
	const char *iface;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
			return r;
		r = strcmp(iface, MM_VOICE) == 0
		    ? read_voice(s, path, m)
		    : sd_bus_message_skip(m, "a{sv}");
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int
on_managed_objects(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *path;
	int r;

	if (sd_bus_message_is_method_error(m, NULL))
		return 0; /* it went away again; NameOwnerChanged follows */
	if ((r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}")) < 0)
		goto bad;
	while ((r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
		if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
		    (r = read_interfaces(s, path, m)) < 0 ||
		    (r = sd_bus_message_exit_container(m)) < 0)
			goto bad;
	}
	if (r >= 0)
		return 0;
bad:
	skipped(s, r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* ModemManager's name                                                    */
/* ---------------------------------------------------------------------- */

static void
modem_manager_appeared(struct modem_source *s, const char *owner)
{
	free(s->owner);
	s->owner = xstrdup(owner);
	s->state = MODEM_WATCHING;
	s->since_ms = daemon_now_ms();
	log_say(LOG_INFO, TXT_CALLS_LOG_MM_UP, NULL);
	sd_bus_call_method_async(s->bus, NULL, MM_NAME, MM_PATH, OBJECT_MANAGER,
	    "GetManagedObjects", on_managed_objects, s, "");
}

static void
modem_manager_gone(struct modem_source *s)
{
	end_all_calls(s);
	forget_modems(s);
	free(s->owner);
	s->owner = NULL;
	s->state = MODEM_WAITING;
	log_say(LOG_INFO, TXT_CALLS_LOG_MM_GONE, NULL);
}

static int
on_name_owner(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *owner;

	s->pause_ms = PAUSE_FIRST_MS; /* the bus answers: it works */
	free(s->last_error);
	s->last_error = NULL;
	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_read(m, "s", &owner) < 0) {
		modem_manager_gone(s);
		return 0;
	}
	modem_manager_appeared(s, owner);
	return 0;
}

static bool
from_bus(sd_bus_message *m)
{
	const char *sender = sd_bus_message_get_sender(m);

	return sender != NULL && strcmp(sender, BUS_NAME) == 0;
}

static bool
from_modem_manager(const struct modem_source *s, sd_bus_message *m)
{
	const char *sender = sd_bus_message_get_sender(m);

	return s->owner != NULL && sender != NULL &&
	    strcmp(sender, s->owner) == 0;
}

static int
on_name_owner_changed(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *name, *old_owner, *new_owner;

	if (!from_bus(m) ||
	    sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 ||
	    strcmp(name, MM_NAME) != 0)
		return 0;
	if (s->owner != NULL)
		modem_manager_gone(s);
	if (new_owner[0] != '\0')
		modem_manager_appeared(s, new_owner);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* ModemManager's signals                                                 */
/* ---------------------------------------------------------------------- */

static int
on_interfaces_added(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *path;
	int r;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
	    (r = read_interfaces(s, path, m)) < 0)
		skipped(s, r);
	return 0;
}

static int
on_interfaces_removed(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *path, *iface;
	int r;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(m, "o", &path)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
		goto bad;
	while ((r = sd_bus_message_read(m, "s", &iface)) > 0)
		if (strcmp(iface, MM_VOICE) == 0)
			forget_modem(s, path);
	if (r >= 0)
		return 0;
bad:
	skipped(s, r);
	return 0;
}

static int
on_call_added(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *path;
	int r;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(m, "o", &path)) < 0)
		skipped(s, r);
	else
		add_call(s, path);
	return 0;
}

static int
on_call_deleted(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	struct call_event e;
	struct mm_call *c;
	const char *path;
	int r;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(m, "o", &path)) < 0) {
		skipped(s, r);
		return 0;
	}
	if ((c = find_call(s, path)) != NULL) {
		report(s, mm_call_gone(c, &e), &e);
		forget_call(s, c);
	}
	return 0;
}

/* StateChanged(i old, i new, u reason) on a Call. */
static int
on_state_changed(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	struct call_event e;
	struct mm_call *c;
	int old_state, new_state, r;
	uint32_t reason;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(
		 m, "iiu", &old_state, &new_state, &reason)) < 0) {
		skipped(s, r);
		return 0;
	}
	if ((c = add_call(s, sd_bus_message_get_path(m))) != NULL)
		report(s, mm_call_state(c, new_state, &e), &e);
	return 0;
}

/* PropertiesChanged(s interface, a{sv} changed, as invalidated). */
static int
on_properties_changed(sd_bus_message *m, void *arg, sd_bus_error *error)
{
	struct modem_source *s = arg;
	const char *iface;
	struct mm_call *c;
	int r;

	if (!from_modem_manager(s, m))
		return 0;
	if ((r = sd_bus_message_read(m, "s", &iface)) < 0) {
		skipped(s, r);
		return 0;
	}
	if (strcmp(iface, MM_CALL) != 0 ||
	    (c = find_call(s, sd_bus_message_get_path(m))) == NULL)
		return 0;
	if ((r = read_call_properties(s, c, m)) < 0)
		skipped(s, r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The bus in the loop                                                    */
/* ---------------------------------------------------------------------- */

static const struct {
	const char *rule;
	sd_bus_message_handler_t handler;
} matches[] = {
	{ "type='signal',sender='" BUS_NAME "',path='/org/freedesktop/DBus',"
	  "interface='" BUS_NAME "',member='NameOwnerChanged',"
	  "arg0='" MM_NAME "'",
	    on_name_owner_changed },
	{ "type='signal',path='" MM_PATH "',interface='" OBJECT_MANAGER "',"
	  "member='InterfacesAdded'",
	    on_interfaces_added },
	{ "type='signal',path='" MM_PATH "',interface='" OBJECT_MANAGER "',"
	  "member='InterfacesRemoved'",
	    on_interfaces_removed },
	{ "type='signal',interface='" MM_VOICE "',member='CallAdded'",
	    on_call_added },
	{ "type='signal',interface='" MM_VOICE "',member='CallDeleted'",
	    on_call_deleted },
	{ "type='signal',interface='" MM_CALL "',member='StateChanged'",
	    on_state_changed },
	{ "type='signal',interface='" PROPERTIES "',member='PropertiesChanged',"
	  "arg0='" MM_CALL "'",
	    on_properties_changed },
};

static long long
monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void bus_lost(struct modem_source *s, char *why);

/* Waits for what sd-bus wants next: its descriptor, its timeout. */
static void
rearm(struct modem_source *s)
{
	int events = sd_bus_get_events(s->bus);
	uint64_t until;
	short what = 0;

	if (events < 0) {
		bus_lost(s, text_printf(TXT_CALLS_WHY_BUS_LOST, NULL));
		return;
	}
	what |= (events & POLLIN) ? EV_READ : 0;
	what |= (events & POLLOUT) ? EV_WRITE : 0;
	event_del(s->io);
	event_assign(s->io, s->d->base, sd_bus_get_fd(s->bus), what, on_bus, s);
	event_add(s->io, NULL);
	evtimer_del(s->bus_timer);
	if (sd_bus_get_timeout(s->bus, &until) >= 0 && until != UINT64_MAX) {
		long long left = (long long)until - monotonic_us();
		struct timeval tv = { 0, 0 };

		if (left > 0) {
			tv.tv_sec = left / 1000000;
			tv.tv_usec = left % 1000000;
		}
		evtimer_add(s->bus_timer, &tv);
	}
}

/* Runs sd-bus until it has nothing more to do. */
static void
process(struct modem_source *s)
{
	int r;

	while ((r = sd_bus_process(s->bus, NULL)) > 0)
		;
	if (r < 0 || sd_bus_is_open(s->bus) <= 0) {
		bus_lost(s, text_printf(TXT_CALLS_WHY_BUS_LOST, NULL));
		return;
	}
	rearm(s);
}

static void
on_bus(evutil_socket_t fd, short what, void *arg)
{
	process(arg);
}

static void
close_bus(struct modem_source *s)
{
	if (s->bus == NULL)
		return;
	event_del(s->io);
	evtimer_del(s->bus_timer);
	s->bus = sd_bus_flush_close_unref(s->bus);
}

/* Closes the bus and tries again after the pause. */
static void
bus_lost(struct modem_source *s, char *why)
{
	struct timeval tv = { s->pause_ms / 1000, (s->pause_ms % 1000) * 1000 };

	if (s->owner != NULL)
		modem_manager_gone(s);
	close_bus(s);
	s->state = MODEM_RETRYING;
	s->retry_at_ms = daemon_now_ms() + s->pause_ms;
	evtimer_add(s->retry_timer, &tv);
	log_say_n(LOG_WARNING, TXT_CALLS_LOG_RETRY,
	    (unsigned long)(s->pause_ms / 1000), "source",
	    calls_source_label(CALL_MODEMMANAGER), "where", s->where, "reason",
	    why, NULL);
	free(s->last_error);
	s->last_error = why;
	s->pause_ms =
	    s->pause_ms * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : s->pause_ms * 2;
}

static int
subscribe(struct modem_source *s)
{
	int r;

	for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++)
		if ((r = sd_bus_add_match_async(s->bus, NULL, matches[i].rule,
			 matches[i].handler, NULL, s)) < 0)
			return r;
	return sd_bus_call_method_async(s->bus, NULL, BUS_NAME,
	    "/org/freedesktop/DBus", BUS_NAME, "GetNameOwner", on_name_owner, s,
	    "s", MM_NAME);
}

static void
bus_open(struct modem_source *s)
{
	int r;

	s->state = MODEM_CONNECTING;
	if ((r = sd_bus_open_system(&s->bus)) < 0 || (r = subscribe(s)) < 0) {
		bus_lost(s,
		    text_printf(
			TXT_CALLS_WHY_BUS, "reason", strerror(-r), NULL));
		return;
	}
	rearm(s);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	bus_open(arg);
}

/* ---------------------------------------------------------------------- */
/* The source                                                             */
/* ---------------------------------------------------------------------- */

struct modem_source *
modem_start(struct daemon *d)
{
	struct modem_source *s = xcalloc(1, sizeof *s);
	const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	s->d = d;
	snprintf(s->where, sizeof s->where, "%s",
	    address != NULL ? address
			    : "unix:path=/run/dbus/system_bus_socket");
	s->pause_ms = PAUSE_FIRST_MS;
	s->io = event_new(d->base, -1, 0, on_bus, s);
	s->bus_timer = evtimer_new(d->base, on_bus, s);
	s->retry_timer = evtimer_new(d->base, on_retry, s);
	s->state = MODEM_CONNECTING;
	event_active(s->retry_timer, EV_TIMEOUT, 0);
	return s;
}

json_t *
modem_status(const struct modem_source *s)
{
	static const char *const states[] = { "connecting", "waiting",
		"connected", "retrying" };
	long long left = s->retry_at_ms - daemon_now_ms();
	char since[40];

	journal_time(s->since_ms, since, sizeof since);
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:I,s:I,s:I}", "state",
	    states[s->state], "where", s->where, "since",
	    s->state == MODEM_WATCHING ? json_string(since) : json_null(),
	    "retry_in",
	    s->state == MODEM_RETRYING
		? json_integer(left > 0 ? (left + 999) / 1000 : 0)
		: json_null(),
	    "last_error",
	    s->last_error != NULL ? json_string(s->last_error) : json_null(),
	    "modems", (json_int_t)modem_count(s), "calls",
	    (json_int_t)s->reported, "skipped", (json_int_t)s->skipped);
}

void
modem_stop(struct modem_source *s)
{
	if (s == NULL)
		return;
	close_bus(s);
	event_free(s->io);
	event_free(s->bus_timer);
	event_free(s->retry_timer);
	forget_modems(s);
	free(s->owner);
	free(s->last_error);
	free(s);
}
