/*
 * decimal.h - reading the common decimal numbers fast, exactly as strtod
 * and strtof read them, and writing floats fast, exactly as printf's
 * "%.9g" writes them.
 *
 * Row files and state files are mostly short decimals ("0.25",
 * "-0.00113445183"), and glibc's strtod and strtof cost 60-100 ns each
 * (loading a 784 x 500 model spent a third of its time in strtof).  A
 * decimal with at most 19 significant digits is m * 10^e for an integer
 * m; when m < 2^53 and |e| <= 22, m and 10^|e| are exact doubles and one
 * multiplication or division rounds once, correctly, so the result is
 * strtod's bit for bit (Clinger's fast path).  Anything else (more digits,
 * larger exponents, hex, inf, nan, malformed tokens) is left to the
 * libc, and so are its error messages' cases.
 */
#ifndef RBM_DECIMAL_H
#define RBM_DECIMAL_H

#include <stddef.h>

/*
 * If the n bytes at s are a whole plain decimal ([+-]digits[.digits] or
 * [+-].digits, then optionally [eE][+-]digits) within the fast path, its
 * value as strtod would give it into *d, and 1; else 0, *d untouched.
 */
int rbm_decimal_double(const char *s, size_t n, double *d);

/*
 * The same for float: the value strtof would give (correctly rounded from
 * the decimal, not through a double), and 1; else 0.  The few decimals
 * whose double lands exactly halfway between two floats are left to
 * strtof.
 */
int rbm_decimal_float(const char *s, size_t n, float *f);

/*
 * Writing.  A state file holds every float as printf's "%.9g" (nine
 * significant digits always read back as the same float), and glibc's
 * printf costs about 200 ns a number: saving a 784 x 500 model spent over
 * half its time there.  The nine digits are |x| 10^(8-k) rounded to an
 * integer, k its decimal exponent; in double that product is within
 * 2.3e-7 of the exact one (the power of ten and the product each round
 * once, relative error 2^-53 each, on a number below 1e9), so unless its
 * fraction lies within 1e-6 of one half, rounding it gives the digits the
 * exact value rounds to.  The rare near-ties, zeros, infinities, NaNs and
 * non-IEEE arithmetic are left to snprintf.
 */
#define RBM_DECIMAL_G9_MAX 16	/* "-1.17549435e-38" and its NUL */

/*
 * x as snprintf(buf, RBM_DECIMAL_G9_MAX, "%.9g", (double)x) writes it,
 * byte for byte, into buf (RBM_DECIMAL_G9_MAX bytes; no NUL is written
 * unless snprintf does the work); returns the length.
 */
size_t rbm_decimal_g9(float x, char *buf);

#endif
