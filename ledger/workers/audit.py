"""Reconciliation audit: every stored record checked against the chain, and the chain against the records.

The database mirrors what the chain holds (holder, hashes, status, the evidence where each act was
recorded). :func:`audit` compares each asset, certificate and history row with the registry contract's
current state and with the indexed events (``ledger.workers.indexer``), then walks the indexed events back to
find acts the database lacks. Each disagreement becomes a :class:`Finding` naming the record, the
field, the database's value and the chain's. It reads only; it changes nothing.

An audit is a point in time: an act in flight (on chain, its database row not yet updated) shows up as
a finding, and so does a record in blocks not yet indexed (``not-yet-indexed``); audit again later.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from dataledger.ledger.chain.anchor_registry import AnchorRecord
from dataledger.ledger.sql.outbox_tables import AnchorBatchRow, AnchorOutboxRow
from dataledger.ledger.sql.tables import AssetRow, CertificateRow, HistoryRow
from dataledger.ledger.workers.indexer import EventIndex, EventIndexer, IndexedEvent
from dataledger.registry.assets import AssetState
from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_records import EVENT_OF_ACT
from dataledger.registry.chain_types import OnChainAsset, OnChainAssetStatus
from dataledger.registry.merkle import merkle_root

# The contract event that records each act of an asset's history (registry and licence registry).
_EVENT_OF_ACT = dict(EVENT_OF_ACT)
_STATUS_OF_STATE = {s.value: OnChainAssetStatus[s.name] for s in AssetState if s is not AssetState.PENDING}
# Issuing and void certificates were never anchored; every other status names an anchored one.
_ANCHORED_CERTIFICATE = ("valid", "revoked", "superseded", "cancelled")
_VOID_ON_CHAIN = (OnChainAssetStatus.REVOKED, OnChainAssetStatus.CANCELLED)


class AuditedRegistry(Protocol):
    """What the audit reads from the registry contract (``DataRightsRegistryClient`` provides it)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    def asset(self, asset_id: str) -> OnChainAsset | None: ...

    def certificate_asset(self, certificate_hash: str) -> str | None: ...


class AuditedAnchors(Protocol):
    """What the audit reads from the anchor contract (``AnchorRegistryClient`` provides it)."""

    @property
    def address(self) -> str: ...

    def anchor_of(self, root: bytes) -> AnchorRecord | None: ...


class _HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


class FindingKind(enum.StrEnum):
    FIELD_MISMATCH = "field-mismatch"  # the record and the chain give different values
    STATUS_MISMATCH = "status-mismatch"  # e.g. registered in the database, revoked on chain
    MISSING_ON_CHAIN = "missing-on-chain"  # the database claims an act the chain does not have
    MISSING_IN_DATABASE = "missing-in-database"  # the chain has an act the database does not record
    NOT_YET_INDEXED = "not-yet-indexed"  # the record's block is above the index: cannot be confirmed yet


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement. ``source`` says where the chain value was read: the contract's current state
    ("contract") or the indexed event log ("event")."""

    kind: FindingKind
    record_type: str  # asset | certificate | asset-history | anchor-batch
    record_id: str  # asset id, certificate number, history row id (or the event's position)
    field: str | None
    database_value: Any
    chain_value: Any
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "recordType": self.record_type,
            "recordId": self.record_id,
            "field": self.field,
            "databaseValue": self.database_value,
            "chainValue": self.chain_value,
            "source": self.source,
        }

    def format(self) -> str:
        where = f"{self.record_type} {self.record_id}" + (f" {self.field}" if self.field else "")
        return (
            f"[{self.kind.value}] {where}: database {_show(self.database_value)}, "
            f"chain {_show(self.chain_value)} ({self.source})"
        )


@dataclass
class AuditReport:
    """The findings of one audit; ``ok`` when there are none."""

    chain_id: int
    contract: str
    indexed_to_block: int | None
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def findings_for(self, record_type: str, record_id: str) -> list[Finding]:
        return [f for f in self.findings if (f.record_type, f.record_id) == (record_type, record_id)]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "chainId": self.chain_id,
            "contract": self.contract,
            "indexedToBlock": self.indexed_to_block,
            "counts": dict(self.counts),
            "findings": [f.as_json() for f in self.findings],
        }

    def format(self) -> str:
        """A human report, as the CLI prints it."""
        c = self.counts
        indexed_to = _show(self.indexed_to_block)
        lines = [
            f"Audit of registry {self.contract} on chain {self.chain_id} "
            f"(events indexed to block {indexed_to})",
            f"Checked {c.get('assets', 0)} assets, {c.get('certificates', 0)} certificates and "
            f"{c.get('history', 0)} history rows against the contract and "
            f"{c.get('events', 0)} indexed events.",
        ]
        if "anchor_batches" in c:
            lines.append(
                f"Checked {c['anchor_batches']} anchored Merkle batches ({c['anchored_entries']} entries) "
                "against the anchor contract."
            )
        if self.ok:
            lines.append("OK: every record agrees with the chain.")
            return "\n".join(lines)
        lines.append(f"{len(self.findings)} finding(s):")
        lines += [f"  {finding.format()}" for finding in self.findings]
        return "\n".join(lines)


def audit(
    store: _HasEngine,
    registry_client: AuditedRegistry,
    indexer_or_engine: EventIndexer | EventIndex | Engine,
    *,
    sync: bool = True,
    anchors: AuditedAnchors | None = None,
) -> AuditReport:
    """Compare every stored record with the chain. With an ``EventIndexer`` (and ``sync``), the index
    is brought up to date first; with an engine or ``EventIndex`` it is used as it stands. With
    ``anchors``, every anchored Merkle batch (batched registrations, traceability events) is checked
    too: its root recomputed from the stored leaves and found on chain with the same leaf count."""
    contracts = [registry_client.registry_address]
    if isinstance(indexer_or_engine, EventIndexer):
        if sync:
            indexer_or_engine.sync()
        index = indexer_or_engine.index
        # The indexer follows every contract that writes history (the licence registry too).
        contracts += [c for c in indexer_or_engine.contracts if c.lower() != contracts[0].lower()]
    elif isinstance(indexer_or_engine, EventIndex):
        index = indexer_or_engine
    else:
        index = EventIndex(indexer_or_engine, registry_client.chain_id)
    return _Audit(store.engine, registry_client, index, contracts, anchors).run()


class _Audit:
    def __init__(
        self,
        engine: Engine,
        registry: AuditedRegistry,
        index: EventIndex,
        contracts: list[str],
        anchors: AuditedAnchors | None = None,
    ) -> None:
        self._anchors = anchors
        self._engine = engine
        self._registry = registry
        self._index = index
        self._chain_id = registry.chain_id
        self._contract = registry.registry_address
        self._contracts = contracts  # the registry first, then e.g. the licence registry
        cursors = [index.cursor(c, chain_id=self._chain_id) for c in contracts]
        # Indexed as far as the contract indexed least far (None: one was never indexed).
        self._cursor = None if None in cursors else min(c for c in cursors if c is not None)
        self._findings: dict[tuple[str, str, str | None], Finding] = {}  # one finding per record field
        self._on_chain: dict[str, OnChainAsset | None] = {}

    def run(self) -> AuditReport:
        events = [
            event
            for contract in self._contracts
            for event in self._index.events(self._chain_id, contract=contract, limit=None)
        ]
        events.sort(key=lambda e: (e.block_number, e.log_index))
        by_position = {(e.tx_hash, e.log_index): e for e in events}
        registrations: dict[str, list[IndexedEvent]] = defaultdict(list)
        for event in events:
            if event.event == "AssetRegistered" and event.asset_id:
                registrations[event.asset_id].append(event)
        with Session(self._engine) as session:
            assets = session.exec(select(AssetRow).order_by(AssetRow.created_at, AssetRow.asset_id)).all()
            certificates = session.exec(select(CertificateRow).order_by(CertificateRow.seq)).all()
            history = session.exec(select(HistoryRow).order_by(HistoryRow.id)).all()
        for asset in assets:
            self._check_asset(asset, registrations.get(asset.asset_id, []))
        for certificate in certificates:
            if certificate.status in _ANCHORED_CERTIFICATE and certificate.certificate_hash:
                self._check_certificate(certificate, by_position)
        for row in history:
            self._check_history(row, by_position)
        self._check_chain_against_database(events, assets, certificates, history)
        counts = {
            "assets": len(assets),
            "certificates": sum(1 for c in certificates if c.status in _ANCHORED_CERTIFICATE),
            "history": len(history),
            "events": len(events),
        }
        if self._anchors is not None:
            counts["anchor_batches"], counts["anchored_entries"] = self._check_anchor_batches(self._anchors)
        findings = list(self._findings.values())
        for kind in FindingKind:
            counts[kind.value] = sum(1 for f in findings if f.kind is kind)
        return AuditReport(self._chain_id, self._contract, self._cursor, findings, counts)

    # -- records against the chain ----------------------------------------------------------------

    def _check_asset(self, row: AssetRow, registrations: list[IndexedEvent]) -> None:
        asset = _Subject(self, "asset", row.asset_id)
        if row.state == "pending":
            if registrations:  # recorded on chain, never marked registered
                asset.add(FindingKind.STATUS_MISMATCH, "state", "pending", "registered", "event")
            return
        asset.compare(
            "contract", ("chain_id", row.chain_id, self._chain_id), ("contract", row.contract, self._contract)
        )
        on_chain = self._asset_on_chain(row.asset_id)
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
        if not registrations:
            self._unconfirmed(asset, "tx_hash", row.tx_hash, row.block_number)
            return
        event = registrations[0]
        asset.compare(
            "event",
            ("tx_hash", row.tx_hash, event.tx_hash),
            ("block_number", row.block_number, event.block_number),
            ("log_index", row.log_index, event.log_index),
        )

    def _check_certificate(
        self, row: CertificateRow, by_position: dict[tuple[str, int], IndexedEvent]
    ) -> None:
        certificate = _Subject(self, "certificate", str(row.number))
        cert_hash = str(row.certificate_hash)
        event = by_position.get((str(row.record_tx_hash).lower(), int(row.record_log_index or 0)))
        if event is None:
            self._unconfirmed(certificate, "record_tx_hash", row.record_tx_hash, row.record_block_number)
        elif event.event != "CertificateRecorded":
            certificate.compare("event", ("record_tx_hash", "CertificateRecorded", event.event))
        else:
            certificate.compare(
                "event",
                ("certificate_hash", cert_hash, event.args.get("certificateHash")),
                ("asset_id", row.asset_id, event.asset_id),
                ("record_block_number", row.record_block_number, event.block_number),
            )
        anchored_for = self._registry.certificate_asset(cert_hash)
        if anchored_for is None:
            certificate.add(FindingKind.MISSING_ON_CHAIN, "certificate_hash", cert_hash, None, "contract")
        else:
            certificate.compare("contract", ("asset_id", row.asset_id, anchored_for))
        if row.vc_json is not None:
            # The chain anchors the hash of the whole credential: an edited stored credential shows here.
            anchored = cert_hash
            if event is not None and event.event == "CertificateRecorded":
                anchored = event.args.get("certificateHash", cert_hash)
            certificate.compare("event", ("vc_json", json_hash(json.loads(row.vc_json)), anchored))
        on_chain = self._asset_on_chain(row.asset_id)
        if row.status == "valid" and on_chain is not None and on_chain.status in _VOID_ON_CHAIN:
            certificate.add(
                FindingKind.STATUS_MISMATCH, "status", "valid", on_chain.status.name.lower(), "contract"
            )

    def _check_history(self, row: HistoryRow, by_position: dict[tuple[str, int], IndexedEvent]) -> None:
        act = _Subject(self, "asset-history", str(row.id))
        known = any(c.lower() == row.contract.lower() for c in self._contracts)
        recorded_by = row.contract if known else self._contract
        act.compare(
            "contract", ("chain_id", row.chain_id, self._chain_id), ("contract", row.contract, recorded_by)
        )
        event = by_position.get((row.tx_hash.lower(), int(row.log_index)))
        if event is None:
            self._unconfirmed(act, "tx_hash", f"{row.tx_hash}#{row.log_index}", row.block_number)
            return
        act.compare(
            "event",
            ("act", _EVENT_OF_ACT.get(row.act, event.event), event.event),
            ("contract", row.contract.lower(), event.contract.lower()),
            ("asset_id", row.asset_id, event.asset_id),
            ("block_number", row.block_number, event.block_number),
        )

    def _check_anchor_batches(self, anchors: AuditedAnchors) -> tuple[int, int]:
        """Each anchored batch: the root of its stored leaves is the stored root, and the anchor
        contract holds that root with the same leaf count and batch id. An edited, added or deleted
        entry changes the recomputed root, so the batch that holds it is named."""
        with Session(self._engine) as session:
            batches = session.exec(
                select(AnchorBatchRow).where(AnchorBatchRow.status == "anchored").order_by(AnchorBatchRow.id)
            ).all()
        entries = 0
        for batch in batches:
            subject = _Subject(self, "anchor-batch", str(batch.id))
            with Session(self._engine) as session:
                leaves = session.exec(
                    select(AnchorOutboxRow.leaf_hash)
                    .where(AnchorOutboxRow.batch_id == batch.id)
                    .order_by(AnchorOutboxRow.leaf_index)
                ).all()
            entries += len(leaves)
            stored_root = str(batch.root)
            recomputed = (
                "0x" + merkle_root(bytes.fromhex(leaf[2:]) for leaf in leaves).hex() if leaves else None
            )
            subject.compare(
                "contract",
                ("contract", batch.contract, anchors.address),
                ("leaf_count", batch.leaf_count, len(leaves)),
                ("root", recomputed, stored_root),
            )
            record = anchors.anchor_of(bytes.fromhex(stored_root[2:]))
            if record is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "root", stored_root, None, "contract")
                continue
            subject.compare(
                "contract",
                ("leaf_count", batch.leaf_count, record.leaf_count),
                ("onchain_batch_id", batch.onchain_batch_id, record.batch_id),
                ("block_timestamp", batch.block_timestamp, record.anchored_at),
            )
        return len(batches), entries

    # -- the chain against the records ------------------------------------------------------------

    def _check_chain_against_database(
        self,
        events: list[IndexedEvent],
        assets: list[AssetRow],
        certificates: list[CertificateRow],
        history: list[HistoryRow],
    ) -> None:
        asset_ids = {a.asset_id for a in assets}
        certificate_hashes = {c.certificate_hash for c in certificates if c.status in _ANCHORED_CERTIFICATE}
        history_positions = {(h.tx_hash.lower(), int(h.log_index)) for h in history}
        for event in events:
            if event.event not in _EVENT_OF_ACT.values() or event.asset_id is None:
                continue
            position = f"{event.tx_hash}#{event.log_index}"
            if event.asset_id not in asset_ids:
                if event.event == "AssetRegistered":
                    missing = _Subject(self, "asset", event.asset_id)
                    missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
                continue  # the missing asset is the finding; its acts follow from it
            cert_hash = event.args.get("certificateHash")
            if event.event == "CertificateRecorded" and cert_hash not in certificate_hashes:
                missing = _Subject(self, "certificate", str(cert_hash))
                missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
            if (event.tx_hash, event.log_index) not in history_positions:
                missing = _Subject(self, "asset-history", position)
                missing.add(FindingKind.MISSING_IN_DATABASE, "act", None, event.event, "event")

    # -- helpers ----------------------------------------------------------------------------------

    def _asset_on_chain(self, asset_id: str) -> OnChainAsset | None:
        if asset_id not in self._on_chain:
            self._on_chain[asset_id] = self._registry.asset(asset_id)
        return self._on_chain[asset_id]

    def _unconfirmed(self, subject: _Subject, name: str, db_value: Any, block_number: int | None) -> None:
        """No indexed event where the record says: not indexed that far yet, or not on chain at all."""
        if self._cursor is None or (block_number is not None and block_number > self._cursor):
            subject.add(FindingKind.NOT_YET_INDEXED, name, db_value, None, "event")
        else:
            subject.add(FindingKind.MISSING_ON_CHAIN, name, db_value, None, "event")

    def add(self, finding: Finding) -> None:
        key = (finding.record_type, finding.record_id, finding.field)
        if key not in self._findings:  # the first source that disagrees names the field, once
            self._findings[key] = finding


@dataclass(frozen=True, slots=True)
class _Subject:
    """One record under audit: findings about it are added through here."""

    audit: _Audit
    record_type: str
    record_id: str

    def add(self, kind: FindingKind, name: str | None, db_value: Any, chain_value: Any, source: str) -> None:
        self.audit.add(Finding(kind, self.record_type, self.record_id, name, db_value, chain_value, source))

    def compare(self, source: str, *fields: tuple[str, Any, Any]) -> None:
        """A field-mismatch finding for each (field, database value, chain value) that differ."""
        for name, db_value, chain_value in fields:
            if db_value != chain_value:
                self.add(FindingKind.FIELD_MISMATCH, name, db_value, chain_value, source)


def _show(value: Any) -> str:
    return "-" if value is None else str(value)
