/* test_journal.c: the JSON-lines journal, its rotation and its times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/journal.h"

static char dir[] = "/tmp/rdg-journal-XXXXXX";

static int
make_dir(void **state)
{
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
remove_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Appends and lets go of the record, as the daemon does. */
static int
append(struct journal *j, json_t *record, long long now_ms)
{
	int rc = journal_append(j, record, now_ms);

	json_decref(record);
	return rc;
}

static int
count_record(json_t *record, void *arg)
{
	json_t *seen = arg;

	json_array_append(seen, json_object_get(record, "n"));
	return 0;
}

static void
records_come_back_in_order_with_time_first(void **state)
{
	char path[128], line[256];
	struct journal j;
	json_t *seen = json_array();
	FILE *f;

	snprintf(path, sizeof path, "%s/a.jsonl", dir);
	assert_int_equal(journal_open(&j, path, 0, 0), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(
		    append(&j, json_pack("{s:s,s:i}", "event", "x", "n", i),
			1764065343123LL),
		    0);
	journal_close(&j);
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_string_equal(line,
	    "{\"time\":\"2025-11-25T10:09:03.123Z\","
	    "\"event\":\"x\",\"n\":0}\n");
	assert_int_equal(journal_read(path, 4, count_record, seen), 3);
	assert_int_equal(json_integer_value(json_array_get(seen, 2)), 2);
	json_decref(seen);
}

static void
rotation_keeps_every_line_and_drops_the_oldest_file(void **state)
{
	char path[128], rotated[160];
	struct journal j;
	json_t *seen = json_array();
	struct stat st;

	snprintf(path, sizeof path, "%s/r.jsonl", dir);
	/* About 60 bytes a line, 200 bytes a file: 3 lines a file. */
	assert_int_equal(journal_open(&j, path, 200, 2), 0);
	for (int i = 0; i < 9; i++)
		append(&j, json_pack("{s:s,s:i}", "event", "x", "n", i),
		    1764065343123LL);
	journal_close(&j);
	snprintf(rotated, sizeof rotated, "%s.2", path);
	assert_int_equal(stat(rotated, &st), 0);
	snprintf(rotated, sizeof rotated, "%s.3", path);
	assert_int_not_equal(stat(rotated, &st), 0);
	assert_true(stat(path, &st) == 0 && st.st_size <= 200);
	journal_read(path, 2, count_record, seen);
	/* Oldest first, no gap, the newest last. */
	assert_true(json_array_size(seen) >= 7);
	for (size_t i = 1; i < json_array_size(seen); i++)
		assert_int_equal(json_integer_value(json_array_get(seen, i)),
		    json_integer_value(json_array_get(seen, i - 1)) + 1);
	assert_int_equal(
	    json_integer_value(json_array_get(seen, json_array_size(seen) - 1)),
	    8);
	json_decref(seen);
}

static void
a_failed_write_waits_in_memory_and_goes_out_later(void **state)
{
	char path[128];
	struct journal j;
	json_t *seen = json_array();
	int real_fd;

	snprintf(path, sizeof path, "%s/f.jsonl", dir);
	assert_int_equal(journal_open(&j, path, 0, 0), 0);
	/* A descriptor that refuses writes stands in for a full disk. */
	real_fd = j.fd;
	j.fd = open("/dev/null", O_RDONLY);
	assert_int_equal(append(&j, json_pack("{s:i}", "n", 1), 0), 1);
	assert_int_equal(append(&j, json_pack("{s:i}", "n", 2), 0), 1);
	assert_int_equal(j.pending_count, 2);
	close(j.fd);
	j.fd = real_fd;
	assert_int_equal(append(&j, json_pack("{s:i}", "n", 3), 0), 0);
	assert_int_equal(j.pending_count, 0);
	journal_close(&j);
	journal_read(path, 4, count_record, seen);
	assert_int_equal(json_array_size(seen), 3);
	assert_int_equal(json_integer_value(json_array_get(seen, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(seen, 2)), 3);
	json_decref(seen);
}

static void
lines_that_are_not_objects_are_skipped(void **state)
{
	char path[128];
	json_t *seen = json_array();
	FILE *f;

	snprintf(path, sizeof path, "%s/g.jsonl", dir);
	f = fopen(path, "w");
	fputs("{\"n\":1}\nnot json\n[1,2]\n{\"n\":2}\n{\"n\":", f);
	fclose(f);
	assert_int_equal(journal_read(path, 1, count_record, seen), 2);
	json_decref(seen);
}

static void
times_round_trip(void **state)
{
	char buf[40];
	long long ms;

	journal_time(1764065343123LL, buf, sizeof buf);
	assert_string_equal(buf, "2025-11-25T10:09:03.123Z");
	assert_int_equal(journal_parse_time(buf, &ms), 0);
	assert_int_equal(ms, 1764065343123LL);
	assert_int_equal(journal_parse_time("2025-11-25T10:09:03Z", &ms), 0);
	assert_int_equal(ms, 1764065343000LL);
	assert_int_equal(journal_parse_time("2025-11-25 10:09", &ms), -1);
	assert_int_equal(
	    journal_parse_time("2025-11-25T10:09:03+01:00", &ms), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_come_back_in_order_with_time_first),
		cmocka_unit_test(
		    rotation_keeps_every_line_and_drops_the_oldest_file),
		cmocka_unit_test(
		    a_failed_write_waits_in_memory_and_goes_out_later),
		cmocka_unit_test(lines_that_are_not_objects_are_skipped),
		cmocka_unit_test(times_round_trip),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
