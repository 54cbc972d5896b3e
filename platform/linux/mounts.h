/*
 * mounts.h: which filesystems the exec gate marks, from the mount table.
 *
 * One entry per filesystem (superblock), under the first mount point where
 * programs may run. Pseudo filesystems (proc, sysfs, cgroup, ...) are left
 * out: nothing is launched from them.
 */
#ifndef RDGUARD_MOUNTS_H
#define RDGUARD_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct mount_entry {
	char *path;   /* a mount point of the filesystem */
	char *fstype; /* "ext4", "tmpfs", "fuse.sshfs", ... */
	dev_t dev;    /* the filesystem's device number */
	bool local;   /* a disk or memory filesystem whose metadata the kernel
			 answers from its caches (not NFS, not FUSE) */
};

struct mount_list {
	struct mount_entry *entries;
	size_t count;
};

/* Reads /proc/self/mountinfo. Returns 0, or -1 when it cannot be read. */
int mounts_read(struct mount_list *l);

/* The entry for the filesystem mounted exactly at path, or NULL. */
const struct mount_entry *mounts_at(
    const struct mount_list *l, const char *path);

/* The entry for device dev, or NULL. */
const struct mount_entry *mounts_by_dev(const struct mount_list *l, dev_t dev);

void mounts_free(struct mount_list *l);

#endif
