/*
 * decimal.h - reading the common decimal numbers fast, exactly as strtod
 * and strtof read them.
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

#endif
