"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from opsyn import monitoring

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")
monitoring.configure()

application = get_asgi_application()
