from . import test_boleto
from . import test_boleto_report
from . import test_demo
from . import test_dunning_cli
from . import test_dunning_documents
from . import test_dunning_plan
from . import test_i18n
from . import test_security
