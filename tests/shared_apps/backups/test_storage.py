"""Where backups are stored, chosen by settings."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage

from opsyn.errors import InvalidInput
from shared_apps.backups.storage import backup_storage


def test_without_azure_settings_backups_stay_on_local_disk(settings, tmp_path) -> None:
    settings.OPSYN_BACKUP_AZURE_CONTAINER_URL = ""
    settings.OPSYN_BACKUP_AZURE_CONTAINER = ""
    settings.OPSYN_BACKUP_DIR = tmp_path

    storage = backup_storage()

    assert isinstance(storage, FileSystemStorage)
    assert Path(storage.location) == tmp_path / "store"


def test_a_container_url_is_reached_as_the_azure_identity(
    settings, monkeypatch
) -> None:
    identity = importlib.import_module("azure.identity")  # no type information
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000000")
    settings.OPSYN_BACKUP_AZURE_CONTAINER_URL = (
        "https://opsynbackups.blob.core.windows.net/backups"
    )

    storage: Any = backup_storage()

    assert storage.account_name == "opsynbackups"
    assert storage.azure_container == "backups"
    assert storage.endpoint_suffix == "core.windows.net"
    assert isinstance(storage.token_credential, identity.DefaultAzureCredential)
    assert not storage.account_key and not storage.connection_string
    assert storage.overwrite_files is False


@pytest.mark.parametrize(
    "url",
    [
        "http://opsynbackups.blob.core.windows.net/backups",
        "https://opsynbackups.blob.core.windows.net/",
        "https://opsynbackups.example.com/backups",
        "https://opsynbackups.blob.core.windows.net/backups/deeper",
    ],
)
def test_a_malformed_container_url_is_a_clear_error(settings, url: str) -> None:
    settings.OPSYN_BACKUP_AZURE_CONTAINER_URL = url

    with pytest.raises(InvalidInput, match="is not https://ACCOUNT"):
        backup_storage()
