"""Errors reach Sentry, without credentials or request bodies."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import sentry_sdk
from django.test import Client

from opsyn import env, monitoring
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def sentry_server(monkeypatch) -> Iterator[list[bytes]]:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(
        env, "SENTRY_DSN", f"http://public@127.0.0.1:{server.server_port}/1"
    )
    assert monitoring.configure()
    yield _Collector.received
    sentry_sdk.get_client().close()
    sentry_sdk.init()
    server.shutdown()


def _events(received: list[bytes]) -> list[dict[str, Any]]:
    events = []
    for envelope in received:
        for line in envelope.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                events.append(item)
    return events


def test_monitoring_stays_off_without_a_dsn(monkeypatch) -> None:
    monkeypatch.setattr(env, "SENTRY_DSN", "")
    assert monitoring.configure() is False


def test_an_unhandled_error_on_a_tenant_page_reaches_sentry_scrubbed(
    two_tenants, sentry_server, monkeypatch
) -> None:
    alpha, _ = two_tenants
    client = Client(HTTP_HOST=alpha.host, raise_request_exception=False)
    client.post("/sign-in/", {"username": alpha.member_email, "password": PASSWORD})

    def broken(**_: object) -> None:
        raise RuntimeError("contacts store unavailable")

    monkeypatch.setattr("tenant_apps.contacts.selectors.contacts_listed", broken)
    response = client.get("/contacts/")
    sentry_sdk.flush(timeout=5)

    assert response.status_code == 500
    events = _events(sentry_server)
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["value"] == "contacts store unavailable"
    headers = event["request"].get("headers", {})
    cookies = [v for name, v in headers.items() if name.lower() == "cookie"]
    assert all(value == "[scrubbed]" for value in cookies)
    assert "cookies" not in event["request"]
    assert client.cookies["opsyn-session"].value not in json.dumps(event)
    assert PASSWORD not in json.dumps(event)
