/* cmd-status.c: being written. */
