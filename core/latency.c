/* latency.c: being written. */
