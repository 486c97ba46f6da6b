"""Certificates a registrar issues: the first one of an asset, the one superseding it after a transfer,
an enforcement or a change, and the renewal; each recorded on chain by the registrar's own signature.

Preparing a certificate reserves its number and answers the credential (W3C VC, sealed with the
registry's P-256 key) with the ``Certificate`` (or ``Renewal``) the registrar signs over its hash, its
expiry and the asset. The submission names the number and the issue time, from which the same
credential is built again (its signature is deterministic), so the server keeps nothing between the
two steps and records only a credential whose hash the registrar signed. What the next certificate
states is read off the chain (``CertificatePlan``): the contract enforces the same rules, and the
service checks them first so that a refusal costs no gas and burns no number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.certificate import (
    CertificateFacts,
    certificate_hash,
    format_datetime,
    issue_certificate,
    parse_certificate,
)
from dataledger.registry.chain_types import ChainEvidence, OnChainAssetStatus
from dataledger.registry.errors import (
    AssetNotFound,
    AssetRevoked,
    CertificateExpired,
    DataLedgerError,
    InvalidAssetStatus,
    NoticePeriodNotEnded,
    ObjectionsOpen,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import ActAuthorisation, prepared_act
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, require_institution_code
from dataledger.registry.participants import Participant
from dataledger.registry.ports import RegistryLedger, RegistryStore
from dataledger.registry.registrar_acts import RegistrarActRelay
from dataledger.registry.registrar_keys import RegistrarKey
from dataledger.registry.signed_acts import SIGNATURE_LIFETIME_S


def status_error(asset_id: str, status: OnChainAssetStatus | None, act: str) -> DataLedgerError:
    """The error the registry contract gives for ``act`` on an asset with ``status`` it does not allow."""
    if status is None or status is OnChainAssetStatus.NONE:
        return AssetNotFound("the asset is not registered on chain", asset_id=asset_id)
    if status is OnChainAssetStatus.REVOKED:
        return AssetRevoked("the asset's registration is revoked", asset_id=asset_id)
    return InvalidAssetStatus(
        f"{act} is not allowed while the asset is {status.name.lower()}",
        asset_id=asset_id,
        asset_status=status.name.lower(),
    )


@dataclass(frozen=True, slots=True)
class CertificatePlan:
    """What the next certificate of an asset states, as the chain stands: why it is issued (``first``,
    ``transfer``, ``change``, ``pledge-enforcement``, ``renewal``), the chain evidence of the facts it
    certifies, the registrar act that records it, and its expiry (``term``: from its issue; else the
    fixed ``valid_until``, zero for none)."""

    record: AssetRecord
    kind: str
    evidence: ChainEvidence
    primary_type: str
    valid_until: int = 0
    term: timedelta | None = None

    def expiry(self, issued_at: datetime) -> datetime | None:
        if self.term is not None:
            return issued_at + self.term
        return datetime.fromtimestamp(self.valid_until, UTC) if self.valid_until else None


@dataclass(frozen=True, slots=True)
class CertificateSubmission:
    """A registrar's signed submission of a prepared certificate: the reserved number and the issue
    time it was prepared with, and the registrar's signature over the ``Certificate`` or ``Renewal``."""

    number: str
    issued_at: datetime
    nonce: int
    deadline: int
    signature: str


class CertificateIssuance:
    """Prepares the certificates registrars sign, and records them once signed."""

    def __init__(
        self,
        ledger: RegistryLedger,
        store: RegistryStore,
        registrar_key: RegistrarKey,
        registrar_name: str,
        term: timedelta,
        now: Callable[[], datetime],
        *,
        institution_code: str = DEFAULT_INSTITUTION_CODE,
        journal: ActJournal | None = None,
    ) -> None:
        """``institution_code`` numbers the certificates (``DIP-YYYYMM-IIIIII-NNNNNN``): the registry's,
        not the signing registrar's, so one institution's serials stay one sequence."""
        self._ledger = ledger
        self._institution = require_institution_code(institution_code)
        self._store = store
        self._registrar_key = registrar_key
        self._registrar_name = registrar_name
        self._term = term
        self._now = now
        acts = JournalledActs(ledger, ledger.registry_address, journal, self.recorders)
        self._relay = RegistrarActRelay(ledger, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records a certificate (first, superseding or renewal) once the chain recorded its hash."""
        return {"registrar.certificate": self._record_certificate}

    def prepare_certificate(self, registrar: Participant, record: AssetRecord) -> dict[str, Any]:
        """The next certificate of the asset and the ``Certificate`` the registrar signs: a first one once
        the notice ended with no objection open, or the one superseding the current certificate after a
        transfer, an enforcement or a change."""
        return self._prepare(registrar, self._certificate_plan(record))

    def issue_certificate(
        self, registrar: Participant, record: AssetRecord, submission: CertificateSubmission
    ) -> dict[str, Any]:
        """Record the prepared certificate, signed by the registrar, on chain; answers the credential."""
        return self._submit(registrar, self._certificate_plan(record), submission)

    def prepare_renewal(self, registrar: Participant, record: AssetRecord) -> dict[str, Any]:
        """A certificate for a new term, superseding the current one, and the ``Renewal`` to sign."""
        return self._prepare(registrar, self._renewal_plan(record))

    def renew_certificate(
        self, registrar: Participant, record: AssetRecord, submission: CertificateSubmission
    ) -> dict[str, Any]:
        """Renew the registration before its certificate expires, signed by the registrar."""
        return self._submit(registrar, self._renewal_plan(record), submission)

    def _certificate_plan(self, record: AssetRecord) -> CertificatePlan:
        asset_id = record.asset_id
        if record.state is AssetState.REVOKED:
            raise AssetRevoked("a revoked asset gets no certificate", asset_id=asset_id)
        if record.evidence is None:
            raise AssetNotFound("the asset is not registered on chain yet", asset_id=asset_id)
        on_chain = self._ledger.asset(record.asset_id)
        procedure = self._ledger.procedure(record.asset_id)
        status = on_chain.status if on_chain else None
        if status is OnChainAssetStatus.CERTIFIED and procedure is not None:
            return self._reissue_plan(record, procedure.certificate_valid_until)
        if status is not OnChainAssetStatus.IN_NOTICE or procedure is None:
            raise status_error(record.asset_id, status, "issuing a first certificate")
        if self._ledger.next_block_timestamp() < procedure.notice_ends_at:
            raise NoticePeriodNotEnded(
                "the public notice has not ended yet",
                asset_id=record.asset_id,
                ends_at=procedure.notice_ends_at,
            )
        if procedure.open_objections:
            raise ObjectionsOpen(
                "objections against the registration are not resolved",
                asset_id=record.asset_id,
                open=procedure.open_objections,
            )
        return CertificatePlan(record, "first", record.evidence, "Certificate", term=self._term)

    def _reissue_plan(self, record: AssetRecord, valid_until: int) -> CertificatePlan:
        """The certificate superseding the current one, if the chain states newer facts than it does."""
        facts = self._ledger.facts_act(record.asset_id)
        current = parse_certificate(self._current_certificate(record.asset_id)).evidence
        if facts is None or facts.evidence == current:
            raise InvalidAssetStatus(
                "the asset's current certificate already states its holder and version",
                asset_id=record.asset_id,
                asset_status="certified",
            )
        if valid_until and self._ledger.next_block_timestamp() > valid_until:
            raise CertificateExpired(
                "the certificate expired: renew the registration first",
                asset_id=record.asset_id,
                valid_until=valid_until,
            )
        kind = "change" if facts.event == "AssetChanged" else "transfer"
        if kind == "transfer":
            same_tx = self._ledger.acts_of_transaction(facts.evidence.tx_hash) or ()
            if any(act.event == "PledgeEnforced" for act in same_tx):
                kind = "pledge-enforcement"
        return CertificatePlan(record, kind, facts.evidence, "Certificate", valid_until=valid_until)

    def _renewal_plan(self, record: AssetRecord) -> CertificatePlan:
        asset_id = record.asset_id
        on_chain = self._ledger.asset(record.asset_id)
        procedure = self._ledger.procedure(record.asset_id)
        status = on_chain.status if on_chain else None
        if status is not OnChainAssetStatus.CERTIFIED or procedure is None:
            raise status_error(record.asset_id, status, "renewal")
        current_until = procedure.certificate_valid_until
        if current_until == 0:
            raise ValidationFailed("the certificate has no term to renew", asset_id=asset_id)
        if self._ledger.next_block_timestamp() > current_until:
            raise CertificateExpired(
                "the certificate expired: renewal must come before expiry",
                asset_id=asset_id,
                valid_until=current_until,
            )
        # The renewed certificate states the asset as the chain does now (its latest holder and version).
        facts = self._ledger.facts_act(record.asset_id)
        current = parse_certificate(self._current_certificate(record.asset_id)).evidence
        evidence = facts.evidence if facts is not None else current
        until = int((datetime.fromtimestamp(current_until, UTC) + self._term).timestamp())
        return CertificatePlan(record, "renewal", evidence, "Renewal", valid_until=until)

    def _prepare(self, registrar: Participant, plan: CertificatePlan) -> dict[str, Any]:
        issued_at = self._now()
        moment = issued_at.astimezone(UTC)
        number = self._store.reserve_certificate_number(
            plan.record.asset_id, moment.year, moment.month, self._institution
        )
        vc = self._credential(plan, number, issued_at)
        auth = self._certificate_act(registrar, plan, vc, issued_at, None, None)
        return prepared_act(
            auth,
            self._ledger.domain,
            certificate=vc,
            certificateNumber=number,
            issuedAt=format_datetime(issued_at),
            kind=plan.kind,
        )

    def _submit(
        self, registrar: Participant, plan: CertificatePlan, submission: CertificateSubmission
    ) -> dict[str, Any]:
        if self._store.reserved_certificate_asset(submission.number) != plan.record.asset_id:
            raise ValidationFailed(
                "the certificate number is not one prepared for this asset and still to be issued",
                field="certificateNumber",
            )
        issued_at = submission.issued_at.astimezone(UTC)
        now = self._now()
        if issued_at.microsecond or not now - timedelta(seconds=2 * SIGNATURE_LIFETIME_S) <= issued_at <= now:
            raise ValidationFailed(
                "issuedAt is not the time the certificate was prepared at", field="issuedAt"
            )
        vc = self._credential(plan, submission.number, issued_at)
        auth = self._certificate_act(registrar, plan, vc, issued_at, submission.nonce, submission.deadline)
        payload = {"number": submission.number, "vc": vc, "kind": plan.kind, "registrarId": registrar.id}
        self._relay.relay(auth, submission.signature, "registrar.certificate", payload)
        return vc

    def _record_certificate(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> None:
        until = int(auth.message["validUntil"])
        self._store.store_certificate(
            payload["number"],
            auth.message["assetId"],
            dict(payload["vc"]),
            str(auth.message["certificateHash"]),
            acts,
            actor=auth.signer,
            valid_until=until or None,
            detail={"kind": payload["kind"], "registrarId": payload["registrarId"]},
        )

    def _certificate_act(
        self,
        registrar: Participant,
        plan: CertificatePlan,
        vc: dict[str, Any],
        issued_at: datetime,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        expiry = plan.expiry(issued_at)
        return self._relay.authorisation(
            registrar,
            plan.primary_type,
            nonce,
            deadline,
            assetId=plan.record.asset_id,
            certificateHash=certificate_hash(vc),
            validUntil=int(expiry.timestamp()) if expiry else 0,
        )

    def _credential(self, plan: CertificatePlan, number: str, issued_at: datetime) -> dict[str, Any]:
        """The credential numbered ``number``, issued at ``issued_at``: the same bytes each time."""
        record = plan.record
        holder_address = record.holder_address
        holder = self._store.get_participant(record.holder_id)
        facts = CertificateFacts(
            certificate_number=number,
            asset={
                "asset_id": record.asset_id,
                "name": record.facts.name,
                "description": record.facts.description,
                "source": record.facts.source,
                "collection_method": record.facts.collection_method,
                "scale": record.facts.scale,
                "update_frequency": record.facts.update_frequency,
                "industry": record.facts.industry,
                "right_claimed": record.facts.right_claimed.value,
                "content_hash": record.facts.content_hash,
                "metadata_hash": record.metadata_hash,
            },
            holder_address=holder_address,
            holder_name=holder.name,
            evidence=plan.evidence,
            issued_at=issued_at,
            valid_until=plan.expiry(issued_at),
            registrar_name=self._registrar_name,
            registration_number=record.registration_number,
        )
        return issue_certificate(facts, self._registrar_key)

    def _current_certificate(self, asset_id: str) -> dict[str, Any]:
        current = [c for c in self._store.certificates_of(asset_id) if c["status"] == "valid"]
        if not current:
            raise InvalidAssetStatus("the asset has no valid certificate", asset_id=asset_id)
        return self._store.get_certificate(current[-1]["number"])
