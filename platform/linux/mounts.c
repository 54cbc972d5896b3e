/* mounts.c: being written. */
