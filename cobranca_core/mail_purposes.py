"""What a billing e-mail is for: the purpose keys shared by every part of cobranca_email.

A mail server can be the default of a company for each purpose, the e-mail log records the purpose
of every message, and the features that send billing e-mail (boletos, dunning letters, notices)
pass one of these keys to the addon's resolution rule. The keys are stored in the database: add new
ones, never rename them. The labels are English; the addon translates them.
"""

BOLETO = "boleto"
DUNNING = "dunning"
NOTICE = "notice"
CONTRACT_APPROVAL = "contract_approval"
SALES_NOTIFICATION = "sales_notification"
AGREEMENT_APPROVAL = "agreement_approval"
EXPENSE_APPROVAL = "expense_approval"
TEST = "test"

#: Purposes a mail server can be the default for, in the order the seeds list them.
SERVER_PURPOSES = (
    (BOLETO, "Boletos"),
    (DUNNING, "Dunning letters"),
    (NOTICE, "Boleto notices (due and overdue)"),
    (CONTRACT_APPROVAL, "Contract approval"),
    (SALES_NOTIFICATION, "Overdue sales notification"),
    (AGREEMENT_APPROVAL, "Agreement approval"),
    (EXPENSE_APPROVAL, "Expense approval"),
)

#: Purposes of the e-mail log: the server purposes plus the test e-mail of a server.
LOG_PURPOSES = (*SERVER_PURPOSES, (TEST, "Test e-mail"))

SERVER_PURPOSE_KEYS = tuple(key for key, _label in SERVER_PURPOSES)

#: Purposes of the billing e-mail this addon sends itself; the others are e-mails of other modules'
#: documents (contracts, sales orders, expenses), which a server marked for them sends.
BILLING_PURPOSE_KEYS = (BOLETO, DUNNING, NOTICE)
OTHER_PURPOSE_KEYS = tuple(key for key in SERVER_PURPOSE_KEYS if key not in BILLING_PURPOSE_KEYS)
