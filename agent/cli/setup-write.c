/*
 * setup-write.c: the drop-in `rdguard setup` writes, policy.d/10-setup.yaml:
 * the answers as policy keys, each with a comment a person can read, put in
 * place atomically (a temporary file, then rename), then checked with the
 * installed policy as `rdguard policy check` checks it. A file that makes
 * the policy fail is taken out again and the one before put back. Owns the
 * temporary and the backup file while it runs; leaves neither behind.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/cli/setup.h"
#include "core/catalog.h"
#include "core/policy.h"
#include "core/xalloc.h"

/* A sentence as YAML comment lines, indent and "# " before each line. */
static void
write_comment(FILE *out, const char *indent, enum text_id id, ...)
{
	va_list ap;
	char *s, *line, *next;

	va_start(ap, id);
	s = text_vprintf(id, ap);
	va_end(ap);
	for (line = s; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		fprintf(out, "%s# %s\n", indent, line);
	}
	free(s);
}

/* A JSON string is a valid YAML double-quoted scalar. */
static void
write_quoted(FILE *out, const char *value)
{
	json_t *js = json_string(value);
	char *quoted = json_dumps(js, JSON_ENCODE_ANY);

	fputs(quoted != NULL ? quoted : "\"\"", out);
	free(quoted);
	json_decref(js);
}

static void
write_text(FILE *out, const char *indent, const char *key, const char *value)
{
	fprintf(out, "%s%s: ", indent, key);
	write_quoted(out, value);
	fputc('\n', out);
}

static void
write_header(FILE *out, const struct cli_options *o)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	write_comment(out, "", TXT_CLI_SETUP_FILE_HEADER, "time", when,
	    "policy", o->policy_path, NULL);
}

static void
write_contact(FILE *out, const struct setup_answers *a)
{
	if (a->name == NULL)
		return;
	fputc('\n', out);
	write_comment(out, "", TXT_CLI_SETUP_FILE_CONTACT, NULL);
	fprintf(out, "contact:\n");
	write_text(out, "  ", "name", a->name);
	if (a->phone != NULL)
		write_text(out, "  ", "phone", a->phone);
}

/* ntfy.sh takes its own format; any other address gets JSON. */
static const char *
webhook_format(const char *url)
{
	return strncmp(url, "https://ntfy.sh/", 16) == 0 ? "ntfy" : "json";
}

static void
write_alerts(FILE *out, const struct setup_answers *a)
{
	if (a->pin[0] != '\0') {
		fputc('\n', out);
		write_comment(out, "", TXT_CLI_SETUP_FILE_PIN, NULL);
		fprintf(out, "allow_by: caregiver\n");
	}
	if (a->webhook == NULL)
		return;
	fputc('\n', out);
	write_comment(out, "", TXT_CLI_SETUP_FILE_WEBHOOK, NULL);
	fprintf(out, "alerts:\n  webhook:\n");
	write_text(out, "    ", "url", a->webhook);
	fprintf(out, "    format: %s\n", webhook_format(a->webhook));
}

static void
write_calls(FILE *out, const struct setup_answers *a)
{
	if (a->trusted_count == 0 && a->fritzbox == NULL)
		return;
	fprintf(out, "\ncalls:\n");
	if (a->trusted_count > 0) {
		write_comment(out, "  ", TXT_CLI_SETUP_FILE_TRUSTED, NULL);
		fprintf(out, "  trusted:\n");
		for (size_t i = 0; i < a->trusted_count; i++) {
			fprintf(out, "    - ");
			write_quoted(out, a->trusted[i]);
			fputc('\n', out);
		}
	}
	if (a->fritzbox != NULL) {
		write_comment(out, "  ", TXT_CLI_SETUP_FILE_FRITZBOX, NULL);
		fprintf(out, "  fritzbox:\n");
		write_text(out, "    ", "host", a->fritzbox);
	}
}

static void
write_answers(
    FILE *out, const struct cli_options *o, const struct setup_answers *a)
{
	write_header(out, o);
	fputc('\n', out);
	write_comment(out, "", TXT_CLI_SETUP_FILE_LEVEL, NULL);
	fprintf(out, "mode: %s\n", a->level);
	write_contact(out, a);
	write_alerts(out, a);
	write_calls(out, a);
}

/*
 * The file holds the alert address, which is a secret (whoever knows an ntfy
 * topic reads and sends on it; rdguardd shows it only to administrators),
 * and the family's phone numbers: readable by root and the group
 * rdguard-admin, or by root alone when there is no such group.
 */
static int
protect_file(int fd)
{
	const struct group *g = getgrnam(SETUP_ADMIN_GROUP);

	if (g == NULL)
		return fchmod(fd, 0600);
	if (fchown(fd, 0, g->gr_gid) != 0)
		return -1;
	return fchmod(fd, 0640);
}

/* Writes the answers to a new temporary file in dir; its path, or NULL. */
static char *
write_temporary(
    const char *dir, const struct cli_options *o, const struct setup_answers *a)
{
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, SETUP_FILE_NAME);
	int fd = mkstemp(tmp), failed;
	FILE *out;

	if (fd < 0 || protect_file(fd) != 0 ||
	    (out = fdopen(fd, "w")) == NULL) {
		cli_error(TXT_CLI_SETUP_CANNOT_WRITE, "file", tmp, "reason",
		    strerror(errno), NULL);
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return NULL;
	}
	write_answers(out, o, a);
	failed = fflush(out) != 0 || fsync(fd) != 0;
	failed = fclose(out) != 0 || failed;
	if (failed) {
		cli_error(TXT_CLI_SETUP_CANNOT_WRITE, "file", tmp, "reason",
		    strerror(errno), NULL);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* The installed policy with its drop-ins, checked; mistakes to stderr. */
static int
check_installed(const struct cli_options *o, const char *dir)
{
	struct catalog c = { 0 };
	struct diag d = { 0 }, ignored = { 0 };
	struct policy p;
	bool have_catalog = catalog_load(&c, o->catalog_dir, &ignored) == 0;
	int rc = 0;

	diag_clear(&ignored);
	if (policy_load_merged(
		&p, o->policy_path, dir, have_catalog ? &c : NULL, &d) != 0) {
		diag_print(&d, stderr);
		diag_clear(&d);
		rc = -1;
	} else
		policy_free(&p);
	catalog_free(&c);
	return rc;
}

/* Makes the drop-in folder when there is none yet. */
static int
make_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	cli_error(TXT_CLI_SETUP_CANNOT_WRITE, "file", dir, "reason",
	    strerror(errno), NULL);
	return -1;
}

/*
 * Puts tmp in place of path, keeping the file before as backup (a hard
 * link); *had_before says whether there was one.
 */
static int
put_in_place(
    const char *tmp, const char *path, const char *backup, bool *had_before)
{
	unlink(backup);
	*had_before = link(path, backup) == 0;
	if (rename(tmp, path) == 0)
		return 0;
	cli_error(TXT_CLI_SETUP_CANNOT_WRITE, "file", path, "reason",
	    strerror(errno), NULL);
	unlink(tmp);
	if (*had_before)
		unlink(backup);
	return -1;
}

/* Takes a refused file out: the one before goes back, or none. */
static void
take_back(const char *path, const char *backup, bool had_before)
{
	if (had_before)
		rename(backup, path);
	else
		unlink(path);
}

int
setup_write(
    const struct cli_options *o, const struct setup_answers *a, char **written)
{
	char *dir = o->policy_dropins != NULL
	    ? xstrdup(o->policy_dropins)
	    : policy_dropin_dir_for(o->policy_path);
	char *path = xasprintf("%s/%s", dir, SETUP_FILE_NAME);
	char *backup = xasprintf("%s/.%s.before", dir, SETUP_FILE_NAME);
	char *tmp = NULL;
	bool had_before = false;
	int rc = CLI_FAILED;

	*written = NULL;
	if (make_dir(dir) != 0 || (tmp = write_temporary(dir, o, a)) == NULL ||
	    put_in_place(tmp, path, backup, &had_before) != 0)
		goto out;
	if (check_installed(o, dir) != 0) {
		take_back(path, backup, had_before);
		cli_error(TXT_CLI_SETUP_REFUSED, "file", path, NULL);
		goto out;
	}
	if (had_before)
		unlink(backup);
	*written = path;
	path = NULL;
	rc = CLI_OK;
out:
	free(tmp);
	free(backup);
	free(path);
	free(dir);
	return rc;
}
