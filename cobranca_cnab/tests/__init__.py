from . import test_remessa
from . import test_retorno
from . import test_gate
from . import test_i18n
