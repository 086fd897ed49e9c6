"""Global user accounts, and the index of which tenants a user belongs to."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normalise_email(email: str) -> str:
    """Return the form an email address is stored and compared in."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **fields: Any
    ) -> User:
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalise_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person, with one account across every organisation.

    Staff users are platform operators; organisation membership lives in
    each tenant's schema.
    """

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Platform operator: may use the operator console."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Unverified accounts cannot sign in; set when the emailed link is used.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None


class MembershipIndex(models.Model):
    """Derived: which tenants a user is a member of, for sign-in.

    The tenant schema's memberships are authoritative; this table is
    rebuilt from them by ``opsyn accounts rebuild-index``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tenant"], name="membership_index_unique"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in tenant {self.tenant_id}"


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238), one per user.

    The shared secret is stored encrypted (``opsyn.secrets``); an
    unconfirmed device never counts as a second factor. ``last_used_step``
    is the newest 30-second step accepted, so a code is never taken twice.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device"
    )
    encrypted_key = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"authenticator of user {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator; stored hashed."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code_hash"], name="recovery_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"
