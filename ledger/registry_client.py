"""The ``DataRightsRegistry`` contract, seen from Python.

Deploys the contract, relays holder-signed registrations, records certificates and revocations as
the registrar's operator account, and reads the chain back for verifiers (``ChainEvidenceReader``).
Every write goes through one ``TransactionSender``; every revert becomes a domain error.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from ledger.artifacts import load_artifact
from ledger.revert_errors import RevertDecoder
from ledger.transactions import SentTransaction, TransactionSender, unavailable_on_connection_errors
from registry.chain_types import ChainEvidence, OnChainAsset, OnChainAssetStatus, RegistrationEvent
from registry.errors import LedgerError, LedgerInconsistent
from registry.holder_signatures import Eip712Domain, RegistrationAuthorisation

REGISTRY_CONTRACT = "DataRightsRegistry"
REGISTRY_VERSION = "1.0.0"


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


class DataRightsRegistryClient:
    """Python face of one deployed ``DataRightsRegistry``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str) -> None:
        artifact = load_artifact(REGISTRY_CONTRACT)
        self._w3 = w3
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(artifact.abi)
        )
        self._chain_id = sender.chain_id

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, *, admin: str, registrar: str
    ) -> tuple[DataRightsRegistryClient, SentTransaction]:
        """Deploy a fresh registry; ``admin`` and ``registrar`` receive their roles."""
        artifact = load_artifact(REGISTRY_CONTRACT)
        factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        sent = sender.transact(
            factory.constructor(to_checksum_address(admin), to_checksum_address(registrar))
        )
        address = sent.receipt.get("contractAddress")
        if not address:
            raise LedgerError("deployment produced no contract address", tx_hash=sent.tx_hash)
        return cls(w3, sender, address), sent

    @classmethod
    def attach(cls, w3: Web3, sender: TransactionSender, address: str) -> DataRightsRegistryClient:
        """Attach to an existing deployment, refusing an address that holds no registry."""
        with unavailable_on_connection_errors():
            code = w3.eth.get_code(to_checksum_address(address))
        if not code:
            raise LedgerInconsistent(
                "the recorded registry contract has no code on this chain: the chain was reset or is another",
                address=address,
                chain_id=sender.chain_id,
            )
        client = cls(w3, sender, address)
        version = client._contract.functions.version().call()
        if version != REGISTRY_VERSION:
            raise LedgerInconsistent("the registry contract has an unexpected version", found=version)
        return client

    # -- identity ---------------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def registry_address(self) -> str:
        return self._contract.address

    @property
    def operator(self) -> str:
        return self._sender.address

    @property
    def abi(self) -> list[dict[str, Any]]:
        return list(self._contract.abi)

    @property
    def domain(self) -> Eip712Domain:
        return Eip712Domain(chain_id=self._chain_id, verifying_contract=self._contract.address)

    def latest_block_number(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._w3.eth.block_number)

    def latest_timestamp(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._w3.eth.get_block("latest")["timestamp"])

    # -- writes -----------------------------------------------------------------------------------

    def register(self, auth: RegistrationAuthorisation, signature: str) -> RegistrationEvent:
        """Relay a holder-signed registration; returns the event with its chain evidence."""
        fn = self._contract.functions.register(
            auth.holder,
            _b32(auth.content_hash),
            _b32(auth.metadata_hash),
            auth.nonce,
            auth.deadline,
            _b32(signature),
        )
        sent = self._sender.transact(fn)
        event = self._registration_event_from_receipt(sent.receipt)
        if event is None:
            raise LedgerError(
                "the registration receipt carries no AssetRegistered event", tx_hash=sent.tx_hash
            )
        return event

    def revoke(self, asset_id: str, reason_hash: str) -> ChainEvidence:
        sent = self._sender.transact(self._contract.functions.revoke(_b32(asset_id), _b32(reason_hash)))
        return self._evidence_of(sent, "AssetRevoked")

    def record_certificate(self, asset_id: str, certificate_hash: str) -> ChainEvidence:
        fn = self._contract.functions.recordCertificate(_b32(asset_id), _b32(certificate_hash))
        return self._evidence_of(self._sender.transact(fn), "CertificateRecorded")

    # -- reads (ChainEvidenceReader) --------------------------------------------------------------

    def nonce_of(self, holder: str) -> int:
        with unavailable_on_connection_errors():
            return int(self._contract.functions.nonces(to_checksum_address(holder)).call())

    def asset(self, asset_id: str) -> OnChainAsset | None:
        with unavailable_on_connection_errors():
            record = self._contract.functions.assetOf(_b32(asset_id)).call()
        holder, registered_at, status, content_hash, metadata_hash = record
        if OnChainAssetStatus(status) is OnChainAssetStatus.NONE:
            return None
        return OnChainAsset(
            asset_id=asset_id.lower(),
            holder=holder,
            content_hash=_hex(content_hash),
            metadata_hash=_hex(metadata_hash),
            registered_at=int(registered_at),
            status=OnChainAssetStatus(status),
        )

    def certificate_asset(self, certificate_hash: str) -> str | None:
        with unavailable_on_connection_errors():
            asset_id = self._contract.functions.certificateAsset(_b32(certificate_hash)).call()
        return None if int.from_bytes(asset_id, "big") == 0 else _hex(asset_id)

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        from web3.exceptions import TransactionNotFound

        with unavailable_on_connection_errors():
            try:
                receipt = self._w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                return None
        return self._registration_event_from_receipt(receipt)

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None:
        """The ``AssetRegistered`` event of ``asset_id`` (a log query by its indexed topic)."""
        event = self._contract.events.AssetRegistered()
        with unavailable_on_connection_errors():
            logs = event.get_logs(
                from_block=0, to_block="latest", argument_filters={"assetId": _b32(asset_id)}
            )
        for log in logs:
            receipt = self._w3.eth.get_transaction_receipt(log["transactionHash"])
            return self._registration_event_from_receipt(receipt)
        return None

    # -- helpers ----------------------------------------------------------------------------------

    def _registration_event_from_receipt(self, receipt: Any) -> RegistrationEvent | None:
        for log in self._contract.events.AssetRegistered().process_receipt(receipt, errors=DISCARD):
            if log["address"] != self._contract.address:
                continue
            args = log["args"]
            return RegistrationEvent(
                asset_id=_hex(args["assetId"]),
                holder=args["holder"],
                content_hash=_hex(args["contentHash"]),
                metadata_hash=_hex(args["metadataHash"]),
                evidence=ChainEvidence(
                    chain_id=self._chain_id,
                    contract=self._contract.address,
                    tx_hash=_hex(log["transactionHash"]),
                    block_number=int(log["blockNumber"]),
                    log_index=int(log["logIndex"]),
                ),
            )
        return None

    def _evidence_of(self, sent: SentTransaction, event_name: str) -> ChainEvidence:
        event = getattr(self._contract.events, event_name)()
        for log in event.process_receipt(sent.receipt, errors=DISCARD):
            return ChainEvidence(
                chain_id=self._chain_id,
                contract=self._contract.address,
                tx_hash=_hex(log["transactionHash"]),
                block_number=int(log["blockNumber"]),
                log_index=int(log["logIndex"]),
            )
        raise LedgerError(f"the receipt carries no {event_name} event", tx_hash=sent.tx_hash)


def decoder_for_all_contracts() -> RevertDecoder:
    """A revert decoder knowing the custom errors of every contract dataledger deploys."""
    return RevertDecoder([list(load_artifact(REGISTRY_CONTRACT).abi)])
