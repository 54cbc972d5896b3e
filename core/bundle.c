/*
 * bundle.c: checks and makes the Ed25519 signatures of policy bundles, and
 * reads a signed policy's serial and expiry (see bundle.h): the signature
 * file's forms, raw or text with a key id, and which trusted key made it.
 *
 * Uses OpenSSL 3's EVP interface only: the keys are read fresh for every
 * check, so a key added to or taken from the folder counts at once. Owns no
 * state between calls.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/bundle.h"
#include "core/policy-read.h"
#include "core/xalloc.h"
#include "core/yamldoc.h"

/* Whether a file name in the keys folder names a key. */
static bool
is_key_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.' || n < 5)
		return false;
	return strcmp(name + n - 4, ".pem") == 0 ||
	    strcmp(name + n - 4, ".pub") == 0;
}

/* An Ed25519 public key from a PEM file, or NULL. */
static EVP_PKEY *
read_public_key(const char *path)
{
	EVP_PKEY *key = NULL;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return NULL;
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL)
		ERR_clear_error();
	if (key != NULL && EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key files of the folder, in name order; the caller frees. */
static char **
list_key_files(const char *dir, size_t *count)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*count = 0;
	if (dh == NULL)
		return NULL;
	while ((e = readdir(dh)) != NULL) {
		if (!is_key_name(e->d_name))
			continue;
		xgrow(&names, &cap, *count + 1, sizeof *names);
		names[(*count)++] = xstrdup(e->d_name);
	}
	closedir(dh);
	if (*count > 0)
		qsort(names, *count, sizeof *names, compare_names);
	return names;
}

static void
free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

size_t
bundle_key_count(const char *keys_dir)
{
	size_t count, keys = 0;
	char **names = list_key_files(keys_dir, &count);

	for (size_t i = 0; i < count; i++) {
		char *path = xasprintf("%s/%s", keys_dir, names[i]);
		EVP_PKEY *key = read_public_key(path);

		keys += key != NULL;
		EVP_PKEY_free(key);
		free(path);
	}
	free_names(names, count);
	return keys;
}

/* A signature file, read: its 64 bytes and the key id it names, if any. */
struct signature {
	unsigned char raw[BUNDLE_SIG_LEN];
	char key_id[BUNDLE_KEY_ID_LEN + 1]; /* "": it names no key */
};

/* A `key: KEYID` line (without its newline) into id; 0 or -1. */
static int
read_key_line(
    const unsigned char *line, size_t len, char id[BUNDLE_KEY_ID_LEN + 1])
{
	size_t i = strlen("key:"), n = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i < len && n < BUNDLE_KEY_ID_LEN && isxdigit(line[i]))
		id[n++] = (char)tolower(line[i++]);
	id[n] = '\0';
	while (i < len && isspace(line[i]))
		i++;
	return n == BUNDLE_KEY_ID_LEN && i == len ? 0 : -1;
}

/* Adds a line of base64, white space left out, to text; 0, or -1: full. */
static int
add_base64(const unsigned char *line, size_t len, unsigned char *text,
    size_t size, size_t *n)
{
	for (size_t i = 0; i < len; i++) {
		if (isspace(line[i]))
			continue;
		if (*n == size - 1)
			return -1;
		text[(*n)++] = line[i];
	}
	return 0;
}

/*
 * The text form: base64 over one or more lines, and at most one line
 * `key: KEYID`. Returns 0, or -1 with the reason it is malformed in why.
 */
static int
decode_text(
    const unsigned char *in, size_t len, struct signature *s, enum text_id *why)
{
	unsigned char text[128], raw[128];
	size_t n = 0, end, line;

	*why = TXT_ERR_BUNDLE_BAD_SIGNATURE;
	for (size_t start = 0; start < len; start = end + 1) {
		for (end = start; end < len && in[end] != '\n'; end++)
			;
		line = end - start;
		if (line < 4 || memcmp(in + start, "key:", 4) != 0) {
			if (add_base64(
				in + start, line, text, sizeof text, &n) != 0)
				return -1;
		} else if (s->key_id[0] != '\0' ||
		    read_key_line(in + start, line, s->key_id) != 0) {
			*why = TXT_ERR_BUNDLE_BAD_KEY_LINE;
			return -1;
		}
	}
	/* 64 bytes are 88 characters of base64, the last two '='. */
	if (n != 88 || text[86] != '=' || text[87] != '=' ||
	    EVP_DecodeBlock(raw, text, (int)n) != BUNDLE_SIG_LEN + 2)
		return -1;
	memcpy(s->raw, raw, BUNDLE_SIG_LEN);
	return 0;
}

/*
 * A signature file: the 64 raw bytes, as openssl writes them, or the text
 * form. Returns 0, or -1 with the reason it is malformed in why.
 */
static int
decode_signature(
    const unsigned char *in, size_t len, struct signature *s, enum text_id *why)
{
	memset(s, 0, sizeof *s);
	if (len == BUNDLE_SIG_LEN) {
		memcpy(s->raw, in, BUNDLE_SIG_LEN);
		return 0;
	}
	return decode_text(in, len, s, why);
}

/* The key id: SHA-256 over the raw public key, its first bytes in hex. */
static int
key_id_of(EVP_PKEY *key, char id[BUNDLE_KEY_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32], md[EVP_MAX_MD_SIZE];
	size_t len = sizeof raw;
	unsigned int md_len;

	if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 ||
	    len != sizeof raw ||
	    EVP_Digest(raw, len, md, &md_len, EVP_sha256(), NULL) != 1)
		return -1;
	for (size_t i = 0; i < BUNDLE_KEY_ID_LEN / 2; i++) {
		id[2 * i] = hex[md[i] >> 4];
		id[2 * i + 1] = hex[md[i] & 0xf];
	}
	id[BUNDLE_KEY_ID_LEN] = '\0';
	return 0;
}

static bool
signature_matches(
    EVP_PKEY *key, const unsigned char *sig, const char *policy, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, BUNDLE_SIG_LEN,
		(const unsigned char *)policy, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* What trying the trusted keys found. */
struct search {
	long keys;  /* trusted keys in the folder */
	long named; /* those the signature's key id names (all, without one) */
	bool found; /* one of those made the signature */
};

/*
 * Tries one trusted key, when the signature names it or names no key, and
 * stores its name and id in info.
 */
static void
try_key(EVP_PKEY *key, const char *name, const struct signature *sig,
    const char *policy, size_t len, struct bundle_info *info, struct search *s)
{
	char id[BUNDLE_KEY_ID_LEN + 1];

	s->keys++;
	if (key_id_of(key, id) != 0 ||
	    (sig->key_id[0] != '\0' && strcmp(id, sig->key_id) != 0))
		return;
	s->named++;
	snprintf(info->key, sizeof info->key, "%s", name);
	snprintf(info->key_id, sizeof info->key_id, "%s", id);
	s->found = signature_matches(key, sig->raw, policy, len);
}

/* Tries the trusted keys in name order until one made the signature. */
static void
find_signer(const char *keys_dir, const struct signature *sig,
    const char *policy, size_t len, struct bundle_info *info, struct search *s)
{
	size_t count;
	char **names = list_key_files(keys_dir, &count);

	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < count && !s->found; i++) {
		char *path = xasprintf("%s/%s", keys_dir, names[i]);
		EVP_PKEY *key = read_public_key(path);

		if (key != NULL)
			try_key(key, names[i], sig, policy, len, info, s);
		EVP_PKEY_free(key);
		free(path);
	}
	free_names(names, count);
}

/*
 * Why no trusted key made the signature. Without a key id, a changed byte
 * and a key that is not trusted look the same; with one, they do not.
 */
static void
add_no_signer(const char *keys_dir, const char *name,
    const struct signature *sig, const struct search *s,
    const struct bundle_info *info, struct diag *d)
{
	if (s->keys == 0)
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_NO_KEYS, "dir", keys_dir,
		    NULL);
	else if (sig->key_id[0] == '\0')
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_MISMATCH, "dir",
		    keys_dir, NULL);
	else if (s->named == 0)
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_NOT_TRUSTED, "key_id",
		    sig->key_id, "dir", keys_dir, NULL);
	else
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_CHANGED, "key_id",
		    sig->key_id, "key", info->key, NULL);
}

/* serial: and expires: of the signed policy. */
static int
read_header(const char *name, const char *policy, size_t len,
    struct bundle_info *info, struct diag *d)
{
	size_t errors = d->count;
	struct yd_doc doc;
	struct policy p;

	memset(&p, 0, sizeof p);
	if (yd_load_buffer(&doc, name, policy, len, d) == 0 &&
	    doc.root != NULL && doc.root->type == YD_MAPPING)
		policy_read_bundle_keys(&doc, doc.root, &p, d);
	yd_free(&doc);
	if (d->count > errors)
		return -1;
	if (!p.has_serial) {
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_NO_SERIAL, NULL);
		return -1;
	}
	info->serial = p.serial;
	info->expires = p.expires;
	return 0;
}

int
bundle_verify(const char *keys_dir, const char *name, const char *policy,
    size_t policy_len, const unsigned char *sig, size_t sig_len,
    struct bundle_info *info, struct diag *d)
{
	struct signature s;
	struct search found;
	enum text_id why;
	char got[32];

	memset(info, 0, sizeof *info);
	if (sig == NULL) {
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_NO_SIGNATURE, NULL);
		return -1;
	}
	if (decode_signature(sig, sig_len, &s, &why) != 0) {
		snprintf(got, sizeof got, "%zu", sig_len);
		diag_add(d, name, 0, 0, why, "n", got, NULL);
		return -1;
	}
	find_signer(keys_dir, &s, policy, policy_len, info, &found);
	if (!found.found) {
		add_no_signer(keys_dir, name, &s, &found, info, d);
		return -1;
	}
	return read_header(name, policy, policy_len, info, d);
}

int
bundle_judge(const struct bundle_info *info, const char *name,
    long long serial_in_force, long long now, struct diag *d)
{
	char serial[32], in_force[32], date[40];

	if (info->expires != 0 && info->expires <= now) {
		bundle_format_time(info->expires, date, sizeof date);
		diag_add(
		    d, name, 0, 0, TXT_ERR_BUNDLE_EXPIRED, "date", date, NULL);
		return -1;
	}
	if (info->serial == serial_in_force)
		return 0;
	if (info->serial < serial_in_force) {
		snprintf(serial, sizeof serial, "%lld", info->serial);
		snprintf(in_force, sizeof in_force, "%lld", serial_in_force);
		diag_add(d, name, 0, 0, TXT_ERR_BUNDLE_OLD_SERIAL, "serial",
		    serial, "in_force", in_force, NULL);
		return -1;
	}
	return 1;
}

static void
add_openssl_error(struct diag *d, const char *file, enum text_id id)
{
	char reason[256];
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof reason);
	else
		snprintf(reason, sizeof reason, "%s",
		    errno != 0 ? strerror(errno) : "?");
	ERR_clear_error();
	diag_add(d, file, 0, 0, id, "reason", reason, NULL);
}

static EVP_PKEY *
read_private_key(const char *path, struct diag *d)
{
	EVP_PKEY *key = NULL;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		add_openssl_error(d, path, TXT_ERR_BUNDLE_PRIVATE_KEY);
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key == NULL) {
		ERR_clear_error();
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_NOT_PRIVATE_KEY, NULL);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_NOT_ED25519, NULL);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

int
bundle_sign(const char *key_file, const char *policy, size_t policy_len,
    unsigned char sig[BUNDLE_SIG_LEN], struct diag *d)
{
	EVP_PKEY *key = read_private_key(key_file, d);
	EVP_MD_CTX *ctx;
	size_t len = BUNDLE_SIG_LEN;
	int ok;

	if (key == NULL)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL &&
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &len, (const unsigned char *)policy,
		policy_len) == 1 &&
	    len == BUNDLE_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	if (!ok)
		add_openssl_error(d, key_file, TXT_ERR_BUNDLE_PRIVATE_KEY);
	return ok ? 0 : -1;
}

int
bundle_key_id(
    const char *key_file, char id[BUNDLE_KEY_ID_LEN + 1], struct diag *d)
{
	EVP_PKEY *key = read_public_key(key_file);
	int rc;

	if (key == NULL && (key = read_private_key(key_file, d)) == NULL)
		return -1;
	if ((rc = key_id_of(key, id)) != 0)
		add_openssl_error(d, key_file, TXT_ERR_BUNDLE_PRIVATE_KEY);
	EVP_PKEY_free(key);
	return rc;
}

size_t
bundle_signature_text(const unsigned char sig[BUNDLE_SIG_LEN],
    const char *key_id, char *buf, size_t size)
{
	unsigned char b64[BUNDLE_SIG_TEXT_MAX];
	int n;

	EVP_EncodeBlock(b64, sig, BUNDLE_SIG_LEN);
	if (key_id != NULL)
		n = snprintf(buf, size, "%s\nkey: %s\n", (char *)b64, key_id);
	else
		n = snprintf(buf, size, "%s\n", (char *)b64);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* A new file (never an existing one) with mode, as a stream; NULL with d. */
static FILE *
create_file(const char *path, mode_t mode, struct diag *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_WRITE, "reason",
		    strerror(errno), NULL);
		return NULL;
	}
	fchmod(fd, mode);
	if ((f = fdopen(fd, "w")) == NULL)
		close(fd);
	return f;
}

/* Closes f, reporting a failed write at path; 0 or -1. */
static int
finish_file(FILE *f, const char *path, int written, struct diag *d)
{
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		written = 0;
	if (fclose(f) != 0)
		written = 0;
	if (written)
		return 0;
	diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_WRITE, "reason",
	    strerror(errno != 0 ? errno : EIO), NULL);
	return -1;
}

int
bundle_keygen(const char *priv_file, const char *pub_file, struct diag *d)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;
	int rc = -1;

	if (key == NULL) {
		add_openssl_error(d, priv_file, TXT_ERR_BUNDLE_PRIVATE_KEY);
		return -1;
	}
	if ((f = create_file(priv_file, 0600, d)) == NULL)
		goto out;
	if (finish_file(f, priv_file,
		PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL),
		d) != 0)
		goto out;
	if (pub_file != NULL && strcmp(pub_file, "-") == 0) {
		PEM_write_PUBKEY(stdout, key);
		fflush(stdout);
	} else if (pub_file != NULL) {
		if ((f = create_file(pub_file, 0644, d)) == NULL)
			goto out;
		if (finish_file(f, pub_file, PEM_write_PUBKEY(f, key), d) != 0)
			goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(key);
	return rc;
}

char *
bundle_read_file(const char *path, size_t max, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (f == NULL) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_READ, "reason",
		    strerror(errno), NULL);
		return NULL;
	}
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_READ, "reason",
		    ferror(f) ? strerror(errno) : text(TXT_ERR_BUNDLE_TOO_BIG),
		    NULL);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

void
bundle_format_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
