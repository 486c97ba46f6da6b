"""The AnchorRegistry contract on the embedded EVM (eth-tester): anchors, proofs, refusals, gas."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.revert_errors import RevertDecoder
from dataledger.registry import errors
from dataledger.registry.merkle import MerkleTree, leaf_hash, verify_proof
from tests.contracts.conftest import reverts_with, transact

ANCHORER_ROLE = keccak(text="ANCHORER_ROLE")
KIND = keccak(text="registration")
ZERO = b"\x00" * 32


def leaves(count: int, label: str = "entry") -> list[bytes]:
    return [leaf_hash(f"{label}-{i}".encode()) for i in range(count)]


@pytest.fixture(scope="module")
def chain() -> tuple[Web3, Contract]:
    """One chain and one registry for the module: every test anchors roots of its own."""
    w3 = Web3(EthereumTesterProvider())
    artifact = load_artifact("AnchorRegistry")
    admin = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(admin, admin).transact({"from": admin}))
    return w3, w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@pytest.fixture
def w3(chain: tuple[Web3, Contract]) -> Web3:
    return chain[0]


@pytest.fixture
def registry(chain: tuple[Web3, Contract]) -> Contract:
    return chain[1]


def anchor(w3: Web3, registry: Contract, root: bytes, count: int, kind: bytes = KIND):  # type: ignore[no-untyped-def]
    return transact(w3, registry.functions.anchor(root, count, kind), w3.eth.accounts[0])


def test_anchoring_emits_batch_anchored_and_records_the_root(w3: Web3, registry: Contract) -> None:
    tree = MerkleTree(leaves(5, "emits"))
    before = registry.functions.batchCount().call()

    receipt = anchor(w3, registry, tree.root, 5)

    (event,) = registry.events.BatchAnchored().process_receipt(receipt)
    assert event.args == {"batchId": before + 1, "root": tree.root, "leafCount": 5, "kind": KIND}
    block_time = w3.eth.get_block(receipt.blockNumber).timestamp
    assert registry.functions.anchorOf(tree.root).call() == (KIND, before + 1, block_time, 5)
    assert registry.functions.isAnchored(tree.root).call() is True
    assert registry.functions.batchCount().call() == before + 1


def test_a_root_is_anchored_once(w3: Web3, registry: Contract) -> None:
    root = MerkleTree(leaves(3, "once")).root
    anchor(w3, registry, root, 3)
    batch_id = registry.functions.anchorOf(root).call()[1]
    with reverts_with(registry, "AnchorRootAlreadyAnchored", root, batch_id):
        anchor(w3, registry, root, 3)


def test_zero_root_and_empty_batch_are_refused(w3: Web3, registry: Contract) -> None:
    with reverts_with(registry, "AnchorZeroRoot"):
        anchor(w3, registry, ZERO, 1)
    with reverts_with(registry, "AnchorEmptyBatch"):
        anchor(w3, registry, keccak(text="empty"), 0)


def test_only_the_anchorer_anchors(w3: Web3, registry: Contract) -> None:
    stranger = w3.eth.accounts[3]
    with reverts_with(registry, "AccessControlUnauthorizedAccount", stranger, ANCHORER_ROLE):
        transact(w3, registry.functions.anchor(keccak(text="stranger"), 1, KIND), stranger)
    assert registry.functions.isAnchored(keccak(text="stranger")).call() is False


def test_every_leaf_of_an_anchored_batch_verifies_on_chain(w3: Web3, registry: Contract) -> None:
    batch = leaves(11, "verifies")
    tree = MerkleTree(batch)
    anchor(w3, registry, tree.root, len(batch))
    for index, leaf in enumerate(batch):
        proof = list(tree.proof(index))
        assert registry.functions.verifyLeaf(tree.root, proof, leaf).call() is True
        record = registry.functions.requireAnchoredLeaf(tree.root, proof, leaf).call()
        assert record[1] == registry.functions.anchorOf(tree.root).call()[1]


def test_a_forged_leaf_or_proof_is_refused_on_chain(w3: Web3, registry: Contract) -> None:
    batch = leaves(6, "forged")
    tree = MerkleTree(batch)
    anchor(w3, registry, tree.root, len(batch))
    forged_leaf = leaf_hash(b"never in the batch")
    proof = list(tree.proof(2))
    tampered = [proof[0], keccak(text="tampered"), *proof[2:]]

    assert registry.functions.verifyLeaf(tree.root, proof, forged_leaf).call() is False
    assert registry.functions.verifyLeaf(tree.root, tampered, batch[2]).call() is False
    assert registry.functions.verifyLeaf(tree.root, list(tree.proof(3)), batch[2]).call() is False
    with reverts_with(registry, "AnchorInvalidProof", tree.root, forged_leaf):
        registry.functions.requireAnchoredLeaf(tree.root, proof, forged_leaf).call()
    with reverts_with(registry, "AnchorInvalidProof", tree.root, batch[2]):
        registry.functions.requireAnchoredLeaf(tree.root, tampered, batch[2]).call()


def test_a_valid_proof_under_a_root_never_anchored_is_refused(registry: Contract) -> None:
    batch = leaves(4, "unanchored")
    tree = MerkleTree(batch)
    proof = list(tree.proof(1))
    assert registry.functions.verifyProof(tree.root, proof, batch[1]).call() is True
    assert registry.functions.verifyLeaf(tree.root, proof, batch[1]).call() is False
    with reverts_with(registry, "AnchorRootNotAnchored", tree.root):
        registry.functions.requireAnchoredLeaf(tree.root, proof, batch[1]).call()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40, unique=True),
    st.data(),
)
def test_python_proofs_agree_with_openzeppelin_merkle_proof(
    registry: Contract, batch: list[bytes], data: st.DataObject
) -> None:
    tree = MerkleTree(batch)
    index = data.draw(st.integers(0, len(batch) - 1))
    proof = list(tree.proof(index))
    leaf = data.draw(st.sampled_from([batch[index], leaf_hash(b"forged")]))
    if data.draw(st.booleans()) and proof:
        proof[data.draw(st.integers(0, len(proof) - 1))] = data.draw(st.binary(min_size=32, max_size=32))
    expected = verify_proof(tree.root, leaf, proof)
    assert registry.functions.verifyProof(tree.root, proof, leaf).call() is expected


def test_anchoring_a_thousand_leaves_costs_under_500_gas_per_leaf(w3: Web3, registry: Contract) -> None:
    tree = MerkleTree(leaves(1000, "gas"))
    receipt = anchor(w3, registry, tree.root, 1000)
    assert receipt.gasUsed / 1000 <= 500, receipt.gasUsed
    assert receipt.gasUsed < 100_000  # the cost does not depend on the batch size


def test_version_and_interfaces(registry: Contract) -> None:
    assert registry.functions.version().call() == "1.0.0"
    assert registry.functions.supportsInterface(bytes.fromhex("7965db0b")).call() is True  # IAccessControl


def test_anchor_registry_reverts_map_to_domain_errors(registry: Contract) -> None:
    decoder = RevertDecoder([list(registry.abi)])
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    data = function_signature_to_4byte_selector("AnchorRootAlreadyAnchored(bytes32,uint256)") + encode(
        ["bytes32", "uint256"], [b"\x01" * 32, 7]
    )
    error = decoder.to_domain_error(data)
    assert isinstance(error, errors.AlreadyExists)
    assert error.extra == {
        "contract_error": "AnchorRootAlreadyAnchored",
        "root": "0x" + "01" * 32,
        "batchId": 7,
    }
    data = function_signature_to_4byte_selector("AnchorRootNotAnchored(bytes32)") + encode(
        ["bytes32"], [ZERO]
    )
    assert isinstance(decoder.to_domain_error(data), errors.NotFound)
