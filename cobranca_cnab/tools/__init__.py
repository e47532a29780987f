"""Code of the addon that is not a model: the remessa generator, the retorno importer and the
values they exchange with cobranca_core.cnab."""
