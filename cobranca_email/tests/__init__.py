from . import test_i18n
from . import test_security
from . import test_email_log
from . import test_mail_queue_limits
from . import test_mail_server_config
from . import test_mail_server_resolution
from . import test_mail_server_smtp
