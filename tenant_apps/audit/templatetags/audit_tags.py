"""Show an event's changes as rows of field, before, after."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


def _show(value: Any) -> str:
    if value is None:
        return "∅"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@register.filter
def diff_rows(changes: Any) -> list[tuple[str, str, str]]:
    """Return (field, old, new) for each changed field; secrets say so."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for field, change in sorted(changes.items()):
        if not isinstance(change, dict):
            rows.append((field, "", _show(change)))
        elif change.get("changed"):
            rows.append((field, "(secret)", "(changed, not recorded)"))
        else:
            old = _show(change["old"]) if "old" in change else ""
            new = _show(change["new"]) if "new" in change else ""
            rows.append((field, old, new))
    return rows
