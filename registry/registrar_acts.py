"""Acts of a registrar (a registration institution), signed by the institution's own chain key.

Several registration institutions may share one registry. Each registrar participant has its own
secp256k1 key (its participant address), which the administrator granted ``REGISTRAR_ROLE`` on the
registry contract. A registrar's act (review, rejection, objection resolution, certificate, renewal,
revocation) takes the same two steps as a holder's: ``authorisation`` builds the EIP-712 act to sign,
naming the registrar, with its next nonce and a deadline after the next block's time; ``relay``
checks the signature off chain as the contract will (deadline, signer, then the signer's role and
nonce), so a refusal costs no gas, relays it and records its result (journalled, as
``SignedActRelay`` does). The key never reaches the server: the operator only
relays, and the contract's events name the registrar whose signature it checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataledger.registry.act_journal import JournalledActs
from dataledger.registry.errors import NonceReplayed, NotAuthorised, ValidationFailed
from dataledger.registry.holder_signatures import (
    REGISTRAR_ACT_TYPES,
    ActAuthorisation,
    require_holder_signature,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.ports import RegistryLedger
from dataledger.registry.signed_acts import SignedActRelay


def registrar_address(registrar: Participant) -> str:
    """The chain address of a registrar participant: the key that signs its acts."""
    registrar.require_role(Role.REGISTRAR)
    if registrar.role is not Role.REGISTRAR or registrar.address is None:
        raise NotAuthorised(
            "registrar acts are signed by a registrar participant's own chain key",
            role=registrar.role.value,
        )
    return registrar.address


class RegistrarActRelay:
    """Builds the acts a registrar signs on the registry, and relays them once they check."""

    def __init__(self, ledger: RegistryLedger, acts: JournalledActs) -> None:
        self._ledger = ledger
        self._acts = acts
        self._signed = SignedActRelay(ledger, ledger.next_block_timestamp, acts)

    def require_registrar(self, registrar: Participant) -> str:
        """The registrar participant's address, if the registry accepts its acts now: a participant of
        another role, or a registration institution whose role was revoked, is refused before anything
        is prepared (no certificate number reserved, no batched registration brought on chain)."""
        address = registrar_address(registrar)
        if not self._ledger.is_registrar(address):
            raise NotAuthorised(
                "this registrar's key does not hold the registrar role on the registry", registrar=address
            )
        return address

    def authorisation(
        self,
        registrar: Participant,
        primary_type: str,
        nonce: int | None,
        deadline: int | None,
        **fields: Any,
    ) -> ActAuthorisation:
        """The act ``primary_type`` of ``registrar`` to sign (its next nonce and a fresh deadline unless
        given): its ``registrar`` field is the participant's own address, never the operator's."""
        if primary_type not in REGISTRAR_ACT_TYPES:
            raise ValidationFailed(f"{primary_type} is not a registrar's act", field="primaryType")
        address = registrar_address(registrar)
        return self._signed.authorisation(primary_type, address, nonce, deadline, registrar=address, **fields)

    def relay(
        self, auth: ActAuthorisation, signature: str, kind: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """Check the registrar's signature (deadline against the next block, signer), its role on chain
        and its nonce, in the contract's order; relay it and answer what recorder ``kind`` recorded."""
        require_holder_signature(
            auth, self._ledger.domain, signature, now=self._ledger.next_block_timestamp()
        )
        if not self._ledger.is_registrar(auth.signer):
            raise NotAuthorised(
                "the signing key does not hold the registrar role on the registry",
                registrar=auth.signer,
            )
        expected = self._ledger.nonce_of(auth.signer)
        if auth.nonce != expected:
            raise NonceReplayed(
                "the registrar's nonce was already used or is out of order",
                nonce=auth.nonce,
                expected=expected,
            )
        return self._acts.submit(kind, auth, signature, payload or {})
