"""The OpSyn Django project: settings, URL maps, Celery app, CLI."""

from .celery import app as celery_app

__all__ = ["celery_app"]
