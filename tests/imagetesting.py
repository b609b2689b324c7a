"""Awkward files for the image readers' tests: a huge-in-pixels PNG, a FIFO, a name that is not UTF-8."""

import contextlib
import os
import struct
import threading
import zlib


def huge_png_bytes(width=20000, height=20000, rows_per_block=500):
    """A valid 8-bit grayscale PNG of width x height black pixels, small on disk (20000^2: 390 KB).

    Made in a fraction of a second without holding the pixels: one block of rows is deflated
    once after a full flush (so it has no history and can be repeated), and only the checksum
    runs over all the rows. Decoded, 20000 x 20000 would take 400 MB, and 1.2 GB as BGR.
    """
    if height % rows_per_block:
        raise ValueError(f"height must be a multiple of {rows_per_block}. Received: height={height}")
    block = bytes(1 + width) * rows_per_block  # each row: filter type 0, then the pixels
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeats = height // rows_per_block
    checksum = 1
    for _ in range(repeats):
        checksum = zlib.adler32(block, checksum)
    stream = b"\x78\xda" + body * repeats + b"\x03\x00" + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def non_utf8_name(folder, stem=b"bad\xff\xfe", suffix=b".jpg"):
    """The path (str, surrogate-escaped as os.listdir gives it) of a file name that is not valid UTF-8."""
    return os.fsdecode(os.path.join(os.fsencode(folder), stem + suffix))


@contextlib.contextmanager
def fifo_unblocked_after(path, seconds=10.0):
    """Makes a FIFO at `path`; a reader that blocks on it is set free after `seconds`.

    A test of code that must never open the FIFO then fails instead of hanging: the timer
    opens the writing end (non-blocking, so it never waits itself) and closes it, which gives
    a blocked reader an end of file.
    """
    os.mkfifo(path)
    stop = threading.Event()

    def unblock():
        if stop.wait(seconds):
            return
        with contextlib.suppress(OSError):  # ENXIO: no reader is waiting
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        stop.set()
        thread.join()
