"""Logging, error monitoring and telemetry."""

from __future__ import annotations

from opsyn import env

OPSYN_SENTRY_DSN = env.SENTRY_DSN
OPSYN_APPINSIGHTS_CONNECTION_STRING = env.APPINSIGHTS_CONNECTION_STRING
OPSYN_ENVIRONMENT = env.ENVIRONMENT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "opsyn.logs.ContextFilter"},
    },
    "formatters": {
        "event": {"()": "opsyn.logs.EventFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "event",
        },
    },
    "root": {"handlers": ["console"], "level": env.LOG_LEVEL},
    "loggers": {
        # Django's own console handler would print every line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "opsyn.security": {"level": "INFO"},
    },
}
