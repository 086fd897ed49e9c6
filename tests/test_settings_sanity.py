from django.conf import settings


def test_tests_use_their_own_redis_database() -> None:
    assert settings.CACHES["platform"]["LOCATION"].endswith(
        f"/{int(settings.CELERY_BROKER_URL.rsplit('/', 1)[1]) + 1}"
    )
