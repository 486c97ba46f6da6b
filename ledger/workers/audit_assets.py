"""The audit of registrations: assets, their versions, their certificates, batched registrations.

What the chain holds of an asset is a set of commitments; the facts stay in the database. Each is
recomputed from the stored values and compared with the chain:

* every version (``asset_versions``): its facts, salt and the holder who committed it (the holder named
  by its ``AssetRegistered`` or ``AssetChanged`` event; a transfer keeps the commitment of the holder
  who made it) hash to the metadata hash that event recorded; version 1's source and collection
  method hash to the lawful-source commitment the registration recorded (when it recorded one);
* the asset (``assets``): its current facts and salt to the metadata hash the contract holds now; its
  stored registration signature recovers, over the registration message the chain recorded (holder,
  content and metadata hash, right, lawful source, nonce) and the stored nonce and deadline, to the
  registering holder;
* a certificate (``certificates``): the credential hashes to the anchored certificate hash; its status,
  successor and term are those the contract records;
* a batched registration (``batched_registrations``): its fields and signature rebuild its Merkle leaf,
  which must be the leaf the anchored batch root covers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from dataledger.ledger.sql.batched_registration_store import BatchedRegistrationRow
from dataledger.ledger.sql.outbox_tables import AnchorOutboxRow
from dataledger.ledger.sql.store import nonce_of_column
from dataledger.ledger.sql.tables import AssetRow, AssetVersionRow, CertificateRow, HistoryRow
from dataledger.ledger.workers.audit_context import AuditContext, Located, as_int
from dataledger.ledger.workers.audit_findings import FindingKind, Subject, lower
from dataledger.ledger.workers.indexer import IndexedEvent
from dataledger.registry.assets import (
    AssetFacts,
    AssetState,
    lawful_source_commitment,
    metadata_commitment,
    reason_hash,
)
from dataledger.registry.batched_registrations import (
    BATCH_NONCE_FLAG,
    REGISTRATION_KIND,
    asset_id_bytes,
    registration_leaf_preimage,
)
from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_records import ZERO_HASH, right_of_index
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.fast_holder_signatures import (
    RegistrationDigester,
    recover_signer,
    registration_struct_hash,
)
from dataledger.registry.holder_signatures import RegistrationAuthorisation
from dataledger.registry.merkle import leaf_hash

_STATUS_OF_STATE = {s.value: OnChainAssetStatus[s.name] for s in AssetState if s is not AssetState.PENDING}
# Issuing and void certificates were never anchored; every other status names an anchored one.
ANCHORED_CERTIFICATE = ("valid", "revoked", "superseded", "cancelled")
_VOID_ON_CHAIN = {OnChainAssetStatus.REVOKED: "revoked", OnChainAssetStatus.CANCELLED: "cancelled"}
FACTS = "facts_json,salt"  # the field of a metadata commitment: the facts and the salt, hashed together


# -- versions ---------------------------------------------------------------------------------------


def check_versions(ctx: AuditContext) -> dict[tuple[str, int], str]:
    """Every stored version against the event that recorded it; returns who committed each version."""
    committed_by: dict[tuple[str, int], str] = {}
    stored: dict[str, set[int]] = defaultdict(set)
    for row in ctx.rows(AssetVersionRow, AssetVersionRow.asset_id, AssetVersionRow.version):
        checked = _Version(ctx, row)
        with ctx.unreadable_is_a_finding(checked.subject):
            stored[row.asset_id].add(int(row.version))
            version = checked.check()
            if version is not None:
                committed_by[(row.asset_id, int(row.version))] = version
    for asset in ctx.rows(AssetRow, AssetRow.created_at, AssetRow.asset_id):
        procedure = ctx.procedure(asset.asset_id) if asset.state != AssetState.PENDING.value else None
        for missing in range(1, (procedure.version if procedure else 0) + 1):
            if missing not in stored[asset.asset_id]:
                subject = ctx.findings.subject("asset-version", f"{asset.asset_id}/{missing}")
                subject.add(FindingKind.MISSING_IN_DATABASE, "version", None, missing, "contract")
    ctx.counts["asset_versions"] = sum(len(v) for v in stored.values())
    return committed_by


class _Version:
    def __init__(self, ctx: AuditContext, row: AssetVersionRow) -> None:
        self.ctx = ctx
        self.row = row
        self.subject = ctx.findings.subject("asset-version", f"{row.asset_id}/{row.version}")

    def check(self) -> str | None:
        row, subject = self.row, self.subject
        event = "AssetRegistered" if row.version == 1 else "AssetChanged"
        found = self.ctx.locate(
            subject,
            contract=None,
            tx_hash=row.tx_hash,
            block_number=row.block_number,
            log_index=row.log_index,
            event=event,
            key="assetId",
            value=row.asset_id,
            event_field="version",
            key_field="asset_id",
        )
        if found is None:
            return None
        args = found.args
        if event == "AssetChanged":
            subject.compare(found.source, ("version", row.version, as_int(args.get("version"))))
        subject.compare(
            found.source,
            ("content_hash", row.content_hash, lower(args.get("contentHash"))),
            ("metadata_hash", row.metadata_hash, lower(args.get("metadataHash"))),
        )
        holder = args.get("holder")
        facts = parse_facts(subject, row.facts_json)
        if facts is None or not isinstance(holder, str):
            return holder if isinstance(holder, str) else None
        subject.commitment(FACTS, _metadata(facts, holder, row.salt), lower(args.get("metadataHash")))
        subject.compare("commitment", ("content_hash", facts.content_hash, row.content_hash))
        lawful = lower(args.get("lawfulSourceHash"))
        if event == "AssetRegistered" and isinstance(lawful, str) and lawful != ZERO_HASH:
            subject.commitment("lawful_source_hash", _lawful(facts, row.salt), lawful)
        return holder


# -- assets -----------------------------------------------------------------------------------------


def check_assets(ctx: AuditContext, committed_by: dict[tuple[str, int], str]) -> int:
    registrations: dict[str, list[IndexedEvent]] = defaultdict(list)
    for event in ctx.events:
        if event.event == "AssetRegistered" and event.asset_id:
            registrations[event.asset_id].append(event)
    history = ctx.rows(HistoryRow, HistoryRow.id)
    revocations: dict[str, list[HistoryRow]] = defaultdict(list)
    for h in history:
        if h.act == "revoked":
            revocations[h.asset_id].append(h)
    digester = RegistrationDigester(ctx.registry.domain)
    assets = ctx.rows(AssetRow, AssetRow.created_at, AssetRow.asset_id)
    for row in assets:
        checked = _Asset(ctx, row, registrations.get(row.asset_id, []), digester)
        with ctx.unreadable_is_a_finding(checked.subject):
            checked.check(committed_by, revocations.get(row.asset_id, []))
    return len(assets)


class _Asset:
    def __init__(
        self,
        ctx: AuditContext,
        row: AssetRow,
        registrations: list[IndexedEvent],
        digester: RegistrationDigester,
    ) -> None:
        self.ctx = ctx
        self.row = row
        self.registrations = registrations
        self.digester = digester
        self.subject = ctx.findings.subject("asset", row.asset_id)

    def check(self, committed_by: dict[tuple[str, int], str], revocations: list[HistoryRow]) -> None:
        ctx, row, asset = self.ctx, self.row, self.subject
        if row.state == "pending":
            if self.registrations:  # recorded on chain, never marked registered
                asset.add(FindingKind.STATUS_MISMATCH, "state", "pending", "registered", "event")
            return
        asset.compare(
            "contract", ("chain_id", row.chain_id, ctx.chain_id), ("contract", row.contract, ctx.contract)
        )
        on_chain = ctx.asset_on_chain(row.asset_id)
        if on_chain is None:
            asset.add(FindingKind.MISSING_ON_CHAIN, None, row.state, None, "contract")
            return
        asset.compare(
            "contract",
            ("holder_address", row.holder_address.lower(), on_chain.holder.lower()),
            ("content_hash", row.content_hash, on_chain.content_hash),
            ("metadata_hash", row.metadata_hash, on_chain.metadata_hash),
        )
        if _STATUS_OF_STATE.get(row.state) is not on_chain.status:
            asset.add(
                FindingKind.STATUS_MISMATCH, "state", row.state, on_chain.status.name.lower(), "contract"
            )
        if not self.registrations:
            ctx.unconfirmed(asset, "tx_hash", row.tx_hash, row.block_number)
        else:
            event = self.registrations[0]
            asset.compare(
                "event",
                ("tx_hash", row.tx_hash, event.tx_hash),
                ("block_number", row.block_number, event.block_number),
                ("log_index", row.log_index, event.log_index),
            )
        # The registration re-read from its receipt (the index's copy when the evidence fails).
        found = ctx.locate(
            asset,
            contract=row.contract,
            tx_hash=row.tx_hash,
            block_number=row.block_number,
            log_index=row.log_index,
            event="AssetRegistered",
            key="assetId",
            value=row.asset_id,
            event_field="log_index",
            key_field="log_index",
        )
        registration = found.args if found else (self.registrations[0].args if self.registrations else None)
        procedure = ctx.procedure(row.asset_id)
        if procedure is not None:
            asset.compare("contract", ("version", row.version, procedure.version))
        asset.compare("contract", ("holder_id", row.holder_id, ctx.participant_at(on_chain.holder)))
        if registration is not None:
            self._check_signature(registration, found)
        version = procedure.version if procedure else row.version
        holder = committed_by.get((row.asset_id, version))
        if holder is None and version == 1 and registration is not None:
            holder = registration.get("holder")
        facts = parse_facts(asset, row.facts_json)
        if facts is not None and isinstance(holder, str):
            asset.commitment(FACTS, _metadata(facts, holder, row.salt), on_chain.metadata_hash)
            lawful = procedure.lawful_source_hash if procedure else ZERO_HASH
            if version == 1 and lawful != ZERO_HASH:
                asset.commitment("lawful_source_hash", _lawful(facts, row.salt), lawful)
        self._check_revocation(on_chain.status, revocations)

    def _check_signature(self, registration: dict[str, Any], found: Located | None) -> None:
        """The stored signature, nonce and deadline against the registration the chain recorded."""
        row, asset = self.row, self.subject
        source = found.source if found else "event"
        nonce = nonce_of_column(int(row.nonce))
        chain_nonce = as_int(registration.get("nonce"))
        asset.compare(source, ("nonce", nonce, chain_nonce))
        try:
            auth = RegistrationAuthorisation(
                holder=str(registration["holder"]),
                content_hash=str(registration["contentHash"]),
                metadata_hash=str(registration["metadataHash"]),
                nonce=nonce,
                deadline=int(row.deadline),
                right=right_of_index(int(registration["right"])),
                lawful_source_hash=str(registration["lawfulSourceHash"]),
            )
        except (DataLedgerError, KeyError, TypeError, ValueError, IndexError) as error:
            asset.add(FindingKind.COMMITMENT_MISMATCH, "signature", row.signature, str(error), "commitment")
            return
        signer = _signer(self.digester, auth, row.signature)
        asset.commitment("signature", signer, auth.holder.lower())

    def _check_revocation(self, status: OnChainAssetStatus, revocations: list[HistoryRow]) -> None:
        """A revocation reason is the one whose hash the revocation recorded; none if not revoked."""
        row, asset = self.row, self.subject
        if status is not OnChainAssetStatus.REVOKED:
            asset.compare("contract", ("revocation_reason", row.revocation_reason, None))
            return
        for act in revocations:
            recorded = event_args(self.ctx, act.tx_hash, int(act.log_index), "AssetRevoked")
            if recorded is not None:
                committed = lower(recorded.get("reasonHash"))
                asset.commitment("revocation_reason", reason_hash(row.revocation_reason or ""), committed)
                return


# -- certificates -----------------------------------------------------------------------------------


def check_certificates(ctx: AuditContext) -> int:
    certificates = ctx.rows(CertificateRow, CertificateRow.seq)
    number_of = {c.certificate_hash: c.number for c in certificates if c.certificate_hash}
    anchored = 0
    for row in certificates:
        if row.status in ANCHORED_CERTIFICATE:
            anchored += 1
        if not row.certificate_hash:
            if row.status in ANCHORED_CERTIFICATE or row.record_tx_hash:
                subject = ctx.findings.subject("certificate", str(row.number))
                subject.add(FindingKind.MISSING_ON_CHAIN, "certificate_hash", None, row.status, "contract")
            continue
        certificate = _Certificate(ctx, row)
        with ctx.unreadable_is_a_finding(certificate.subject):
            certificate.check(number_of)
    return anchored


class _Certificate:
    def __init__(self, ctx: AuditContext, row: CertificateRow) -> None:
        self.ctx = ctx
        self.row = row
        self.subject = ctx.findings.subject("certificate", str(row.number))

    def check(self, number_of: dict[str, str | None]) -> None:
        ctx, row, certificate = self.ctx, self.row, self.subject
        cert_hash = str(row.certificate_hash)
        event = ctx.by_position.get((str(row.record_tx_hash).lower(), int(row.record_log_index or 0)))
        if event is None:
            ctx.unconfirmed(certificate, "record_tx_hash", row.record_tx_hash, row.record_block_number)
        elif event.event != "CertificateRecorded":
            certificate.compare("event", ("record_tx_hash", "CertificateRecorded", event.event))
        else:
            certificate.compare(
                "event",
                ("certificate_hash", cert_hash, event.args.get("certificateHash")),
                ("asset_id", row.asset_id, event.asset_id),
                ("record_block_number", row.record_block_number, event.block_number),
            )
        found = ctx.locate(
            certificate,
            contract=None,
            tx_hash=row.record_tx_hash,
            block_number=row.record_block_number,
            log_index=row.record_log_index,
            event="CertificateRecorded",
            key="certificateHash",
            value=cert_hash,
            event_field="record_log_index",
            key_field="certificate_hash",
            evidence_fields=("record_tx_hash", "record_block_number"),
        )
        if found is not None:
            certificate.compare(found.source, ("asset_id", row.asset_id, found.args.get("assetId")))
        anchored_for = ctx.registry.certificate_asset(cert_hash)
        if anchored_for is None:
            certificate.add(FindingKind.MISSING_ON_CHAIN, "certificate_hash", cert_hash, None, "contract")
        else:
            certificate.compare("contract", ("asset_id", row.asset_id, anchored_for))
        if row.vc_json is not None:
            self._check_credential(event)
        on_chain = ctx.asset_on_chain(row.asset_id)
        if row.status == "valid" and on_chain is not None and on_chain.status in _VOID_ON_CHAIN:
            chain_status = on_chain.status.name.lower()
            certificate.add(FindingKind.STATUS_MISMATCH, "status", "valid", chain_status, "contract")
        record = ctx.certificate_record(cert_hash)
        if record is None:
            return
        certificate.compare("contract", ("valid_until", row.valid_until or 0, record.valid_until))
        successor = None
        if record.superseded_by is not None:
            successor = number_of.get(record.superseded_by, record.superseded_by)
        certificate.compare("contract", ("superseded_by", row.superseded_by, successor))
        if record.superseded_by is not None:
            status = "superseded"
        elif on_chain is not None and on_chain.status in _VOID_ON_CHAIN:
            status = _VOID_ON_CHAIN[on_chain.status]
        else:
            status = "valid"
        if row.status != status:
            certificate.add(FindingKind.STATUS_MISMATCH, "status", row.status, status, "contract")

    def _check_credential(self, event: IndexedEvent | None) -> None:
        row, certificate = self.row, self.subject
        cert_hash = str(row.certificate_hash)
        try:
            vc = json.loads(str(row.vc_json))
        except ValueError:
            certificate.add(FindingKind.COMMITMENT_MISMATCH, "vc_json", row.vc_json, cert_hash, "commitment")
            return
        # The chain anchors the hash of the whole credential: an edited stored credential shows here.
        anchored = cert_hash
        if event is not None and event.event == "CertificateRecorded":
            anchored = event.args.get("certificateHash", cert_hash)
        certificate.compare("event", ("vc_json", json_hash(vc), anchored))
        subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
        number = subject.get("certificateNumber") if isinstance(subject, dict) else None
        certificate.commitment("number", row.number, number)


# -- batched registrations --------------------------------------------------------------------------


def check_batched(ctx: AuditContext) -> int:
    """Each batched registration rebuilds its leaf, and the leaf is the anchored one."""
    entries = {e.ref: e for e in ctx.rows(AnchorOutboxRow, AnchorOutboxRow.id) if e.kind == REGISTRATION_KIND}
    digester = RegistrationDigester(ctx.registry.domain)
    rows = ctx.rows(BatchedRegistrationRow, BatchedRegistrationRow.asset_id)
    for row in rows:
        subject = ctx.findings.subject("batched-registration", row.asset_id)
        subject.compare("commitment", ("holder_id", row.holder_id, ctx.participant_at(row.holder_address)))
        facts = parse_facts(subject, row.facts_json)
        if facts is not None:
            subject.commitment(FACTS, _metadata(facts, row.holder_address, row.salt), row.metadata_hash)
            subject.compare("commitment", ("content_hash", row.content_hash, facts.content_hash))
        _check_batched_leaf(subject, row, facts, digester)
        entry = entries.get(row.asset_id)
        if entry is None:
            subject.add(FindingKind.MISSING_ON_CHAIN, "leaf_hash", row.leaf_hash, None, "commitment")
        elif entry.batch_id not in ctx.failed_batches:  # a failed batch is named itself
            subject.commitment("leaf_hash", row.leaf_hash, entry.leaf_hash)
    return len(rows)


def _check_batched_leaf(
    subject: Subject, row: BatchedRegistrationRow, facts: AssetFacts | None, digester: RegistrationDigester
) -> None:
    try:
        asset_id = "0x" + asset_id_bytes(row.holder_address, row.content_hash, row.metadata_hash).hex()
    except ValueError:
        asset_id = None
    subject.commitment("asset_id", asset_id, row.asset_id)
    if facts is None:
        return
    try:
        auth = RegistrationAuthorisation(
            holder=row.holder_address,
            content_hash=row.content_hash,
            metadata_hash=row.metadata_hash,
            nonce=BATCH_NONCE_FLAG | int(row.batch_nonce),
            deadline=int(row.deadline),
            right=facts.right_claimed,
        )
        signature = bytes.fromhex(row.signature.removeprefix("0x"))
    except (DataLedgerError, ValueError) as error:
        subject.add(FindingKind.COMMITMENT_MISMATCH, "signature", row.signature, str(error), "commitment")
        return
    subject.commitment("signature", _signer(digester, auth, row.signature), auth.holder.lower())
    leaf = leaf_hash(registration_leaf_preimage(registration_struct_hash(auth), signature))
    subject.commitment("leaf_hash", "0x" + leaf.hex(), row.leaf_hash)


# -- helpers ----------------------------------------------------------------------------------------


def parse_facts(subject: Subject, facts_json: str) -> AssetFacts | None:
    """The stored facts, or a finding on ``facts_json`` if they are no longer facts at all."""
    try:
        return AssetFacts(**json.loads(facts_json))
    except (DataLedgerError, ValueError, TypeError) as error:
        subject.add(FindingKind.COMMITMENT_MISMATCH, "facts_json", facts_json, str(error), "commitment")
        return None


def _metadata(facts: AssetFacts, holder: str, salt: str) -> str | None:
    try:
        return metadata_commitment(facts, holder, salt)
    except DataLedgerError:
        return None


def _lawful(facts: AssetFacts, salt: str) -> str | None:
    try:
        return lawful_source_commitment(facts, salt)
    except DataLedgerError:
        return None


def _signer(digester: RegistrationDigester, auth: RegistrationAuthorisation, signature: str) -> str | None:
    """The address (lower case) whose key signed ``auth`` with ``signature``; None if none did."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
        return "0x" + recover_signer(digester.digest(auth), raw).hex()
    except (DataLedgerError, ValueError):
        return None


def event_args(ctx: AuditContext, tx_hash: str, log_index: int, event: str) -> dict[str, Any] | None:
    """The arguments of ``event`` at (``tx_hash``, ``log_index``): from the receipt, else the index."""
    if ctx.reader is not None:
        log = ctx.reader.log_at(tx_hash, log_index)
        return log.args if log is not None and log.event == event else None
    indexed = ctx.by_position.get((tx_hash.lower(), log_index))
    return indexed.args if indexed is not None and indexed.event == event else None
