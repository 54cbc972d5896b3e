/* test_latency.c: the decision-time histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/latency.h"

static struct latency l;

static void
percentiles_are_within_a_sixteenth(void **state)
{
	memset(&l, 0, sizeof l);
	/* 1..1000 µs, once each. */
	for (unsigned long long us = 1; us <= 1000; us++)
		latency_add(&l, us * 1000);
	assert_int_equal(latency_count(&l), 1000);
	unsigned long long p50 = latency_percentile(&l, 0.50);
	unsigned long long p99 = latency_percentile(&l, 0.99);
	assert_true(p50 >= 500000 && p50 <= 500000 + 500000 / 16 + 1000);
	assert_true(p99 >= 990000 && p99 <= 990000 + 990000 / 16 + 1000);
	assert_int_equal(atomic_load(&l.max_ns), 1000000);
}

static void
a_percentile_is_never_above_the_slowest_time(void **state)
{
	memset(&l, 0, sizeof l);
	latency_add(&l, 32200);
	assert_int_equal(latency_percentile(&l, 0.99), 32200);
}

static void
small_and_huge_times_land_somewhere(void **state)
{
	memset(&l, 0, sizeof l);
	assert_int_equal(latency_percentile(&l, 0.5), 0);
	latency_add(&l, 0);
	latency_add(&l, 100ULL * 1000 * 1000 * 1000); /* 100 s */
	assert_true(latency_percentile(&l, 0.0) <= 16);
	/* The slowest time was 100 s; the maximum is kept in 32 bits of
	 * nanoseconds, so it reads as about 4.3 s. */
	assert_int_equal(latency_percentile(&l, 1.0), 0xffffffffULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_are_within_a_sixteenth),
		cmocka_unit_test(a_percentile_is_never_above_the_slowest_time),
		cmocka_unit_test(small_and_huge_times_land_somewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
