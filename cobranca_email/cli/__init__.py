from . import cobranca_dunning
