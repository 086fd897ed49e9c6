"""Changes to operators' global roles."""

from __future__ import annotations

import logging

from django.db import transaction

from opsyn.errors import InvalidInput, NotFound
from shared_apps.accounts.models import User, normalise_email

from .models import GlobalRole, OperatorRole

security_log = logging.getLogger("opsyn.security")


def assign_global_role(*, actor: str, email: str, role: str) -> OperatorRole:
    """Give an account a global role (replacing any it had)."""
    if role not in GlobalRole.values:
        raise InvalidInput(
            f"Global role {role!r} does not exist; choose one of "
            f"{', '.join(GlobalRole.values)}."
        )
    user = User.objects.filter(email=normalise_email(email)).first()
    if user is None:
        raise NotFound(f"No account for {email!r}.")
    with transaction.atomic():
        found, _ = OperatorRole.objects.update_or_create(
            user=user, defaults={"role": role, "granted_by": actor}
        )
        # Staff status marks an operator elsewhere (the second-factor rule).
        User.objects.filter(pk=user.pk).update(is_staff=True)
    security_log.info(
        "operator.role_assigned",
        extra={"actor": actor, "user_id": user.pk, "role": role},
    )
    return found


def remove_global_role(*, actor: str, email: str) -> None:
    """Take an account's global role away."""
    email = normalise_email(email)
    with transaction.atomic():
        deleted, _ = OperatorRole.objects.filter(user__email=email).delete()
        if not deleted:
            raise NotFound(f"{email!r} holds no global role.")
        User.objects.filter(email=email, is_superuser=False).update(is_staff=False)
    security_log.info("operator.role_removed", extra={"actor": actor, "email": email})
