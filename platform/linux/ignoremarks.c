/* ignoremarks.c: being written. */
