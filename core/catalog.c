/* catalog.c: being written. */
