/*
 * events-trace.c: journal records as trace events (docs/trace.md), for
 * `rdguard events --trace`: what a computer saw, to be judged again by
 * `rdguard policy test` with another policy.
 *
 * Launches (decision, running) become exec events with the facts the
 * journal kept; signals are journaled in the trace format already; a run's
 * end (exited, killed) becomes an exit. Other records say nothing a policy
 * would judge and are left out.
 */
#include <string.h>

#include "agent/cli/cli.h"
#include "core/browser.h"

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* The program that started it: the browser among the parents, if one
 * is, else the parent. */
static json_t *
parent_exe(const json_t *process)
{
	const json_t *parents = json_object_get(process, "parents"), *p;
	const char *first = NULL;
	size_t i;

	json_array_foreach (parents, i, p) {
		const char *exe = json_string_value(json_object_get(p, "exe"));

		if (exe == NULL)
			continue;
		if (first == NULL)
			first = exe;
		if (browser_name(base_name(exe)) != NULL)
			return json_string(exe);
	}
	return first != NULL ? json_string(first) : json_null();
}

static json_t *
exec_event(const json_t *rec)
{
	const json_t *process = json_object_get(rec, "process");
	const json_t *file = json_object_get(rec, "file");
	json_t *age = json_object_get(file, "age_s");
	json_t *ev = json_pack("{s:O,s:s,s:O,s:O,s:O,s:O,s:o,s:o,s:O,s:O}",
	    "at", json_object_get(rec, "time"), "type", "exec", "pid",
	    json_object_get(process, "pid"), "uid",
	    json_object_get(process, "uid"), "exe",
	    json_object_get(process, "exe"), "argv",
	    json_object_get(process, "argv"), "parent_exe", parent_exe(process),
	    "file_age_s",
	    json_integer_value(age) >= 0 ? json_incref(age) : json_null(),
	    "packaged", json_object_get(file, "packaged"), "user_writable",
	    json_object_get(file, "user_writable"));

	if (ev != NULL && json_is_string(json_object_get(file, "package")))
		json_object_set(
		    ev, "package", json_object_get(file, "package"));
	return ev;
}

json_t *
journal_record_as_trace(const json_t *rec)
{
	const char *event = json_string_value(json_object_get(rec, "event"));
	json_t *ev;

	if (event == NULL)
		return NULL;
	if (strcmp(event, "decision") == 0 || strcmp(event, "running") == 0)
		return exec_event(rec);
	if (strcmp(event, "signal") == 0) {
		ev = json_deep_copy(json_object_get(rec, "signal"));
		if (json_is_integer(json_object_get(rec, "uid")))
			json_object_set(ev, "uid", json_object_get(rec, "uid"));
		return ev;
	}
	if (strcmp(event, "exited") == 0 || strcmp(event, "killed") == 0)
		return json_pack("{s:O,s:s,s:O}", "at",
		    json_object_get(rec, "time"), "type", "exit", "pid",
		    json_object_get(rec, "pid"));
	return NULL;
}
