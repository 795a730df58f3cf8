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

static mode_t target_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
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

int rbm_atomic_write(const char *path, const void *data, size_t len,
		     struct rbm_err *err)
{
	char *dir, *base, *tmp = NULL;
	int fd = -1, rc = -1, created = 0, saved;

	if (split_path(path, &dir, &base) < 0 ||
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
	if (fchmod(fd, target_mode(path)) < 0 ||
	    write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc == 0)
		sync_dir(dir);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlink(tmp);
	if (rc < 0)
		rbm_err_set(err, "cannot save %s: %s", path, strerror(saved));
	free(tmp);
	free(dir);
	free(base);
	return rc;
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
	char *dir, *base;
	struct dirent *e;
	struct stat st;
	int n = -1;
	DIR *d;

	if (split_path(path, &dir, &base) < 0 || !(d = opendir(dir)))
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
	free(dir);
	free(base);
	return n;
}
