/* browser.c: being written. */
