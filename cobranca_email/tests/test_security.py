from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_user = cls.env.ref("cobranca_email.group_cobranca_user")
        cls.group_manager = cls.env.ref("cobranca_email.group_cobranca_manager")
        cls.menu_root = cls.env.ref("cobranca_email.menu_cobranca_email_root")
        cls.manager = new_test_user(
            cls.env,
            login="billing_manager",
            groups="cobranca_email.group_cobranca_manager,account.group_account_manager",
        )
        cls.accountant = new_test_user(cls.env, login="plain_accountant", groups="account.group_account_manager")

    def _visible_menu_ids(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu_id for menu_id in menus if isinstance(menu_id, int)}

    def test_groups_chain(self):
        self.assertEqual(self.group_user.name, "Billing e-mail: User")
        self.assertEqual(self.group_manager.name, "Billing e-mail: Manager")
        self.assertIn(self.group_user, self.group_manager.implied_ids)
        # A billing user works on invoices: the group brings invoicing rights with it.
        self.assertIn(self.env.ref("account.group_account_invoice"), self.group_user.trans_implied_ids)
        self.assertTrue(self.manager.has_group("cobranca_email.group_cobranca_user"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("cobranca_email.group_cobranca_manager"))

    def test_menu_under_invoicing_configuration(self):
        self.assertEqual(self.menu_root.parent_id, self.env.ref("account.menu_finance_configuration"))
        self.assertIn(self.menu_root.id, self._visible_menu_ids(self.manager))
        self.assertNotIn(self.menu_root.id, self._visible_menu_ids(self.accountant))

    def test_manager_opens_billing_wallets(self):
        menu = self.env.ref("cobranca_email.menu_cobranca_wallet")
        self.assertIn(menu.id, self._visible_menu_ids(self.manager))
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.manager)
            ._for_xml_id("cobranca_email.cobranca_wallet_action")
        )
        self.assertEqual(action["res_model"], "cobranca.wallet")
        self.env["cobranca.wallet"].with_user(self.manager).search([])  # readable: no AccessError
        self.assertTrue(self.env["cobranca.wallet"].with_user(self.manager).has_access("create"))
