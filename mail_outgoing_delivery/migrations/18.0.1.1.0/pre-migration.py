from odoo.tools import sql

# The OAuth problem of a server was kept by cobranca_email before this module took it over.
RENAMED = {
    "cobranca_oauth_error": "delivery_oauth_error",
    "cobranca_oauth_error_date": "delivery_oauth_error_date",
}


def migrate(cr, version):
    for old, new in RENAMED.items():
        if sql.column_exists(cr, "ir_mail_server", old) and not sql.column_exists(cr, "ir_mail_server", new):
            sql.rename_column(cr, "ir_mail_server", old, new)
