"""The registration procedure after the application: review, public notice, objections, rejection.

A registrar records the formal and then the substantive review; passing the substantive review
opens the public notice (its period is set on the contract by the administrator; a batched registration
not on chain yet is materialised by the preparation of its first review or rejection); any participant
with a chain key may object during the notice, signing the objection; a registrar upholds (which
rejects the application) or dismisses each objection. The certificate itself is issued by
``RegistrationService.issue_certificate`` once the notice has ended with no objection open.

Every registrar act is signed by the acting institution's own key (``RegistrarActRelay``):
``prepare_*`` answers the EIP-712 act, the submission carries the signature, and the history records
the registrar's address as the act's actor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import AssetRecord, AssetState, reason_hash
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.chain_types import require_hex32
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    prepared_act,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.ports import ProcedureStore, RegistryLedger, RegistryStore
from dataledger.registry.registrar_acts import RegistrarActRelay
from dataledger.registry.registration_service import RegistrationService
from dataledger.registry.signed_acts import SignedActRelay

_STATE_AFTER_REVIEW = {
    ReviewStage.FORMAL: AssetState.UNDER_REVIEW,
    ReviewStage.SUBSTANTIVE: AssetState.IN_NOTICE,
}


def require_text(value: str, field: str, limit: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters", field=field)
    return value


def address_of(participant: Participant) -> str:
    """The participant's chain address, which signs its acts."""
    if participant.address is None:
        raise ValidationFailed("this participant has no chain address to sign with", field="address")
    return participant.address


class ProcedureService:
    def __init__(
        self,
        ledger: RegistryLedger,
        store: RegistryStore,
        records: ProcedureStore,
        registration: RegistrationService,
        journal: ActJournal | None = None,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._records = records
        self._registration = registration
        acts = JournalledActs(ledger, ledger.registry_address, journal, self.recorders)
        self._signed = SignedActRelay(ledger, ledger.next_block_timestamp, acts)
        self._registrar = RegistrarActRelay(ledger, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each act's result, by the name its journal entry carries."""
        return {
            "registrar.review": self._record_review,
            "registrar.rejection": self._record_rejection,
            "registrar.resolution": self._record_resolution,
            "objection": self._record_objection,
        }

    # -- where an asset stands --------------------------------------------------------------------

    def status(self, asset_id: str) -> dict[str, Any]:
        """The asset's procedure as the chain states it, with its objections, pledges and certificates."""
        record = self._registration.get_asset(asset_id)
        procedure = self._ledger.procedure(record.asset_id)
        on_chain = self._ledger.asset(record.asset_id)
        return {
            "assetId": record.asset_id,
            "state": record.state.value,
            "chainStatus": on_chain.status.name.lower() if on_chain else None,
            "holder": on_chain.holder if on_chain else None,
            "procedure": procedure.as_json() if procedure else None,
            "noticePeriod": self._ledger.notice_period(),
            "chainTime": self._ledger.next_block_timestamp(),
            "objections": self._records.objections_of(record.asset_id),
            "certificates": self._store.certificates_of(record.asset_id),
            "registrarActs": self._records.registrar_acts_of(record.asset_id),
        }

    def notice_period(self) -> int:
        return self._ledger.notice_period()

    def set_notice_period(self, admin: Participant, seconds: int) -> int:
        """The administrator sets the region's public notice period (for notices that start from now)."""
        admin.require_role(Role.ADMIN)
        self._ledger.set_notice_period(seconds)
        return self._ledger.notice_period()

    # -- the registrar ----------------------------------------------------------------------------

    def prepare_review(
        self, registrar: Participant, asset_id: str, stage: ReviewStage, passed: bool, reason: str
    ) -> dict[str, Any]:
        """The ``Review`` the registrar signs (a batched registration is materialised first)."""
        auth, _ = self._review(registrar, asset_id, stage, passed, reason, None, None)
        return prepared_act(auth, self._ledger.domain)

    def review(
        self,
        registrar: Participant,
        asset_id: str,
        stage: ReviewStage,
        passed: bool,
        reason: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> AssetRecord:
        """Record a review signed by the registrar: failing it rejects; passing the substantive one
        opens the public notice."""
        auth, _ = self._review(registrar, asset_id, stage, passed, reason, nonce, deadline)
        payload = {"reason": reason, "registrarId": registrar.id}
        reviewed: AssetRecord = self._registrar.relay(auth, signature, "registrar.review", payload)
        return reviewed

    def _record_review(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> AssetRecord:
        stage = ReviewStage(int(auth.message["stage"]))
        passed = bool(auth.message["passed"])
        return self._store.record_acts(
            auth.message["assetId"],
            acts,
            actor=auth.signer,
            detail={"reason": payload["reason"], "stage": stage.label, "registrarId": payload["registrarId"]},
            state=_STATE_AFTER_REVIEW[stage] if passed else AssetState.REJECTED,
        )

    def _review(
        self,
        registrar: Participant,
        asset_id: str,
        stage: ReviewStage,
        passed: bool,
        reason: str,
        nonce: int | None,
        deadline: int | None,
    ) -> tuple[ActAuthorisation, AssetRecord]:
        self._registrar.require_registrar(registrar)  # before a batched registration is brought on chain
        require_text(reason, "reason")
        record = self._registration.asset_for_act(asset_id)
        auth = self._registrar.authorisation(
            registrar,
            "Review",
            nonce,
            deadline,
            assetId=record.asset_id,
            stage=int(stage),
            passed=passed,
            reasonHash=reason_hash(reason),
        )
        return auth, record

    def prepare_rejection(self, registrar: Participant, asset_id: str, reason: str) -> dict[str, Any]:
        """The ``Rejection`` the registrar signs."""
        auth, _ = self._rejection(registrar, asset_id, reason, None, None)
        return prepared_act(auth, self._ledger.domain)

    def reject(
        self, registrar: Participant, asset_id: str, reason: str, nonce: int, deadline: int, signature: str
    ) -> AssetRecord:
        """Reject the application, signed by the registrar."""
        auth, _ = self._rejection(registrar, asset_id, reason, nonce, deadline)
        payload = {"reason": reason, "registrarId": registrar.id}
        rejected: AssetRecord = self._registrar.relay(auth, signature, "registrar.rejection", payload)
        return rejected

    def _record_rejection(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> AssetRecord:
        return self._store.record_acts(
            auth.message["assetId"],
            acts,
            actor=auth.signer,
            detail={"reason": payload["reason"], "registrarId": payload["registrarId"]},
            state=AssetState.REJECTED,
        )

    def _rejection(
        self, registrar: Participant, asset_id: str, reason: str, nonce: int | None, deadline: int | None
    ) -> tuple[ActAuthorisation, AssetRecord]:
        self._registrar.require_registrar(registrar)
        require_text(reason, "reason")
        record = self._registration.asset_for_act(asset_id)
        auth = self._registrar.authorisation(
            registrar, "Rejection", nonce, deadline, assetId=record.asset_id, reasonHash=reason_hash(reason)
        )
        return auth, record

    def prepare_resolution(
        self, registrar: Participant, objection_id: int, upheld: bool, resolution: str
    ) -> dict[str, Any]:
        """The ``ObjectionResolution`` the registrar signs."""
        auth = self._resolution(registrar, objection_id, upheld, resolution, None, None)
        return prepared_act(auth, self._ledger.domain)

    def resolve_objection(
        self,
        registrar: Participant,
        objection_id: int,
        upheld: bool,
        resolution: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        """Uphold (which rejects the application) or dismiss an objection, signed by the registrar."""
        auth = self._resolution(registrar, objection_id, upheld, resolution, nonce, deadline)
        result: dict[str, Any] = self._registrar.relay(
            auth, signature, "registrar.resolution", {"resolution": resolution}
        )
        return result

    def _record_resolution(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        return self._records.resolve_objection(
            int(auth.message["objectionId"]),
            upheld=bool(auth.message["upheld"]),
            resolution=payload["resolution"],
            acts=acts,
            actor=auth.signer,
        )

    def _resolution(
        self,
        registrar: Participant,
        objection_id: int,
        upheld: bool,
        resolution: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        self._registrar.require_registrar(registrar)
        require_text(resolution, "resolution")
        self._records.get_objection(objection_id)
        return self._registrar.authorisation(
            registrar,
            "ObjectionResolution",
            nonce,
            deadline,
            objectionId=objection_id,
            upheld=upheld,
            resolutionHash=reason_hash(resolution),
        )

    # -- objections by any participant ------------------------------------------------------------

    def objection_authorisation(
        self,
        objector: Participant,
        asset_id: str,
        reason: str,
        evidence_hash: str,
        nonce: int | None = None,
        deadline: int | None = None,
    ) -> ActAuthorisation:
        require_text(reason, "reason")
        signer = address_of(objector)
        record = self._registration.get_asset(asset_id)
        return self._signed.authorisation(
            "Objection",
            signer,
            nonce,
            deadline,
            objector=signer,
            assetId=record.asset_id,
            reasonHash=reason_hash(reason),
            evidenceHash=require_hex32(evidence_hash, "evidence_hash"),
        )

    def prepare_objection(
        self, objector: Participant, asset_id: str, reason: str, evidence_hash: str
    ) -> dict[str, Any]:
        auth = self.objection_authorisation(objector, asset_id, reason, evidence_hash)
        return prepared_act(auth, self._ledger.domain)

    def file_objection(
        self,
        objector: Participant,
        asset_id: str,
        reason: str,
        evidence_hash: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        """Relay an objection signed by the objector; the contract refuses it once the notice has ended."""
        auth = self.objection_authorisation(objector, asset_id, reason, evidence_hash, nonce, deadline)
        payload = {"objectorId": objector.id, "reason": reason}
        result: dict[str, Any] = self._signed.relay(auth, signature, "objection", payload)
        return result

    def _record_objection(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        return self._records.add_objection(
            auth.message["assetId"],
            objector_id=payload["objectorId"],
            objector_address=auth.signer,
            reason=payload["reason"],
            evidence_hash=auth.message["evidenceHash"],
            acts=acts,
        )

    def objections(self, asset_id: str) -> list[dict[str, Any]]:
        record = self._registration.get_asset(asset_id)
        return self._records.objections_of(record.asset_id)

    def objections_of_assets(self, asset_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The objections of each of ``asset_ids``, read at once (a page of applications in notice);
        an asset without objections, or unknown, is left out."""
        return self._records.objections_of_assets(asset_ids)

    def objection(self, objection_id: int) -> dict[str, Any]:
        return self._records.get_objection(objection_id)
