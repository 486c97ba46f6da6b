"""The ``LicenceRegistry`` contract, seen from Python: licences consumed per use, data subjects' consents.

Deployed once per registry (it reads holders and statuses from the ``DataRightsRegistry`` it is
given); its address is kept in the database like the registry's. Every write relays a signed act
and returns the events it emitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.contract_acts import (
    ReceiptReader,
    SignedActContract,
    b32,
    call_args,
    check_act,
    hex_of,
)
from dataledger.ledger.chain.data_rights_registry import LICENCE_CONTRACT
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_records import (
    CONSENT_EVENT_OF_ACT,
    EVENT_OF_ACT,
    EXCLUSIVITY_ON_CHAIN,
    ChainAct,
    ConsentStatus,
    LicenceTerms,
    OnChainConsent,
    OnChainLicence,
)
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import LedgerError, ValidationFailed
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, licence_domain

LICENCE_REGISTRY_VERSION = "1.2.0"

_TERMS_FIELDS = (
    "assetId",
    "licensee",
    "assetVersion",
    "maxUses",
    "validFrom",
    "validUntil",
    "derivativesAllowed",
    "commercial",
    "scopeHash",
    "purposeHash",
    "territoryHash",
    "exclusivity",
)
_ACT_FUNCTIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "LicenceUse": ("useLicence", ("licenceId", "requestHash", "nonce", "deadline")),
        "LicenceRevocation": ("revokeLicence", ("licenceId", "reasonHash", "nonce", "deadline")),
        "Consent": (
            "grantConsent",
            ("subject", "enterprise", "purposeHash", "validUntil", "nonce", "deadline"),
        ),
        "ConsentUse": ("consumeConsent", ("consentId", "requestHash", "nonce", "deadline")),
        "ConsentWithdrawal": ("withdrawConsent", ("consentId", "nonce", "deadline")),
    }
)


class Deployments(Protocol):
    """Where deployments are remembered (``ledger.sql.store.SqlStore``)."""

    def deployment(self, chain_id: int, name: str) -> Any: ...

    def save_deployment(
        self, chain_id: int, name: str, address: str, tx_hash: str, block_number: int
    ) -> None: ...


class LicenceRegistryClient(SignedActContract):
    """Python face of one deployed ``LicenceRegistry``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str) -> None:
        self._w3 = w3
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(load_artifact(LICENCE_CONTRACT).abi)
        )
        self._chain_id = sender.chain_id
        self._receipts = ReceiptReader(w3, self._contract, self._chain_id)

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, registry_address: str
    ) -> tuple[LicenceRegistryClient, SentTransaction]:
        """Deploy a licence registry for the data rights registry at ``registry_address``."""
        address, sent = deploy_contract(w3, sender, LICENCE_CONTRACT, to_checksum_address(registry_address))
        return cls(w3, sender, address), sent

    @classmethod
    def attach(
        cls, w3: Web3, sender: TransactionSender, address: str, registry_address: str
    ) -> LicenceRegistryClient:
        """Attach to a deployment, refusing one that is missing, of another version or another registry."""
        client = cls(w3, sender, address)
        require_deployment(
            w3,
            client._contract,
            sender.chain_id,
            "the licence registry",
            LICENCE_REGISTRY_VERSION,
            registry_address=registry_address,
        )
        return client

    @classmethod
    def attach_or_deploy(
        cls, w3: Web3, sender: TransactionSender, deployments: Deployments, registry_address: str
    ) -> LicenceRegistryClient:
        """Attach to the licence registry the database knows for this chain, or deploy it once."""
        known = deployments.deployment(sender.chain_id, LICENCE_CONTRACT)
        if known is not None:
            return cls.attach(w3, sender, known.address, registry_address)
        client, sent = cls.deploy(w3, sender, registry_address)
        deployments.save_deployment(
            sender.chain_id, LICENCE_CONTRACT, client.address, sent.tx_hash, sent.block_number
        )
        return client

    # -- identity ---------------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def domain(self) -> Eip712Domain:
        return licence_domain(self._chain_id, self._contract.address)

    # -- writes -----------------------------------------------------------------------------------

    def grant_licence(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        """Relay a holder-signed ``Licence``."""
        if auth.primary_type != "Licence":
            raise ValidationFailed("grant_licence takes a Licence act", field="primaryType")
        terms = tuple(call_args(auth, _TERMS_FIELDS))
        fn = self._contract.functions.grantLicence(terms, auth.nonce, auth.deadline, b32(signature))
        return self._transact(fn)

    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        """Relay a signed licence use or revocation, or a consent, its use or its withdrawal."""
        if auth.primary_type == "Licence":
            return self.grant_licence(auth, signature)
        entry = _ACT_FUNCTIONS.get(auth.primary_type)
        if entry is None:
            raise ValidationFailed(
                f"the licence registry takes no {auth.primary_type} act", field="primaryType"
            )
        function, names = entry
        fn = getattr(self._contract.functions, function)(*call_args(auth, names), b32(signature))
        return self._transact(fn)

    def record_uses(self, licence_id: int, count: int, receipts_root: bytes) -> ChainAct:
        """Record ``count`` uses a delivery gateway redeemed off chain (the operator holds the gateway
        role); the ``LicenceUsesRecorded`` act, or the contract's refusal as a domain error."""
        fn = self._contract.functions.recordUses(licence_id, count, receipts_root)
        for act in self._transact(fn):
            if act.event == "LicenceUsesRecorded":
                return act
        raise LedgerError("the receipt carries no LicenceUsesRecorded event")

    def find_uses_recorded(self, licence_id: int, receipts_root: bytes) -> ChainAct | None:
        """The ``LicenceUsesRecorded`` act of licence ``licence_id`` with ``receipts_root``, if the chain
        holds one (a recorder that crashed after sending asks before sending again)."""
        event = self._contract.events.LicenceUsesRecorded()
        with unavailable_on_connection_errors():
            logs = event.get_logs(from_block=0, to_block="latest", argument_filters={"licenceId": licence_id})
        root = hex_of(receipts_root)
        for log in logs:
            if bytes(log["args"]["receiptsRoot"]) != receipts_root:
                continue
            for act in self._receipts.acts_of_transaction(hex_of(log["transactionHash"])) or ():
                if act.event == "LicenceUsesRecorded" and act.args["receiptsRoot"] == root:
                    return act
        return None

    def acts_of_transaction(self, tx_hash: str) -> tuple[ChainAct, ...] | None:
        """This contract's events in transaction ``tx_hash``; None when the chain has no such (mined)
        transaction."""
        return self._receipts.acts_of_transaction(tx_hash)

    def has_gateway_role(self, account: str) -> bool:
        with unavailable_on_connection_errors():
            role = self._contract.functions.GATEWAY_ROLE().call()
            return bool(self._contract.functions.hasRole(role, to_checksum_address(account)).call())

    # -- reads ------------------------------------------------------------------------------------

    def licence(self, licence_id: int) -> OnChainLicence | None:
        with unavailable_on_connection_errors():
            terms, licensor, uses, enforcements, revoked = self._contract.functions.licenceOf(
                licence_id
            ).call()
        if int(licensor, 16) == 0:
            return None
        asset_id, licensee, version, max_uses, valid_from, valid_until = terms[:6]
        derivatives, commercial, scope, purpose, territory, exclusivity = terms[6:]
        return OnChainLicence(
            licence_id=licence_id,
            terms=LicenceTerms(
                asset_id=hex_of(asset_id),
                licensee=licensee,
                asset_version=int(version),
                max_uses=int(max_uses),
                valid_from=int(valid_from),
                valid_until=int(valid_until),
                derivatives_allowed=bool(derivatives),
                commercial=bool(commercial),
                scope_hash=hex_of(scope),
                purpose_hash=hex_of(purpose),
                territory_hash=hex_of(territory),
                exclusivity=EXCLUSIVITY_ON_CHAIN[int(exclusivity)],
            ),
            licensor=licensor,
            uses=int(uses),
            enforcements_at_grant=int(enforcements),
            revoked=bool(revoked),
        )

    def consent(self, consent_id: int) -> OnChainConsent | None:
        with unavailable_on_connection_errors():
            record = self._contract.functions.consentOf(consent_id).call()
        subject, enterprise, granted_at, valid_until, status, purpose, request = record
        if ConsentStatus(status) is ConsentStatus.NONE:
            return None
        return OnChainConsent(
            consent_id=consent_id,
            subject=subject,
            enterprise=enterprise,
            granted_at=int(granted_at),
            valid_until=int(valid_until),
            status=ConsentStatus(status),
            purpose_hash=hex_of(purpose),
            request_hash=None if int.from_bytes(request, "big") == 0 else hex_of(request),
        )

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str | None) -> tuple[bool, str]:
        """Does the chain hold, where ``evidence`` says, the event of act ``act``?"""
        event = EVENT_OF_ACT.get(act) or CONSENT_EVENT_OF_ACT.get(act)
        if event is None:
            return False, f"no contract event records the act {act!r}"
        if evidence.contract.lower() != self._contract.address.lower():
            return False, f"the evidence names contract {evidence.contract}, not this licence registry"
        return check_act(self._receipts, evidence, event, asset_id)

    def _transact(self, fn: Any) -> tuple[ChainAct, ...]:
        sent = self._sender.transact(fn)
        acts = self._receipts.acts(sent.receipt)
        if not acts:
            raise LedgerError("the receipt carries no licence registry event", tx_hash=sent.tx_hash)
        return acts
