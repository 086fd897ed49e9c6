"""Settings for the test suite: the platform's, with test-only isolation.

Tests keep cache and broker entries in their own Redis database, so
flushing between tests never touches a developer's running platform.
"""

from opsyn import env
from opsyn.settings import *  # noqa: F403
from opsyn.settings import CACHES

for _alias in CACHES.values():
    _alias["LOCATION"] = env.with_redis_db(env.REDIS_URL, 15)
CELERY_BROKER_URL = env.with_redis_db(env.REDIS_URL, 14)
OPSYN_SCHEMA_POOL_SIZE = 1
# One test database per run name, so concurrent runs never share one.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env.text("OPSYN_TEST_DATABASE", "test_opsyn")
}
# Fast hashing keeps fixtures quick; production hashing has its own tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
