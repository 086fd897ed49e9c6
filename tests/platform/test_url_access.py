"""Every page declares who may reach it."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver

from opsyn.access import declared_access

# The operator console is Django's admin: staff-only by its own checks, and
# its views are not ours to decorate.
ADMIN_PREFIXES = ("console/",)


def _patterns(resolver_list, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in resolver_list:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(ADMIN_PREFIXES):
                continue
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


@pytest.mark.parametrize(
    "urlconf", [settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF]
)
def test_every_view_declares_its_access(urlconf: str) -> None:
    patterns = import_module(urlconf).urlpatterns
    undeclared = [
        route for route, view in _patterns(patterns) if declared_access(view) is None
    ]
    assert undeclared == []
