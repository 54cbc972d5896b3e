/*
 * bundles.c: signed policy on a managed machine (see bundles.h): which
 * bundle is in force, where it came from, and the last good one on disk.
 *
 * Owns the folder STATE/bundle: policy-SERIAL.yaml and its .sig, and
 * `current`, which names the serial in force. A new bundle is written beside
 * the old (temp file, fsync, rename), loaded from there, and only then made
 * current by replacing `current` the same way, so a crash at any point
 * leaves a whole bundle that verifies. A forced policy goes to applied.yaml
 * and is never current: after a restart the last signed bundle is back.
 * Loop only; the swap itself is rules.c's (one atomic publish to the gate).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/daemon/alerts.h"
#include "agent/daemon/bundles.h"
#include "agent/daemon/calls.h"
#include "agent/daemon/control.h"
#include "agent/daemon/fetch.h"
#include "agent/daemon/log.h"
#include "agent/daemon/rules.h"
#include "core/bundle.h"
#include "core/xalloc.h"

#define POLICY_MAX (1024 * 1024) /* the most a policy file may hold */
#define SIG_MAX    4096

struct bundles {
	char *keys_dir;
	char *state_dir;
	char *dir; /* STATE/bundle */

	/* The signed bundle in force; serial -1: none yet. */
	long long serial;
	long long expires;
	char key[256];
	char key_id[BUNDLE_KEY_ID_LEN + 1];
	char *origin;
	char *path;       /* the file the policy in force was loaded from */
	bool forced;      /* an administrator forced an unsigned policy */
	bool warned;      /* the expiry in force was logged */
	bool managed;     /* decided at start: a trusted key was there */
	struct diag note; /* at start: why the configured file was not taken */
	bool note_signed; /* it verified, but was older or expired */
};

struct bundles *
bundles_new(const struct config *c)
{
	struct bundles *b = xcalloc(1, sizeof *b);

	b->keys_dir = xstrdup(c->keys_dir);
	b->state_dir = xstrdup(c->state_dir);
	b->dir = xasprintf("%s/bundle", c->state_dir);
	b->serial = -1;
	b->managed = bundle_key_count(b->keys_dir) > 0;
	return b;
}

void
bundles_free(struct bundles *b)
{
	if (b == NULL)
		return;
	free(b->keys_dir);
	free(b->state_dir);
	free(b->dir);
	free(b->origin);
	free(b->path);
	diag_clear(&b->note);
	free(b);
}

bool
bundles_managed(const struct daemon *dm)
{
	return dm->bundles != NULL &&
	    bundle_key_count(dm->bundles->keys_dir) > 0;
}

/* The errors of d as a JSON array of "file:line:col: message" lines. */
static json_t *
diag_json(const struct diag *d)
{
	json_t *lines = json_array();

	for (size_t i = 0; i < d->count; i++) {
		char *line = diag_entry_line(&d->entries[i]);

		json_array_append_new(lines, json_string(line));
		free(line);
	}
	return lines;
}

/* ---------------------------------------------------------------------- */
/* The folder                                                             */
/* ---------------------------------------------------------------------- */

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes path whole or not at all: temp file, fsync, rename, fsync dir. */
static int
write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *tmp = xasprintf("%s/.%s.tmp", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd >= 0) {
		rc = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0
		    ? 0
		    : -1;
		if (close(fd) != 0)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
		if (rc != 0)
			unlink(tmp);
	}
	if (rc == 0)
		rc = sync_dir(dir);
	free(path);
	free(tmp);
	return rc;
}

/* The bundle folder; a new one is made durable in its parent too. */
static int
make_dir(const struct bundles *b)
{
	if (mkdir(b->dir, 0700) == 0)
		return sync_dir(b->state_dir);
	return errno == EEXIST ? 0 : -1;
}

static char *
kept_path(const struct bundles *b, long long serial, const char *suffix)
{
	return xasprintf("%s/policy-%lld.yaml%s", b->dir, serial, suffix);
}

/* The serial `current` names, or -1. */
static long long
kept_serial(const struct bundles *b)
{
	char *path = xasprintf("%s/current", b->dir);
	FILE *f = fopen(path, "re");
	long long serial = -1;

	free(path);
	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld", &serial) != 1 || serial < 0)
		serial = -1;
	fclose(f);
	return serial;
}

/* Removes the kept bundles other than the one of serial. */
static void
prune_kept(const struct bundles *b, long long serial)
{
	DIR *dh = opendir(b->dir);
	struct dirent *e;
	long long s;
	int end;

	if (dh == NULL)
		return;
	while ((e = readdir(dh)) != NULL) {
		end = 0;
		if (sscanf(e->d_name, "policy-%lld.yaml%n", &s, &end) != 1 ||
		    end == 0 || s == serial)
			continue;
		if (unlinkat(dirfd(dh), e->d_name, 0) != 0)
			continue;
	}
	closedir(dh);
}

/* Keeps the bundle's two files beside the current one; 0 or -1. */
static int
keep_files(const struct bundles *b, long long serial, const char *policy,
    size_t policy_len, const unsigned char *sig, size_t sig_len)
{
	char name[64], sig_name[64];

	snprintf(name, sizeof name, "policy-%lld.yaml", serial);
	snprintf(sig_name, sizeof sig_name, "policy-%lld.yaml.sig", serial);
	if (make_dir(b) != 0 ||
	    write_atomic(b->dir, name, policy, policy_len) != 0 ||
	    write_atomic(b->dir, sig_name, sig, sig_len) != 0)
		return -1;
	return 0;
}

/* Makes serial the one in force on disk; 0 or -1. */
static int
make_current(const struct bundles *b, long long serial)
{
	char text[32];
	int n = snprintf(text, sizeof text, "%lld\n", serial);

	if (write_atomic(b->dir, "current", text, (size_t)n) != 0)
		return -1;
	prune_kept(b, serial);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Loading and swapping                                                   */
/* ---------------------------------------------------------------------- */

/*
 * Loads the catalog and the policy at path (not the configured file). A
 * signed policy is taken whole: local drop-ins would be unsigned edits.
 */
static int
load_rules_from(struct daemon *dm, const char *path, struct diag *d)
{
	struct config c = dm->config;

	c.policy_file = (char *)path;
	c.policy_dropins = NULL;
	return rules_load(dm->rules, &c, d);
}

/* Hands the newly loaded rules to the gate and the parts, as a reload. */
static void
publish(struct daemon *dm)
{
	const struct ruleset *rs = rules_current(dm->rules);

	rules_publish(dm->rules, dm->gate);
	if (dm->alerts != NULL)
		alerts_configure(dm->alerts, rs->policy);
	if (dm->calls != NULL)
		calls_configure(dm->calls, rs->policy);
	if (dm->fetch != NULL)
		fetch_configure(dm->fetch, rs->policy);
}

static void
set_in_force(struct bundles *b, const struct bundle_info *info,
    const char *origin, const char *path)
{
	b->serial = info->serial;
	b->expires = info->expires;
	snprintf(b->key, sizeof b->key, "%s", info->key);
	snprintf(b->key_id, sizeof b->key_id, "%s", info->key_id);
	free(b->origin);
	free(b->path);
	b->origin = xstrdup(origin);
	b->path = xstrdup(path);
	b->forced = false;
	b->warned = false;
}

static void
record_applied(struct daemon *dm, const char *origin)
{
	struct bundles *b = dm->bundles;
	char serial[32], expires[40] = "";

	snprintf(serial, sizeof serial, "%lld", b->serial);
	if (b->expires != 0)
		bundle_format_time(b->expires, expires, sizeof expires);
	log_say(LOG_INFO, TXT_DAEMON_BUNDLE_APPLIED, "origin", origin, "serial",
	    serial, "key", b->key, "key_id", b->key_id, NULL);
	daemon_record(dm,
	    json_pack("{s:s,s:s,s:I,s:s,s:s,s:s?,s:s}", "event",
		"policy-bundle", "origin", origin, "serial",
		(json_int_t)b->serial, "key", b->key, "key_id", b->key_id,
		"expires", b->expires != 0 ? expires : NULL, "mode",
		policy_mode_name(rules_current(dm->rules)->policy->mode)));
}

static void
record_refused(
    struct daemon *dm, const char *origin, const struct diag *d, size_t first)
{
	struct diag mine = { d->entries + first, d->count - first, 0 };

	log_say(LOG_ERROR, TXT_DAEMON_BUNDLE_REFUSED, "origin", origin, NULL);
	log_diag(LOG_ERROR, &mine);
	daemon_record(dm,
	    json_pack("{s:s,s:s,s:o}", "event", "policy-bundle-refused",
		"origin", origin, "errors", diag_json(&mine)));
}

/* Keeps, loads and swaps in a bundle that verified and is newer. */
static int
take_bundle(struct daemon *dm, const struct bundle_info *info,
    const char *policy, size_t policy_len, const unsigned char *sig,
    size_t sig_len, const char *origin, struct diag *d)
{
	struct bundles *b = dm->bundles;
	char *path = kept_path(b, info->serial, "");
	int rc = -1;

	if (keep_files(b, info->serial, policy, policy_len, sig, sig_len) !=
	    0) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_WRITE, "reason",
		    strerror(errno), NULL);
	} else if (load_rules_from(dm, path, d) == 0) {
		if (make_current(b, info->serial) != 0)
			log_say(LOG_ERROR, TXT_DAEMON_BUNDLE_NOT_KEPT, "dir",
			    b->dir, "reason", strerror(errno), NULL);
		set_in_force(b, info, origin, path);
		rc = 0;
	} else if (info->serial != kept_serial(b)) {
		char *sig_path = kept_path(b, info->serial, ".sig");

		unlink(path);
		unlink(sig_path);
		free(sig_path);
	}
	free(path);
	return rc;
}

enum bundle_offer
bundles_offer(struct daemon *dm, const char *policy, size_t policy_len,
    const unsigned char *sig, size_t sig_len, const char *origin,
    struct diag *d)
{
	struct bundles *b = dm->bundles;
	size_t first = d->count;
	struct bundle_info info;
	int judged;

	if (bundle_verify(b->keys_dir, origin, policy, policy_len, sig, sig_len,
		&info, d) != 0)
		goto refused;
	judged =
	    bundle_judge(&info, origin, b->serial, daemon_now_ms() / 1000, d);
	if (judged < 0)
		goto refused;
	if (judged == 0)
		return BUNDLE_UNCHANGED;
	if (take_bundle(
		dm, &info, policy, policy_len, sig, sig_len, origin, d) != 0)
		goto refused;
	publish(dm);
	record_applied(dm, origin);
	return BUNDLE_APPLIED;
refused:
	record_refused(dm, origin, d, first);
	return BUNDLE_REFUSED;
}

/* ---------------------------------------------------------------------- */
/* Start                                                                  */
/* ---------------------------------------------------------------------- */

/* A bundle read from two files, and whether it verified. */
struct candidate {
	char *path;
	char *policy;
	size_t policy_len;
	unsigned char *sig;
	size_t sig_len;
	struct bundle_info info;
	bool good;
};

static void
candidate_read(struct candidate *c, const struct bundles *b, const char *path,
    const char *sig_path, struct diag *d)
{
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->policy = bundle_read_file(path, POLICY_MAX, &c->policy_len, d);
	if (c->policy == NULL)
		return;
	if (access(sig_path, F_OK) == 0)
		c->sig = (unsigned char *)bundle_read_file(
		    sig_path, SIG_MAX, &c->sig_len, d);
	c->good = bundle_verify(b->keys_dir, path, c->policy, c->policy_len,
		      c->sig, c->sig_len, &c->info, d) == 0;
}

static void
candidate_free(struct candidate *c)
{
	free(c->path);
	free(c->policy);
	free(c->sig);
}

/* Drops the entries of d from first on. */
static void
diag_drop_from(struct diag *d, size_t first)
{
	for (size_t i = first; i < d->count; i++) {
		free(d->entries[i].file);
		free(d->entries[i].message);
	}
	d->count = first;
}

/* Moves the entries of from, from first on, to the end of to. */
static void
diag_move_from(struct diag *from, size_t first, struct diag *to)
{
	for (size_t i = first; i < from->count; i++) {
		xgrow(&to->entries, &to->capacity, to->count + 1,
		    sizeof *to->entries);
		to->entries[to->count++] = from->entries[i];
	}
	from->count = first;
}

static int
start_from_kept(struct daemon *dm, struct candidate *c, struct diag *d)
{
	if (load_rules_from(dm, c->path, d) != 0)
		return -1;
	set_in_force(dm->bundles, &c->info, c->path, c->path);
	return 0;
}

static int
start_from_configured(struct daemon *dm, struct candidate *c, struct diag *d)
{
	return take_bundle(dm, &c->info, c->policy, c->policy_len, c->sig,
	    c->sig_len, c->path, d);
}

/*
 * The configured file when it verifies and is newer than the kept bundle
 * and not expired; else the kept bundle; else the configured file even
 * expired (an old policy is better than none). Why the configured file was
 * not taken is kept for bundles_record_start.
 */
int
bundles_load_at_start(struct daemon *dm, struct diag *d)
{
	struct bundles *b = dm->bundles;
	long long serial = kept_serial(b);
	char *kept = kept_path(b, serial, "");
	char *kept_sig = kept_path(b, serial, ".sig");
	char *sig_path = xasprintf("%s.sig", dm->config.policy_file);
	struct candidate conf, last;
	size_t first = d->count;
	int rc = -1;

	memset(&last, 0, sizeof last);
	candidate_read(&conf, b, dm->config.policy_file, sig_path, d);
	if (serial >= 0)
		candidate_read(&last, b, kept, kept_sig, d);
	if (conf.good &&
	    bundle_judge(&conf.info, conf.path,
		last.good ? last.info.serial : -1, daemon_now_ms() / 1000,
		d) == 1)
		rc = start_from_configured(dm, &conf, d);
	if (rc != 0 && last.good)
		rc = start_from_kept(dm, &last, d);
	if (rc != 0 && conf.good)
		rc = start_from_configured(dm, &conf, d);
	if (rc == 0) {
		b->note_signed = conf.good;
		if (strcmp(b->origin, conf.path) != 0)
			diag_move_from(d, first, &b->note);
		diag_drop_from(d, first);
	} else {
		diag_add(d, b->keys_dir, 0, 0, TXT_DAEMON_BUNDLE_NONE, "dir",
		    b->keys_dir, "file", dm->config.policy_file, "kept", b->dir,
		    NULL);
	}
	candidate_free(&conf);
	candidate_free(&last);
	free(kept);
	free(kept_sig);
	free(sig_path);
	return rc;
}

/*
 * Journals the bundle in force at start, and why the configured file was
 * not taken, if it was not.
 */
void
bundles_record_start(struct daemon *dm)
{
	struct bundles *b = dm->bundles;
	const char *file = dm->config.policy_file;
	char serial[32];

	if (b == NULL || !b->managed)
		return;
	record_applied(dm, b->origin);
	if (b->note.count == 0)
		return;
	snprintf(serial, sizeof serial, "%lld", b->serial);
	if (b->note_signed)
		log_say(LOG_WARNING, TXT_DAEMON_BUNDLE_REFUSED, "origin", file,
		    NULL);
	else
		log_say(LOG_WARNING, TXT_DAEMON_BUNDLE_IGNORED, "file", file,
		    "serial", serial, NULL);
	log_diag(LOG_WARNING, &b->note);
	daemon_record(dm,
	    json_pack("{s:s,s:s,s:I,s:o}", "event",
		b->note_signed ? "policy-bundle-refused"
			       : "policy-unsigned-ignored",
		b->note_signed ? "origin" : "file", file, "serial",
		(json_int_t)b->serial, "errors", diag_json(&b->note)));
	diag_clear(&b->note);
}

/* ---------------------------------------------------------------------- */
/* Reload, apply, status                                                  */
/* ---------------------------------------------------------------------- */

/* Reloads the catalog with the policy in force (nothing newer came). */
static json_t *
reload_in_force(struct daemon *dm)
{
	struct diag errors = { 0 };
	json_t *lines = NULL;

	if (dm->bundles->path == NULL)
		return NULL;
	if (load_rules_from(dm, dm->bundles->path, &errors) == 0)
		publish(dm);
	else
		lines = diag_json(&errors);
	diag_clear(&errors);
	return lines;
}

/* The configured file changed without a good signature: say so. */
static json_t *
ignore_configured(struct daemon *dm, struct diag *why)
{
	struct bundles *b = dm->bundles;
	json_t *lines = diag_json(why);
	char serial[32];

	snprintf(serial, sizeof serial, "%lld", b->serial);
	log_say(LOG_WARNING, TXT_DAEMON_BUNDLE_IGNORED, "file",
	    dm->config.policy_file, "serial", serial, NULL);
	log_diag(LOG_WARNING, why);
	daemon_record(dm,
	    json_pack("{s:s,s:s,s:I,s:O}", "event", "policy-unsigned-ignored",
		"file", dm->config.policy_file, "serial", (json_int_t)b->serial,
		"errors", lines));
	json_decref(reload_in_force(dm));
	return lines;
}

json_t *
bundles_reload(struct daemon *dm)
{
	struct candidate conf;
	struct diag why = { 0 };
	char *sig_path = xasprintf("%s.sig", dm->config.policy_file);
	json_t *lines = NULL;

	candidate_read(
	    &conf, dm->bundles, dm->config.policy_file, sig_path, &why);
	if (!conf.good) {
		lines = ignore_configured(dm, &why);
	} else {
		enum bundle_offer o = bundles_offer(dm, conf.policy,
		    conf.policy_len, conf.sig, conf.sig_len, conf.path, &why);

		if (o == BUNDLE_REFUSED)
			lines = diag_json(&why);
		else if (o == BUNDLE_UNCHANGED)
			lines = reload_in_force(dm);
	}
	diag_clear(&why);
	candidate_free(&conf);
	free(sig_path);
	return lines;
}

/* An administrator's unsigned (or older) policy: loaded, not kept. */
static enum bundle_offer
force_policy(struct daemon *dm, const struct peer *p, const char *policy,
    size_t policy_len, const char *origin, struct diag *d)
{
	struct bundles *b = dm->bundles;
	char *path = xasprintf("%s/applied.yaml", b->dir);
	char uid[32];

	if (make_dir(b) != 0 ||
	    write_atomic(b->dir, "applied.yaml", policy, policy_len) != 0) {
		diag_add(d, path, 0, 0, TXT_ERR_BUNDLE_CANNOT_WRITE, "reason",
		    strerror(errno), NULL);
		free(path);
		return BUNDLE_REFUSED;
	}
	if (load_rules_from(dm, path, d) != 0) {
		free(path);
		return BUNDLE_REFUSED;
	}
	publish(dm);
	free(b->origin);
	free(b->path);
	b->origin = xstrdup(origin);
	b->path = path;
	b->forced = bundles_managed(dm);
	snprintf(uid, sizeof uid, "%ld", p->uid);
	if (b->forced)
		log_say(LOG_WARNING, TXT_DAEMON_BUNDLE_FORCED, "uid", uid,
		    "origin", origin, NULL);
	daemon_record(dm,
	    json_pack("{s:s,s:s,s:o}", "event",
		b->forced ? "policy-forced" : "policy-applied", "origin",
		origin, "by",
		json_pack("{s:I,s:I}", "uid", (json_int_t)p->uid, "pid",
		    (json_int_t)p->pid)));
	return BUNDLE_APPLIED;
}

enum bundle_offer
bundles_apply(struct daemon *dm, const struct peer *p, const char *policy,
    size_t policy_len, const unsigned char *sig, size_t sig_len,
    const char *origin, bool force, struct diag *d)
{
	if (bundles_managed(dm) && !force)
		return bundles_offer(
		    dm, policy, policy_len, sig, sig_len, origin, d);
	return force_policy(dm, p, policy, policy_len, origin, d);
}

json_t *
bundles_status(const struct daemon *dm)
{
	const struct bundles *b = dm->bundles;
	char expires[40] = "";
	json_t *s;

	if (b == NULL)
		return json_pack("{s:b}", "managed", 0);
	s = json_pack("{s:b,s:s,s:b}", "managed", bundles_managed(dm),
	    "keys_dir", b->keys_dir, "forced", b->forced);
	if (b->origin != NULL)
		json_object_set_new(s, "origin", json_string(b->origin));
	if (b->serial < 0)
		return s;
	json_object_set_new(s, "serial", json_integer(b->serial));
	json_object_set_new(s, "key", json_string(b->key));
	json_object_set_new(s, "key_id", json_string(b->key_id));
	if (b->expires != 0) {
		bundle_format_time(b->expires, expires, sizeof expires);
		json_object_set_new(s, "expires", json_string(expires));
		json_object_set_new(s, "expired",
		    json_boolean(b->expires <= daemon_now_ms() / 1000));
	}
	return s;
}

/*
 * A bundle that expires while in force stays in force: falling back to
 * nothing would open the machine. It is said once, in the log and journal.
 */
void
bundles_tick(struct daemon *dm)
{
	struct bundles *b = dm->bundles;
	char serial[32], date[40];

	if (b == NULL || b->serial < 0 || b->expires == 0 || b->warned ||
	    b->expires > daemon_now_ms() / 1000)
		return;
	b->warned = true;
	snprintf(serial, sizeof serial, "%lld", b->serial);
	bundle_format_time(b->expires, date, sizeof date);
	log_say(LOG_WARNING, TXT_DAEMON_BUNDLE_EXPIRED_IN_FORCE, "serial",
	    serial, "date", date, NULL);
	daemon_record(dm,
	    json_pack("{s:s,s:I,s:s}", "event", "policy-expired-in-force",
		"serial", (json_int_t)b->serial, "expires", date));
}
