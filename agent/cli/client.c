/* client.c: being written. */
