"""Data subjects' consents: one query by one enterprise, for a stated purpose (the CV-check case).

A person is known only by a key: no personal data reaches the chain, only their address and a salted
commitment to the purpose. The enterprise asks for the consent (``prepare_grant``), the person signs
it (for example after scanning a QR code), the enterprise submits it, and its query consumes it with
the enterprise's own signature. The person lists their consents by signing a listing request, and
withdraws an unused one by signing the withdrawal: no account with the API is needed for either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import new_salt, text_commitment
from dataledger.registry.chain_records import ConsentStatus, OnChainConsent
from dataledger.registry.chain_types import require_address, require_hex32
from dataledger.registry.errors import (
    ConsentExpired,
    ConsentNotActive,
    ConsentNotFound,
    InvalidSignature,
    NotAuthorised,
)
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    act_authorisation,
    prepared_act,
    recover_typed_data_signer,
)
from dataledger.registry.participants import Participant
from dataledger.registry.ports import LicenceLedger, LicenceRecords, RegistryLedger
from dataledger.registry.procedure import address_of, require_text
from dataledger.registry.signed_acts import SignedActRelay
from dataledger.registry.visibility import is_party, oversees

#: How far a subject's signed listing request may be from the chain's time.
LISTING_REQUEST_WINDOW_S = 600


class ConsentService:
    def __init__(
        self,
        ledger: LicenceLedger,
        registry: RegistryLedger,
        records: LicenceRecords,
        journal: ActJournal | None = None,
    ) -> None:
        self._ledger = ledger
        self._registry = registry
        self._records = records
        acts = JournalledActs(ledger, ledger.address, journal, self.recorders)
        self._signed = SignedActRelay(ledger, registry.next_block_timestamp, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each act's result, by the name its journal entry carries."""
        return {
            "consent.grant": self._record_grant,
            "consent.use": self._record_use,
            "consent.withdrawal": self._record_withdrawal,
        }

    # -- grant (signed by the subject, submitted by the enterprise) --------------------------------

    def prepare_grant(
        self, enterprise: Participant, subject: str, purpose: str, valid_until: int, salt: str | None
    ) -> dict[str, Any]:
        salt = salt or new_salt()
        auth = self._grant(enterprise, subject, purpose, valid_until, salt, None, None)
        return prepared_act(auth, self._ledger.domain, salt=salt, purposeHash=auth.message["purposeHash"])

    def grant(
        self,
        enterprise: Participant,
        subject: str,
        purpose: str,
        valid_until: int,
        salt: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        auth = self._grant(enterprise, subject, purpose, valid_until, salt, nonce, deadline)
        payload = {"enterpriseId": enterprise.id, "purpose": purpose, "salt": salt}
        result: dict[str, Any] = self._signed.relay(auth, signature, "consent.grant", payload)
        return result

    def _record_grant(self, _: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        return self._records.add_consent(
            enterprise_id=payload["enterpriseId"], purpose=payload["purpose"], salt=payload["salt"], acts=acts
        )

    def _grant(
        self,
        enterprise: Participant,
        subject: str,
        purpose: str,
        valid_until: int,
        salt: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        require_text(purpose, "purpose")
        require_address(subject, "subject")
        return self._signed.authorisation(
            "Consent",
            subject,
            nonce,
            deadline,
            subject=subject,
            enterprise=address_of(enterprise),
            purposeHash=text_commitment("consent-purpose", purpose, salt),
            validUntil=valid_until,
        )

    # -- use (signed by the enterprise) ------------------------------------------------------------

    def prepare_use(self, enterprise: Participant, consent_id: int, request_hash: str) -> dict[str, Any]:
        return prepared_act(self._use(enterprise, consent_id, request_hash, None, None), self._ledger.domain)

    def use(
        self,
        enterprise: Participant,
        consent_id: int,
        request_hash: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        """The enterprise's query consumes the consent: a second query is refused."""
        auth = self._use(enterprise, consent_id, request_hash, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(auth, signature, "consent.use")
        return result

    def _record_use(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        return self._records.record_consent_act(
            int(auth.message["consentId"]), "consumed", acts, actor=auth.signer
        )

    def _use(
        self,
        enterprise: Participant,
        consent_id: int,
        request_hash: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        signer = address_of(enterprise)
        consent = self._active(consent_id)
        if consent.enterprise.lower() != signer.lower():
            raise NotAuthorised("the consent was given to another enterprise", consent_id=consent_id)
        if self._registry.next_block_timestamp() > consent.valid_until:
            raise ConsentExpired(
                "the consent has expired", consent_id=consent_id, valid_until=consent.valid_until
            )
        return self._signed.authorisation(
            "ConsentUse",
            signer,
            nonce,
            deadline,
            consentId=consent_id,
            requestHash=require_hex32(request_hash, "request_hash"),
        )

    # -- withdrawal and listing (signed by the subject) --------------------------------------------

    def prepare_withdrawal(self, consent_id: int) -> dict[str, Any]:
        return prepared_act(self._withdrawal(consent_id, None, None), self._ledger.domain)

    def withdraw(self, consent_id: int, nonce: int, deadline: int, signature: str) -> dict[str, Any]:
        """The subject withdraws an unused consent; their signature is the only authority needed."""
        auth = self._withdrawal(consent_id, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(auth, signature, "consent.withdrawal")
        return result

    def _record_withdrawal(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        return self._records.record_consent_act(
            int(auth.message["consentId"]), "withdrawn", acts, actor=auth.signer
        )

    def _withdrawal(self, consent_id: int, nonce: int | None, deadline: int | None) -> ActAuthorisation:
        consent = self._active(consent_id)
        return self._signed.authorisation(
            "ConsentWithdrawal", consent.subject, nonce, deadline, consentId=consent_id
        )

    def listing_request(self, subject: str, issued_at: int | None = None) -> dict[str, Any]:
        """The typed data a subject signs to list their consents (valid for a few minutes)."""
        issued = self._registry.next_block_timestamp() if issued_at is None else issued_at
        auth = act_authorisation(
            "ConsentListing", require_address(subject, "subject"), subject=subject, issuedAt=issued
        )
        return {"typedData": auth.typed_data(self._ledger.domain), "issuedAt": issued}

    def list_for_subject(self, subject: str, issued_at: int, signature: str) -> list[dict[str, Any]]:
        """The consents of ``subject``, who proves control of the key by signing a fresh listing request."""
        auth = act_authorisation(
            "ConsentListing", require_address(subject, "subject"), subject=subject, issuedAt=issued_at
        )
        if abs(self._registry.next_block_timestamp() - issued_at) > LISTING_REQUEST_WINDOW_S:
            raise InvalidSignature("the listing request is too old or from the future", issued_at=issued_at)
        signer = recover_typed_data_signer(auth.typed_data(self._ledger.domain), signature)
        if signer.lower() != subject.lower():
            raise InvalidSignature("the listing request is not signed by the subject", signer=signer)
        return self._records.consents(subject=subject, limit=500)

    def list_for_enterprise(self, enterprise: Participant) -> list[dict[str, Any]]:
        return self._records.consents(enterprise=address_of(enterprise), limit=500)

    def get(self, consent_id: int) -> dict[str, Any]:
        stored = self._records.get_consent(consent_id)
        consent = self._ledger.consent(consent_id)
        return {**stored, "status": consent.status.name.lower() if consent else stored["status"]}

    def get_for(self, viewer: Participant, consent_id: int) -> dict[str, Any]:
        """The consent with its status on chain and its acts, for the enterprise it was given to and
        for oversight; refused to anyone else."""
        consent = self.get(consent_id)
        if not (oversees(viewer) or is_party(viewer, str(consent["enterpriseAddress"]))):
            raise NotAuthorised("only the enterprise the consent was given to may see it")
        return {**consent, "history": self._records.consent_acts(consent_id)}

    # -- helpers ----------------------------------------------------------------------------------

    def _active(self, consent_id: int) -> OnChainConsent:
        consent = self._ledger.consent(consent_id)
        if consent is None:
            raise ConsentNotFound("no such consent on chain", consent_id=consent_id)
        if consent.status is not ConsentStatus.ACTIVE:
            raise ConsentNotActive(
                f"the consent is {consent.status.name.lower()}",
                consent_id=consent_id,
                consent_status=consent.status.name.lower(),
            )
        return consent
