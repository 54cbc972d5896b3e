/* matchindex.c: being written. */
