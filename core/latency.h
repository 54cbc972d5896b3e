/*
 * latency.h: a histogram of decision times, written by one thread (the exec
 * gate) and read by another (status), without locks.
 *
 * Buckets are log-linear: 16 ns wide below 1 µs, then 16 per power of two up
 * to about 17 s, so a percentile is within 1/16 of the truth.
 */
#ifndef RDGUARD_LATENCY_H
#define RDGUARD_LATENCY_H

#include <stdatomic.h>

#define LATENCY_LINEAR  64 /* buckets of 16 ns below 1024 ns */
#define LATENCY_OCTAVES 24 /* 2^10 .. 2^34 ns */
#define LATENCY_BUCKETS (LATENCY_LINEAR + LATENCY_OCTAVES * 16)

struct latency {
	atomic_ullong bucket[LATENCY_BUCKETS];
	atomic_ullong count;
	atomic_uint max_ns;
};

/* Records one time. Only one thread may add. */
void latency_add(struct latency *l, unsigned long long ns);

/* The time below which a share p (0..1) of the recorded times fall. */
unsigned long long latency_percentile(const struct latency *l, double p);

unsigned long long latency_count(const struct latency *l);

#endif
