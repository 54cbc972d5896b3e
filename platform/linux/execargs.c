/* execargs.c: being written. */
