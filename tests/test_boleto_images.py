"""The boleto barcode and the Pix QR code as PNG: decoded back, and read by a real barcode reader."""

import itertools
import shutil
import struct
import subprocess
import zlib

import pytest

from cobranca_core.boleto import images

# The README's Itaú boleto (linha digitável 34191.09008 00000.160051 71234.570001 5 16560000015000).
BARCODE = "34195165600000150001090000000160057123457000"
I25_BY_PATTERN = {pattern: digit for digit, pattern in images._I25.items()}


def read_png(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, color, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color) == (8, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[i * (width + 1) : (i + 1) * (width + 1)] for i in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter "none"
    return width, height, [row[1:] for row in rows]


def decode_i25(row, module):
    widths, run = [], 1
    for previous, current in itertools.pairwise(row):
        if current == previous:
            run += 1
        else:
            widths.append(run // module)
            run = 1
    widths.append(run // module)
    assert widths[:4] == [1, 1, 1, 1] and widths[-3:] == [3, 1, 1]
    body, digits = widths[4:-3], []
    for start in range(0, len(body), 10):
        group = body[start : start + 10]
        digits.append(I25_BY_PATTERN[tuple(int(w == 3) for w in group[0::2])])
        digits.append(I25_BY_PATTERN[tuple(int(w == 3) for w in group[1::2])])
    return "".join(digits)


def test_barcode_png_decodes_back_to_the_44_digits():
    width, height, rows = read_png(images.barcode_png(BARCODE, module=2, height=5))
    assert height == 5 and len(set(rows)) == 1
    assert width == 405 * 2  # 44 digits of 9 modules, start 4, stop 5
    assert decode_i25(rows[0], 2) == BARCODE


def test_i25_needs_an_even_number_of_digits():
    with pytest.raises(ValueError):
        images.i25_widths("123")
    with pytest.raises(ValueError):
        images.i25_widths("12a4")


def test_matrix_png_draws_each_module_as_a_square():
    matrix = [[True, False], [False, True]]
    width, height, rows = read_png(images.matrix_png(matrix, module=3, border=1))
    assert (width, height) == (12, 12)
    assert rows[0] == b"\xff" * 12
    assert rows[3] == b"\xff" * 3 + b"\x00" * 3 + b"\xff" * 6
    assert rows[6] == b"\xff" * 6 + b"\x00" * 3 + b"\xff" * 3


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_a_barcode_reader_reads_the_png(tmp_path):
    path = tmp_path / "barcode.png"
    path.write_bytes(images.barcode_png(BARCODE, module=3, height=60))
    # zbar wants a quiet zone around the symbol: pad the image with white.
    width, height, rows = read_png(path.read_bytes())
    pad = 40
    padded = [b"\xff" * (width + 2 * pad)] * pad
    padded += [b"\xff" * pad + row + b"\xff" * pad for row in rows]
    padded += [b"\xff" * (width + 2 * pad)] * pad
    path.write_bytes(images.png(width + 2 * pad, height + 2 * pad, padded))
    found = subprocess.run(["zbarimg", "--quiet", str(path)], capture_output=True, text=True, check=False)
    assert found.stdout.strip() == f"I2/5:{BARCODE}"
