/*
 * pickle.h - the original rbmcmd's state files: Python pickles of its
 * rbm.RBM object, read without Python and without running anything.
 *
 * The original saved its model with pickle.dump(r, f): under Python 2 an
 * old-style instance in protocol 0 (INST, or OBJ in protocols 1 and 2),
 * under Python 3 a new-style one (copyreg._reconstructor in protocols 0
 * and 1, NEWOBJ from protocol 2; protocol 3 or 4 by default, 5 from
 * Python 3.14).  Its
 * attributes are num_visible, num_hidden, learning_rate, debug_print and
 * weights, a float64 numpy array of (NV+1) x (NH+1) whose row 0 holds the
 * hidden biases and column 0 the visible biases ([0][0] is unused):
 * p(h|v) = sigmoid([1 v] . weights) without column 0.  The array comes
 * as numpy.core.multiarray._reconstruct(ndarray, ...) then BUILD with
 * (version, shape, dtype, fortran, raw bytes); the dtype as
 * numpy.dtype('f8', False, True) then BUILD with its byte order.  In
 * protocol 5 numpy writes numpy.core.numeric._frombuffer(data, dtype,
 * shape, order) instead, the data in-band (BYTEARRAY8).
 *
 * The reader is a stack machine for every opcode of protocols 0 to 5
 * (pickletools' list), that builds plain values, lists, tuples and dicts,
 * and knows only these globals: a class named RBM (in any module), numpy's
 * _reconstruct, _frombuffer, ndarray and dtype, copyreg._reconstructor,
 * builtins object and bytes, and _codecs.encode (Python 3's protocol 0 to
 * 2 form of bytes).  Any other global, a call of anything but these in
 * the forms above, persistent ids, extension codes and out-of-band
 * buffers (NEXT_BUFFER, READONLY_BUFFER) are
 * refused with the byte offset of the opcode; so are sizes beyond the
 * limits below, a truncated stream, and a result that is not such a
 * model (wrong shape, another dtype, a number that is not finite or does
 * not fit single precision).
 */
#ifndef RBM_PICKLE_H
#define RBM_PICKLE_H

#include <stddef.h>

#include "err.h"
#include "rbm.h"

/* Limits, far above what a model's pickle needs, checked before use. */
#define RBM_PICKLE_MAX_STACK	65536	/* values on the stack */
#define RBM_PICKLE_MAX_MARKS	64	/* nested MARKs */
#define RBM_PICKLE_MAX_MEMO	65536	/* memo slots (largest index + 1) */
#define RBM_PICKLE_MAX_OBJECTS	(1UL << 20)	/* values made in all */
#define RBM_PICKLE_MAX_ITEMS	(1UL << 22)	/* container items in all */

/* What else the pickle said, beside the model. */
struct rbm_pickle_info {
	int protocol;		/* PROTO's number, or the highest protocol
				 * of the opcodes used when there is none */
	int old_style;		/* 1 for Python 2's old-style instance */
	double learning_rate;	/* the object's learning_rate */
};

/*
 * Whether the len bytes at buf start like a pickle of the original's
 * model: PROTO 2 to 5, or protocol 0/1's "(i", "(c" or "ccopy_reg\n".
 * Text files (our state files, parameter files) never do.
 */
int rbm_pickle_detect(const void *buf, size_t len);

/*
 * Read the original's model from the len bytes at buf, called name in
 * messages ("NAME: byte 17: unknown global 'os.system'").  A new binary
 * model with the weights converted to single precision and info filled
 * in, or NULL with a message.  Bytes after the STOP opcode are ignored,
 * as Python's pickle.load does.
 */
struct rbm *rbm_pickle_read(const void *buf, size_t len, const char *name,
			    struct rbm_pickle_info *info,
			    struct rbm_err *err);

#endif
