/*
 * reseal.c - a test helper: copy a state file from stdin to stdout with
 * its end line recomputed, so that shell tests can hand-edit a state file
 * (claim impossible sizes, say) and reach the parser past the checksum.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define END_TAG "end fnv1a64 "

int main(void)
{
	size_t len = 0, cap = 1 << 16, k, last;
	char *buf = malloc(cap);

	while (buf && (k = fread(buf + len, 1, cap - len, stdin)) > 0)
		if ((len += k) == cap)
			buf = realloc(buf, cap *= 2);
	if (!buf || ferror(stdin)) {
		fprintf(stderr, "reseal: cannot read stdin\n");
		return 1;
	}
	/* The last line starts after the newline before the final one. */
	k = len > 0 && buf[len - 1] == '\n' ? len - 1 : len;
	for (last = k; last > 0 && buf[last - 1] != '\n'; last--)
		;
	if (len - last >= strlen(END_TAG) &&
	    strncmp(buf + last, END_TAG, strlen(END_TAG)) == 0)
		len = last;		/* drop the old end line */
	else if (len > 0 && buf[len - 1] != '\n')
		buf[len++] = '\n';	/* room: len < cap after reading */
	fwrite(buf, 1, len, stdout);
	printf(END_TAG "%016" PRIx64 "\n", rbm_state_checksum(buf, len));
	free(buf);
	return fclose(stdout) == 0 ? 0 : 1;
}
