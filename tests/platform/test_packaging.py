"""The project folder named platform/ never hides the standard library."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_stdlib_platform_works_in_a_django_process_started_at_the_repo_root() -> None:
    script = (
        "import django, platform, uuid;"
        "django.setup();"
        "import opsyn;"
        "print(platform.system(), platform.python_version(), opsyn.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "opsyn.settings",
            "OPSYN_DEBUG": "1",
            "PATH": "/usr/bin:/bin",
        },
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    system, _, location = result.stdout.split()
    assert system == "Linux"
    assert location.endswith("platform/opsyn/__init__.py")
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_the_app_lists_are_built_from_the_folders() -> None:
    from django.conf import settings

    shared = {a for a in settings.SHARED_APPS if a.startswith("shared_apps.")}
    tenant = {a for a in settings.TENANT_APPS if a.startswith("tenant_apps.")}
    on_disk = {
        f"{folder}.{path.parent.name}"
        for folder in ("shared_apps", "tenant_apps")
        for path in (REPO_ROOT / folder).glob("*/apps.py")
    }
    assert shared | tenant == on_disk
    assert not shared & tenant
    both = set(settings.SHARED_APPS) & set(settings.TENANT_APPS)
    assert both == {"django.contrib.contenttypes"}
