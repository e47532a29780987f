"""Reading the PDFs the tests render: text per page (pdftotext) and the codes printed (zbarimg);
counting what wkhtmltopdf is asked to print."""

import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo.addons.cobranca_email.models import cobranca_boleto
from odoo.addons.cobranca_email.tools import pdf_pipeline


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


@contextmanager
def counting_wkhtmltopdf():
    """The boleto pages in each document wkhtmltopdf is given (one entry per call; 0: no boleto)."""
    calls = []
    original = pdf_pipeline.run_wkhtmltopdf

    def run(command, html, *args):
        calls.append(html.count('class="page o_boleto"'))
        return original(command, html, *args)

    with patch.object(pdf_pipeline, "run_wkhtmltopdf", run):
        yield calls


@contextmanager
def overflowing_page(bad):
    """The page of boleto ``bad`` gets instructions too long for one sheet; the others print as usual."""
    page_values = cobranca_boleto.CobrancaBoleto._page_values

    def long_instructions(boleto, formats=None):
        values = page_values(boleto, formats)
        if boleto == bad:
            values["instructions"] = "Instrução muito longa. " * 2000
        return values

    with patch.object(cobranca_boleto.CobrancaBoleto, "_page_values", long_instructions):
        yield


@contextmanager
def hanging_page(bad):
    """The page of boleto ``bad`` shows an image from a web server that accepts the connection and
    never answers: wkhtmltopdf waits for it for ever, as it does for a stalled network resource."""
    pages_html = cobranca_boleto.CobrancaBoleto._pages_html
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    def html_with_stalled_image(model, pages):
        html = str(pages_html(model, pages))
        if any(page[0] == bad for page in pages):
            port = listener.getsockname()[1]
            html = html.replace("</body>", f'<img src="http://127.0.0.1:{port}/stalled.png"/></body>')
        return html

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with patch.object(cobranca_boleto.CobrancaBoleto, "_pages_html", html_with_stalled_image):
            yield
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
