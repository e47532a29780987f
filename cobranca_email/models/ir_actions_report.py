from odoo import models

from cobranca_core.boleto.images import barcode_png

# Reports printed without a company header or footer: a boleto's layout is fixed by FEBRABAN, and a
# debt statement carries the company in its own body so that it renders as one document.
HEADERLESS_REPORTS = {
    "cobranca_email.report_boleto_document",
    "cobranca_email.report_boleto_selected_document",
    "cobranca_email.report_dunning_statement_document",
}


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def barcode(self, barcode_type, value, **kwargs):
        """Add the ``boleto`` type: FEBRABAN's interleaved 2 of 5.

        Odoo's ``I2of5`` lets reportlab append a check digit of its own and draw bearer bars; a
        boleto's 44 digits already carry their check digit, and the bank readers expect wide bars
        three times the narrow ones, so the boleto PNG is drawn by ``cobranca_core``.
        """
        if barcode_type != "boleto":
            return super().barcode(barcode_type, value, **kwargs)
        return barcode_png(value)

    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, **kwargs):
        # Not passing the empty header and footer Odoo builds also keeps wkhtmltopdf builds without
        # patched Qt (Debian's) from complaining that they cannot draw them.
        if report_ref and self._get_report(report_ref).report_name in HEADERLESS_REPORTS:
            header = footer = None
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, header=header, footer=footer, **kwargs)
