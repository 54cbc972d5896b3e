/*
 * bundle.h: signed policy bundles: a policy file's exact bytes and a
 * detached Ed25519 signature over them (docs/policy.md, "Signed policy
 * (managed machines)").
 *
 * A signature is the 64 raw bytes `openssl pkeyutl -sign -rawin` writes, or
 * the same in base64, which may be followed by a line `key: KEYID` naming
 * the key that made it (as `rdguard policy sign` writes it). A key id is the
 * first 16 hex digits of SHA-256 over the public key's raw 32 bytes. Trusted
 * keys are PEM public keys (as `openssl pkey -pubout` writes) in one folder,
 * one a file ending in .pem or .pub. This file only checks and makes
 * signatures and reads a policy's serial and expiry; what a daemon does with
 * a bundle is agent/daemon/bundles.c's.
 */
#ifndef RDGUARD_BUNDLE_H
#define RDGUARD_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

#define BUNDLE_SIG_LEN      64
#define BUNDLE_KEY_ID_LEN   16  /* hex digits */
#define BUNDLE_SIG_TEXT_MAX 128 /* the text form, with its key line */

/* What a bundle that verified says about itself. */
struct bundle_info {
	char key[256];     /* the trusted key's file name that signed it */
	long long serial;  /* the policy's serial: */
	long long expires; /* unix time of expires:, or 0: never */

	char key_id[BUNDLE_KEY_ID_LEN + 1]; /* the key id of key */
};

/* How many trusted keys the folder holds (0 when it is missing). */
size_t bundle_key_count(const char *keys_dir);

/*
 * Verifies sig over the policy's bytes against the keys in keys_dir and
 * reads the policy's serial and expiry. name is what messages call the
 * policy. Returns 0, or -1 with the reason in d: a missing or malformed
 * signature, no trusted key, a key id that names no trusted key, one that
 * names a trusted key the signature does not match (changed bytes), one
 * that does not match without a key id (changed bytes or a key that is not
 * trusted: the signature alone cannot tell), no serial. A signature with a
 * key id is checked with that key only. Expiry is not judged here.
 */
int bundle_verify(const char *keys_dir, const char *name, const char *policy,
    size_t policy_len, const unsigned char *sig, size_t sig_len,
    struct bundle_info *info, struct diag *d);

/*
 * Judges a verified bundle against the serial in force (-1: none) and the
 * time now: 1 when it is newer and not expired, 0 when its serial is the
 * one in force (nothing to do), -1 with the reason in d when it is older or
 * expired.
 */
int bundle_judge(const struct bundle_info *info, const char *name,
    long long serial_in_force, long long now, struct diag *d);

/* Signs the policy's bytes with a PEM private key; 0 or -1 with d. */
int bundle_sign(const char *key_file, const char *policy, size_t policy_len,
    unsigned char sig[BUNDLE_SIG_LEN], struct diag *d);

/*
 * The key id of a PEM key, public or private, into id; 0 or -1 with d.
 */
int bundle_key_id(
    const char *key_file, char id[BUNDLE_KEY_ID_LEN + 1], struct diag *d);

/*
 * The text form of a signature: its base64, and a line `key: KEYID` when
 * key_id is not NULL, each ending in a newline, into buf (at least
 * BUNDLE_SIG_TEXT_MAX). Returns its length.
 */
size_t bundle_signature_text(const unsigned char sig[BUNDLE_SIG_LEN],
    const char *key_id, char *buf, size_t size);

/*
 * Makes a key pair: the private key (mode 0600) and, when pub_file is not
 * NULL, the public key, both PEM ("-": the public key to standard output).
 * Refuses to overwrite; 0 or -1 with d.
 */
int bundle_keygen(const char *priv_file, const char *pub_file, struct diag *d);

/* Reads a whole file (at most max bytes); NULL with d. The caller frees. */
char *bundle_read_file(
    const char *path, size_t max, size_t *len, struct diag *d);

/* "2026-12-31T00:00:00Z" for a unix time, into buf. */
void bundle_format_time(long long t, char *buf, size_t size);

#endif
