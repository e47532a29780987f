import binascii

from odoo import models


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    def _get_crc16(self, data, poly=0x1021, init=0xFFFF):
        # The Pix code's CRC-16/CCITT (polynomial 0x1021, no reflection), as Odoo computes it bit by
        # bit in Python, computed by the standard library in C: a boleto's Pix code is written for
        # its page, twice in its e-mail and again for every dunning notice.
        if poly == 0x1021:
            return binascii.crc_hqx(bytes(data), init)
        return super()._get_crc16(data, poly=poly, init=init)
