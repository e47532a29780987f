from . import cobranca_email_log
from . import cobranca_mail_server_company
from . import ir_mail_server
from . import mail_mail
from . import mail_message
from . import mail_thread
from . import res_company
from . import res_partner
