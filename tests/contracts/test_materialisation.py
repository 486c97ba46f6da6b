"""Materialising batched registrations in DataRightsRegistry: an anchored, holder-signed leaf becomes an
asset exactly like a directly registered one, and nothing else does (embedded chain)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG, registration_leaf
from dataledger.registry.holder_signatures import (
    Eip712Domain,
    RegistrationAuthorisation,
    act_authorisation,
    sign_act,
)
from dataledger.registry.merkle import MerkleTree
from tests.contracts.conftest import (
    DEADLINE_HORIZON,
    DEFAULT_ADMIN_ROLE,
    REGISTRATION_TYPE,
    Signer,
    by_registrar,
    h,
    pledge_call,
    reverts_with,
    sign_typed,
    transact,
    typed_registration,
)

ZERO = b"\x00" * 32
REGISTRATION_KIND = keccak(text="registration")
LEAF_TYPEHASH = keccak(text="dataledger.BatchedRegistration(bytes32 registrationHash,bytes32 signatureHash)")
REGISTRATION_TYPEHASH = keccak(
    text="Registration(" + ",".join(f"{f['type']} {f['name']}" for f in REGISTRATION_TYPE) + ")"
)
STATUS_REGISTERED, STATUS_CERTIFIED = 1, 5
FORMAL, SUBSTANTIVE = 0, 1
FAR = 2**40


@dataclass(frozen=True)
class Batched:
    """A signed batched registration: the struct ``materialise`` takes, and the signature."""

    holder: str
    content_hash: bytes
    metadata_hash: bytes
    right: int
    lawful_source_hash: bytes
    nonce: int
    deadline: int
    signature: bytes

    def struct(self) -> tuple[Any, ...]:
        return (
            self.holder,
            self.content_hash,
            self.metadata_hash,
            self.right,
            self.lawful_source_hash,
            self.nonce,
            self.deadline,
        )

    def leaf(self) -> bytes:
        """Rebuilt here from the spec, independently of ``registry.batched_registrations``."""
        struct_hash = keccak(
            abi_encode(
                ["bytes32", "address", "bytes32", "bytes32", "uint8", "bytes32", "uint256", "uint256"],
                [REGISTRATION_TYPEHASH, *self.struct()],
            )
        )
        return keccak(keccak(LEAF_TYPEHASH + struct_hash + keccak(self.signature)))


@pytest.fixture(scope="module")
def anchors(w3: Web3, actors) -> Contract:  # type: ignore[no-untyped-def]
    artifact = load_artifact("AnchorRegistry")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = transact(
        w3, factory.constructor(actors.admin.address, actors.admin.address), actors.admin.address
    )
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@pytest.fixture
def linked(w3: Web3, registry: Contract, anchors: Contract, actors) -> Contract:  # type: ignore[no-untyped-def]
    """The registry, told where batch roots are anchored."""
    transact(w3, registry.functions.setAnchorRegistry(anchors.address), actors.admin.address)
    return registry


def batched(
    registry: Contract,
    holder: Signer,
    label: str,
    *,
    index: int = 0,
    signer: Signer | None = None,
    deadline: int = FAR,
) -> Batched:
    """``holder``'s registration of content ``label`` with batched nonce ``index``, signed by ``signer``."""
    nonce = BATCH_NONCE_FLAG | index
    message = typed_registration(
        registry, holder.address, h(label), h(f"{label} metadata"), nonce, deadline, 1, ZERO
    )
    signature = bytes(sign_typed((signer or holder).private_key, message).signature)
    return Batched(holder.address, h(label), h(f"{label} metadata"), 1, ZERO, nonce, deadline, signature)


def anchor(w3: Web3, anchors: Contract, items: list[Batched], kind: bytes = REGISTRATION_KIND) -> MerkleTree:
    tree = MerkleTree([item.leaf() for item in items])
    transact(w3, anchors.functions.anchor(tree.root, tree.leaf_count, kind), w3.eth.accounts[0])
    return tree


def materialise(registry: Contract, item: Batched, tree: MerkleTree, index: int) -> Any:
    return registry.functions.materialise(item.struct(), item.signature, tree.root, list(tree.proof(index)))


def asset_id_of(registry: Contract, item: Batched) -> bytes:
    return registry.functions.assetIdFor(item.holder, item.content_hash, item.metadata_hash).call()


@pytest.fixture
def batch(w3, linked, anchors, actors):  # type: ignore[no-untyped-def]
    """Three registrations of two holders, anchored as one batch."""
    items = [
        batched(linked, actors.holder, "a", index=0),
        batched(linked, actors.other_holder, "b", index=0),
        batched(linked, actors.holder, "c", index=1),
    ]
    return items, anchor(w3, anchors, items)


# --- materialisation --------------------------------------------------------------------------------


def test_the_contract_leaf_is_the_leaf_the_bulk_path_anchors(linked, actors):
    item = batched(linked, actors.holder, "a", index=7)
    auth = RegistrationAuthorisation(
        item.holder, "0x" + item.content_hash.hex(), "0x" + item.metadata_hash.hex(), item.nonce,
        item.deadline, right="data-processing-and-use",
    )  # fmt: skip

    assert registration_leaf(auth, item.signature) == item.leaf()


def test_materialising_stores_the_asset_as_registered_and_emits_registered_then_materialised(
    w3, linked, anchors, actors, batch
):
    items, tree = batch
    item = items[2]

    receipt = transact(w3, materialise(linked, item, tree, 2), actors.relayer.address)

    asset_id = asset_id_of(linked, item)
    block = w3.eth.get_block(receipt.blockNumber)
    _, batch_id, anchored_at, _ = anchors.functions.anchorOf(tree.root).call()
    (registered,) = linked.events.AssetRegistered().process_receipt(receipt, errors=DISCARD)
    (materialised,) = linked.events.AssetMaterialised().process_receipt(receipt, errors=DISCARD)
    assert registered.logIndex < materialised.logIndex
    assert registered.args == {
        "assetId": asset_id,
        "holder": actors.holder.address,
        "contentHash": h("c"),
        "metadataHash": h("c metadata"),
        "right": 1,
        "lawfulSourceHash": ZERO,
        "nonce": item.nonce,
        "relayer": actors.relayer.address,
    }
    assert materialised.args == {
        "assetId": asset_id,
        "root": tree.root,
        "batchId": batch_id,
        "anchoredAt": anchored_at,
        "leaf": item.leaf(),
    }
    assert linked.functions.assetOf(asset_id).call() == (
        actors.holder.address,
        block.timestamp,
        STATUS_REGISTERED,
        h("c"),
        h("c metadata"),
    )
    assert linked.functions.procedureOf(asset_id).call()[:2] == (1, 1)  # right, version
    assert linked.functions.assetOfContent(h("c")).call() == asset_id
    assert linked.functions.batchNonceUsed(actors.holder.address, item.nonce).call()
    # the sequential nonces of direct acts are untouched
    assert linked.functions.nonces(actors.holder.address).call() == 0


def test_materialise_returns_the_asset_id(linked, actors, batch):
    items, tree = batch

    returned = materialise(linked, items[0], tree, 0).call({"from": actors.stranger.address})

    assert returned == asset_id_of(linked, items[0])


def test_unanchored_root_is_refused(w3, linked, actors):
    item = batched(linked, actors.holder, "a")
    tree = MerkleTree([item.leaf()])  # never anchored

    with reverts_with(linked, "DataRightsRootNotAnchored", tree.root):
        materialise(linked, item, tree, 0).transact({"from": actors.relayer.address})


def test_root_anchored_as_another_kind_of_batch_is_refused(w3, linked, anchors, actors):
    item = batched(linked, actors.holder, "a")
    tree = anchor(w3, anchors, [item], kind=keccak(text="epcis-event"))

    with reverts_with(linked, "DataRightsRootNotAnchored", tree.root):
        materialise(linked, item, tree, 0).transact({"from": actors.relayer.address})


def test_forged_leaf_is_refused(linked, actors, batch):
    items, tree = batch
    forged = replace(items[0], content_hash=h("someone else's data"))  # same signature, other fields

    with reverts_with(linked, "DataRightsInvalidProof", tree.root, forged.leaf()):
        materialise(linked, forged, tree, 0).transact({"from": actors.relayer.address})


def test_forged_proof_is_refused(linked, actors, batch):
    items, tree = batch
    proof = list(tree.proof(0))
    proof[0] = h("forged sibling")

    with reverts_with(linked, "DataRightsInvalidProof", tree.root, items[0].leaf()):
        linked.functions.materialise(items[0].struct(), items[0].signature, tree.root, proof).transact(
            {"from": actors.relayer.address}
        )


def test_proof_of_another_leaf_is_refused(linked, actors, batch):
    items, tree = batch

    with reverts_with(linked, "DataRightsInvalidProof", tree.root, items[0].leaf()):
        materialise(linked, items[0], tree, 1).transact({"from": actors.relayer.address})


def test_anchored_leaf_signed_by_another_key_is_refused(w3, linked, anchors, actors):
    """The operator anchored a leaf naming the holder but signed by someone else: the batch cannot
    make the holder own it."""
    item = batched(linked, actors.holder, "a", signer=actors.stranger)
    tree = anchor(w3, anchors, [item, batched(linked, actors.other_holder, "b")])

    with reverts_with(linked, "DataRightsInvalidSignature", actors.holder.address):
        materialise(linked, item, tree, 0).transact({"from": actors.stranger.address})


def test_relayer_cannot_assign_a_signed_registration_to_another_holder(w3, linked, anchors, actors):
    signed_by_holder = batched(linked, actors.holder, "a")
    claimed = replace(signed_by_holder, holder=actors.stranger.address)  # the relayer's own address
    tree = anchor(w3, anchors, [claimed, signed_by_holder])

    with reverts_with(linked, "DataRightsInvalidSignature", actors.stranger.address):
        materialise(linked, claimed, tree, 0).transact({"from": actors.stranger.address})


def test_materialising_twice_is_refused(w3, linked, actors, batch):
    items, tree = batch
    transact(w3, materialise(linked, items[1], tree, 1), actors.relayer.address)

    with reverts_with(linked, "DataRightsAlreadyMaterialised", actors.other_holder.address, items[1].nonce):
        materialise(linked, items[1], tree, 1).transact({"from": actors.relayer.address})


def test_a_used_batched_nonce_refuses_another_registration_signed_with_it(w3, linked, anchors, actors):
    first = batched(linked, actors.holder, "a", index=5)
    second = batched(linked, actors.holder, "b", index=5)
    tree = anchor(w3, anchors, [first, second])
    transact(w3, materialise(linked, first, tree, 0), actors.relayer.address)

    with reverts_with(linked, "DataRightsAlreadyMaterialised", actors.holder.address, second.nonce):
        materialise(linked, second, tree, 1).transact({"from": actors.relayer.address})


def test_sequential_nonce_is_refused(w3, linked, anchors, actors):
    message = typed_registration(linked, actors.holder.address, h("a"), h("a metadata"), 0, FAR, 1, ZERO)
    signature = bytes(sign_typed(actors.holder.private_key, message).signature)
    item = Batched(actors.holder.address, h("a"), h("a metadata"), 1, ZERO, 0, FAR, signature)
    tree = anchor(w3, anchors, [item])

    with reverts_with(linked, "DataRightsNotBatchNonce", 0):
        materialise(linked, item, tree, 0).transact({"from": actors.relayer.address})


def test_batched_signature_is_refused_by_register(linked, actors):
    item = batched(linked, actors.holder, "a")

    with reverts_with(linked, "InvalidAccountNonce", actors.holder.address, 0):
        linked.functions.register(*item.struct(), item.signature).transact({"from": actors.relayer.address})


def test_root_anchored_after_the_deadline_is_refused(chain, w3, linked, anchors, actors, now):
    item = batched(linked, actors.holder, "a", deadline=now + 10)
    chain.ethereum_tester.time_travel(now + 11)
    tree = anchor(w3, anchors, [item])
    anchored_at = anchors.functions.anchorOf(tree.root).call()[2]

    with reverts_with(linked, "DataRightsSignatureExpired", now + 10, anchored_at):
        materialise(linked, item, tree, 0).transact({"from": actors.relayer.address})


def test_root_anchored_before_the_deadline_materialises_after_it(chain, w3, linked, anchors, actors, now):
    item = batched(linked, actors.holder, "a", deadline=now + 100)
    tree = anchor(w3, anchors, [item])
    chain.ethereum_tester.time_travel(now + DEADLINE_HORIZON)

    transact(w3, materialise(linked, item, tree, 0), actors.relayer.address)

    assert linked.functions.assetOf(asset_id_of(linked, item)).call()[2] == STATUS_REGISTERED


def test_content_registered_directly_refuses_its_materialisation(w3, linked, anchors, actors, authorise):
    direct = authorise(actors.other_holder, h("a"), h("direct metadata"))
    transact(w3, linked.functions.register(*direct.args()), actors.relayer.address)
    direct_id = linked.functions.assetIdFor(actors.other_holder.address, h("a"), h("direct metadata")).call()
    item = batched(linked, actors.holder, "a")
    tree = anchor(w3, anchors, [item])

    with reverts_with(linked, "DataRightsContentAlreadyRegistered", h("a"), direct_id):
        materialise(linked, item, tree, 0).transact({"from": actors.relayer.address})


def test_without_an_anchor_registry_nothing_materialises(w3, registry, anchors, actors):
    item = batched(registry, actors.holder, "a")
    tree = anchor(w3, anchors, [item])

    with reverts_with(registry, "DataRightsNoAnchorRegistry"):
        materialise(registry, item, tree, 0).transact({"from": actors.relayer.address})


# --- after materialisation: the lifecycle of any asset -----------------------------------------------


def _certify(w3, registry, actors, asset_id):  # type: ignore[no-untyped-def]
    transact(w3, registry.functions.setNoticePeriod(0), actors.admin.address)
    for stage in (FORMAL, SUBSTANTIVE):
        transact(
            w3,
            by_registrar(actors.registrar, registry, "recordReview", asset_id, stage, True, h("ok")),
            actors.registrar.address,
        )
    transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0),
        actors.registrar.address,
    )


def _holder_act(registry, holder, primary, **fields):  # type: ignore[no-untyped-def]
    domain = Eip712Domain(registry.w3.eth.chain_id, registry.address)
    nonce = registry.functions.nonces(holder.address).call()
    auth = act_authorisation(primary, holder.address, **fields, nonce=nonce, deadline=FAR)
    return auth, bytes.fromhex(sign_act(holder.private_key, auth, domain)[2:])


def test_a_materialised_asset_goes_through_the_procedure_then_transfers(w3, linked, actors, batch):
    items, tree = batch
    transact(w3, materialise(linked, items[0], tree, 0), actors.relayer.address)
    asset_id = asset_id_of(linked, items[0])
    _certify(w3, linked, actors, asset_id)
    auth, signature = _holder_act(
        linked, actors.holder, "Transfer", assetId="0x" + asset_id.hex(), to=actors.other_holder.address
    )

    receipt = transact(
        w3,
        linked.functions.transfer(asset_id, actors.other_holder.address, auth.nonce, FAR, signature),
        actors.relayer.address,
    )

    (event,) = linked.events.AssetTransferred().process_receipt(receipt)
    assert (event.args["from"], event.args.to) == (actors.holder.address, actors.other_holder.address)
    holder, _, status, _, _ = linked.functions.assetOf(asset_id).call()
    assert (holder, status) == (actors.other_holder.address, STATUS_CERTIFIED)


def test_a_materialised_asset_can_be_pledged(w3, linked, actors, batch):
    items, tree = batch
    transact(w3, materialise(linked, items[1], tree, 1), actors.relayer.address)
    asset_id = asset_id_of(linked, items[1])
    _certify(w3, linked, actors, asset_id)
    receipt = transact(
        w3, pledge_call(linked, asset_id, actors.other_holder, actors.stranger, FAR), actors.relayer.address
    )

    (event,) = linked.events.AssetPledged().process_receipt(receipt)
    assert event.args.pledgee == actors.stranger.address
    assert linked.functions.procedureOf(asset_id).call()[6] == actors.stranger.address


def test_a_materialised_asset_awaits_the_formal_review(w3, linked, actors, batch):
    items, tree = batch
    transact(w3, materialise(linked, items[0], tree, 0), actors.relayer.address)
    asset_id = asset_id_of(linked, items[0])
    auth, signature = _holder_act(
        linked, actors.holder, "Transfer", assetId="0x" + asset_id.hex(), to=actors.other_holder.address
    )

    with reverts_with(linked, "DataRightsInvalidStatus", asset_id, STATUS_REGISTERED):
        linked.functions.transfer(asset_id, actors.other_holder.address, auth.nonce, FAR, signature).transact(
            {"from": actors.relayer.address}
        )


# --- the anchor registry setting ------------------------------------------------------------------


def test_admin_sets_the_anchor_registry_and_anchor_registry_changed_is_emitted(w3, registry, anchors, actors):
    receipt = transact(w3, registry.functions.setAnchorRegistry(anchors.address), actors.admin.address)

    (event,) = registry.events.AnchorRegistryChanged().process_receipt(receipt)
    assert event.args == {"previous": "0x" + "00" * 20, "current": anchors.address}
    assert registry.functions.anchorRegistry().call() == anchors.address


def test_setting_the_same_anchor_registry_emits_nothing(w3, linked, anchors, actors):
    receipt = transact(w3, linked.functions.setAnchorRegistry(anchors.address), actors.admin.address)

    assert receipt.logs == []


def test_only_the_admin_sets_the_anchor_registry(registry, anchors, actors):
    with reverts_with(
        registry, "AccessControlUnauthorizedAccount", actors.registrar.address, DEFAULT_ADMIN_ROLE
    ):
        registry.functions.setAnchorRegistry(anchors.address).transact({"from": actors.registrar.address})


def test_materialisation_costs_about_a_direct_registration(w3, linked, anchors, actors, authorise):
    """One leaf of a 1,024-leaf batch (a 10-hash proof): a direct registration plus the proof, the
    anchor lookup and the nonce bit; a holder's next batched nonce shares the bitmap word."""
    items = [batched(linked, actors.holder, f"gas {i}", index=i) for i in range(1024)]
    tree = anchor(w3, anchors, items)
    direct = transact(
        w3,
        linked.functions.register(*authorise(actors.other_holder, h("direct"), h("direct metadata")).args()),
        actors.relayer.address,
    )

    first = transact(w3, materialise(linked, items[0], tree, 0), actors.relayer.address)
    second = transact(w3, materialise(linked, items[1], tree, 1), actors.relayer.address)

    print(
        f"gas: register {direct.gasUsed}, materialise (1024-leaf batch) first {first.gasUsed}, "
        f"next nonce of the same word {second.gasUsed}"
    )
    assert first.gasUsed < direct.gasUsed + 60_000
    assert second.gasUsed < first.gasUsed - 15_000
