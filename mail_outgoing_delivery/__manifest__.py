# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Outgoing Mail Delivery",
    "summary": "Retries, sending limits, per-server timeout and certificate check, provider presets, test e-mail",
    "version": "18.0.1.1.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/cobranca-email/cobranca_email",
    "author": "cobranca_email developers",
    "maintainers": [],
    "license": "AGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "depends": ["mail"],
    "external_dependencies": {
        "python": ["cobranca-core"],
    },
    "data": [
        "views/ir_mail_server_views.xml",
        "views/mail_mail_views.xml",
    ],
}
