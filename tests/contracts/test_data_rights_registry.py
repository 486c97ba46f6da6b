"""Behaviour of the DataRightsRegistry contract, driven through web3 on the embedded chain."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st
from web3.logs import DISCARD

from tests.contracts.conftest import (
    DEADLINE_HORIZON,
    DEFAULT_ADMIN_ROLE,
    DOMAIN_NAME,
    DOMAIN_VERSION,
    LAWFUL_SOURCE,
    REGISTRAR_ROLE,
    RESOURCE_HOLDING,
    by_registrar,
    deploy_registry,
    h,
    reverts_with,
    set_next_timestamp,
    sign_typed,
    transact,
    typed_registration,
)

ZERO_ADDRESS = "0x" + "00" * 20
ZERO_HASH = b"\x00" * 32
STATUS_NONE, STATUS_REGISTERED, STATUS_REVOKED = 0, 1, 2
STATUS_CERTIFIED = 5
FORMAL, SUBSTANTIVE = 0, 1


def register(w3, registry, registration, relayer):
    return transact(w3, registry.functions.register(*registration.args()), relayer.address)


def registered_asset(w3, registry, actors, authorise, content="content", metadata="metadata"):
    """Register an asset of ``actors.holder`` and return its id."""
    registration = authorise(actors.holder, h(content), h(metadata))
    register(w3, registry, registration, actors.relayer)
    return registry.functions.assetIdFor(actors.holder.address, h(content), h(metadata)).call()


# --- registration -------------------------------------------------------------------------------------


def test_registration_emits_asset_registered_with_the_signed_fields_and_the_relayer(
    w3, registry, actors, authorise
):
    registration = authorise(actors.holder, h("content"), h("metadata"))

    receipt = register(w3, registry, registration, actors.relayer)

    (event,) = registry.events.AssetRegistered().process_receipt(receipt)
    expected_id = keccak(
        abi_encode(["address", "bytes32", "bytes32"], [actors.holder.address, h("content"), h("metadata")])
    )
    assert event.args == {
        "assetId": expected_id,
        "holder": actors.holder.address,
        "contentHash": h("content"),
        "metadataHash": h("metadata"),
        "right": RESOURCE_HOLDING,
        "lawfulSourceHash": LAWFUL_SOURCE,
        "nonce": 0,
        "relayer": actors.relayer.address,
    }
    assert (
        registry.functions.assetIdFor(actors.holder.address, h("content"), h("metadata")).call()
        == expected_id
    )


def test_registration_stores_the_asset_binds_its_content_and_consumes_the_nonce(
    w3, registry, actors, authorise
):
    registration = authorise(actors.holder, h("content"), h("metadata"))

    receipt = register(w3, registry, registration, actors.relayer)

    asset_id = registry.functions.assetIdFor(actors.holder.address, h("content"), h("metadata")).call()
    block_time = w3.eth.get_block(receipt.blockNumber).timestamp
    assert registry.functions.assetOf(asset_id).call() == (
        actors.holder.address,
        block_time,
        STATUS_REGISTERED,
        h("content"),
        h("metadata"),
    )
    assert registry.functions.assetOfContent(h("content")).call() == asset_id
    assert registry.functions.nonces(actors.holder.address).call() == 1


def test_register_returns_the_asset_id(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"))

    returned = registry.functions.register(*registration.args()).call({"from": actors.relayer.address})

    assert (
        returned == registry.functions.assetIdFor(actors.holder.address, h("content"), h("metadata")).call()
    )


def test_relayer_need_not_be_the_holder_nor_hold_a_role(w3, registry, actors, authorise):
    assert not registry.functions.hasRole(REGISTRAR_ROLE, actors.stranger.address).call()
    registration = authorise(actors.holder, h("content"), h("metadata"))

    receipt = register(w3, registry, registration, actors.stranger)

    (event,) = registry.events.AssetRegistered().process_receipt(receipt)
    assert event.args.holder == actors.holder.address
    assert event.args.relayer == actors.stranger.address


def test_holder_may_submit_its_own_registration(w3, registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"))

    receipt = register(w3, registry, registration, actors.holder)

    (event,) = registry.events.AssetRegistered().process_receipt(receipt)
    assert event.args.relayer == actors.holder.address


def test_consecutive_registrations_use_consecutive_nonces(w3, registry, actors, authorise):
    register(w3, registry, authorise(actors.holder, h("first"), h("metadata")), actors.relayer)
    receipt = register(w3, registry, authorise(actors.holder, h("second"), h("metadata")), actors.relayer)

    (event,) = registry.events.AssetRegistered().process_receipt(receipt)
    assert event.args.nonce == 1
    assert registry.functions.nonces(actors.holder.address).call() == 2


def test_registration_signed_by_another_key_is_refused(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"), signer=actors.other_holder)

    with reverts_with(registry, "DataRightsInvalidSignature", actors.holder.address):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_signature_over_other_fields_is_refused(registry, actors, authorise):
    signed = authorise(actors.holder, h("content"), h("metadata"))
    tampered = (*signed.args()[:2], h("other metadata"), *signed.args()[3:])

    with reverts_with(registry, "DataRightsInvalidSignature", actors.holder.address):
        registry.functions.register(*tampered).transact({"from": actors.relayer.address})


def test_signature_for_another_registry_is_refused(w3, registry, registry_artifact, actors, authorise):
    other_registry = deploy_registry(w3, registry_artifact, actors.admin.address, actors.registrar.address)
    registration = authorise(actors.holder, h("content"), h("metadata"))

    with reverts_with(other_registry, "DataRightsInvalidSignature", actors.holder.address):
        other_registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_malformed_signature_is_refused_as_invalid(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"))
    truncated = (*registration.args()[:7], registration.signature[:64])

    with reverts_with(registry, "DataRightsInvalidSignature", actors.holder.address):
        registry.functions.register(*truncated).transact({"from": actors.relayer.address})


def test_replayed_nonce_is_refused(w3, registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"))
    register(w3, registry, registration, actors.relayer)

    with reverts_with(registry, "InvalidAccountNonce", actors.holder.address, 1):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_nonce_ahead_of_the_current_one_is_refused(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"), nonce=5)

    with reverts_with(registry, "InvalidAccountNonce", actors.holder.address, 0):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_expired_deadline_is_refused(chain, registry, actors, authorise, now):
    deadline = now + DEADLINE_HORIZON
    registration = authorise(actors.holder, h("content"), h("metadata"), deadline=deadline)
    set_next_timestamp(chain, deadline + 1)

    with reverts_with(registry, "DataRightsSignatureExpired", deadline, deadline + 1):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_deadline_equal_to_the_block_timestamp_is_accepted(chain, w3, registry, actors, authorise, now):
    deadline = now + DEADLINE_HORIZON
    registration = authorise(actors.holder, h("content"), h("metadata"), deadline=deadline)
    set_next_timestamp(chain, deadline)

    receipt = register(w3, registry, registration, actors.relayer)

    assert w3.eth.get_block(receipt.blockNumber).timestamp == deadline


def test_duplicate_asset_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    again = authorise(actors.holder, h("content"), h("metadata"))

    with reverts_with(registry, "DataRightsAssetAlreadyRegistered", asset_id):
        registry.functions.register(*again.args()).transact({"from": actors.relayer.address})


def test_same_content_under_another_holder_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    claim = authorise(actors.other_holder, h("content"), h("metadata"))

    with reverts_with(registry, "DataRightsContentAlreadyRegistered", h("content"), asset_id):
        registry.functions.register(*claim.args()).transact({"from": actors.relayer.address})


def test_same_content_with_other_metadata_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    claim = authorise(actors.holder, h("content"), h("other metadata"))

    with reverts_with(registry, "DataRightsContentAlreadyRegistered", h("content"), asset_id):
        registry.functions.register(*claim.args()).transact({"from": actors.relayer.address})


def test_refused_registration_leaves_the_nonce_unused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    claim = authorise(actors.other_holder, h("content"), h("metadata"))

    with reverts_with(registry, "DataRightsContentAlreadyRegistered", h("content"), asset_id):
        registry.functions.register(*claim.args()).transact({"from": actors.relayer.address})

    assert registry.functions.nonces(actors.other_holder.address).call() == 0


def test_zero_holder_is_refused(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), h("metadata"), holder_address=ZERO_ADDRESS, nonce=0)

    with reverts_with(registry, "DataRightsZeroHolder"):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_zero_content_hash_is_refused(registry, actors, authorise):
    registration = authorise(actors.holder, ZERO_HASH, h("metadata"))

    with reverts_with(registry, "DataRightsZeroHash"):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_zero_metadata_hash_is_refused(registry, actors, authorise):
    registration = authorise(actors.holder, h("content"), ZERO_HASH)

    with reverts_with(registry, "DataRightsZeroHash"):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_zero_holder_is_checked_before_the_deadline(chain, registry, actors, authorise, now):
    deadline = now + DEADLINE_HORIZON
    registration = authorise(
        actors.holder, ZERO_HASH, ZERO_HASH, holder_address=ZERO_ADDRESS, nonce=0, deadline=deadline
    )
    set_next_timestamp(chain, deadline + 1)

    with reverts_with(registry, "DataRightsZeroHolder"):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


def test_deadline_is_checked_before_the_signature(chain, registry, actors, authorise, now):
    deadline = now + DEADLINE_HORIZON
    registration = authorise(
        actors.holder, h("content"), h("metadata"), deadline=deadline, signer=actors.stranger
    )
    set_next_timestamp(chain, deadline + 1)

    with reverts_with(registry, "DataRightsSignatureExpired", deadline, deadline + 1):
        registry.functions.register(*registration.args()).transact({"from": actors.relayer.address})


# --- EIP-712 ------------------------------------------------------------------------------------------


def test_registration_digest_equals_the_eip712_digest_eth_account_signs(registry, actors):
    holder, content, metadata, right, lawful, nonce, deadline = (
        actors.holder.address, h("content"), h("metadata"), 2, h("lawful"), 7, 2**40
    )  # fmt: skip
    message = typed_registration(registry, holder, content, metadata, nonce, deadline, right, lawful)
    signed = sign_typed(actors.holder.private_key, message)

    digest = registry.functions.registrationDigest(holder, content, metadata, right, lawful, nonce, deadline)
    assert digest.call() == bytes(signed.message_hash)


def test_eip712_domain_is_published_per_erc5267(w3, registry):
    fields, name, version, chain_id, verifying_contract, salt, extensions = (
        registry.functions.eip712Domain().call()
    )

    assert fields == b"\x0f"  # name, version, chainId, verifyingContract
    assert (name, version) == (DOMAIN_NAME, DOMAIN_VERSION)
    assert chain_id == w3.eth.chain_id
    assert verifying_contract == registry.address
    assert (salt, extensions) == (b"\x00" * 32, [])


# --- revocation ---------------------------------------------------------------------------------------


def test_registrar_revokes_an_asset_and_asset_revoked_is_emitted(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)

    receipt = transact(
        w3,
        by_registrar(actors.registrar, registry, "revoke", asset_id, h("court order")),
        actors.relayer.address,
    )

    (event,) = registry.events.AssetRevoked().process_receipt(receipt)
    assert event.args == {
        "assetId": asset_id,
        "registrar": actors.registrar.address,
        "reasonHash": h("court order"),
    }
    asset = registry.functions.assetOf(asset_id).call()
    assert asset[0] == actors.holder.address
    assert asset[2] == STATUS_REVOKED


def test_revoke_by_non_registrar_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)

    with reverts_with(registry, "AccessControlUnauthorizedAccount", actors.stranger.address, REGISTRAR_ROLE):
        by_registrar(actors.stranger, registry, "revoke", asset_id, h("reason")).transact(
            {"from": actors.stranger.address}
        )


def test_admin_without_registrar_role_cannot_revoke(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)

    with reverts_with(registry, "AccessControlUnauthorizedAccount", actors.admin.address, REGISTRAR_ROLE):
        by_registrar(actors.admin, registry, "revoke", asset_id, h("reason")).transact(
            {"from": actors.admin.address}
        )


def test_revoke_twice_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    transact(
        w3, by_registrar(actors.registrar, registry, "revoke", asset_id, h("reason")), actors.relayer.address
    )

    with reverts_with(registry, "DataRightsAssetIsRevoked", asset_id):
        by_registrar(actors.registrar, registry, "revoke", asset_id, h("reason")).transact(
            {"from": actors.relayer.address}
        )


def test_revoke_of_unknown_asset_is_refused(registry, actors):
    with reverts_with(registry, "DataRightsAssetNotFound", h("unknown")):
        by_registrar(actors.registrar, registry, "revoke", h("unknown"), h("reason")).transact(
            {"from": actors.relayer.address}
        )


def test_revoked_asset_cannot_be_registered_again(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    transact(
        w3, by_registrar(actors.registrar, registry, "revoke", asset_id, h("reason")), actors.relayer.address
    )
    again = authorise(actors.holder, h("content"), h("metadata"))

    with reverts_with(registry, "DataRightsAssetAlreadyRegistered", asset_id):
        registry.functions.register(*again.args()).transact({"from": actors.relayer.address})


# --- certificates -------------------------------------------------------------------------------------


def noticed_asset(w3, registry, actors, authorise, content="content"):
    """An asset past both reviews, under a public notice of zero seconds (so it has already ended)."""
    asset_id = registered_asset(w3, registry, actors, authorise, content=content)
    transact(w3, registry.functions.setNoticePeriod(0), actors.admin.address)
    for stage in (FORMAL, SUBSTANTIVE):
        transact(
            w3,
            by_registrar(actors.registrar, registry, "recordReview", asset_id, stage, True, h("reviewed")),
            actors.relayer.address,
        )
    return asset_id


def test_registrar_records_a_certificate_and_certificate_recorded_is_emitted(w3, registry, actors, authorise):
    asset_id = noticed_asset(w3, registry, actors, authorise)

    receipt = transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0),
        actors.registrar.address,
    )

    (event,) = registry.events.CertificateRecorded().process_receipt(receipt)
    assert event.args == {
        "assetId": asset_id,
        "certificateHash": h("certificate"),
        "registrar": actors.registrar.address,
    }
    assert registry.functions.certificateAsset(h("certificate")).call() == asset_id
    assert registry.functions.assetOf(asset_id).call()[2] == STATUS_CERTIFIED


def test_a_later_certificate_supersedes_the_current_one(w3, registry, actors, authorise):
    asset_id = noticed_asset(w3, registry, actors, authorise)
    transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("first certificate"), 0),
        actors.relayer.address,
    )

    receipt = transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("second certificate"), 0),
        actors.relayer.address,
    )

    (event,) = registry.events.CertificateSuperseded().process_receipt(receipt, errors=DISCARD)
    assert event.args == {
        "assetId": asset_id,
        "certificateHash": h("first certificate"),
        "supersededBy": h("second certificate"),
        "registrar": actors.registrar.address,
    }
    assert registry.functions.certificateAsset(h("first certificate")).call() == asset_id
    assert registry.functions.certificateAsset(h("second certificate")).call() == asset_id
    assert registry.functions.certificateOf(h("first certificate")).call()[3] == h("second certificate")
    assert registry.functions.procedureOf(asset_id).call()[8] == h("second certificate")


def test_recording_a_certificate_twice_is_refused(w3, registry, actors, authorise):
    asset_id = noticed_asset(w3, registry, actors, authorise)
    other_id = noticed_asset(w3, registry, actors, authorise, content="other content")
    transact(
        w3,
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0),
        actors.registrar.address,
    )

    with reverts_with(registry, "DataRightsCertificateAlreadyRecorded", h("certificate")):
        by_registrar(actors.registrar, registry, "recordCertificate", other_id, h("certificate"), 0).transact(
            {"from": actors.relayer.address}
        )


def test_zero_certificate_hash_is_refused(w3, registry, actors, authorise):
    asset_id = noticed_asset(w3, registry, actors, authorise)

    with reverts_with(registry, "DataRightsZeroHash"):
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, ZERO_HASH, 0).transact(
            {"from": actors.relayer.address}
        )


def test_certificate_for_unknown_asset_is_refused(registry, actors):
    with reverts_with(registry, "DataRightsAssetNotFound", h("unknown")):
        by_registrar(
            actors.registrar, registry, "recordCertificate", h("unknown"), h("certificate"), 0
        ).transact({"from": actors.relayer.address})


def test_certificate_before_the_review_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)

    with reverts_with(registry, "DataRightsInvalidStatus", asset_id, STATUS_REGISTERED):
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0).transact(
            {"from": actors.relayer.address}
        )


def test_certificate_for_revoked_asset_is_refused(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    transact(
        w3, by_registrar(actors.registrar, registry, "revoke", asset_id, h("reason")), actors.relayer.address
    )

    with reverts_with(registry, "DataRightsAssetIsRevoked", asset_id):
        by_registrar(actors.registrar, registry, "recordCertificate", asset_id, h("certificate"), 0).transact(
            {"from": actors.relayer.address}
        )


def test_certificate_by_non_registrar_is_refused(w3, registry, actors, authorise):
    asset_id = noticed_asset(w3, registry, actors, authorise)

    with reverts_with(registry, "AccessControlUnauthorizedAccount", actors.holder.address, REGISTRAR_ROLE):
        by_registrar(actors.holder, registry, "recordCertificate", asset_id, h("certificate"), 0).transact(
            {"from": actors.holder.address}
        )


# --- reads, roles, metadata ---------------------------------------------------------------------------


def test_unknown_ids_read_as_zero(registry):
    assert registry.functions.assetOf(h("unknown")).call() == (
        ZERO_ADDRESS,
        0,
        STATUS_NONE,
        ZERO_HASH,
        ZERO_HASH,
    )
    assert registry.functions.assetOfContent(h("unknown")).call() == ZERO_HASH
    assert registry.functions.certificateAsset(h("unknown")).call() == ZERO_HASH


def test_constructor_grants_admin_and_registrar_roles(registry, actors):
    assert registry.functions.REGISTRAR_ROLE().call() == REGISTRAR_ROLE
    assert registry.functions.hasRole(DEFAULT_ADMIN_ROLE, actors.admin.address).call()
    assert registry.functions.hasRole(REGISTRAR_ROLE, actors.registrar.address).call()
    assert not registry.functions.hasRole(REGISTRAR_ROLE, actors.admin.address).call()
    assert registry.functions.getRoleAdmin(REGISTRAR_ROLE).call() == DEFAULT_ADMIN_ROLE


def test_zero_registrar_is_not_granted_the_role(w3, registry_artifact, actors):
    registry = deploy_registry(w3, registry_artifact, actors.admin.address, ZERO_ADDRESS)

    assert not registry.functions.hasRole(REGISTRAR_ROLE, ZERO_ADDRESS).call()
    assert registry.functions.hasRole(DEFAULT_ADMIN_ROLE, actors.admin.address).call()


def test_admin_can_grant_the_registrar_role(w3, registry, actors, authorise):
    asset_id = registered_asset(w3, registry, actors, authorise)
    transact(w3, registry.functions.grantRole(REGISTRAR_ROLE, actors.stranger.address), actors.admin.address)

    transact(
        w3, by_registrar(actors.stranger, registry, "revoke", asset_id, h("reason")), actors.relayer.address
    )

    assert registry.functions.assetOf(asset_id).call()[2] == STATUS_REVOKED


def test_version_is_3_0_0(registry):
    assert registry.functions.version().call() == "3.1.0"


def test_supports_the_registry_access_control_and_erc165_interfaces(registry):
    registry_functions = [
        "register(address,bytes32,bytes32,uint8,bytes32,uint256,uint256,bytes)",
        "materialise((address,bytes32,bytes32,uint8,bytes32,uint256,uint256),bytes,bytes32,bytes32[])",
        "setAnchorRegistry(address)",
        "recordReview(bytes32,uint8,bool,bytes32,(address,uint256,uint256,bytes))",
        "rejectApplication(bytes32,bytes32,(address,uint256,uint256,bytes))",
        "fileObjection(address,bytes32,bytes32,bytes32,uint256,uint256,bytes)",
        "resolveObjection(uint256,bool,bytes32,(address,uint256,uint256,bytes))",
        "recordCertificate(bytes32,bytes32,uint64,(address,uint256,uint256,bytes))",
        "renewCertificate(bytes32,bytes32,uint64,(address,uint256,uint256,bytes))",
        "changeAsset(bytes32,bytes32,bytes32,uint256,uint256,bytes)",
        "transfer(bytes32,address,uint256,uint256,bytes)",
        "pledge(bytes32,(address,bytes32,uint256,string,uint64,bytes32),(uint256,uint256,bytes),(uint256,uint256,bytes))",
        "revaluePledge(bytes32,bytes32,(uint256,uint256,bytes))",
        "recordPledgeCertificate(bytes32,address,bytes32,(address,uint256,uint256,bytes))",
        "pledgeOf(bytes32)",
        "pledgeCertificateOf(bytes32)",
        "releasePledge(bytes32,uint256,uint256,bytes)",
        "enforcePledge(bytes32,uint256,uint256,bytes)",
        "cancel(bytes32,uint256,uint256,bytes)",
        "revoke(bytes32,bytes32,(address,uint256,uint256,bytes))",
        "setNoticePeriod(uint64)",
        "assetIdFor(address,bytes32,bytes32)",
        "registrationDigest(address,bytes32,bytes32,uint8,bytes32,uint256,uint256)",
        "assetOf(bytes32)",
        "procedureOf(bytes32)",
        "objectionOf(uint256)",
        "objectionCount()",
        "assetOfContent(bytes32)",
        "certificateAsset(bytes32)",
        "certificateOf(bytes32)",
        "noticePeriod()",
        "anchorRegistry()",
        "batchNonceUsed(address,uint256)",
        "version()",
    ]
    registry_interface_id = 0
    for signature in registry_functions:
        registry_interface_id ^= int.from_bytes(keccak(text=signature)[:4], "big")

    assert registry.functions.supportsInterface(registry_interface_id.to_bytes(4, "big")).call()
    assert registry.functions.supportsInterface(bytes.fromhex("7965db0b")).call()  # IAccessControl
    assert registry.functions.supportsInterface(bytes.fromhex("01ffc9a7")).call()  # IERC165
    assert not registry.functions.supportsInterface(bytes.fromhex("ffffffff")).call()


@settings(max_examples=25, deadline=None)
@given(
    holder=st.binary(min_size=20, max_size=20),
    content_hash=st.binary(min_size=32, max_size=32),
    metadata_hash=st.binary(min_size=32, max_size=32),
)
def test_asset_id_is_the_keccak_of_the_abi_encoded_triple(
    deployed_for_reads, holder, content_hash, metadata_hash
):
    address = to_checksum_address(holder)

    on_chain = deployed_for_reads.functions.assetIdFor(address, content_hash, metadata_hash).call()

    assert on_chain == keccak(
        abi_encode(["address", "bytes32", "bytes32"], [address, content_hash, metadata_hash])
    )
