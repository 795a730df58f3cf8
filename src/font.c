/*
 * font.c - the glyphs of font.h and the code that draws them.
 *
 * The glyphs are kept as "sheets": a row of characters and, under it,
 * the nine pixel rows of their glyphs side by side ('#' on, '.' off),
 * so the source shows what the letters look like and a glyph can be
 * fixed by eye.
 */
#include <ctype.h>
#include <string.h>

#include "font.h"

struct sheet {
	const char *chars;	/* the characters on this sheet */
	const char *rows[RBM_GLYPH_H];	/* their glyphs, one char apart */
};

static const struct sheet sheets[] = {
	{ "0123456789a",
	  { ".###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###. .....",
	    "#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...# .....",
	    "#..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...# .###.",
	    "#.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .#### ....#",
	    "##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....# .####",
	    "#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#. #...#",
	    ".###. .###. ##### .###. ...#. .###. .###. .#... .###. .##.. .####",
	    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
	    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ....."
	  } },
	{ "bcdefghijkl",
	  { "#.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. #.... .##..",
	    "#.... ..... ....# ..... .#..# ..... #.... ..... ..... #.... ..#..",
	    "#.##. .###. .##.# .###. .#... .#### #.##. .##.. ..##. #..#. ..#..",
	    "##..# #.... #..## #...# ###.. #...# ##..# ..#.. ...#. #.#.. ..#..",
	    "#...# #.... #...# ##### .#... #...# #...# ..#.. ...#. ##... ..#..",
	    "#...# #...# #...# #.... .#... #...# #...# ..#.. ...#. #.#.. ..#..",
	    "####. .###. .#### .###. .#... .#### #...# .###. ...#. #..#. .###.",
	    "..... ..... ..... ..... ..... ....# ..... ..... #..#. ..... .....",
	    "..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... ....."
	  } },
	{ "mnopqrstuvw",
	  { "..... ..... ..... ..... ..... ..... ..... .#... ..... ..... .....",
	    "..... ..... ..... ..... ..... ..... ..... .#... ..... ..... .....",
	    "##.#. #.##. .###. ####. .#### #.##. .###. ###.. #...# #...# #...#",
	    "#.#.# ##..# #...# #...# #...# ##..# #.... .#... #...# #...# #...#",
	    "#.#.# #...# #...# #...# #...# #.... .###. .#... #...# #...# #.#.#",
	    "#...# #...# #...# #...# #...# #.... ....# .#..# #..## .#.#. #.#.#",
	    "#...# #...# .###. ####. .#### #.... ####. ..##. .##.# ..#.. .#.#.",
	    "..... ..... ..... #.... ....# ..... ..... ..... ..... ..... .....",
	    "..... ..... ..... #.... ....# ..... ..... ..... ..... ..... ....."
	  } },
	{ "xyz.,-+:()/",
	  { "..... ..... ..... ..... ..... ..... ..... ..... ...#. .#... .....",
	    "..... ..... ..... ..... ..... ..... ..#.. .##.. ..#.. ..#.. ....#",
	    "#...# #...# ##### ..... ..... ..... ..#.. .##.. .#... ...#. ...#.",
	    ".#.#. #...# ...#. ..... ..... .###. ##### ..... .#... ...#. ..#..",
	    "..#.. #...# ..#.. ..... ..... ..... ..#.. .##.. .#... ...#. .#...",
	    ".#.#. #...# .#... .##.. .##.. ..... ..#.. .##.. ..#.. ..#.. #....",
	    "#...# .#### ##### .##.. .##.. ..... ..... ..... ...#. .#... .....",
	    "..... ....# ..... ..... ..#.. ..... ..... ..... ..... ..... .....",
	    "..... .###. ..... ..... .#... ..... ..... ..... ..... ..... ....."
	  } },
	{ "%=_",
	  { "##... ..... .....",
	    "##..# ..... .....",
	    "...#. ##### .....",
	    "..#.. ..... .....",
	    ".#... ##### .....",
	    "#..## ..... .....",
	    "...## ..... #####",
	    "..... ..... .....",
	    "..... ..... ....."
	  } },
};

#define NSHEETS (sizeof(sheets) / sizeof(sheets[0]))

/* The sheet and column of c's glyph; 0 if the font lacks it. */
static int find_glyph(char c, const struct sheet **sh, size_t *col)
{
	size_t i;

	c = (char)tolower((unsigned char)c);
	for (i = 0; i < NSHEETS; i++) {
		const char *p = c ? strchr(sheets[i].chars, c) : NULL;
		if (p) {
			*sh = &sheets[i];
			*col = (size_t)(p - sheets[i].chars);
			return 1;
		}
	}
	return 0;
}

int rbm_font_has(char c)
{
	const struct sheet *sh;
	size_t col;

	return c == ' ' || find_glyph(c, &sh, &col);
}

size_t rbm_font_width(const char *s, size_t scale)
{
	size_t n = strlen(s);

	return n ? (n * RBM_GLYPH_ADVANCE - (RBM_GLYPH_ADVANCE - RBM_GLYPH_W)) *
		   scale : 0;
}

/* Whether pixel (i, j) of c's glyph is on; a box for missing glyphs. */
static int glyph_pixel(char c, size_t i, size_t j)
{
	const struct sheet *sh;
	size_t col;

	if (c == ' ')
		return 0;
	if (!find_glyph(c, &sh, &col))
		return i == 0 || j == 0 || i == RBM_GLYPH_W - 1 ||
		       j == RBM_GLYPH_BASE;
	return sh->rows[j][col * RBM_GLYPH_ADVANCE + i] == '#';
}

void rbm_font_draw(struct rbm_image *im, long x, long y, const char *s,
		   size_t scale, const unsigned char *color)
{
	long k = (long)scale;
	size_t i, j;

	for (; *s; s++, x += RBM_GLYPH_ADVANCE * k)
		for (j = 0; j < RBM_GLYPH_H; j++)
			for (i = 0; i < RBM_GLYPH_W; i++)
				if (glyph_pixel(*s, i, j))
					rbm_image_rect(im, x + (long)i * k,
						       y + (long)j * k, k, k,
						       color);
}
