/* cmd-kill.c: being written. */
