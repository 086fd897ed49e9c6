"""The local demo: tenant ``acme`` on acme.localhost, a member, an operator.

Idempotent: running it again changes nothing that exists. Passwords are
generated once per checkout and kept in the state folder.
"""

from __future__ import annotations

import secrets

from django.conf import settings

from opsyn import env
from shared_apps.accounts.models import RecoveryCode, TOTPDevice, User
from shared_apps.accounts.services import create_user
from shared_apps.tenants import schemas, services
from shared_apps.tenants.activation import tenant_scope
from shared_apps.tenants.models import Tenant
from tenant_apps.contacts.models import Contact
from tenant_apps.contacts.services import create_contact
from tenant_apps.members.models import Membership, Role
from tenant_apps.members.services import add_member

ACTOR = "demo"
TENANT_SLUG = "acme"
TENANT_HOST = "acme.localhost"
MEMBER_EMAIL = "ada@example.com"
OPERATOR_EMAIL = "operator@example.com"
CONTACTS = [
    ("Grace Hopper", "grace@navy.example", "Compilers Ltd"),
    ("Alan Turing", "alan@bletchley.example", "Bletchley Park"),
    ("Katherine Johnson", "katherine@nasa.example", "Langley"),
]


def ensure_demo() -> list[str]:
    """Make sure the demo exists; return the lines that tell how to sign in."""
    tenant = Tenant.objects.filter(slug=TENANT_SLUG).first() or (
        services.provision_tenant(
            actor=ACTOR, name="Acme Ltd", slug=TENANT_SLUG, domain=TENANT_HOST
        )
    )
    member_password = _password("demo-member")
    operator_password = _password("demo-operator")
    member = _user(MEMBER_EMAIL, member_password, full_name="Ada Lovelace")
    _user(OPERATOR_EMAIL, operator_password, is_staff=True, is_superuser=True)

    with tenant_scope(tenant):
        if not Membership.objects.filter(user_id=member.pk).exists():
            add_member(actor=ACTOR, user=member, role=Role.ADMIN)
        if not Contact.objects.exists():
            for name, email, organisation in CONTACTS:
                create_contact(
                    actor_id=member.pk,
                    name=name,
                    email=email,
                    organisation=organisation,
                )
    schemas.fill_pool(settings.OPSYN_SCHEMA_POOL_SIZE)

    return [
        f"demo member:  {MEMBER_EMAIL} / {member_password}  (tenant {TENANT_HOST})",
        f"operator:     {OPERATOR_EMAIL} / {operator_password}  (operator console)",
    ]


def _user(email: str, password: str, **fields: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # The demo vouches for its own made-up addresses.
        user = create_user(
            actor=ACTOR, email=email, password=password, email_verified=True
        )
    changed = {k: v for k, v in fields.items() if getattr(user, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(user, key, value)
        user.save(update_fields=list(changed))
    if not user.check_password(password):
        # The database may hold the demo from another checkout (a shared
        # local server); the password this checkout prints must sign in,
        # and a second factor enrolled there would keep this one out.
        user.set_password(password)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    return user


def _password(name: str) -> str:
    path = env.STATE_DIR / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()
