"""The audit log on an organisation's own host: browse, filter, export."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render

from opsyn.access import requires
from opsyn.errors import InvalidInput
from shared_apps.tenants.activation import tenant_scope
from shared_apps.tenants.models import Tenant

from . import exports, files, selectors
from .selectors import ENTITY, EventFilter

PAGE_SIZE = 50
CONTENT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "audit/refused.html", {"message": message}, status=400)


@requires("view", ENTITY)
def event_list(request: HttpRequest) -> HttpResponse:
    try:
        selected = EventFilter.from_query(request.GET)
        before = _before(request.GET.get("before"))
    except InvalidInput as exc:
        return _refuse(request, exc.message)
    events = selectors.event_page(selected, before=before, size=PAGE_SIZE + 1)
    older = events[PAGE_SIZE].id + 1 if len(events) > PAGE_SIZE else None
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    context = {
        "events": events[:PAGE_SIZE],
        "selected": selected,
        "query": selected.as_query(),
        "older": older,
        "entities": selectors.entities_seen(),
        "actions": selectors.ACTIONS,
        "ready_exports": files.ready_exports(tenant.schema_name),
    }
    return render(request, "audit/list.html", context)


def _before(raw: str | None) -> int | None:
    if not raw:
        return None
    # ASCII digits only ("²" is a digit to str.isdigit), within bigint.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise InvalidInput(f"'before' must be an event number, not {raw!r}.")
    return int(raw)


@requires("export", ENTITY)
def export(request: HttpRequest) -> HttpResponseBase:
    source = request.POST if request.method == "POST" else request.GET
    fmt = source.get("format", "jsonl")
    if fmt not in CONTENT_TYPES:
        return _refuse(request, f"Format {fmt!r} is not offered; use jsonl or csv.")
    try:
        selected = EventFilter.from_query(source)
    except InvalidInput as exc:
        return _refuse(request, exc.message)
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]

    if request.method == "POST":
        files.schedule_export(selected, fmt=fmt)
        messages.info(
            request,
            "The export is being prepared; its download link appears on this page "
            "when it is ready.",
        )
        return redirect("audit:list")

    limit = settings.OPSYN_AUDIT_EXPORT_INLINE_LIMIT
    size = selectors.events_matching(selected)[: limit + 1].count()
    if size > limit:
        context = {"fmt": fmt, "query": selected.as_query(), "limit": limit}
        return render(request, "audit/export_large.html", context)

    response = StreamingHttpResponse(
        _within(tenant, exports.stream(selected, fmt=fmt)),
        content_type=CONTENT_TYPES[fmt],
    )
    name = f"audit-{tenant.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _within(tenant: Tenant, chunks: Iterator[str]) -> Iterator[bytes]:
    """Produce the body in the tenant's schema.

    The body is produced after the middleware has returned the connection
    to the public schema, so the tenant is selected again around each read.
    """
    while True:
        with tenant_scope(tenant):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk.encode()


@requires("export", ENTITY)
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    found = files.open_for_token(token, schema=tenant.schema_name)
    if found is None:
        message = (
            "This download link is not valid or has expired; prepare the export again."
        )
        return render(request, "audit/refused.html", {"message": message}, status=404)
    name, content = found
    return FileResponse(content, as_attachment=True, filename=name)
