from reportlab.graphics.barcode import createBarcodeDrawing

from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def barcode(self, barcode_type, value, **kwargs):
        """Add the ``boleto`` type: FEBRABAN's interleaved 2 of 5.

        Odoo's ``I2of5`` lets reportlab append a check digit of its own and draw bearer bars; a
        boleto's 44 digits already carry their check digit, and the bank readers expect wide bars
        three times the narrow ones, so the boleto drawing sets those options itself.
        """
        if barcode_type != "boleto":
            return super().barcode(barcode_type, value, **kwargs)
        drawing = createBarcodeDrawing(
            "I2of5",
            value=value,
            format="png",
            width=int(kwargs.get("width", 1600)),
            height=int(kwargs.get("height", 200)),
            checksum=0,
            bearers=0,
            ratio=3,
            quiet=0,
            humanReadable=False,
        )
        return drawing.asString("png")

    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, **kwargs):
        # A boleto carries no company header or footer (FEBRABAN fixes its layout). Not passing the
        # empty ones Odoo builds also keeps wkhtmltopdf builds without patched Qt (Debian's) from
        # complaining that they cannot draw them.
        if report_ref and self._get_report(report_ref).report_name == "cobranca_email.report_boleto_document":
            header = footer = None
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, header=header, footer=footer, **kwargs)
