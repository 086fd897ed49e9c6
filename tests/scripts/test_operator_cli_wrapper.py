"""scripts/opsyn runs the CLI with the settings scripts/run recorded."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from scripts import devstack

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_stack_env_is_private_and_reads_back_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "stack.env"
    monkeypatch.setattr(devstack, "STATE_DIR", tmp_path)
    monkeypatch.setattr(devstack, "STACK_ENV", target)
    awkward = "postgresql://app:p'a s$s\"@127.0.0.1:5432/opsyn"
    devstack._write_stack_env(
        {"DATABASE_URL": awkward, "REDIS_URL": "redis://127.0.0.1:6379/0", "HOME": "x"}
    )

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    echoed = subprocess.run(
        [
            "bash",
            "-c",
            f'source "{target}"; printf "%s|%s|%s" "$DATABASE_URL" '
            '"$REDIS_URL" "${HOME_FROM_FILE:-none}"',
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout
    assert echoed == f"{awkward}|redis://127.0.0.1:6379/0|none"
    assert "HOME" not in target.read_text()


def test_the_wrapper_runs_the_installed_cli() -> None:
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "opsyn"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "tenants" in done.stdout
