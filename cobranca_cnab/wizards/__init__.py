from . import cobranca_cnab_import
