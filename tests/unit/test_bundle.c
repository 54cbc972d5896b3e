/*
 * test_bundle.c: signed policy bundles (core/bundle.c): a signed policy
 * verifies; a changed byte, a key that is not trusted, a lower serial, an
 * expired policy, a missing or malformed signature and a missing serial are
 * each refused with their own message; a signature made by the stock
 * openssl command verifies, raw and in base64.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/bundle.h"
#include "core/policy.h"
#include "core/xalloc.h"

#define NOW 1798761600LL /* 2027-01-01T00:00:00Z */

static const char policy[] = "mode: lockdown\n"
			     "serial: 42\n"
			     "expires: 2030-06-30T12:00:00+02:00\n";

/* A folder with a trusted key (trusted/it.pub) and one that is not. */
struct keys {
	char dir[64];
	char trusted[96];
	char private_key[96];
	char other_key[96];
};

static int
make_keys(void **state)
{
	struct keys *k = xcalloc(1, sizeof *k);
	struct diag d = { 0 };
	char *pub, *other_pub;

	snprintf(k->dir, sizeof k->dir, "/tmp/rdg-bundle-XXXXXX");
	if (mkdtemp(k->dir) == NULL)
		return -1;
	snprintf(k->trusted, sizeof k->trusted, "%s/trusted", k->dir);
	mkdir(k->trusted, 0700);
	snprintf(k->private_key, sizeof k->private_key, "%s/it.pem", k->dir);
	snprintf(k->other_key, sizeof k->other_key, "%s/other.pem", k->dir);
	pub = xasprintf("%s/it.pub", k->trusted);
	other_pub = xasprintf("%s/other.pub", k->dir);
	if (bundle_keygen(k->private_key, pub, &d) != 0 ||
	    bundle_keygen(k->other_key, other_pub, &d) != 0) {
		diag_print(&d, stderr);
		return -1;
	}
	free(pub);
	free(other_pub);
	*state = k;
	return 0;
}

static int
remove_keys(void **state)
{
	struct keys *k = *state;
	char *cmd = xasprintf("rm -rf '%s'", k->dir);
	int rc = system(cmd);

	free(cmd);
	free(k);
	return rc == 0 ? 0 : -1;
}

static void
sign(const char *key, const char *text, unsigned char sig[BUNDLE_SIG_LEN])
{
	struct diag d = { 0 };

	assert_int_equal(bundle_sign(key, text, strlen(text), sig, &d), 0);
}

/* The one message a refused bundle gave. */
static void
assert_refused(const struct diag *d, const char *message)
{
	assert_int_equal(d->count, 1);
	assert_string_equal(d->entries[0].message, message);
}

static void
signed_policy_verifies(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN];
	struct bundle_info info;
	struct diag d = { 0 };

	sign(k->private_key, policy, sig);
	assert_int_equal(bundle_verify(k->trusted, "p.yaml", policy,
			     strlen(policy), sig, sizeof sig, &info, &d),
	    0);
	assert_string_equal(info.key, "it.pub");
	assert_int_equal(info.serial, 42);
	assert_int_equal(info.expires, 1909044000LL); /* 10:00 UTC */
	assert_int_equal(bundle_judge(&info, "p.yaml", 41, NOW, &d), 1);
	assert_int_equal(bundle_judge(&info, "p.yaml", 42, NOW, &d), 0);
	assert_int_equal(bundle_judge(&info, "p.yaml", -1, NOW, &d), 1);
	assert_int_equal(d.count, 0);
	assert_int_equal(bundle_key_count(k->trusted), 1);
	assert_int_equal(bundle_key_count("/nonexistent"), 0);
}

static void
changed_byte_is_refused(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN];
	struct bundle_info info;
	struct diag d = { 0 };
	char *changed = xstrdup(policy);
	char *expected;

	sign(k->private_key, policy, sig);
	changed[strlen("mode: lockdown\nserial: 4")] = '3'; /* 43 */
	assert_int_equal(bundle_verify(k->trusted, "p.yaml", changed,
			     strlen(changed), sig, sizeof sig, &info, &d),
	    -1);
	expected = xasprintf("the signature does not match the policy with "
			     "any trusted key in %s: the policy was changed "
			     "after it was signed, or it was signed with a "
			     "key that is not trusted",
	    k->trusted);
	assert_refused(&d, expected);
	free(expected);
	free(changed);
	diag_clear(&d);
}

static void
wrong_key_is_refused(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN];
	struct bundle_info info;
	struct diag d = { 0 };
	char *expected;

	sign(k->other_key, policy, sig);
	assert_int_equal(bundle_verify(k->trusted, "p.yaml", policy,
			     strlen(policy), sig, sizeof sig, &info, &d),
	    -1);
	expected = xasprintf("the signature does not match the policy with "
			     "any trusted key in %s: the policy was changed "
			     "after it was signed, or it was signed with a "
			     "key that is not trusted",
	    k->trusted);
	assert_refused(&d, expected);
	free(expected);
	diag_clear(&d);
	/* With no trusted key at all, the message says that instead. */
	assert_int_equal(bundle_verify("/nonexistent", "p.yaml", policy,
			     strlen(policy), sig, sizeof sig, &info, &d),
	    -1);
	expected = xasprintf(
	    "there is no trusted key in %s to check the signature with",
	    "/nonexistent");
	assert_refused(&d, expected);
	free(expected);
	diag_clear(&d);
}

static void
lower_serial_is_refused(void **state)
{
	struct bundle_info info = { .serial = 41 };
	struct diag d = { 0 };

	assert_int_equal(bundle_judge(&info, "p.yaml", 42, NOW, &d), -1);
	assert_refused(&d, "serial 41 is not newer than 42 in force");
	assert_string_equal(d.entries[0].file, "p.yaml");
	diag_clear(&d);
}

static void
expired_policy_is_refused(void **state)
{
	struct bundle_info info = { .serial = 43, .expires = NOW - 1 };
	struct diag d = { 0 };

	assert_int_equal(bundle_judge(&info, "p.yaml", 42, NOW, &d), -1);
	assert_refused(&d, "the policy expired on 2026-12-31T23:59:59Z");
	diag_clear(&d);
}

static void
missing_and_malformed_signatures_are_refused(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN] = { 0 };
	struct bundle_info info;
	struct diag d = { 0 };

	assert_int_equal(bundle_verify(k->trusted, "p.yaml", policy,
			     strlen(policy), NULL, 0, &info, &d),
	    -1);
	assert_refused(&d,
	    "the policy is not signed: there is no signature file beside it");
	diag_clear(&d);
	assert_int_equal(bundle_verify(k->trusted, "p.yaml", policy,
			     strlen(policy), sig, 63, &info, &d),
	    -1);
	assert_refused(&d,
	    "the signature is malformed: it has 63 bytes, but must be the 64 "
	    "bytes that openssl pkeyutl -sign -rawin writes, or those in "
	    "base64");
	diag_clear(&d);
}

static void
signed_policy_without_serial_is_refused(void **state)
{
	struct keys *k = *state;
	static const char unserialled[] = "mode: protect\n";
	unsigned char sig[BUNDLE_SIG_LEN];
	struct bundle_info info;
	struct diag d = { 0 };

	sign(k->private_key, unserialled, sig);
	assert_int_equal(bundle_verify(k->trusted, "p.yaml", unserialled,
			     strlen(unserialled), sig, sizeof sig, &info, &d),
	    -1);
	assert_refused(&d,
	    "a signed policy needs a serial: a whole number that grows with "
	    "every new policy");
	diag_clear(&d);
}

/* Runs a shell command; its exit status. */
static int
run(char *cmd)
{
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static void
openssl_signature_verifies(void **state)
{
	struct keys *k = *state;
	char *file = xasprintf("%s/policy.yaml", k->dir);
	char *sig_file = xasprintf("%s.sig", file);
	char *b64_file = xasprintf("%s.b64", file);
	unsigned char *sig;
	struct bundle_info info;
	struct diag d = { 0 };
	FILE *f = fopen(file, "w");
	size_t len;

	fputs(policy, f);
	fclose(f);
	assert_int_equal(run(xasprintf("openssl pkeyutl -sign -rawin -inkey "
				       "'%s' -in '%s' -out '%s'",
			     k->private_key, file, sig_file)),
	    0);
	sig = (unsigned char *)bundle_read_file(sig_file, 4096, &len, &d);
	assert_non_null(sig);
	assert_int_equal(len, BUNDLE_SIG_LEN);
	assert_int_equal(bundle_verify(k->trusted, file, policy, strlen(policy),
			     sig, len, &info, &d),
	    0);
	assert_int_equal(info.serial, 42);
	free(sig);
	/* The same in base64 (with its newline). */
	assert_int_equal(
	    run(xasprintf("base64 '%s' > '%s'", sig_file, b64_file)), 0);
	sig = (unsigned char *)bundle_read_file(b64_file, 4096, &len, &d);
	assert_non_null(sig);
	assert_int_equal(bundle_verify(k->trusted, file, policy, strlen(policy),
			     sig, len, &info, &d),
	    0);
	assert_int_equal(d.count, 0);
	free(sig);
	free(file);
	free(sig_file);
	free(b64_file);
}

static void
keygen_keeps_the_private_key_private(void **state)
{
	struct keys *k = *state;
	struct stat st;
	struct diag d = { 0 };

	assert_int_equal(stat(k->private_key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* An existing key is never overwritten. */
	assert_int_equal(bundle_keygen(k->private_key, NULL, &d), -1);
	assert_int_equal(d.count, 1);
	diag_clear(&d);
}

static void
signing_with_a_public_key_is_refused(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN];
	struct diag d = { 0 };
	char *pub = xasprintf("%s/it.pub", k->trusted);

	assert_int_equal(bundle_sign(pub, policy, strlen(policy), sig, &d), -1);
	assert_refused(&d,
	    "the file is not a private key in PEM form, as rdguard policy "
	    "keygen or openssl genpkey -algorithm ed25519 writes it");
	diag_clear(&d);
	free(pub);
}

static void
expiry_times_are_read(void **state)
{
	long long t;

	assert_int_equal(policy_parse_time("2026-12-31", &t), 0);
	assert_int_equal(t, 1798675200LL);
	assert_int_equal(policy_parse_time("2026-12-31T18:00:00Z", &t), 0);
	assert_int_equal(t, 1798740000LL);
	assert_int_equal(
	    policy_parse_time("2026-12-31T18:00:00.5-01:30", &t), 0);
	assert_int_equal(t, 1798745400LL);
	assert_int_equal(policy_parse_time("31.12.2026", &t), -1);
	assert_int_equal(policy_parse_time("2026-13-01", &t), -1);
	assert_int_equal(policy_parse_time("2026-12-31T18:00:00", &t), -1);
	assert_int_equal(policy_parse_time("2026-12-31T18:00Z", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signed_policy_verifies),
		cmocka_unit_test(changed_byte_is_refused),
		cmocka_unit_test(wrong_key_is_refused),
		cmocka_unit_test(lower_serial_is_refused),
		cmocka_unit_test(expired_policy_is_refused),
		cmocka_unit_test(missing_and_malformed_signatures_are_refused),
		cmocka_unit_test(signed_policy_without_serial_is_refused),
		cmocka_unit_test(openssl_signature_verifies),
		cmocka_unit_test(keygen_keeps_the_private_key_private),
		cmocka_unit_test(signing_with_a_public_key_is_refused),
		cmocka_unit_test(expiry_times_are_read),
	};

	return cmocka_run_group_tests(tests, make_keys, remove_keys);
}
