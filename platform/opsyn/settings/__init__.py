"""Django settings for OpSyn, split by topic.

Each topic module reads its values from ``opsyn.env``; nothing here reads
``os.environ`` directly.
"""

from .audit import *  # noqa: F403
from .core import *  # noqa: F403
from .jobs import *  # noqa: F403
from .mail import *  # noqa: F403
from .observability import *  # noqa: F403
from .security import *  # noqa: F403
from .tenancy import *  # noqa: F403
