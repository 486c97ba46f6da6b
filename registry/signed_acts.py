"""Acts signed by participants and relayed by the registry: one place for the two steps every such
act takes (objections, changes, transfers, pledges, licences, consents...).

``authorisation`` builds the EIP-712 act the signer signs, with the signer's current nonce on the
contract and a deadline a little ahead of the chain's clock (or the nonce and deadline the signer
submits back). ``relay`` checks the signature off chain, exactly as the contract will (to refuse
early and spend no gas), then submits it; the contract checks it again and consumes the nonce.
The result is recorded by the owning service's recorder named in the call, through the journal
(``registry.act_journal``), so a crash between the chain and the store is finished from the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from dataledger.registry.act_journal import JournalledActs, JournalLedger
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    Eip712Domain,
    act_authorisation,
    require_holder_signature,
)

#: How long a prepared act stays signable, in seconds of chain time.
SIGNATURE_LIFETIME_S = 3600


class SignedActLedger(JournalLedger, Protocol):
    """A contract that takes signed acts (``DataRightsRegistryClient``, ``LicenceRegistryClient``)."""

    @property
    def domain(self) -> Eip712Domain: ...


class SignedActRelay:
    """Builds the acts signers sign for one contract, and relays them once their signature checks."""

    def __init__(
        self,
        ledger: SignedActLedger,
        chain_time: Callable[[], int],
        acts: JournalledActs,
        lifetime_s: int = SIGNATURE_LIFETIME_S,
    ) -> None:
        self._ledger = ledger
        self._chain_time = chain_time
        self._acts = acts
        self._lifetime_s = lifetime_s

    @property
    def domain(self) -> Eip712Domain:
        return self._ledger.domain

    def authorisation(
        self, primary_type: str, signer: str, nonce: int | None, deadline: int | None, **fields: Any
    ) -> ActAuthorisation:
        """The act to sign: with the signer's next nonce and a fresh deadline unless given."""
        return act_authorisation(
            primary_type,
            signer,
            **fields,
            nonce=self._ledger.nonce_of(signer) if nonce is None else nonce,
            deadline=self._chain_time() + self._lifetime_s if deadline is None else deadline,
        )

    def relay(
        self, auth: ActAuthorisation, signature: str, kind: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """Check ``signature`` over ``auth`` (signer, deadline), submit it, and answer what the recorder
        ``kind`` recorded of the chain's events (journalled: see ``registry.act_journal``)."""
        require_holder_signature(auth, self._ledger.domain, signature, now=self._chain_time())
        return self._acts.submit(kind, auth, signature, payload or {})
