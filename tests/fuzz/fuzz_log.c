/*
 * fuzz_log.c - fuzz target for the CSV log reader and the charts drawn
 * from it (plot.c, what plot reads).
 *
 * The input is the log, read from a memfd through its /proc/self/fd
 * path, as from disk.  Beyond not crashing, leaking, overflowing (UBSan)
 * or hanging (an epoch of 1e20 once made the tick loop endless), a log
 * that reads must draw: rbm_plot_log gives a picture or a message.
 */
#include <stdio.h>
#include <unistd.h>

#include "image.h"
#include "plot.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct rbm_err err;
	struct rbm_log *log;
	struct rbm_image *im;
	int fd = fuzz_memfd("fuzz-log", data, size);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err.msg[0] = '\0';
	log = rbm_log_read(path, &err);
	close(fd);
	FUZZ_ASSERT(log || err.msg[0] != '\0');
	if (!log)
		return 0;
	err.msg[0] = '\0';
	im = rbm_plot_log(log, "fuzz", &err);
	FUZZ_ASSERT(im || err.msg[0] != '\0');
	rbm_image_free(im);
	rbm_log_free(log);
	return 0;
}
