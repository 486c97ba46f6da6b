"""Registrars are accountable on chain: every registrar act carries the institution's own EIP-712
signature, the contract checks it and the registrar role of the key that signed, and every event of
the act names that registrar, never the relayer.

Two registration institutions share one registry; the relayer (who sends every transaction) holds no
role. Each attack is refused with the custom error that names it, and changes nothing: no status, no
nonce.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from tests.contracts.conftest import (
    REGISTRAR_ROLE,
    Signer,
    by_registrar,
    h,
    reverts_with,
    set_next_timestamp,
    sign_typed,
    transact,
)
from tests.contracts.test_data_rights_registry import FORMAL, SUBSTANTIVE, registered_asset

STATUS_REGISTERED, STATUS_UNDER_REVIEW, STATUS_IN_NOTICE, STATUS_CERTIFIED, STATUS_REJECTED = 1, 3, 4, 5, 6


def events_of(registry, receipt) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """Every event of the registry in ``receipt``, in log order, with its arguments."""
    found = []
    for event in registry.abi:
        if event["type"] != "event":
            continue
        for log in getattr(registry.events, event["name"])().process_receipt(receipt, errors=DISCARD):
            found.append((log.logIndex, event["name"], dict(log.args)))
    return [(name, args) for _, name, args in sorted(found, key=lambda item: item[0])]


def second_registrar(w3, registry, actors) -> Signer:  # type: ignore[no-untyped-def]
    """A second registration institution (the stranger's key), granted the role by the admin."""
    transact(w3, registry.functions.grantRole(REGISTRAR_ROLE, actors.stranger.address), actors.admin.address)
    return actors.stranger


def act(w3, registry, registrar, function, *args, **kw) -> Any:  # type: ignore[no-untyped-def]
    """A registrar's act, signed by its key, sent by the relayer (an account with no role at all)."""
    return transact(w3, by_registrar(registrar, registry, function, *args, **kw), relayer_address(registry))


def relayer_address(registry) -> str:  # type: ignore[no-untyped-def]
    return registry.w3.eth.accounts[4]  # actors.relayer: no role on the registry


def test_the_relayer_holds_no_role(registry, actors):
    assert relayer_address(registry) == actors.relayer.address
    assert not registry.functions.hasRole(REGISTRAR_ROLE, actors.relayer.address).call()
    assert not registry.functions.hasRole(b"\x00" * 32, actors.relayer.address).call()


def test_two_institutions_act_on_one_asset_and_every_event_names_the_one_that_signed(
    w3, registry, actors, authorise
):
    first, second = actors.registrar, second_registrar(w3, registry, actors)
    transact(w3, registry.functions.setNoticePeriod(0), actors.admin.address)
    asset_id = registered_asset(w3, registry, actors, authorise)

    formal = act(w3, registry, first, "recordReview", asset_id, FORMAL, True, h("complete"))
    substantive = act(w3, registry, second, "recordReview", asset_id, SUBSTANTIVE, True, h("lawful"))
    certificate = act(w3, registry, first, "recordCertificate", asset_id, h("first"), 2**40)
    successor = act(w3, registry, second, "recordCertificate", asset_id, h("second"), 2**40)
    renewal = act(w3, registry, first, "renewCertificate", asset_id, h("third"), 2**41)
    revocation = act(w3, registry, second, "revoke", asset_id, h("court order"))

    named = [
        (name, args["registrar"])
        for receipt in (formal, substantive, certificate, successor, renewal, revocation)
        for name, args in events_of(registry, receipt)
    ]
    a, b = first.address, second.address
    assert named == [
        ("ApplicationReviewed", a),
        ("ApplicationReviewed", b),
        ("PublicNoticeStarted", b),
        ("CertificateRecorded", a),
        ("CertificateRecorded", b),
        ("CertificateSuperseded", b),
        ("CertificateRecorded", a),
        ("CertificateSuperseded", a),
        ("CertificateRenewed", a),
        ("AssetRevoked", b),
    ]
    assert all(receipt["from"] == actors.relayer.address for receipt in (formal, revocation))
    assert registry.functions.nonces(a).call() == 3 and registry.functions.nonces(b).call() == 3


def test_rejections_and_resolutions_name_the_registrar_in_each_of_their_events(
    w3, registry, actors, authorise, sign_objection
):
    first, second = actors.registrar, second_registrar(w3, registry, actors)
    failed = registered_asset(w3, registry, actors, authorise, content="failed")
    rejected = registered_asset(w3, registry, actors, authorise, content="rejected")
    contested = registered_asset(w3, registry, actors, authorise, content="contested")

    review = act(w3, registry, first, "recordReview", failed, FORMAL, False, h("no source"))
    rejection = act(w3, registry, second, "rejectApplication", rejected, h("scraped"))
    act(w3, registry, first, "recordReview", contested, FORMAL, True, h("complete"))
    act(w3, registry, first, "recordReview", contested, SUBSTANTIVE, True, h("lawful"))
    sign_objection(contested)
    resolution = act(w3, registry, second, "resolveObjection", 1, True, h("upheld"))

    assert [(n, x["registrar"]) for n, x in events_of(registry, review)] == [
        ("ApplicationReviewed", first.address),
        ("ApplicationRejected", first.address),
    ]
    assert [(n, x["registrar"]) for n, x in events_of(registry, rejection)] == [
        ("ApplicationRejected", second.address)
    ]
    assert [(n, x["registrar"]) for n, x in events_of(registry, resolution)] == [
        ("ObjectionResolved", second.address),
        ("ApplicationRejected", second.address),
    ]


# -- attacks: each refused with its custom error, nothing changed --------------------------------------


def assert_unchanged(registry, asset_id, registrar, status=STATUS_REGISTERED, nonce=0) -> None:  # type: ignore[no-untyped-def]
    assert registry.functions.assetOf(asset_id).call()[2] == status
    assert registry.functions.nonces(registrar.address).call() == nonce


def test_a_strangers_signature_in_a_registrars_name_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    forged = by_registrar(actors.registrar, registry, "revoke", asset_id, h("x"), signer=actors.stranger)

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        forged.transact({"from": actors.relayer.address})
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_holders_own_signature_is_refused_for_want_of_the_role(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    own = by_registrar(actors.holder, registry, "recordReview", asset_id, FORMAL, True, h("mine"))

    with reverts_with(registry, "AccessControlUnauthorizedAccount", actors.holder.address, REGISTRAR_ROLE):
        own.transact({"from": actors.holder.address})
    assert_unchanged(registry, asset_id, actors.holder, nonce=1)  # the registration used the holder's 0


def test_a_registrar_whose_role_was_revoked_can_no_longer_act(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    signed_before = by_registrar(actors.registrar, registry, "revoke", asset_id, h("signed in time"))
    receipt = transact(
        w3, registry.functions.revokeRole(REGISTRAR_ROLE, actors.registrar.address), actors.admin.address
    )
    assert [name for name, _ in events_of(registry, receipt)] == ["RoleRevoked"]

    with reverts_with(registry, "AccessControlUnauthorizedAccount", actors.registrar.address, REGISTRAR_ROLE):
        signed_before.transact({"from": actors.relayer.address})
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_replayed_registrar_signature_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    act(w3, registry, actors.registrar, "recordReview", asset_id, FORMAL, True, h("complete"))
    replayed = by_registrar(
        actors.registrar, registry, "recordReview", asset_id, SUBSTANTIVE, True, h("lawful"), nonce=0
    )

    with reverts_with(registry, "InvalidAccountNonce", actors.registrar.address, 1):
        replayed.transact({"from": actors.relayer.address})
    assert_unchanged(registry, asset_id, actors.registrar, status=STATUS_UNDER_REVIEW, nonce=1)


def test_an_expired_registrar_signature_is_refused(chain, w3, registry, actors, authorise, now):
    asset_id = registered_asset(w3, registry, actors, authorise)
    deadline = now + 100
    late = by_registrar(actors.registrar, registry, "rejectApplication", asset_id, h("x"), deadline=deadline)
    set_next_timestamp(chain, deadline + 1)

    with reverts_with(registry, "DataRightsSignatureExpired", deadline, deadline + 1):
        late.transact({"from": actors.relayer.address})
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_signature_for_another_asset_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    other_id = registered_asset(w3, registry, actors, authorise, content="other")
    signed = by_registrar(actors.registrar, registry, "revoke", other_id, h("reason"))
    authorisation = signed.args[-1]

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        registry.functions.revoke(asset_id, h("reason"), authorisation).transact(
            {"from": actors.relayer.address}
        )
    assert_unchanged(registry, asset_id, actors.registrar)
    assert_unchanged(registry, other_id, actors.registrar)


def test_a_signature_for_another_act_with_the_same_fields_is_refused(w3, registry, actors, authorise):
    """A ``Rejection`` and a ``Revocation`` carry the same fields; their types keep them apart."""
    asset_id = registered_asset(w3, registry, actors, authorise)
    rejection = by_registrar(actors.registrar, registry, "rejectApplication", asset_id, h("reason"))

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        registry.functions.revoke(asset_id, h("reason"), rejection.args[-1]).transact(
            {"from": actors.relayer.address}
        )
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_signature_for_another_registry_is_refused(w3, registry, registry_artifact, actors, authorise):
    from tests.contracts.conftest import deploy_registry

    asset_id = registered_asset(w3, registry, actors, authorise)
    other = deploy_registry(w3, registry_artifact, actors.admin.address, actors.registrar.address)
    elsewhere = by_registrar(actors.registrar, other, "revoke", asset_id, h("reason"))

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        registry.functions.revoke(asset_id, h("reason"), elsewhere.args[-1]).transact(
            {"from": actors.relayer.address}
        )
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_signature_naming_another_registrar_is_refused(w3, registry, actors, authorise):
    """A registrar cannot act in another institution's name, even with a valid role of its own."""
    second = second_registrar(w3, registry, actors)
    asset_id = registered_asset(w3, registry, actors, authorise)
    in_first_name = by_registrar(actors.registrar, registry, "revoke", asset_id, h("x"), signer=second)

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        in_first_name.transact({"from": actors.relayer.address})
    assert_unchanged(registry, asset_id, actors.registrar)


def test_the_signed_review_stage_and_outcome_cannot_be_altered_in_relay(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    failed = by_registrar(actors.registrar, registry, "recordReview", asset_id, FORMAL, False, h("no"))

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        registry.functions.recordReview(asset_id, FORMAL, True, h("no"), failed.args[-1]).transact(
            {"from": actors.relayer.address}
        )
    assert_unchanged(registry, asset_id, actors.registrar)


def test_a_malformed_registrar_signature_is_refused_as_invalid(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    registrar, nonce, deadline, _ = by_registrar(actors.registrar, registry, "revoke", asset_id, h("x")).args[
        -1
    ]

    with reverts_with(registry, "DataRightsInvalidSignature", actors.registrar.address):
        registry.functions.revoke(asset_id, h("x"), (registrar, nonce, deadline, b"\x01" * 64)).transact(
            {"from": actors.relayer.address}
        )
    assert_unchanged(registry, asset_id, actors.registrar)


# -- fixtures ---------------------------------------------------------------------------------------


def _objection_typed(registry, objector: str, asset_id: bytes, nonce: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from tests.contracts.conftest import DOMAIN_NAME, DOMAIN_VERSION, EIP712_DOMAIN_TYPE

    fields = [
        ("objector", "address"),
        ("assetId", "bytes32"),
        ("reasonHash", "bytes32"),
        ("evidenceHash", "bytes32"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
    values = [objector, asset_id, h("ours"), h("evidence"), nonce, 2**40]
    return {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            "Objection": [{"name": n, "type": t} for n, t in fields],
        },
        "primaryType": "Objection",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": registry.w3.eth.chain_id,
            "verifyingContract": registry.address,
        },
        "message": {name: value for (name, _), value in zip(fields, values, strict=True)},
    }


@pytest.fixture
def sign_objection(w3, registry, actors):  # type: ignore[no-untyped-def]
    """File the other holder's objection against an asset in notice."""

    def file(asset_id: bytes) -> None:
        objector = actors.other_holder
        nonce = registry.functions.nonces(objector.address).call()
        typed = _objection_typed(registry, objector.address, asset_id, nonce)
        signature = bytes(sign_typed(objector.private_key, typed).signature)
        call = registry.functions.fileObjection(
            objector.address, asset_id, h("ours"), h("evidence"), nonce, 2**40, signature
        )
        transact(w3, call, actors.relayer.address)

    return file
