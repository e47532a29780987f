from . import models
from . import wizards

# odoo-bin finds commands by importing the addons that have a cli/ folder: cobranca-dunning.
from . import cli
