from django.conf import settings


def test_tests_use_their_own_redis_database() -> None:
    assert settings.CACHES["platform"]["LOCATION"].endswith("/15")
