/*
 * pngdump.c - a PNG decoder for the shell tests, on libpng's full
 * checks (signature, chunk CRCs, zlib stream, sizes).
 *
 *     pngdump FILE|- [X,Y ...]
 *
 * prints "WIDTH HEIGHT CHANNELS" of the decoded image, then one line per
 * X,Y with the pixel's channel values.  Exit status 1, with libpng's
 * message, if FILE is not a valid PNG file; 2 on a bad argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

/* Print pixel "X,Y" of the image in buf; 0, or -1 if arg is bad. */
static int print_pixel(const png_image *img, const unsigned char *buf,
		       const char *arg)
{
	unsigned long x, y;
	unsigned c, n = PNG_IMAGE_PIXEL_CHANNELS(img->format);
	char tail;

	if (sscanf(arg, "%lu,%lu%c", &x, &y, &tail) != 2 ||
	    x >= img->width || y >= img->height) {
		fprintf(stderr, "pngdump: bad pixel '%s'\n", arg);
		return -1;
	}
	for (c = 0; c < n; c++)
		printf("%s%u", c ? " " : "",
		       buf[(y * img->width + x) * n + c]);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	png_image img;
	unsigned char *buf;
	int i, ok;

	if (argc < 2) {
		fprintf(stderr, "usage: pngdump FILE|- [X,Y ...]\n");
		return 2;
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	ok = strcmp(argv[1], "-") == 0
		     ? png_image_begin_read_from_stdio(&img, stdin)
		     : png_image_begin_read_from_file(&img, argv[1]);
	buf = ok ? malloc(PNG_IMAGE_SIZE(img)) : NULL;
	if (buf)
		ok = png_image_finish_read(&img, NULL, buf, 0, NULL);
	if (!ok || !buf) {
		fprintf(stderr, "pngdump: %s: %s\n", argv[1], img.message);
		return 1;
	}
	printf("%lu %lu %u\n", (unsigned long)img.width,
	       (unsigned long)img.height, PNG_IMAGE_PIXEL_CHANNELS(img.format));
	for (i = 2; i < argc; i++)
		if (print_pixel(&img, buf, argv[i]) < 0)
			return 2;
	free(buf);
	png_image_free(&img);
	return 0;
}
