import io

from odoo import _, models
from odoo.exceptions import UserError

from ..tools.boleto_images import barcode_png

# The reports printed by the PDF pipeline (tools/pdf_pipeline.py) rather than by Odoo's own
# wkhtmltopdf call: boletos from the pages stored on them, debt statements many to a call. Their
# models give each record's PDF (``_cobranca_report_pdfs``).
PIPELINE_REPORTS = {
    "cobranca_email.report_boleto_document",
    "cobranca_email.report_boleto_selected_document",
    "cobranca_email.report_dunning_statement_document",
}


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def barcode(self, barcode_type, value, **kwargs):
        """Add the ``boleto`` type: FEBRABAN's interleaved 2 of 5, as a black-and-white PNG
        (``tools.boleto_images.barcode_png``)."""
        if barcode_type != "boleto":
            return super().barcode(barcode_type, value, **kwargs)
        return barcode_png(value, module=kwargs.get("module", 2), height=kwargs.get("height", 100))

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """The PDF pipeline's reports: each record's PDF as its model prints it (``_cobranca_report_pdfs``:
        ``{record id: PDF, or None when the record has nothing to print}``; raises what kept one from
        being printed)."""
        report = self._get_report(report_ref)
        if report.report_name not in PIPELINE_REPORTS or not res_ids:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        pdfs = self.env[report.model].browse(res_ids)._cobranca_report_pdfs()
        if not any(pdfs.values()):
            # Only the boleto reports can have nothing to print: cancelled boletos are not printed.
            raise UserError(_("There is no active boleto to print."))
        return {
            res_id: {"stream": io.BytesIO(pdfs[res_id]) if pdfs.get(res_id) else None, "attachment": None}
            for res_id in dict.fromkeys(res_ids)
        }
