"""The state of one audit: the chain clients it reads, the stored rows it checks, and the lookups the
checks share (where an act was recorded, who a participant is, what the contracts hold now).

Each chain read is made once per audit (contract state per record, receipts per transaction through
:class:`~ledger.workers.audit_chain.ChainReader`); the rows are read once, in one pass per table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from eth_utils import to_checksum_address
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from dataledger.ledger.chain.anchor_registry import AnchorRecord
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.sql.index_tables import ChainEventRow
from dataledger.ledger.sql.tables import DeploymentRow, ParticipantRow
from dataledger.ledger.workers.audit_chain import ChainLog, ChainReader
from dataledger.ledger.workers.audit_findings import FindingKind, Findings, Subject
from dataledger.ledger.workers.indexer import EventIndex, IndexedEvent
from dataledger.registry.chain_records import (
    AnchorEvidence,
    OnChainCertificate,
    OnChainConsent,
    OnChainLicence,
    OnChainObjection,
    OnChainProcedure,
)
from dataledger.registry.chain_types import ChainEvidence, OnChainAsset
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.holder_signatures import Eip712Domain

# What reading an edited value can raise (a crashed audit would hide every other finding).
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, ArithmeticError)

_Row = TypeVar("_Row", bound=SQLModel)
_Value = TypeVar("_Value")


class AuditedRegistry(Protocol):
    """What the audit reads from the registry contract (``DataRightsRegistryClient`` provides it)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    @property
    def domain(self) -> Eip712Domain: ...

    def asset(self, asset_id: str) -> OnChainAsset | None: ...

    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...

    def objection(self, objection_id: int) -> OnChainObjection | None: ...

    def certificate_asset(self, certificate_hash: str) -> str | None: ...

    def certificate_record(self, certificate_hash: str) -> OnChainCertificate | None: ...

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str) -> tuple[bool, str]: ...


class AuditedLicences(Protocol):
    """What the audit reads from the licence registry (``LicenceRegistryClient`` provides it)."""

    @property
    def address(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    def licence(self, licence_id: int) -> OnChainLicence | None: ...

    def consent(self, consent_id: int) -> OnChainConsent | None: ...

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str | None) -> tuple[bool, str]: ...


class AuditedMarket(Protocol):
    """What the audit reads from the market contract (``DataMarketClient`` provides it)."""

    @property
    def address(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    def listing_of(self, listing_id: str) -> dict[str, Any] | None: ...


class AuditedTrades(Protocol):
    """What the audit reads from the trades contract (``DataTradesClient`` provides it)."""

    @property
    def address(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    def trade_of(self, order_id: str) -> dict[str, Any] | None: ...

    def mandate_of(self, holder: str, agent: str, listing_id: str) -> int: ...


class AuditedVouchers(Protocol):
    """What the audit reads from the vouchers contract (``DataVouchersClient`` provides it)."""

    @property
    def address(self) -> str: ...

    @property
    def abi(self) -> list[dict[str, Any]]: ...

    def programme_of(self, programme_id: str) -> dict[str, Any] | None: ...

    def balance_of(self, programme_id: str, enterprise: str) -> int: ...

    def registration_fee_of(self, asset_id: str) -> dict[str, Any] | None: ...


class AuditedAnchors(Protocol):
    """What the audit reads from the anchor contract (``AnchorRegistryClient`` provides it)."""

    @property
    def address(self) -> str: ...

    def anchor_of(self, root: bytes) -> AnchorRecord | None: ...

    def find_anchor(self, root: bytes) -> AnchorEvidence | None: ...


@dataclass(frozen=True, slots=True)
class Located:
    """An event found where a record says it was recorded: in the receipt re-read from the chain
    (``source`` "receipt"), or in the event index when no chain reader is given ("event")."""

    contract: str
    tx_hash: str
    block_number: int
    log_index: int
    event: str | None
    args: dict[str, Any]
    source: str
    log: ChainLog | None = None


class AuditContext:
    """One audit's clients, rows and shared lookups."""

    def __init__(
        self,
        engine: Engine,
        registry: AuditedRegistry,
        index: EventIndex,
        contracts: list[str],
        *,
        anchors: AuditedAnchors | None,
        licences: AuditedLicences | None,
        reader: ChainReader | None,
        market: AuditedMarket | None = None,
        trades: AuditedTrades | None = None,
        vouchers: AuditedVouchers | None = None,
    ) -> None:
        self.engine = engine
        self.trades = trades
        self.vouchers = vouchers
        self.registry = registry
        self.index = index
        self.anchors = anchors
        self.licences = licences
        self.market = market
        self.reader = reader
        self.chain_id = registry.chain_id
        self.contract = registry.registry_address
        self.contracts = contracts  # the registry first, then e.g. the licence registry
        cursors = [index.cursor(c, chain_id=self.chain_id) for c in contracts]
        # Indexed as far as the contract indexed least far (None: one was never indexed).
        self.cursor = None if None in cursors else min(c for c in cursors if c is not None)
        self.findings = Findings()
        self.counts: dict[str, int] = {}
        self.events: list[IndexedEvent] = [
            event for c in contracts for event in index.events(self.chain_id, contract=c, limit=None)
        ]
        self.events.sort(key=lambda e: (e.block_number, e.log_index))
        self.by_position = {(e.tx_hash, e.log_index): e for e in self.events}
        if reader is not None:
            reader.follow(registry.registry_address, registry.abi)
            if licences is not None:
                reader.follow(licences.address, licences.abi)
            for contract in (market, trades, vouchers):  # the market's logs are indexed too
                if contract is not None:
                    reader.follow(contract.address, contract.abi)
            self._follow_indexed_deployments(reader)
        self._addresses: dict[str, str] | None = None
        self._memo: dict[tuple[str, object], Any] = {}
        self.failed_batches: set[int] = set()  # batches whose root did not: their entries are named by them

    def _follow_indexed_deployments(self, reader: ChainReader) -> None:
        """Decode the logs of every contract this registry deployed whose events the index holds (the
        market's, when the audit was not handed their clients), with its committed ABI."""
        with Session(self.engine) as session:
            indexed = set(
                session.exec(
                    select(ChainEventRow.contract).where(ChainEventRow.chain_id == self.chain_id).distinct()
                )
            )
            deployed = session.exec(
                select(DeploymentRow).where(DeploymentRow.chain_id == self.chain_id)
            ).all()
        for row in deployed:
            if to_checksum_address(row.address) in indexed:
                try:
                    reader.follow(row.address, load_artifact(row.name).abi)
                except FileNotFoundError:  # a deployment this version has no artifact of
                    continue

    # -- rows ---------------------------------------------------------------------------------------

    def rows(self, model: type[_Row], *order_by: Any) -> Sequence[_Row]:
        """Every row of ``model``'s table, in ``order_by`` order (each table read once per audit)."""
        key = ("rows", model)
        if key not in self._memo:
            with Session(self.engine) as session:
                query = select(model)
                if order_by:
                    query = query.order_by(*(col(c) for c in order_by))
                self._memo[key] = session.exec(query).all()
        rows: Sequence[_Row] = self._memo[key]
        return rows

    def participant_at(self, address: str | None) -> str | None:
        """The id of the participant whose chain address is ``address``, or None."""
        if self._addresses is None:
            self._addresses = {r.address.lower(): r.id for r in self.rows(ParticipantRow) if r.address}
        return self._addresses.get(address.lower()) if isinstance(address, str) else None

    # -- the contracts' state, read once per record -------------------------------------------------

    def cached(self, kind: str, key: object, read: Callable[[], _Value]) -> _Value:
        memo_key = (kind, key)
        if memo_key not in self._memo:
            self._memo[memo_key] = read()
        value: _Value = self._memo[memo_key]
        return value

    def asset_on_chain(self, asset_id: str) -> OnChainAsset | None:
        return self.cached("asset", asset_id, lambda: self.registry.asset(asset_id))

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        return self.cached("procedure", asset_id, lambda: self.registry.procedure(asset_id))

    def certificate_record(self, certificate_hash: str) -> OnChainCertificate | None:
        return self.cached(
            "certificate", certificate_hash, lambda: self.registry.certificate_record(certificate_hash)
        )

    # -- where an act was recorded ------------------------------------------------------------------

    def locate(
        self,
        subject: Subject,
        *,
        contract: str | None,
        tx_hash: str | None,
        block_number: int | None,
        log_index: int | None,
        event: str,
        key: str | None = None,
        value: Any = None,
        event_field: str = "log_index",
        key_field: str | None = None,
        evidence_fields: tuple[str, str] = ("tx_hash", "block_number"),
    ) -> Located | None:
        """The ``event`` (of ``contract``, its argument ``key`` equal to ``value``) at the evidence a record
        gives, re-read from the transaction's receipt (or, without a chain reader, from the index).
        Each way the evidence fails is a finding on ``subject``: no such transaction or log
        (``tx_hash``), another block (``block_number``), another contract (``contract``), another
        event (``event_field``), another subject (``key_field``)."""
        contract = contract or self.contract
        tx_field, block_field = evidence_fields
        position = f"{tx_hash}#{log_index}"
        if tx_hash is None or log_index is None:
            subject.add(FindingKind.MISSING_ON_CHAIN, tx_field, None, None, "receipt")
            return None
        try:
            evidence = ChainEvidence(
                self.chain_id, contract, str(tx_hash).lower(), int(block_number or 0), int(log_index)
            )
        except (ValidationFailed, ValueError):
            subject.add(FindingKind.MISSING_ON_CHAIN, tx_field, position, None, "receipt")
            return None
        found: Located | None
        if self.reader is not None:
            _, why = self.reader.check_act(evidence, event, key, None if value is None else str(value))
            log = self.reader.log_at(evidence.tx_hash, evidence.log_index)
            if log is None or self.reader.logs(evidence.tx_hash) is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, tx_field, position, why, "receipt")
                return None
            found = Located(
                log.contract,
                log.tx_hash,
                log.block_number,
                log.log_index,
                log.event,
                log.args,
                "receipt",
                log,
            )
            source = "receipt"
        else:
            indexed = self.by_position.get((evidence.tx_hash, evidence.log_index))
            if indexed is None:
                self.unconfirmed(subject, tx_field, position, block_number)
                return None
            found = Located(
                indexed.contract,
                indexed.tx_hash,
                indexed.block_number,
                indexed.log_index,
                indexed.event,
                indexed.args,
                "event",
            )
            source = "event"
        agree = subject.compare(
            source,
            ("contract", contract.lower(), found.contract.lower()),
            (event_field, event, found.event),
        )
        if key is not None and str(found.args.get(key)).lower() != str(value).lower():
            subject.add(FindingKind.FIELD_MISMATCH, key_field or key, value, found.args.get(key), source)
            agree = False
        subject.compare(source, (block_field, block_number, found.block_number))
        return found if agree else None

    @contextmanager
    def unreadable_is_a_finding(self, subject: Subject) -> Iterator[None]:
        """A value the check cannot read (text where a number belongs, say) is a finding on the record,
        not the end of the audit."""
        try:
            yield
        except UNREADABLE as error:
            subject.add(FindingKind.FIELD_MISMATCH, None, f"unreadable: {error!r}", None, "database")

    def unconfirmed(self, subject: Subject, name: str, db_value: Any, block_number: int | None) -> None:
        """No indexed event where the record says: not indexed that far yet, or not on chain at all."""
        if self.cursor is None or (block_number is not None and block_number > self.cursor):
            subject.add(FindingKind.NOT_YET_INDEXED, name, db_value, None, "event")
        else:
            subject.add(FindingKind.MISSING_ON_CHAIN, name, db_value, None, "event")

    def indexed(self, event: str, key: str, value: Any) -> list[IndexedEvent]:
        """The indexed ``event``s whose argument ``key`` is ``value`` (compared as text, case-insensitively),
        in chain order; the lookup is built once per (event, key)."""
        memo_key = ("indexed", (event, key))
        if memo_key not in self._memo:
            by_value: dict[str, list[IndexedEvent]] = {}
            for e in self.events:
                if e.event == event and key in e.args:
                    by_value.setdefault(str(e.args[key]).lower(), []).append(e)
            self._memo[memo_key] = by_value
        found: list[IndexedEvent] = self._memo[memo_key].get(str(value).lower(), [])
        return found

    def events_of(self, asset_id: str) -> list[IndexedEvent]:
        """The indexed events about ``asset_id``, in chain order."""
        if ("by-asset", None) not in self._memo:
            by_asset: dict[str | None, list[IndexedEvent]] = {}
            for e in self.events:
                by_asset.setdefault(e.asset_id, []).append(e)
            self._memo[("by-asset", None)] = by_asset
        found: list[IndexedEvent] = self._memo[("by-asset", None)].get(asset_id.lower(), [])
        return found


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
