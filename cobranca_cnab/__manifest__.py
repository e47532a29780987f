# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Billing E-mail - CNAB (boleto registration)",
    "summary": "Registers boletos with the bank: CNAB 240/400 remessa files per billing wallet, retorno "
    "import with registrations, rejections, write-offs and payments",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/cobranca-email/cobranca_email",
    "author": "cobranca_email developers",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": [
        "account",
        "cobranca_email",
    ],
    "external_dependencies": {
        "python": ["cobranca-core"],
    },
    "data": [
        # security
        "security/cobranca_cnab_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/ir_cron_data.xml",
        # views
        "views/cobranca_cnab_file_views.xml",
        "views/cobranca_wallet_views.xml",
        "views/cobranca_boleto_views.xml",
        "views/account_move_views.xml",
        "views/cobranca_cnab_menus.xml",
        # wizards
        "wizards/cobranca_cnab_import_views.xml",
    ],
    "demo": [
        "demo/cobranca_cnab_demo.xml",
    ],
}
