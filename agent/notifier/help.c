/*
 * help.c: the local page behind "What is this?": what this scam is and
 * what to do, in the session's language. It is written from core/text each
 * time (so it is translated like every other sentence) into the user's
 * runtime folder, and opened with the desktop's browser (xdg-open).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/notifier/notifier.h"
#include "core/text.h"

static void
paragraph(GString *page, const char *tag, enum text_id id)
{
	char *escaped = g_markup_escape_text(text(id), -1);

	g_string_append_printf(page, "<%s>%s</%s>\n", tag, escaped, tag);
	g_free(escaped);
}

static char *
page_html(void)
{
	static const enum text_id body[] = { TXT_HELP_WHAT, TXT_HELP_SCAM,
		TXT_HELP_STOPPED, TXT_HELP_DO, TXT_HELP_NEVER, TXT_HELP_SAFE };
	GString *page = g_string_new(NULL);
	char *title = g_markup_escape_text(text(TXT_HELP_TITLE), -1);

	g_string_append_printf(page,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>%s</title><style>body{font:1.5em/1.5 sans-serif;"
	    "max-width:34em;margin:2em auto;padding:0 1em}h1{font-size:1.6em}"
	    "</style></head><body>\n",
	    session_language(), title);
	g_free(title);
	paragraph(page, "h1", TXT_HELP_TITLE);
	for (size_t i = 0; i < sizeof body / sizeof body[0]; i++)
		paragraph(page, "p", body[i]);
	g_string_append(page, "</body></html>\n");
	return g_string_free(page, FALSE);
}

void
help_open(void)
{
	char *dir = g_build_filename(g_get_user_runtime_dir(), "rdguard", NULL);
	char *file, *uri, *html = page_html();
	const char *argv[3];

	g_mkdir_with_parents(dir, 0700);
	file = g_strdup_printf("%s/help-%s.html", dir, session_language());
	if (g_file_set_contents(file, html, -1, NULL)) {
		uri = g_filename_to_uri(file, NULL, NULL);
		argv[0] = "xdg-open";
		argv[1] = uri;
		argv[2] = NULL;
		g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
		    NULL, NULL, NULL, NULL);
		g_free(uri);
	}
	g_free(html);
	g_free(file);
	g_free(dir);
}
