"""The ``DataRightsRegistry`` contract, seen from Python.

Deploys the contract, relays signed acts (registrations, materialisations of batched registrations,
objections, changes, transfers, pledges, cancellations, and every act of a registrar: reviews,
rejections, objection resolutions, certificates, renewals, revocations), grants and revokes the
registrar role as the administrator, and reads the chain back for verifiers (``ChainEvidenceReader``).
The operator account only relays a registrar's act: the registrar's own key signs it. Every
write goes through one ``TransactionSender``; every revert becomes a domain error; every write
returns the events it emitted as :class:`~registry.chain_records.ChainAct` records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, cast

from eth_typing import HexStr
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception
from web3.logs import DISCARD

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.contract_acts import ReceiptReader, b32, call_args, check_act, hex_of
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.revert_errors import RevertDecoder
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_records import (
    EVENT_OF_ACT,
    ChainAct,
    ObjectionStatus,
    OnChainCertificate,
    OnChainObjection,
    OnChainPledge,
    OnChainPledgeCertificate,
    OnChainProcedure,
)
from dataledger.registry.chain_types import ChainEvidence, OnChainAsset, OnChainAssetStatus, RegistrationEvent
from dataledger.registry.errors import LedgerError, ValidationFailed
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, RegistrationAuthorisation

# Creation code that returns block.timestamp: TIMESTAMP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN.
_BLOCK_TIMESTAMP_CODE = HexStr("0x4260005260206000f3")

REGISTRY_CONTRACT = "DataRightsRegistry"
LICENCE_CONTRACT = "LicenceRegistry"
REGISTRY_VERSION = "3.1.0"
#: ``keccak256("REGISTRAR_ROLE")``, the role a registration institution's key holds on the registry.
REGISTRAR_ROLE = Web3.keccak(text="REGISTRAR_ROLE")

# The events that state an asset's holder and commitments: the evidence a certificate cites.
_FACTS_EVENTS = ("AssetRegistered", "AssetChanged", "AssetTransferred")

# Signed act -> (contract function, the message fields it takes, in order).
_ACT_FUNCTIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "Objection": (
            "fileObjection",
            ("objector", "assetId", "reasonHash", "evidenceHash", "nonce", "deadline"),
        ),
        "Change": ("changeAsset", ("assetId", "contentHash", "metadataHash", "nonce", "deadline")),
        "Transfer": ("transfer", ("assetId", "to", "nonce", "deadline")),
        "PledgeRelease": ("releasePledge", ("assetId", "nonce", "deadline")),
        "PledgeEnforcement": ("enforcePledge", ("assetId", "nonce", "deadline")),
        "Cancellation": ("cancel", ("assetId", "nonce", "deadline")),
    }
)

# Registrar act -> (contract function, the message fields it takes before the RegistrarSignature).
_REGISTRAR_ACT_FUNCTIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "Review": ("recordReview", ("assetId", "stage", "passed", "reasonHash")),
        "Rejection": ("rejectApplication", ("assetId", "reasonHash")),
        "PledgeCertificate": ("recordPledgeCertificate", ("assetId", "pledgee", "certificateHash")),
        "ObjectionResolution": ("resolveObjection", ("objectionId", "upheld", "resolutionHash")),
        "Certificate": ("recordCertificate", ("assetId", "certificateHash", "validUntil")),
        "Renewal": ("renewCertificate", ("assetId", "certificateHash", "validUntil")),
        "Revocation": ("revoke", ("assetId", "reasonHash")),
    }
)


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
        self._receipts = ReceiptReader(w3, self._contract, self._chain_id)

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, *, admin: str, registrar: str
    ) -> tuple[DataRightsRegistryClient, SentTransaction]:
        """Deploy a fresh registry; ``admin`` and ``registrar`` receive their roles (the zero address as
        ``registrar``: no registrar yet, the administrator grants the role per institution)."""
        address, sent = deploy_contract(
            w3, sender, REGISTRY_CONTRACT, to_checksum_address(admin), to_checksum_address(registrar)
        )
        return cls(w3, sender, address), sent

    @classmethod
    def attach(cls, w3: Web3, sender: TransactionSender, address: str) -> DataRightsRegistryClient:
        """Attach to an existing deployment, refusing an address that holds no registry."""
        client = cls(w3, sender, address)
        require_deployment(w3, client._contract, sender.chain_id, "the registry contract", REGISTRY_VERSION)
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
    def sender(self) -> TransactionSender:
        return self._sender

    @property
    def abi(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], list(self._contract.abi))

    @property
    def domain(self) -> Eip712Domain:
        return Eip712Domain(chain_id=self._chain_id, verifying_contract=self._contract.address)

    def find_act(self, signature: str, from_block: int) -> tuple[ChainAct, ...] | None:
        return self._receipts.find_by_signature(signature, from_block)

    def latest_block_number(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._w3.eth.block_number)

    def latest_timestamp(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._w3.eth.get_block("latest")["timestamp"])

    def next_block_timestamp(self) -> int:
        """The timestamp the next block will carry, as the contract will see ``block.timestamp``.

        Rules the contract judges against ``block.timestamp`` (notice ended, deadlines, terms) are judged
        by the services against this, never against the last mined block: a chain that mines on demand
        (the embedded chain, anvil without ``--block-time``) stamps the next block with the time it is
        mined. A call of code that returns ``block.timestamp`` against the pending block tells that
        time, offsets and pinned timestamps included, on the devnet, anvil, geth and Besu; a node that
        cannot answer it falls back to the last block's time.
        """
        with unavailable_on_connection_errors():
            latest = int(self._w3.eth.get_block("latest")["timestamp"])
            try:
                pending = int.from_bytes(bytes(self._w3.eth.call({"data": _BLOCK_TIMESTAMP_CODE}, "pending")))
            except (ValueError, Web3Exception):  # a node that cannot call against the pending block
                pending = 0
        # Not latest + 1: anvil stamps blocks mined within one second with the same timestamp.
        return max(latest, pending)

    def block_timestamp(self, block_number: int) -> int:
        return self._receipts.timestamp_of(block_number)

    # -- writes: registration and the registrar's procedure --------------------------------------

    def register(self, auth: RegistrationAuthorisation, signature: str) -> RegistrationEvent:
        """Relay a holder-signed registration; returns the event with its chain evidence."""
        fn = self._contract.functions.register(
            auth.holder,
            b32(auth.content_hash),
            b32(auth.metadata_hash),
            auth.right_index,
            b32(auth.lawful_source_hash),
            auth.nonce,
            auth.deadline,
            b32(signature),
        )
        sent = self._sender.transact(fn)
        event = self._facts_event_from_receipt(sent.receipt, only="AssetRegistered")
        if event is None:
            raise LedgerError(
                "the registration receipt carries no AssetRegistered event", tx_hash=sent.tx_hash
            )
        return event

    def materialise(
        self, auth: RegistrationAuthorisation, signature: str, root: bytes, proof: Sequence[bytes]
    ) -> tuple[RegistrationEvent, tuple[ChainAct, ...]]:
        """Relay a batched registration anchored under ``root``: the contract checks the proof, the
        holder's signature and the batched nonce, then stores the asset. Returns its ``AssetRegistered``
        event with the chain evidence, and every event of the transaction (``AssetMaterialised``)."""
        registration = (
            auth.holder,
            b32(auth.content_hash),
            b32(auth.metadata_hash),
            auth.right_index,
            b32(auth.lawful_source_hash),
            auth.nonce,
            auth.deadline,
        )
        fn = self._contract.functions.materialise(registration, b32(signature), bytes(root), list(proof))
        sent = self._sender.transact(fn)
        event = self._facts_event_from_receipt(sent.receipt, only="AssetRegistered")
        if event is None:
            raise LedgerError(
                "the materialisation receipt carries no AssetRegistered event", tx_hash=sent.tx_hash
            )
        return event, self._receipts.acts(sent.receipt)

    def set_anchor_registry(self, address: str) -> tuple[ChainAct, ...]:
        """Point the registry at the anchor registry batched registrations are proven against."""
        sent = self._sender.transact(self._contract.functions.setAnchorRegistry(to_checksum_address(address)))
        return self._receipts.acts(sent.receipt)

    def set_notice_period(self, seconds: int) -> tuple[ChainAct, ...]:
        return self._transact(self._contract.functions.setNoticePeriod(seconds))

    def grant_registrar(self, registrar: str) -> tuple[ChainAct, ...]:
        """The administrator (the operator) grants ``REGISTRAR_ROLE`` to an institution's key; no event
        if it holds the role already."""
        fn = self._contract.functions.grantRole(REGISTRAR_ROLE, to_checksum_address(registrar))
        return self._receipts.acts(self._sender.transact(fn).receipt)

    def revoke_registrar(self, registrar: str) -> tuple[ChainAct, ...]:
        """The administrator revokes an institution key's ``REGISTRAR_ROLE``: its signatures no longer
        count, even those it gave before; no event if it did not hold the role."""
        fn = self._contract.functions.revokeRole(REGISTRAR_ROLE, to_checksum_address(registrar))
        return self._receipts.acts(self._sender.transact(fn).receipt)

    # -- writes: signed acts ---------------------------------------------------------------------

    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        """Relay a signed act: an objection, a holder's or pledgee's act, or a registrar's act (whose
        signature travels as the contract's ``RegistrarSignature``, with the registrar, nonce, deadline)."""
        registrar_entry = _REGISTRAR_ACT_FUNCTIONS.get(auth.primary_type)
        if registrar_entry is not None:
            function, names = registrar_entry
            authorisation = (auth.message["registrar"], auth.nonce, auth.deadline, b32(signature))
            fn = getattr(self._contract.functions, function)(*call_args(auth, names), authorisation)
            return self._transact(fn)
        if auth.primary_type == "PledgeRevaluation":
            fn = self._contract.functions.revaluePledge(
                b32(auth.message["assetId"]), b32(auth.message["valuationHash"]), _party(auth, signature)
            )
            return self._transact(fn)
        entry = _ACT_FUNCTIONS.get(auth.primary_type)
        if entry is None:
            raise ValidationFailed(f"the registry takes no {auth.primary_type} act", field="primaryType")
        function, names = entry
        fn = getattr(self._contract.functions, function)(*call_args(auth, names), b32(signature))
        return self._transact(fn)

    def pledge(
        self,
        by_holder: ActAuthorisation,
        holder_signature: str,
        by_pledgee: ActAuthorisation,
        pledgee_signature: str,
    ) -> tuple[ChainAct, ...]:
        """Relay a pledge both parties signed: the holder's ``Pledge`` and the pledgee's
        ``PledgeAcceptance`` of the same terms."""
        if by_holder.primary_type != "Pledge" or by_pledgee.primary_type != "PledgeAcceptance":
            raise ValidationFailed("a pledge takes the holder's Pledge and the pledgee's PledgeAcceptance")
        m = by_holder.message
        terms = (
            to_checksum_address(m["pledgee"]),
            b32(m["termsHash"]),
            int(m["securedAmount"]),
            str(m["currency"]),
            int(m["maturity"]),
            b32(m["valuationHash"]),
        )
        holder, pledgee = _party(by_holder, holder_signature), _party(by_pledgee, pledgee_signature)
        fn = self._contract.functions.pledge(b32(m["assetId"]), terms, holder, pledgee)
        return self._transact(fn)

    # -- reads (ChainEvidenceReader) --------------------------------------------------------------

    def nonce_of(self, holder: str) -> int:
        with unavailable_on_connection_errors():
            return int(self._contract.functions.nonces(to_checksum_address(holder)).call())

    def is_registrar(self, address: str) -> bool:
        """Whether ``address`` holds ``REGISTRAR_ROLE`` now (its signed acts would be accepted)."""
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.hasRole(REGISTRAR_ROLE, to_checksum_address(address)).call())

    def notice_period(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._contract.functions.noticePeriod().call())

    def anchor_registry(self) -> str | None:
        """The anchor registry batched registrations are proven against; None if none is set."""
        with unavailable_on_connection_errors():
            address = self._contract.functions.anchorRegistry().call()
        return None if int(address, 16) == 0 else to_checksum_address(address)

    def batch_nonce_used(self, holder: str, nonce: int) -> bool:
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.batchNonceUsed(to_checksum_address(holder), nonce).call())

    def asset(self, asset_id: str) -> OnChainAsset | None:
        with unavailable_on_connection_errors():
            record = self._contract.functions.assetOf(b32(asset_id)).call()
        holder, registered_at, status, content_hash, metadata_hash = record
        if OnChainAssetStatus(status) is OnChainAssetStatus.NONE:
            return None
        return OnChainAsset(
            asset_id=asset_id.lower(),
            holder=holder,
            content_hash=hex_of(content_hash),
            metadata_hash=hex_of(metadata_hash),
            registered_at=int(registered_at),
            status=OnChainAssetStatus(status),
        )

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        """Where ``asset_id`` stands in the procedure; None for an asset never registered."""
        with unavailable_on_connection_errors():
            record = self._contract.functions.procedureOf(b32(asset_id)).call()
        if int(record[1]) == 0:  # version is 1 from registration on
            return None
        return OnChainProcedure.from_chain(tuple(record), hex_of)

    def objection(self, objection_id: int) -> OnChainObjection | None:
        with unavailable_on_connection_errors():
            asset_id, objector, filed_at, status, reason, evidence = self._contract.functions.objectionOf(
                objection_id
            ).call()
        if ObjectionStatus(status) is ObjectionStatus.NONE:
            return None
        return OnChainObjection(
            objection_id=objection_id,
            asset_id=hex_of(asset_id),
            objector=objector,
            filed_at=int(filed_at),
            status=ObjectionStatus(status),
            reason_hash=hex_of(reason),
            evidence_hash=hex_of(evidence),
        )

    def certificate_asset(self, certificate_hash: str) -> str | None:
        with unavailable_on_connection_errors():
            asset_id = self._contract.functions.certificateAsset(b32(certificate_hash)).call()
        return None if int.from_bytes(asset_id, "big") == 0 else hex_of(asset_id)

    def pledge_record(self, asset_id: str) -> OnChainPledge | None:
        """The last pledge of ``asset_id`` (active or ended); None if it was never pledged."""
        with unavailable_on_connection_errors():
            terms, pledged_at, serial, certificate_hash, active = self._contract.functions.pledgeOf(
                b32(asset_id)
            ).call()
        if int(serial) == 0:
            return None
        pledgee, terms_hash, amount, currency, maturity, valuation_hash = terms
        return OnChainPledge(
            asset_id=asset_id.lower(),
            pledgee=pledgee,
            terms_hash=hex_of(terms_hash),
            secured_amount=int(amount),
            currency=str(currency),
            maturity=int(maturity),
            valuation_hash=hex_of(valuation_hash),
            pledged_at=int(pledged_at),
            serial=int(serial),
            certificate_hash=hex_of(certificate_hash) if any(certificate_hash) else None,
            active=bool(active),
        )

    def pledge_certificate_record(self, certificate_hash: str) -> OnChainPledgeCertificate | None:
        """Which pledge the pledge certificate ``certificate_hash`` certifies; None if never recorded."""
        with unavailable_on_connection_errors():
            asset_id, serial, registrar, recorded_at = self._contract.functions.pledgeCertificateOf(
                b32(certificate_hash)
            ).call()
        if int(serial) == 0:
            return None
        return OnChainPledgeCertificate(
            certificate_hash=certificate_hash.lower(),
            asset_id=hex_of(asset_id),
            serial=int(serial),
            registrar=registrar,
            recorded_at=int(recorded_at),
        )

    def certificate_record(self, certificate_hash: str) -> OnChainCertificate | None:
        """The chain's record of a certificate (and what superseded it); None if it was never recorded."""
        with unavailable_on_connection_errors():
            asset_id, recorded_at, valid_until, superseded_by = self._contract.functions.certificateOf(
                b32(certificate_hash)
            ).call()
        if int.from_bytes(asset_id, "big") == 0:
            return None
        return OnChainCertificate(
            certificate_hash=certificate_hash.lower(),
            asset_id=hex_of(asset_id),
            recorded_at=int(recorded_at),
            valid_until=int(valid_until),
            superseded_by=None if int.from_bytes(superseded_by, "big") == 0 else hex_of(superseded_by),
        )

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        """The event of ``tx_hash`` that states an asset's holder and commitments (registration, change
        or transfer), or None if the transaction has none."""
        from web3.exceptions import TransactionNotFound

        with unavailable_on_connection_errors():
            try:
                receipt = self._w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return None
        return self._facts_event_from_receipt(receipt)

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None:
        """The ``AssetRegistered`` event of ``asset_id`` (a log query by its indexed topic)."""
        event = self._contract.events.AssetRegistered()
        with unavailable_on_connection_errors():
            logs = event.get_logs(
                from_block=0, to_block="latest", argument_filters={"assetId": b32(asset_id)}
            )
        for log in logs:
            receipt = self._w3.eth.get_transaction_receipt(log["transactionHash"])
            return self._facts_event_from_receipt(receipt, only="AssetRegistered")
        return None

    def facts_act(self, asset_id: str) -> ChainAct | None:
        """The latest event stating ``asset_id``'s holder and commitments (log queries by its topic)."""
        latest: tuple[int, int, str] | None = None
        with unavailable_on_connection_errors():
            for name in _FACTS_EVENTS:
                logs = getattr(self._contract.events, name)().get_logs(
                    from_block=0, to_block="latest", argument_filters={"assetId": b32(asset_id)}
                )
                for log in logs:
                    where = (int(log["blockNumber"]), int(log["logIndex"]), hex_of(log["transactionHash"]))
                    latest = where if latest is None or where[:2] > latest[:2] else latest
        if latest is None:
            return None
        acts = self._receipts.acts_of_transaction(latest[2]) or ()
        return next((act for act in acts if act.evidence.log_index == latest[1]), None)

    def acts_of_transaction(self, tx_hash: str) -> tuple[ChainAct, ...] | None:
        """Every registry event of ``tx_hash``; None if the chain has no such transaction."""
        return self._receipts.acts_of_transaction(tx_hash)

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str) -> tuple[bool, str]:
        """Does the chain hold, where ``evidence`` says, the event of history act ``act`` on ``asset_id``?"""
        event = EVENT_OF_ACT.get(act)
        if event is None:
            return False, f"no contract event records the act {act!r}"
        if evidence.contract.lower() != self._contract.address.lower():
            return False, f"the evidence names contract {evidence.contract}, not this registry"
        return check_act(self._receipts, evidence, event, asset_id)

    # -- helpers ----------------------------------------------------------------------------------

    def _transact(self, fn: Any) -> tuple[ChainAct, ...]:
        sent = self._sender.transact(fn)
        acts = self._receipts.acts(sent.receipt)
        if not acts:
            raise LedgerError("the receipt carries no registry event", tx_hash=sent.tx_hash)
        return acts

    def _facts_event_from_receipt(self, receipt: Any, only: str | None = None) -> RegistrationEvent | None:
        for name in (only,) if only else _FACTS_EVENTS:
            for log in getattr(self._contract.events, name)().process_receipt(receipt, errors=DISCARD):
                if log["address"] != self._contract.address:
                    continue
                args = log["args"]
                holder = args["to"] if name == "AssetTransferred" else args["holder"]
                return RegistrationEvent(
                    asset_id=hex_of(args["assetId"]),
                    holder=holder,
                    content_hash=hex_of(args["contentHash"]),
                    metadata_hash=hex_of(args["metadataHash"]),
                    evidence=ChainEvidence(
                        chain_id=self._chain_id,
                        contract=self._contract.address,
                        tx_hash=hex_of(log["transactionHash"]),
                        block_number=int(log["blockNumber"]),
                        log_index=int(log["logIndex"]),
                    ),
                )
        return None


#: Every contract dataledger deploys through the shared transaction sender.
DEPLOYED_CONTRACTS = (
    REGISTRY_CONTRACT,
    LICENCE_CONTRACT,
    "AnchorRegistry",
    "DataMarket",
    "DataTrades",
    "DataVouchers",
)


def decoder_for_all_contracts() -> RevertDecoder:
    """A revert decoder knowing the custom errors of every contract dataledger deploys."""
    return RevertDecoder([list(load_artifact(name).abi) for name in DEPLOYED_CONTRACTS])


def _party(auth: ActAuthorisation, signature: str) -> tuple[int, int, bytes]:
    """A party's signature of ``auth`` as the contract's ``PartySignature`` (nonce, deadline, signature)."""
    return (auth.nonce, int(auth.deadline or 0), b32(signature))
