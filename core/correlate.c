/* correlate.c: being written. */
