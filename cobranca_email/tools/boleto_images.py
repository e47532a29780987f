"""The images printed on a boleto: its FEBRABAN barcode and its Pix QR code, as PNG.

Drawn once, when the boleto is issued, and stored on it (``cobranca.boleto._draw_images``): a
monthly run prints thousands of them, so both are drawn on whole pixels in C (PIL) rather than
by reportlab's renderers, about thirty times slower.
"""

import io

import qrcode
from PIL import Image
from reportlab.graphics.barcode.common import I2of5


def barcode_png(value, module=2, height=100):
    """FEBRABAN's interleaved 2 of 5 of ``value`` (the 44 digits), as a black-and-white PNG.

    Odoo's ``I2of5`` lets reportlab append a check digit of its own and draw bearer bars; a boleto's
    44 digits already carry their check digit, and bank readers expect wide bars three times the
    narrow ones. reportlab encodes the bars with those options; they are drawn on whole pixels
    (``module`` pixels a narrow element), which is exact for a scanner.
    """
    code = I2of5(value=value, checksum=0, bearers=0, ratio=3, quiet=0, stop=1)
    code.validate()
    code.encode()
    pattern = code.decompose()  # b/s: bar/space, upper case: wide
    narrow = int(module)
    # One row of pixels repeated: PIL writes it in C, in a fraction of a millisecond.
    row = b"".join((b"\x00" if element in "bB" else b"\xff") * (narrow * (3 if element.isupper() else 1))
                   for element in pattern)  # fmt: skip
    image = Image.frombytes("L", (len(row), int(height)), row * int(height)).convert("1")
    return _png(image)


def qr_png(payload):
    """The QR code of ``payload`` as a PNG, 4 pixels a module.

    A fixed mask spares trying all eight (any mask is valid for a reader); the modules go into a
    1-bit image at once instead of being drawn one rectangle at a time.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return _png(image.resize((len(matrix) * 4, len(matrix) * 4), Image.NEAREST))


def _png(image):
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()
