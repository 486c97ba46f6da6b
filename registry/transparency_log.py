"""The registry's append-only log: RFC 9162 Merkle trees, proofs, and C2SP signed checkpoints.

Every act recorded on chain and every anchored entry (batched registration, EPCIS event) is appended
to one log, in order, as canonical JSON. The log's state at size ``n`` is the RFC 9162 (RFC 6962)
Merkle tree hash of its first ``n`` entries; the registry signs it as a C2SP ``tlog-checkpoint``
(origin, size, base64 root, Ed25519 signed note) and anchors the root on chain. Whoever keeps a
checkpoint can later ask for a consistency proof to a newer one: if the registry rewrote, dropped or
reordered any entry before the old size, no proof exists, and the old checkpoint (signed, and
anchored on chain) is the evidence. Inclusion proofs show an entry is in a checkpointed tree.

Hashes are SHA-256 as RFC 9162 §2.1.1 defines them: ``leaf = H(0x00 || entry)``,
``node = H(0x01 || left || right)``, the left subtree the largest power of two below the size.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dataledger.registry.errors import ValidationFailed, VerificationFailed

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_ED25519 = 0x01  # the signed-note signature type of Ed25519


def entry_leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash of an entry's bytes."""
    return hashlib.sha256(b"\x00" + entry).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


LeafReader = Callable[[int, int], Sequence[bytes]]
"""``read(start, end)``: the leaf hashes of entries ``start`` to ``end - 1``."""


class TreeHasher:
    """Subtree hashes over the log's leaf hashes, memoised for the perfect subtrees (which never change)."""

    def __init__(self, read: LeafReader) -> None:
        self._read = read
        self._perfect: dict[tuple[int, int], bytes] = {}

    def root(self, size: int) -> bytes:
        """The Merkle tree hash of the first ``size`` entries."""
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def _hash(self, start: int, end: int) -> bytes:
        size = end - start
        perfect = size & (size - 1) == 0
        if perfect and (start, end) in self._perfect:
            return self._perfect[(start, end)]
        if size <= 256:  # read a small range at once and hash it in memory
            value = _hash_leaves(list(self._read(start, end)))
        else:
            k = _split(size)
            value = _node(self._hash(start, start + k), self._hash(start + k, end))
        if perfect:
            self._perfect[(start, end)] = value
        return value

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1: the audit path of entry ``index`` in the tree of ``size`` entries."""
        if not 0 <= index < size:
            raise ValidationFailed(f"entry {index} is not in a tree of {size} entries", field="index")
        return self._path(index, 0, size)

    def _path(self, index: int, start: int, end: int) -> list[bytes]:
        size = end - start
        if size == 1:
            return []
        k = _split(size)
        if index < k:
            return [*self._path(index, start, start + k), self._hash(start + k, end)]
        return [*self._path(index - k, start + k, end), self._hash(start, start + k)]

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4.1: proof that the tree of ``old_size`` entries is a prefix of ``new_size``'s."""
        if not 0 <= old_size <= new_size:
            raise ValidationFailed("a consistency proof needs 0 <= old size <= new size", field="from")
        if old_size in (0, new_size):
            return []
        return self._subproof(old_size, 0, new_size, True)

    def _subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        size = end - start
        if m == size:
            return [] if complete else [self._hash(start, end)]
        k = _split(size)
        if m <= k:
            return [*self._subproof(m, start, start + k, complete), self._hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self._hash(start, start + k)]


def _hash_leaves(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_hash_leaves(leaves[:k]), _hash_leaves(leaves[k:]))


def root_of(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of ``leaves`` (leaf hashes), all in memory."""
    return TreeHasher(lambda start, end: leaves[start:end]).root(len(leaves))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# -- C2SP signed checkpoints ---------------------------------------------------------------------

_ORIGIN = re.compile(r"[^\s\u2014+][^\n\u2014+]*")


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP ``tlog-checkpoint`` body: the log's origin, its size and its root hash."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not _ORIGIN.fullmatch(self.origin):
            raise ValidationFailed("a checkpoint origin is one line of text", field="origin")
        if self.size < 0 or len(self.root) != HASH_SIZE:
            raise ValidationFailed("a checkpoint has a size and a 32-byte root", field="root")

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True)
class LogKey:
    """The log's Ed25519 signing key, named as C2SP signed notes name keys."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier_key(self) -> str:
        """``<name>+<key id hex>+<base64(0x01 || public key)>``: what a verifier configures."""
        return verifier_key(self.name, self.public_bytes)

    def sign(self, checkpoint: Checkpoint) -> str:
        """The signed note: the checkpoint body, a blank line, and this key's signature line."""
        body = checkpoint.body()
        signature = self.private_key.sign(body.encode())
        blob = base64.b64encode(_key_id(self.name, self.public_bytes) + signature).decode()
        return f"{body}\n\u2014 {self.name} {blob}\n"


def _key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([_ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    encoded = base64.b64encode(bytes([_ED25519]) + public_key).decode()
    return f"{name}+{_key_id(name, public_key).hex()}+{encoded}"


def open_checkpoint(note: str, verifier: str) -> Checkpoint:
    """Check a signed checkpoint note against ``verifier`` (a verifier key) and return its body.

    Raises :class:`~dataledger.registry.errors.VerificationFailed` naming what is wrong."""
    name, key_id_hex, encoded = _parse_verifier(verifier)
    public_key = base64.b64decode(encoded)[1:]
    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise VerificationFailed("the note has no signature block", check="format")
    body += "\n"
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2])
        if blob[:4].hex() != key_id_hex:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], body.encode())
        except CryptoInvalidSignature:
            raise VerificationFailed(
                "the checkpoint's signature does not verify", check="signature"
            ) from None
        return _parse_body(body)
    raise VerificationFailed(f"the note carries no signature by {name}", check="signature")


def _parse_verifier(verifier: str) -> tuple[str, str, str]:
    parts = verifier.strip().split("+", 2)  # the name holds no "+"; the base64 key may
    if len(parts) != 3:
        raise ValidationFailed("a verifier key is <name>+<key id>+<base64 key>", field="verifier")
    return parts[0], parts[1], parts[2]


def _parse_body(body: str) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or not lines[1].isdigit():
        raise VerificationFailed("the checkpoint body is not origin, size, root", check="format")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except ValueError:
        raise VerificationFailed("the checkpoint root is not base64", check="format") from None
    return Checkpoint(lines[0], int(lines[1]), root)


@dataclass(frozen=True)
class CheckpointRecord:
    """A checkpoint the registry issued: its size, root, signed note and the anchor of its root."""

    size: int
    root: bytes
    note: str
    anchor_tx_hash: str | None
    anchor_block_number: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "treeSize": self.size,
            "rootHash": "0x" + self.root.hex(),
            "checkpoint": self.note,
            "anchor": {"txHash": self.anchor_tx_hash, "blockNumber": self.anchor_block_number}
            if self.anchor_tx_hash
            else None,
        }
