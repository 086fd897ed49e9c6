"""The account emails: verify an address, reset a password.

Mails go out after the transaction commits, so a rolled-back change never
sends a link that would not work.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction

from . import tokens
from .models import User


def send_verification(*, user: User, base_url: str, next_path: str = "") -> None:
    """Email a single-use, 24-hour link that verifies the address."""
    link = f"{base_url}/verify-email/{tokens.make(user, tokens.VERIFY)}/"
    if next_path:
        link = f"{link}?next={next_path}"
    body = (
        "Hello,\n\n"
        "Confirm your email address for OpSyn by opening this link within "
        f"24 hours:\n\n{link}\n\n"
        "If you did not sign up, ignore this message; nothing happens "
        "without the link.\n"
    )
    _send_after_commit(user.email, "Confirm your email address", body)


def send_password_reset(*, user: User, base_url: str) -> None:
    """Email a single-use, one-hour link for choosing a new password."""
    link = f"{base_url}/password/reset/{tokens.make(user, tokens.RESET)}/"
    body = (
        "Hello,\n\n"
        "Someone asked to reset the password of your OpSyn account. To "
        f"choose a new one, open this link within an hour:\n\n{link}\n\n"
        "Resetting signs you out everywhere else. If you did not ask, "
        "ignore this message: your password stays as it is.\n"
    )
    _send_after_commit(user.email, "Reset your password", body)


def send_invitation(*, email: str, organisation: str, link: str) -> None:
    """Email an invitation to join an organisation."""
    body = (
        "Hello,\n\n"
        f"You have been invited to join {organisation} on OpSyn. Accept "
        f"within 7 days by opening this link:\n\n{link}\n\n"
        "If you were not expecting this, ignore the message.\n"
    )
    _send_after_commit(email, f"Join {organisation} on OpSyn", body)


def _send_after_commit(to: str, subject: str, body: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [to], fail_silently=False)
    )
