from . import cobranca_dunning_preview
