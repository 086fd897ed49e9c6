"""Outgoing email: SMTP when configured, the console in development."""

from __future__ import annotations

from opsyn import env

if env.SMTP_HOST or not env.DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # scripts/run prints every mail (verification links, resets) here.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env.SMTP_HOST or "localhost"
EMAIL_PORT = env.SMTP_PORT
EMAIL_HOST_USER = env.SMTP_USER
EMAIL_HOST_PASSWORD = env.SMTP_PASSWORD
EMAIL_USE_TLS = env.SMTP_STARTTLS
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.MAIL_FROM
SERVER_EMAIL = env.MAIL_FROM
# Links in emails name the tenant's primary host and, in development, this port.
OPSYN_PUBLIC_PORT = env.PUBLIC_PORT
