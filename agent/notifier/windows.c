/*
 * windows.c: scam pages in the titles of the active X11 window.
 *
 * A browser window's title is its page's title, and a scam page's title
 * is its pitch ("Windows Defender Alert: virus detected, call ..."). On an
 * X11 session with an EWMH window manager, the root window's
 * _NET_ACTIVE_WINDOW names the window in front; that window's _NET_WM_NAME
 * (or WM_NAME) is its title and _NET_WM_STATE says whether it fills the
 * screen (_NET_WM_STATE_FULLSCREEN). A connection of our own, read on the
 * GLib loop, follows those properties (PropertyChangeMask on the root and
 * on the active window only).
 *
 * Each new title is scored here with core/pagescore, the sign "fullscreen"
 * included when the window is full screen. Only a title that scores
 * page_report_at() or more leaves the notifier, as a popup event, once per
 * window and title (and once more if it then goes full screen): the titles
 * of ordinary windows are nobody's business. Under Wayland no client can
 * see other windows; desktop sharing is still seen (portal.c).
 *
 * Owns the X connection, its atoms and the list of titles already sent.
 */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>

#include "agent/notifier/notifier.h"
#include "core/pagescore.h"

#define TITLE_MAX_LONGS 1024 /* a title is read up to 4 KiB */
#define STATE_MAX_ATOMS 64
#define SENT_MAX        32 /* titles remembered as sent */

enum atom {
	NET_ACTIVE_WINDOW,
	NET_WM_NAME,
	NET_WM_STATE,
	NET_WM_STATE_FULLSCREEN,
	UTF8_STRING,
	ATOM_COUNT
};

static const char *const atom_names[ATOM_COUNT] = {
	"_NET_ACTIVE_WINDOW",
	"_NET_WM_NAME",
	"_NET_WM_STATE",
	"_NET_WM_STATE_FULLSCREEN",
	"UTF8_STRING",
};

struct sent {
	Window window;
	guint title_hash;
	bool fullscreen;
};

static struct {
	Display *display;
	Window root, active;
	Atom atoms[ATOM_COUNT];
	struct sent sent[SENT_MAX];
	size_t next_sent;
	int (*other_errors)(Display *, XErrorEvent *);
} x;

/* ---------------------------------------------------------------------- */
/* Reading properties                                                     */
/* ---------------------------------------------------------------------- */

/*
 * A window may go away between the event and our request: the BadWindow
 * that follows is expected. Errors of GTK's own connection go on to GTK's
 * handler (Xlib has one handler for the whole process).
 */
static int
on_x_error(Display *display, XErrorEvent *error)
{
	if (display == x.display || x.other_errors == NULL)
		return 0;
	return x.other_errors(display, error);
}

/* Property prop of w, of type type and format 32 or 8; XFree it. */
static unsigned char *
read_property(
    Window w, Atom prop, Atom type, long max_longs, unsigned long *count)
{
	Atom actual_type;
	int format;
	unsigned long after;
	unsigned char *data = NULL;

	*count = 0;
	if (XGetWindowProperty(x.display, w, prop, 0, max_longs, False, type,
		&actual_type, &format, count, &after, &data) != Success)
		return NULL;
	if (data != NULL && actual_type != type) {
		XFree(data);
		data = NULL;
		*count = 0;
	}
	return data;
}

static Window
active_window(void)
{
	unsigned long count;
	unsigned char *data = read_property(
	    x.root, x.atoms[NET_ACTIVE_WINDOW], XA_WINDOW, 1, &count);
	Window w = None;

	if (data != NULL && count == 1)
		w = (Window)((unsigned long *)data)[0];
	if (data != NULL)
		XFree(data);
	return w;
}

/* The title as UTF-8 (g_free it), or NULL. */
static char *
window_title(Window w)
{
	unsigned long count;
	unsigned char *data = read_property(w, x.atoms[NET_WM_NAME],
	    x.atoms[UTF8_STRING], TITLE_MAX_LONGS, &count);
	XTextProperty legacy;
	char **list = NULL, *title = NULL;
	int n = 0;

	if (data != NULL) {
		title = g_utf8_make_valid((const char *)data, (gssize)count);
		XFree(data);
		return title;
	}
	if (!XGetWMName(x.display, w, &legacy))
		return NULL;
	if (Xutf8TextPropertyToTextList(x.display, &legacy, &list, &n) >=
		Success &&
	    n > 0 && list != NULL)
		title = g_utf8_make_valid(list[0], -1);
	if (list != NULL)
		XFreeStringList(list);
	XFree(legacy.value);
	return title;
}

static bool
is_fullscreen(Window w)
{
	unsigned long count;
	unsigned char *data = read_property(
	    w, x.atoms[NET_WM_STATE], XA_ATOM, STATE_MAX_ATOMS, &count);
	bool found = false;

	for (unsigned long i = 0; data != NULL && i < count; i++)
		if (((unsigned long *)data)[i] ==
		    x.atoms[NET_WM_STATE_FULLSCREEN])
			found = true;
	if (data != NULL)
		XFree(data);
	return found;
}

/* ---------------------------------------------------------------------- */
/* Judging a title                                                        */
/* ---------------------------------------------------------------------- */

/* Whether this window and title went out already (full screen, if so). */
static bool
already_sent(Window w, guint hash, bool fullscreen)
{
	for (size_t i = 0; i < SENT_MAX; i++)
		if (x.sent[i].window == w && x.sent[i].title_hash == hash &&
		    (x.sent[i].fullscreen || !fullscreen))
			return true;
	return false;
}

static void
remember_sent(Window w, guint hash, bool fullscreen)
{
	x.sent[x.next_sent] = (struct sent){ w, hash, fullscreen };
	x.next_sent = (x.next_sent + 1) % SENT_MAX;
}

static void
send_popup(const char *title, unsigned signs)
{
	json_t *indicators = json_array();

	for (int s = 0; s < PAGE_SIGN_COUNT; s++)
		if (signs & (1u << s))
			json_array_append_new(indicators,
			    json_string(page_sign_name((enum page_sign)s)));
	outbox_send(json_pack("{s:s,s:s,s:s,s:o}", "type", "popup", "source",
	    "window", "title", title, "indicators", indicators));
}

static void
look_at(Window w)
{
	struct page_score score;
	char *title;
	bool fullscreen;
	guint hash;

	if (w == None || (title = window_title(w)) == NULL)
		return;
	fullscreen = is_fullscreen(w);
	page_score(title, NULL, fullscreen ? 1u << PAGE_FULLSCREEN : 0, &score);
	hash = g_str_hash(title);
	if (score.score >= page_report_at() &&
	    !already_sent(w, hash, fullscreen)) {
		remember_sent(w, hash, fullscreen);
		send_popup(title, score.signs);
	}
	g_free(title);
}

/* Follows the window in front: its properties, no longer the last one's. */
static void
follow_active(void)
{
	Window w = active_window();

	if (w == x.active)
		return;
	if (x.active != None)
		XSelectInput(x.display, x.active, NoEventMask);
	x.active = w;
	if (w != None)
		XSelectInput(x.display, w, PropertyChangeMask);
	look_at(w);
}

static void
on_property(const XPropertyEvent *e)
{
	if (e->window == x.root && e->atom == x.atoms[NET_ACTIVE_WINDOW])
		follow_active();
	else if (e->window == x.active && e->window != None &&
	    (e->atom == x.atoms[NET_WM_NAME] || e->atom == XA_WM_NAME ||
		e->atom == x.atoms[NET_WM_STATE]))
		look_at(e->window);
}

/* Every event Xlib holds, including those read while we asked. */
static void
drain(void)
{
	XEvent e;

	while (XPending(x.display) > 0) {
		XNextEvent(x.display, &e);
		if (e.type == PropertyNotify)
			on_property(&e.xproperty);
	}
	XFlush(x.display);
}

static gboolean
on_readable(gint fd, GIOCondition condition, gpointer data)
{
	if (condition & (G_IO_HUP | G_IO_ERR)) {
		notifier_log(TXT_SIGNALS_WINDOWS_LOST, NULL);
		return G_SOURCE_REMOVE;
	}
	drain();
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* Start                                                                  */
/* ---------------------------------------------------------------------- */

static bool
is_wayland(void)
{
	const char *type = getenv("XDG_SESSION_TYPE");

	return getenv("WAYLAND_DISPLAY") != NULL ||
	    (type != NULL && strcmp(type, "wayland") == 0);
}

void
windows_start(void)
{
	const char *name = getenv("DISPLAY");

	if (is_wayland()) {
		notifier_log(TXT_SIGNALS_WINDOWS_WAYLAND, NULL);
		return;
	}
	if (name == NULL || name[0] == '\0') {
		notifier_log(TXT_SIGNALS_WINDOWS_NO_DISPLAY, NULL);
		return;
	}
	if ((x.display = XOpenDisplay(name)) == NULL) {
		notifier_log(
		    TXT_SIGNALS_WINDOWS_NO_SERVER, "display", name, NULL);
		return;
	}
	x.other_errors = XSetErrorHandler(on_x_error);
	x.root = DefaultRootWindow(x.display);
	XInternAtoms(
	    x.display, (char **)atom_names, ATOM_COUNT, False, x.atoms);
	XSelectInput(x.display, x.root, PropertyChangeMask);
	follow_active();
	g_unix_fd_add(ConnectionNumber(x.display),
	    G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, NULL);
	drain();
	notifier_log(TXT_SIGNALS_WINDOWS_ON, "display", name, NULL);
}
