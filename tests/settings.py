"""Settings for the test suite: the platform's, with test-only isolation.

Tests keep cache and broker entries in their own Redis database, so
flushing between tests never touches a developer's running platform.
"""

from opsyn import env
from opsyn.settings import *  # noqa: F403
from opsyn.settings import CACHES

TEST_REDIS_URL = env.text(
    "OPSYN_TEST_REDIS_URL", env.REDIS_URL.rsplit("/", 1)[0] + "/15"
)
for _alias in CACHES.values():
    _alias["LOCATION"] = TEST_REDIS_URL
CELERY_BROKER_URL = TEST_REDIS_URL
OPSYN_SCHEMA_POOL_SIZE = 1
# Fast hashing keeps fixtures quick; production hashing has its own tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
