/*
 * log.h: the daemon's own messages (not the journal of decisions): started,
 * reloaded, a file refused and why. One line each on standard error, which
 * systemd sends to its journal; main.c points standard error at a log file
 * when the daemon runs in the background without systemd.
 */
#ifndef RDGUARD_LOG_H
#define RDGUARD_LOG_H

#include "core/diag.h"
#include "core/text.h"

enum log_level { LOG_ERROR = 3, LOG_WARNING = 4, LOG_INFO = 6 };

void log_init(void);
void log_say(enum log_level level, enum text_id id, ...);
/* The same for a sentence with a count (PLURAL). */
void log_say_n(enum log_level level, enum text_id id, unsigned long n, ...);
/* Each error of d as its own line. */
void log_diag(enum log_level level, const struct diag *d);

#endif
