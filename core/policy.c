/* policy.c: being written. */
