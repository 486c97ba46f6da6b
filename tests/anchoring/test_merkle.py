"""The Merkle tree of batches: every proof verifies, forgeries do not, and the streaming root agrees."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.merkle import (
    MerkleTree,
    leaf_hash,
    merkle_root,
    node_hash,
    process_proof,
    verify_proof,
)

hashes = st.binary(min_size=32, max_size=32)
leaf_lists = st.lists(hashes, min_size=1, max_size=70, unique=True)


@given(leaf_lists)
def test_every_leaf_has_a_proof_that_verifies(leaves: list[bytes]) -> None:
    tree = MerkleTree(leaves)
    for index, leaf in enumerate(leaves):
        assert tree.leaf(index) == leaf
        assert verify_proof(tree.root, leaf, tree.proof(index))


@given(leaf_lists)
def test_streaming_root_equals_the_tree_root(leaves: list[bytes]) -> None:
    assert merkle_root(iter(leaves)) == MerkleTree(leaves).root
    assert MerkleTree.from_concatenated(b"".join(leaves)).root == MerkleTree(leaves).root


@given(leaf_lists, hashes, st.data())
def test_a_forged_leaf_does_not_verify(leaves: list[bytes], forged: bytes, data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    if forged not in leaves:
        assert not verify_proof(tree.root, forged, tree.proof(index))


@given(st.lists(hashes, min_size=2, max_size=70, unique=True), st.data())
def test_a_tampered_proof_does_not_verify(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = list(tree.proof(index))
    position = data.draw(st.integers(0, len(proof) - 1))
    proof[position] = bytes(b ^ 0xFF for b in proof[position])
    assert not verify_proof(tree.root, tree.leaf(index), proof)
    assert not verify_proof(tree.root, tree.leaf(index), proof[:-1])


@given(st.lists(hashes, min_size=2, max_size=40, unique=True), st.data())
def test_a_proof_proves_only_its_own_leaf(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    i, j = data.draw(st.lists(st.integers(0, len(leaves) - 1), min_size=2, max_size=2, unique=True))
    assert not verify_proof(tree.root, tree.leaf(j), tree.proof(i))


def test_nodes_hash_the_sorted_pair_as_openzeppelin_does() -> None:
    a, b = b"\x01" * 32, b"\x02" * 32
    assert node_hash(a, b) == node_hash(b, a) == keccak(a + b)


def test_leaves_are_double_hashed_so_no_node_passes_for_a_leaf() -> None:
    preimage = b"\x07" * 64
    assert leaf_hash(preimage) == keccak(keccak(preimage))
    # a pair of nodes is 64 bytes: as a leaf preimage it gives a different value than as a node
    a, b = b"\x01" * 32, b"\x02" * 32
    assert leaf_hash(a + b) != node_hash(a, b)


def test_an_odd_node_is_promoted_not_duplicated() -> None:
    a, b, c = (bytes([i]) * 32 for i in (1, 2, 3))
    assert MerkleTree([a, b, c]).root == node_hash(node_hash(a, b), c)
    assert MerkleTree([a, b, c]).root != MerkleTree([a, b, c, c]).root
    assert MerkleTree([a, b, c]).proof(2) == (node_hash(a, b),)


def test_a_single_leaf_is_its_own_root_with_an_empty_proof() -> None:
    leaf = b"\x05" * 32
    tree = MerkleTree([leaf])
    assert tree.root == leaf == merkle_root([leaf])
    assert tree.proof(0) == ()
    assert process_proof(leaf, ()) == leaf


def test_no_leaves_and_bad_leaves_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        MerkleTree([])
    with pytest.raises(ValidationFailed):
        merkle_root([])
    with pytest.raises(ValidationFailed):
        MerkleTree([b"short"])
    with pytest.raises(IndexError):
        MerkleTree([b"\x01" * 32]).proof(1)
    assert not verify_proof(b"\x00" * 31, b"\x00" * 32, ())


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=2**12, max_value=2**14))
def test_large_trees_stream_to_the_same_root(count: int) -> None:
    leaves = [i.to_bytes(32, "big") for i in range(count)]
    tree = MerkleTree(leaves)
    assert merkle_root(leaves) == tree.root
    last = count - 1
    assert verify_proof(tree.root, leaves[last], tree.proof(last))
