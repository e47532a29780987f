"""The boleto's barcode (FEBRABAN interleaved 2 of 5) and any module matrix (a QR code) as PNG.

Drawn here rather than by a general drawing library because a dunning run prints thousands of
boletos: these PNGs take tens of microseconds, not tens of milliseconds. Both are grayscale images
of whole modules (one module is ``module`` pixels); the report scales them to their printed size.
"""

import struct
import zlib
from collections.abc import Sequence

# Interleaved 2 of 5: each digit is five elements, two of them wide (1 = wide).
_I25 = {
    "0": (0, 0, 1, 1, 0),
    "1": (1, 0, 0, 0, 1),
    "2": (0, 1, 0, 0, 1),
    "3": (1, 1, 0, 0, 0),
    "4": (0, 0, 1, 0, 1),
    "5": (1, 0, 1, 0, 0),
    "6": (0, 1, 1, 0, 0),
    "7": (0, 0, 0, 1, 1),
    "8": (1, 0, 0, 1, 0),
    "9": (0, 1, 0, 1, 0),
}
WIDE = 3  # FEBRABAN: a wide element is three narrow ones


def i25_widths(digits: str, wide: int = WIDE) -> list[int]:
    """Element widths in modules, bar first, alternating bar and space: start, digit pairs, stop.

    Each pair puts its first digit in the bars and its second in the spaces between them.
    """
    if len(digits) % 2 or not digits.isdigit():
        raise ValueError(f"interleaved 2 of 5 needs an even number of digits, not {digits!r}")
    widths = [1, 1, 1, 1]  # start: narrow bar, space, bar, space
    for first, second in zip(digits[::2], digits[1::2], strict=True):
        for bar, space in zip(_I25[first], _I25[second], strict=True):
            widths += [wide if bar else 1, wide if space else 1]
    return [*widths, wide, 1, 1]  # stop: wide bar, narrow space, narrow bar


def png(width: int, height: int, rows: Sequence[bytes]) -> bytes:
    """An 8-bit grayscale PNG from ``height`` rows of ``width`` bytes (0 black, 255 white)."""
    raw = b"".join(b"\x00" + row for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def barcode_png(digits: str, module: int = 4, height: int = 8) -> bytes:
    """The boleto barcode of ``digits`` (its 44 digits), each narrow element ``module`` pixels wide."""
    row = bytearray()
    for position, width in enumerate(i25_widths(digits)):
        row += (b"\x00" if position % 2 == 0 else b"\xff") * (width * module)
    return png(len(row), height, [bytes(row)] * height)


def matrix_png(matrix: Sequence[Sequence[bool]], module: int = 4, border: int = 0) -> bytes:
    """A square module matrix (True is dark), e.g. a QR code, with ``border`` light modules around it."""
    size = len(matrix) + 2 * border
    light_row = b"\xff" * (size * module)
    rows = [light_row] * (border * module)
    for line in matrix:
        row = b"\xff" * (border * module)
        row += b"".join((b"\x00" if dark else b"\xff") * module for dark in line)
        row += b"\xff" * (border * module)
        rows += [row] * module
    rows += [light_row] * (border * module)
    return png(size * module, size * module, rows)
