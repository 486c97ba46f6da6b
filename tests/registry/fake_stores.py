"""The stores in memory: what the SQL stores keep (participants, assets and their history,
certificates, objections, pledges, licences, consents, derivations), in dictionaries, refusing what
they refuse; and the batched registrations awaiting materialisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.chain_records import ACT_OF_EVENT, ChainAct, LicenceTerms
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.derivations import Parent, check_derivation, declared_upstream
from dataledger.registry.errors import (
    AlreadyExists,
    AlreadyMaterialised,
    AssetNotFound,
    CertificateNotFound,
    ConsentNotFound,
    ContentAlreadyRegistered,
    DataLedgerError,
    LedgerInconsistent,
    LicenceNotFound,
    MaterialisationInProgress,
    ObjectionNotFound,
    ParticipantNotFound,
)
from dataledger.registry.holder_signatures import RegistrationAuthorisation
from dataledger.registry.numbering import (
    DEFAULT_INSTITUTION_CODE,
    CertificateNumber,
    RegistrationNumber,
    certificate_scope,
    registration_scope,
)
from dataledger.registry.participants import Participant
from tests.registry.fake_chain import Acts, FakeClock
from tests.registry.fake_registry_contract import FakeRegistryLedger


@dataclass
class _StoredCertificate:
    seq: int
    number: str
    asset_id: str
    issued_at: str
    status: str = "issuing"
    vc: dict[str, Any] | None = None
    certificate_hash: str | None = None
    valid_until: int | None = None
    superseded_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "assetId": self.asset_id,
            "certificateHash": self.certificate_hash,
            "status": self.status,
            "validUntil": self.valid_until,
            "supersededBy": self.superseded_by,
            "issuedAt": self.issued_at,
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded act of an asset's history, as ``ledger.sql.store.history_rows`` writes it."""

    asset_id: str
    act: str
    actor: str
    detail: Mapping[str, Any]
    evidence: ChainEvidence


class FakeRegistryStore:
    """Participants, assets, their history and their certificates (the ``RegistryStore`` port)."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._participants: dict[str, Participant] = {}
        self._assets: dict[str, AssetRecord] = {}
        self._claims: dict[str, str] = {}  # content hash -> the asset that claimed it
        self._certificates: list[_StoredCertificate] = []
        self._serials: dict[str, int] = {}  # numbering scope -> the last serial drawn
        self.history: list[HistoryEntry] = []

    # -- participants -------------------------------------------------------------------------------

    def add_participant(self, participant: Participant) -> None:
        if participant.address and self.participant_by_address(participant.address) is not None:
            raise AlreadyExists("a participant with this address already exists", address=participant.address)
        self._participants[participant.id] = participant

    def get_participant(self, participant_id: str) -> Participant:
        participant = self._participants.get(participant_id)
        if participant is None:
            raise ParticipantNotFound("no participant with this id", participant_id=participant_id)
        return participant

    def participant_by_address(self, address: str) -> Participant | None:
        wanted = address.lower()
        return next((p for p in self._participants.values() if (p.address or "").lower() == wanted), None)

    # -- assets -------------------------------------------------------------------------------------

    def get_asset(self, asset_id: str) -> AssetRecord | None:
        return self._assets.get(asset_id)

    def asset_by_content(self, content_hash: str) -> AssetRecord | None:
        return next((r for r in self._assets.values() if r.facts.content_hash == content_hash), None)

    def pending_assets(self) -> list[AssetRecord]:
        return [r for r in self._assets.values() if r.state is AssetState.PENDING]

    def add_pending_asset(self, record: AssetRecord) -> None:
        content_hash = record.facts.content_hash
        claimed_by = self._claims.get(content_hash)
        if claimed_by is not None and claimed_by != record.asset_id:
            raise ContentAlreadyRegistered(
                "this content hash is already registered under another asset", existing_asset_id=claimed_by
            )
        if record.asset_id in self._assets:
            raise AlreadyExists("the asset is already being registered", asset_id=record.asset_id)
        self._claims[content_hash] = record.asset_id
        self._assets[record.asset_id] = replace(record, state=AssetState.PENDING)

    def discard_pending_asset(self, asset_id: str) -> None:
        record = self._assets.get(asset_id)
        if record is not None and record.state is AssetState.PENDING:
            if self._claims.get(record.facts.content_hash) == asset_id:
                del self._claims[record.facts.content_hash]
            del self._assets[asset_id]

    def mark_registered(
        self,
        asset_id: str,
        event: RegistrationEvent,
        *,
        block_timestamp: int | None = None,
        detail: dict[str, Any] | None = None,
        institution: str = DEFAULT_INSTITUTION_CODE,
    ) -> AssetRecord:
        record = self._assets.get(asset_id)
        if record is None:
            raise AssetNotFound("no pending asset with this id", asset_id=asset_id)
        if (record.facts.content_hash, record.metadata_hash, record.holder_address) != (
            event.content_hash,
            event.metadata_hash,
            event.holder,
        ):
            raise LedgerInconsistent(
                "the chain recorded other facts than the database holds", asset_id=asset_id
            )
        number = record.registration_number
        if number is None:
            year = self._clock.datetime().year
            number = str(
                RegistrationNumber(institution, year, self._draw(registration_scope(institution, year)))
            )
        self._assets[asset_id] = replace(
            record, state=AssetState.REGISTERED, evidence=event.evidence, registration_number=number
        )
        self.history.append(
            HistoryEntry(
                asset_id,
                "registered",
                event.holder,
                {"nonce": record.nonce, **(detail or {})},
                event.evidence,
            )
        )
        return self._assets[asset_id]

    def mark_revoked(self, asset_id: str, reason: str, acts: Acts, *, actor: str) -> AssetRecord:
        return self.record_acts(
            asset_id, acts, actor=actor, detail={"reason": reason}, state=AssetState.REVOKED, reason=reason
        )

    def record_acts(
        self,
        asset_id: str,
        acts: Acts,
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
        state: AssetState | None = None,
        reason: str | None = None,
    ) -> AssetRecord:
        record = self._asset(asset_id)
        if state is not None:
            record = replace(record, state=state)
            if state is AssetState.REVOKED:
                record = replace(record, revocation_reason=reason)
            if state in (AssetState.REVOKED, AssetState.CANCELLED):
                for certificate in self._certificates:
                    if certificate.asset_id == asset_id and certificate.status == "valid":
                        certificate.status = state.value
            self._assets[asset_id] = record
        self.record_history(asset_id, acts, actor, detail)
        return record

    def set_holder(
        self,
        asset_id: str,
        holder_id: str,
        holder_address: str,
        acts: Acts,
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> AssetRecord:
        record = replace(self._asset(asset_id), holder_id=holder_id, holder_address=holder_address)
        self._assets[asset_id] = record
        self.record_history(asset_id, acts, actor, detail)
        return record

    def record_new_version(
        self, asset_id: str, facts: AssetFacts, salt: str, metadata_hash: str, acts: Acts, *, actor: str
    ) -> AssetRecord:
        (changed,) = [act for act in acts if act.event == "AssetChanged"]
        record = replace(self._asset(asset_id), facts=facts, salt=salt, metadata_hash=metadata_hash)
        self._assets[asset_id] = record
        self.record_history(asset_id, acts, actor, {"version": int(changed.args["version"])})
        return record

    def set_state(self, asset_id: str, state: AssetState) -> None:
        self._assets[asset_id] = replace(self._asset(asset_id), state=state)

    def _asset(self, asset_id: str) -> AssetRecord:
        record = self._assets.get(asset_id)
        if record is None:
            raise AssetNotFound("no asset with this id", asset_id=asset_id)
        return record

    def record_history(
        self, asset_id: str, acts: Acts, actor: str, detail: Mapping[str, Any] | None = None
    ) -> None:
        """One entry per event that names an act of the asset's history (``history_rows``)."""
        for act in acts:
            name = ACT_OF_EVENT.get(act.event)
            if name is not None:
                args = {key: value for key, value in act.args.items() if key != "assetId"}
                self.history.append(
                    HistoryEntry(asset_id, name, actor, {**args, **(detail or {})}, act.evidence)
                )

    def list_assets(
        self, *, holder_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[AssetRecord]:
        records = [r for r in self._assets.values() if holder_id is None or r.holder_id == holder_id]
        return records[offset : offset + limit]

    def history_page(
        self,
        asset_id: str,
        *,
        act: str | None = None,
        actor: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, object]], int]:
        matching = [
            entry
            for entry in self.history
            if entry.asset_id == asset_id
            and (act is None or entry.act == act)
            and (actor is None or entry.actor.lower() == actor.lower())
            and (from_block is None or entry.evidence.block_number >= from_block)
            and (to_block is None or entry.evidence.block_number <= to_block)
        ]
        page = matching[offset:] if limit is None else matching[offset : offset + limit]
        items: list[dict[str, object]] = [
            {"act": e.act, "actor": e.actor, "detail": dict(e.detail), "chainEvidence": e.evidence.as_json()}
            for e in page
        ]
        return items, len(matching)

    def acts_of(self, asset_id: str) -> list[str]:
        """The names of the acts recorded in the asset's history, in order."""
        return [entry.act for entry in self.history if entry.asset_id == asset_id]

    # -- certificates -------------------------------------------------------------------------------

    def _draw(self, scope: str) -> int:
        self._serials[scope] = self._serials.get(scope, 0) + 1
        return self._serials[scope]

    def reserve_certificate_number(self, asset_id: str, year: int, month: int, institution: str) -> str:
        seq = len(self._certificates) + 1
        serial = self._draw(certificate_scope(institution, year, month))
        number = str(CertificateNumber(year, month, institution, serial))
        self._certificates.append(
            _StoredCertificate(seq, number, asset_id, self._clock.datetime().isoformat())
        )
        return number

    def reserved_certificate_asset(self, number: str) -> str | None:
        certificate = self._certificate(number)
        return certificate.asset_id if certificate is not None and certificate.status == "issuing" else None

    def release_certificate_number(self, number: str) -> None:
        certificate = self._certificate(number)
        if certificate is not None and certificate.status == "issuing":
            certificate.status = "void"  # numbers are never reused

    def store_certificate(
        self,
        number: str,
        asset_id: str,
        vc: dict[str, Any],
        cert_hash: str,
        acts: Acts,
        *,
        actor: str,
        valid_until: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        (_anchor,) = [act for act in acts if act.event == "CertificateRecorded"]
        certificate = self._certificate(number)
        assert certificate is not None, f"certificate {number} was never reserved"
        certificate.vc, certificate.certificate_hash = vc, cert_hash
        certificate.status, certificate.valid_until = "valid", valid_until
        for act in acts:
            if act.event == "CertificateSuperseded":
                for old in self._certificates:
                    if old.certificate_hash == act.args["certificateHash"]:
                        old.status, old.superseded_by = "superseded", number
        self.set_state(asset_id, AssetState.CERTIFIED)
        self.record_history(asset_id, acts, actor, {"number": number, **(detail or {})})

    def get_certificate(self, number: str) -> dict[str, Any]:
        certificate = self._certificate(number)
        if certificate is None or certificate.vc is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return certificate.vc

    def certificate_record(self, number: str) -> dict[str, Any]:
        certificate = self._certificate(number)
        if certificate is None or certificate.vc is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return certificate.as_json()

    def certificate_number_of(self, cert_hash: str) -> str | None:
        return next((c.number for c in self._certificates if c.certificate_hash == cert_hash.lower()), None)

    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]:
        return [c.as_json() for c in self._certificates if c.asset_id == asset_id and c.vc is not None]

    def reserved_numbers(self) -> list[tuple[str, str]]:
        """Every certificate number ever reserved, with its status (``issuing``, ``void``, ``valid``…)."""
        return [(c.number, c.status) for c in self._certificates]

    def _certificate(self, number: str) -> _StoredCertificate | None:
        return next((c for c in self._certificates if c.number == number), None)


class FakeProcedureStore:
    """Objections (the ``ProcedureStore`` port), beside the assets of ``store``."""

    def __init__(self, store: FakeRegistryStore) -> None:
        self._store = store
        self._objections: dict[int, dict[str, Any]] = {}

    def add_objection(
        self,
        asset_id: str,
        *,
        objector_id: str | None,
        objector_address: str,
        reason: str,
        evidence_hash: str,
        acts: Acts,
    ) -> dict[str, Any]:
        filed = _act_of(acts, "ObjectionFiled")
        objection_id = int(filed.args["objectionId"])
        self._objections[objection_id] = {
            "objectionId": objection_id,
            "assetId": asset_id,
            "objectorId": objector_id,
            "objectorAddress": objector_address,
            "reason": reason,
            "evidenceHash": evidence_hash,
            "status": "open",
            "resolution": None,
            "resolvedBy": None,
            "chainEvidence": _evidence_json(filed),
        }
        self._store.record_history(asset_id, acts, objector_address, {"reason": reason})
        return dict(self._objections[objection_id])

    def get_objection(self, objection_id: int) -> dict[str, Any]:
        objection = self._objections.get(objection_id)
        if objection is None:
            raise ObjectionNotFound("no objection with this id", objection_id=objection_id)
        return dict(objection)

    def objections_of(self, asset_id: str) -> list[dict[str, Any]]:
        return [dict(o) for _, o in sorted(self._objections.items()) if o["assetId"] == asset_id]

    def objections_of_assets(self, asset_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for _, objection in sorted(self._objections.items()):
            if objection["assetId"] in asset_ids:
                found.setdefault(objection["assetId"], []).append(dict(objection))
        return found

    def resolve_objection(
        self, objection_id: int, *, upheld: bool, resolution: str, acts: Acts, actor: str
    ) -> dict[str, Any]:
        objection = self._objections.get(objection_id)
        if objection is None:
            raise ObjectionNotFound("no objection with this id", objection_id=objection_id)
        objection["status"], objection["resolution"] = ("upheld" if upheld else "dismissed"), resolution
        if any(act.event == "ApplicationRejected" for act in acts):
            self._store.set_state(objection["assetId"], AssetState.REJECTED)
        self._store.record_history(objection["assetId"], acts, actor, {"resolution": resolution})
        (resolved,) = [a for a in acts if a.event == "ObjectionResolved"]
        objection["resolvedBy"] = self._registrar(str(resolved.args["registrar"]))
        return dict(objection)

    def registrar_acts_of(self, asset_id: str) -> list[dict[str, Any]]:
        return [
            {
                "act": entry.act,
                "registrar": self._registrar(str(entry.detail["registrar"])),
                "at": None,
                "chainEvidence": {
                    "txHash": entry.evidence.tx_hash,
                    "blockNumber": entry.evidence.block_number,
                    "logIndex": entry.evidence.log_index,
                },
            }
            for entry in self._store.history
            if entry.asset_id == asset_id and "registrar" in entry.detail
        ]

    def _registrar(self, address: str) -> dict[str, Any]:
        participant = self._store.participant_by_address(address)
        return {
            "address": address,
            "participantId": participant.id if participant else None,
            "name": participant.name if participant else None,
        }


class FakeLicenceRecords:
    """Licences and consents (the ``LicenceRecords`` port); licence acts join the asset's history."""

    def __init__(self, store: FakeRegistryStore) -> None:
        self._store = store
        self._licences: dict[int, dict[str, Any]] = {}
        self._consents: dict[int, dict[str, Any]] = {}
        self.consent_history: list[tuple[int, str, str]] = []  # (consent id, event, actor)

    def add_licence(
        self,
        terms: LicenceTerms,
        *,
        licensor_address: str,
        licensee_id: str | None,
        texts: dict[str, str],
        salt: str,
        acts: Acts,
    ) -> dict[str, Any]:
        granted = _act_of(acts, "LicenceGranted")
        licence_id = int(granted.args["licenceId"])
        self._licences[licence_id] = {
            "licenceId": licence_id,
            "assetId": terms.asset_id,
            "licensorAddress": licensor_address,
            "licenseeAddress": terms.licensee,
            "licenseeId": licensee_id,
            "assetVersion": terms.asset_version,
            "scope": texts["scope"],
            "purpose": texts["purpose"],
            "territory": texts.get("territory") or None,
            "validFrom": terms.valid_from,
            "validUntil": terms.valid_until,
            "maxUses": terms.max_uses,
            "uses": 0,
            "derivativesAllowed": terms.derivatives_allowed,
            "commercial": terms.commercial,
            "salt": salt,
            "revoked": False,
            "revocationReason": None,
            "chainEvidence": _evidence_json(granted),
        }
        self._store.record_history(terms.asset_id, acts, licensor_address, {"purpose": texts["purpose"]})
        return dict(self._licences[licence_id])

    def get_licence(self, licence_id: int) -> dict[str, Any]:
        return dict(self._licence(licence_id))

    def licences(
        self,
        *,
        asset_id: str | None = None,
        licensee: str | None = None,
        party: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        def wanted(licence: dict[str, Any]) -> bool:
            parties = {licence["licensorAddress"].lower(), licence["licenseeAddress"].lower()}
            return (
                (asset_id is None or licence["assetId"] == asset_id)
                and (licensee is None or licence["licenseeAddress"].lower() == licensee.lower())
                and (party is None or party.lower() in parties)
            )

        found = [dict(licence) for _, licence in sorted(self._licences.items()) if wanted(licence)]
        return found[offset : offset + limit]

    def record_licence_use(self, licence_id: int, acts: Acts, *, actor: str) -> dict[str, Any]:
        used = _act_of(acts, "LicenceUsed")
        licence = self._licence(licence_id)
        licence["uses"] = int(used.args["use"])
        self._store.record_history(licence["assetId"], acts, actor, {"licenceId": licence_id})
        return dict(licence)

    def record_licence_revocation(
        self, licence_id: int, reason: str, acts: Acts, *, actor: str
    ) -> dict[str, Any]:
        licence = self._licence(licence_id)
        licence["revoked"], licence["revocationReason"] = True, reason
        self._store.record_history(licence["assetId"], acts, actor, {"reason": reason})
        return dict(licence)

    def _licence(self, licence_id: int) -> dict[str, Any]:
        licence = self._licences.get(licence_id)
        if licence is None:
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        return licence

    def add_consent(
        self, *, enterprise_id: str | None, purpose: str, salt: str, acts: Acts
    ) -> dict[str, Any]:
        args = _act_of(acts, "ConsentGranted").args
        consent_id = int(args["consentId"])
        self._consents[consent_id] = {
            "consentId": consent_id,
            "subject": args["subject"],
            "enterpriseAddress": args["enterprise"],
            "enterpriseId": enterprise_id,
            "purpose": purpose,
            "purposeHash": args["purposeHash"],
            "salt": salt,
            "validUntil": int(args["validUntil"]),
            "status": "active",
            "requestHash": None,
        }
        self._record_consent_history(consent_id, acts, args["subject"])
        return dict(self._consents[consent_id])

    def get_consent(self, consent_id: int) -> dict[str, Any]:
        return dict(self._consent(consent_id))

    def consents(
        self, *, subject: str | None = None, enterprise: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        found = [
            dict(c)
            for _, c in sorted(self._consents.items())
            if (subject is None or c["subject"].lower() == subject.lower())
            and (enterprise is None or c["enterpriseAddress"].lower() == enterprise.lower())
        ]
        return found[offset : offset + limit]

    def record_consent_act(self, consent_id: int, status: str, acts: Acts, *, actor: str) -> dict[str, Any]:
        consent = self._consent(consent_id)
        consent["status"] = status
        for act in acts:
            if act.event == "ConsentConsumed":
                consent["requestHash"] = act.args["requestHash"]
        self._record_consent_history(consent_id, acts, actor)
        return dict(consent)

    def _consent(self, consent_id: int) -> dict[str, Any]:
        consent = self._consents.get(consent_id)
        if consent is None:
            raise ConsentNotFound("no consent with this id", consent_id=consent_id)
        return consent

    def consent_acts(self, consent_id: int) -> list[dict[str, Any]]:
        return [
            {"act": event, "actor": actor} for cid, event, actor in self.consent_history if cid == consent_id
        ]

    def _record_consent_history(self, consent_id: int, acts: Acts, actor: str) -> None:
        for act in acts:
            if act.event.startswith("Consent"):
                self.consent_history.append((consent_id, act.event, actor))


class FakeDerivationRecords:
    """Recorded derivations (``registry.derivations.DerivationRecords``), with the SQL lineage store's
    rules: every asset registered, the parents cover the declared upstream, no cycle, idempotent."""

    def __init__(self, store: FakeRegistryStore) -> None:
        self._store = store
        self._rows: list[dict[str, Any]] = []  # product, parent, licence, recorded by, recorded at

    def record_derivation(
        self, product_id: str, parents: Sequence[Parent], *, recorded_by: str, now_us: int
    ) -> list[dict[str, Any]]:
        product_id = product_id.lower()
        facts: dict[str, AssetFacts] = {}
        for asset_id in [product_id, *(p.asset_id for p in parents)]:
            record = self._store.get_asset(asset_id)
            if record is None or record.state is AssetState.PENDING:
                raise AssetNotFound("no registered asset with this id", asset_id=asset_id)
            facts[asset_id] = record.facts
        recorded = {row["parent"] for row in self._rows if row["product"] == product_id}
        check_derivation(
            product_id,
            parents,
            declared=declared_upstream(facts[product_id].extra),
            recorded=recorded,
            descendants=self._descendants(product_id),
        )
        for parent in dict.fromkeys(parents):
            if parent.asset_id not in recorded:
                recorded.add(parent.asset_id)
                self._rows.append(
                    {
                        "product": product_id,
                        "parent": parent.asset_id,
                        "licence": parent.licence_id,
                        "by": recorded_by,
                        "at": now_us,
                    }
                )
        return self.derivation(product_id)

    def derivation(self, product_id: str) -> list[dict[str, Any]]:
        """The recorded parents of a product, with their licences."""
        return [
            {
                "assetId": r["parent"],
                "licenceId": r["licence"],
                "recordedBy": r["by"],
                "recordedAtUs": r["at"],
            }
            for r in self._rows
            if r["product"] == product_id.lower()
        ]

    def _descendants(self, product_id: str) -> set[str]:
        seen: set[str] = set()
        frontier = {product_id}
        while frontier:
            found = {r["product"] for r in self._rows if r["parent"] in frontier} - seen
            seen |= found
            frontier = found
        return seen


class FakeBatchedAssets:
    """Batched registrations accepted and anchored but not yet on chain (the ``BatchedAssets`` port).

    ``materialise`` takes the steps of ``MaterialisationService.materialise``: pending in the store,
    relayed to the registry, marked registered from the chain's event.
    """

    def __init__(
        self,
        ledger: FakeRegistryLedger,
        store: FakeRegistryStore,
        clock: FakeClock,
        institution_code: str = DEFAULT_INSTITUTION_CODE,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._clock = clock
        self._institution = institution_code
        self._accepted: dict[str, tuple[AssetRecord, RegistrationAuthorisation, int]] = {}

    def accept(self, record: AssetRecord, auth: RegistrationAuthorisation) -> None:
        """Take ``record`` (signed with a batched nonce) into a batch anchored now."""
        self._accepted[record.asset_id] = (record, auth, self._clock.now())

    def batched_asset_by_content(self, content_hash: str) -> str | None:
        return next(
            (r.asset_id for r, _, _ in self._accepted.values() if r.facts.content_hash == content_hash), None
        )

    def is_batched(self, asset_id: str) -> bool:
        return asset_id.lower() in self._accepted

    def holder_of(self, asset_id: str) -> str:
        accepted = self._accepted.get(asset_id.lower())
        if accepted is None:
            raise AssetNotFound("no batched registration with this id", asset_id=asset_id)
        return accepted[0].holder_address

    def materialise(self, asset_id: str) -> AssetRecord:
        accepted = self._accepted.get(asset_id.lower())
        if accepted is None:
            raise AssetNotFound("no batched registration with this id", asset_id=asset_id)
        record, auth, anchored_at = accepted
        existing = self._store.get_asset(record.asset_id)
        if existing is not None:
            if existing.state is AssetState.PENDING:
                raise MaterialisationInProgress(
                    "the batched registration is being materialised", asset_id=asset_id
                )
            raise AlreadyMaterialised("the batched registration is already materialised", asset_id=asset_id)
        self._store.add_pending_asset(record)
        try:
            event, acts = self._ledger.materialise_batched(auth, record.signature, anchored_at)
        except DataLedgerError:
            self._store.discard_pending_asset(record.asset_id)
            raise
        self._store.mark_registered(
            record.asset_id,
            event,
            block_timestamp=self._ledger.block_timestamp(event.evidence.block_number),
            institution=self._institution,
        )
        materialised = tuple(act for act in acts if act.event == "AssetMaterialised")
        return self._store.record_acts(record.asset_id, materialised, actor=self._ledger.operator)


def _act_of(acts: Iterable[ChainAct], event: str) -> ChainAct:
    (found,) = [act for act in acts if act.event == event]
    return found


def _evidence_json(act: ChainAct) -> dict[str, Any]:
    ev = act.evidence
    return {"txHash": ev.tx_hash, "blockNumber": ev.block_number, "logIndex": ev.log_index}
