import collections
import io
import logging
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pikepdf
from PIL import Image
from reportlab.graphics.barcode.common import I2of5

from odoo import _, api, models, tools
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# Reports that print from their own inline styles: no company header/footer, no Odoo asset bundles.
# The debt statement carries the company in its own body, so that it renders as one document too.
SELF_CONTAINED_REPORTS = {
    "cobranca_email.report_boleto_document",
    "cobranca_email.report_boleto_selected_document",
    "cobranca_email.report_dunning_statement_document",
}
# The boleto reports: printed from each boleto's stored page (cobranca.boleto._cobranca_page_pdfs).
BOLETO_REPORTS = {
    "cobranca_email.report_boleto_document": "_cobranca_active_boletos",
    "cobranca_email.report_boleto_selected_document": None,
}
# wkhtmltopdf processes running side by side on many documents: it uses one core each.
MAX_PDF_PROCESSES = 2
# Seconds a wkhtmltopdf call may take before it is killed and its documents fail (system parameter
# cobranca_email.wkhtmltopdf_time_limit). A call renders at most ~80 pages: about 5 s here.
WKHTMLTOPDF_TIME_LIMIT = 300


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    # Many documents, few wkhtmltopdf calls: boleto pages and debt statements of whole runs

    @api.model
    def _cobranca_renders_html(self):
        """True while tests run without ``force_report_rendering``: reports are HTML then, as Odoo's."""
        return bool(tools.config["test_enable"] or tools.config["test_file"]) and not self.env.context.get(
            "force_report_rendering"
        )

    @api.model
    def _cobranca_wkhtmltopdf_command(self, report_ref):
        """wkhtmltopdf's command for a self-contained document with this report's paper format."""
        if self.get_wkhtmltopdf_state() == "install":
            raise UserError(_("Unable to find Wkhtmltopdf on this system. The PDF can not be created."))
        report = self._get_report(report_ref)
        args = self.with_context(cobranca_no_javascript=True)._build_wkhtmltopdf_args(report.get_paperformat(), False)
        # Black and white documents: grayscale images make the PDF five times smaller (bars and QR codes
        # are stored as color images otherwise), for the same rendering time.
        return [_get_wkhtmltopdf_bin(), *args, "--grayscale"]

    @api.model
    def _cobranca_render_many(self, command, documents, handle=None):
        """Render ``(token, html)`` documents with wkhtmltopdf, ``MAX_PDF_PROCESSES`` at a time.

        ``documents`` may be a generator: the next document is written in HTML (Python) while
        wkhtmltopdf renders the previous ones. Each result, the PDF or the exception, is passed to
        ``handle(token, result)`` in the documents' order as soon as it is ready (in this thread,
        while the next documents render); without ``handle``, the results are returned as a list.
        """
        results = []
        handle = handle or (lambda token, result: results.append((token, result)))
        workers = max(1, min(os.cpu_count() or 1, MAX_PDF_PROCESSES))
        time_limit = self._cobranca_wkhtmltopdf_time_limit()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = collections.deque()
            for token, html in documents:
                pending.append((token, pool.submit(_run_wkhtmltopdf, command, html, time_limit)))
                # Handle what is ready; wait when enough documents are queued (memory stays bounded).
                while pending and (pending[0][1].done() or len(pending) > 2 * workers):
                    token, future = pending.popleft()
                    handle(token, self._cobranca_pdf_result(future))
            while pending:
                token, future = pending.popleft()
                handle(token, self._cobranca_pdf_result(future))
        return results

    @api.model
    def _cobranca_wkhtmltopdf_time_limit(self):
        """Seconds a wkhtmltopdf call may run (system parameter ``cobranca_email.wkhtmltopdf_time_limit``)."""
        value = self.env["ir.config_parameter"].sudo().get_param("cobranca_email.wkhtmltopdf_time_limit")
        try:
            return max(1, int(value)) if value else WKHTMLTOPDF_TIME_LIMIT
        except ValueError:
            _logger.warning("cobranca_email.wkhtmltopdf_time_limit is not a number of seconds: %r", value)
            return WKHTMLTOPDF_TIME_LIMIT

    @api.model
    def _cobranca_pdf_result(self, future):
        """The PDF of a wkhtmltopdf run, or the (translated) error."""
        try:
            return future.result()
        except subprocess.TimeoutExpired as error:
            _logger.warning("wkhtmltopdf killed after %s s", error.timeout)
            return UserError(
                _(
                    "Wkhtmltopdf did not finish within %(seconds)s seconds and was stopped: the PDF was not created "
                    "(system parameter cobranca_email.wkhtmltopdf_time_limit).",
                    seconds=error.timeout,
                )
            )
        except WkhtmltopdfError as error:
            code, message = error.args
            _logger.warning("wkhtmltopdf failed (error code %s): %s", code, message)
            return UserError(
                _(
                    "Wkhtmltopdf failed (error code: %(error_code)s). Message: %(message)s",
                    error_code=code,
                    message=message,
                )
            )
        except OSError as error:
            return UserError(_("The PDF could not be created: %s", error))

    @api.model
    def _cobranca_split_pdf(self, pdf, page_counts):
        """Cut ``pdf`` into consecutive documents of ``page_counts`` pages (None for a count of 0).

        Many documents rendered in one wkhtmltopdf call come back this way. Raises ``ValueError``
        when the PDF is not one, or has another number of pages than the counts add up to.
        """
        try:
            source = pikepdf.open(io.BytesIO(pdf))
        except pikepdf.PdfError as error:
            raise ValueError(f"not a PDF: {error}") from error
        with source:
            if len(source.pages) != sum(page_counts):
                raise ValueError(f"the PDF has {len(source.pages)} pages instead of {sum(page_counts)}")
            documents, first = [], 0
            for count in page_counts:
                if not count:
                    documents.append(None)
                    continue
                with pikepdf.new() as document:
                    document.pages.extend(source.pages[first : first + count])
                    documents.append(_pdf_bytes(document))
                first += count
        return documents

    @api.model
    def _cobranca_merge_pdfs(self, pdfs):
        """One PDF with the pages of ``pdfs`` in order (qpdf, through pikepdf: a few ms for ten pages)."""
        if len(pdfs) == 1:
            return pdfs[0]
        sources = [pikepdf.open(io.BytesIO(pdf)) for pdf in pdfs]
        try:
            with pikepdf.new() as document:
                for source in sources:
                    document.pages.extend(source.pages)
                return _pdf_bytes(document)
        finally:
            for source in sources:
                source.close()

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
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, header=header, footer=footer, **kwargs)

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Boleto reports: each record's PDF is made of its boletos' stored pages (rendered when missing)."""
        report = self._get_report(report_ref)
        if report.report_name not in BOLETO_REPORTS or not res_ids:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        records = self.env[report.model].browse(res_ids)
        boletos_of = BOLETO_REPORTS[report.report_name]
        by_record = {record.id: getattr(record, boletos_of)() if boletos_of else record for record in records}
        boletos = self.env["cobranca.boleto"].union(*by_record.values())
        pages = boletos._cobranca_page_pdfs(raise_on_error=True)
        streams = {}
        for record_id, record_boletos in by_record.items():
            pdf = record_boletos._cobranca_pages_pdf(pages)
            streams[record_id] = {"stream": io.BytesIO(pdf) if pdf else None, "attachment": None}
        if not any(value["stream"] for value in streams.values()):
            raise UserError(_("There is no active boleto to print."))
        return streams

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
            # No delay measured faster than --disable-javascript (0.5 s against 0.75 s for 70 boleto pages).
            args[args.index("--javascript-delay") + 1] = "0"
        return args


class WkhtmltopdfError(RuntimeError):
    """wkhtmltopdf failed: (return code, end of its error output). Raised in a worker thread, where
    no environment says which language to translate into."""


def _pdf_bytes(document):
    stream = io.BytesIO()
    # Streams are copied as they are: decoding and compressing them again took a third of the time.
    document.save(stream, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return stream.getvalue()


def _run_wkhtmltopdf(command, html, time_limit=WKHTMLTOPDF_TIME_LIMIT):
    """Run wkhtmltopdf on one self-contained HTML document; safe in a thread (no database access).
    A call that runs longer than ``time_limit`` seconds is killed (``subprocess.TimeoutExpired``)."""
    with tempfile.TemporaryDirectory(prefix="cobranca-pdf-") as folder:
        source, target = os.path.join(folder, "document.html"), os.path.join(folder, "document.pdf")
        with open(source, "w", encoding="utf-8") as file:
            file.write(html)
        process = subprocess.run(
            [*command, source, target], capture_output=True, text=True, check=False, timeout=time_limit
        )
        # 1: wkhtmltopdf finished with warnings (as Odoo, accept it)
        if process.returncode not in (0, 1) or not os.path.exists(target):
            raise WkhtmltopdfError(process.returncode, process.stderr[-1000:])
        with open(target, "rb") as file:
            return file.read()
