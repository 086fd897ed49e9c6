"""What every benchmark shares: a scratch database, timing and reporting.

Each benchmark creates its own database (``opsyn_bench_<name>``), points
Django at it before set-up, and drops it afterwards, so a run never touches
development or test data. Only databases named ``opsyn_bench_*`` are ever
created or dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/opsyn"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
BENCH_REDIS_DB = "14"
SCRATCH_PREFIX = "opsyn_bench_"


def parser(name: str, description: str) -> argparse.ArgumentParser:
    """Return an argument parser with the options every benchmark takes."""
    parser = argparse.ArgumentParser(prog=f"scripts/bench/{name}.py")
    parser.description = description
    parser.add_argument(
        "--database",
        default=f"{SCRATCH_PREFIX}{name}",
        help=f"scratch database to create and drop (default: {SCRATCH_PREFIX}{name})",
    )
    return parser


@contextmanager
def scratch_database(name: str) -> Iterator[None]:
    """Create a database, set Django up on it, migrate public; drop it after.

    Must run before anything imports Django settings: the environment is
    read once, at import.
    """
    if not name.startswith(SCRATCH_PREFIX):
        raise SystemExit(
            f"refusing to use {name!r}: scratch databases are {SCRATCH_PREFIX}*"
        )
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    os.environ["DATABASE_URL"] = _with_database(base, name)
    os.environ["REDIS_URL"] = f"{redis.rsplit('/', 1)[0]}/{BENCH_REDIS_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "opsyn.settings"
    os.environ.setdefault("OPSYN_DEBUG", "1")
    os.environ.setdefault("OPSYN_LOG_LEVEL", "WARNING")

    maintenance = _with_database(base, "postgres")
    _recreate(maintenance, name)
    try:
        _set_up_django()
        yield
    finally:
        _tear_down_django()
        _drop(maintenance, name)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _recreate(maintenance: str, name: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop(maintenance: str, name: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _set_up_django() -> None:
    import django
    from django.core.cache import caches
    from django.core.management import call_command

    django.setup()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    # Routes cached by an earlier run may name tenants of a dropped database.
    caches["platform"].clear()


def _tear_down_django() -> None:
    from django.apps import apps

    if not apps.ready:
        return
    from django.core.cache import caches
    from django.db import connections

    caches["platform"].clear()
    connections.close_all()


def timed(action: Callable[[], object]) -> float:
    """Run an action; return how long it took, in seconds."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def progress(message: str) -> None:
    """Tell the person waiting what is happening, on stderr."""
    print(message, file=sys.stderr, flush=True)


def result(line: str) -> None:
    """Print a benchmark's result line on stdout."""
    print(line, flush=True)
