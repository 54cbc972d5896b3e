/* cmd-policy.c: being written. */
