"""Canonical bytes and hashes of JSON values: RFC 8785 (JCS) and SHA-256.

Every hash dataledger publishes or anchors is taken over these bytes, so the same facts always give
the same hash whoever computes it, in whatever language.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

from dataledger.registry.errors import ValidationFailed

#: The largest integer that JSON (I-JSON, RFC 7493) carries exactly; RFC 8785 refuses larger ones.
MAX_SAFE_INTEGER = 2**53 - 1


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (dicts, lists, str, int, float, bool, None).

    Raises :class:`ValidationFailed` for values JSON cannot carry exactly (NaN, integers beyond 2**53,
    non-string keys, other types).
    """
    try:
        return rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"value cannot be canonicalised as JSON: {exc}") from None


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as a 0x-prefixed lower-case hex string."""
    return "0x" + hashlib.sha256(data).hexdigest()


def json_hash(obj: Any) -> str:
    """SHA-256 of the canonical JSON of ``obj``, 0x-prefixed hex."""
    return sha256_hex(canonical_json(obj))
