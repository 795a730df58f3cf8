#!/usr/bin/python3
"""pickle-gen.py - write the test pickles of tests/data/pickle.

    /usr/bin/python3 tests/pickle-gen.py [OUTDIR]

The original rbmcmd saved its rbm.RBM object with pickle.dump.  This script
writes such files opcode by opcode, from the pickle format's description
(pickletools), the way each Python would: Python 2's old-style instance in
protocol 0 (INST, repr-escaped STRINGs, I01 booleans) and in protocol 2
(OBJ, BINSTRING), and Python 3's new-style one in protocols 0 and 2
(copy_reg._reconstructor, _codecs.encode for bytes), 3 and 4 (NEWOBJ,
BINBYTES, STACK_GLOBAL, MEMOIZE, FRAME) and 5 (Python 3.14's default:
numpy's _frombuffer with the data in a BYTEARRAY8).  Python 2 is not needed: every
file is checked here by loading it with Python 3's own pickle module (a
stub module rbm with a class RBM stands for the original's) and comparing
the result with the model it was written from; the Python 3 forms are
also compared byte for byte with what pickle.dumps writes.

Beside each model.pkl go model.export (the plain parameter file rbmcmd
export must print: the float64 values rounded to single precision,
%.9g) and, for the movie-sized model, movies.probs: p(h|v) of the rows of
data/movies.txt computed here by hand in float64, sigmoid([1 v] . weights)
without the bias column, as the original's run_visible did.  The files are
committed: make check needs no Python.
"""
import io
import os
import pickle
import struct
import sys
import tempfile

import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "data", "pickle")
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A stub of the original's module, so that Python 3 can load the files.
STUB = tempfile.mkdtemp()
with open(os.path.join(STUB, "rbm.py"), "w") as f:
    f.write("class RBM:\n    pass\n")
sys.path.insert(0, STUB)
import rbm  # noqa: E402


class Writer:
    """One pickle, opcode by opcode, as Python 2 or 3 would write it."""

    def __init__(self, proto, py2):
        self.proto, self.py2 = proto, py2
        self.b = bytearray()
        self.nmemo = 0
        self.shared = {}    # objects Python writes once, then GETs

    def put(self):
        n = self.nmemo
        self.nmemo += 1
        if self.proto >= 4:
            self.b += b"\x94"                       # MEMOIZE
        elif self.proto == 0:
            self.b += b"p%d\n" % n                  # PUT
        elif n < 256:
            self.b += b"q" + bytes([n])             # BINPUT
        else:
            self.b += b"r" + struct.pack("<I", n)   # LONG_BINPUT
        return n

    def get(self, n):
        if self.proto == 0:
            self.b += b"g%d\n" % n                  # GET
        elif n < 256:
            self.b += b"h" + bytes([n])             # BINGET
        else:
            self.b += b"j" + struct.pack("<I", n)   # LONG_BINGET

    def once(self, key, emit):
        """emit() the first time, a GET of its memo slot after that."""
        if key in self.shared:
            self.get(self.shared[key])
        else:
            emit()
            self.shared[key] = self.nmemo - 1

    def int_(self, x):
        if self.proto == 0:
            self.b += b"I%d\n" % x                  # INT
        elif 0 <= x <= 0xff:
            self.b += b"K" + bytes([x])             # BININT1
        elif 0 <= x <= 0xffff:
            self.b += b"M" + struct.pack("<H", x)   # BININT2
        else:
            self.b += b"J" + struct.pack("<i", x)   # BININT

    def long_(self, x):                             # Python 2's long
        self.b += b"L%dL\n" % x

    def bool_(self, x):
        if self.proto < 2:
            self.b += b"I01\n" if x else b"I00\n"   # INT as bool
        else:
            self.b += b"\x88" if x else b"\x89"     # NEWTRUE/NEWFALSE

    def float_(self, x):
        if self.proto == 0:
            self.b += b"F" + repr(x).encode() + b"\n"   # FLOAT
        else:
            self.b += b"G" + struct.pack(">d", x)   # BINFLOAT

    def none(self):
        self.b += b"N"

    def str2(self, s):
        """A Python 2 str (bytes): STRING with repr() escapes, or BIN."""
        if self.proto == 0:
            self.b += b"S" + py2_repr(s) + b"\n"
        elif len(s) < 256:
            self.b += b"U" + bytes([len(s)]) + s    # SHORT_BINSTRING
        else:
            self.b += b"T" + struct.pack("<i", len(s)) + s  # BINSTRING
        self.put()

    def text(self, s):
        """A Python 3 str: UNICODE, BINUNICODE or SHORT_BINUNICODE."""
        if self.proto == 0:
            for a, b in (("\\", "\\u005c"), ("\0", "\\u0000"),
                         ("\n", "\\u000a"), ("\r", "\\u000d"),
                         ("\x1a", "\\u001a")):
                s = s.replace(a, b)
            self.b += b"V" + s.encode("raw_unicode_escape") + b"\n"
        else:
            e = s.encode("utf-8", "surrogatepass")
            if self.proto >= 4 and len(e) < 256:
                self.b += b"\x8c" + bytes([len(e)]) + e
            else:
                self.b += b"X" + struct.pack("<I", len(e)) + e
        self.put()

    def name(self, s):
        """A str of either Python: the attribute names and the like."""
        if self.py2:
            self.str2(s.encode())
        else:
            self.text(s)

    def bytes_(self, data):
        """Python 3 bytes: BINBYTES, or _codecs.encode(str, 'latin1')."""
        if self.proto >= 3:
            if len(data) < 256:
                self.b += b"C" + bytes([len(data)]) + data
            else:
                self.b += b"B" + struct.pack("<I", len(data)) + data
            self.put()
            return
        self.global_("_codecs", "encode")
        self.tuple_([lambda: self.text(data.decode("latin1")),
                     lambda: self.once("latin1",
                                       lambda: self.text("latin1"))])
        self.b += b"R"                              # REDUCE
        self.put()

    def raw(self, data):
        """An array's bytes: a str in Python 2, bytes in Python 3."""
        if self.py2:
            self.str2(data)
        else:
            self.bytes_(data)

    def global_(self, module, name):
        def emit():
            if self.proto >= 4:     # interned strs: written once
                self.once(("str", module), lambda: self.text(module))
                self.once(("str", name), lambda: self.text(name))
                self.b += b"\x93"                   # STACK_GLOBAL
            else:
                self.b += b"c%s\n%s\n" % (module.encode(), name.encode())
            self.put()
        self.once((module, name), emit)

    def tuple_(self, items):
        if not items:
            self.b += b")" if self.proto >= 1 else b"(t"
            return
        if self.proto >= 2 and len(items) <= 3:
            for it in items:
                it()
            self.b += bytes([0x84 + len(items)])    # TUPLE1..3
        else:
            self.b += b"("                          # MARK
            for it in items:
                it()
            self.b += b"t"                          # TUPLE
        self.put()

    def dict_(self, items):
        if self.proto == 0:
            self.b += b"(d"                         # MARK DICT
            self.put()
            for k, v in items:
                self.name(k)
                v()
                self.b += b"s"                      # SETITEM
            return
        self.b += b"}"                              # EMPTY_DICT
        self.put()
        self.b += b"("                              # MARK
        for k, v in items:
            self.name(k)
            v()
        self.b += b"u"                              # SETITEMS

    def finish(self):
        self.b += b"."                              # STOP
        body = bytes(self.b)
        if self.proto >= 4 and len(body) >= 4:      # one FRAME
            body = b"\x95" + struct.pack("<Q", len(body)) + body
        return (b"\x80" + bytes([self.proto]) if self.proto >= 2
                else b"") + body


def py2_repr(s):
    """Python 2's repr() of a str, as protocol 0 writes STRING."""
    q = b'"' if b"'" in s and b'"' not in s else b"'"
    out = bytearray(q)
    for c in s:
        ch = bytes([c])
        if ch == b"\\" or ch == q:
            out += b"\\" + ch
        elif ch == b"\t":
            out += b"\\t"
        elif ch == b"\n":
            out += b"\\n"
        elif ch == b"\r":
            out += b"\\r"
        elif c < 0x20 or c >= 0x7f:
            out += b"\\x%02x" % c
        else:
            out += ch
    return bytes(out + q)


def write_dtype(w, order):
    """numpy.dtype('f8', False, True) then BUILD (3, order, ...)."""
    w.global_("numpy", "dtype")
    if w.py2:
        w.tuple_([lambda: w.str2(b"f8"), lambda: w.int_(0),
                  lambda: w.int_(1)])
    else:
        w.tuple_([lambda: w.text("f8"), lambda: w.bool_(False),
                  lambda: w.bool_(True)])
    w.b += b"R"
    w.put()
    w.tuple_([lambda: w.int_(3), lambda: w.name(order), w.none, w.none,
              w.none, lambda: w.int_(-1), lambda: w.int_(-1),
              lambda: w.int_(0)])
    w.b += b"b"                                     # BUILD


def write_frombuffer(w, a, order, fortran):
    """Protocol 5: numpy.core.numeric._frombuffer(data, dtype, shape, o)."""
    data = a.tobytes(order="F" if fortran else "C")
    w.global_("numpy.core.numeric", "_frombuffer")

    def buf():
        w.b += b"\x96" + struct.pack("<Q", len(data)) + data  # BYTEARRAY8
        w.put()
    w.tuple_([buf, lambda: write_dtype(w, order),
              lambda: w.tuple_([lambda: w.int_(a.shape[0]),
                                lambda: w.int_(a.shape[1])]),
              lambda: w.text("F" if fortran else "C")])
    w.b += b"R"
    w.put()


def write_array(w, a, shape_long=False):
    """ndarray through numpy.core.multiarray._reconstruct and BUILD."""
    order = ">" if a.dtype.byteorder == ">" else "<"
    fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous)
    dim = w.long_ if shape_long else w.int_
    if w.proto >= 5:
        return write_frombuffer(w, a, order, fortran)
    w.global_("numpy.core.multiarray", "_reconstruct")
    w.tuple_([lambda: w.global_("numpy", "ndarray"),
              lambda: w.tuple_([lambda: dim(0)]),
              lambda: w.raw(b"b")])
    w.b += b"R"
    w.put()
    w.tuple_([lambda: w.int_(1),
              lambda: w.tuple_([lambda: dim(a.shape[0]),
                                lambda: dim(a.shape[1])]),
              lambda: write_dtype(w, order),
              lambda: w.bool_(fortran),
              lambda: w.raw(a.tobytes(order="F" if fortran else "C"))])
    w.b += b"b"


ATTRS = ("num_visible", "num_hidden", "learning_rate", "debug_print",
         "weights")


def write_model(proto, py2, nv, nh, lr, weights, shape_long=False):
    w = Writer(proto, py2)
    values = {"num_visible": lambda: w.int_(nv),
              "num_hidden": lambda: w.int_(nh),
              "learning_rate": lambda: w.float_(lr),
              "debug_print": lambda: w.bool_(True),
              "weights": lambda: write_array(w, weights, shape_long)}
    items = [(k, values[k]) for k in ATTRS]
    if py2:                     # old-style instance: INST or OBJ
        w.b += b"("
        if proto == 0:
            w.b += b"irbm\nRBM\n"
        else:
            w.global_("rbm", "RBM")
            w.b += b"o"
        w.put()
    elif proto < 2:             # copy_reg._reconstructor(RBM, object, None)
        w.global_("copy_reg", "_reconstructor")
        w.tuple_([lambda: w.global_("rbm", "RBM"),
                  lambda: w.global_("__builtin__", "object"), w.none])
        w.b += b"R"
        w.put()
    else:                       # NEWOBJ
        w.global_("rbm", "RBM")
        w.tuple_([])
        w.b += b"\x81"
        w.put()
    w.dict_(items)
    w.b += b"b"
    return w.finish()


def model_object(nv, nh, lr, weights):
    r = rbm.RBM()
    r.num_visible, r.num_hidden, r.learning_rate = nv, nh, lr
    r.debug_print, r.weights = True, weights
    return r


def check(data, nv, nh, lr, weights, py2):
    """Python's own pickle must load the file as the model it came from."""
    r = pickle.loads(data, encoding="latin1" if py2 else "ASCII")
    assert type(r) is rbm.RBM
    assert (r.num_visible, r.num_hidden, r.learning_rate) == (nv, nh, lr)
    assert r.weights.dtype.kind == "f" and r.weights.dtype.itemsize == 8
    assert r.weights.shape == (nv + 1, nh + 1)
    assert np.array_equal(r.weights, weights)
    assert r.weights.flags.f_contiguous == weights.flags.f_contiguous


def export_text(weights):
    """What rbmcmd export prints for the model: float32, %.9g."""
    f = np.asarray(weights, dtype=np.float64).astype(np.float32)
    nv, nh = f.shape[0] - 1, f.shape[1] - 1
    fmt = lambda xs: " ".join("%.9g" % float(x) for x in xs)  # noqa: E731
    lines = ["%d %d" % (nv, nh), fmt(f[1:, 0]), fmt(f[0, 1:])]
    lines += [fmt(f[i, 1:]) for i in range(1, nv + 1)]
    return "\n".join(lines) + "\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(20261204)
    movies = rng.uniform(-0.5, 0.5, size=(7, 3))
    movies[0][0] = 0.0
    big = rng.uniform(-2, 2, size=(13, 5))
    # Bytes that need escapes in a Python 2 STRING: quote, backslash, LF.
    big[1][1] = struct.unpack("<d", b"'\\\n\"\r\t\xf0\x3f")[0]
    big[2][3] = struct.unpack("<d", b"\x00\xff\x1a\\'\x7f\xe0\xbf")[0]
    files = [
        # name, protocol, python 2, model, shape as longs, fortran, big
        ("py2-proto0", 0, True, movies, False, False, False),
        ("py2-proto2", 2, True, big, True, False, False),
        ("py2-proto0-big", 0, True, big, True, False, False),
        ("py3-proto0", 0, False, movies, False, False, False),
        ("py3-proto2", 2, False, movies, False, False, False),
        ("py3-proto3", 3, False, movies, False, False, False),
        ("py3-proto4", 4, False, movies, False, False, False),
        ("py3-proto4-fortran-be", 4, False, big, False, True, True),
        ("py3-proto5", 5, False, movies, False, False, False),
        ("py3-proto5-fortran-be", 5, False, big, False, True, True),
    ]
    for name, proto, py2, w, longs, fortran, bigend in files:
        a = w.astype(">f8") if bigend else w.copy()
        if fortran:
            a = np.asfortranarray(a)
        nv, nh, lr = a.shape[0] - 1, a.shape[1] - 1, 0.1
        data = write_model(proto, py2, nv, nh, lr, a, longs)
        check(data, nv, nh, lr, a, py2)
        if not py2:     # the same bytes as Python 3's pickle itself
            same = pickle.dumps(model_object(nv, nh, lr, a), protocol=proto)
            assert same == data, (name, same, data)
        with open(os.path.join(OUT, name + ".pkl"), "wb") as f:
            f.write(data)
        with open(os.path.join(OUT, name + ".export"), "w") as f:
            f.write(export_text(a))
    # Models rbmcmd must refuse, though Python loads them.
    for name, i, j, x in (("bad-nan", 1, 2, float("nan")),
                          ("bad-huge", 3, 1, 1e300),
                          ("corner-nan", 0, 0, float("nan"))):
        a = movies.copy()
        a[i][j] = x
        data = write_model(4, False, 6, 2, 0.1, a)
        r = pickle.loads(data)
        assert np.array_equal(r.weights, a, equal_nan=True)
        with open(os.path.join(OUT, name + ".pkl"), "wb") as f:
            f.write(data)
    # p(h|v) of the movie rows by hand, as the original's run_visible.
    rows = np.loadtxt(os.path.join(TOP, "data", "movies.txt"), ndmin=2)
    act = np.dot(np.insert(rows, 0, 1, axis=1), movies)
    probs = 1 / (1 + np.exp(-act))
    with open(os.path.join(OUT, "movies.probs"), "w") as f:
        for row in probs[:, 1:]:
            f.write(" ".join("%.9f" % p for p in row) + "\n")
    print("wrote %d pickles to %s" % (len(files), OUT))


main()
