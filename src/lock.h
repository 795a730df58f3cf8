/*
 * lock.h - one writer at a time for a file that is replaced by rename.
 *
 * init and train hold this lock on STATE from before they read it until
 * after they have saved it, so two of them never both start from the same
 * old file and silently drop one update; the second fails at once,
 * naming the first.  Readers take no lock: a save renames a complete file
 * into place, so they see the old file or the new one.
 *
 * The lock cannot live on STATE's own inode, because every save replaces
 * it and a lock on the old inode would guard a file no longer there.  It
 * is a POSIX record lock on ".NAME.lock" beside STATE, a file that only
 * exists while someone holds it (a killed holder leaves it behind,
 * unlocked and harmless; the next holder reuses and removes it).
 */
#ifndef RBM_LOCK_H
#define RBM_LOCK_H

#include "err.h"

struct rbm_lock;

/*
 * Lock the file at path for writing, without waiting.  NULL with a
 * message when another process holds it ("PATH is locked by another
 * rbmcmd (pid N)") or when the lock file cannot be made in that
 * directory ("cannot save PATH: cannot create its lock file LOCK:
 * REASON", since the save could not be made either).
 */
struct rbm_lock *rbm_lock_acquire(const char *path, struct rbm_err *err);

/* Remove the lock file and release the lock; NULL is a no-op. */
void rbm_lock_release(struct rbm_lock *l);

#endif
