/* cmd-allow.c: being written. */
