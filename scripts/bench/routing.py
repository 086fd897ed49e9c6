"""Routing overhead: a tenant page with host routing versus without it.

Both handlers are Django's WSGI handler in this process, serving the same
view through the platform's middleware stack. One has the stack as
configured, so each request resolves its Host to a tenant (the route comes
from the cache ``caches["platform"]``, Redis as configured) and selects the
tenant's schema; the other is the same stack without
``TenantRoutingMiddleware``, its connection left in the tenant's schema as a
single-tenant deployment would be. Requests alternate between the two in
rounds, so drift falls on both.

``--page minimal`` (the default) serves a few constant bytes, so the figure
is the routing cost against the cheapest possible page; ``--page query``
also counts the tenant's contacts, one query in the tenant schema.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from django.http import HttpRequest, HttpResponse
from django.urls import path

from scripts.bench import benchlib

TARGET_PERCENT = 10.0
ROUTER = "shared_apps.tenants.middleware.TenantRoutingMiddleware"
HOST = "acme.bench.test"

Handler = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def minimal_page(request: HttpRequest) -> HttpResponse:
    """Answer with a few constant bytes."""
    return HttpResponse("<!doctype html><title>bench</title><p>ok</p>")


def query_page(request: HttpRequest) -> HttpResponse:
    """Answer with the number of the tenant's contacts."""
    from tenant_apps.contacts.models import Contact

    count = Contact.objects.count()
    return HttpResponse(f"<!doctype html><title>bench</title><p>ok {count}</p>")


urlpatterns = [
    path("minimal", minimal_page),
    path("query", query_page),
]


def main() -> int:
    parser = benchlib.parser("routing", __doc__ or "")
    parser.add_argument(
        "--requests", type=int, default=2000, help="timed requests per handler"
    )
    parser.add_argument("--rounds", type=int, default=20, help="alternations")
    parser.add_argument(
        "--warmup", type=int, default=200, help="untimed requests per handler"
    )
    parser.add_argument("--page", choices=["minimal", "query"], default="minimal")
    parser.add_argument(
        "--route-cache",
        choices=["redis", "locmem"],
        default="redis",
        help="where routes are cached: Redis as configured, or process memory "
        "to show what the Redis round trip costs",
    )
    args = parser.parse_args()

    with benchlib.scratch_database(args.database), _route_cache(args.route_cache):
        routed, bypassed = _measure(
            page=f"/{args.page}",
            requests=args.requests,
            rounds=max(1, args.rounds),
            warmup=args.warmup,
        )

    routed_median = benchlib.median(routed)
    bypassed_median = benchlib.median(bypassed)
    added = (routed_median / bypassed_median - 1) * 100
    benchlib.result(
        f"routing: tenancy median {_us(routed_median)}, "
        f"bypassed median {_us(bypassed_median)}, "
        f"{added:+.1f}% added latency, {_us(routed_median - bypassed_median)} "
        f"per request (target < {TARGET_PERCENT:g}%, "
        f"{benchlib.verdict(added < TARGET_PERCENT)}; page {args.page}, "
        f"route cache {args.route_cache}, {len(routed)} requests each)"
    )
    return 0


@contextmanager
def _route_cache(kind: str) -> Iterator[None]:
    """Keep routes where asked: the configured Redis, or process memory."""
    if kind == "redis":
        yield
        return
    from django.conf import settings
    from django.test.utils import override_settings

    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={**settings.CACHES, "platform": local}):
        yield


def _measure(
    *, page: str, requests: int, rounds: int, warmup: int
) -> tuple[list[float], list[float]]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from shared_apps.tenants import schemas, services
    from shared_apps.tenants.activation import use_tenant

    schemas.fill_pool(1)
    tenant = services.provision_tenant(
        actor="bench", name="Acme", slug="acme", domain=HOST
    )

    routed_handler = WSGIHandler()
    without_router = [name for name in settings.MIDDLEWARE if name != ROUTER]
    with override_settings(MIDDLEWARE=without_router):
        bypassed_handler = WSGIHandler()

    def serve_routed(count: int) -> list[float]:
        return [_serve(routed_handler, page) for _ in range(count)]

    def serve_bypassed(count: int) -> list[float]:
        # The routed handler leaves the connection in public after each request.
        use_tenant(tenant)
        return [_serve(bypassed_handler, page) for _ in range(count)]

    # The handlers read ROOT_URLCONF on every request, so it stays overridden.
    with override_settings(ROOT_URLCONF=__name__):
        _check_answers(routed_handler, page)
        use_tenant(tenant)
        _check_answers(bypassed_handler, page)
        serve_routed(warmup)
        serve_bypassed(warmup)

        routed: list[float] = []
        bypassed: list[float] = []
        per_round = max(1, requests // rounds)
        for number in range(rounds):
            if number % 2:
                bypassed += serve_bypassed(per_round)
                routed += serve_routed(per_round)
            else:
                routed += serve_routed(per_round)
                bypassed += serve_bypassed(per_round)
    benchlib.progress(f"routing: {len(routed)} requests served by each handler")
    return routed, bypassed


def _serve(handler: Handler, page: str) -> float:
    environ = _environ(page)
    start = time.perf_counter()
    response = handler(environ, _start_response)
    try:
        b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return time.perf_counter() - start


def _check_answers(handler: Handler, page: str) -> None:
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    response = handler(_environ(page), start_response)
    body = b"".join(response)
    getattr(response, "close", lambda: None)()
    if not statuses[0].startswith("200") or b"ok" not in body:
        raise SystemExit(f"routing: {page} answered {statuses[0]}")


def _environ(page: str) -> dict[str, Any]:
    from django.test import RequestFactory

    environ: dict[str, Any] = RequestFactory().get(page, HTTP_HOST=HOST).environ
    return environ


def _start_response(status: str, headers: list[tuple[str, str]]) -> None:
    return None


def _us(seconds: float) -> str:
    return f"{seconds * 1_000_000:.0f} µs"


if __name__ == "__main__":
    raise SystemExit(main())
