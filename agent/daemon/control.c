/* control.c: being written. */
