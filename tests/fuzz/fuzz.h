/*
 * fuzz.h - what a fuzz target and its drivers share.
 *
 * A target is one function, LLVMFuzzerTestOneInput, built twice: with
 * libFuzzer (configure --enable-fuzzers, clang), which calls it millions
 * of times with mutated inputs, and with replay.c, which calls it once for
 * each file of the corpus so that make check replays every input that ever
 * found a bug, with any compiler.  A target returns 0 and aborts on any
 * broken invariant, so the sanitizers and both drivers see a crash.
 */
#ifndef RBM_TESTS_FUZZ_H
#define RBM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A memfd holding exactly the len bytes at data, positioned at the start;
 * aborts if the kernel refuses (that is no finding of the target).
 */
int fuzz_memfd(const char *name, const void *data, size_t len);

/* Abort with a message when cond is false: a finding. */
#define FUZZ_ASSERT(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
void fuzz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

#endif
