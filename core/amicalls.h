/*
 * amicalls.h: Asterisk's channel events, read into call events.
 *
 * Asterisk (12 and later) tells a manager about channels, one per leg of a
 * call: Newchannel when one is made, Newstate when its state changes
 * (ChannelStateDesc Ring: a call came in on it; Ringing: the phone it
 * calls rings; Up: answered), Hangup when it ends; NewCallerid, Newexten,
 * DialBegin and DialEnd fill in numbers. Every channel names its call: its
 * Linkedid is the Uniqueid of the call's oldest channel, the one that
 * placed the call. So one call is one Linkedid, and its first channel
 * (Uniqueid = Linkedid) is the caller's side.
 *
 * Asterisk itself does not say whether a call came from outside or went
 * out; rdguard decides from the numbers, in this order:
 *   1. the first channel's caller (CallerIDNum) is withheld, or a number
 *      from outside (call_number_outside: seven digits or more): incoming,
 *      from that number;
 *   2. the extension the first channel dialled (Exten) is such a number:
 *      outgoing, to it;
 *   3. another channel of the call has such a caller number (the leg
 *      Asterisk dials out on carries the number it calls): outgoing, to it;
 *   4. otherwise it is a call between extensions, and is not reported.
 * The call rings once decided, is active once a channel other than the
 * first is Up (a person answered; the first channel alone going Up is
 * Asterisk answering, for a menu or voicemail), and is over when its last
 * channel hangs up: missed when it came in and nobody answered.
 *
 * A call is followed only from its first channel on: one already going on
 * when rdguard connected is not reported. At most AMI_CALLS_MAX calls of
 * AMI_CHANNELS_MAX channels each are followed; more make room by
 * forgetting the call with the oldest news.
 */
#ifndef RDGUARD_AMICALLS_H
#define RDGUARD_AMICALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ami.h"
#include "core/callevent.h"

#define AMI_CALLS_MAX    32
#define AMI_CHANNELS_MAX 8
#define AMI_ID_MAX       64 /* a Uniqueid, with the NUL */

enum ami_reported {
	AMI_REPORTED_NOTHING,
	AMI_REPORTED_RINGING,
	AMI_REPORTED_ACTIVE
};

struct ami_call {
	bool used;
	char linkedid[AMI_ID_MAX];
	char channels[AMI_CHANNELS_MAX][AMI_ID_MAX]; /* Uniqueids up now */
	size_t channel_count;
	bool first_seen;               /* the caller's channel */
	char caller[CALL_NUMBER_MAX];  /* its CallerIDNum */
	char dialled[CALL_NUMBER_MAX]; /* its Exten */
	char
	    outside_leg[CALL_NUMBER_MAX]; /* another channel's outside caller */
	bool decided;
	enum call_direction direction;
	bool withheld;
	char number[CALL_NUMBER_MAX];
	bool answered;
	enum ami_reported reported;
	unsigned long last_news;
};

struct ami_calls {
	struct ami_call calls[AMI_CALLS_MAX];
	unsigned long clock;
};

enum ami_calls_result {
	AMI_CALLS_EVENT,     /* *out is a call's news */
	AMI_CALLS_NOTHING,   /* nothing to report */
	AMI_CALLS_MALFORMED, /* why says what is wrong */
};

void ami_calls_init(struct ami_calls *c);

/*
 * Takes one message (events not about channels, and responses, are
 * nothing to report). On AMI_CALLS_MALFORMED, why (why_size bytes) says
 * what is wrong.
 */
enum ami_calls_result ami_calls_take(struct ami_calls *c,
    const struct ami_message *m, struct call_event *out, char *why,
    size_t why_size);

#endif
