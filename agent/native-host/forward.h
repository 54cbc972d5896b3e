/*
 * forward.h: hands a popup event to rdguardd as a signal (the control
 * socket's `signal` verb, docs/control.md) and brings back its answer.
 * rdguardd knows the user from the socket: the browser's.
 */
#ifndef RDGUARD_FORWARD_H
#define RDGUARD_FORWARD_H

#include <jansson.h>

#define FORWARD_TIMEOUT_S 5 /* the most a report waits for rdguardd */

/*
 * Sends {"verb":"signal","event":EVENT} to the socket at path; returns
 * rdguardd's reply, or NULL with *problem set to a sentence (caller frees).
 */
json_t *forward_signal(const char *path, const json_t *event, char **problem);

#endif
