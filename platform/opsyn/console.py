"""The operator console (Django's admin on the platform host), gated by
global roles through the one policy.

``ConsoleAdminConfig`` replaces ``django.contrib.admin`` in the installed
apps so the default site is ``OperatorConsole``: only accounts holding a
global role (or the bootstrap superuser) get in, and each model page asks
the policy for ``platform.<model>`` through ``PolicyAdminMixin``. The site
adds the mixin to every model admin registered on it, so an app's
``admin.py`` needs no change; an admin's own stricter rule (a read-only
page, say) still applies on top of the policy.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import Model
from django.http import HttpRequest


class ConsoleAdminConfig(AdminConfig):
    default_site = "opsyn.console.OperatorConsole"


def _may(request: HttpRequest, action: str, entity: str, *, log: bool = False) -> bool:
    from tenant_apps.access import policy

    if not request.user.is_authenticated:
        return False
    actor = policy.actor_for_request(request)
    # Model pages ask on every render to decide what to show; only refused
    # entry to the console is worth a security log line.
    return policy.may(actor, action, entity, log_denial=log)


class OperatorConsole(admin.AdminSite):
    site_header = "OpSyn operator console"
    site_title = "OpSyn operators"
    index_title = "Platform"

    def register(
        self, model_or_iterable: Any, admin_class: Any = None, **options: Any
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PolicyAdminMixin):
            admin_class = type(
                admin_class.__name__, (PolicyAdminMixin, admin_class), {}
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Let in accounts whose global role may view the console."""
        return bool(request.user.is_active) and _may(
            request, "view", "platform.console", log=True
        )


class PolicyAdminMixin:
    """Decide a console page's permissions by the operator's global role.

    The entity is ``platform.<model name>``; Django's per-user permission
    tables are not consulted.
    """

    model: type[Model]

    def _entity(self) -> str:
        return f"platform.{self.model._meta.model_name}"

    def _decide(self, name: str, action: str, request: HttpRequest, *args: Any) -> bool:
        if not _may(request, action, self._entity()):
            return False
        if self._restricted_by_admin(name):
            return bool(getattr(super(), name)(request, *args))
        return True

    def _restricted_by_admin(self, name: str) -> bool:
        """Return whether the app's own admin class overrides ``name``."""
        for cls in type(self).__mro__:
            if cls is PolicyAdminMixin or issubclass(PolicyAdminMixin, cls):
                continue
            if cls.__module__.startswith("django.contrib.admin"):
                return False
            if name in vars(cls) and not issubclass(cls, PolicyAdminMixin):
                return True
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._decide("has_module_permission", "view", request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._decide("has_view_permission", "view", request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._decide("has_add_permission", "create", request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._decide("has_change_permission", "change", request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._decide("has_delete_permission", "delete", request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A console page that shows rows and never adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
