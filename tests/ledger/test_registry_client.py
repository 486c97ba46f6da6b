"""The ledger client against the registry contract, written once and run on three chains:
the embedded persistent chain, the devnet over HTTP, and anvil."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from dataledger.composition.settings import DEV_OPERATOR_KEY
from dataledger.ledger.chain.connection import connect
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient, decoder_for_all_contracts
from dataledger.ledger.chain.transactions import TransactionSender
from dataledger.registry import errors
from dataledger.registry.assets import AssetFacts, asset_id_for, metadata_commitment, new_salt
from dataledger.registry.chain_records import ZERO_ADDRESS, ReviewStage
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.holder_signatures import (
    RegistrationAuthorisation,
    act_authorisation,
    sign_act,
    sign_registration,
)
from tests.factories import content_hash

FAR_FUTURE = 2**40


# A registration institution's own key: it signs the registrar's acts, the operator relays them.
REGISTRAR = Account.from_key(b"\x11" * 32)


@pytest.fixture
def registry(w3: Web3) -> DataRightsRegistryClient:
    sender = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
    client, _ = DataRightsRegistryClient.deploy(w3, sender, admin=sender.address, registrar=ZERO_ADDRESS)
    client.grant_registrar(REGISTRAR.address)
    return client


def registrar_act(registry: DataRightsRegistryClient, primary_type: str, signer=REGISTRAR, **fields):  # type: ignore[no-untyped-def]
    """A registrar's act named for ``REGISTRAR``, signed by ``signer`` and relayed by the operator."""
    registrar = fields.pop("registrar", REGISTRAR.address)
    auth = act_authorisation(
        primary_type,
        registrar,
        registrar=registrar,
        nonce=registry.nonce_of(registrar),
        deadline=FAR_FUTURE,
        **fields,
    )
    return registry.submit_act(auth, sign_act(signer.key, auth, registry.domain))


def signed_registration(
    registry: DataRightsRegistryClient,
    holder,
    *,
    nonce: int | None = None,  # type: ignore[no-untyped-def]
    signer=None,
    deadline: int = FAR_FUTURE,
    content: str | None = None,
):
    facts = AssetFacts(name="sales records", content_hash=content or content_hash())
    metadata_hash = metadata_commitment(facts, holder.address, new_salt())
    auth = RegistrationAuthorisation(
        holder=holder.address,
        content_hash=facts.content_hash,
        metadata_hash=metadata_hash,
        nonce=registry.nonce_of(holder.address) if nonce is None else nonce,
        deadline=deadline,
    )
    return auth, sign_registration((signer or holder).key, auth, registry.domain)


class TestRegistryClient:
    def test_registration_returns_the_event_with_chain_evidence(
        self, registry: DataRightsRegistryClient
    ) -> None:
        holder = Account.create()
        auth, signature = signed_registration(registry, holder)
        event = registry.register(auth, signature)
        assert event.asset_id == asset_id_for(holder.address, auth.content_hash, auth.metadata_hash)
        assert (event.holder, event.content_hash, event.metadata_hash) == (
            holder.address,
            auth.content_hash,
            auth.metadata_hash,
        )
        assert event.evidence.contract == registry.registry_address
        assert registry.registration_event(event.evidence.tx_hash) == event
        on_chain = registry.asset(event.asset_id)
        assert on_chain is not None and on_chain.status is OnChainAssetStatus.REGISTERED
        assert registry.nonce_of(holder.address) == 1

    def test_signature_by_another_key_is_refused_on_chain(self, registry: DataRightsRegistryClient) -> None:
        holder = Account.create()
        auth, signature = signed_registration(registry, holder, signer=Account.create())
        with pytest.raises(errors.InvalidSignature) as caught:
            registry.register(auth, signature)
        assert caught.value.extra["contract_error"] == "DataRightsInvalidSignature"

    def test_replayed_nonce_is_refused_on_chain(self, registry: DataRightsRegistryClient) -> None:
        holder = Account.create()
        registry.register(*signed_registration(registry, holder))
        with pytest.raises(errors.NonceReplayed):
            registry.register(*signed_registration(registry, holder, nonce=0))

    def test_expired_signature_is_refused_on_chain(self, registry: DataRightsRegistryClient) -> None:
        holder = Account.create()
        with pytest.raises(errors.SignatureExpired):
            registry.register(*signed_registration(registry, holder, deadline=1))

    def test_content_registered_twice_is_refused(self, registry: DataRightsRegistryClient) -> None:
        first, second = Account.create(), Account.create()
        content = content_hash()
        registry.register(*signed_registration(registry, first, content=content))
        with pytest.raises(errors.ContentAlreadyRegistered):
            registry.register(*signed_registration(registry, second, content=content))

    def test_certificate_record_and_revocation_signed_by_the_registrar(
        self, registry: DataRightsRegistryClient
    ) -> None:
        event = registry.register(*signed_registration(registry, Account.create()))
        asset_id, cert_hash = event.asset_id, content_hash("certificate")
        certificate = {"assetId": asset_id, "certificateHash": cert_hash, "validUntil": 0}
        with pytest.raises(errors.InvalidAssetStatus):  # not reviewed, no public notice yet
            registrar_act(registry, "Certificate", **certificate)
        registry.set_notice_period(0)
        for stage, why in ((ReviewStage.FORMAL, "formal review"), (ReviewStage.SUBSTANTIVE, "substantive")):
            review = {
                "assetId": asset_id,
                "stage": int(stage),
                "passed": True,
                "reasonHash": content_hash(why),
            }
            registrar_act(registry, "Review", **review)
        (anchor,) = registrar_act(registry, "Certificate", **certificate)
        assert (anchor.event, anchor.args["registrar"]) == ("CertificateRecorded", REGISTRAR.address)
        assert anchor.evidence.block_number > event.evidence.block_number
        assert registry.certificate_asset(cert_hash) == event.asset_id
        assert registry.asset(event.asset_id).status is OnChainAssetStatus.CERTIFIED  # type: ignore[union-attr]
        with pytest.raises(errors.CertificateAlreadyRecorded):
            registrar_act(registry, "Certificate", **certificate)
        (revoked,) = registrar_act(
            registry, "Revocation", assetId=asset_id, reasonHash=content_hash("reason")
        )
        assert revoked.args["registrar"] == REGISTRAR.address != registry.operator
        assert registry.asset(event.asset_id).status is OnChainAssetStatus.REVOKED  # type: ignore[union-attr]
        with pytest.raises(errors.AssetRevoked):
            registrar_act(registry, "Revocation", assetId=asset_id, reasonHash=content_hash("reason"))

    def test_registrar_acts_signed_by_a_key_without_the_role_are_refused(
        self, registry: DataRightsRegistryClient
    ) -> None:
        event = registry.register(*signed_registration(registry, Account.create()))
        stranger = Account.create()
        revocation = {"assetId": event.asset_id, "reasonHash": content_hash("reason")}
        with pytest.raises(errors.NotAuthorised) as caught:
            registrar_act(registry, "Revocation", signer=stranger, registrar=stranger.address, **revocation)
        assert caught.value.extra["contract_error"] == "AccessControlUnauthorizedAccount"
        with pytest.raises(
            errors.InvalidSignature
        ) as forged:  # a stranger's signature in the registrar's name
            registrar_act(registry, "Revocation", signer=stranger, **revocation)
        assert forged.value.extra["contract_error"] == "DataRightsInvalidSignature"
        registry.revoke_registrar(REGISTRAR.address)
        assert not registry.is_registrar(REGISTRAR.address)
        with pytest.raises(errors.NotAuthorised):  # the institution's role was revoked
            registrar_act(registry, "Revocation", **revocation)
        assert registry.asset(event.asset_id).status is OnChainAssetStatus.REGISTERED  # type: ignore[union-attr]

    def test_unknown_asset_and_transaction_read_as_absent(self, registry: DataRightsRegistryClient) -> None:
        assert registry.asset(content_hash("nothing")) is None
        assert registry.registration_event("0x" + "ab" * 32) is None

    def test_attach_refuses_an_address_without_the_registry(
        self, registry: DataRightsRegistryClient, w3: Web3
    ) -> None:
        sender = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
        with pytest.raises(errors.LedgerInconsistent):
            DataRightsRegistryClient.attach(w3, sender, Account.create().address)


def test_unreachable_node_is_a_clear_error_not_a_hang() -> None:
    from tests.nodes import free_port

    with pytest.raises(errors.LedgerUnavailable):
        connect(f"http://127.0.0.1:{free_port()}", None, timeout_s=2)
