/*
 * mounts.c: reads /proc/self/mountinfo into the list of gateable filesystems
 * (see mounts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "core/xalloc.h"
#include "platform/linux/mounts.h"

/* Filesystems nothing is ever launched from. */
static const char *const pseudo_types[] = { "proc", "sysfs", "cgroup",
	"cgroup2", "devpts", "securityfs", "debugfs", "tracefs", "pstore",
	"bpf", "configfs", "fusectl", "mqueue", "binfmt_misc", "autofs",
	"hugetlbfs", "nsfs", "efivarfs", "selinuxfs", "rpc_pipefs", "nfsd",
	"ramfs", NULL };

/* Filesystems whose metadata is answered from the kernel's own caches. */
static const char *const local_types[] = { "ext2", "ext3", "ext4", "xfs",
	"btrfs", "f2fs", "jfs", "reiserfs", "tmpfs", "squashfs", "erofs",
	"iso9660", "vfat", "exfat", "overlay", "zfs", "bcachefs", "devtmpfs",
	NULL };

static bool
listed(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void
unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*out++ = *s;
	}
	*out = '\0';
}

/* Whether the per-mount options (field 6) say noexec. */
static bool
has_noexec(const char *options)
{
	const char *p = options;
	size_t len = strlen("noexec");

	while ((p = strstr(p, "noexec")) != NULL) {
		if ((p == options || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* Adds one mountinfo line's filesystem unless it is known or not wanted. */
static void
add_line(struct mount_list *l, size_t *cap, char *line)
{
	char *field[7], *sep, *fstype, *save = NULL;
	unsigned maj, min;
	dev_t dev;
	int n = 0;

	if ((sep = strstr(line, " - ")) == NULL)
		return;
	*sep = '\0';
	fstype = strtok_r(sep + 3, " \n", &save);
	for (char *t = strtok_r(line, " ", &save); t != NULL && n < 7;
	     t = strtok_r(NULL, " ", &save))
		field[n++] = t;
	if (n < 6 || fstype == NULL || listed(pseudo_types, fstype) ||
	    has_noexec(field[5]) || sscanf(field[2], "%u:%u", &maj, &min) != 2)
		return;
	dev = makedev(maj, min);
	if (mounts_by_dev(l, dev) != NULL)
		return;
	unescape(field[4]);
	xgrow(&l->entries, cap, l->count + 1, sizeof *l->entries);
	l->entries[l->count].path = xstrdup(field[4]);
	l->entries[l->count].fstype = xstrdup(fstype);
	l->entries[l->count].dev = dev;
	l->entries[l->count].local = listed(local_types, fstype);
	l->count++;
}

int
mounts_read(struct mount_list *l)
{
	char *line = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	memset(l, 0, sizeof *l);
	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (getline(&line, &len, f) > 0)
		add_line(l, &cap, line);
	free(line);
	fclose(f);
	return 0;
}

const struct mount_entry *
mounts_at(const struct mount_list *l, const char *path)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->entries[i].path, path) == 0)
			return &l->entries[i];
	return NULL;
}

const struct mount_entry *
mounts_by_dev(const struct mount_list *l, dev_t dev)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->entries[i].dev == dev)
			return &l->entries[i];
	return NULL;
}

void
mounts_free(struct mount_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->entries[i].path);
		free(l->entries[i].fstype);
	}
	free(l->entries);
	memset(l, 0, sizeof *l);
}
