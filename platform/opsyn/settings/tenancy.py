"""Which apps live in which schema, and how tenants are found.

This is the one place that builds ``SHARED_APPS`` and ``TENANT_APPS``. The
folder decides: every app under ``shared_apps/`` has its tables in the public
schema, every app under ``tenant_apps/`` has them in each tenant schema.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from opsyn import env


def _apps_under(package: str) -> list[str]:
    """Return the apps in a package, found where the package is installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed")
    found = sorted(
        path.parent.name
        for location in spec.submodule_search_locations
        for path in Path(location).glob("*/apps.py")
    )
    return [f"{package}.{name}" for name in found]


FRAMEWORK_APPS = [
    "django.contrib.auth",
    # Django's admin, with the operator console as its default site: entry
    # and every page are decided by global roles (shared_apps/operators).
    "opsyn.console.ConsoleAdminConfig",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # TOTP (RFC 6238) comes from django-otp's OATH code; the device model
    # with its encrypted key is shared_apps.accounts.TOTPDevice.
    "django_otp",
    # After the admin: its admin templates expect a public tenant row, which
    # this platform does not keep; the admin's own templates must win.
    "django_tenants",
]

SHARED_APPS = [
    # In both lists: content types are referenced by rows in either schema
    # (admin log entries in public, generic relations in tenant apps), and
    # each schema needs the ids its own rows point at.
    "django.contrib.contenttypes",
    *FRAMEWORK_APPS,
    *_apps_under("shared_apps"),
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    *_apps_under("tenant_apps"),
]

INSTALLED_APPS = [*SHARED_APPS, *[a for a in TENANT_APPS if a not in SHARED_APPS]]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "opsyn.urls.platform"
ROOT_URLCONF = "opsyn.urls.tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
TENANT_LIMIT_SET_CALLS = True

OPSYN_PLATFORM_HOST = env.PLATFORM_HOST
OPSYN_SCHEMA_POOL_SIZE = env.SCHEMA_POOL_SIZE
# Regions a tenant's data may be placed in. UK South is the default; EU
# regions are available on request and listed here explicitly.
OPSYN_DEFAULT_REGION = "uksouth"
OPSYN_REGIONS = {
    "uksouth": "UK South",
    "ukwest": "UK West",
    "westeurope": "West Europe",
    "northeurope": "North Europe",
    "francecentral": "France Central",
    "germanywestcentral": "Germany West Central",
    "swedencentral": "Sweden Central",
}
# How long a host → tenant lookup is cached; changes invalidate it sooner.
OPSYN_ROUTING_CACHE_SECONDS = 300
# How long deletion waits between taking a tenant off the routes and dropping
# its schema: the per-process route memo's lifetime (tenants.caching).
OPSYN_ROUTE_DRAIN_SECONDS = 5.0
