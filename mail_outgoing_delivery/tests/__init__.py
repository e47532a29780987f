from . import test_delivery_retry
from . import test_delivery_connection
from . import test_delivery_oauth
from . import test_delivery_presets
