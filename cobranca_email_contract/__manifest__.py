# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Billing E-mail - Contracts",
    "summary": "Boleto delivery and wallet per contract (OCA contract): invoices generated from a contract "
    "e-mail their boletos like any posted invoice",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/cobranca-email/cobranca_email",
    "author": "cobranca_email developers",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "auto_install": True,
    "depends": [
        "cobranca_email",
        "contract",
    ],
    "data": [
        "views/contract_contract_views.xml",
    ],
}
