"""Pledge financing: a pledge is a contract of two parties, filed by a registrar, certified, and ended
by the pledgee's release or enforcement.

- **Pledge.** The holder and the pledgee both sign the same terms (the holder ``Pledge``, the pledgee
  ``PledgeAcceptance``): the salted hash of the pledge contract's text, the secured amount in a
  currency's minor unit, the maturity, and the salted hash of the valuation the pledgee relied on.
  ``prepare_pledge`` answers both messages (to the holder or to the pledgee: either may file it);
  ``pledge`` checks both signatures off chain and relays them in one transaction. While pledged, the
  asset can be neither transferred nor cancelled, and its listings show the pledge.
- **Valuation.** The pledgee states new valuations (``PledgeRevaluation``); each is kept with its text.
- **Registration certificate.** A registrar files the pledge and issues its registration certificate
  (``registry.pledge_certificate``), whose hash the registrar's signed ``PledgeCertificate`` records
  on chain; anyone checks it with :meth:`PledgeService.check_certificate`.
- **End.** The pledgee releases the pledge, or enforces it (the rights pass to the pledgee; a
  registrar then issues the registration certificate in its name). Either ends the pledge certificate.

Every act is journalled (``registry.act_journal``): a crash between the chain and the store is
finished from the chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import AssetRecord, new_salt, text_commitment
from dataledger.registry.certificate import certificate_hash
from dataledger.registry.certificate_issuance import CertificateSubmission
from dataledger.registry.chain_records import act_of
from dataledger.registry.chain_types import ChainEvidence, require_address
from dataledger.registry.errors import (
    AssetNotPledged,
    AssetPledged,
    NotAuthorised,
    PledgeAlreadyCertified,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import ActAuthorisation, prepared_act, require_holder_signature
from dataledger.registry.numbering import require_institution_code
from dataledger.registry.participants import Participant
from dataledger.registry.pledge_certificate import (
    PledgeCertificateFacts,
    PledgeCertificateReport,
    check_pledge_certificate,
    issue_pledge_certificate,
)
from dataledger.registry.ports import PledgeRecords, RegistryLedger, RegistryStore
from dataledger.registry.procedure import address_of, require_text
from dataledger.registry.registrar_acts import RegistrarActRelay
from dataledger.registry.registrar_keys import RegistrarKey
from dataledger.registry.registration_service import RegistrationService
from dataledger.registry.signed_acts import SIGNATURE_LIFETIME_S, SignedActRelay

_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Amounts are minor units (fen) the databases hold as signed 64-bit integers.
MAX_SECURED_AMOUNT = 2**63 - 1
#: 9999-12-31T23:59:59Z: the last maturity a certificate can state as a date.
MAX_MATURITY = 253_402_300_799


@dataclass(frozen=True, slots=True)
class PledgeOffer:
    """What the parties agree: valid by construction."""

    pledgee: str
    terms: str  # the pledge contract's text (kept off chain; the chain holds its salted hash)
    secured_amount: int  # minor units of ``currency``
    currency: str  # ISO 4217
    maturity: int  # Unix seconds
    valuation: str  # the valuation the pledgee relied on (its text, or a summary and reference)

    def __post_init__(self) -> None:
        require_address(self.pledgee, "pledgee")
        require_text(self.terms, "terms")
        require_text(self.valuation, "valuation", limit=4000)
        if not _CURRENCY.match(self.currency):
            raise ValidationFailed("currency is an ISO 4217 code of three capital letters", field="currency")
        if not isinstance(self.secured_amount, int) or not 0 < self.secured_amount <= MAX_SECURED_AMOUNT:
            raise ValidationFailed("securedAmount is a positive amount in minor units", field="securedAmount")
        if not isinstance(self.maturity, int) or not 0 < self.maturity <= MAX_MATURITY:
            raise ValidationFailed("maturity is a Unix time before the year 10000", field="maturity")

    def fields(self, salt: str) -> dict[str, Any]:
        """The terms as both parties' messages carry them."""
        return {
            "termsHash": text_commitment("pledge-terms", self.terms, salt),
            "securedAmount": self.secured_amount,
            "currency": self.currency,
            "maturity": self.maturity,
            "valuationHash": text_commitment("pledge-valuation", self.valuation, salt),
        }


@dataclass(frozen=True, slots=True)
class PartySigned:
    """One party's signature of its message (the nonce and deadline it was prepared with)."""

    nonce: int
    deadline: int
    signature: str


class PledgeService:
    def __init__(
        self,
        ledger: RegistryLedger,
        store: RegistryStore,
        records: PledgeRecords,
        registration: RegistrationService,
        registrar_key: RegistrarKey,
        registrar_name: str,
        institution_code: str,
        journal: ActJournal | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._records = records
        self._registration = registration
        self._key = registrar_key
        self._registrar_name = registrar_name
        self._institution = require_institution_code(institution_code)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._acts = JournalledActs(ledger, ledger.registry_address, journal, self.recorders)
        self._signed = SignedActRelay(ledger, ledger.next_block_timestamp, self._acts)
        self._registrar = RegistrarActRelay(ledger, self._acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each act's result, by the name its journal entry carries."""
        return {
            "pledge.create": self._record_pledge,
            "pledge.revaluation": self._record_revaluation,
            "pledge.release": self._record_release,
            "pledge.enforce": self._record_enforcement,
            "pledge.certificate": self._record_certificate,
        }

    # -- the pledge, signed by both parties --------------------------------------------------------

    def prepare_pledge(
        self, actor: Participant, asset_id: str, offer: PledgeOffer, salt: str | None
    ) -> dict[str, Any]:
        """Both messages to sign, for the holder or the pledgee to prepare (either files the pledge)."""
        salt = salt or new_salt()
        by_holder, by_pledgee = self._pledge_acts(actor, asset_id, offer, salt, None, None)
        domain = self._ledger.domain
        return {
            "salt": salt,
            "termsHash": by_holder.message["termsHash"],
            "valuationHash": by_holder.message["valuationHash"],
            "holder": prepared_act(by_holder, domain),
            "pledgee": prepared_act(by_pledgee, domain),
        }

    def pledge(
        self,
        actor: Participant,
        asset_id: str,
        offer: PledgeOffer,
        salt: str,
        holder: PartySigned,
        pledgee: PartySigned,
    ) -> dict[str, Any]:
        """Relay the pledge both parties signed: from then on the asset is encumbered."""
        by_holder, by_pledgee = self._pledge_acts(actor, asset_id, offer, salt, holder, pledgee)
        now = self._ledger.next_block_timestamp()
        require_holder_signature(by_holder, self._ledger.domain, holder.signature, now=now)
        require_holder_signature(by_pledgee, self._ledger.domain, pledgee.signature, now=now)
        bank = self._store.participant_by_address(offer.pledgee)
        payload = {
            "pledgeeId": bank.id if bank else None,
            "terms": offer.terms,
            "valuation": offer.valuation,
            "salt": salt,
        }
        result: dict[str, Any] = self._acts.submit(
            "pledge.create",
            by_holder,
            holder.signature,
            payload,
            send=lambda: self._ledger.pledge(by_holder, holder.signature, by_pledgee, pledgee.signature),
        )
        return result

    def _pledge_acts(
        self,
        actor: Participant,
        asset_id: str,
        offer: PledgeOffer,
        salt: str,
        holder: PartySigned | None,
        pledgee: PartySigned | None,
    ) -> tuple[ActAuthorisation, ActAuthorisation]:
        record = self._registration.get_asset(asset_id)
        me = (actor.address or "").lower()
        if me not in (record.holder_address.lower(), offer.pledgee.lower()):
            raise NotAuthorised("only the holder or the pledgee files a pledge", holder=record.holder_address)
        if self._store.participant_by_address(offer.pledgee) is None:
            raise ValidationFailed("pledgee must be the chain address of a participant", field="pledgee")
        procedure = self._ledger.procedure(record.asset_id)
        if procedure is not None and procedure.pledgee is not None:
            raise AssetPledged("the asset is pledged", asset_id=record.asset_id, pledgee=procedure.pledgee)
        if offer.maturity <= self._ledger.next_block_timestamp():
            raise ValidationFailed("the maturity must be after the chain's time", field="maturity")
        terms = offer.fields(salt)
        by_holder = self._signed.authorisation(
            "Pledge",
            record.holder_address,
            holder.nonce if holder else None,
            holder.deadline if holder else None,
            assetId=record.asset_id,
            pledgee=offer.pledgee,
            **terms,
        )
        by_pledgee = self._signed.authorisation(
            "PledgeAcceptance",
            offer.pledgee,
            pledgee.nonce if pledgee else None,
            pledgee.deadline if pledgee else None,
            assetId=record.asset_id,
            holder=record.holder_address,
            **terms,
        )
        return by_holder, by_pledgee

    def _record_pledge(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        return self._records.add_pledge(
            auth.message["assetId"],
            pledgor_address=auth.signer,
            pledgee_id=payload["pledgeeId"],
            terms=payload["terms"],
            salt=payload["salt"],
            valuation=payload["valuation"],
            valuation_salt=payload["salt"],
            acts=acts,
        )

    # -- revaluation, release and enforcement by the pledgee ---------------------------------------

    def prepare_revaluation(
        self, pledgee: Participant, asset_id: str, valuation: str, salt: str | None
    ) -> dict[str, Any]:
        salt = salt or new_salt()
        auth = self._revaluation(pledgee, asset_id, valuation, salt, None, None)
        return prepared_act(auth, self._ledger.domain, salt=salt, valuationHash=auth.message["valuationHash"])

    def revalue(
        self, pledgee: Participant, asset_id: str, valuation: str, salt: str, signed: PartySigned
    ) -> dict[str, Any]:
        """The pledgee states a new valuation of the pledged asset."""
        auth = self._revaluation(pledgee, asset_id, valuation, salt, signed.nonce, signed.deadline)
        payload = {"valuation": valuation, "salt": salt}
        result: dict[str, Any] = self._signed.relay(auth, signed.signature, "pledge.revaluation", payload)
        return result

    def _revaluation(
        self,
        pledgee: Participant,
        asset_id: str,
        valuation: str,
        salt: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        require_text(valuation, "valuation", limit=4000)
        signer = self._require_pledgee(pledgee, asset_id)
        return self._signed.authorisation(
            "PledgeRevaluation",
            signer,
            nonce,
            deadline,
            assetId=self._registration.get_asset(asset_id).asset_id,
            pledgee=signer,
            valuationHash=text_commitment("pledge-valuation", valuation, salt),
        )

    def _record_revaluation(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        return self._records.record_revaluation(
            auth.message["assetId"], payload["valuation"], payload["salt"], acts, actor=auth.signer
        )

    def prepare_pledgee_act(self, pledgee: Participant, asset_id: str, primary_type: str) -> dict[str, Any]:
        """The ``PledgeRelease`` or ``PledgeEnforcement`` the pledgee signs."""
        return prepared_act(
            self._pledgee_act(pledgee, asset_id, primary_type, None, None), self._ledger.domain
        )

    def release(self, pledgee: Participant, asset_id: str, signed: PartySigned) -> dict[str, Any]:
        """The pledgee releases the pledge: the asset is free again, the pledge certificate ended."""
        auth = self._pledgee_act(pledgee, asset_id, "PledgeRelease", signed.nonce, signed.deadline)
        result: dict[str, Any] = self._signed.relay(auth, signed.signature, "pledge.release")
        return result

    def _record_release(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        return self._records.close_pledge(auth.message["assetId"], "released", acts, actor=auth.signer)

    def enforce(self, pledgee: Participant, asset_id: str, signed: PartySigned) -> dict[str, Any]:
        """The pledgee enforces the pledge: the rights pass to it (a registrar then issues the
        registration certificate in its name)."""
        auth = self._pledgee_act(pledgee, asset_id, "PledgeEnforcement", signed.nonce, signed.deadline)
        payload = {"pledgeeId": pledgee.id}
        result: dict[str, Any] = self._signed.relay(auth, signed.signature, "pledge.enforce", payload)
        return result

    def _record_enforcement(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        asset_id = auth.message["assetId"]
        enforced = tuple(a for a in acts if a.event != "AssetTransferred")
        transferred = tuple(a for a in acts if a.event == "AssetTransferred")
        pledge = self._records.close_pledge(asset_id, "enforced", enforced, actor=auth.signer)
        self._store.set_holder(asset_id, payload["pledgeeId"], auth.signer, transferred, actor=auth.signer)
        return {
            "pledge": pledge,
            "asset": self._registration.get_asset(asset_id).as_json(),
            "transaction": act_of(acts, "AssetTransferred").evidence.as_json(),
        }

    def _pledgee_act(
        self, pledgee: Participant, asset_id: str, primary_type: str, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        signer = self._require_pledgee(pledgee, asset_id)
        asset_id = self._registration.get_asset(asset_id).asset_id
        return self._signed.authorisation(
            primary_type, signer, nonce, deadline, assetId=asset_id, pledgee=signer
        )

    def _require_pledgee(self, pledgee: Participant, asset_id: str) -> str:
        record = self._registration.get_asset(asset_id)
        signer = address_of(pledgee)
        procedure = self._ledger.procedure(record.asset_id)
        current = procedure.pledgee if procedure else None
        if current is None:
            raise AssetNotPledged("the asset is not pledged", asset_id=record.asset_id)
        if current.lower() != signer.lower():
            raise NotAuthorised("only the pledgee may do this", pledgee=current)
        return signer

    # -- the pledge registration certificate, issued by a registrar --------------------------------

    def prepare_certificate(self, registrar: Participant, asset_id: str) -> dict[str, Any]:
        """The pledge certificate of the asset's active pledge (its number reserved) and the
        ``PledgeCertificate`` the registrar signs."""
        record, pledge = self._certifiable(registrar, asset_id)
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        number = self._records.reserve_pledge_certificate_number(
            record.asset_id, now.year, now.month, self._institution
        )
        vc = self._credential(record, pledge, number, now)
        auth = self._certificate_act(registrar, record, pledge, vc, None, None)
        return prepared_act(
            auth, self._ledger.domain, certificateNumber=number, issuedAt=now.isoformat(), certificate=vc
        )

    def issue_certificate(
        self, registrar: Participant, asset_id: str, submission: CertificateSubmission
    ) -> dict[str, Any]:
        """Record the prepared pledge certificate, signed by the registrar, on chain; answers it."""
        record, pledge = self._certifiable(registrar, asset_id)
        issued_at = submission.issued_at.astimezone(UTC)
        reserved = self._records.reserve_pledge_certificate_number(
            record.asset_id, issued_at.year, issued_at.month, self._institution
        )
        if reserved != submission.number:
            raise ValidationFailed(
                "the certificate number is not the one prepared for this pledge", field="certificateNumber"
            )
        now = self._clock()
        if issued_at.microsecond or not 0 <= (now - issued_at).total_seconds() <= 2 * SIGNATURE_LIFETIME_S:
            raise ValidationFailed(
                "issuedAt is not the time the certificate was prepared at", field="issuedAt"
            )
        vc = self._credential(record, pledge, submission.number, issued_at)
        auth = self._certificate_act(registrar, record, pledge, vc, submission.nonce, submission.deadline)
        payload = {"number": submission.number, "vc": vc}
        self._registrar.relay(auth, submission.signature, "pledge.certificate", payload)
        return vc

    def _record_certificate(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> None:
        self._records.store_pledge_certificate(
            auth.message["assetId"], payload["number"], dict(payload["vc"]), acts, actor=auth.signer
        )

    def _certifiable(self, registrar: Participant, asset_id: str) -> tuple[AssetRecord, dict[str, Any]]:
        self._registrar.require_registrar(registrar)
        record = self._registration.get_asset(asset_id)
        pledge = self._records.active_pledge(record.asset_id)
        if pledge is None or pledge.get("securedAmount") is None:
            raise AssetNotPledged("the asset has no pledge both parties signed", asset_id=record.asset_id)
        if pledge.get("certificateNumber") is not None:
            raise PledgeAlreadyCertified(
                "the pledge already has its registration certificate", number=pledge["certificateNumber"]
            )
        return record, pledge

    def _certificate_act(
        self,
        registrar: Participant,
        record: AssetRecord,
        pledge: Mapping[str, Any],
        vc: Mapping[str, Any],
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        return self._registrar.authorisation(
            registrar,
            "PledgeCertificate",
            nonce,
            deadline,
            assetId=record.asset_id,
            pledgee=pledge["pledgeeAddress"],
            certificateHash=certificate_hash(vc),
        )

    def _credential(
        self, record: AssetRecord, pledge: Mapping[str, Any], number: str, issued_at: datetime
    ) -> dict[str, Any]:
        """The credential numbered ``number``, issued at ``issued_at``: the same bytes each time."""
        pledgor = self._store.participant_by_address(pledge["pledgorAddress"])
        pledgee = self._store.participant_by_address(pledge["pledgeeAddress"])
        certificates = self._store.certificates_of(record.asset_id)
        current = next((c["number"] for c in reversed(certificates) if c.get("status") == "valid"), None)
        evidence = pledge["chainEvidence"]
        facts = PledgeCertificateFacts(
            number=number,
            asset_id=record.asset_id,
            asset_name=record.facts.name,
            registration_number=record.registration_number,
            certificate_number=current,
            pledgor_address=pledge["pledgorAddress"],
            pledgor_name=pledgor.name if pledgor else "",
            pledgee_address=pledge["pledgeeAddress"],
            pledgee_name=pledgee.name if pledgee else "",
            secured_amount=int(pledge["securedAmount"]),
            currency=str(pledge["currency"]),
            maturity=int(pledge["maturity"]),
            terms_hash=pledge["termsHash"],
            valuation_hash=pledge["valuations"][0]["valuationHash"],
            evidence=ChainEvidence(
                self._ledger.chain_id,
                self._ledger.registry_address,
                evidence["txHash"],
                int(evidence["blockNumber"]),
                int(evidence["logIndex"]),
            ),
            issued_at=issued_at,
            registrar_name=self._registrar_name,
        )
        return issue_pledge_certificate(facts, self._key)

    # -- reads ------------------------------------------------------------------------------------

    def pledges_of(
        self, me: Participant, *, status: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        """The pledges ``me`` holds as pledgee (a bank's book), newest first."""
        if me.address is None:
            return []
        return self._records.pledges_of_pledgee(me.address, status=status, limit=limit, offset=offset)

    def certificate(self, number: str) -> dict[str, Any]:
        vc, _ = self._records.pledge_certificate(number)
        return vc

    def check_certificate(self, vc: Mapping[str, Any]) -> PledgeCertificateReport:
        """Anyone: the proof, the record on chain, and whether the certified pledge still stands."""
        digest = certificate_hash(vc)
        recorded = self._ledger.pledge_certificate_record(digest)
        pledge = self._ledger.pledge_record(recorded.asset_id) if recorded else None
        return check_pledge_certificate(vc, self._key.public_key, recorded, pledge)
