from . import cobranca_dunning_preview
from . import cobranca_mail_server_branch_wizard
from . import cobranca_mail_server_link_wizard
