/* cmd-events.c: being written. */
