"""Where backup files live: a local folder, or Azure Blob Storage."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def backup_storage() -> Storage:
    """Return the storage backups are written to and read from.

    With ``OPSYN_BACKUP_AZURE_CONTAINER`` set, an Azure Blob container (via
    django-storages); otherwise ``OPSYN_BACKUP_DIR/store`` on local disk.
    """
    container = settings.OPSYN_BACKUP_AZURE_CONTAINER
    if container:
        # Imported by name: django-storages ships no type information.
        azure = importlib.import_module("storages.backends.azure_storage")
        storage: Storage = azure.AzureStorage(
            azure_container=container,
            connection_string=settings.OPSYN_BACKUP_AZURE_CONNECTION_STRING or None,
            overwrite_files=False,
        )
        return storage
    return FileSystemStorage(location=Path(settings.OPSYN_BACKUP_DIR) / "store")


def spool_dir() -> Path:
    """Return the local folder files are written to before they are stored."""
    path = Path(settings.OPSYN_BACKUP_DIR) / "spool"
    path.mkdir(parents=True, exist_ok=True)
    return path
