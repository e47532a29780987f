import io

from PIL import Image
from reportlab.graphics.barcode.common import I2of5

from odoo import api, models

# Reports that print from their own inline styles: no company header/footer, no Odoo asset bundles.
# The debt statement carries the company in its own body, so that it renders as one document too.
SELF_CONTAINED_REPORTS = {
    "cobranca_email.report_boleto_document",
    "cobranca_email.report_boleto_selected_document",
    "cobranca_email.report_dunning_statement_document",
}


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

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
