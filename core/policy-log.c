/*
 * policy-log.c: reads the policy's log section (see policy-log.h) and
 * takes syslog addresses apart.
 *
 * Owns the memory of struct log_settings. Sending is the daemon's
 * (agent/daemon/logsend.c); formatting is core/logformat.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy-read.h"
#include "core/xalloc.h"

const char *const log_facility_names[] = { "daemon", "auth", "authpriv", "user",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7", NULL };

int
log_facility_code(int facility_index)
{
	static const int codes[] = { 3, 4, 10, 1, 16, 17, 18, 19, 20, 21, 22,
		23 };

	if (facility_index < 0 ||
	    (size_t)facility_index >= sizeof codes / sizeof codes[0])
		return 3;
	return codes[facility_index];
}

/* "host", "host:port", "[v6]", "[v6]:port": the part after tcp:// */
static int
parse_host_port(const char *s, struct log_target *t)
{
	const char *end, *colon;
	size_t len;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		s++;
		len = (size_t)(end - s);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strchr(s, ':');
		len = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (len == 0 || len >= sizeof t->host ||
	    strcspn(s, " \t\r\n/\\\"'@?#") < len)
		return -1;
	memcpy(t->host, s, len);
	t->host[len] = '\0';
	if (colon != NULL) {
		char *stop;
		long port = strtol(colon + 1, &stop, 10);

		if (colon[1] < '0' || colon[1] > '9' || *stop != '\0' ||
		    port < 1 || port > 65535)
			return -1;
		t->port = (int)port;
	}
	return 0;
}

int
log_target_parse(const char *s, struct log_target *t)
{
	memset(t, 0, sizeof *t);
	if (strncmp(s, "unix:", 5) == 0) {
		t->transport = LOG_TO_UNIX;
		s += 5;
		if (s[0] != '/' || strlen(s) > LOG_UNIX_PATH_MAX)
			return -1;
		snprintf(t->host, sizeof t->host, "%s", s);
		return 0;
	}
	if (strncmp(s, "tcp://", 6) == 0) {
		t->transport = LOG_TO_TCP;
		t->port = LOG_TCP_PORT;
		return parse_host_port(s + 6, t);
	}
	if (strncmp(s, "tls://", 6) == 0) {
		t->transport = LOG_TO_TLS;
		t->port = LOG_TLS_PORT;
		return parse_host_port(s + 6, t);
	}
	return -1;
}

void
policy_free_log(struct log_settings *l)
{
	free(l->syslog);
	free(l->ca_file);
	l->syslog = l->ca_file = NULL;
}

static void
read_syslog(const struct yd_doc *doc, const struct yd_node *n,
    struct log_settings *out, struct diag *d)
{
	struct log_target t;

	if (n == NULL || policy_node_empty(n))
		return;
	policy_read_text(doc, n, &out->syslog, d);
	if (out->syslog != NULL && log_target_parse(out->syslog, &t) != 0)
		yd_error(doc, n, d, TXT_ERR_POLICY_LOG_ADDRESS, "address",
		    out->syslog, NULL);
}

void
policy_read_log(const struct yd_doc *doc, const struct yd_node *n,
    struct log_settings *out, struct diag *d)
{
	static const char *const keys[] = { "syslog", "ca_file", "journald",
		"facility", NULL };
	const struct yd_node *v;
	struct log_target t;

	if (!policy_section(doc, n, keys, d))
		return;
	read_syslog(doc, yd_lookup(n, "syslog"), out, d);
	policy_read_text(doc, yd_lookup(n, "ca_file"), &out->ca_file, d);
	if ((v = yd_lookup(n, "journald")) != NULL &&
	    policy_want_scalar(doc, v, d) == 0)
		yd_bool(doc, v, &out->journald, d);
	policy_read_choice(doc, yd_lookup(n, "facility"), log_facility_names,
	    &out->facility_index, d);
	v = yd_lookup(n, "ca_file");
	if (v != NULL && out->ca_file != NULL &&
	    (out->syslog == NULL ||
		(log_target_parse(out->syslog, &t) == 0 &&
		    t.transport != LOG_TO_TLS)))
		yd_error(doc, v, d, TXT_ERR_POLICY_LOG_CA_WITHOUT_TLS, NULL);
}
