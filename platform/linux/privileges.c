/*
 * privileges.c: drops the capabilities the running daemon no longer needs,
 * with libcap-ng (see privileges_keep_running in platform.h).
 */
#include <cap-ng.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "platform/platform.h"

/* What platform.h says, and why, under "Privileges". */
static const unsigned running_caps[] = {
	CAP_SYS_ADMIN,
	CAP_SYS_PTRACE,
	CAP_DAC_READ_SEARCH,
	CAP_DAC_OVERRIDE,
	CAP_KILL,
};

#define RUNNING_CAPS (sizeof running_caps / sizeof running_caps[0])

/* Which of the running set the thread holds now. */
static size_t
held_running_caps(unsigned *held)
{
	size_t n = 0;

	for (size_t i = 0; i < RUNNING_CAPS; i++)
		if (capng_have_capability(CAPNG_PERMITTED, running_caps[i]))
			held[n++] = running_caps[i];
	return n;
}

int
privileges_keep_running(char *err, size_t len)
{
	unsigned held[RUNNING_CAPS];
	size_t n;
	bool bounds;

	if (capng_get_caps_process() != 0) {
		snprintf(err, len, "cannot read this thread's capabilities");
		return -1;
	}
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	/* Only CAP_SETPCAP may shrink the bounding set. */
	bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	n = held_running_caps(held);
	capng_clear(CAPNG_SELECT_ALL);
	for (size_t i = 0; i < n; i++)
		capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
		    held[i]);
	if (capng_apply(bounds ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS) != 0) {
		snprintf(err, len, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}
