/*
 * bundles.h: signed policy bundles on a managed machine (docs/policy.md,
 * "Signed policy (managed machines)").
 *
 * A machine with a trusted public key in the keys folder is managed: it takes
 * policy only as a bundle (the policy's exact bytes and a detached Ed25519
 * signature), only with a serial higher than the one in force, and only
 * before it expires. The last good bundle is kept in the state folder and
 * used at start when nothing newer verifies. Anyone who gets a bundle (the
 * fetcher, `rdguard policy apply`, a reload) offers it here; this file alone
 * decides, stores and swaps it in.
 */
#ifndef RDGUARD_BUNDLES_H
#define RDGUARD_BUNDLES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "agent/daemon/daemon.h"
#include "core/diag.h"

struct peer;

/* Result of offering a bundle. */
enum bundle_offer { BUNDLE_APPLIED, BUNDLE_UNCHANGED, BUNDLE_REFUSED };

/* The bundles' state (dm->bundles): the keys and the kept bundle's folder. */
struct bundles *bundles_new(const struct config *c);

/*
 * At start on a managed machine: loads the newest signed policy that
 * verifies and loads, the configured file (with FILE.sig beside it) or the
 * last good bundle kept, even when it expired (never nothing). Returns 0, or
 * -1 with the reasons in d when there is none.
 */
int bundles_load_at_start(struct daemon *dm, struct diag *d);

/* Journals what bundles_load_at_start chose (once the journal is open). */
void bundles_record_start(struct daemon *dm);

/*
 * Offers a bundle (policy bytes + detached signature) from origin (a URL or
 * a file name, for the journal): verifies it against the trusted keys,
 * checks serial and expiry, checks the policy loads (with the catalog),
 * stores it atomically as the last good bundle, and swaps it in whole
 * (rules_load/rules_publish as daemon_reload does). Refused: the reasons are
 * in d, the journal says why, and the policy in force stays. A serial equal
 * to the one in force is BUNDLE_UNCHANGED and nothing is done.
 */
enum bundle_offer bundles_offer(struct daemon *dm, const char *policy,
    size_t policy_len, const unsigned char *sig, size_t sig_len,
    const char *origin, struct diag *d);

/* Whether this machine is managed (a trusted key is installed). */
bool bundles_managed(const struct daemon *dm);

/*
 * A reload (SIGHUP, `rdguard reload`) on a managed machine: the policy file
 * is taken only with a signature beside it (FILE.sig) that verifies and a
 * higher serial; an unsigned edit is ignored, logged and journaled. Returns
 * NULL, or the errors as daemon_reload does.
 */
json_t *bundles_reload(struct daemon *dm);

/*
 * `rdguard policy apply`: an administrator's bundle. With force, a managed
 * machine takes it unsigned or with a lower serial too, and journals
 * policy-forced with who; without keys, force is not needed.
 */
enum bundle_offer bundles_apply(struct daemon *dm, const struct peer *p,
    const char *policy, size_t policy_len, const unsigned char *sig,
    size_t sig_len, const char *origin, bool force, struct diag *d);

/* What `rdguard status` shows: managed, serial, expiry, origin. */
json_t *bundles_status(const struct daemon *dm);

/* Warns (once) when the bundle in force has expired; on every tick. */
void bundles_tick(struct daemon *dm);

void bundles_free(struct bundles *b);

#endif
