/* pkgdb.c: being written. */
