from . import test_delivery_retry
