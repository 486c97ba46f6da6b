"""Content hashes computed where the data is: SHA-256 of a file, or of a folder's manifest, streamed.

A file of any size is read in 1 MiB blocks (constant memory). A folder's hash is the SHA-256 of its
manifest: one line per regular file, sorted by relative POSIX path, ``<sha256 hex>  <path>\\n`` (the
format of ``sha256sum``), so anyone can recompute it with standard tools.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

BLOCK = 1 << 20
Progress = Callable[[int], None]  # called with the number of bytes just read


def file_sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(BLOCK):
            digest.update(block)
            if progress is not None:
                progress(len(block))
    return digest.hexdigest()


def manifest(folder: Path, progress: Progress | None = None) -> str:
    """The folder's manifest (``sha256sum`` format, sorted); symbolic links are not followed."""
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    return "".join(f"{file_sha256(p, progress)}  {p.relative_to(folder).as_posix()}\n" for p in files)


def size_of(path: Path) -> int:
    """Bytes to read to hash ``path`` (for a progress bar)."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return path.stat().st_size


def hash_path(path: str | Path, progress: Progress | None = None) -> str:
    """The content hash of a file or folder, as 0x-hex (what a registration's ``contentHash`` holds)."""
    path = Path(path)
    if path.is_dir():
        return "0x" + hashlib.sha256(manifest(path, progress).encode()).hexdigest()
    return "0x" + file_sha256(path, progress)
