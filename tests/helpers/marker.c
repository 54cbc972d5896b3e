/*
 * marker.c: the stand-in for a remote-access tool in the integration tests.
 *
 * Its first act is to create the file named by $RDG_MARKER (or argv[1] when
 * that is unset), so a test can tell whether a single instruction of it ran:
 * a launch held before its first instruction leaves no marker. Then it
 * sleeps, like a tool waiting for a connection, until killed (or exits at
 * once when $RDG_MARKER_EXIT is set).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *marker = getenv("RDG_MARKER");
	int fd;

	if (marker == NULL && argc > 1)
		marker = argv[1];
	if (marker != NULL &&
	    (fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	if (getenv("RDG_MARKER_EXIT") != NULL)
		return 0;
	for (;;)
		pause();
}
