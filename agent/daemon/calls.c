/*
 * calls.c: the call monitors over the daemon's life (see calls.h).
 *
 * Owns: the running sources and a copy of the settings each was started
 * with, so that a reload with the same settings leaves its connection
 * alone and one with other settings starts it afresh; and how many call
 * events each source handed on this minute: a source that reports more
 * than REPORTS_PER_MINUTE (a box gone mad, a flood of forged lines) has
 * the rest of the minute dropped, said once in the log. It owns nothing
 * of the policy it is given.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/daemon/calls.h"
#include "agent/daemon/log.h"
#include "agent/daemon/signals.h"
#include "core/xalloc.h"

#define REPORTS_PER_MINUTE 60

struct rate {
	long long minute_start_ms;
	unsigned count;
};

struct calls {
	struct daemon *d;
	struct call_monitor fritzbox_settings, asterisk_settings;
	struct fritzbox_source *fritzbox;
	struct asterisk_source *asterisk;
	struct modem_source *modem;
	struct rate rates[CALL_SOURCE_COUNT];
};

struct calls *
calls_new(struct daemon *d)
{
	struct calls *c = xcalloc(1, sizeof *c);

	c->d = d;
	return c;
}

const char *
calls_source_label(enum call_source source)
{
	switch (source) {
	case CALL_FRITZBOX:
		return "FRITZ!Box";
	case CALL_AMI:
		return "Asterisk";
	case CALL_MODEMMANAGER:
		return "ModemManager";
	default:
		return call_source_name(source);
	}
}

/* Whether a source may hand on one more event this minute. */
static bool
within_rate(struct calls *c, enum call_source source)
{
	struct rate *r = &c->rates[source];
	long long now = daemon_now_ms();

	if (now - r->minute_start_ms >= 60 * 1000) {
		r->minute_start_ms = now;
		r->count = 0;
	}
	if (++r->count == REPORTS_PER_MINUTE + 1)
		log_say_n(LOG_WARNING, TXT_CALLS_LOG_TOO_MANY,
		    REPORTS_PER_MINUTE, "source", calls_source_label(source),
		    NULL);
	return r->count <= REPORTS_PER_MINUTE;
}

void
calls_report(
    struct daemon *d, const struct call_event *e, enum call_source source)
{
	json_t *event;

	if (!within_rate(d->calls, source))
		return;
	if ((event = call_event_json(e, source)) != NULL)
		signals_take(d, event, -1);
	json_decref(event);
}

/* ---------------------------------------------------------------------- */
/* Settings                                                               */
/* ---------------------------------------------------------------------- */

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
same_monitor(const struct call_monitor *a, const struct call_monitor *b)
{
	return same_text(a->host, b->host) && a->port == b->port &&
	    same_text(a->username, b->username) &&
	    same_text(a->secret_file, b->secret_file);
}

static char *
copy_text(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
clear_monitor(struct call_monitor *m)
{
	free(m->host);
	free(m->username);
	free(m->secret_file);
	memset(m, 0, sizeof *m);
}

static void
copy_monitor(struct call_monitor *to, const struct call_monitor *from)
{
	clear_monitor(to);
	to->host = copy_text(from->host);
	to->port = from->port;
	to->username = copy_text(from->username);
	to->secret_file = copy_text(from->secret_file);
}

/* ---------------------------------------------------------------------- */
/* Starting and stopping                                                  */
/* ---------------------------------------------------------------------- */

static void
configure_fritzbox(struct calls *c, const struct call_monitor *m)
{
	if (c->fritzbox != NULL && same_monitor(&c->fritzbox_settings, m))
		return;
	fritzbox_stop(c->fritzbox);
	c->fritzbox = NULL;
	copy_monitor(&c->fritzbox_settings, m);
	if (m->host != NULL)
		c->fritzbox = fritzbox_start(c->d, m);
}

static void
configure_asterisk(struct calls *c, const struct call_monitor *m)
{
	if (c->asterisk != NULL && same_monitor(&c->asterisk_settings, m))
		return;
	asterisk_stop(c->asterisk);
	c->asterisk = NULL;
	copy_monitor(&c->asterisk_settings, m);
	if (m->host != NULL)
		c->asterisk = asterisk_start(c->d, m);
}

static void
configure_modem(struct calls *c, bool wanted)
{
	if (wanted && c->modem == NULL)
		c->modem = modem_start(c->d);
	else if (!wanted && c->modem != NULL) {
		modem_stop(c->modem);
		c->modem = NULL;
	}
}

void
calls_configure(struct calls *c, const struct policy *p)
{
	configure_fritzbox(c, &p->fritzbox);
	configure_asterisk(c, &p->asterisk);
	configure_modem(c, p->modemmanager);
}

static json_t *
off(void)
{
	return json_pack("{s:s}", "state", "off");
}

json_t *
calls_status(struct calls *c)
{
	return json_pack("{s:o,s:o,s:o}", "fritzbox",
	    c->fritzbox != NULL ? fritzbox_status(c->fritzbox) : off(),
	    "asterisk",
	    c->asterisk != NULL ? asterisk_status(c->asterisk) : off(),
	    "modemmanager", c->modem != NULL ? modem_status(c->modem) : off());
}

void
calls_free(struct calls *c)
{
	if (c == NULL)
		return;
	fritzbox_stop(c->fritzbox);
	asterisk_stop(c->asterisk);
	modem_stop(c->modem);
	clear_monitor(&c->fritzbox_settings);
	clear_monitor(&c->asterisk_settings);
	free(c);
}
