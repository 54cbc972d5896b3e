/* filefacts.c: being written. */
