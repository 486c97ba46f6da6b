"""Deposited files in a directory of the data dir, named by their content hash.

A deposit streams into a temporary file in the store's directory while SHA-256 runs over it (never
read whole); the gateway then keeps it (renamed to its hash: the same content is stored once) or
discards it. Reads open the kept file for the byte ranges a delivery asks.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from dataledger.registry.delivery.ports import StagedContent
from dataledger.registry.errors import NotFound, RequestBodyTooLarge, ValidationFailed


class FileContentStore:
    """Kept files under ``root``; staged ones under ``root/staging``."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._staging = root / "staging"
        self._staging.mkdir(parents=True, exist_ok=True)

    def stage(self, chunks: Iterable[bytes], max_bytes: int) -> StagedContent:
        """Write ``chunks`` to a staging file, hashing as they come; refuse more than ``max_bytes``."""
        key = uuid.uuid4().hex
        path = self._staging / key
        digest = hashlib.sha256()
        size = 0
        try:
            with open(path, "wb") as target:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise RequestBodyTooLarge(
                            f"a deposit holds at most {max_bytes} bytes", max_bytes=max_bytes
                        )
                    digest.update(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if size == 0:
            path.unlink(missing_ok=True)
            raise ValidationFailed("a deposit cannot be empty", field="body")
        return StagedContent(key, "0x" + digest.hexdigest(), size)

    def keep(self, staged: StagedContent) -> str:
        """Keep a staged file under its content hash; returns the key reads use."""
        key = staged.content_hash.removeprefix("0x")
        os.replace(self._staging / staged.key, self._root / key)
        return key

    def discard(self, staged: StagedContent) -> None:
        (self._staging / staged.key).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        if not key or "/" in key or key.startswith("."):
            raise NotFound("no such stored content", key=key)
        try:
            return open(self._root / key, "rb")
        except FileNotFoundError:
            raise NotFound("the stored content is missing", key=key) from None
