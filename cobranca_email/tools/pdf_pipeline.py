"""Many self-contained documents printed by a few wkhtmltopdf calls side by side.

Boleto pages (``cobranca.boleto``) and debt statements (``cobranca.dunning.notice``) are printed
here, and the boleto and statement reports of ``ir.actions.report`` print through them. A caller
gives its documents, the pages each one takes and how to write several of them as one HTML
document (each document starting on a new sheet); :class:`PdfPipeline` then:

- puts the documents in chunks of at most ``PAGES_PER_CALL`` pages, one wkhtmltopdf call each, as
  many calls as processes run side by side (``MAX_PROCESSES``, one core each) or a multiple of it,
  so that no core waits for the other; the next chunk's HTML is written while wkhtmltopdf prints;
- stops a call that runs longer than its time limit (system parameter
  ``cobranca_email.wkhtmltopdf_time_limit``) and fails its documents with the reason;
- cuts each chunk's PDF into its documents by counting pages; a chunk that fails, or that comes
  back with another number of pages (a document that overflowed its sheets), is printed again one
  document at a time, so that only the bad documents fail;
- while tests run without ``force_report_rendering`` in the context, gives each document's HTML
  instead of printing it, as Odoo's reports do then (no wkhtmltopdf in most tests).

The documents are self-contained HTML (inline styles and images): wkhtmltopdf needs no web server
to fetch assets from, and Debian's build (one input document, no header or footer) prints them.
"""

import collections
import functools
import hashlib
import io
import logging
import math
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pikepdf

from odoo import tools
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# Pages per wkhtmltopdf call: each call pays wkhtmltopdf's start, a larger one makes its documents
# wait longer and holds more of them in memory.
PAGES_PER_CALL = 100
# wkhtmltopdf processes running side by side: each uses one core.
MAX_PROCESSES = 2
# From this many pages, the documents are shared between the processes rather than printed by one.
SHARED_FROM_PAGES = 40
# Seconds a wkhtmltopdf call may take before it is stopped and its documents fail.
TIME_LIMIT = 300
TIME_LIMIT_PARAMETER = "cobranca_email.wkhtmltopdf_time_limit"


class WkhtmltopdfError(RuntimeError):
    """wkhtmltopdf failed: (return code, end of its error output). Raised in a worker thread, where
    no environment says which language to translate into."""


class PageCountError(ValueError):
    """A PDF has another number of pages than its documents were planned to take."""


class PdfPipeline:
    """Print documents of the report ``report_ref`` (its paper format) in ``env``."""

    def __init__(self, env, report_ref):
        self.env = env
        self.report_ref = report_ref
        # Odoo's reports are HTML while tests run, unless the test asks for the real rendering.
        self.prints_pdf = not (
            (tools.config["test_enable"] or tools.config["test_file"]) and not env.context.get("force_report_rendering")
        )

    @functools.cached_property
    def command(self):
        """wkhtmltopdf's command for a self-contained document with the report's paper format."""
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() == "install":
            raise UserError(self.env._("Unable to find Wkhtmltopdf on this system. The PDF can not be created."))
        report = Report._get_report(self.report_ref)
        args = Report._build_wkhtmltopdf_args(report.get_paperformat(), False)
        if "--javascript-delay" in args:
            # The delay waits for header and footer scripts; these documents have none.
            args[args.index("--javascript-delay") + 1] = "0"
        # Black and white documents: grayscale images make the PDF several times smaller (bars and QR
        # codes are stored as color images otherwise), for the same printing time.
        return [_get_wkhtmltopdf_bin(), *args, "--grayscale"]

    @property
    def version(self):
        """What the output depends on besides the documents: the command, or HTML while tests run."""
        return self.command if self.prints_pdf else ["html"]

    @functools.cached_property
    def time_limit(self):
        """Seconds a wkhtmltopdf call may run (system parameter ``cobranca_email.wkhtmltopdf_time_limit``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(TIME_LIMIT_PARAMETER)
        try:
            return max(1, int(value)) if value else TIME_LIMIT
        except ValueError:
            _logger.warning("%s is not a number of seconds: %r", TIME_LIMIT_PARAMETER, value)
            return TIME_LIMIT

    def print(self, documents, html, pages=None, printed=None, too_long=None):
        """Print ``documents``: a list with, for each one in order, its PDF or the exception that
        kept it from being printed.

        :param documents: anything ``html`` writes
        :param html: ``html(documents)``, one HTML document with these documents, each on new sheets
        :param pages: ``pages(document)``, the sheets it takes (default 1)
        :param printed: ``printed(documents, pdfs)``, called with each chunk's documents and their
            PDFs as soon as they are printed, while the next chunks print
        :param too_long: ``too_long(document)``, the exception of a document that takes more sheets
            than planned; without it, such a document printed alone is taken as it came out
        """
        if not self.prints_pdf:
            results = [html([document]).encode() for document in documents]
            if printed:
                printed(documents, results)
            return results
        counts = [pages(document) if pages else 1 for document in documents]
        results, again = [None] * len(documents), []

        def handle(chunk, result):
            try:
                if isinstance(result, Exception):
                    raise result
                parts = split_pdf(result, [counts[index] for index in chunk])
            except (UserError, ValueError) as error:
                if len(chunk) > 1:
                    _logger.info("%s documents printed one by one after: %s", len(chunk), error)
                    again.extend(chunk)
                    return
                if not isinstance(error, PageCountError) or too_long:
                    results[chunk[0]] = self._document_error(error, documents[chunk[0]], too_long)
                    return
                parts = [result]
            if printed:
                printed([documents[index] for index in chunk], parts)
            for index, part in zip(chunk, parts, strict=True):
                results[index] = part

        def calls(chunks):
            for chunk in chunks:
                yield chunk, html([documents[index] for index in chunk])

        self._run(calls(self._chunks(counts)), handle)
        self._run(calls([index] for index in list(again)), handle)
        return results

    def merge(self, parts):
        """One document made of ``parts`` (each from :meth:`print`), in order."""
        if not self.prints_pdf:
            return b"".join(parts)
        return merge_pdfs(parts)

    def _chunks(self, counts):
        """The documents' indexes, in order, cut into the chunks printed by one call each."""
        total = sum(counts)
        calls = max(1, math.ceil(total / PAGES_PER_CALL))
        processes = self._processes()
        if total >= SHARED_FROM_PAGES and calls % processes:
            calls += processes - calls % processes
        target = math.ceil(total / calls) if total else 1
        chunks, current, current_pages = [], [], 0
        for index, count in enumerate(counts):
            if current and current_pages + count > target:
                chunks.append(current)
                current, current_pages = [], 0
            current.append(index)
            current_pages += count
        if current:
            chunks.append(current)
        return chunks

    def _processes(self):
        return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))

    def _run(self, calls, handle):
        """Run ``(token, html)`` calls, ``MAX_PROCESSES`` at a time; ``handle(token, PDF or exception)``
        in the calls' order, in this thread, as soon as each is ready (``calls`` may be a generator:
        its next HTML is written while wkhtmltopdf prints)."""
        command, time_limit = None, None
        workers = self._processes()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = collections.deque()
            for token, document in calls:
                if command is None:
                    command, time_limit = self.command, self.time_limit
                pending.append((token, pool.submit(run_wkhtmltopdf, command, str(document), time_limit)))
                # Handle what is ready; wait when enough calls are queued (memory stays bounded).
                while pending and (pending[0][1].done() or len(pending) > 2 * workers):
                    token, future = pending.popleft()
                    handle(token, self._result(future))
            while pending:
                token, future = pending.popleft()
                handle(token, self._result(future))

    def _result(self, future):
        """The PDF of a wkhtmltopdf call, or the (translated) error."""
        try:
            return future.result()
        except subprocess.TimeoutExpired as error:
            _logger.warning("wkhtmltopdf stopped after %s s", error.timeout)
            return UserError(
                self.env._(
                    "Wkhtmltopdf did not finish within %(seconds)s seconds and was stopped: the PDF was not created "
                    "(system parameter cobranca_email.wkhtmltopdf_time_limit).",
                    seconds=error.timeout,
                )
            )
        except WkhtmltopdfError as error:
            code, message = error.args
            _logger.warning("wkhtmltopdf failed (error code %s): %s", code, message)
            return UserError(
                self.env._(
                    "Wkhtmltopdf failed (error code: %(error_code)s). Message: %(message)s",
                    error_code=code,
                    message=message,
                )
            )
        except OSError as error:
            return UserError(self.env._("The PDF could not be created: %s", error))

    def _document_error(self, error, document, too_long):
        if isinstance(error, PageCountError):
            return too_long(document)
        if isinstance(error, ValueError):
            return UserError(self.env._("The PDF could not be created: %s", error))
        return error


def run_wkhtmltopdf(command, html, time_limit=TIME_LIMIT):
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


def split_pdf(pdf, page_counts):
    """Cut ``pdf`` into consecutive documents of ``page_counts`` pages.

    Raises ``PageCountError`` when the PDF has another number of pages than the counts add up to,
    ``ValueError`` when it is not a PDF.
    """
    try:
        source = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as error:
        raise ValueError(f"not a PDF: {error}") from error
    with source:
        if len(source.pages) != sum(page_counts):
            raise PageCountError(f"the PDF has {len(source.pages)} pages instead of {sum(page_counts)}")
        if len(page_counts) == 1:
            return [pdf]
        documents, first = [], 0
        for count in page_counts:
            with pikepdf.new() as document:
                document.pages.extend(source.pages[first : first + count])
                documents.append(_pdf_bytes(document))
            first += count
    return documents


def merge_pdfs(pdfs):
    """One PDF with the pages of ``pdfs`` in order (qpdf, through pikepdf), each font in it once."""
    if len(pdfs) == 1:
        return pdfs[0]
    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf in pdfs]
    try:
        with pikepdf.new() as document:
            for source in sources:
                document.pages.extend(source.pages)
            _share_fonts(document)
            return _pdf_bytes(document)
    finally:
        for source in sources:
            source.close()


def _share_fonts(document):
    """Make the pages of ``document`` use one copy of each font they embed alike.

    The pages cut from one wkhtmltopdf call embed the same font subsets, each one-page PDF its own
    copy: put together again, a boleto PDF would carry the fonts once a page, most of its size.
    Fonts are shared only when they are the same to the byte, every object they refer to included.
    """
    digests, fonts = {}, {}
    for page in document.pages:
        entries = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font")
        if not isinstance(entries, pikepdf.Dictionary):
            continue
        for name, font in list(entries.items()):
            if not (isinstance(font, pikepdf.Object) and font.is_indirect):
                continue
            try:
                shared = fonts.setdefault(_digest(font, digests), font)
            except ValueError:  # a font that refers to itself: left as it is
                continue
            if shared.objgen != font.objgen:
                entries[name] = shared


def _digest(obj, digests, path=()):
    """A digest of ``obj`` with everything it refers to (``digests``: those of the indirect objects done)."""
    if not isinstance(obj, pikepdf.Object):
        return repr(obj).encode()
    indirect = obj.is_indirect
    if indirect:
        if obj.objgen in digests:
            return digests[obj.objgen]
        if obj.objgen in path:
            raise ValueError(f"object {obj.objgen} refers to itself")
        path = (*path, obj.objgen)
    text = None if isinstance(obj, pikepdf.Stream) else obj.unparse(resolved=True)
    if text is not None and b" R" not in text:
        # It refers to no other object: its text is all of it (numbers, names, arrays of them).
        value = (b"t", text)
    elif isinstance(obj, pikepdf.Stream):
        content = hashlib.sha1(obj.read_raw_bytes(), usedforsecurity=False).digest()
        value = (b"s", content, sorted((key, _digest(item, digests, path)) for key, item in obj.items()))
    elif isinstance(obj, pikepdf.Dictionary):
        value = (b"d", sorted((key, _digest(item, digests, path)) for key, item in obj.items()))
    elif isinstance(obj, pikepdf.Array):
        value = (b"a", [_digest(item, digests, path) for item in obj])
    else:
        value = (b"o", text)
    digest = hashlib.sha1(repr(value).encode(), usedforsecurity=False).digest()
    if indirect:
        digests[obj.objgen] = digest
    return digest


def _pdf_bytes(document):
    stream = io.BytesIO()
    # Streams are copied as they are: decoding and compressing them again took a third of the time.
    document.save(stream, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return stream.getvalue()
