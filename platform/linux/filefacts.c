/*
 * filefacts.c: what is known about an executable file: when it last changed,
 * whose it is, and whether someone other than root could have put it there
 * (see platform.h, "Process facts").
 *
 * Owns nothing. It only looks at the file and its folder: it must not read
 * the file, and it asks with AT_STATX_DONT_SYNC so that a file on a network
 * or FUSE filesystem is answered from what the kernel already knows instead
 * of waiting for a server.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"

#define WRITABLE_BY_OTHERS (S_IWGRP | S_IWOTH)

/* Whether a user other than root may change what sx describes. */
static bool
not_only_root(const struct statx *sx)
{
	return sx->stx_uid != 0 || (sx->stx_mode & WRITABLE_BY_OTHERS) != 0;
}

/*
 * Whether a user other than root may change the folder that path is in
 * (a sticky folder like /tmp counts: its users may add files). A folder
 * that cannot be looked at (the path is in another mount namespace) says
 * nothing.
 */
static bool
folder_not_only_root(const char *path)
{
	char folder[PLATFORM_PATH_MAX];
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	size_t len;
	struct statx sx;

	if (slash == NULL)
		return false;
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof folder)
		return false;
	memcpy(folder, path, len);
	folder[len] = '\0';
	if (statx(AT_FDCWD, folder, AT_STATX_DONT_SYNC, STATX_MODE | STATX_UID,
		&sx) != 0)
		return false;
	return not_only_root(&sx);
}

static int
facts_from(const struct statx *sx, const char *path, struct file_facts *ff)
{
	ff->known = true;
	ff->ctime = (long long)sx->stx_ctime.tv_sec;
	ff->owner = (long)sx->stx_uid;
	ff->user_writable = not_only_root(sx) || folder_not_only_root(path);
	return 0;
}

int
file_facts_fd(int fd, const char *path, struct file_facts *ff)
{
	struct statx sx;

	memset(ff, 0, sizeof *ff);
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		STATX_MODE | STATX_UID | STATX_CTIME, &sx) != 0)
		return -1;
	return facts_from(&sx, path, ff);
}

int
file_facts_path(const char *path, struct file_facts *ff)
{
	struct statx sx;

	memset(ff, 0, sizeof *ff);
	if (path == NULL ||
	    statx(AT_FDCWD, path, AT_STATX_DONT_SYNC,
		STATX_MODE | STATX_UID | STATX_CTIME, &sx) != 0)
		return -1;
	return facts_from(&sx, path, ff);
}
