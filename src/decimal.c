/*
 * decimal.c - the fast path of strtod and strtof (see decimal.h).
 *
 * The digits go into a 64-bit integer (leading zeros skipped, at most 19
 * significant digits, so it cannot overflow), the exponent is the
 * written one less the digits after the point.  The result is exact
 * only if the arithmetic is IEEE double rounding to nearest with no
 * excess precision (FLT_EVAL_METHOD 0, as on x86-64 and AArch64);
 * elsewhere every call declines and the libc does the work.
 *
 * For float, rounding the correctly rounded double to float rounds twice;
 * that gives strtof's float unless the double is exactly halfway between
 * two floats (the decimal itself may lie a hair to one side), which
 * shows as the 29 bits below a float's mantissa being 1 then zeros: those
 * are declined.  (The fast path's values are at least 1e-22 and below
 * 2^53 * 1e22 in magnitude, well inside float's normal range, so the bit
 * test holds.)
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "decimal.h"

#define MAX_DIGITS 19			/* 10^19 - 1 < 2^64 */
#define MAX_EXACT (1ULL << 53)		/* integers a double holds exactly */
#define MAX_POW 22			/* 10^22 is the last exact power */
#define MAX_EXP_DIGITS 5		/* longer exponents: the libc's job */

static const double pow10[MAX_POW + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int is_digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

/*
 * Digits from s[*i] on into *m (counting significant ones in *sig, and
 * those taken in *taken); 0 if there are more than MAX_DIGITS
 * significant ones.
 */
static int digits(const char *s, size_t n, size_t *i, uint64_t *m,
		  int *sig, size_t *taken)
{
	size_t k = *i;

	for (; k < n && is_digit(s[k]); k++) {
		if (*m == 0 && s[k] == '0')
			continue;	/* a leading zero */
		if (++*sig > MAX_DIGITS)
			return 0;
		*m = *m * 10 + (uint64_t)(s[k] - '0');
	}
	*taken = k - *i;
	*i = k;
	return 1;
}

/*
 * The exponent after the 'e' at s[*i] into *e, *i past it; 0 if it has
 * no digits ("1e", "1e+": strtod stops before the 'e') or too many.
 */
static int exponent(const char *s, size_t n, size_t *i, long *e)
{
	size_t k = *i + 1, k0;
	int neg = 0;

	if (k < n && (s[k] == '-' || s[k] == '+'))
		neg = s[k++] == '-';
	for (k0 = k; k < n && is_digit(s[k]); k++) {
		if (k - k0 == MAX_EXP_DIGITS)
			return 0;
		*e = *e * 10 + (s[k] - '0');
	}
	if (k == k0)
		return 0;
	if (neg)
		*e = -*e;
	*i = k;
	return 1;
}

int rbm_decimal_double(const char *s, size_t n, double *d)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	size_t i = 0, whole, frac = 0;
	uint64_t m = 0;
	int sig = 0, neg = 0;
	long e = 0;
	double x;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (!digits(s, n, &i, &m, &sig, &whole))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (!digits(s, n, &i, &m, &sig, &frac))
			return 0;
	}
	if (whole + frac == 0)
		return 0;	/* "", ".", "-", "e5", ... */
	if (i < n && (s[i] == 'e' || s[i] == 'E') &&
	    !exponent(s, n, &i, &e))
		return 0;
	if (i != n || m > MAX_EXACT)
		return 0;
	e -= (long)frac;
	if (m == 0)
		x = 0;
	else if (e >= 0 && e <= MAX_POW)
		x = (double)m * pow10[e];
	else if (e < 0 && e >= -MAX_POW)
		x = (double)m / pow10[-e];
	else
		return 0;
	*d = neg ? -x : x;
	return 1;
#else
	(void)s;
	(void)n;
	(void)d;
	return 0;
#endif
}

int rbm_decimal_float(const char *s, size_t n, float *f)
{
	double d;
	uint64_t bits;

	if (!rbm_decimal_double(s, n, &d))
		return 0;
	memcpy(&bits, &d, sizeof(bits));
	if ((bits & 0x1fffffffu) == 0x10000000u)
		return 0;	/* halfway between two floats */
	*f = (float)d;
	return 1;
}
