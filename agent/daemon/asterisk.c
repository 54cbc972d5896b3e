/*
 * asterisk.c: calls from an Asterisk server's manager interface (policy:
 * calls.asterisk; see calls.h and docs/calls.md).
 *
 * Owns: the connection (a tcplink), where the conversation is (banner,
 * login, watching), the message reader and the calls being followed
 * (core/ami.c, core/amicalls.c). On every connection: the banner
 * ("Asterisk Call Manager/..."), then "Action: Login" with the policy's
 * user and the secret read afresh from its file (refused when others than
 * root can read or change the file), asking only for call events; the
 * answer must come within 10 s. A refused login is logged and tried again
 * after the pause, which keeps growing until a login succeeds. The secret
 * is kept in memory only while the login is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent/daemon/calls.h"
#include "agent/daemon/log.h"
#include "agent/daemon/tcplink.h"
#include "core/amicalls.h"
#include "core/text.h"
#include "core/xalloc.h"

#define BANNER          "Asterisk Call Manager/"
#define ANSWER_WITHIN_S 10
#define SECRET_MAX      1024
#define USERNAME_MAX    128
#define SHOWN_MAX       80

enum phase { PHASE_BANNER, PHASE_LOGIN, PHASE_WATCHING };

struct asterisk_source {
	struct daemon *d;
	struct tcplink *link;
	char *username;
	char *secret_file;
	bool up;
	enum phase phase;
	struct event *answer_timer; /* the banner and the login's answer */
	struct ami_reader reader;
	struct ami_calls calls;
	unsigned long reported;
};

/* ---------------------------------------------------------------------- */
/* The secret                                                             */
/* ---------------------------------------------------------------------- */

/* Whether a file holding a password is safe: root's, for root alone. */
static char *
check_secret_file(const char *file, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return text_printf(
		    TXT_CALLS_WHY_SECRET_NOT_FILE, "file", file, NULL);
	if (st->st_uid != geteuid() ||
	    (st->st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0)
		return text_printf(
		    TXT_CALLS_WHY_SECRET_UNSAFE, "file", file, NULL);
	return NULL;
}

/* The password: one line, without its end. */
static bool
secret_from(char *buf, size_t len)
{
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0 || len > SECRET_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\r' || buf[i] == '\n' || buf[i] == '\0')
			return false;
	return true;
}

/*
 * Reads the secret into buf (SECRET_MAX + 3 bytes). Returns NULL, or why
 * it cannot (caller frees).
 */
static char *
read_secret(const char *file, char *buf, size_t size)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char max[16], *why;
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) != 0) {
		why = text_printf(TXT_CALLS_WHY_SECRET_UNREADABLE, "file", file,
		    "reason", strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		return why;
	}
	if ((why = check_secret_file(file, &st)) != NULL) {
		close(fd);
		return why;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return text_printf(TXT_CALLS_WHY_SECRET_UNREADABLE, "file",
		    file, "reason", strerror(errno), NULL);
	buf[n] = '\0';
	if (secret_from(buf, (size_t)n))
		return NULL;
	snprintf(max, sizeof max, "%d", SECRET_MAX);
	return text_printf(
	    TXT_CALLS_WHY_SECRET_BAD, "file", file, "max", max, NULL);
}

/* ---------------------------------------------------------------------- */
/* The conversation                                                       */
/* ---------------------------------------------------------------------- */

static void
fail(struct asterisk_source *s, char *why)
{
	tcplink_fail(s->link, why);
	free(why);
}

static bool
username_sendable(const char *user)
{
	char copy[USERNAME_MAX];

	return call_text_copy(copy, sizeof copy, user, strlen(user));
}

/* Action: Login, asking for call events only. */
static void
send_login(struct asterisk_source *s)
{
	char secret[SECRET_MAX + 3], *login, *why;

	if (!username_sendable(s->username)) {
		fail(s,
		    text_printf(
			TXT_CALLS_WHY_USER_BAD, "user", s->username, NULL));
		return;
	}
	if ((why = read_secret(s->secret_file, secret, sizeof secret)) !=
	    NULL) {
		fail(s, why);
		return;
	}
	login = xasprintf("Action: Login\r\nActionID: rdguard-login\r\n"
			  "Username: %s\r\nSecret: %s\r\nEvents: call\r\n\r\n",
	    s->username, secret);
	tcplink_send(s->link, login, strlen(login));
	explicit_bzero(secret, sizeof secret);
	explicit_bzero(login, strlen(login));
	free(login);
	s->phase = PHASE_LOGIN;
}

static void
on_banner(struct asterisk_source *s, const char *line, size_t len)
{
	char shown[SHOWN_MAX];

	if (len >= sizeof BANNER - 1 &&
	    memcmp(line, BANNER, sizeof BANNER - 1) == 0) {
		send_login(s);
		return;
	}
	call_text_shown(shown, sizeof shown, line, len);
	fail(s, text_printf(TXT_CALLS_WHY_NOT_AMI, "line", shown, NULL));
}

/* The answer to the login: Success, or why not. */
static void
on_login_answer(struct asterisk_source *s, const struct ami_message *m)
{
	const char *response = ami_get(m, "Response");
	const char *message = ami_get(m, "Message");
	char shown[SHOWN_MAX];

	if (response == NULL)
		return; /* an event before the answer */
	if (strcasecmp(response, "Success") == 0) {
		s->phase = PHASE_WATCHING;
		evtimer_del(s->answer_timer);
		tcplink_good(s->link);
		log_say(LOG_INFO, TXT_CALLS_LOG_LOGGED_IN, "where",
		    tcplink_where(s->link), "user", s->username, NULL);
		return;
	}
	message = message != NULL ? message : response;
	call_text_shown(shown, sizeof shown, message, strlen(message));
	fail(s,
	    text_printf(TXT_CALLS_WHY_LOGIN, "user", s->username, "message",
		shown, NULL));
}

static void
on_event_message(struct asterisk_source *s, const struct ami_message *m)
{
	const char *name = ami_get(m, "Event");
	struct call_event e;
	char why[256];

	switch (ami_calls_take(&s->calls, m, &e, why, sizeof why)) {
	case AMI_CALLS_EVENT:
		s->reported++;
		calls_report(s->d, &e, CALL_AMI);
		break;
	case AMI_CALLS_MALFORMED:
		tcplink_skipped(s->link, name, strlen(name), why);
		break;
	default:
		break;
	}
}

static void
on_line(void *arg, const char *line, size_t len)
{
	struct asterisk_source *s = arg;
	const struct ami_message *m;
	char why[256];

	if (s->phase == PHASE_BANNER) {
		on_banner(s, line, len);
		return;
	}
	switch (ami_reader_line(&s->reader, line, len, &m, why, sizeof why)) {
	case AMI_MALFORMED:
		tcplink_skipped(s->link, line, len, why);
		break;
	case AMI_MESSAGE:
		if (s->phase == PHASE_LOGIN)
			on_login_answer(s, m);
		else
			on_event_message(s, m);
		break;
	default:
		break;
	}
}

static void
on_too_long(void *arg)
{
	struct asterisk_source *s = arg;

	ami_reader_skip_message(&s->reader);
}

static void
on_up(void *arg)
{
	struct asterisk_source *s = arg;
	struct timeval within = { ANSWER_WITHIN_S, 0 };

	s->up = true;
	s->phase = PHASE_BANNER;
	ami_reader_init(&s->reader);
	evtimer_add(s->answer_timer, &within);
}

/* Calls followed on a lost connection cannot be followed to their end. */
static void
on_down(void *arg)
{
	struct asterisk_source *s = arg;

	s->up = false;
	evtimer_del(s->answer_timer);
	ami_calls_init(&s->calls);
}

static void
on_silence(evutil_socket_t fd, short what, void *arg)
{
	struct asterisk_source *s = arg;

	fail(s, text_printf_n(TXT_CALLS_WHY_SILENT, ANSWER_WITHIN_S, NULL));
}

static const struct tcplink_ops asterisk_ops = {
	.up = on_up,
	.down = on_down,
	.line = on_line,
	.too_long = on_too_long,
};

/* ---------------------------------------------------------------------- */
/* The source                                                             */
/* ---------------------------------------------------------------------- */

struct asterisk_source *
asterisk_start(struct daemon *d, const struct call_monitor *m)
{
	struct asterisk_source *s = xcalloc(1, sizeof *s);

	s->d = d;
	s->username = xstrdup(m->username != NULL ? m->username : "");
	s->secret_file = xstrdup(m->secret_file != NULL ? m->secret_file : "");
	s->answer_timer = evtimer_new(d->base, on_silence, s);
	ami_calls_init(&s->calls);
	s->link = tcplink_open(d, calls_source_label(CALL_AMI), m->host,
	    m->port, AMI_LINE_MAX, &asterisk_ops, s);
	return s;
}

json_t *
asterisk_status(const struct asterisk_source *s)
{
	json_t *st = tcplink_status(s->link);

	if (s->up && s->phase != PHASE_WATCHING)
		json_object_set_new(st, "state", json_string("logging-in"));
	json_object_set_new(st, "calls", json_integer((json_int_t)s->reported));
	return st;
}

void
asterisk_stop(struct asterisk_source *s)
{
	if (s == NULL)
		return;
	tcplink_close(s->link);
	event_free(s->answer_timer);
	free(s->username);
	free(s->secret_file);
	free(s);
}
