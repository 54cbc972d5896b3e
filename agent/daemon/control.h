/*
 * control.h: the control socket (/run/rdguard/rdguard.sock).
 *
 * Anyone may connect; each peer is known by SO_PEERCRED and its groups
 * (SO_PEERGROUPS), and each verb says whether it needs an administrator:
 * root, or a member of the group rdguard-admin. A peer that sends something
 * that is not a bounded JSON line is disconnected, and nobody else notices.
 */
#ifndef RDGUARD_CONTROL_H
#define RDGUARD_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "agent/daemon/daemon.h"

struct peer {
	long uid;
	long gid;
	pid_t pid;
	bool admin;
	char session[64]; /* a notifier's login session, or "" */
};

/* Listens on path; NULL and a reason in err when it cannot. */
struct control *control_open(
    struct daemon *d, const char *path, char *err, size_t len);
void control_close(struct control *c);

/* Sends a message to the peer whose request is being handled; frees it. */
void control_send(struct control *c, const struct peer *p, json_t *msg);

/* Keeps the peer connected and sends it every record it may see. */
void control_follow(struct control *c, const struct peer *p);

/*
 * Makes the peer a notifier: its connection stays open and gets the
 * warnings for its user (control_notify). When the last notifier of a user
 * goes away, launches_notifier_gone() is told.
 */
void control_register_notifier(
    struct control *c, const struct peer *p, const char *session);

/* Sends msg to every notifier of uid (-1: of every user); how many got it. */
unsigned control_notify(struct control *c, long uid, const json_t *msg);

/* How many notifiers uid (-1: anyone) has connected. */
unsigned control_notifiers(struct control *c, long uid);

/* Sends a new journal record to the followers that may see it. */
void control_broadcast(struct control *c, const json_t *record);

/* Whether a peer may see a record: administrators see all, others their
 * own launches and the daemon's own events. */
bool peer_may_see(const struct peer *p, const json_t *record);

/* verbs.c: handles one request from p. */
void verbs_handle(struct daemon *d, const struct peer *p, json_t *request);

#endif
