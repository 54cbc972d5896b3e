/*
 * ignoremarks.h: the gate's memory of harmless programs, kept honest.
 *
 * Once the gate has judged a file harmless it can put a fanotify ignore mark
 * on the file's inode, and the kernel stops asking about it: this is what
 * makes the gate cost nothing on an exec storm. But the judgement rested on
 * the file's name and folder, and an ignore mark survives a rename. So:
 *
 *   - only files that nobody but root can rename get a mark: the file and
 *     every folder above it belong to root and are writable by root alone
 *     (nothing under a home folder, /tmp or a download folder ever does);
 *   - a second fanotify group watches renames on the gated filesystems;
 *     when a file in such a root-only folder is renamed its mark is removed,
 *     and when such a folder is renamed every mark is dropped;
 *   - a change of content clears a mark by itself (the kernel does that);
 *   - a new catalog or policy drops every mark (ignore_marks_flush).
 *
 * Without rename events (kernels before 5.17) no marks are made at all.
 * All of this runs on the gate's thread, so that marks are added and removed
 * in the order the kernel reported the events.
 */
#ifndef RDGUARD_IGNOREMARKS_H
#define RDGUARD_IGNOREMARKS_H

#include <stdbool.h>
#include <sys/types.h>

struct ignore_marks;

/* NULL (and a reason in err) when marks cannot be kept honest here. */
struct ignore_marks *ignore_marks_open(int gate_fd, char *err, size_t len);

/* Watches renames on the filesystem mounted at path; false if it cannot. */
bool ignore_marks_watch(
    struct ignore_marks *im, const char *path, dev_t dev, bool local);

/* The descriptor that becomes readable when renames were reported. */
int ignore_marks_fd(struct ignore_marks *im);

/*
 * After the gate judged the file open at fd (real path path) harmless by its
 * name and folder alone: marks it if that is safe.
 */
void ignore_marks_consider(struct ignore_marks *im, int fd, const char *path);

/* Reads the waiting rename events and removes the marks they concern. */
void ignore_marks_handle_renames(struct ignore_marks *im);

/* Drops every mark; the kernel asks about every file again. */
void ignore_marks_flush(struct ignore_marks *im);

unsigned long long ignore_marks_count(const struct ignore_marks *im);

void ignore_marks_close(struct ignore_marks *im);

#endif
