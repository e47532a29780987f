from . import models
from . import wizards

# odoo-bin finds commands by importing the addons that have a cli/ folder: cobranca-remessa, cobranca-retorno.
from . import cli
