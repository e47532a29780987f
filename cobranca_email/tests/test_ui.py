from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        bank = cls.env["res.bank"].create({"name": "Itaú Unibanco (tour)", "cobranca_bank_code": "341"})
        cls.env["res.partner.bank"].create(
            {"acc_number": "0057 12345-7", "bank_id": bank.id, "partner_id": company.partner_id.id}
        )

    def test_wallet_wrong_check_digit_tour(self):
        # The refused save is logged by the web server as a user error: expected here.
        with mute_logger("odoo.http"):
            self.start_tour("/odoo", "cobranca_wallet_check_digit", login="admin")
        wallet = self.env["cobranca.wallet"].search([("name", "=", "Itaú tour")])
        self.assertEqual(wallet.account_dv, "7")

    def test_settings_menu_opens_the_billing_email_section(self):
        """Billing e-mail > Settings: Invoicing's settings, scrolled to the Billing E-mail section."""
        self.start_tour("/odoo/action-account.action_move_out_invoice_type", "cobranca_settings_menu", login="admin")
