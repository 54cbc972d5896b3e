/*
 * latency.c: the lock-free decision-time histogram (see latency.h).
 */
#include "core/latency.h"

static unsigned
bucket_of(unsigned long long ns)
{
	unsigned octave = 0;

	if (ns < 1024)
		return (unsigned)(ns / 16);
	while ((ns >> octave) >= 2048)
		octave++;
	/* ns in [1024 << octave, 2048 << octave): 16 sub-buckets. */
	if (octave >= LATENCY_OCTAVES)
		return LATENCY_BUCKETS - 1;
	return LATENCY_LINEAR + octave * 16 +
	    (unsigned)(((ns >> octave) - 1024) / 64);
}

/* The upper bound of a bucket, in ns. */
static unsigned long long
bucket_top(unsigned b)
{
	unsigned octave, sub;

	if (b < LATENCY_LINEAR)
		return (unsigned long long)(b + 1) * 16;
	octave = (b - LATENCY_LINEAR) / 16;
	sub = (b - LATENCY_LINEAR) % 16;
	return (1024ULL + (sub + 1) * 64ULL) << octave;
}

/* Single writer: a relaxed load and store is enough, and costs no lock. */
static void
bump(atomic_ullong *a)
{
	atomic_store_explicit(a,
	    atomic_load_explicit(a, memory_order_relaxed) + 1,
	    memory_order_relaxed);
}

void
latency_add(struct latency *l, unsigned long long ns)
{
	bump(&l->bucket[bucket_of(ns)]);
	bump(&l->count);
	if (ns > atomic_load_explicit(&l->max_ns, memory_order_relaxed))
		atomic_store_explicit(&l->max_ns,
		    ns > 0xffffffffULL ? 0xffffffffU : (unsigned)ns,
		    memory_order_relaxed);
}

unsigned long long
latency_count(const struct latency *l)
{
	return atomic_load_explicit(&l->count, memory_order_relaxed);
}

/* A bucket's top can lie above every time in it; never report more. */
static unsigned long long
at_most_max(const struct latency *l, unsigned long long ns)
{
	unsigned long long max =
	    atomic_load_explicit(&l->max_ns, memory_order_relaxed);

	return ns > max ? max : ns;
}

unsigned long long
latency_percentile(const struct latency *l, double p)
{
	unsigned long long total = 0, seen = 0, want;

	for (unsigned b = 0; b < LATENCY_BUCKETS; b++)
		total +=
		    atomic_load_explicit(&l->bucket[b], memory_order_relaxed);
	if (total == 0)
		return 0;
	want = (unsigned long long)(p * (double)total);
	if (want >= total)
		want = total - 1;
	for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
		seen +=
		    atomic_load_explicit(&l->bucket[b], memory_order_relaxed);
		if (seen > want)
			return at_most_max(l, bucket_top(b));
	}
	return at_most_max(l, bucket_top(LATENCY_BUCKETS - 1));
}
