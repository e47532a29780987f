from . import test_i18n
from . import test_security
