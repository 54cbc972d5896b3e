/*
 * browser.c: the table of web browsers and mail clients, by the file names
 * their main process runs under on Debian, Ubuntu, Fedora, Arch, in Flatpak
 * and Snap packages and in the vendors' own packages (see browser.h).
 *
 * Owns the table only; it must not look at processes or files, which is the
 * platform's job.
 */
#include <string.h>

#include "core/browser.h"

/*
 * By family, sorted within each. Wrapper scripts (google-chrome-stable,
 * microsoft-edge, brave-browser) are here too: they exec the real binary,
 * but a launch may be seen while the script still runs.
 */
static const char *const browsers[] = {
	/* Firefox: Debian's is firefox-esr, Mozilla's tarball firefox-bin,
	   Tor Browser's firefox.real; forks. */
	"abrowser",
	"basilisk",
	"firefox",
	"firefox-bin",
	"firefox-esr",
	"firefox.real",
	"floorp",
	"icecat",
	"iceweasel",
	"librewolf",
	"librewolf-bin",
	"mullvadbrowser",
	"palemoon",
	"seamonkey",
	"waterfox",
	"waterfox-bin",
	"zen",
	"zen-bin",
	/* Chromium: /opt/google/chrome/chrome, Debian's
	   /usr/lib/chromium/chromium, Fedora's chromium-browser,
	   /opt/microsoft/msedge/msedge, /opt/vivaldi/vivaldi-bin. */
	"brave",
	"brave-browser",
	"brave-browser-stable",
	"chrome",
	"chromium",
	"chromium-browser",
	"google-chrome",
	"google-chrome-beta",
	"google-chrome-stable",
	"google-chrome-unstable",
	"microsoft-edge",
	"microsoft-edge-beta",
	"microsoft-edge-dev",
	"microsoft-edge-stable",
	"msedge",
	"opera",
	"opera-beta",
	"thorium",
	"thorium-browser",
	"vivaldi",
	"vivaldi-bin",
	"vivaldi-stable",
	"yandex_browser",
	/* WebKit and Qt: GNOME Web is epiphany-browser on Debian. */
	"epiphany",
	"epiphany-browser",
	"falkon",
	"konqueror",
	"midori",
	"qutebrowser",
	/* Mail. */
	"balsa",
	"betterbird",
	"claws-mail",
	"evolution",
	"geary",
	"kmail",
	"mailspring",
	"sylpheed",
	"thunderbird",
	"thunderbird-bin",
	"trojita",
};

#define BROWSER_COUNT (sizeof browsers / sizeof browsers[0])

const char *
browser_name(const char *file_name)
{
	if (file_name == NULL)
		return NULL;
	for (size_t i = 0; i < BROWSER_COUNT; i++) {
		if (strcmp(browsers[i], file_name) == 0)
			return browsers[i];
	}
	return NULL;
}

const char *
browser_name_cut(const char *name, size_t cut)
{
	if (name == NULL || cut == 0)
		return NULL;
	if (strlen(name) != cut)
		return browser_name(name);
	for (size_t i = 0; i < BROWSER_COUNT; i++) {
		if (strncmp(browsers[i], name, cut) == 0)
			return browsers[i];
	}
	return NULL;
}

bool
browser_is_name(const char *file_name)
{
	return browser_name(file_name) != NULL;
}
