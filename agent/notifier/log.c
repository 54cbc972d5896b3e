/*
 * log.c: rdguard-notifier's own messages: what it watches and what went
 * wrong, one line each on standard error, which the session keeps (the
 * user's journal under the systemd user unit, ~/.xsession-errors under an
 * X session). Worded from core/text in the session's language, like
 * everything the notifier says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/notifier/notifier.h"

static void
print_line(char *message)
{
	fprintf(stderr, "rdguard-notifier: %s\n", message);
	fflush(stderr);
	free(message);
}

void
notifier_log(enum text_id id, ...)
{
	va_list ap;
	char *message;

	va_start(ap, id);
	message = text_vprintf(id, ap);
	va_end(ap);
	print_line(message);
}

void
notifier_log_n(enum text_id id, unsigned long n, ...)
{
	va_list ap;
	char *message;

	va_start(ap, n);
	message = text_vprintf_n(id, n, ap);
	va_end(ap);
	print_line(message);
}
