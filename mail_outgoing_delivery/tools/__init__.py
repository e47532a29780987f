from . import smtp_connection
from . import smtp_hints
from . import sending_windows
