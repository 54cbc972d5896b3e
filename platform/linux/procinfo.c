/* procinfo.c: being written. */
