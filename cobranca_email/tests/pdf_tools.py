"""Reading the PDFs the tests render: text per page (pdftotext) and the codes printed (zbarimg)."""

import subprocess
import tempfile
from pathlib import Path


class Crash(BaseException):
    """Stands for the worker being killed: not an error a batch could catch and go on from."""


def pdf_pages(pdf):
    """The text of each page of a PDF, laid out as printed."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = text.decode().split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_codes(pdf):
    """Decode every barcode and QR code printed on each page: a list (per page) of 'TYPE:value' strings."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "boletos.pdf")
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(path), str(Path(tmp, "page"))], check=True)
        pages = []
        for image in sorted(Path(tmp).glob("page*.png")):
            found = subprocess.run(["zbarimg", "--quiet", str(image)], capture_output=True, text=True, check=False)
            pages.append(found.stdout.splitlines())
        return pages
