from . import test_contract_boletos
from . import test_i18n
