"""Sign-in throughput on a running server against one Argon2 verification.

A gunicorn server (one worker, one thread) runs the platform on the
scratch database; this process signs a member in over HTTP again and
again, one request at a time: each POST checks the throttle in Redis,
finds the account, verifies the password with Argon2id, checks the
membership, rotates the session and writes it. The baseline is the bare
cost of one Argon2 verification of the same password with the same hasher
settings, in this process. The two alternate in rounds so drift falls on
both. Everything around the hash should add less than 20%.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench import benchlib

TARGET_PERCENT = 20.0
HOST = "acme.bench.test"
EMAIL = "bench.member@example.com"
PASSWORD = "benchmark walrus tangerine oboe"


def main() -> int:
    parser = benchlib.parser("signin", __doc__ or "")
    parser.add_argument("--requests", type=int, default=200, help="timed sign-ins")
    parser.add_argument("--rounds", type=int, default=10, help="alternations")
    parser.add_argument("--warmup", type=int, default=10, help="untimed sign-ins")
    args = parser.parse_args()

    with benchlib.scratch_database(args.database):
        _prepare()
        port = _free_port()
        server = _start_server(port)
        try:
            signins, hashes = _measure(
                port=port,
                requests=args.requests,
                rounds=max(1, args.rounds),
                warmup=args.warmup,
            )
        finally:
            server.terminate()
            server.wait(timeout=20)

    signin_median = benchlib.median(signins)
    hash_median = benchlib.median(hashes)
    added = (signin_median / hash_median - 1) * 100
    benchlib.result(
        f"signin: sign-in median {benchlib.ms(signin_median)} "
        f"({1 / signin_median:.1f}/s on one worker), Argon2 verification median "
        f"{benchlib.ms(hash_median)}, ratio {signin_median / hash_median:.2f}, "
        f"{added:+.1f}% added latency around the hash (target < {TARGET_PERCENT:g}%, "
        f"{benchlib.verdict(added < TARGET_PERCENT)}; {len(signins)} sign-ins)"
    )
    return 0


def _prepare() -> None:
    """Provision a tenant with a verified member who may skip 2FA."""
    from shared_apps.accounts.services import create_user
    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import tenant_scope
    from tenant_apps.identity_settings.models import IdentitySettings
    from tenant_apps.members.services import add_member

    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Acme", slug="acme", domain=HOST
    )
    user = create_user(
        actor="bench", email=EMAIL, password=PASSWORD, email_verified=True
    )
    with tenant_scope(tenant):
        add_member(actor="bench", user=user, role="viewer")
        # The second factor is a separate request; this measures the password.
        IdentitySettings.objects.create(two_factor_policy="optional")


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(benchlib.REPO_ROOT)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "opsyn.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=benchlib.REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("signin: the web server did not start")


def _measure(
    *, port: int, requests: int, rounds: int, warmup: int
) -> tuple[list[float], list[float]]:
    from django.contrib.auth.hashers import check_password

    from shared_apps.accounts.models import User

    encoded = User.objects.get(email=EMAIL).password
    if not encoded.startswith("argon2$"):
        raise SystemExit(f"signin: the password is not Argon2-hashed ({encoded[:10]})")
    form = _sign_in_form(port)

    def sign_ins(count: int) -> list[float]:
        return [_sign_in(port, form) for _ in range(count)]

    def verifications(count: int) -> list[float]:
        return [
            benchlib.timed(lambda: check_password(PASSWORD, encoded))
            for _ in range(count)
        ]

    sign_ins(warmup)
    verifications(warmup)
    signins: list[float] = []
    hashes: list[float] = []
    per_round = max(1, requests // rounds)
    for number in range(rounds):
        if number % 2:
            hashes += verifications(per_round)
            signins += sign_ins(per_round)
        else:
            signins += sign_ins(per_round)
            hashes += verifications(per_round)
        benchlib.progress(f"signin: round {number + 1}/{rounds}")
    return signins, hashes


def _sign_in_form(port: int) -> tuple[str, str]:
    """Return a CSRF cookie and the matching form token."""
    status, headers, body = _request(port, "GET", "/sign-in/")
    cookie = next(
        value.split(";", 1)[0]
        for name, value in headers
        if name.lower() == "set-cookie" and "csrf" in value
    )
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise SystemExit(f"signin: the sign-in page answered {status}")
    return cookie, token.group(1).decode()


def _sign_in(port: int, form: tuple[str, str]) -> float:
    cookie, token = form
    body = urlencode(
        {"csrfmiddlewaretoken": token, "username": EMAIL, "password": PASSWORD}
    )
    start = time.perf_counter()
    status, headers, _ = _request(
        port,
        "POST",
        "/sign-in/",
        body=body,
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    elapsed = time.perf_counter() - start
    signed_in = any(
        name.lower() == "set-cookie" and "session=" in value for name, value in headers
    )
    if status != 302 or not signed_in:
        raise SystemExit(f"signin: signing in answered {status}, not a session")
    return elapsed


def _request(
    port: int,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={"Host": HOST, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
