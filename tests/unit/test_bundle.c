/*
 * test_bundle.c: signed policy bundles (core/bundle.c): a signed policy
 * verifies; a changed byte, a key that is not trusted, a lower serial, an
 * expired policy, a missing or malformed signature (or key line) and a
 * missing serial are each refused with their own message; a signature made
 * by the stock openssl command verifies, raw and in base64, and without a
 * key line a changed byte and an untrusted key share one message; the key
 * id the openssl command line computes is rdguard's.
 */
#include <ctype.h>
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
	char id[BUNDLE_KEY_ID_LEN + 1];       /* it.pem's key id */
	char other_id[BUNDLE_KEY_ID_LEN + 1]; /* other.pem's */
};

/*
 * The message of a policy changed or signed by a key that is not trusted,
 * when the signature does not say which key made it.
 */
#define MISMATCH                                                           \
	"the signature does not match the policy with any trusted key in " \
	"%s: the policy was changed after it was signed, or it was "       \
	"signed with a key that is not trusted"

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
	    bundle_keygen(k->other_key, other_pub, &d) != 0 ||
	    bundle_key_id(k->private_key, k->id, &d) != 0 ||
	    bundle_key_id(k->other_key, k->other_id, &d) != 0) {
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

/* A signature as rdguard policy sign writes it: naming its key. */
static size_t
sign_named(const char *key, const char *text, char out[BUNDLE_SIG_TEXT_MAX])
{
	unsigned char sig[BUNDLE_SIG_LEN];
	char id[BUNDLE_KEY_ID_LEN + 1];
	struct diag d = { 0 };

	sign(key, text, sig);
	assert_int_equal(bundle_key_id(key, id, &d), 0);
	return bundle_signature_text(sig, id, out, BUNDLE_SIG_TEXT_MAX);
}

static int
verify(const struct keys *k, const char *text, const void *sig, size_t sig_len,
    struct bundle_info *info, struct diag *d)
{
	return bundle_verify(k->trusted, "p.yaml", text, strlen(text),
	    (const unsigned char *)sig, sig_len, info, d);
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
	char sig[BUNDLE_SIG_TEXT_MAX], *expected;
	struct bundle_info info;
	struct diag d = { 0 };
	size_t len = sign_named(k->private_key, policy, sig);

	/* The text form: base64, then the key line. */
	assert_int_equal(len, 88 + strlen("\nkey: ") + BUNDLE_KEY_ID_LEN + 1);
	expected = xasprintf("\nkey: %s\n", k->id);
	assert_string_equal(sig + 88, expected);
	free(expected);
	assert_int_equal(verify(k, policy, sig, len, &info, &d), 0);
	assert_string_equal(info.key, "it.pub");
	assert_string_equal(info.key_id, k->id);
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
	char sig[BUNDLE_SIG_TEXT_MAX];
	struct bundle_info info;
	struct diag d = { 0 };
	char *changed = xstrdup(policy);
	size_t len = sign_named(k->private_key, policy, sig);
	char *expected;

	changed[strlen("mode: lockdown\nserial: 4")] = '3'; /* 43 */
	assert_int_equal(verify(k, changed, sig, len, &info, &d), -1);
	expected = xasprintf("the policy was changed after it was signed with "
			     "the trusted key %s (it.pub): the signature does "
			     "not match its bytes",
	    k->id);
	assert_refused(&d, expected);
	free(expected);
	free(changed);
	diag_clear(&d);
}

static void
wrong_key_is_refused(void **state)
{
	struct keys *k = *state;
	char sig[BUNDLE_SIG_TEXT_MAX];
	struct bundle_info info;
	struct diag d = { 0 };
	size_t len = sign_named(k->other_key, policy, sig);
	char *expected;

	assert_string_not_equal(k->id, k->other_id);
	assert_int_equal(verify(k, policy, sig, len, &info, &d), -1);
	expected = xasprintf("the policy was signed with the key %s, which is "
			     "not one of the trusted keys in %s",
	    k->other_id, k->trusted);
	assert_refused(&d, expected);
	free(expected);
	diag_clear(&d);
	/* With no trusted key at all, the message says that instead. */
	assert_int_equal(
	    bundle_verify("/nonexistent", "p.yaml", policy, strlen(policy),
		(unsigned char *)sig, len, &info, &d),
	    -1);
	expected = xasprintf(
	    "there is no trusted key in %s to check the signature with",
	    "/nonexistent");
	assert_refused(&d, expected);
	free(expected);
	diag_clear(&d);
}

/*
 * A key line that names the trusted key does not make another key's
 * signature good: the named key alone is tried.
 */
static void
key_line_naming_a_trusted_key_is_checked_with_it(void **state)
{
	struct keys *k = *state;
	unsigned char raw[BUNDLE_SIG_LEN];
	char sig[BUNDLE_SIG_TEXT_MAX], *expected;
	struct bundle_info info;
	struct diag d = { 0 };
	size_t len;

	sign(k->other_key, policy, raw);
	len = bundle_signature_text(raw, k->id, sig, sizeof sig);
	assert_int_equal(verify(k, policy, sig, len, &info, &d), -1);
	expected = xasprintf("the policy was changed after it was signed with "
			     "the trusted key %s (it.pub): the signature does "
			     "not match its bytes",
	    k->id);
	assert_refused(&d, expected);
	free(expected);
	diag_clear(&d);
}

/*
 * Without a key line (raw, as openssl writes it, or bare base64) a changed
 * byte and a key that is not trusted cannot be told apart.
 */
static void
unnamed_signature_gives_one_message_for_both(void **state)
{
	struct keys *k = *state;
	unsigned char sig[BUNDLE_SIG_LEN];
	char text[BUNDLE_SIG_TEXT_MAX], *changed = xstrdup(policy);
	char *expected = xasprintf(MISMATCH, k->trusted);
	struct bundle_info info;
	struct diag d = { 0 };
	size_t len;

	sign(k->private_key, policy, sig);
	changed[strlen("mode: lockdown\nserial: 4")] = '3';
	assert_int_equal(verify(k, changed, sig, sizeof sig, &info, &d), -1);
	assert_refused(&d, expected);
	diag_clear(&d);
	len = bundle_signature_text(sig, NULL, text, sizeof text);
	assert_int_equal(len, 89);
	assert_int_equal(verify(k, changed, text, len, &info, &d), -1);
	assert_refused(&d, expected);
	diag_clear(&d);
	sign(k->other_key, policy, sig);
	assert_int_equal(verify(k, policy, sig, sizeof sig, &info, &d), -1);
	assert_refused(&d, expected);
	diag_clear(&d);
	free(expected);
	free(changed);
}

static void
malformed_key_lines_are_refused(void **state)
{
	struct keys *k = *state;
	static const char *const bad[] = {
		"key: 0123\n",              /* too short */
		"key: 0123456789abcdef0\n", /* too long */
		"key: 0123456789abcdeg\n",  /* not hex */
		"key:\n",                   /* empty */
		"key: 0123456789abcdef\nkey: 0123456789abcdef\n", /* twice */
	};
	char sig[BUNDLE_SIG_TEXT_MAX], *text, *upper;
	struct bundle_info info;
	struct diag d = { 0 };

	sign_named(k->private_key, policy, sig);
	sig[88 + 1] = '\0'; /* the base64 and its newline */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		text = xasprintf("%s%s", sig, bad[i]);
		assert_int_equal(
		    verify(k, policy, text, strlen(text), &info, &d), -1);
		assert_refused(&d,
		    "the signature's key: line is malformed: write it once, "
		    "as key: and the 16 hex digits of the key id, as rdguard "
		    "policy sign writes it");
		diag_clear(&d);
		free(text);
	}
	/* Upper case, white space and CRLF line ends are fine. */
	upper = xstrdup(k->id);
	for (char *c = upper; *c != '\0'; c++)
		*c = (char)toupper((unsigned char)*c);
	text =
	    xasprintf("%.76s\r\n%.12s\r\nkey:\t%s \r\n", sig, sig + 76, upper);
	assert_int_equal(verify(k, policy, text, strlen(text), &info, &d), 0);
	assert_string_equal(info.key_id, k->id);
	free(text);
	free(upper);
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
	char *expected;
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
	assert_string_equal(info.key_id, k->id);
	/* Changed after signing: the one message for both causes. */
	assert_int_equal(bundle_verify(k->trusted, file, "mode: monitor\n",
			     strlen("mode: monitor\n"), sig, len, &info, &d),
	    -1);
	assert_int_equal(d.count, 1);
	expected = xasprintf(MISMATCH, k->trusted);
	assert_string_equal(d.entries[0].message, expected);
	free(expected);
	diag_clear(&d);
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

/* The first line of a file, without its newline; the caller frees. */
static char *
first_line(const char *path)
{
	struct diag d = { 0 };
	size_t len;
	char *text = bundle_read_file(path, 4096, &len, &d);

	assert_non_null(text);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/*
 * The key id as docs/policy.md tells IT to compute it with openssl, from
 * the public key and from the private one, is rdguard's; and a signature
 * made with openssl and given that key line by hand verifies.
 */
static void
openssl_computes_the_same_key_id(void **state)
{
	struct keys *k = *state;
	char *pub = xasprintf("%s/it.pub", k->trusted);
	char *id_file = xasprintf("%s/id", k->dir);
	char *file = xasprintf("%s/named.yaml", k->dir);
	char *sig_file = xasprintf("%s.sig", file);
	char id[BUNDLE_KEY_ID_LEN + 1], *line, *sig;
	struct bundle_info info;
	struct diag d = { 0 };
	FILE *f = fopen(file, "w");
	size_t len;

	assert_int_equal(bundle_key_id(pub, id, &d), 0);
	assert_string_equal(id, k->id);
	assert_int_equal(run(xasprintf("openssl pkey -pubin -in '%s' -outform "
				       "DER | tail -c 32 | sha256sum | cut "
				       "-c1-16 > '%s'",
			     pub, id_file)),
	    0);
	line = first_line(id_file);
	assert_string_equal(line, k->id);
	free(line);
	assert_int_equal(run(xasprintf("openssl pkey -in '%s' -pubout -outform "
				       "DER | tail -c 32 | sha256sum | cut "
				       "-c1-16 > '%s'",
			     k->private_key, id_file)),
	    0);
	line = first_line(id_file);
	assert_string_equal(line, k->id);
	free(line);
	fputs(policy, f);
	fclose(f);
	assert_int_equal(run(xasprintf("{ openssl pkeyutl -sign -rawin -inkey "
				       "'%s' -in '%s' | base64 -w0; echo; echo "
				       "\"key: $(cat '%s')\"; } > '%s'",
			     k->private_key, file, id_file, sig_file)),
	    0);
	sig = bundle_read_file(sig_file, 4096, &len, &d);
	assert_non_null(sig);
	assert_int_equal(verify(k, policy, sig, len, &info, &d), 0);
	assert_string_equal(info.key_id, k->id);
	assert_int_equal(d.count, 0);
	free(sig);
	free(pub);
	free(id_file);
	free(file);
	free(sig_file);
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
		cmocka_unit_test(
		    key_line_naming_a_trusted_key_is_checked_with_it),
		cmocka_unit_test(unnamed_signature_gives_one_message_for_both),
		cmocka_unit_test(malformed_key_lines_are_refused),
		cmocka_unit_test(lower_serial_is_refused),
		cmocka_unit_test(expired_policy_is_refused),
		cmocka_unit_test(missing_and_malformed_signatures_are_refused),
		cmocka_unit_test(signed_policy_without_serial_is_refused),
		cmocka_unit_test(openssl_signature_verifies),
		cmocka_unit_test(openssl_computes_the_same_key_id),
		cmocka_unit_test(keygen_keeps_the_private_key_private),
		cmocka_unit_test(signing_with_a_public_key_is_refused),
		cmocka_unit_test(expiry_times_are_read),
	};

	return cmocka_run_group_tests(tests, make_keys, remove_keys);
}
