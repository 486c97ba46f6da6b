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
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.holder_signatures import RegistrationAuthorisation, sign_registration
from tests.factories import content_hash

FAR_FUTURE = 2**40


@pytest.fixture
def registry(w3: Web3) -> DataRightsRegistryClient:
    sender = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
    client, _ = DataRightsRegistryClient.deploy(w3, sender, admin=sender.address, registrar=sender.address)
    return client


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

    def test_certificate_record_and_revocation(self, registry: DataRightsRegistryClient) -> None:
        event = registry.register(*signed_registration(registry, Account.create()))
        cert_hash = content_hash("certificate")
        with pytest.raises(errors.InvalidAssetStatus):  # not reviewed, no public notice yet
            registry.record_certificate(event.asset_id, cert_hash)
        registry.set_notice_period(0)
        registry.record_review(event.asset_id, ReviewStage.FORMAL, True, content_hash("formal review"))
        registry.record_review(
            event.asset_id, ReviewStage.SUBSTANTIVE, True, content_hash("substantive review")
        )
        (anchor,) = registry.record_certificate(event.asset_id, cert_hash)
        assert anchor.event == "CertificateRecorded"
        assert anchor.evidence.block_number > event.evidence.block_number
        assert registry.certificate_asset(cert_hash) == event.asset_id
        assert registry.asset(event.asset_id).status is OnChainAssetStatus.CERTIFIED  # type: ignore[union-attr]
        with pytest.raises(errors.CertificateAlreadyRecorded):
            registry.record_certificate(event.asset_id, cert_hash)
        registry.revoke(event.asset_id, content_hash("reason"))
        assert registry.asset(event.asset_id).status is OnChainAssetStatus.REVOKED  # type: ignore[union-attr]
        with pytest.raises(errors.AssetRevoked):
            registry.revoke(event.asset_id, content_hash("reason"))

    def test_registrar_acts_by_an_account_without_the_role_are_refused(
        self, registry: DataRightsRegistryClient, w3: Web3
    ) -> None:
        event = registry.register(*signed_registration(registry, Account.create()))
        stranger = Account.create()
        funder = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
        tx = {
            "to": stranger.address,
            "value": 10**18,
            "gas": 21000,
            "chainId": funder.chain_id,
            "nonce": w3.eth.get_transaction_count(funder.address, "pending"),
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
        }
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(
                Account.from_key(DEV_OPERATOR_KEY).sign_transaction(tx).raw_transaction
            )
        )
        as_stranger = DataRightsRegistryClient.attach(
            w3, TransactionSender(w3, stranger, decoder_for_all_contracts()), registry.registry_address
        )
        with pytest.raises(errors.NotAuthorised) as caught:
            as_stranger.revoke(event.asset_id, content_hash("reason"))
        assert caught.value.extra["contract_error"] == "AccessControlUnauthorizedAccount"
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
