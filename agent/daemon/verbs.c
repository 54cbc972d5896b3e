/* verbs.c: being written. */
