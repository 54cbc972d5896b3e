/*
 * rdg_test.h: what unit tests share: where the test data is, and the rule
 * for tests that need root.
 *
 * A test that needs root skips with a clear message when run by an ordinary
 * user, so that a developer can run the suite; under CI=true a skip would
 * hide a missing test, so it fails instead.
 */
#ifndef RDG_TEST_H
#define RDG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int
rdg_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci != NULL && strcmp(ci, "true") == 0;
}

/* Call first in a test that needs root. */
#define rdg_require_root()                                                 \
	do {                                                               \
		if (geteuid() != 0) {                                      \
			if (rdg_in_ci())                                   \
				fail_msg("this test needs root, and CI "   \
					 "runs as root: it may not skip"); \
			fprintf(stderr,                                    \
			    "SKIP: %s needs root (run the "                \
			    "suite with sudo)\n",                          \
			    __func__);                                     \
			skip();                                            \
		}                                                          \
	} while (0)

#endif
