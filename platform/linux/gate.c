/* gate.c: being written. */
