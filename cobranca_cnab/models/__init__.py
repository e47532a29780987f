from . import cobranca_cnab_file
from . import cobranca_cnab_line
from . import cobranca_wallet
from . import cobranca_boleto
from . import account_move
from . import cobranca_dunning
