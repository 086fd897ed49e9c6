"""Optional encryption of backup files, with a key kept outside the database.

A file is a magic header followed by frames: a 4-byte length, a 12-byte
nonce and an AES-256-GCM ciphertext of up to one chunk. Each frame's
associated data names the file, its position and whether it is the last,
so frames cannot be reordered, moved between files or cut off unnoticed.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from opsyn.errors import InvalidInput

MAGIC = b"OPSYNBK1"
CHUNK = 1 << 20


def load_key(raw: str) -> bytes:
    """Decode a base64 (URL-safe or standard) 32-byte key."""
    try:
        key = base64.urlsafe_b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4))
    except ValueError as exc:
        raise InvalidInput("OPSYN_BACKUP_KEY is not valid base64.") from exc
    if len(key) != 32:
        raise InvalidInput("OPSYN_BACKUP_KEY must decode to 32 bytes (AES-256).")
    return key


def new_key() -> str:
    """Return a fresh key in the form OPSYN_BACKUP_KEY takes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class EncryptingWriter:
    """Buffer plaintext and write it out as encrypted frames."""

    def __init__(self, target: BinaryIO, *, key: bytes, name: str) -> None:
        self._target = target
        self._aead = AESGCM(key)
        self._name = name
        self._index = 0
        self._buffer = bytearray()
        target.write(MAGIC)

    def write(self, data: bytes) -> None:
        self._buffer.extend(data)
        while len(self._buffer) > CHUNK:
            self._frame(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]

    def close(self) -> None:
        self._frame(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _frame(self, plain: bytes, *, final: bool) -> None:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain, _aad(self._name, self._index, final))
        self._target.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self._index += 1


def decrypt_frames(source: BinaryIO, *, key: bytes, name: str) -> Iterator[bytes]:
    """Yield the plaintext chunks of an encrypted file, checking every frame."""
    if source.read(len(MAGIC)) != MAGIC:
        raise ValueError(f"{name} is not an encrypted backup file")
    aead = AESGCM(key)
    index = 0
    while True:
        head = source.read(16)
        if len(head) < 16:
            raise ValueError(f"{name} ends before its last frame (truncated)")
        (length,) = struct.unpack(">I", head[:4])
        sealed = source.read(length)
        plain, final = _open_frame(aead, head[4:], sealed, name, index)
        yield plain
        if final:
            return
        index += 1


def _open_frame(
    aead: AESGCM, nonce: bytes, sealed: bytes, name: str, index: int
) -> tuple[bytes, bool]:
    # The last frame is sealed with final=1, so trying both tells which one
    # this is; a frame that opens with neither is damaged or the wrong key.
    for final in (False, True):
        try:
            return aead.decrypt(nonce, sealed, _aad(name, index, final)), final
        except InvalidTag:
            pass
    raise ValueError(f"{name}: frame {index} does not decrypt with this key")


def _aad(name: str, index: int, final: bool) -> bytes:
    return f"{name}:{index}:{int(final)}".encode()
