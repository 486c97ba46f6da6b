"""Keccak-256 (the EVM's hash, not NIST SHA3-256) from the fastest backend installed.

Merkle trees and the batched registration path hash millions of short inputs, where the backend
matters: ``safe-pysha3`` (C) takes about 1 µs per 64-byte input, pycryptodome (the default backend
of ``eth_hash``) about 7 µs through its Python wrapper. Both give the same digests; a test checks it.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["BACKEND", "keccak256"]

keccak256: Callable[[bytes], bytes]

try:
    import sha3 as _pysha3  # safe-pysha3

    def keccak256(data: bytes) -> bytes:
        """Keccak-256 of ``data`` (32 bytes)."""
        digest: bytes = _pysha3.keccak_256(data).digest()
        return digest

    BACKEND = "pysha3"
except ImportError:  # pragma: no cover - depends on what is installed
    from Crypto.Hash import keccak as _cryptodome_keccak

    def keccak256(data: bytes) -> bytes:
        """Keccak-256 of ``data`` (32 bytes)."""
        return _cryptodome_keccak.new(digest_bits=256, data=data).digest()

    BACKEND = "pycryptodome"
