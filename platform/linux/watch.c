/* watch.c: being written. */
