/*
 * pin.h: the caregiver's PIN (policy allow_by: caregiver).
 *
 * Kept only as a salted PBKDF2-HMAC-SHA256 hash in a file only root can
 * read (STATE_DIR/caregiver.pin), set by `rdguard caregiver-pin`. Wrong
 * PINs are counted per user: after three, that user must wait a minute,
 * and each further wrong PIN doubles the wait (up to an hour). A PIN of
 * four to twelve digits is short, so the limit, not the hash, is what
 * stops guessing; the hash keeps the PIN itself from anyone who reads the
 * file.
 */
#ifndef RDGUARD_PIN_H
#define RDGUARD_PIN_H

#include <stdbool.h>

#define PIN_FREE_TRIES   3
#define PIN_FIRST_WAIT_S 60
#define PIN_LONGEST_WAIT (3600)

enum pin_result {
	PIN_RIGHT,
	PIN_WRONG,   /* *tries_left more before a wait */
	PIN_LOCKED,  /* wait *wait_s seconds */
	PIN_NOT_SET, /* no caregiver PIN was set */
};

struct pin_guard;

struct pin_guard *pin_guard_new(const char *path);
void pin_guard_free(struct pin_guard *g);

/* Whether s can be a PIN: four to twelve digits. */
bool pin_format_ok(const char *s);

/* Stores a new PIN (its hash); 0, or -1 with errno. */
int pin_set(struct pin_guard *g, const char *pin);

/* Checks a PIN typed by user uid at unix time now. */
enum pin_result pin_check(struct pin_guard *g, long uid, const char *pin,
    long long now, int *tries_left, long long *wait_s);

bool pin_is_set(struct pin_guard *g);

#endif
