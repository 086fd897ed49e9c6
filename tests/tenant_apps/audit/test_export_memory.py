"""Exporting 100,000 events streams in bounded memory and still verifies."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from django.db import connection

from shared_apps.audit.chain import verify_lines
from tenant_apps.audit import exports
from tenant_apps.audit.selectors import EventFilter

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EVENTS = 100_000
# Loading the events would take well over 100 MB (about 1 kB each as dicts).
PEAK_BYTES = 16 * 1024 * 1024


def test_export_of_100k_events_streams_in_bounded_memory_and_verifies(alpha) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_contact (name, email, phone, organisation, notes, "
            "created_at, updated_at) SELECT 'Bulk ' || g, '', '', '', '', now(), "
            "now() FROM generate_series(1, %s) g",
            [EVENTS],
        )
    lines = 0

    def counted() -> Iterator[str]:
        nonlocal lines
        for chunk in exports.stream(EventFilter(), fmt="jsonl"):
            lines += 1
            yield chunk

    tracemalloc.start()
    try:
        verdict = verify_lines(counted())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert verdict.ok, verdict.describe()
    assert lines >= EVENTS
    assert verdict.checked == lines
    assert peak < PEAK_BYTES, f"peak {peak / 1e6:.1f} MB"
