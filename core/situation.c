/*
 * situation.c: the signals of the moment and the recent launches (see
 * situation.h). Plain data, no allocation, no system call: the exec gate
 * reads a copy while the daemon changes its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pagescore.h"
#include "core/situation.h"
#include "core/strcopy.h"

/* A connected call that never says it ended counts for at most this many
 * windows; a ringing one, or a session, for one. */
#define ACTIVE_CALL_WINDOWS 4

void
situation_init(struct situation *s)
{
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------------- */
/* Weights                                                                */
/* ---------------------------------------------------------------------- */

/* When an ongoing signal is taken to have ended, having had no news. */
static long long
stale_at(const struct policy *p, const struct signal *sig)
{
	long long windows = sig->active ? ACTIVE_CALL_WINDOWS : 1;

	return sig->changed + windows * p->signal_window;
}

bool
signal_ongoing(const struct policy *p, const struct signal *sig, long long now)
{
	return sig->ongoing && now < stale_at(p, sig);
}

/* When the signal ended (or is taken to have): its weight fades from then. */
static long long
ended_at(const struct policy *p, const struct signal *sig, long long now)
{
	if (!sig->ongoing)
		return sig->changed;
	return now < stale_at(p, sig) ? now : stale_at(p, sig);
}

int
signal_weight(const struct policy *p, const struct signal *sig, long long now)
{
	long long window = p->signal_window, half = window / 2;
	long long age = now - ended_at(p, sig, now);
	int full = p->signal_risk[sig->kind];

	if (age <= half)
		return full;
	if (age >= window)
		return 0;
	/* Rounded up, so that a signal counts until its window is over. */
	return (int)((full * (window - age) + (window - half) - 1) /
	    (window - half));
}

static bool
newer(const struct signal *a, const struct signal *b)
{
	if (a->changed != b->changed)
		return a->changed > b->changed;
	if (a->began != b->began)
		return a->began > b->began;
	return a->key_hash > b->key_hash;
}

static bool
concerns(const struct signal *sig, long uid)
{
	return sig->uid < 0 || sig->uid == uid;
}

size_t
situation_counting(const struct situation *s, const struct policy *p, long uid,
    long long now, const struct signal **out, size_t max, int *risk)
{
	const struct signal *best[SIGNAL_KIND_COUNT] = { 0 };
	int weight[SIGNAL_KIND_COUNT] = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < s->count; i++) {
		const struct signal *sig = &s->signals[i];
		int w;

		if (!concerns(sig, uid) ||
		    (w = signal_weight(p, sig, now)) == 0)
			continue;
		/* Of two that weigh the same, the newer: what goes on now. */
		if (best[sig->kind] == NULL || w > weight[sig->kind] ||
		    (w == weight[sig->kind] && newer(sig, best[sig->kind]))) {
			best[sig->kind] = sig;
			weight[sig->kind] = w;
		}
	}
	*risk = 0;
	/* Strongest first: a simple selection over the few kinds. */
	for (;;) {
		int top = -1;

		for (int k = 0; k < SIGNAL_KIND_COUNT; k++)
			if (best[k] != NULL &&
			    (top < 0 || weight[k] > weight[top]))
				top = k;
		if (top < 0)
			break;
		*risk += weight[top];
		if (n < max)
			out[n++] = best[top];
		best[top] = NULL;
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* Keeping signals                                                        */
/* ---------------------------------------------------------------------- */

static void
remove_at(struct situation *s, size_t i)
{
	s->signals[i] = s->signals[--s->count];
}

void
situation_prune(struct situation *s, const struct policy *p, long long now)
{
	for (size_t i = 0; i < s->count;) {
		const struct signal *sig = &s->signals[i];

		if (now - ended_at(p, sig, now) >= p->signal_window)
			remove_at(s, i);
		else
			i++;
	}
}

/*
 * The signal to give up for a new one of uid: among uid's own when uid
 * has its share, else among all: the one that counts least now.
 */
static size_t
weakest(
    const struct situation *s, const struct policy *p, long uid, long long now)
{
	size_t own = 0, pick = 0;
	bool only_own;
	int least = -1;

	for (size_t i = 0; i < s->count; i++)
		if (uid >= 0 && s->signals[i].uid == uid)
			own++;
	only_own = own >= SITUATION_PER_USER;
	for (size_t i = 0; i < s->count; i++) {
		int w;

		if (only_own && s->signals[i].uid != uid)
			continue;
		w = signal_weight(p, &s->signals[i], now);
		if (least < 0 || w < least) {
			least = w;
			pick = i;
		}
	}
	return pick;
}

/* A new signal slot for uid, made room for if need be. */
static struct signal *
new_signal(struct situation *s, const struct policy *p, long uid, long long now)
{
	size_t own = 0;
	struct signal *sig;

	/* Forgetting what no longer counts can wait for a minute, or for
	   want of room: a busy trace makes many signals a minute. */
	if (now - s->pruned >= 60 || s->count == SITUATION_SIGNALS) {
		situation_prune(s, p, now);
		s->pruned = now;
	}
	for (size_t i = 0; i < s->count; i++)
		if (uid >= 0 && s->signals[i].uid == uid)
			own++;
	if (s->count == SITUATION_SIGNALS || own >= SITUATION_PER_USER)
		remove_at(s, weakest(s, p, uid, now));
	sig = &s->signals[s->count++];
	memset(sig, 0, sizeof *sig);
	sig->uid = uid;
	sig->began = sig->changed = now;
	return sig;
}

static unsigned
hash_key(const char *key)
{
	unsigned h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

static struct signal *
find_signal(
    struct situation *s, enum trace_type from, long uid, const char *key)
{
	unsigned h = hash_key(key);

	for (size_t i = 0; i < s->count; i++) {
		struct signal *sig = &s->signals[i];

		if (sig->key_hash == h && sig->from == from &&
		    sig->uid == uid && strcmp(sig->key, key) == 0)
			return sig;
	}
	return NULL;
}

/* Sets the key that ties news of a signal together. */
static void
set_key(struct signal *sig, const char *key)
{
	strcopy(sig->key, sizeof sig->key, key);
	sig->key_hash = hash_key(sig->key);
}

static void
copy(char *dst, size_t size, const char *src)
{
	strcopy(dst, size, src);
}

/* ---------------------------------------------------------------------- */
/* Calls                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Whether a recent scam page that concerns uid showed this number; for a
 * call that concerns everyone (a landline), a page of any user.
 */
static bool
page_showed(const struct situation *s, const struct policy *p, long uid,
    const char *number, long long now)
{
	char key[PHONE_KEY_MAX];

	if (number == NULL || phone_key(number, key) == 0)
		return false;
	for (size_t i = 0; i < s->count; i++) {
		const struct signal *sig = &s->signals[i];

		if (sig->kind != SIGNAL_SCAM_PAGE ||
		    (uid >= 0 && !concerns(sig, uid)) ||
		    signal_weight(p, sig, now) == 0)
			continue;
		for (size_t n = 0; n < sig->number_count; n++)
			if (phone_same(sig->numbers[n], key))
				return true;
	}
	return false;
}

static enum signal_kind
call_kind(const struct situation *s, const struct policy *p,
    const struct trace_event *ev, long long now)
{
	if (policy_trusted_number(p, ev->number) != NULL)
		return SIGNAL_TRUSTED_CALL;
	if (ev->direction == CALL_OUTGOING)
		return page_showed(s, p, ev->uid, ev->number, now)
		    ? SIGNAL_CALLED_PAGE_NUMBER
		    : SIGNAL_OUTGOING_CALL;
	return ev->call_state == CALL_MISSED ? SIGNAL_MISSED_CALL : SIGNAL_CALL;
}

/* Who it was, for the reasons: the trusted name, the contact, the number. */
static void
call_detail(const struct policy *p, const struct trace_event *ev, char *out,
    size_t size)
{
	const struct trusted_number *t = policy_trusted_number(p, ev->number);

	if (t != NULL && t->name != NULL)
		copy(out, size, t->name);
	else if (ev->number != NULL)
		copy(out, size, ev->number);
	else
		copy(out, size, ev->contact);
}

static void
take_call(struct situation *s, const struct policy *p,
    const struct trace_event *ev, struct signal_news *news)
{
	long long now = ev->at_ms / 1000;
	char key[sizeof s->signals[0].key];
	struct signal *sig;
	enum signal_kind kind = call_kind(s, p, ev, now);

	strjoin(key, sizeof key, call_source_name(ev->call_source), ':',
	    ev->call_id != NULL      ? ev->call_id
		: ev->number != NULL ? ev->number
				     : "");
	sig = find_signal(s, TRACE_CALL, ev->uid, key);
	if (sig == NULL) {
		sig = new_signal(s, p, ev->uid, now);
		sig->from = TRACE_CALL;
		set_key(sig, key);
		call_detail(p, ev, sig->detail, sizeof sig->detail);
		sig->kind = kind;
	} else if (sig->kind == SIGNAL_CALL && kind == SIGNAL_MISSED_CALL) {
		sig->kind = kind; /* a ring nobody answered weighs less */
	}
	sig->changed = now;
	sig->ongoing =
	    ev->call_state == CALL_RINGING || ev->call_state == CALL_ACTIVE;
	sig->active = ev->call_state == CALL_ACTIVE;
	news->signal = sig;
}

/* ---------------------------------------------------------------------- */
/* Pages, sessions, connections                                           */
/* ---------------------------------------------------------------------- */

/* The host of a URL ("https://a.example:8443/x" -> "a.example:8443"). */
static void
site_of(const char *url, char *out, size_t size)
{
	const char *host = strstr(url, "://");
	size_t len;

	host = host != NULL ? host + 3 : url;
	len = strcspn(host, "/?#");
	if (len >= size)
		len = size - 1;
	memcpy(out, host, len);
	out[len] = '\0';
}

static void
take_popup(struct situation *s, const struct policy *p,
    const struct trace_event *ev, struct signal_news *news)
{
	long long now = ev->at_ms / 1000;
	struct page_score score;
	struct signal *sig;
	char key[sizeof s->signals[0].key];

	page_score(ev->title, ev->text, ev->signs, &score);
	news->page_score = score.score;
	if (score.score < p->page_threshold)
		return;
	if (ev->url[0] != '\0')
		site_of(ev->url, key, sizeof key);
	else
		copy(key, sizeof key, ev->title);
	sig = find_signal(s, TRACE_POPUP, ev->uid, key);
	if (sig == NULL) {
		sig = new_signal(s, p, ev->uid, now);
		sig->from = TRACE_POPUP;
		sig->kind = SIGNAL_SCAM_PAGE;
		set_key(sig, key);
		copy(sig->detail, sizeof sig->detail, key);
	}
	sig->changed = now;
	if (score.score > sig->score)
		sig->score = score.score;
	for (size_t i = 0; i < score.number_count && sig->number_count < 2; i++)
		memcpy(sig->numbers[sig->number_count++], score.numbers[i],
		    PHONE_KEY_MAX);
	news->signal = sig;
}

/* The newest ongoing session of kind k, for a stop without a handle. */
static struct signal *
newest_session(struct situation *s, enum signal_kind k, long uid)
{
	struct signal *best = NULL;

	for (size_t i = 0; i < s->count; i++) {
		struct signal *sig = &s->signals[i];

		if (sig->from == TRACE_PORTAL && sig->kind == k &&
		    sig->uid == uid && sig->ongoing &&
		    (best == NULL || sig->changed > best->changed))
			best = sig;
	}
	return best;
}

static void
take_portal(struct situation *s, const struct policy *p,
    const struct trace_event *ev, struct signal_news *news)
{
	enum signal_kind kind = ev->portal == PORTAL_REMOTE_DESKTOP
	    ? SIGNAL_REMOTE_DESKTOP
	    : SIGNAL_SCREEN_CAST;
	long long now = ev->at_ms / 1000;
	char key[sizeof s->signals[0].key];
	struct signal *sig;

	strjoin(key, sizeof key, portal_kind_name(ev->portal), ':',
	    ev->session != NULL ? ev->session : ev->app);
	sig = find_signal(s, TRACE_PORTAL, ev->uid, key);
	if (sig == NULL && !ev->started && ev->session == NULL)
		sig = newest_session(s, kind, ev->uid);
	if (sig == NULL && !ev->started)
		return; /* the end of a session never seen */
	if (sig == NULL) {
		sig = new_signal(s, p, ev->uid, now);
		sig->from = TRACE_PORTAL;
		sig->kind = kind;
		set_key(sig, key);
		copy(sig->detail, sizeof sig->detail, ev->app);
	}
	sig->changed = now;
	sig->ongoing = ev->started;
	news->signal = sig;
}

struct signal *
situation_remote_session(struct situation *s, const struct policy *p, long uid,
    long pid, const char *remote, int port, long long at)
{
	enum trace_type from = remote != NULL ? TRACE_CONNECT : TRACE_LISTEN;
	char key[sizeof s->signals[0].key];
	struct signal *sig;

	snprintf(key, sizeof key, "%ld:%d:%s", pid, port,
	    remote != NULL ? remote : "");
	sig = find_signal(s, from, uid, key);
	if (sig == NULL) {
		sig = new_signal(s, p, uid, at);
		sig->from = from;
		sig->kind = SIGNAL_REMOTE_SESSION;
		sig->pid = pid;
		set_key(sig, key);
		if (remote != NULL)
			copy(sig->detail, sizeof sig->detail, remote);
		else
			snprintf(sig->detail, sizeof sig->detail, "%d", port);
	}
	sig->changed = at;
	return sig;
}

void
situation_take(struct situation *s, const struct policy *p,
    const struct trace_event *ev, struct signal_news *news)
{
	news->signal = NULL;
	news->page_score = 0;
	switch (ev->type) {
	case TRACE_CALL:
		take_call(s, p, ev, news);
		break;
	case TRACE_POPUP:
		take_popup(s, p, ev, news);
		break;
	case TRACE_PORTAL:
		take_portal(s, p, ev, news);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* Launches                                                               */
/* ---------------------------------------------------------------------- */

static int
compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

bool
situation_seen(const struct situation *s, const char *tool_id)
{
	char key[SITUATION_ID_MAX];

	copy(key, sizeof key, tool_id);
	return bsearch(key, s->seen, s->seen_count, sizeof s->seen[0],
		   compare_ids) != NULL;
}

void
situation_mark_seen(struct situation *s, const char *tool_id)
{
	size_t i;

	if (situation_seen(s, tool_id) || s->seen_count == SITUATION_SEEN)
		return;
	for (i = s->seen_count; i > 0 && strcmp(s->seen[i - 1], tool_id) > 0;
	     i--)
		memcpy(s->seen[i], s->seen[i - 1], sizeof s->seen[0]);
	copy(s->seen[i], sizeof s->seen[i], tool_id);
	s->seen_count++;
}

void
situation_launched(struct situation *s, const char *tool_id,
    const char *tool_name, long uid, long long at)
{
	size_t n = s->launch_count < SITUATION_LAUNCHES
	    ? s->launch_count
	    : SITUATION_LAUNCHES - 1;

	memmove(&s->launches[1], &s->launches[0], n * sizeof s->launches[0]);
	copy(s->launches[0].tool_id, sizeof s->launches[0].tool_id, tool_id);
	copy(s->launches[0].tool_name, sizeof s->launches[0].tool_name,
	    tool_name);
	s->launches[0].uid = uid;
	s->launches[0].at = at;
	s->launch_count = n + 1;
	situation_mark_seen(s, tool_id);
}

const struct recent_launch *
situation_other_tool(const struct situation *s, const char *tool_id, long uid,
    long long now, long long within)
{
	for (size_t i = 0; i < s->launch_count; i++) {
		const struct recent_launch *l = &s->launches[i];

		if (now - l->at > within)
			break;
		if (l->uid == uid && strcmp(l->tool_id, tool_id) != 0)
			return l;
	}
	return NULL;
}
