#!/usr/bin/env python3
"""Writes the hand-made regression inputs of tests/fuzz/crashes/ (docs/reliability.md, S3).

Each is a small file that broke a .npy/.npz loader somewhere (xtensor 0.24.3's xt::load_npy,
cnpy, libnpy). The replay test (test_fuzz_corpus.cpp) feeds
every file in crashes/ through the same entry function as the fuzzer. The name prefix says
what the answer must be:
  reject-*  xgrad::IoError
  valid-*   loads
  anything else (inputs found by the fuzzer, crash-<sha1> etc.): loads or IoError.
Run from anywhere: python3 tests/fuzz/make_crashes.py (standard library only).
"""
import io
import os
import struct
import warnings
import zipfile

# zipfile warns about the duplicate names we write on purpose.
warnings.filterwarnings("ignore", "Duplicate name")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crashes")
MAGIC = b"\x93NUMPY"


def npy(header, data=b"", version=(1, 0), pad=True):
    """A .npy file with the given header text (a dict literal), padded as numpy does."""
    h = header.encode("latin1")
    if pad:
        pre = 6 + 2 + (2 if version[0] == 1 else 4)
        total = pre + len(h) + 1
        h += b" " * ((64 - total % 64) % 64) + b"\n"
    fmt = "<H" if version[0] == 1 else "<I"
    return MAGIC + bytes(version) + struct.pack(fmt, len(h)) + h + data


def hdr(descr="'<f8'", fortran="False", shape="(3,)"):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


F8x3 = struct.pack("<3d", 1.0, -2.5, 4.0)
VALID = npy(hdr(), F8x3)


def zip_of(entries, extra=b""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, payload in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.extra = extra
            z.writestr(info, payload)
    return buf.getvalue()


files = {
    # --- .npy: the header ---
    "reject-empty.npy": b"",
    "reject-magic-only.npy": MAGIC,
    "reject-bad-magic.npy": b"\x93NUMPZ" + VALID[6:],
    "reject-version-9.npy": MAGIC + b"\x09\x00" + VALID[8:],
    # 12 bytes: made xt::load_npy allocate 4.29 GB (8.4 GB RSS, 24.6 s) before failing.
    "reject-v2-header-len-fffffff0.npy": MAGIC + b"\x02\x00" + struct.pack("<I", 0xFFFFFFF0),
    "reject-v1-header-len-past-end.npy": MAGIC + b"\x01\x00" + struct.pack("<H", 0xFFFF)
    + b"{'descr': '<f8', ",
    "reject-header-cut-short.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,",
                                       pad=False),
    "reject-header-over-10000-bytes.npy": npy(hdr() + " " * 20000, F8x3),
    "reject-header-not-a-dict.npy": npy("[1, 2, 3]", F8x3),
    "reject-missing-key.npy": npy("{'descr': '<f8', 'shape': (3,), }", F8x3),
    "reject-extra-key.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), "
                                "'x': 1, }", F8x3),
    "reject-fortran-order-not-bool.npy": npy(hdr(fortran="Maybe"), F8x3),
    # --- .npy: dtypes ---
    # '<f7': a heap-buffer-overflow in xt::load_npy with its type check off.
    "reject-dtype-f7.npy": npy(hdr(descr="'<f7'"), b"\x00" * 21),
    "reject-dtype-object.npy": npy(hdr(descr="'|O'"), b"\x00" * 24),
    "reject-dtype-big-endian.npy": npy(hdr(descr="'>f8'"), F8x3),
    "reject-dtype-structured.npy": npy(hdr(descr="[('a', '<f8')]"), F8x3),
    "reject-dtype-unquoted.npy": npy(hdr(descr="<f8"), F8x3),
    # --- .npy: shapes ---
    "reject-shape-abc.npy": npy(hdr(shape="(abc,)"), F8x3),
    "reject-shape-negative.npy": npy(hdr(shape="(-1, 3)"), F8x3),
    # size()==0 in xt::load_npy, but this shape: every access out of bounds.
    "reject-shape-product-overflow.npy": npy(hdr(shape="(4611686018427387904, 4)")),
    # 2**61 doubles: 2**64 bytes, 0 after wrapping around 64 bits, and 0 bytes follow.
    "reject-shape-bytes-wrap-to-zero.npy": npy(hdr(shape="(2305843009213693952,)")),
    "reject-shape-dims-wrap-to-zero.npy": npy(hdr(descr="'|u1'",
                                                   shape="(65536, 65536, 65536, 65536)")),
    "reject-shape-int-beyond-64-bits.npy": npy(hdr(shape="(99999999999999999999999,)"), F8x3),
    "reject-shape-nested-tuple.npy": npy(hdr(shape="((3,),)"), F8x3),
    "reject-shape-unclosed.npy": npy(hdr(shape="(3,"), F8x3),
    # --- .npy: data ---
    # 1 of 3 doubles: xt::load_npy returned shape (3,) without an error.
    "reject-data-truncated.npy": VALID[:-16],
    "reject-trailing-garbage.npy": VALID + b"garbage",
    # --- .npz ---
    "reject-npz-not-zip.npz": b"PK\x03\x04" + b"\xff" * 60,
    "reject-npz-truncated.npz": zip_of([("w.npy", VALID)])[:90],
    "reject-npz-duplicate-names.npz": zip_of([("w.npy", VALID), ("w.npy", VALID)]),
    "reject-npz-entry-v2-header-len-fffffff0.npz":
        zip_of([("w.npy", MAGIC + b"\x02\x00" + struct.pack("<I", 0xFFFFFFF0))]),
    "reject-npz-entry-bytes-wrap-to-zero.npz":
        zip_of([("w.npy", npy(hdr(shape="(2305843009213693952,)")))]),
    "reject-npz-entry-truncated.npz": zip_of([("a.npy", VALID), ("b.npy", VALID[:-8])]),
    # --- valid inputs that broke loaders ---
    # header_len 246 (0xF6): "invalid header" plus a UBSan report in xt::load_npy.
    "valid-header-len-246.npy": npy(hdr() + " " * 140, F8x3),
    "valid-fortran-order.npy": npy(hdr(fortran="True", shape="(3, 1)"), F8x3),
    "valid-version-2.npy": npy(hdr(), F8x3, version=(2, 0)),
    "valid-zero-size.npy": npy(hdr(shape="(0, 3)")),
    "valid-scalar.npy": npy(hdr(shape="()"), F8x3[:8]),
    # extra_field_len > 0 in the local headers (xtensor-io PR #181).
    "valid-npz-extra-field.npz": zip_of([("w.npy", VALID)], extra=b"\xfe\xca\x04\x00abcd"),
    "valid-npz-empty.npz": zip_of([]),
}

# CRC mismatch: one data byte of a stored entry changed after the CRC was written.
crc = bytearray(zip_of([("w.npy", VALID)]))
at = bytes(crc).find(VALID) + len(VALID) - 1
crc[at] ^= 0x01
files["reject-npz-crc-mismatch.npz"] = bytes(crc)

# Found by the fuzzer (fixed in parse_npy): a zero-size array whose other dimensions multiply
# past 2**63. The element count is 0 and no data follows, but xtensor's compute_strides
# overflowed a signed long building the xarray (UBSan: xstrides.hpp:464, after ~1.07 million
# executions). The fuzzer's own input is kept as crash-91abbff6... next to these.
files["reject-shape-zero-size-strides-overflow.npy"] = npy(hdr(shape="(0, 4294967296, 4294967296)"))
files["reject-shape-zero-size-strides-overflow-fortran.npy"] = npy(
    hdr(fortran="True", shape="(4294967296, 4294967296, 0)"))

os.makedirs(OUT, exist_ok=True)
for name, data in sorted(files.items()):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print("wrote %d files to %s" % (len(files), OUT))
