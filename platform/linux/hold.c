/* hold.c: being written. */
