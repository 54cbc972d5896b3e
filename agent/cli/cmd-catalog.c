/* cmd-catalog.c: being written. */
