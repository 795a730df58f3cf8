/*
 * lock.c - the writer's lock beside a file (see lock.h).
 *
 * Removing the lock file on release needs care: a process may have
 * opened it just before the holder removed it, and would then lock an
 * inode that no longer has the name while a third process creates and
 * locks a new one.  So after locking, a process checks that the name
 * still leads to the inode it locked, and starts again if not.  Only a
 * holder removes the file, so the inode under the name is always the one
 * its holder locked.
 *
 * POSIX (fcntl) locks rather than flock(2): F_GETLK names the holder's
 * pid for the message, and they also work on NFS.  Their catch, that
 * closing any descriptor of the file drops the lock, does not bite: only
 * this module opens lock files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"

#define MAX_TRIES 100	/* rounds lost to releasing holders, in a row */

struct rbm_lock {
	int fd;		/* the locked lock file */
	char *path;	/* its name */
};

/*
 * "DIR/.BASE.lock" for the file a save to path replaces, "DIR/BASE" (or
 * "BASE"): path itself, or for a symbolic link the file it names in the
 * end, as atomic.c replaces it, so that a train through the link and one
 * through the file's own name take the same lock.  NULL if no memory.
 */
static char *lock_path(const char *path)
{
	struct stat st;
	char *real = NULL, *p;
	const char *slash;
	size_t dlen;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = realpath(path, NULL)))
		path = real;
	slash = strrchr(path, '/');
	dlen = slash ? (size_t)(slash - path) + 1 : 0;
	if ((p = malloc(strlen(path) + 7)))
		sprintf(p, "%.*s.%s.lock", (int)dlen, path, path + dlen);
	free(real);
	return p;
}

/*
 * One attempt on the lock file at lp: the locked descriptor; -1 with
 * errno (EAGAIN, with *holder set, when someone else holds it); or -2 to
 * try again (the file was released or replaced meanwhile).
 */
static int try_lock(const char *lp, long *holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat a, b;
	int fd = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;
		if (e == EACCES || e == EAGAIN) {
			fl.l_type = F_WRLCK;
			if (fcntl(fd, F_GETLK, &fl) == 0 &&
			    fl.l_type != F_UNLCK) {
				*holder = (long)fl.l_pid;
				e = EAGAIN;
			} else {
				e = 0;	/* released meanwhile */
			}
		}
		close(fd);
		errno = e;
		return e ? -1 : -2;
	}
	if (fstat(fd, &a) == 0 && stat(lp, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return fd;
	close(fd);
	return -2;
}

struct rbm_lock *rbm_lock_acquire(const char *path, struct rbm_err *err)
{
	struct rbm_lock *l = calloc(1, sizeof(*l));
	long holder = 0;
	int tries;

	if (!l || !(l->path = lock_path(path))) {
		free(l);
		rbm_err_set(err, "cannot lock %s: out of memory", path);
		return NULL;
	}
	for (tries = 0; tries < MAX_TRIES; tries++) {
		l->fd = try_lock(l->path, &holder);
		if (l->fd != -2)
			break;
	}
	if (l->fd >= 0)
		return l;
	if (l->fd == -1 && errno == EAGAIN)
		rbm_err_set(err, "%s is locked by another rbmcmd (pid %ld)",
			    path, holder);
	else if (l->fd == -1 && (errno == ENOLCK || errno == EINVAL))
		rbm_err_set(err, "cannot lock %s: lock file %s: %s", path,
			    l->path, strerror(errno));
	else if (l->fd == -1 && errno == ENOENT)	/* no directory */
		rbm_err_set(err, "cannot save %s: %s", path, strerror(errno));
	else if (l->fd == -1)
		rbm_err_set(err, "cannot save %s: cannot create its lock file "
			    "%s: %s", path, l->path, strerror(errno));
	else
		rbm_err_set(err, "cannot lock %s: it keeps changing", path);
	free(l->path);
	free(l);
	return NULL;
}

void rbm_lock_release(struct rbm_lock *l)
{
	if (!l)
		return;
	unlink(l->path);	/* while still locked: see the top */
	close(l->fd);
	free(l->path);
	free(l);
}
