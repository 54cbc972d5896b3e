/*
 * fritzbox.c: calls from a FRITZ!Box's call monitor (policy:
 * calls.fritzbox; see calls.h).
 *
 * Owns: the connection to the box (a tcplink) and the call monitor's
 * memory of its connections (core/fritzbox.c). Each line is read into a
 * call event and handed on; a line that cannot be read is logged and
 * skipped, and the next one read as usual. A line that could be read
 * proves the connection good.
 */
#include <stdlib.h>

#include "agent/daemon/calls.h"
#include "agent/daemon/tcplink.h"
#include "core/fritzbox.h"
#include "core/xalloc.h"

struct fritzbox_source {
	struct daemon *d;
	struct tcplink *link;
	struct fritz_monitor monitor;
	unsigned long calls; /* events handed on */
};

static void
on_line(void *arg, const char *line, size_t len)
{
	struct fritzbox_source *s = arg;
	struct call_event e;
	char why[256];

	switch (
	    fritz_monitor_line(&s->monitor, line, len, &e, why, sizeof why)) {
	case FRITZ_MALFORMED:
		tcplink_skipped(s->link, line, len, why);
		return;
	case FRITZ_EVENT:
		s->calls++;
		calls_report(s->d, &e, CALL_FRITZBOX);
		break;
	default:
		break;
	}
	tcplink_good(s->link);
}

static const struct tcplink_ops fritzbox_ops = {
	.line = on_line,
};

struct fritzbox_source *
fritzbox_start(struct daemon *d, const struct call_monitor *m)
{
	struct fritzbox_source *s = xcalloc(1, sizeof *s);

	s->d = d;
	fritz_monitor_init(&s->monitor);
	s->link = tcplink_open(d, calls_source_label(CALL_FRITZBOX), m->host,
	    m->port, FRITZ_LINE_MAX, &fritzbox_ops, s);
	return s;
}

json_t *
fritzbox_status(const struct fritzbox_source *s)
{
	json_t *st = tcplink_status(s->link);

	json_object_set_new(st, "calls", json_integer((json_int_t)s->calls));
	return st;
}

void
fritzbox_stop(struct fritzbox_source *s)
{
	if (s == NULL)
		return;
	tcplink_close(s->link);
	free(s);
}
