/* test_proto.c: framing of control-socket messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/proto.h"

static void
whole_lines_become_messages_in_order(void **state)
{
	struct proto_reader r;
	json_t *msg;
	const char *input = "{\"verb\":\"status\"}\n{\"verb\":\"ev";

	proto_reader_init(&r, PROTO_MAX_REQUEST);
	assert_int_equal(
	    proto_reader_feed(&r, input, strlen(input)), PROTO_INCOMPLETE);
	assert_int_equal(proto_reader_next(&r, &msg), PROTO_MESSAGE);
	assert_string_equal(proto_verb(msg), "status");
	json_decref(msg);
	assert_int_equal(proto_reader_next(&r, &msg), PROTO_INCOMPLETE);
	assert_int_equal(
	    proto_reader_feed(&r, "ents\"}\n", 7), PROTO_INCOMPLETE);
	assert_int_equal(proto_reader_next(&r, &msg), PROTO_MESSAGE);
	assert_string_equal(proto_verb(msg), "events");
	json_decref(msg);
	proto_reader_free(&r);
}

static void
what_is_not_an_object_is_malformed(void **state)
{
	static const char *const bad[] = { "[1,2]\n", "\"verb\"\n", "nope\n",
		"{\"verb\":\"a\",\"verb\":\"b\"}\n", "\n" };
	struct proto_reader r;
	json_t *msg;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		proto_reader_init(&r, PROTO_MAX_REQUEST);
		proto_reader_feed(&r, bad[i], strlen(bad[i]));
		assert_int_equal(proto_reader_next(&r, &msg), PROTO_MALFORMED);
		assert_null(msg);
		proto_reader_free(&r);
	}
}

static void
a_line_longer_than_the_limit_is_refused_before_it_ends(void **state)
{
	struct proto_reader r;
	char *chunk = malloc(4096);

	memset(chunk, 'x', 4096);
	proto_reader_init(&r, 16 * 1024);
	for (int i = 0; i < 3; i++)
		assert_int_equal(
		    proto_reader_feed(&r, chunk, 4096), PROTO_INCOMPLETE);
	assert_int_equal(proto_reader_feed(&r, chunk, 4096), PROTO_MALFORMED);
	proto_reader_free(&r);
	free(chunk);
}

static void
a_request_without_a_verb_has_none(void **state)
{
	json_t *msg = json_pack("{s:i}", "verb", 3);

	assert_null(proto_verb(msg));
	json_decref(msg);
}

static void
encoding_gives_one_line(void **state)
{
	json_t *msg = json_pack("{s:s,s:s}", "verb", "status", "x", "a\nb");
	size_t len;
	char *line = proto_encode(msg, &len);

	assert_string_equal(line, "{\"verb\":\"status\",\"x\":\"a\\nb\"}\n");
	assert_int_equal(len, strlen(line));
	free(line);
	json_decref(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_lines_become_messages_in_order),
		cmocka_unit_test(what_is_not_an_object_is_malformed),
		cmocka_unit_test(
		    a_line_longer_than_the_limit_is_refused_before_it_ends),
		cmocka_unit_test(a_request_without_a_verb_has_none),
		cmocka_unit_test(encoding_gives_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
