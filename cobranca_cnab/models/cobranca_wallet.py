"""The billing wallet's CNAB page: the bank's layout and codes, the file numbers, the accounts a
retorno books to, and the registration gate of the boleto e-mails and dunning notices.

A remessa and a retorno of a wallet are each one transaction that starts by locking the wallet's
row (``_cnab_lock``, NOWAIT): a second one at the same time is told the wallet is busy (the
scheduled action skips it) instead of waiting, and the file number is taken under that lock
(``_cnab_take_sequence``), so two files never share a number; the unique index of CNAB files by
wallet and number holds it too.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2.errors

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.cobranca_email.tools.access_checks import BILLING_USER, check_companies, check_groups

from cobranca_core.cnab import supported_layouts

from ..tools.remessa_generator import RemessaGenerator

_logger = logging.getLogger(__name__)

# Brasília: the day and time a file is dated with when the user has no time zone (scheduled action).
DEFAULT_TZ = "America/Sao_Paulo"


class CnabBusy(UserError):
    """Another transaction is generating a remessa or importing a retorno of the same wallet."""


class CobrancaWallet(models.Model):
    _inherit = "cobranca.wallet"

    cnab_layout = fields.Selection(
        selection=[("240", "CNAB 240"), ("400", "CNAB 400")],
        string="CNAB Layout",
        tracking=True,
        help="The file layout the bank exchanges remessas and retornos in for this carteira. Empty: the boletos "
        "of this wallet are not registered through CNAB files.",
    )
    cnab_layouts_supported = fields.Char(string="Layouts of This Bank", compute="_compute_cnab_layouts_supported")
    cnab_transmission_code = fields.Char(
        string="Transmission Code",
        tracking=True,
        help="Santander: the código de transmissão of the CNAB exchange (15 digits).",
    )
    cnab_variation = fields.Char(
        string="Carteira Variation",
        tracking=True,
        help="Banco do Brasil: the variação of the carteira (3 digits).",
    )
    cnab_company_code = fields.Char(
        string="Company Code",
        tracking=True,
        help="Bradesco: the código da empresa (convênio) of the CNAB exchange.",
    )
    cnab_write_off_days = fields.Integer(
        string="Write Off After (days)",
        tracking=True,
        help="Days after the due date after which the bank writes an unpaid boleto off (0: the bank's or the "
        "account's default).",
    )
    cnab_discount_percent = fields.Float(
        string="Discount (%)",
        digits=(5, 2),
        tracking=True,
        help="Discount registered with each new boleto, granted when paid until the discount date.",
    )
    cnab_discount_days = fields.Integer(
        string="Discount Until (days before the due date)",
        tracking=True,
        help="The discount is granted when the boleto is paid up to this many days before its due date (0: until "
        "the due date).",
    )
    cnab_test = fields.Boolean(
        string="Test Files",
        tracking=True,
        help="Mark the remessas as test files, where the bank's layout has the mark (Banco do Brasil, Bradesco, "
        "Caixa), while the bank validates the exchange.",
    )
    cnab_next_sequence = fields.Integer(
        string="Next File Number",
        default=1,
        copy=False,
        help="The number (NSA) of the next remessa of this wallet. Numbers are never used twice; set it forward "
        "only, when moving from another system.",
    )
    cnab_auto_remessa = fields.Boolean(
        string="Daily Remessa",
        default=True,
        help="The scheduled action generates a remessa every day when this wallet has boletos to send.",
    )
    cnab_require_registration = fields.Boolean(
        string="Require Registration Before Sending",
        tracking=True,
        help="The boleto e-mail and the dunning notices wait for the bank before they send a boleto of this "
        "wallet, instead of e-mailing a boleto the bank does not know yet.",
    )
    cnab_release_on = fields.Selection(
        selection=[("registered", "Registration confirmed by the bank"), ("sent", "Remessa file generated")],
        string="Send When",
        default="registered",
        required=True,
        tracking=True,
        help="Registration confirmed: when a retorno confirms the entry. Remessa file generated: as soon as the "
        "boleto went into a remessa.",
    )
    cnab_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Bank Journal",
        compute="_compute_cnab_journal_id",
        store=True,
        readonly=False,
        check_company=True,
        tracking=True,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]",
        help="The journal of the payments a retorno registers for paid boletos (default: the journal of the "
        "wallet's bank account).",
    )
    cnab_interest_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Interest and Fine Received Account",
        check_company=True,
        tracking=True,
        help="Where the interest and fine the payer paid with a late boleto are booked.",
    )
    cnab_fee_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Bank Fee Account",
        check_company=True,
        tracking=True,
        help="Where the fee the bank kept on a paid boleto is booked.",
    )
    cnab_discount_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Discount Granted Account",
        check_company=True,
        tracking=True,
        help="Where the discount and rebate a payer was granted are booked.",
    )
    cnab_file_ids = fields.One2many(comodel_name="cobranca.cnab.file", inverse_name="wallet_id", string="CNAB Files")
    cnab_file_count = fields.Integer(string="CNAB File Count", compute="_compute_cnab_counts")
    cnab_to_send_count = fields.Integer(string="Boletos to Send", compute="_compute_cnab_counts")

    _sql_constraints = [
        (
            "cnab_discount_percent_range",
            "CHECK(cnab_discount_percent >= 0 AND cnab_discount_percent < 100)",
            "The CNAB discount must be from 0% to less than 100%.",
        ),
        (
            "cnab_days_positive",
            "CHECK(cnab_write_off_days >= 0 AND cnab_discount_days >= 0)",
            "The write-off and discount days cannot be negative.",
        ),
    ]

    @api.depends("bank_code")
    def _compute_cnab_layouts_supported(self):
        for wallet in self:
            sizes = supported_layouts(wallet.bank_code or "")
            wallet.cnab_layouts_supported = ", ".join(f"CNAB {size}" for size in sizes) or _("none")

    @api.depends("partner_bank_id")
    def _compute_cnab_journal_id(self):
        for wallet in self:
            if wallet.cnab_journal_id or not wallet.partner_bank_id:
                continue
            wallet.cnab_journal_id = self.env["account.journal"].search(
                [("type", "=", "bank"), ("bank_account_id", "=", wallet.partner_bank_id.id)], limit=1
            )

    def _compute_cnab_counts(self):
        files = dict(
            self.env["cobranca.cnab.file"]._read_group([("wallet_id", "in", self.ids)], ["wallet_id"], ["__count"])
        )
        to_send = dict(
            self.env["cobranca.boleto"]._read_group(
                [("wallet_id", "in", self.ids), ("cnab_movement", "!=", False)], ["wallet_id"], ["__count"]
            )
        )
        for wallet in self:
            wallet.cnab_file_count = files.get(wallet, 0)
            wallet.cnab_to_send_count = to_send.get(wallet, 0)

    @api.constrains("cnab_layout", "partner_bank_id")
    def _check_cnab_layout(self):
        for wallet in self.filtered("cnab_layout"):
            sizes = supported_layouts(wallet.bank_code or "")
            if int(wallet.cnab_layout) not in sizes:
                raise ValidationError(
                    _(
                        "Billing wallet %(wallet)s: bank %(bank)s has no CNAB %(layout)s layout here (it has: "
                        "%(sizes)s).",
                        wallet=wallet.display_name,
                        bank=wallet.bank_code or _("(no bank code)"),
                        layout=wallet.cnab_layout,
                        sizes=", ".join(f"CNAB {size}" for size in sizes) or _("none"),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        wallets = super().create(vals_list)
        self.env.registry.clear_cache()  # _cnab_gated_wallet_ids
        return wallets

    def write(self, vals):
        if "cnab_next_sequence" in vals:
            self.flush_recordset(["cnab_next_sequence"])
            for wallet in self:
                # The numbers below were given to files the bank may have received: never again.
                self.env.cr.execute("SELECT cnab_next_sequence FROM cobranca_wallet WHERE id = %s", [wallet.id])
                current = self.env.cr.fetchone()[0] or 1
                if (vals["cnab_next_sequence"] or 0) < current:
                    raise ValidationError(
                        _(
                            "Billing wallet %(wallet)s: the Next File Number can only move forward, to %(current)s "
                            "or above; the numbers below it were given to files already.",
                            wallet=wallet.display_name,
                            current=current,
                        )
                    )
        result = super().write(vals)
        if {"cnab_layout", "cnab_require_registration", "company_id", "active"} & set(vals):
            self.env.registry.clear_cache()  # _cnab_gated_wallet_ids
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # _cnab_gated_wallet_ids
        return result

    # Buttons

    def action_cnab_generate_remessa(self):
        """Generate Remessa: a file with every boleto of these wallets waiting to be sent."""
        self._cnab_check_caller()
        results = [RemessaGenerator(wallet.sudo()).generate() for wallet in self]
        return self.env["cobranca.cnab.file"]._cnab_remessa_outcome(results)

    def action_cnab_import_retorno(self):
        """Import Retorno: the upload wizard, for this wallet."""
        self.ensure_one()
        self._cnab_check_caller()
        return {
            "type": "ir.actions.act_window",
            "name": _("Import Retorno"),
            "res_model": "cobranca.cnab.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_wallet_id": self.id},
        }

    def action_cnab_view_files(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("cobranca_cnab.cobranca_cnab_file_action")
        action["domain"] = [("wallet_id", "=", self.id)]
        return action

    def action_cnab_view_to_send(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Boletos to Send to the Bank"),
            "res_model": "cobranca.boleto",
            "view_mode": "list,form",
            "domain": [("wallet_id", "=", self.id), ("cnab_movement", "!=", False)],
        }

    def _cnab_check_caller(self):
        """Billing users of the wallets' companies only, whatever calls the method."""
        check_groups(self.env, [BILLING_USER], _("Only billing e-mail users can exchange CNAB files with the bank."))
        self.check_access("read")
        check_companies(self.env, self.company_id)
        for wallet in self:
            if not wallet.cnab_layout:
                raise UserError(
                    _(
                        "Billing wallet %(wallet)s has no CNAB layout: choose one on its CNAB tab first.",
                        wallet=wallet.display_name,
                    )
                )

    # The scheduled action

    @api.model
    def _cron_cnab_generate_remessas(self):
        """Scheduled action "Generate remessas": one file per wallet that has boletos to send (none for
        the others). A wallet another transaction holds is left to it; a wallet that cannot write its
        file (a code missing on its CNAB tab) is logged and the others go on."""
        wallets = self.search([("cnab_layout", "!=", False), ("cnab_auto_remessa", "=", True)])
        for wallet in wallets:
            if not wallet._cnab_boletos_to_send():
                continue
            try:
                with self.env.cr.savepoint():
                    result = RemessaGenerator(wallet.with_company(wallet.company_id)).generate()
            except CnabBusy:
                _logger.info("Billing wallet %s is busy with another CNAB file: left to it", wallet.display_name)
                continue
            except UserError as error:
                _logger.warning("Billing wallet %s: no remessa: %s", wallet.display_name, error)
                continue
            if result.file:
                _logger.info("Billing wallet %s: remessa %s", wallet.display_name, result.file.name)
            for message in result.left_out.values():
                _logger.warning("Billing wallet %s: left out of the remessa: %s", wallet.display_name, message)

    # Helpers of the generator and the importer

    @api.model
    @tools.ormcache("company_id")
    def _cnab_gated_wallet_ids(self, company_id):
        """The wallets of the company whose boletos wait for the bank before they are sent (cached:
        read by every batch of every dunning run, which must not pay a query for it)."""
        wallets = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company_id),
                    ("cnab_layout", "!=", False),
                    ("cnab_require_registration", "=", True),
                ]
            )
        )
        return tuple(wallets.ids)

    def _cnab_boletos_to_send(self):
        self.ensure_one()
        return self.env["cobranca.boleto"].sudo().search([("wallet_id", "=", self.id), ("cnab_movement", "!=", False)])

    def _cnab_lock(self):
        """Lock this wallet's row for the transaction, or raise CnabBusy when another one holds it."""
        self.ensure_one()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT id FROM cobranca_wallet WHERE id = %s FOR NO KEY UPDATE NOWAIT", [self.id])
        except psycopg2.errors.LockNotAvailable:
            raise CnabBusy(
                _(
                    "Billing wallet %(wallet)s is generating a remessa or importing a retorno right now. Try again "
                    "in a minute.",
                    wallet=self.display_name,
                )
            ) from None

    def _cnab_take_sequence(self, highest):
        """The next file number of this wallet, taken for good (call with the wallet locked)."""
        self.ensure_one()
        self.flush_recordset(["cnab_next_sequence"])
        self.env.cr.execute(
            """UPDATE cobranca_wallet SET cnab_next_sequence = COALESCE(cnab_next_sequence, 1) + 1
                WHERE id = %s RETURNING cnab_next_sequence - 1""",
            [self.id],
        )
        number = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["cnab_next_sequence"])
        if number > highest:
            raise UserError(
                _(
                    "Billing wallet %(wallet)s used every file number its layout has (up to %(highest)s). Ask the "
                    "bank how to go on.",
                    wallet=self.display_name,
                    highest=highest,
                )
            )
        return number

    def _cnab_now(self):
        """Now, in the user's time zone (Brasília when none): the date and time a file is named with."""
        tz = ZoneInfo(self.env.user.tz or DEFAULT_TZ)
        return datetime.now(tz).replace(tzinfo=None)
