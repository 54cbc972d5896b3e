/* launches.c: being written. */
