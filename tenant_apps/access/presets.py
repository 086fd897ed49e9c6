"""The preset roles, defined from the catalogue.

viewer: view every non-administrative entity, all records.
contributor: as viewer, plus create, change and delete its own records.
admin: every action on every entity, all records.
"""

from __future__ import annotations

from .catalogue import Catalogue, Scope

VIEWER = "viewer"
CONTRIBUTOR = "contributor"
ADMIN = "admin"
PRESETS = {
    VIEWER: ("Viewer", "Sees everything, changes nothing."),
    CONTRIBUTOR: ("Contributor", "Sees everything; adds and edits their own."),
    ADMIN: ("Admin", "Everything, including members, roles and settings."),
}

Table = dict[tuple[str, str], Scope]


def preset_grants(key: str, catalogue: Catalogue) -> Table:
    """Return the (entity, action) → scope table of a preset role."""
    table: Table = {}
    for entity in catalogue.entities.values():
        for action in entity.actions:
            if key == ADMIN:
                table[(entity.name, action)] = Scope.ALL
            elif entity.administrative:
                continue
            elif action == "view":
                table[(entity.name, action)] = Scope.ALL
            elif key == CONTRIBUTOR and action in ("create", "change", "delete"):
                table[(entity.name, action)] = Scope.OWN
    return table
