"""``LicenceRegistry.recordUses``: a delivery gateway records the uses it redeemed off chain in batches.
Every refusal on chain: no gateway role, zero root or count, over-use, revoked, expired, asset revoked."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.registry.merkle import leaf_hash, merkle_root
from tests.contracts.conftest import by_registrar, h, reverts_with, set_next_timestamp, transact
from tests.contracts.test_lifecycle_contracts import certified, grant, signed, use


@pytest.fixture(scope="module")
def licences(w3, registry, actors):  # type: ignore[no-untyped-def]
    """A licence registry deployed by the admin, who holds the gateway role."""
    artifact = load_artifact("LicenceRegistry")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(registry.address).transact({"from": actors.admin.address})
    )
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


def root_of(*labels: str) -> bytes:
    return merkle_root([leaf_hash(label.encode()) for label in labels])


def record(w3, licences, sender, licence_id, count, root):  # type: ignore[no-untyped-def]
    return transact(w3, licences.functions.recordUses(licence_id, count, root), sender)


def test_recorded_uses_move_the_count_exactly_and_name_their_root(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=5)
    use(w3, licences, actors, licence_id)  # one use consumed on chain the usual way
    root = root_of("use 2", "use 3", "use 4")

    receipt = record(w3, licences, actors.admin.address, licence_id, 3, root)

    (recorded,) = licences.events.LicenceUsesRecorded().process_receipt(receipt, errors=DISCARD)
    assert (recorded.args.firstUse, recorded.args.count, recorded.args.receiptsRoot) == (2, 3, root)
    assert recorded.args.licensee == actors.other_holder.address
    assert licences.functions.licenceOf(licence_id).call()[2] == 4


def test_recording_more_uses_than_are_left_is_refused(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=3)
    record(w3, licences, actors.admin.address, licence_id, 2, root_of("a", "b"))
    with reverts_with(licences, "LicenceOverUse", licence_id, 2, 2, 3):
        record(w3, licences, actors.admin.address, licence_id, 2, root_of("c", "d"))
    record(w3, licences, actors.admin.address, licence_id, 1, root_of("c"))
    with reverts_with(licences, "LicenceUsedUp", licence_id, 3):
        record(w3, licences, actors.admin.address, licence_id, 1, root_of("e"))
    with reverts_with(licences, "LicenceUsedUp", licence_id, 3):
        use(w3, licences, actors, licence_id)  # and the licensee's own use on chain is refused too


def test_only_a_gateway_records_uses(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=3)
    role = licences.functions.GATEWAY_ROLE().call()
    with reverts_with(licences, "AccessControlUnauthorizedAccount", actors.stranger.address, role):
        record(w3, licences, actors.stranger.address, licence_id, 1, root_of("a"))
    transact(w3, licences.functions.grantRole(role, actors.stranger.address), actors.admin.address)
    record(w3, licences, actors.stranger.address, licence_id, 1, root_of("a"))


def test_a_zero_root_or_count_is_refused(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=3)
    with reverts_with(licences, "LicenceZeroHash"):
        record(w3, licences, actors.admin.address, licence_id, 1, b"\x00" * 32)
    with reverts_with(licences, "LicenceZeroUses"):
        record(w3, licences, actors.admin.address, licence_id, 0, root_of("a"))
    with reverts_with(licences, "LicenceNotFound", 999):
        record(w3, licences, actors.admin.address, 999, 1, root_of("a"))


def test_uses_of_a_revoked_licence_are_refused(w3, registry, licences, actors, authorise):
    licence_id = grant(w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=3)
    auth, signature = signed(
        licences,
        "LicenceRevocation",
        actors.holder,
        licence=True,
        licenceId=licence_id,
        reasonHash="0x" + h("fee").hex(),
    )
    transact(
        w3,
        licences.functions.revokeLicence(licence_id, h("fee"), auth.nonce, auth.deadline, signature),
        actors.relayer.address,
    )
    with reverts_with(licences, "LicenceIsRevoked", licence_id):
        record(w3, licences, actors.admin.address, licence_id, 1, root_of("a"))


def test_uses_after_expiry_are_refused(chain, w3, registry, licences, actors, authorise):
    licence_id = grant(
        w3, licences, actors, certified(w3, registry, actors, authorise), max_uses=3, valid_for=60
    )
    until = licences.functions.licenceOf(licence_id).call()[0][5]
    set_next_timestamp(chain, until + 1)
    with reverts_with(licences, "LicenceExpired", licence_id, until):
        record(w3, licences, actors.admin.address, licence_id, 1, root_of("a"))


def test_uses_of_a_revoked_asset_are_refused(w3, registry, licences, actors, authorise):
    asset_id = certified(w3, registry, actors, authorise)
    licence_id = grant(w3, licences, actors, asset_id, max_uses=3)
    transact(
        w3,
        by_registrar(actors.registrar, registry, "revoke", asset_id, h("unlawful")),
        actors.relayer.address,
    )
    with reverts_with(licences, "LicenceAssetNotCertified", asset_id, 2):
        record(w3, licences, actors.admin.address, licence_id, 1, root_of("a"))
