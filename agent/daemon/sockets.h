/*
 * sockets.h: the listeners and connections of the remote tools running
 * (docs/sockets.md).
 *
 * While at least one remote-control or tunnel tool runs or is held, its
 * sockets and those of every process it started are looked at every two
 * seconds; while none does, nothing is looked at. A listener or connection
 * that was not there at the last look is handed to signals_connection(),
 * which counts it only while other signals count for the tool's user.
 */
#ifndef RDGUARD_SOCKETS_H
#define RDGUARD_SOCKETS_H

#include <jansson.h>

#include "agent/daemon/daemon.h"
#include "core/catalog.h"

struct sockets *sockets_new(struct daemon *d);
void sockets_free(struct sockets *s);

/*
 * launches.c: run id began, its first process pid, its tool of kind (only
 * remote-control and tunnel tools are watched); run id ended.
 */
void sockets_run_began(
    struct daemon *d, unsigned id, pid_t pid, enum tool_kind kind);
void sockets_run_ended(struct daemon *d, unsigned id);

/*
 * Status: adds "sockets": {"listening": [ports], "connections": N} to each
 * run of tools (the status verb's array, found by "id") that has been
 * looked at. Returns tools.
 */
json_t *sockets_add_to_tools(struct sockets *s, json_t *tools);

/*
 * Status: {"watching": runs, "polling": whether a look is due, "looks":
 * looks made since the daemon started}.
 */
json_t *sockets_status(struct sockets *s);

#endif
