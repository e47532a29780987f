"""A boleto's registration with the bank: its state, the instruction waiting for the next remessa,
the file it last went in, and every occurrence the bank returned (its CNAB history).

A boleto of a wallet with a CNAB layout is issued *to register* with an entry waiting; a remessa
sends it (*sent*), a retorno confirms (*registered*) or rejects it (*rejected*, with the bank's
reason), pays it (*paid at the bank*) or writes it off (*written off*). Cancelling a boleto the bank
knows (the invoice cancelled, reset to draft or its boletos re-issued) waits for a write-off
request (pedido de baixa) in the next remessa; one never sent is simply not sent.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.cobranca_email.tools.access_checks import BILLING_USER, check_companies, check_groups

from cobranca_core.cnab import Movement

from ..const import MOVEMENTS, REGISTRATION_STATES
from ..tools.remessa_generator import RemessaGenerator

# States in which the bank holds the title: cancelling the boleto asks the bank to write it off.
AT_THE_BANK = ("sent", "registered")


class CobrancaBoleto(models.Model):
    _inherit = "cobranca.boleto"

    cnab_state = fields.Selection(
        selection=REGISTRATION_STATES,
        string="Registration",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Where this boleto stands with the bank. Empty: its wallet does not register boletos through CNAB "
        "files, or it was cancelled before it was sent.",
    )
    cnab_movement = fields.Selection(
        selection=MOVEMENTS,
        string="To Send",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The instruction the next remessa of the wallet sends for this boleto.",
    )
    cnab_file_id = fields.Many2one(
        comodel_name="cobranca.cnab.file",
        string="Last Remessa",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    cnab_reason = fields.Char(string="Bank's Reason", readonly=True, copy=False)
    cnab_error = fields.Char(
        string="Not Sendable",
        readonly=True,
        copy=False,
        help="Why the last remessa left this boleto out (a value the bank would refuse); it is sent with the next "
        "remessa once corrected.",
    )
    cnab_payment_id = fields.Many2one(
        comodel_name="account.payment",
        string="Payment (Retorno)",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    cnab_line_ids = fields.One2many(
        comodel_name="cobranca.cnab.line",
        inverse_name="boleto_id",
        string="CNAB History",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        wallets = self.env["cobranca.wallet"].browse({vals.get("wallet_id") for vals in vals_list} - {None, False})
        registering = set(wallets.filtered("cnab_layout").ids)
        for vals in vals_list:
            if vals.get("wallet_id") in registering:
                vals.setdefault("cnab_state", "to_register")
                vals.setdefault("cnab_movement", Movement.ENTRY)
        return super().create(vals_list)

    def _cancel(self, reason):
        """Cancelling a boleto the bank holds asks for its write-off in the next remessa; one never sent
        leaves nothing to send."""
        active = self.sudo().filtered(lambda boleto: boleto.state == "active")
        at_bank = active.filtered(lambda boleto: boleto.cnab_state in AT_THE_BANK)
        unsent = active.filtered(lambda boleto: boleto.cnab_state == "to_register")
        result = super()._cancel(reason)
        at_bank.write({"cnab_movement": Movement.WRITE_OFF})
        unsent.write({"cnab_movement": False, "cnab_state": False, "cnab_error": False})
        return result

    # Actions on selected boletos

    def action_cnab_generate_remessa(self):
        """Generate Remessa from selected boletos: one file per wallet with those of them waiting to be sent."""
        boletos = self._cnab_check_caller().filtered("cnab_movement")
        if not boletos:
            raise UserError(_("None of the selected boletos has an instruction waiting to be sent to the bank."))
        results = [
            RemessaGenerator(wallet.sudo()).generate(boletos.filtered(lambda b, w=wallet: b.wallet_id == w))
            for wallet in boletos.wallet_id
        ]
        return self.env["cobranca.cnab.file"]._cnab_remessa_outcome(results)

    def action_cnab_register(self):
        """Register at the Bank: queue an entry for active boletos the bank does not hold (issued before
        the wallet had a CNAB layout, or rejected and since corrected)."""
        boletos = self._cnab_check_caller()._cnab_queue_entry()
        if not boletos:
            raise UserError(
                _("None of the selected boletos can be registered: they are cancelled, paid or at the bank already.")
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _("%s boleto(s) will be sent with the next remessa of their wallet.", len(boletos)),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _cnab_queue_entry(self):
        """Queue an entry for those of these boletos the bank does not hold; returns them."""
        boletos = self.sudo().filtered(
            lambda boleto: (
                boleto.state == "active"
                and not boleto.paid
                and boleto.wallet_id.cnab_layout
                and boleto.cnab_state in (False, "to_register", "rejected")
            )
        )
        boletos.write(
            {"cnab_state": "to_register", "cnab_movement": Movement.ENTRY, "cnab_error": False, "cnab_reason": False}
        )
        return boletos

    def _cnab_check_caller(self):
        """Billing users of the boletos' companies, for boletos of wallets with a CNAB layout; returns them."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can exchange CNAB files with the bank."))
        self.check_access("read")
        check_companies(self.env, self.company_id)
        boletos = self.filtered(lambda boleto: boleto.wallet_id.cnab_layout)
        if not boletos:
            raise UserError(_("The selected boletos belong to wallets without a CNAB layout."))
        return boletos

    def _cnab_ready_to_send(self):
        """Whether the boleto e-mail and notices may send this boleto under its wallet's gate."""
        self.ensure_one()
        wallet = self.wallet_id
        if not (wallet.cnab_layout and wallet.cnab_require_registration) or not self.cnab_state:
            return True  # not registered through CNAB files (e.g. issued before the wallet had a layout)
        if self.cnab_state == "registered":
            return True
        return wallet.cnab_release_on == "sent" and self.cnab_state == "sent"
