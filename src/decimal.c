/*
 * decimal.c - the fast path of strtod and strtof, and of printf's "%.9g"
 * of a float (see decimal.h).
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
#include <math.h>
#include <stdint.h>
#include <stdio.h>
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

/* ---- writing ---- */

/*
 * Powers of ten as the compiler rounds the literals (correctly), for
 * G9_POW_MIN <= n <= G9_POW_MAX: a float's decimal exponent k lies in
 * [-45, 38], and the scale needed is 10^(8 - k), in [-30, 53].
 */
#define G9_POW_MIN (-40)
#define G9_POW_MAX 60
static const double g9_pow10[G9_POW_MAX - G9_POW_MIN + 1] = {
	1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35,
	1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29,
	1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23,
	1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17,
	1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11,
	1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5,
	1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1,
	1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22, 1e23, 1e24, 1e25,
	1e26, 1e27, 1e28, 1e29, 1e30, 1e31,
	1e32, 1e33, 1e34, 1e35, 1e36, 1e37,
	1e38, 1e39, 1e40, 1e41, 1e42, 1e43,
	1e44, 1e45, 1e46, 1e47, 1e48, 1e49,
	1e50, 1e51, 1e52, 1e53, 1e54, 1e55,
	1e56, 1e57, 1e58, 1e59, 1e60
};
#define G9_DIGITS 9
#define G9_NEAR_HALF 1e-6	/* tie margin, see rbm_decimal_g9 */

static double g9_scale(int n)
{
	return g9_pow10[n - G9_POW_MIN];
}

/* "%.9g"'s text of |x| > 0 from its nine digits dig (a number in
 * [1e8, 1e9)) and decimal exponent k; returns the length. */
static size_t g9_text(uint32_t dig, int k, char *buf)
{
	char d[G9_DIGITS];
	size_t len = 0;
	int last, i;

	for (i = G9_DIGITS - 1; i >= 0; i--) {
		d[i] = (char)('0' + dig % 10);
		dig /= 10;
	}
	for (last = G9_DIGITS - 1; last > 0 && d[last] == '0'; last--)
		;
	if (k < -4 || k >= G9_DIGITS) {	/* d.ddde+kk */
		int a = k < 0 ? -k : k;
		buf[len++] = d[0];
		if (last > 0) {
			buf[len++] = '.';
			for (i = 1; i <= last; i++)
				buf[len++] = d[i];
		}
		buf[len++] = 'e';
		buf[len++] = k < 0 ? '-' : '+';
		if (a >= 100)
			buf[len++] = (char)('0' + a / 100);
		buf[len++] = (char)('0' + a / 10 % 10);
		buf[len++] = (char)('0' + a % 10);
		return len;
	}
	if (k < 0) {			/* 0.000ddd */
		buf[len++] = '0';
		buf[len++] = '.';
		for (i = k; i < -1; i++)
			buf[len++] = '0';
		for (i = 0; i <= last; i++)
			buf[len++] = d[i];
		return len;
	}
	for (i = 0; i <= k; i++)	/* ddd.ddd */
		buf[len++] = d[i];
	if (last > k) {
		buf[len++] = '.';
		for (i = k + 1; i <= last; i++)
			buf[len++] = d[i];
	}
	return len;
}

size_t rbm_decimal_g9(float x, char *buf)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	double d = fabs((double)x), s = 0, f;
	size_t len = 0;
	uint32_t dig;
	int k, e2, tries;

	if (!isfinite(d) || d == 0)
		goto libc;
	(void)frexp(d, &e2);	/* d in [2^(e2-1), 2^e2) */
	k = (int)floor((e2 - 1) * 0.30102999566398120);	/* log10(2) */
	for (tries = 0; tries < 3; tries++) {
		if (8 - k < G9_POW_MIN || 8 - k > G9_POW_MAX)
			goto libc;
		s = d * g9_scale(8 - k);
		if (s < 1e8)
			k--;
		else if (s >= 1e9)
			k++;
		else
			break;
	}
	if (tries == 3)
		goto libc;
	f = floor(s);
	if (fabs(s - f - 0.5) < G9_NEAR_HALF)
		goto libc;	/* too near a tie to round by s */
	dig = (uint32_t)f + (s - f > 0.5);
	if (dig == 1000000000u) {
		dig = 100000000u;
		k++;
	}
	if (signbit(x))
		buf[len++] = '-';
	return len + g9_text(dig, k, buf + len);
libc:
#endif
	return (size_t)snprintf(buf, RBM_DECIMAL_G9_MAX, "%.9g", (double)x);
}
