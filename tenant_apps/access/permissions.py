"""The organisation's own entities: members, roles and settings.

These belong to the ``organisation`` module, which cannot be switched off,
and are administrative: only organisation admins (or custom roles granted
them explicitly) reach them. Entities of modules still being built are
declared here provisionally, so roles can be composed for them already;
each module's own ``permissions.py`` replaces its entry when it lands.
"""

from .catalogue import catalogue

catalogue.module("organisation", "Organisation", toggleable=False)
for name, label, owner in (
    ("members.membership", "Members", "user_id"),
    ("members.invitation", "Invitations", None),
    ("access.role", "Roles", None),
    ("sessions.session", "Sessions", "user_id"),
    ("audit.event", "Audit log", None),
    ("webhooks.endpoint", "Webhooks", None),
    ("apikeys.key", "API keys", None),
    ("retention.policy", "Retention policy", None),
    ("exports.export", "Exports", None),
):
    catalogue.entity(
        name,
        module="organisation",
        label=label,
        owner_field=owner,
        administrative=True,
        provisional=name.split(".")[0] not in ("members", "access"),
    )
