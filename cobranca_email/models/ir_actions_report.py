import io
import logging
import os
import subprocess
import tempfile
from pathlib import Path

import lxml.html
from PIL import Image
from reportlab.graphics.barcode.common import I2of5

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter, merge_pdf

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# Reports that print from their own inline styles: no company header/footer, no Odoo asset bundles.
# The debt statement carries the company in its own body, so that it renders as one document too.
SELF_CONTAINED_REPORTS = {
    "cobranca_email.report_boleto_document",
    "cobranca_email.report_boleto_selected_document",
    "cobranca_email.report_dunning_statement_document",
}
# Rendering a large self-contained document: wkhtmltopdf processes side by side, each with enough
# pages to be worth its start-up.
MAX_PDF_PROCESSES = 4
MIN_PAGES_PER_PROCESS = 20


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _cobranca_split_pdf(self, pdf, page_counts):
        """Cut ``pdf`` into consecutive documents of ``page_counts`` pages (None for a count of 0).

        Many documents rendered in one wkhtmltopdf call come back this way. Raises ``ValueError``
        when the PDF has another number of pages than the counts add up to.
        """
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.getNumPages() != sum(page_counts):
            raise ValueError(f"the PDF has {reader.getNumPages()} pages instead of {sum(page_counts)}")
        documents, first = [], 0
        for count in page_counts:
            if not count:
                documents.append(None)
                continue
            writer = PdfFileWriter()
            for number in range(first, first + count):
                writer.addPage(reader.getPage(number))
            stream = io.BytesIO()
            writer.write(stream)
            documents.append(stream.getvalue())
            first += count
        return documents

    def barcode(self, barcode_type, value, **kwargs):
        """Add the ``boleto`` type: FEBRABAN's interleaved 2 of 5, as a black-and-white PNG.

        Odoo's ``I2of5`` lets reportlab append a check digit of its own and draw bearer bars; a
        boleto's 44 digits already carry their check digit, and bank readers expect wide bars three
        times the narrow ones. reportlab encodes the bars with those options; they are drawn on
        whole pixels (``module`` pixels a narrow element), which is exact for a scanner and
        ~30 times faster than reportlab's renderer, for monthly runs of thousands of boletos.
        """
        if barcode_type != "boleto":
            return super().barcode(barcode_type, value, **kwargs)
        code = I2of5(value=value, checksum=0, bearers=0, ratio=3, quiet=0, stop=1)
        code.validate()
        code.encode()
        pattern = code.decompose()  # b/s: bar/space, upper case: wide
        narrow = int(kwargs.get("module", 2))
        height = int(kwargs.get("height", 100))
        # One row of pixels repeated: PIL writes it in C, in a fraction of a millisecond.
        row = b"".join((b"\x00" if element in "bB" else b"\xff") * (narrow * (3 if element.isupper() else 1))
                       for element in pattern)  # fmt: skip
        image = Image.frombytes("L", (len(row), height), row * height).convert("1")
        png = io.BytesIO()
        image.save(png, format="PNG")
        return png.getvalue()

    def _cobranca_self_contained(self):
        return len(self) == 1 and self.report_name in SELF_CONTAINED_REPORTS

    def _get_layout(self):
        # Boletos carry their styles inline: a page without Odoo's report assets renders several times
        # faster, and needs no HTTP round trip to the server (cron, command line, tests).
        if self._cobranca_self_contained():
            return self.env.ref("cobranca_email.report_self_contained_layout")
        return super()._get_layout()

    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, **kwargs):
        if report_ref and self._get_report(report_ref)._cobranca_self_contained():
            # No header or footer (FEBRABAN fixes the boleto layout). Not passing the empty ones Odoo
            # builds also keeps wkhtmltopdf builds without patched Qt (Debian's) from complaining.
            header = footer = None
            self = self.with_context(cobranca_no_javascript=True)
            parts = self._cobranca_split_pages(bodies)
            if len(parts) > 1:
                return self._cobranca_run_wkhtmltopdf_parallel(parts, report_ref, kwargs)
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, header=header, footer=footer, **kwargs)

    @api.model
    def _cobranca_split_pages(self, bodies):
        """Split one self-contained document into a few with whole pages each, one per core.

        wkhtmltopdf uses a single core (~20 ms a boleto page); a monthly run renders thousands of
        pages, so they are shared among processes running side by side. Small documents stay whole.
        """
        processes = min(os.cpu_count() or 1, MAX_PDF_PROCESSES)
        if len(bodies) != 1 or processes < 2:
            return bodies
        root = lxml.html.document_fromstring(bodies[0])
        pages = root.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' page ')]")
        if len(pages) < processes * MIN_PAGES_PER_PROCESS or len({page.getparent() for page in pages}) != 1:
            return bodies
        parent = pages[0].getparent()
        for page in pages:
            parent.remove(page)
        size = -(-len(pages) // processes)
        parts = []
        for start in range(0, len(pages), size):
            parent.extend(pages[start : start + size])
            parts.append(lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))
            for page in pages[start : start + size]:
                parent.remove(page)
        return parts

    def _cobranca_run_wkhtmltopdf_parallel(self, parts, report_ref, kwargs):
        """Run one wkhtmltopdf per part at the same time; the PDF is the parts' pages in order."""
        paperformat = self._get_report(report_ref).get_paperformat()
        args = self._build_wkhtmltopdf_args(
            paperformat,
            kwargs.get("landscape"),
            specific_paperformat_args=kwargs.get("specific_paperformat_args"),
            set_viewport_size=kwargs.get("set_viewport_size"),
        )
        with tempfile.TemporaryDirectory(prefix="cobranca-report-") as directory:
            processes = []
            for number, part in enumerate(parts):
                source = Path(directory, f"part{number}.html")
                source.write_text(part, encoding="utf-8")
                target = Path(directory, f"part{number}.pdf")
                command = [_get_wkhtmltopdf_bin(), *args, str(source), str(target)]
                processes.append((subprocess.Popen(command, stderr=subprocess.PIPE, encoding="utf-8"), target))
            documents = []
            for process, target in processes:
                _out, error = process.communicate()
                if process.returncode not in (0, 1) or not target.exists():
                    message = _(
                        "Wkhtmltopdf failed (error code: %(error_code)s). Message: %(message)s",
                        error_code=process.returncode,
                        message=(error or "")[-1000:],
                    )
                    _logger.warning(message)
                    raise UserError(message)
                if error:
                    _logger.warning("wkhtmltopdf: %s", error)
                documents.append(target.read_bytes())
        return merge_pdf(documents)

    @api.model
    def _build_wkhtmltopdf_args(
        self, paperformat_id, landscape, specific_paperformat_args=None, set_viewport_size=False
    ):
        args = super()._build_wkhtmltopdf_args(
            paperformat_id,
            landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
        if self.env.context.get("cobranca_no_javascript") and "--javascript-delay" in args:
            # The delay waits for header/footer scripts; a self-contained page has none (saves 1 s a call).
            position = args.index("--javascript-delay")
            del args[position : position + 2]
            args.append("--disable-javascript")
        return args
