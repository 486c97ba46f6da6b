"""Merkle trees over batch entries, verifiable on chain with OpenZeppelin's ``MerkleProof``.

* **Nodes** are ``keccak256(min(a, b) || max(a, b))``: OpenZeppelin's commutative node hash, so
  ``MerkleProof.verify`` (and ``AnchorRegistry.verifyLeaf``) checks our proofs as they are.
* **Leaves** are domain-separated from nodes by double hashing, as OpenZeppelin's StandardMerkleTree
  does: ``leaf = keccak256(keccak256(preimage))``. A node's preimage is 64 bytes and hashed once; a
  leaf is the hash of a 32-byte value, so no pair of nodes can be presented as a leaf (no
  second-preimage confusion) whatever the leaf preimages are.
* **Shape**: leaves are paired left to right; an odd node at the end of a level is promoted to the
  next level unchanged (never duplicated, which would let two different leaf lists share a root).
  This is the same tree as RFC 6962's (left subtree = the largest power of two), which is what lets
  :func:`merkle_root` stream: it keeps O(log n) hashes, not the leaves.

Everything here works on 32-byte ``bytes``; :class:`MerkleTree` keeps each level as one contiguous
``bytes`` (32 bytes per node), so a tree of a million leaves holds about 64 MB and no Python object
per node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.keccak import keccak256

__all__ = [
    "HASH_SIZE",
    "MerkleTree",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "process_proof",
    "verify_proof",
]

HASH_SIZE = 32


def leaf_hash(preimage: bytes) -> bytes:
    """The leaf of an entry whose canonical bytes are ``preimage``: ``keccak256(keccak256(preimage))``.

    The preimage is typically ``abi.encode(...)`` of the entry's fields, so a contract can rebuild
    the leaf as ``keccak256(bytes.concat(keccak256(abi.encode(...))))``.
    """
    return keccak256(keccak256(preimage))


def node_hash(a: bytes, b: bytes) -> bytes:
    """The parent of ``a`` and ``b``: keccak256 of the two sorted (``Hashes.commutativeKeccak256``)."""
    return keccak256(a + b if a <= b else b + a)


def _require_hashes(values: Iterable[bytes], what: str) -> None:
    for value in values:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ValidationFailed(f"every {what} must be 32 bytes")


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The root over ``leaves`` (in order), streaming: memory grows with log2 of the leaf count."""
    stack: list[tuple[int, bytes]] = []  # (height, hash) of complete subtrees, left to right
    count = 0
    for leaf in leaves:
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise ValidationFailed("every leaf must be 32 bytes")
        count += 1
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    if count == 0:
        raise ValidationFailed("a Merkle tree needs at least one leaf")
    value = stack.pop()[1]
    while stack:  # the incomplete right edge: fold the smaller subtrees into the larger ones
        value = node_hash(stack.pop()[1], value)
    return value


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (``MerkleProof.processProof``)."""
    value = leaf
    for sibling in proof:
        value = node_hash(value, sibling)
    return value


def verify_proof(root: bytes, leaf: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` proves ``leaf`` under ``root`` (``MerkleProof.verify``)."""
    if not (isinstance(root, bytes) and isinstance(leaf, bytes)) or len(root) != HASH_SIZE:
        return False
    if len(leaf) != HASH_SIZE or any(not isinstance(p, bytes) or len(p) != HASH_SIZE for p in proof):
        return False
    return process_proof(leaf, proof) == root


class MerkleTree:
    """A whole tree, for inclusion proofs. Built once from the leaves; immutable afterwards."""

    __slots__ = ("_levels",)

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise ValidationFailed("a Merkle tree needs at least one leaf")
        _require_hashes(leaves, "leaf")
        level = b"".join(leaves)
        levels = [level]
        while len(level) > HASH_SIZE:
            levels.append(level := _parent_level(level))
        self._levels: tuple[bytes, ...] = tuple(levels)

    @classmethod
    def from_concatenated(cls, blob: bytes) -> MerkleTree:
        """A tree over the leaves concatenated in ``blob`` (32 bytes each), without a list of them."""
        if not blob or len(blob) % HASH_SIZE:
            raise ValidationFailed("the leaves must be a non-empty multiple of 32 bytes")
        tree = cls.__new__(cls)
        levels = [bytes(blob)]
        while len(levels[-1]) > HASH_SIZE:
            levels.append(_parent_level(levels[-1]))
        tree._levels = tuple(levels)
        return tree

    @property
    def root(self) -> bytes:
        return self._levels[-1]

    @property
    def leaf_count(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def leaf(self, index: int) -> bytes:
        self._check_index(index)
        return self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def proof(self, index: int) -> tuple[bytes, ...]:
        """The siblings from leaf ``index`` up to the root; a promoted node has no sibling at its level."""
        self._check_index(index)
        siblings = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling * HASH_SIZE < len(level):
                siblings.append(level[sibling * HASH_SIZE : (sibling + 1) * HASH_SIZE])
            index //= 2
        return tuple(siblings)

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.leaf_count:
            raise IndexError(f"leaf index {index} outside 0..{self.leaf_count - 1}")


def _parent_level(level: bytes) -> bytes:
    count = len(level) // HASH_SIZE
    parents = [
        node_hash(level[i : i + HASH_SIZE], level[i + HASH_SIZE : i + 2 * HASH_SIZE])
        for i in range(0, (count - count % 2) * HASH_SIZE, 2 * HASH_SIZE)
    ]
    if count % 2:
        parents.append(level[-HASH_SIZE:])  # promoted, not duplicated
    return b"".join(parents)
