/*
 * fuzz_util.c - helpers of the fuzz targets (see fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int fuzz_memfd(const char *name, const void *data, size_t len)
{
	const char *p = data;
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (len > 0) {
		ssize_t k = write(fd, p, len);
		if (k <= 0) {
			perror("write to memfd");
			abort();
		}
		p += k;
		len -= (size_t)k;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("lseek");
		abort();
	}
	return fd;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}
