/* journal.c: being written. */
