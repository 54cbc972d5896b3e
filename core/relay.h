/*
 * relay.h: which relay a remote tool's command line points it at.
 *
 * A company that sanctions a helpdesk tool runs its own relay, and says so
 * in the policy (sanctioned: relay:). ScreenConnect carries its relay in the
 * h= parameter of the launch URL in its argv; RustDesk in the server config
 * string of --config (reversed base64 of {"host": …}). Other tools keep it
 * where rdguard cannot read it at launch.
 *
 * Runs inside the exec gate: no allocation, no system call.
 */
#ifndef RDGUARD_RELAY_H
#define RDGUARD_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#define RELAY_MAX 128

/* Whether rdguard can tell the relay of the tool with this id. */
bool relay_readable(const char *tool_id);

/* The tool ids whose relay rdguard can tell, as "a, b", for an error. */
const char *relay_readable_list(void);

/*
 * The host the argv of tool_id points at, without a port, lower-cased,
 * into out (RELAY_MAX bytes). Returns false (and out empty) when the argv
 * names none.
 */
bool relay_from_argv(
    const char *tool_id, size_t argc, const char *const *argv, char *out);

/* Whether host (as relay_from_argv gives it) is the relay the policy names. */
bool relay_same(const char *host, const char *approved);

#endif
