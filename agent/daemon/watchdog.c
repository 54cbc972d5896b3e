/* watchdog.c: being written. */
