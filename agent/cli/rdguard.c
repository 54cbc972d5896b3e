/* rdguard.c: being written. */
