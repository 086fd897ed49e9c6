"""Settings for the test suite: the platform's, with test-only isolation.

Tests keep cache and broker entries in their own Redis database, so
flushing between tests never touches a developer's running platform.
"""

from opsyn import env
from opsyn.settings import *  # noqa: F403
from opsyn.settings import CACHES

# OPSYN_TEST_REDIS_DB picks the pair of databases (broker, broker + 1 for the
# cache), so concurrent runs on one machine can be kept apart too.
_BROKER_DB = env.number("OPSYN_TEST_REDIS_DB", 14)
for _alias in CACHES.values():
    _alias["LOCATION"] = env.with_redis_db(env.REDIS_URL, _BROKER_DB + 1)
CELERY_BROKER_URL = env.with_redis_db(env.REDIS_URL, _BROKER_DB)
OPSYN_SCHEMA_POOL_SIZE = 1
# Tests run one process; nothing else holds a route to drain.
OPSYN_ROUTE_DRAIN_SECONDS = 0.0
# One test database per run name, so concurrent runs never share one.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env.text("OPSYN_TEST_DATABASE", "test_opsyn")
}
# Fast hashing keeps fixtures quick; production hashing has its own tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The shared fixture members (tests/conftest.py) sign in by password alone
# in suites that are not about identity; every other account, including
# all of the identity suite's, is held to the two-factor policy.
OPSYN_TWO_FACTOR_EXEMPT_EMAILS = (
    "member@alpha.example.com",
    "member@bravo.example.com",
)
