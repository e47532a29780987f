# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Billing E-mail (Cobrança por e-mail)",
    "summary": "Boletos by e-mail when invoices are posted, scheduled dunning notices, "
    "mail servers per purpose and per company",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/cobranca-email/cobranca_email",
    "author": "cobranca_email developers",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "depends": [
        "account",
        "mail",
        "mail_outgoing_delivery",
        "l10n_br",
        "resource",
    ],
    "external_dependencies": {
        "python": ["cobranca-core", "pikepdf"],
    },
    "data": [
        # security
        "security/cobranca_email_security.xml",
        "security/cobranca_email_log_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/mail_body_templates.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/cobranca_mail_purpose_model_data.xml",
        # reports
        "report/cobranca_boleto_reports.xml",
        "report/cobranca_boleto_templates.xml",
        "report/cobranca_dunning_reports.xml",
        "report/cobranca_dunning_templates.xml",
        # views
        "views/cobranca_wallet_views.xml",
        "views/cobranca_boleto_views.xml",
        "views/cobranca_dunning_notice_views.xml",
        "views/account_move_views.xml",
        "views/res_bank_views.xml",
        "views/res_partner_views.xml",
        "views/res_company_views.xml",
        "views/res_config_settings_views.xml",
        "views/cobranca_email_menus.xml",
        "views/cobranca_mail_purpose_model_views.xml",
        "views/ir_mail_server_views.xml",
        "views/cobranca_email_log_views.xml",
        # wizards
        "wizards/cobranca_dunning_preview_views.xml",
        "wizards/cobranca_mail_server_link_wizard_views.xml",
        "wizards/cobranca_mail_server_branch_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cobranca_email/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/cobranca_email_demo.xml",
    ],
}
