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
 * Make path hold exactly the len bytes at data.  A new file gets mode
 * 0666 less the umask, a replaced one keeps its mode.  0, or -1 with a
 * message ("cannot save PATH: REASON"); the old file is then untouched
 * and the temporary file removed.
 */
int rbm_atomic_write(const char *path, const void *data, size_t len,
		     struct rbm_err *err);

/*
 * Remove the temporary files that saves to path left when they were
 * killed before their rename (".NAME.rbmcmd-XXXXXX", regular files only).
 * Only safe while the caller holds path's writer lock (lock.h), so that
 * no save is under way.  The number removed, or -1 if the directory
 * cannot be read.
 */
int rbm_atomic_clean(const char *path);

#endif
