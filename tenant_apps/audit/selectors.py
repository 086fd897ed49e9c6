"""Reads of the organisation's audit log: filtered, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from opsyn.errors import InvalidInput

from .models import AuditEvent

ENTITY = "audit.event"
ACTIONS = ("INSERT", "UPDATE", "DELETE", "EVENT")


@dataclass(frozen=True)
class EventFilter:
    actor: str = ""
    entity: str = ""
    object_id: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> EventFilter:
        """Build a filter from a page's query string, refusing bad values."""
        action = (query.get("action") or "").strip().upper()
        if action and action not in ACTIONS:
            raise InvalidInput(f"Action {action!r} is not one of {', '.join(ACTIONS)}.")
        return cls(
            actor=(query.get("actor") or "").strip(),
            entity=(query.get("entity") or "").strip(),
            object_id=(query.get("object") or "").strip(),
            action=action,
            since=_moment(query.get("since"), "since"),
            until=_moment(query.get("until"), "until"),
        )

    def as_query(self) -> dict[str, str]:
        values = {
            "actor": self.actor,
            "entity": self.entity,
            "object": self.object_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


def _moment(raw: str | None, name: str) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    refusal = InvalidInput(
        f"{name.title()} {raw!r} is not a date (YYYY-MM-DD) or date and time."
    )
    try:
        moment = parse_datetime(raw)
        if moment is None and len(raw) == 10:
            day = parse_date(raw)
            moment = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        # Well formed but impossible: month 13, 30 February, hour 25.
        raise refusal from None
    if moment is None:
        raise refusal
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise InvalidInput(f"{name.title()} {raw!r} has a UTC offset beyond ±14:00.")
    moment = moment if moment.tzinfo else make_aware(moment)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{name.title()} {raw!r} is out of range.") from None
    return moment


# The widest offset any time zone uses (Kiribati, +14:00).
MAX_UTC_OFFSET = timedelta(hours=14)


def events_matching(selected: EventFilter) -> QuerySet[AuditEvent]:
    """Return the current organisation's events that match the filter."""
    events = AuditEvent.objects.all()
    if selected.actor:
        events = events.filter(actor=selected.actor)
    if selected.entity:
        events = events.filter(table_name=selected.entity)
    if selected.object_id:
        events = events.filter(object_id=selected.object_id)
    if selected.action:
        events = events.filter(operation=selected.action)
    if selected.since:
        events = events.filter(occurred_at__gte=selected.since)
    if selected.until:
        events = events.filter(occurred_at__lt=selected.until)
    return events


def event_page(
    selected: EventFilter, *, before: int | None, size: int
) -> list[AuditEvent]:
    """Return up to ``size`` events older than id ``before``, newest first."""
    events = events_matching(selected).order_by("-id")
    if before is not None:
        events = events.filter(id__lt=before)
    return list(events[:size])


def entities_seen() -> list[str]:
    """Return the table names that appear in the log, for the filter form."""
    return list(
        AuditEvent.objects.order_by()
        .values_list("table_name", flat=True)
        .distinct()
        .order_by("table_name")
    )
