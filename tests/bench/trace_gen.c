/*
 * trace_gen.c: writes a long trace (docs/trace.md) for the `rdguard policy
 * test` benchmark: `rdg_trace_gen EVENTS [SEED] > trace.jsonl`.
 *
 * The events are what a fleet's journals would hold: remote tools started
 * (downloaded ones and packaged ones, from browsers and from menus), calls
 * (known and unknown numbers, some that ring and end), pages (scam pages
 * and ordinary full-screen videos), sharing sessions, connections and the
 * ends of processes (at most 16 run at once), a few minutes apart, as
 * one busy computer of a handful of users would see them over years. The
 * same seed gives the same trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long long state = 88172645463325252ULL;

static unsigned
next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (unsigned)(state >> 32);
}

static unsigned
pick(unsigned n)
{
	return next() % n;
}

static const char *const downloads[] = { "/home/u/Downloads/anydesk",
	"/home/u/Downloads/rustdesk-1.3.2-x86_64.AppImage",
	"/home/u/Downloads/teamviewerqs/tv_bin/TeamViewer",
	"/home/u/Downloads/ScreenConnect.ClientSetup.sh" };
static const char *const packaged[] = { "/usr/bin/anydesk",
	"/opt/teamviewer/tv_bin/TeamViewer", "/usr/bin/rustdesk",
	"/usr/bin/x11vnc", "/usr/bin/xtigervncviewer", "/usr/bin/remmina" };
static const char *const others[] = { "/usr/bin/bash", "/usr/bin/ls",
	"/usr/lib/firefox-esr/firefox-esr", "/usr/bin/python3.11" };
static const char *const parents[] = { "/usr/lib/firefox-esr/firefox-esr",
	"/usr/bin/gnome-shell", "/usr/bin/bash", "/usr/lib/chromium/chromium" };
static const char *const sources[] = { "kdeconnect", "fritzbox", "modemmanager",
	"ami", "manual", "gsconnect" };

/* Starts an event at t seconds after 2026-11-25T00:00:00Z. */
static void
stamp(long long t)
{
	time_t when = (time_t)(1795564800LL + t);
	struct tm tm;
	char at[32];

	gmtime_r(&when, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("{\"at\":\"%s\"", at);
}

static void
exec_event(long long t, unsigned pid, unsigned uid)
{
	unsigned kind = pick(10);
	const char *exe;
	long long age;
	int is_packaged = 0;

	if (kind < 3) {
		exe = downloads[pick(4)];
		age = pick(600);
	} else if (kind < 7) {
		exe = packaged[pick(6)];
		age = 86400LL * (30 + pick(700));
		is_packaged = 1;
	} else {
		exe = others[pick(4)];
		age = 86400LL * 90;
		is_packaged = 1;
	}
	stamp(t);
	printf(",\"type\":\"exec\",\"pid\":%u,\"uid\":%u,\"exe\":\"%s\","
	       "\"argv\":[\"%s\"],\"parent_exe\":\"%s\",\"file_age_s\":%lld,"
	       "\"packaged\":%s}\n",
	    pid, uid, exe, exe, parents[pick(4)], age,
	    is_packaged ? "true" : "false");
}

static void
call_event(long long t)
{
	static const char *const states[] = { "ringing", "active", "ended",
		"missed" };

	stamp(t);
	printf(",\"type\":\"call\",\"source\":\"%s\",\"direction\":\"%s\","
	       "\"state\":\"%s\",\"number\":\"+44 20 7946 %04u\","
	       "\"contact\":null}\n",
	    sources[pick(6)], pick(4) == 0 ? "outgoing" : "incoming",
	    states[pick(4)], pick(10000));
}

static void
popup_event(long long t, unsigned uid)
{
	stamp(t);
	if (pick(3) == 0)
		printf(",\"type\":\"popup\",\"uid\":%u,\"source\":\"browser\","
		       "\"title\":\"Windows Defender Alert\",\"url\":"
		       "\"https://alert-%u.example\",\"text\":\"Your computer "
		       "is infected. Do not restart your computer. Call "
		       "Microsoft support now: +1 888 555 %04u\","
		       "\"indicators\":[\"fullscreen\",\"alert-loop\","
		       "\"audio\"]}\n",
		    uid, pick(50), pick(10000));
	else
		printf(
		    ",\"type\":\"popup\",\"uid\":%u,\"source\":\"browser\","
		    "\"title\":\"A video\",\"url\":\"https://video.example\","
		    "\"text\":\"\",\"indicators\":[\"fullscreen\","
		    "\"audio\"]}\n",
		    uid);
}

/* The processes started and not yet ended: a computer runs a few. */
#define LIVE_MAX 16
static unsigned live[LIVE_MAX];
static unsigned live_count;

static void
exit_event(long long t, unsigned at)
{
	stamp(t);
	printf(",\"type\":\"exit\",\"pid\":%u}\n", live[at]);
	live[at] = live[--live_count];
}

int
main(int argc, char **argv)
{
	long long events, t = 10 * 3600;
	unsigned pid = 1000;

	if (argc < 2 || (events = atoll(argv[1])) <= 0) {
		fprintf(stderr, "usage: rdg_trace_gen EVENTS [SEED]\n");
		return 2;
	}
	if (argc > 2)
		state += strtoull(argv[2], NULL, 10) * 2654435761ULL;
	for (long long i = 0; i < events; i++) {
		unsigned what = pick(100), uid = 1000 + pick(4);

		t += 10 + pick(600); /* a few minutes apart, as on one PC */
		if (what < 35) {
			if (live_count == LIVE_MAX) {
				exit_event(t, 0); /* one event for another */
				continue;
			}
			exec_event(t, ++pid, uid);
			live[live_count++] = pid;
		} else if (what < 55) {
			call_event(t);
		} else if (what < 70) {
			popup_event(t, uid);
		} else if (what < 75) {
			stamp(t);
			printf(",\"type\":\"portal\",\"uid\":%u,\"interface\":"
			       "\"%s\",\"state\":\"%s\",\"app\":\"\"}\n",
			    uid, pick(2) ? "RemoteDesktop" : "ScreenCast",
			    pick(2) ? "started" : "stopped");
		} else if (what < 87 && live_count > 0) {
			stamp(t);
			printf(",\"type\":\"connect\",\"pid\":%u,\"port\":%u,"
			       "\"remote\":\"198.51.100.%u:443\"}\n",
			    live[pick(live_count)], 40000 + pick(20000),
			    pick(255));
		} else if (live_count > 0) {
			exit_event(t, pick(live_count));
		} else {
			call_event(t);
		}
	}
	return 0;
}
