/*
 * cmd-policy-sign.c: signed policy from the command line: `rdguard policy
 * keygen`, `sign`, `verify` (no daemon needed) and `apply` (through
 * rdguardd's control socket, administrators only).
 *
 * A signature is written as the base64 of the 64 bytes `openssl pkeyutl
 * -sign -rawin` writes, and a line naming the key that made it, so that a
 * changed policy and a key that is not trusted can be told apart; what IT
 * makes with stock openssl verifies all the same (docs/policy.md, "Signed
 * policy"). The checks are core/bundle.c's; this file only reads the
 * command line and says what happened. Owns nothing beyond one command's
 * run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/cli.h"
#include "agent/cli/client.h"
#include "core/bundle.h"
#include "core/paths.h"
#include "core/xalloc.h"

#define POLICY_MAX (1024 * 1024)
#define SIG_MAX    4096

/* Prints the errors of d, clears it and returns CLI_FAILED. */
static int
failed(struct diag *d)
{
	diag_print(d, stderr);
	diag_clear(d);
	return CLI_FAILED;
}

/* keygen PRIVATE.pem [PUBLIC.pem]: the public key to stdout when omitted. */
int
policy_keygen(int argc, char **argv)
{
	char id[BUNDLE_KEY_ID_LEN + 1];
	struct diag d = { 0 };
	char *line;

	if (argc < 1 || argc > 2 || argv[0][0] == '-' ||
	    (argc == 2 && argv[1][0] == '-'))
		return cli_usage(&cmd_policy);
	if (bundle_keygen(argv[0], argc == 2 ? argv[1] : "-", &d) != 0 ||
	    bundle_key_id(argv[0], id, &d) != 0)
		return failed(&d);
	line = text_printf(argc == 2 ? TXT_CLI_POLICY_KEYGEN_DONE
				     : TXT_CLI_POLICY_KEYGEN_STDOUT,
	    "private", argv[0], "public", argc == 2 ? argv[1] : "", "key_id",
	    id, NULL);
	fprintf(argc == 2 ? stdout : stderr, "%s\n", line);
	free(line);
	return CLI_OK;
}

/* Writes the signature file whole: temp file, fsync, rename. */
static int
write_signature(const char *path, const char *text, size_t len, struct diag *d)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = -1;

	if (fd >= 0) {
		rc = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0
		    ? 0
		    : -1;
		if (close(fd) != 0)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
	}
	if (rc != 0) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_WRITE, "reason",
		    strerror(errno), NULL);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* sign --key PRIVATE.pem FILE: writes FILE.sig, naming the key. */
int
policy_sign(int argc, char **argv)
{
	unsigned char sig[BUNDLE_SIG_LEN];
	char id[BUNDLE_KEY_ID_LEN + 1], text[BUNDLE_SIG_TEXT_MAX];
	struct diag d = { 0 };
	char *policy, *sig_path, *line;
	size_t len;
	int rc = CLI_FAILED;

	if (argc != 3 || strcmp(argv[0], "--key") != 0 || argv[2][0] == '-')
		return cli_usage(&cmd_policy);
	if ((policy = bundle_read_file(argv[2], POLICY_MAX, &len, &d)) == NULL)
		return failed(&d);
	sig_path = xasprintf("%s.sig", argv[2]);
	if (bundle_sign(argv[1], policy, len, sig, &d) == 0 &&
	    bundle_key_id(argv[1], id, &d) == 0 &&
	    write_signature(sig_path, text,
		bundle_signature_text(sig, id, text, sizeof text), &d) == 0) {
		line = text_printf(TXT_CLI_POLICY_SIGNED, "file", argv[2],
		    "key_id", id, "sig", sig_path, NULL);
		printf("%s\n", line);
		free(line);
		rc = CLI_OK;
	}
	free(sig_path);
	free(policy);
	return rc == CLI_OK ? rc : failed(&d);
}

static void
print_verified(const char *file, const struct bundle_info *info)
{
	char serial[32], expires[40], *line;

	snprintf(serial, sizeof serial, "%lld", info->serial);
	bundle_format_time(info->expires, expires, sizeof expires);
	line = text_printf(info->expires != 0 ? TXT_CLI_POLICY_VERIFIED
					      : TXT_CLI_POLICY_VERIFIED_FOREVER,
	    "file", file, "key", info->key, "key_id", info->key_id, "serial",
	    serial, "expires", expires, NULL);
	printf("%s\n", line);
	free(line);
}

/* verify [--keys-dir D] FILE [FILE.sig] */
int
policy_verify(int argc, char **argv)
{
	const char *keys = RDGUARD_DEFAULT_KEYS, *file, *sig_file;
	struct bundle_info info;
	struct diag d = { 0 };
	char *policy, *sig = NULL, *default_sig = NULL;
	size_t len, sig_len = 0;
	int rc = CLI_FAILED;

	if (argc >= 2 && strcmp(argv[0], "--keys-dir") == 0) {
		keys = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc < 1 || argc > 2 || argv[0][0] == '-' ||
	    (argc == 2 && argv[1][0] == '-'))
		return cli_usage(&cmd_policy);
	file = argv[0];
	sig_file =
	    argc == 2 ? argv[1] : (default_sig = xasprintf("%s.sig", file));
	if ((policy = bundle_read_file(file, POLICY_MAX, &len, &d)) == NULL)
		goto out;
	if (access(sig_file, F_OK) == 0 &&
	    (sig = bundle_read_file(sig_file, SIG_MAX, &sig_len, &d)) == NULL)
		goto out;
	if (bundle_verify(keys, file, policy, len, (unsigned char *)sig,
		sig_len, &info, &d) != 0)
		goto out;
	print_verified(file, &info);
	if (bundle_judge(&info, file, -1, (long long)time(NULL), &d) >= 0)
		rc = CLI_OK;
out:
	free(policy);
	free(sig);
	free(default_sig);
	return rc == CLI_OK ? rc : failed(&d);
}

/* The daemon's reasons for refusing (after client_call's sentence). */
static void
print_reasons(const json_t *reply)
{
	const json_t *errors = json_object_get(reply, "errors");
	size_t i;
	json_t *e;

	json_array_foreach (errors, i, e)
		fprintf(stderr, "%s\n", json_string_value(e));
}

static void
print_applied(const char *file, const json_t *reply)
{
	const json_t *bundle = json_object_get(reply, "bundle");
	char serial[32], *line;

	snprintf(serial, sizeof serial, "%lld",
	    (long long)json_integer_value(json_object_get(bundle, "serial")));
	if (strcmp(json_string_value(json_object_get(reply, "result")),
		"unchanged") == 0)
		line = text_printf(
		    TXT_CLI_POLICY_UNCHANGED, "serial", serial, NULL);
	else
		line = text_printf(TXT_CLI_POLICY_APPLIED, "file", file, NULL);
	printf("%s\n", line);
	free(line);
}

/* An absolute name for the daemon, which runs elsewhere; NULL if none. */
static char *
absolute(const char *path)
{
	char *full = realpath(path, NULL);
	struct diag d = { 0 };

	if (full == NULL) {
		diag_add(&d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_READ, "reason",
		    strerror(errno), NULL);
		failed(&d);
	}
	return full;
}

/* apply FILE [--sig FILE.sig] [--force] */
int
policy_apply(const struct cli_options *o, int argc, char **argv)
{
	const char *file = NULL, *sig_file = NULL;
	char *full = NULL, *full_sig = NULL, *default_sig = NULL;
	json_t *request, *reply;
	bool force = false;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (strcmp(argv[i], "--sig") == 0 && i + 1 < argc)
			sig_file = argv[++i];
		else if (argv[i][0] == '-' || file != NULL)
			return cli_usage(&cmd_policy);
		else
			file = argv[i];
	}
	if (file == NULL)
		return cli_usage(&cmd_policy);
	if (sig_file == NULL &&
	    access(default_sig = xasprintf("%s.sig", file), F_OK) == 0)
		sig_file = default_sig;
	if ((full = absolute(file)) == NULL ||
	    (sig_file != NULL && (full_sig = absolute(sig_file)) == NULL)) {
		rc = CLI_FAILED;
		goto out;
	}
	request = json_pack("{s:s,s:s,s:s?,s:b}", "verb", "policy-apply",
	    "file", full, "signature", full_sig, "force", force);
	rc = client_call(o, request, &reply);
	if (rc == CLI_OK)
		print_applied(full, reply);
	else
		print_reasons(reply);
	json_decref(reply);
	json_decref(request);
out:
	free(full);
	free(full_sig);
	free(default_sig);
	return rc;
}
