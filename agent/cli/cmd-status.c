/*
 * cmd-status.c: rdguard status [--json]: what rdguardd is doing now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "agent/cli/show.h"
#include "core/correlate.h"
#include "core/verdictline.h"

static enum text_id
mode_sentence(const char *mode)
{
	if (strcmp(mode, "monitor") == 0)
		return TXT_CLI_STATUS_MODE_MONITOR;
	if (strcmp(mode, "lockdown") == 0)
		return TXT_CLI_STATUS_MODE_LOCKDOWN;
	return TXT_CLI_STATUS_MODE_PROTECT;
}

static void
print_how_launches_are_seen(const json_t *s)
{
	const json_t *gate = json_object_get(s, "gate");
	char launches[24], tools[24], held[24], denied[24];
	char p50[16], p99[16], max[16];

	if (strcmp(show_str(s, "tier"), "gate") != 0) {
		show_line(TXT_CLI_STATUS_TIER_WATCH, "reason",
		    show_str(gate, "reason"), NULL);
		show_line(TXT_CLI_STATUS_WATCHED, "launches",
		    show_int(gate, "launches", launches, sizeof launches),
		    NULL);
		return;
	}
	show_line_n(TXT_CLI_STATUS_TIER_GATE,
	    (unsigned long)json_integer_value(
		json_object_get(gate, "filesystems")),
	    NULL);
	show_line(TXT_CLI_STATUS_COUNTS, "launches",
	    show_int(gate, "launches", launches, sizeof launches), "tools",
	    show_int(gate, "tools", tools, sizeof tools), "held",
	    show_int(gate, "held", held, sizeof held), "denied",
	    show_int(gate, "denied", denied, sizeof denied), NULL);
	show_line(TXT_CLI_STATUS_LATENCY, "p50",
	    show_real(gate, "p50_us", p50, sizeof p50), "p99",
	    show_real(gate, "p99_us", p99, sizeof p99), "max",
	    show_real(gate, "max_us", max, sizeof max), NULL);
}

/* A tool's listeners and connections, when the daemon looked at them. */
static void
print_sockets(const json_t *sockets)
{
	const json_t *ports = json_object_get(sockets, "listening"), *port;
	char list[128] = "";
	size_t i, used = 0;

	if (!json_is_object(sockets))
		return;
	json_array_foreach (ports, i, port) {
		int n = snprintf(list + used, sizeof list - used, "%s%lld",
		    i > 0 ? ", " : "", (long long)json_integer_value(port));

		if (n < 0 || (size_t)n >= sizeof list - used)
			break;
		used += (size_t)n;
	}
	if (json_array_size(ports) > 0)
		show_line_n(TXT_CLI_STATUS_TOOL_LISTENS,
		    (unsigned long)json_array_size(ports), "ports", list, NULL);
	show_line_n(TXT_CLI_STATUS_TOOL_CONNECTIONS,
	    (unsigned long)json_integer_value(
		json_object_get(sockets, "connections")),
	    NULL);
}

static void
print_tools(const json_t *tools)
{
	const json_t *t;
	size_t i;

	if (json_array_size(tools) == 0) {
		show_line(TXT_CLI_STATUS_NO_TOOLS, NULL);
		return;
	}
	show_line(TXT_CLI_STATUS_TOOLS_HEADER, NULL);
	json_array_foreach (tools, i, t) {
		char id[16], pid[16], since[32];
		bool held = strcmp(show_str(t, "state"), "held") == 0;

		show_line(held ? TXT_CLI_STATUS_TOOL_HELD
			       : TXT_CLI_STATUS_TOOL_RUNNING,
		    "id", show_int(t, "id", id, sizeof id), "name",
		    show_str(t, "name"), "user", show_user(t), "pid",
		    show_int(t, "pid", pid, sizeof pid), "since",
		    show_time(show_str(t, "since"), since, sizeof since), "exe",
		    show_str(t, "exe"), NULL);
		print_sockets(json_object_get(t, "sockets"));
	}
}

static void
print_allows(const json_t *allows)
{
	const json_t *a;
	size_t i;

	json_array_foreach (allows, i, a) {
		char until[32];

		show_line(TXT_CLI_STATUS_ALLOW, "tool", show_str(a, "tool"),
		    "who", show_who(a), "until",
		    show_time(show_str(a, "until"), until, sizeof until), NULL);
	}
}

static void
print_desktops(const json_t *s)
{
	long long n = json_integer_value(json_object_get(s, "notifiers"));

	if (n > 0)
		show_line_n(TXT_CLI_STATUS_NOTIFIERS, (unsigned long)n, NULL);
	else
		show_line(TXT_CLI_STATUS_NO_NOTIFIERS, NULL);
}

static void
print_alerts(const json_t *a)
{
	char sent[24], waiting[24];

	if (!json_is_string(json_object_get(a, "webhook")))
		return;
	show_line(TXT_CLI_STATUS_ALERTS, "url", show_str(a, "webhook"), "sent",
	    show_int(a, "sent", sent, sizeof sent), "waiting",
	    show_int(a, "waiting", waiting, sizeof waiting), NULL);
	if (json_is_string(json_object_get(a, "last_error")))
		show_line(TXT_CLI_STATUS_ALERTS_ERROR, "error",
		    show_str(a, "last_error"), NULL);
}

/* One destination of the log section: its counts, its last problem. */
static void
print_log_sink(const json_t *s)
{
	char sent[24], waiting[24], dropped[24];

	if (!json_is_object(s))
		return;
	show_line(strcmp(show_str(s, "state"), "connected") == 0
		? TXT_CLI_STATUS_LOG_UP
		: TXT_CLI_STATUS_LOG_DOWN,
	    "target", show_str(s, "target"), "sent",
	    show_int(s, "sent", sent, sizeof sent), "waiting",
	    show_int(s, "waiting", waiting, sizeof waiting), "dropped",
	    show_int(s, "dropped", dropped, sizeof dropped), NULL);
	if (json_is_string(json_object_get(s, "last_error")))
		show_line(TXT_CLI_STATUS_LOG_ERROR, "error",
		    show_str(s, "last_error"), NULL);
}

/* Where the policy is fetched from, how the last check went, the next. */
static void
print_updates(const json_t *u)
{
	const char *next_try =
	    json_string_value(json_object_get(u, "next_try"));
	char success[32], next[32], when[32];

	if (!json_is_string(json_object_get(u, "url")))
		return;
	if (next_try != NULL)
		show_time(next_try, next, sizeof next);
	else
		snprintf(
		    next, sizeof next, "%s", text(TXT_CLI_STATUS_UPDATES_NOW));
	if (json_is_string(json_object_get(u, "last_success"))) {
		show_time(show_str(u, "last_success"), success, sizeof success);
		show_line(TXT_CLI_STATUS_UPDATES, "url", show_str(u, "url"),
		    "success", success, "next", next, NULL);
	} else
		show_line(TXT_CLI_STATUS_UPDATES_NEVER, "url",
		    show_str(u, "url"), "next", next, NULL);
	if (json_is_string(json_object_get(u, "last_error"))) {
		show_time(show_str(u, "last_error_at"), when, sizeof when);
		show_line(TXT_CLI_STATUS_UPDATES_ERROR, "when", when, "error",
		    show_str(u, "last_error"), NULL);
	}
}

/* One call source: its state, then its last problem and skipped lines. */
static void
print_call_source(const char *source, const json_t *c)
{
	const char *state = show_str(c, "state");
	unsigned long n =
	    (unsigned long)json_integer_value(json_object_get(c, "calls"));
	char since[32];

	show_time(show_str(c, "since"), since, sizeof since);
	if (strcmp(state, "off") == 0) {
		show_line(TXT_CLI_STATUS_CALLS_OFF, "source", source, NULL);
		return;
	}
	if (strcmp(state, "connecting") == 0)
		show_line(TXT_CLI_STATUS_CALLS_CONNECTING, "source", source,
		    "where", show_str(c, "where"), NULL);
	else if (strcmp(state, "logging-in") == 0)
		show_line(TXT_CLI_STATUS_CALLS_LOGGING_IN, "source", source,
		    "where", show_str(c, "where"), NULL);
	else if (strcmp(state, "waiting") == 0)
		show_line(TXT_CLI_STATUS_CALLS_WAITING, "source", source, NULL);
	else if (strcmp(state, "retrying") == 0)
		show_line_n(TXT_CLI_STATUS_CALLS_RETRYING,
		    (unsigned long)json_integer_value(
			json_object_get(c, "retry_in")),
		    "source", source, "where", show_str(c, "where"), NULL);
	else if (json_object_get(c, "modems") != NULL)
		show_line_n(TXT_CLI_STATUS_CALLS_MODEMS,
		    (unsigned long)json_integer_value(
			json_object_get(c, "modems")),
		    "source", source, "since", since, NULL);
	else
		show_line_n(TXT_CLI_STATUS_CALLS_CONNECTED, n, "source", source,
		    "where", show_str(c, "where"), "since", since, NULL);
	if (json_is_string(json_object_get(c, "last_error")))
		show_line(TXT_CLI_STATUS_CALLS_ERROR, "error",
		    show_str(c, "last_error"), NULL);
	if (json_integer_value(json_object_get(c, "skipped")) > 0)
		show_line_n(TXT_CLI_STATUS_CALLS_SKIPPED,
		    (unsigned long)json_integer_value(
			json_object_get(c, "skipped")),
		    NULL);
}

/* The telephone call sources the daemon watches itself. */
static void
print_calls(const json_t *calls)
{
	if (calls == NULL)
		return; /* an older daemon */
	print_call_source("FRITZ!Box", json_object_get(calls, "fritzbox"));
	print_call_source("Asterisk", json_object_get(calls, "asterisk"));
	print_call_source(
	    "ModemManager", json_object_get(calls, "modemmanager"));
}

/* What happened lately that counts, each as its reason's sentence. */
static void
print_signals(const json_t *signals)
{
	const json_t *sig;
	size_t i;

	if (json_array_size(signals) == 0)
		return;
	show_line(TXT_CLI_STATUS_SIGNALS_HEADER, NULL);
	json_array_foreach (signals, i, sig) {
		char weight[16],
		    *text = verdict_reason_words(
			json_object_get(sig, "reason"), NULL, NULL);

		if (text == NULL)
			continue;
		show_line(TXT_CLI_STATUS_SIGNAL, "reason", text, "weight",
		    show_int(sig, "weight", weight, sizeof weight), NULL);
		free(text);
	}
}

/* Whether the policy is signed and managed, and which bundle is in force. */
static void
print_bundle(const json_t *b)
{
	char serial[32];
	enum text_id id = TXT_CLI_STATUS_MANAGED;

	if (b == NULL)
		return;
	if (!json_is_true(json_object_get(b, "managed"))) {
		show_line(TXT_CLI_STATUS_UNMANAGED, "dir",
		    show_str(b, "keys_dir"), NULL);
		return;
	}
	show_int(b, "serial", serial, sizeof serial);
	if (json_is_true(json_object_get(b, "forced")))
		id = TXT_CLI_STATUS_MANAGED_FORCED;
	else if (json_is_true(json_object_get(b, "expired")))
		id = TXT_CLI_STATUS_MANAGED_EXPIRED;
	else if (json_object_get(b, "expires") == NULL)
		id = TXT_CLI_STATUS_MANAGED_FOREVER;
	show_line(id, "serial", serial, "origin", show_str(b, "origin"),
	    "expires", show_str(b, "expires"), NULL);
	if (id != TXT_CLI_STATUS_MANAGED_FORCED &&
	    json_object_get(b, "key_id") != NULL)
		show_line(TXT_CLI_STATUS_MANAGED_KEY, "key", show_str(b, "key"),
		    "key_id", show_str(b, "key_id"), NULL);
}

static void
print_status(const json_t *s)
{
	char started[32];
	long long waiting;

	show_line(TXT_CLI_STATUS_HEADER, "version", show_str(s, "version"),
	    "mode", show_str(s, "mode"), "started",
	    show_time(show_str(s, "started"), started, sizeof started), NULL);
	show_line(mode_sentence(show_str(s, "mode")), NULL);
	print_how_launches_are_seen(s);
	show_line(strcmp(show_str(s, "hold"), "frozen") == 0
		? TXT_CLI_STATUS_HOLD_FROZEN
		: TXT_CLI_STATUS_HOLD_STOPPED,
	    NULL);
	show_line_n(TXT_CLI_STATUS_POLICY,
	    (unsigned long)json_integer_value(
		json_object_get(s, "catalog_tools")),
	    "policy", show_str(s, "policy"), "catalog", show_str(s, "catalog"),
	    NULL);
	print_bundle(json_object_get(s, "bundle"));
	waiting = json_integer_value(json_object_get(s, "journal_waiting"));
	if (waiting > 0)
		show_line_n(TXT_CLI_STATUS_JOURNAL_WAITING,
		    (unsigned long)waiting, NULL);
	print_desktops(s);
	print_alerts(json_object_get(s, "alerts"));
	print_log_sink(json_object_get(json_object_get(s, "log"), "syslog"));
	print_log_sink(json_object_get(json_object_get(s, "log"), "journald"));
	print_updates(json_object_get(s, "updates"));
	print_calls(json_object_get(s, "calls"));
	print_signals(json_object_get(s, "signals"));
	printf("\n");
	print_tools(json_object_get(s, "tools"));
	print_allows(json_object_get(s, "allows"));
}

static int
status_exec(const struct cli_options *o, int argc, char **argv)
{
	bool json = o->json;
	json_t *request, *reply;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0)
			return cli_usage(&cmd_status);
		json = true;
	}
	request = json_pack("{s:s}", "verb", "status");
	rc = client_call(o, request, &reply);
	json_decref(request);
	if (rc != CLI_OK) {
		json_decref(reply);
		return rc;
	}
	json_object_del(reply, "ok");
	if (json)
		show_json(reply);
	else
		print_status(reply);
	json_decref(reply);
	return CLI_OK;
}

const struct cli_verb cmd_status = {
	.name = "status",
	.usage = "[--json]",
	.summary = TXT_CLI_STATUS_SUMMARY,
	.exec = status_exec,
};
