"""WSGI entry point (gunicorn opsyn.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from opsyn import monitoring

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsyn.settings")
monitoring.configure()

application = get_wsgi_application()
