/*
 * replay.c - run a fuzz target once on each file of a corpus, without
 * libFuzzer, so that make check replays every saved input with any
 * compiler (and under valgrind).
 *
 *     replay-TARGET FILE|DIRECTORY...
 *
 * Directories are read one level deep, in name order.  A broken
 * invariant aborts (see fuzz.h); otherwise it prints how many inputs ran
 * and exits 0, or 1 when an argument cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Run the target on the file at path; 0, or -1 after a message. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, k;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = 2 * cap + 4096);
			if (!nb) {
				fprintf(stderr, "replay: out of memory\n");
				abort();
			}
			buf = nb;
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* Every regular file directly in dir, in name order; the count or -1. */
static long replay_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	long n = 0;
	int i, k = scandir(dir, &names, NULL, alphasort);

	if (k < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path) < 0)
				n = -1;
			else if (n >= 0)
				n++;
		}
		free(names[i]);
	}
	free(names);
	return n;
}

int main(int argc, char **argv)
{
	struct stat st;
	long n = 0, k;
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			k = replay_dir(argv[i]);
		else
			k = replay_file(argv[i]) < 0 ? -1 : 1;
		if (k < 0)
			bad = 1;
		else
			n += k;
	}
	printf("replayed %ld inputs\n", n);
	return bad;
}
