/*
 * browser.h: which programs are web browsers, and mail clients (whose links
 * open downloads too).
 *
 * A remote tool started by a browser was most likely just downloaded and
 * opened from the download bar: a fact the risk engine weighs. The answer is
 * by file name only (a program's file name or its command name), so a
 * renamed copy of a browser counts as a browser and a browser under an odd
 * name does not: good enough for a fact that only adds to a score.
 */
#ifndef RDGUARD_BROWSER_H
#define RDGUARD_BROWSER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The browser's name as the table spells it (a string that lives as long as
 * the program) if file_name is a browser or mail client, else NULL.
 */
const char *browser_name(const char *file_name);

/*
 * The same for a name the system cut to its first cut bytes (a command name
 * of cut bytes or more may be any table name that starts with it).
 */
const char *browser_name_cut(const char *name, size_t cut);

bool browser_is_name(const char *file_name);

#endif
