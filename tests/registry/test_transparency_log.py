"""The log's Merkle tree, proofs and signed checkpoints against RFC 9162 and C2SP."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.errors import VerificationFailed
from dataledger.registry.transparency_log import (
    EMPTY_ROOT,
    Checkpoint,
    LogKey,
    TreeHasher,
    entry_leaf_hash,
    open_checkpoint,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, literally."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])).digest()


def leaves(count: int) -> list[bytes]:
    return [entry_leaf_hash(f"entry {i}".encode()) for i in range(count)]


def hasher(values: list[bytes]) -> TreeHasher:
    return TreeHasher(lambda start, end: values[start:end])


def test_the_empty_tree_and_one_entry_hash_as_rfc_9162_says() -> None:
    assert root_of([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert entry_leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert root_of([entry_leaf_hash(b"a")]) == hashlib.sha256(b"\x00a").digest()


@given(st.integers(min_value=0, max_value=700))
def test_roots_equal_the_reference_definition(size: int) -> None:
    assert root_of(leaves(size)) == reference_root(leaves(size))


@given(st.data())
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=600))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    values = leaves(size)
    tree = hasher(values)
    proof = tree.inclusion_proof(index, size)
    root = tree.root(size)
    assert verify_inclusion(values[index], index, size, proof, root)
    assert not verify_inclusion(entry_leaf_hash(b"forged"), index, size, proof, root)
    if size > 1:
        assert not verify_inclusion(values[index], (index + 1) % size, size, proof, root)


@given(st.data())
def test_every_consistency_proof_verifies_and_a_rewritten_prefix_fails(data: st.DataObject) -> None:
    new_size = data.draw(st.integers(min_value=1, max_value=600))
    old_size = data.draw(st.integers(min_value=1, max_value=new_size))
    values = leaves(new_size)
    tree = hasher(values)
    old_root, new_root = tree.root(old_size), tree.root(new_size)
    proof = tree.consistency_proof(old_size, new_size)
    assert verify_consistency(old_size, new_size, old_root, new_root, proof)

    rewritten = list(values)
    rewritten[data.draw(st.integers(min_value=0, max_value=old_size - 1))] = entry_leaf_hash(b"rewritten")
    other = hasher(rewritten)
    forged = other.consistency_proof(old_size, new_size)
    assert not verify_consistency(old_size, new_size, old_root, other.root(new_size), forged)


def test_a_signed_checkpoint_opens_with_its_verifier_key_and_not_when_altered() -> None:
    key = LogKey("dataledger.example/log", Ed25519PrivateKey.generate())
    checkpoint = Checkpoint("dataledger.example/log", 42, root_of(leaves(42)))
    note = key.sign(checkpoint)

    assert note.startswith(
        "dataledger.example/log\n42\n" + base64.b64encode(checkpoint.root).decode() + "\n\n"
    )
    assert open_checkpoint(note, key.verifier_key) == checkpoint
    with pytest.raises(VerificationFailed):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), key.verifier_key)
    other = LogKey("dataledger.example/log", Ed25519PrivateKey.generate())
    with pytest.raises(VerificationFailed):
        open_checkpoint(note, other.verifier_key)
