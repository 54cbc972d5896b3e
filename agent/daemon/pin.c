/*
 * pin.c: hashes, stores and checks the caregiver's PIN, and limits wrong
 * tries (see pin.h). Owns the PIN file and the per-user count of wrong
 * tries; the count lives in memory, so a restart forgives, which is why the
 * waits are long enough on their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/daemon/pin.h"
#include "core/xalloc.h"

#define PIN_ITERATIONS 200000
#define SALT_BYTES     16
#define HASH_BYTES     32

struct tries {
	long uid;
	int wrong;         /* wrong PINs in a row */
	long long until_s; /* no try before this unix time */
};

struct pin_guard {
	char *path;
	struct tries *tries;
	size_t count, capacity;
};

struct pin_guard *
pin_guard_new(const char *path)
{
	struct pin_guard *g = xcalloc(1, sizeof *g);

	g->path = xstrdup(path);
	return g;
}

void
pin_guard_free(struct pin_guard *g)
{
	if (g == NULL)
		return;
	free(g->path);
	free(g->tries);
	free(g);
}

bool
pin_format_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 4 && n <= 12 && s[n] == '\0';
}

static void
to_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int
from_hex(const char *in, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return in[2 * n] == '\0' || in[2 * n] == '\n' ? 0 : -1;
}

static int
derive(const char *pin, const unsigned char *salt, unsigned iterations,
    unsigned char *hash)
{
	return PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, SALT_BYTES,
		   (int)iterations, EVP_sha256(), HASH_BYTES, hash) == 1
	    ? 0
	    : -1;
}

int
pin_set(struct pin_guard *g, const char *pin)
{
	unsigned char salt[SALT_BYTES], hash[HASH_BYTES];
	char salt_hex[2 * SALT_BYTES + 1], hash_hex[2 * HASH_BYTES + 1];
	char *tmp = xasprintf("%s.new", g->path);
	FILE *f;
	int fd, rc = -1;

	if (RAND_bytes(salt, sizeof salt) != 1 ||
	    derive(pin, salt, PIN_ITERATIONS, hash) != 0) {
		free(tmp);
		errno = EIO;
		return -1;
	}
	to_hex(salt, sizeof salt, salt_hex);
	to_hex(hash, sizeof hash, hash_hex);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && (f = fdopen(fd, "w")) != NULL) {
		fprintf(f, "pbkdf2-sha256$%u$%s$%s\n", PIN_ITERATIONS, salt_hex,
		    hash_hex);
		if (fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0 &&
		    rename(tmp, g->path) == 0)
			rc = 0;
	} else if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	/* A new PIN forgives every wrong try. */
	g->count = 0;
	return rc;
}

/* Reads the stored hash; 0, or -1 when there is none or it is unreadable. */
static int
read_stored(const struct pin_guard *g, unsigned *iterations,
    unsigned char *salt, unsigned char *hash)
{
	char line[256], salt_hex[2 * SALT_BYTES + 2],
	    hash_hex[2 * HASH_BYTES + 2];
	FILE *f = fopen(g->path, "re");
	int ok;

	if (f == NULL)
		return -1;
	ok = fgets(line, sizeof line, f) != NULL &&
	    sscanf(line, "pbkdf2-sha256$%u$%33[0-9a-f]$%65[0-9a-f]", iterations,
		salt_hex, hash_hex) == 3 &&
	    from_hex(salt_hex, salt, SALT_BYTES) == 0 &&
	    from_hex(hash_hex, hash, HASH_BYTES) == 0;
	fclose(f);
	return ok ? 0 : -1;
}

bool
pin_is_set(struct pin_guard *g)
{
	unsigned iterations;
	unsigned char salt[SALT_BYTES], hash[HASH_BYTES];

	return read_stored(g, &iterations, salt, hash) == 0;
}

static struct tries *
tries_of(struct pin_guard *g, long uid)
{
	for (size_t i = 0; i < g->count; i++)
		if (g->tries[i].uid == uid)
			return &g->tries[i];
	xgrow(&g->tries, &g->capacity, g->count + 1, sizeof *g->tries);
	g->tries[g->count] = (struct tries){ .uid = uid };
	return &g->tries[g->count++];
}

/* After the free tries, each wrong PIN makes the next wait longer. */
static void
count_wrong(struct tries *t, long long now, int *tries_left, long long *wait_s)
{
	long long wait = PIN_FIRST_WAIT_S;

	t->wrong++;
	*tries_left = t->wrong < PIN_FREE_TRIES ? PIN_FREE_TRIES - t->wrong : 0;
	if (t->wrong < PIN_FREE_TRIES) {
		*wait_s = 0;
		return;
	}
	for (int i = PIN_FREE_TRIES; i < t->wrong && wait < PIN_LONGEST_WAIT;
	     i++)
		wait *= 2;
	if (wait > PIN_LONGEST_WAIT)
		wait = PIN_LONGEST_WAIT;
	t->until_s = now + wait;
	*wait_s = wait;
}

enum pin_result
pin_check(struct pin_guard *g, long uid, const char *pin, long long now,
    int *tries_left, long long *wait_s)
{
	unsigned char salt[SALT_BYTES], stored[HASH_BYTES], typed[HASH_BYTES];
	struct tries *t = tries_of(g, uid);
	unsigned iterations;

	*tries_left = 0;
	*wait_s = 0;
	if (t->until_s > now) {
		*wait_s = t->until_s - now;
		return PIN_LOCKED;
	}
	if (read_stored(g, &iterations, salt, stored) != 0)
		return PIN_NOT_SET;
	if (pin_format_ok(pin) && iterations <= 10000000 &&
	    derive(pin, salt, iterations, typed) == 0 &&
	    CRYPTO_memcmp(typed, stored, HASH_BYTES) == 0) {
		t->wrong = 0;
		t->until_s = 0;
		return PIN_RIGHT;
	}
	count_wrong(t, now, tries_left, wait_s);
	return PIN_WRONG;
}
