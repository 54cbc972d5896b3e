/* cmd-release.c: being written. */
