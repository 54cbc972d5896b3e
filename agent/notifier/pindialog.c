/*
 * pindialog.c: the small window that asks for the caregiver's PIN.
 *
 * One window per request, never modal: another warning can still be
 * answered while it is open. The PIN is not shown as it is typed, and is
 * handed on once (to the daemon, which checks it and counts wrong tries);
 * nothing here keeps it.
 */
#include <gtk/gtk.h>
#include <string.h>

#include "agent/notifier/notifier.h"
#include "core/text.h"

struct pin_request {
	unsigned id;
	void (*done)(unsigned id, const char *pin);
	GtkWidget *entry;
};

static void
on_response(GtkDialog *dialog, gint response, gpointer data)
{
	struct pin_request *req = data;
	const char *pin = gtk_entry_get_text(GTK_ENTRY(req->entry));

	req->done(req->id, response == GTK_RESPONSE_OK ? pin : NULL);
	gtk_widget_destroy(GTK_WIDGET(dialog));
	g_free(req);
}

void
pin_dialog_ask(
    const char *tool, unsigned id, void (*done)(unsigned id, const char *pin))
{
	struct pin_request *req = g_new0(struct pin_request, 1);
	GtkWidget *dialog, *box, *label;
	char *question = text_printf(TXT_PIN_DIALOG_LABEL, "tool", tool, NULL);

	req->id = id;
	req->done = done;
	dialog = gtk_dialog_new_with_buttons(text(TXT_PIN_DIALOG_TITLE), NULL,
	    0, text(TXT_PIN_DIALOG_CANCEL), GTK_RESPONSE_CANCEL,
	    text(TXT_PIN_DIALOG_OK), GTK_RESPONSE_OK, NULL);
	gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_OK);
	gtk_window_set_keep_above(GTK_WINDOW(dialog), TRUE);
	box = gtk_dialog_get_content_area(GTK_DIALOG(dialog));
	gtk_container_set_border_width(GTK_CONTAINER(box), 12);
	gtk_box_set_spacing(GTK_BOX(box), 12);
	label = gtk_label_new(question);
	gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_max_width_chars(GTK_LABEL(label), 40);
	req->entry = gtk_entry_new();
	gtk_entry_set_visibility(GTK_ENTRY(req->entry), FALSE);
	gtk_entry_set_input_purpose(
	    GTK_ENTRY(req->entry), GTK_INPUT_PURPOSE_PIN);
	gtk_entry_set_max_length(GTK_ENTRY(req->entry), 12);
	gtk_entry_set_activates_default(GTK_ENTRY(req->entry), TRUE);
	gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
	gtk_box_pack_start(GTK_BOX(box), req->entry, FALSE, FALSE, 0);
	g_signal_connect(dialog, "response", G_CALLBACK(on_response), req);
	gtk_widget_show_all(dialog);
	gtk_window_present(GTK_WINDOW(dialog));
	free(question);
}
