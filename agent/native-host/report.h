/*
 * report.h: a scam-page report from the rdguard extension, checked, as the
 * trace's popup event (docs/trace.md) that rdguardd takes.
 *
 * The browser runs pages nobody vouches for, so a report is untrusted: it
 * must be a JSON object with no fields but these, each of its type and
 * within its bound:
 *
 *   title       text, at most REPORT_TITLE_MAX bytes
 *   url         the page's origin ("https://example.com", no path)
 *   text        text, at most REPORT_TEXT_MAX bytes (the trace's limit)
 *   indicators  at most REPORT_INDICATORS_MAX names; names rdguard does
 *               not know (core/pagescore.h) are dropped, repeats too
 *
 * Every field may be left out. The event gets "type":"popup" and
 * "source":"browser", and no "at" and no "uid": rdguardd stamps the time,
 * and knows the user from the socket.
 */
#ifndef RDGUARD_REPORT_H
#define RDGUARD_REPORT_H

#include <jansson.h>

#define REPORT_TITLE_MAX      1024
#define REPORT_URL_MAX        256
#define REPORT_TEXT_MAX       4096
#define REPORT_INDICATORS_MAX 16
#define REPORT_NAME_MAX       32 /* bytes of one indicator's name */

/*
 * The popup event for a report, or NULL with *problem set to a sentence
 * that names what is wrong (the caller frees it).
 */
json_t *report_to_event(const json_t *report, char **problem);

#endif
