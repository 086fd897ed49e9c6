"""Where backup files live: a local folder, or Azure Blob Storage."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage

from opsyn.errors import InvalidInput


def backup_storage() -> Storage:
    """Return the storage backups are written to and read from.

    The Blob container of ``blob_storage`` when one is configured, else
    ``OPSYN_BACKUP_DIR/store`` on local disk.
    """
    return blob_storage() or FileSystemStorage(
        location=Path(settings.OPSYN_BACKUP_DIR) / "store"
    )


def blob_storage(*, folder: str = "") -> Storage | None:
    """Return the platform's Blob container (under ``folder``), if it has one.

    - ``OPSYN_BACKUP_AZURE_CONTAINER_URL``: that container, reached as the
      process's Azure identity (a managed identity in Container Apps);
    - ``OPSYN_BACKUP_AZURE_CONTAINER``: a container reached with
      ``OPSYN_BACKUP_AZURE_CONNECTION_STRING`` (Azurite, or an account that
      allows keys);
    - neither: None, and callers keep their files on local disk.
    """
    container_url = settings.OPSYN_BACKUP_AZURE_CONTAINER_URL
    if container_url:
        account, suffix, container = _parse_container_url(container_url)
        return _azure_storage(
            account_name=account,
            endpoint_suffix=suffix,
            azure_container=container,
            token_credential=_identity_credential(),
            location=folder,
        )
    container = settings.OPSYN_BACKUP_AZURE_CONTAINER
    if container:
        return _azure_storage(
            azure_container=container,
            connection_string=settings.OPSYN_BACKUP_AZURE_CONNECTION_STRING or None,
            location=folder,
        )
    return None


def _azure_storage(**options: Any) -> Storage:
    # Imported by name: django-storages ships no type information.
    azure = importlib.import_module("storages.backends.azure_storage")
    storage: Storage = azure.AzureStorage(overwrite_files=False, **options)
    return storage


def _identity_credential() -> Any:
    identity = importlib.import_module("azure.identity")
    # Reads AZURE_CLIENT_ID for a user-assigned identity; never a shared key.
    return identity.DefaultAzureCredential(exclude_interactive_browser_credential=True)


def _parse_container_url(url: str) -> tuple[str, str, str]:
    """Split https://ACCOUNT.blob.SUFFIX/CONTAINER into its three parts."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    account, _, rest = host.partition(".blob.")
    container = parts.path.strip("/")
    if (
        parts.scheme != "https"
        or not account
        or not rest
        or not container
        or ("/" in container)
    ):
        raise InvalidInput(
            f"OPSYN_BACKUP_AZURE_CONTAINER_URL {url!r} is not "
            "https://ACCOUNT.blob.core.windows.net/CONTAINER."
        )
    return account, rest, container


def spool_dir() -> Path:
    """Return the local folder files are written to before they are stored."""
    path = Path(settings.OPSYN_BACKUP_DIR) / "spool"
    path.mkdir(parents=True, exist_ok=True)
    return path
