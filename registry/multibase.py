"""Multibase base58-btc and Multikey encodings, as used by ``did:key`` and Data Integrity proofs.

* base58-btc: the Bitcoin alphabet; each leading zero byte is written as a leading ``1``.
* multibase: a one-character prefix naming the base; ``z`` is base58-btc.
* Multikey: multibase(varint(multicodec) || key bytes). A P-256 public key is the compressed SEC1 point
  (33 bytes) after the ``p256-pub`` code 0x1200 (varint ``80 24``), which is why such keys start
  with ``zDn``.
"""

from __future__ import annotations

from dataledger.registry.errors import ValidationFailed

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(BASE58_ALPHABET)}
# bytes.translate table: an alphabet character's ASCII code -> its digit value, any other byte -> 255.
_B58_DIGITS = bytes(_B58_INDEX.get(chr(code), 255) for code in range(256))

BASE58BTC_PREFIX = "z"

#: Multicodec codes (https://github.com/multiformats/multicodec, table.csv).
P256_PUB = 0x1200
P256_PRIV = 0x1306


def b58encode(data: bytes) -> str:
    """base58-btc encoding of ``data`` (no multibase prefix)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58-btc ``text`` (no multibase prefix); raises :class:`ValidationFailed` on bad input."""
    if not isinstance(text, str):
        raise ValidationFailed("base58 input must be a string")
    # One C-level translate instead of a dict lookup per character (proof values are decoded on
    # every certificate verification).
    digits = text.encode("ascii").translate(_B58_DIGITS) if text.isascii() else None
    if digits is None or 255 in digits:
        bad = next(char for char in text if char not in _B58_INDEX)
        raise ValidationFailed(f"{bad!r} is not a base58-btc character")
    number = 0
    for digit in digits:
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58-btc: ``z`` followed by the base58-btc encoding of ``data``."""
    return BASE58BTC_PREFIX + b58encode(data)


def multibase_decode(text: object) -> bytes:
    """Decode a base58-btc multibase string; other bases are refused."""
    if not isinstance(text, str) or not text.startswith(BASE58BTC_PREFIX):
        raise ValidationFailed("multibase value must be base58-btc ('z' prefix)")
    return b58decode(text[1:])


def varint_encode(value: int) -> bytes:
    """Unsigned LEB128, as multiformats use for codes."""
    if value < 0:
        raise ValidationFailed("varint must be non-negative")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_decode(data: bytes) -> tuple[int, int]:
    """Decode a leading unsigned varint; returns (value, bytes consumed). Refuses non-minimal forms."""
    value = 0
    for position, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * position)
        if not byte & 0x80:
            if byte == 0 and position > 0:
                raise ValidationFailed("varint is not minimally encoded")
            return value, position + 1
    raise ValidationFailed("truncated or oversized varint")


def multikey_encode(codec: int, key_bytes: bytes) -> str:
    """Multikey string: multibase(varint(codec) || key_bytes)."""
    return multibase_encode(varint_encode(codec) + key_bytes)


def multikey_decode(text: str) -> tuple[int, bytes]:
    """Split a Multikey string into (multicodec code, key bytes)."""
    raw = multibase_decode(text)
    codec, used = varint_decode(raw)
    return codec, raw[used:]
