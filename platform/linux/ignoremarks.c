/*
 * ignoremarks.c: fanotify ignore marks for harmless programs, and the rename
 * watch that removes them when their name or folder changes (see
 * ignoremarks.h). Runs only on the gate's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "platform/linux/ignoremarks.h"

#ifndef FAN_MARK_EVICTABLE
#define FAN_MARK_EVICTABLE 0x00000200
#endif

/*
 * Without evictable marks (kernels before 5.19) every mark pins an inode in
 * memory; past this many the marks are dropped and rebuilt as needed.
 */
#define MAX_PINNED_MARKS 16384

struct watched_fs {
	dev_t dev;
	fsid_t fsid;
	int mount_fd;
	bool local;
};

struct ignore_marks {
	int gate_fd;
	int rename_fd;
	struct watched_fs *fs;
	size_t fs_count, fs_capacity;
	unsigned evictable; /* FAN_MARK_EVICTABLE, or 0 once refused */
	unsigned long long count;
};

struct ignore_marks *
ignore_marks_open(int gate_fd, char *err, size_t len)
{
	struct ignore_marks *im;
	int fd;

	fd = fanotify_init(
	    FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
	    O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "fanotify_init (rename watch): %s",
		    strerror(errno));
		return NULL;
	}
	im = xcalloc(1, sizeof *im);
	im->gate_fd = gate_fd;
	im->rename_fd = fd;
	im->evictable = FAN_MARK_EVICTABLE;
	return im;
}

bool
ignore_marks_watch(
    struct ignore_marks *im, const char *path, dev_t dev, bool local)
{
	struct watched_fs *w;
	struct statfs sfs;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	if (fstatfs(fd, &sfs) != 0 ||
	    fanotify_mark(im->rename_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
		FAN_RENAME | FAN_ONDIR, fd, NULL) != 0) {
		close(fd);
		return false;
	}
	xgrow(&im->fs, &im->fs_capacity, im->fs_count + 1, sizeof *im->fs);
	w = &im->fs[im->fs_count++];
	w->dev = dev;
	w->fsid = sfs.f_fsid;
	w->mount_fd = fd;
	w->local = local;
	return true;
}

int
ignore_marks_fd(struct ignore_marks *im)
{
	return im->rename_fd;
}

static const struct watched_fs *
watched_by_dev(const struct ignore_marks *im, dev_t dev)
{
	for (size_t i = 0; i < im->fs_count; i++)
		if (im->fs[i].dev == dev)
			return &im->fs[i];
	return NULL;
}

/* Owned by root and writable by root alone. */
static bool
root_only(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * Whether every folder above path is root-only and on a watched local
 * filesystem, so that only root can change the path by renaming.
 */
static bool
folders_root_only(const struct ignore_marks *im, const char *path)
{
	char dir[4096];
	size_t len = strlen(path);
	struct stat st;
	const struct watched_fs *w;

	if (len >= sizeof dir || path[0] != '/')
		return false;
	memcpy(dir, path, len + 1);
	for (;;) {
		char *slash = strrchr(dir, '/');

		if (slash == dir)
			slash[1] = '\0'; /* the root folder */
		else
			*slash = '\0';
		if (stat(dir, &st) != 0 || !root_only(&st))
			return false;
		if ((w = watched_by_dev(im, st.st_dev)) == NULL || !w->local)
			return false;
		if (strcmp(dir, "/") == 0)
			return true;
	}
}

static void
flush_if_too_many(struct ignore_marks *im)
{
	if (im->evictable == 0 && im->count >= MAX_PINNED_MARKS)
		ignore_marks_flush(im);
}

void
ignore_marks_consider(struct ignore_marks *im, int fd, const char *path)
{
	const struct watched_fs *w;
	struct stat st;
	unsigned flags;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !root_only(&st))
		return;
	if ((w = watched_by_dev(im, st.st_dev)) == NULL || !w->local)
		return;
	if (strstr(path, " (deleted)") != NULL || !folders_root_only(im, path))
		return;
	flush_if_too_many(im);
	flags = FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | im->evictable;
	if (fanotify_mark(im->gate_fd, flags, FAN_OPEN_EXEC_PERM, fd, NULL) !=
	    0) {
		if (errno != EINVAL || im->evictable == 0)
			return;
		im->evictable = 0; /* a kernel before 5.19 */
		flags &= ~(unsigned)FAN_MARK_EVICTABLE;
		if (fanotify_mark(
			im->gate_fd, flags, FAN_OPEN_EXEC_PERM, fd, NULL) != 0)
			return;
	}
	im->count++;
}

void
ignore_marks_flush(struct ignore_marks *im)
{
	fanotify_mark(im->gate_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	im->count = 0;
}

/* One side of a rename: the folder (opened) and the name in it. */
struct rename_side {
	int dir_fd; /* -1 when it could not be opened */
	const char *name;
	bool root_only;
};

static const struct watched_fs *
watched_by_fsid(const struct ignore_marks *im, const fsid_t *fsid)
{
	for (size_t i = 0; i < im->fs_count; i++)
		if (memcmp(&im->fs[i].fsid, fsid, sizeof *fsid) == 0)
			return &im->fs[i];
	return NULL;
}

static void
open_side(const struct ignore_marks *im,
    const struct fanotify_event_info_fid *fid, struct rename_side *side)
{
	struct file_handle *fh = (struct file_handle *)(void *)fid->handle;
	const struct watched_fs *w;
	struct stat st;

	side->dir_fd = -1;
	side->name = (const char *)fh->f_handle + fh->handle_bytes;
	side->root_only = true; /* when unknown, assume the worst */
	if ((w = watched_by_fsid(im, (const fsid_t *)&fid->fsid)) == NULL)
		return;
	side->dir_fd = open_by_handle_at(w->mount_fd, fh, O_PATH | O_CLOEXEC);
	if (side->dir_fd >= 0 && fstat(side->dir_fd, &st) == 0)
		side->root_only = root_only(&st);
}

static void
handle_rename(struct ignore_marks *im, const struct fanotify_event_metadata *m)
{
	struct rename_side from = { -1, NULL, false }, to = { -1, NULL, false };
	const char *p = (const char *)(m + 1);
	const char *end = (const char *)m + m->event_len;

	while (p + sizeof(struct fanotify_event_info_header) <= end) {
		const struct fanotify_event_info_fid *fid = (const void *)p;

		if (fid->hdr.len == 0)
			break;
		if (fid->hdr.info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME)
			open_side(im, fid, &from);
		else if (fid->hdr.info_type ==
		    FAN_EVENT_INFO_TYPE_NEW_DFID_NAME)
			open_side(im, fid, &to);
		p += fid->hdr.len;
	}
	if (from.root_only || to.root_only) {
		if ((m->mask & FAN_ONDIR) != 0 || to.dir_fd < 0)
			ignore_marks_flush(im);
		else
			fanotify_mark(im->gate_fd,
			    FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK |
				FAN_MARK_DONT_FOLLOW,
			    FAN_OPEN_EXEC_PERM, to.dir_fd, to.name);
	}
	if (from.dir_fd >= 0)
		close(from.dir_fd);
	if (to.dir_fd >= 0)
		close(to.dir_fd);
}

/*
 * An event of the rename group, copied out of the read buffer: events with
 * names are as long as their names, so the next one may start at an offset
 * that is no multiple of 8, where its 64-bit mask cannot be read in place.
 */
union rename_event {
	struct fanotify_event_metadata m;
	char bytes[4096 +
	    2 *
		(sizeof(struct fanotify_event_info_fid) + MAX_HANDLE_SZ +
		    NAME_MAX + 1)];
};

static void
handle_event(struct ignore_marks *im, const union rename_event *ev)
{
	if ((ev->m.mask & FAN_Q_OVERFLOW) != 0)
		ignore_marks_flush(im); /* renames were lost */
	else if ((ev->m.mask & FAN_RENAME) != 0)
		handle_rename(im, &ev->m);
	if (ev->m.fd >= 0)
		close(ev->m.fd);
}

void
ignore_marks_handle_renames(struct ignore_marks *im)
{
	union rename_event ev;
	char buf[16384];
	ssize_t n;

	while ((n = read(im->rename_fd, buf, sizeof buf)) > 0) {
		size_t at = 0;

		while (at + FAN_EVENT_METADATA_LEN <= (size_t)n) {
			memcpy(&ev.m, buf + at, FAN_EVENT_METADATA_LEN);
			if (ev.m.event_len < FAN_EVENT_METADATA_LEN ||
			    ev.m.event_len > (size_t)n - at)
				break;
			if (ev.m.event_len > sizeof ev) {
				ignore_marks_flush(im); /* cannot be read */
				at += ev.m.event_len;
				continue;
			}
			memcpy(ev.bytes, buf + at, ev.m.event_len);
			handle_event(im, &ev);
			at += ev.m.event_len;
		}
	}
}

unsigned long long
ignore_marks_count(const struct ignore_marks *im)
{
	return im->count;
}

void
ignore_marks_close(struct ignore_marks *im)
{
	if (im == NULL)
		return;
	for (size_t i = 0; i < im->fs_count; i++)
		close(im->fs[i].mount_fd);
	close(im->rename_fd);
	free(im->fs);
	free(im);
}
