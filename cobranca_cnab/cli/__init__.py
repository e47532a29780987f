from . import cobranca_remessa
from . import cobranca_retorno
