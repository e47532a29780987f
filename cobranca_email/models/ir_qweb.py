from odoo import models

from ..tools.compiled_once import compile_once


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        # A batch of billing e-mails compiles its template's body once (tools/compiled_once.py).
        return compile_once(template, self.env.context, lambda: super(IrQweb, self)._compile(template))
