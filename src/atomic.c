/*
 * atomic.c - crash-safe file replacement (see atomic.h).
 *
 * The temporary file is ".NAME.rbmcmd-XXXXXX" beside the target, so the
 * rename stays within one file system; a process killed before the rename
 * leaves the target as it was (and at worst that temporary file behind,
 * for rbm_atomic_clean).  The "rbmcmd-" keeps the name apart from the
 * ".NAME.XXXXXX" temporary files of other programs, rsync's among them,
 * so that cleaning never touches a file that is not ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

#define TMP_TAG ".rbmcmd-"
#define TMP_RANDOM 6	/* the XXXXXX of mkostemp */

/* Directory and base name of path, in malloc'ed copies. */
static int split_path(const char *path, char **dir, char **base)
{
	char *a = strdup(path), *b = strdup(path);

	*dir = *base = NULL;
	if (!a || !b) {
		free(a);
		free(b);
		return -1;
	}
	*dir = strdup(dirname(a));
	*base = strdup(basename(b));
	free(a);
	free(b);
	return *dir && *base ? 0 : -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* fsync the directory so the rename itself survives a power cut. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Give the temporary file fd the owner, group and permissions of the file
 * st describes (or, with st NULL, 0666 less the umask), never set-user-ID,
 * set-group-ID or sticky bits.  Root keeps any owner.  Anyone else may
 * only replace a file of their own: a rename by another user who can
 * write the directory would make the file theirs, so that is refused
 * (EPERM, *why says so).  A group the caller cannot give away (chown to a
 * group it is not in) loses its permissions rather than pass them to the
 * caller's group.  0, or -1 with errno.
 */
static int copy_owner(int fd, const struct stat *st, const char **why)
{
	mode_t mode, mask;

	if (!st) {
		mask = umask(0);
		umask(mask);
		return fchmod(fd, 0666 & ~mask);
	}
	mode = st->st_mode & 0777;
	if (geteuid() == 0) {
		if (fchown(fd, st->st_uid, st->st_gid) < 0)
			return -1;
	} else if (st->st_uid != geteuid()) {
		*why = "it belongs to another user, whom a save by this user "
		       "would take it from";
		errno = EPERM;
		return -1;
	} else if (st->st_gid != getegid() &&
		   fchown(fd, (uid_t)-1, st->st_gid) < 0) {
		mode &= ~(mode_t)S_IRWXG;
	}
	return fchmod(fd, mode);
}

/*
 * Write data in place to the existing non-regular file at path (a
 * character device, a FIFO, a socket is refused by open): replacing it by
 * a rename would destroy the device node or pipe.  0, or -1 with errno.
 */
static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/*
 * The file a save to path replaces, in *target (malloc'ed): path itself,
 * or for a symbolic link the file it names in the end (so the link
 * stays, like cp and sed --follow-symlinks do); st filled and *exists set
 * when there is one.  -1 with errno (ENOENT for a dangling link, since
 * creating the file it names could put it anywhere).
 */
static int resolve_target(const char *path, char **target, struct stat *st,
			  int *exists)
{
	struct stat lst;

	*exists = 0;
	*target = NULL;
	if (lstat(path, &lst) < 0) {
		if (errno != ENOENT)
			return -1;
		*target = strdup(path);
		return *target ? 0 : -1;
	}
	if (stat(path, st) < 0)
		return -1;	/* a dangling or looping link */
	*exists = 1;
	*target = S_ISLNK(lst.st_mode) && S_ISREG(st->st_mode)
		  ? realpath(path, NULL) : strdup(path);
	return *target ? 0 : -1;
}

#define READ_ONLY_WHY "it is read-only (chmod u+w to let rbmcmd replace it)"

/*
 * Whether the existing file at path is one its owner made read-only
 * (chmod a-w): a rename could replace it, since that needs only the
 * directory's permission, but a user who took away the write permission
 * meant to keep the file as it is, as cp(1) does.  Root may write any
 * file and is never refused.
 */
static int read_only(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0 &&
	       errno == EACCES;
}

#define MOUNTED_WHY "it is mounted on its own (a bind-mounted file), which " \
		    "a save by rename cannot replace"

/*
 * Whether paths a and b are on different mounts: their mount ids (a bind
 * mount of a file shares its file system, so st_dev alone cannot tell),
 * or where statx cannot say, their devices.
 */
static int other_mount(const char *a, const char *b, const struct stat *sa)
{
	struct stat sb;
#ifdef STATX_MNT_ID
	struct statx xa, xb;

	if (statx(AT_FDCWD, a, 0, STATX_MNT_ID, &xa) == 0 &&
	    statx(AT_FDCWD, b, 0, STATX_MNT_ID, &xb) == 0 &&
	    (xa.stx_mask & xb.stx_mask & STATX_MNT_ID))
		return xa.stx_mnt_id != xb.stx_mnt_id;
#else
	(void)a;
#endif
	return stat(b, &sb) == 0 && sb.st_dev != sa->st_dev;
}

/*
 * Whether the existing file target (st) is a mount point of its own, as a
 * file bind-mounted into a container is: a rename over it fails (EBUSY),
 * so it is refused before any work rather than after a whole train.
 */
static int mounted(const char *target, const struct stat *st)
{
	char *dir, *base;
	int rc = 0;

	if (split_path(target, &dir, &base) == 0)
		rc = other_mount(target, dir, st);
	free(dir);
	free(base);
	return rc;
}

/*
 * The steps on the temporary file fd for len bytes of data: owner and
 * mode (copy_owner), the bytes, fsync, then its size checked against len
 * (a save that reports success has every byte on disk).
 */
static int fill_temp(int fd, const struct stat *old, const void *data,
		     size_t len, const char **why)
{
	struct stat st;

	if (copy_owner(fd, old, why) < 0 || write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0 || fstat(fd, &st) < 0)
		return -1;
	if ((size_t)st.st_size != len) {
		*why = "the temporary file does not hold every byte written";
		errno = EIO;
		return -1;
	}
	return 0;
}

/* The save to a regular (or new) file target through a temporary file. */
static int replace_file(const char *target, const struct stat *old,
			const void *data, size_t len, const char **why)
{
	char *dir, *base, *tmp = NULL;
	int fd = -1, rc = -1, created = 0, saved;

	if (split_path(target, &dir, &base) < 0 ||
	    !(tmp = malloc(strlen(dir) + strlen(base) + sizeof(TMP_TAG) +
			   TMP_RANDOM + 2))) {
		errno = ENOMEM;
		goto out;
	}
	sprintf(tmp, "%s/.%s" TMP_TAG "XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	created = 1;
	if (fill_temp(fd, old, data, len, why) < 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc == 0)
		rc = rename(tmp, target);
	if (rc == 0)
		sync_dir(dir);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(base);
	errno = saved;
	return rc;
}

int rbm_atomic_write(const char *path, const void *data, size_t len,
		     struct rbm_err *err)
{
	const char *why = NULL;
	struct stat st;
	char *target;
	int exists, rc = -1;

	if (resolve_target(path, &target, &st, &exists) < 0) {
		if (errno == ENOENT)
			why = "it is a symbolic link to nothing";
	} else if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
	} else if (exists && !S_ISREG(st.st_mode)) {
		rc = write_in_place(path, data, len);
	} else if (exists && read_only(target)) {
		why = READ_ONLY_WHY;
	} else if (exists && mounted(target, &st)) {
		why = MOUNTED_WHY;
	} else {
		rc = replace_file(target, exists ? &st : NULL, data, len,
				  &why);
	}
	if (rc < 0)
		rbm_err_set(err, "cannot save %s: %s", path,
			    why ? why : strerror(errno));
	free(target);
	return rc;
}

int rbm_atomic_check(const char *path, struct rbm_err *err)
{
	const char *why = NULL;
	struct stat st;
	char *target;
	int exists;

	if (resolve_target(path, &target, &st, &exists) < 0)
		return 0;	/* the save itself will say why */
	if (exists && S_ISREG(st.st_mode) && read_only(target))
		why = READ_ONLY_WHY;
	else if (exists && S_ISREG(st.st_mode) && mounted(target, &st))
		why = MOUNTED_WHY;
	free(target);
	if (why) {
		rbm_err_set(err, "cannot save %s: %s", path, why);
		return -1;
	}
	return 0;
}

int rbm_atomic_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Whether name is ".BASE.rbmcmd-" and six characters of mkostemp's. */
static int is_our_temp(const char *name, const char *base)
{
	size_t n = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 ||
	    strncmp(name + 1 + n, TMP_TAG, strlen(TMP_TAG)) != 0)
		return 0;
	name += 1 + n + strlen(TMP_TAG);
	for (i = 0; i < TMP_RANDOM; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return name[TMP_RANDOM] == '\0';
}

int rbm_atomic_clean(const char *path)
{
	char *dir = NULL, *base = NULL, *target;
	struct dirent *e;
	struct stat st;
	int n = -1, exists;
	DIR *d;

	/* A link's saves leave their temporary files beside its target. */
	if (resolve_target(path, &target, &st, &exists) < 0)
		return -1;
	if (split_path(target, &dir, &base) < 0 || !(d = opendir(dir)))
		goto out;
	n = 0;
	while ((e = readdir(d)))
		if (is_our_temp(e->d_name, base) &&
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;
	closedir(d);
out:
	free(target);
	free(dir);
	free(base);
	return n;
}
