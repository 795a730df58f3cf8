/*
 * atomic.h - replace a file so that no reader, crash or full disk ever
 * leaves it torn: write a temporary file in the same directory, fsync it,
 * rename it over the target, fsync the directory.
 */
#ifndef RBM_ATOMIC_H
#define RBM_ATOMIC_H

#include <stddef.h>

#include "err.h"

/*
 * Make path hold exactly the len bytes at data.  A regular file is
 * replaced through a temporary file that has been written, fsynced and
 * checked to hold len bytes; it keeps the old file's owner, group and
 * permission bits (never set-id bits), and a save that would change the
 * owner (another user's, when not root) is refused.  A symbolic link is
 * followed: the file it names is replaced and the link stays; one that
 * leads nowhere is refused.  An existing non-regular file (a character
 * device, a FIFO) is written in place, not replaced; a directory is
 * refused, and so is a regular file without write permission for this
 * user (root excepted) or one mounted on its own (a bind-mounted file,
 * which no rename can replace).  A new file gets mode 0666 less the
 * umask.  0, or -1 with a message ("cannot save PATH: REASON"); the old
 * file is then untouched and the temporary file removed.
 */
int rbm_atomic_write(const char *path, const void *data, size_t len,
		     struct rbm_err *err);

/*
 * Whether a save to path could replace the file there before the work
 * that leads to the save begins: -1 with rbm_atomic_write's message when
 * it is a regular file (or a link to one) that has been made read-only
 * for this user or is mounted on its own, else 0 (other failures are
 * found by the save itself).
 */
int rbm_atomic_check(const char *path, struct rbm_err *err);

/*
 * Whether paths a and b lead to one file (the same device and inode
 * after following symbolic links: one name, a link, a hard link): 1 or 0
 * (also when either does not exist).
 */
int rbm_atomic_same_file(const char *a, const char *b);

/*
 * Remove the temporary files that saves to path left when they were
 * killed before their rename (".NAME.rbmcmd-XXXXXX", regular files only;
 * for a symbolic link, beside the file it names).
 * Only safe while the caller holds path's writer lock (lock.h), so that
 * no save is under way.  The number removed, or -1 if the directory
 * cannot be read.
 */
int rbm_atomic_clean(const char *path);

#endif
