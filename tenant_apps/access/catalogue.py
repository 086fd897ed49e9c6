"""The one catalogue of modules, entities and actions.

Every app that owns data declares what it holds in its own
``permissions.py``: the module it belongs to, its entities (with stable
dotted names such as ``contacts.contact``) and any actions beyond the
standard ones. ``discover()`` imports those modules once at start-up. The
policy, the members screen, the role matrix and the tests all read the
catalogue, so a new module gets enforcement and an admin screen by
declaring itself here and nothing else.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
from dataclasses import dataclass, field

from django.apps import apps


class Scope(enum.IntEnum):
    """How much of an entity a grant reaches; a larger value reaches more."""

    NONE = 0
    OWN = 1
    ALL = 2

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> Scope:
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown scope {key!r}") from None


STANDARD_ACTIONS = ("view", "create", "change", "delete", "export", "administer")


@dataclass(frozen=True)
class Module:
    """A product area an organisation can switch on or off.

    ``toggleable=False`` marks the organisation's own machinery (members,
    roles): switching it off would lock every admin out.
    """

    key: str
    label: str
    toggleable: bool = True


@dataclass(frozen=True)
class Entity:
    """A kind of record that permissions are granted on.

    ``owner_field`` names the column holding the user id of the member who
    created or is assigned a record; without one, "own" scope reaches no
    records. ``administrative`` entities (members, roles, sessions,
    settings) are reserved to organisation admins by the presets.
    """

    name: str
    module: str
    label: str
    actions: tuple[str, ...] = STANDARD_ACTIONS
    owner_field: str | None = None
    administrative: bool = False


@dataclass
class Catalogue:
    modules: dict[str, Module] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    _provisional: set[str] = field(default_factory=set)

    def module(self, key: str, label: str, *, toggleable: bool = True) -> Module:
        """Declare a module (idempotent for the same declaration)."""
        declared = Module(key, label, toggleable)
        existing = self.modules.setdefault(key, declared)
        if existing != declared:
            raise ValueError(f"module {key!r} is declared twice, differently")
        return declared

    def entity(
        self,
        name: str,
        *,
        module: str,
        label: str,
        extra_actions: tuple[str, ...] = (),
        owner_field: str | None = None,
        administrative: bool = False,
        provisional: bool = False,
    ) -> Entity:
        """Declare an entity of a declared module.

        A ``provisional`` declaration stands in for a module still being
        built; the module's own declaration replaces it, in either order.
        """
        if module not in self.modules:
            raise ValueError(f"entity {name!r} names undeclared module {module!r}")
        if name.count(".") != 1:
            raise ValueError(f"entity names are 'app.thing', not {name!r}")
        declared = Entity(
            name,
            module,
            label,
            (*STANDARD_ACTIONS, *extra_actions),
            owner_field,
            administrative,
        )
        existing = self.entities.get(name)
        if existing is not None and name in self._provisional and not provisional:
            self._provisional.discard(name)
            existing = None
        if existing is None:
            self.entities[name] = declared
            if provisional:
                self._provisional.add(name)
            return declared
        if provisional and name not in self._provisional:
            return existing
        if existing != declared:
            raise ValueError(f"entity {name!r} is declared twice, differently")
        return declared

    def get(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise LookupError(f"entity {name!r} is not in the catalogue") from None

    def actions(self) -> tuple[str, ...]:
        """Return every action any entity declares, standard ones first."""
        seen = list(STANDARD_ACTIONS)
        for entity in self.entities.values():
            seen.extend(a for a in entity.actions if a not in seen)
        return tuple(seen)

    def of_module(self, module: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.module == module]


catalogue = Catalogue()


def discover() -> None:
    """Import ``permissions`` from every installed app that has one."""
    for config in apps.get_app_configs():
        name = f"{config.name}.permissions"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
