"""The audit names every edit of a fact the chain or a commitment vouches for: a mutation loop.

A ledger with one record of every kind is built once through the HTTP API on the embedded chain
(``tests.ledger.audit_scenario``). The mutations are generated from the schema: every column of every
table in ``SQLModel.metadata`` is edited once, on its own copy of the SQLite file, unless it is listed
below as bookkeeping (with the reason nothing vouches for it) or its table as a whole is. A new
table or column therefore fails :func:`test_every_column_is_mutated_or_excluded_with_a_reason` until
someone decides which it is. Each mutated copy is audited (read only, against the unchanged chain)
and some finding must name the edited record; the counts, made and detected per table, are printed
(``-s``). The default run edits one row per column (about 200 edits, seconds); the long run
(``-m long``; it is also marked slow) edits every row of every table, column by column. Deleting a
row is checked too, one row per table.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table
from sqlmodel import SQLModel

import dataledger.ledger.sql.batched_registration_store
import dataledger.ledger.sql.store
import dataledger.ledger.sql.transparency_log  # noqa: F401 - every table in SQLModel.metadata
from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.ledger.sql.store import SqlStore, make_engine
from dataledger.ledger.workers.audit import AuditReport, ChainReader, audit
from tests.conftest import make_settings
from tests.ledger.audit_scenario import FullLedger, ServicesClock, build_full_ledger, driver_for

# -- what is not mutated, and why -------------------------------------------------------------------

EXCLUDED_TABLES: dict[str, str] = {
    "participants": "local identities and API key hashes; no chain record names a participant id (the "
    "ids stored beside chain addresses are checked against this table from those records)",
    "content_claims": "the registration paths' local lock on a content hash (who may register it here); "
    "the chain keeps its own uniqueness",
    "indexed_blocks": "the indexer's recent headers for reorg detection; the indexer compares them with "
    "the chain on every pass",
    "indexer_cursors": "how far the indexer has read: bookkeeping of the index, not a fact of the chain",
    "asset_derivations": "data-product derivations are recorded off chain only (nothing anchors them)",
    "act_journal": "signed acts in flight between the chain and the store; empty once each is recorded "
    "(recovery records a left-over entry from the chain's own events: tests/lifecycle/test_act_journal.py)",
    "number_counters": "the last serial drawn per institution and period, which numbers certificates and "
    "registrations; the numbers themselves are stored with their certificates and assets",
    # The market (issue 14, first increment). The audit checks every listing and its report against
    # the DataMarket contract (tests/market/test_market_audit.py: an edit of the content, the report,
    # a hash or the status is named); this scenario makes no listing yet, so its tables are left out
    # here. Demands and the catalogue's search structures are off chain.
    "licence_templates": "a version's terms hash is recorded on chain with each listing and compared by "
    "the listing's check (tests/market/test_market_audit.py); this scenario makes no listing",
    "market_listings": "checked against the DataMarket contract, content and report hashed again "
    "(tests/market/test_market_audit.py); this scenario makes no listing",
    "market_listing_reports": "the report's hash is checked with its listing "
    "(tests/market/test_market_audit.py); this scenario makes no listing",
    "market_catalogue": "the catalogue's search copy of each listing, rebuilt from market_listings",
    "market_facet_cells": "the catalogue's facet cells, derived from the listings",
    "market_demands": "demands are published off chain only",
    "market_demand_responses": "responses to demands are off chain only",
    "market_asset_catalogue": "the catalogue's copy of certified assets' public facts, kept by triggers on "
    "assets",
    # Orders and trades, data vouchers (issue 14): the audit checks every trade against the DataTrades
    # contract (tests/market/test_trades_audit.py), every voucher programme and the sums of its issues
    # and redemptions against the DataVouchers contract (tests/market/test_vouchers_audit.py); this
    # scenario makes neither.
    "market_trades": "checked against the DataTrades contract, the settlement record hashed again "
    "(tests/market/test_trades_audit.py); this scenario makes no trade",
    "voucher_programmes": "checked against the DataVouchers contract (tests/market/test_vouchers_audit.py); "
    "this scenario makes no programme",
    "voucher_movements": "summed per programme and enterprise against the DataVouchers contract's totals and "
    "balances (tests/market/test_vouchers_audit.py); this scenario makes none",
    "market_mandates": "the standing grant (or its revocation) checked against the DataTrades contract's "
    "mandate (tests/market/test_trades_audit.py); this scenario grants none",
    "registration_fees": "checked against the DataVouchers contract's record of each fee "
    "(tests/market/test_vouchers_audit.py); this scenario records none",
    # Data merchants and buyer verification: enrolments and policies are an exchange's and a holder's own
    # settings, off chain; a decided application is held to the holder's signed BuyerDecision
    # (tests/market/test_buyer_verification_audit.py: an edited verdict, reason, deadline, holder or
    # signature is named).
    "market_merchants": "an exchange's enrolments of data merchants, off chain only",
    "market_buyer_policies": "a holder's setting for its listing, off chain only",
    "market_buyer_applications": "each decision is checked against the holder's signature "
    "(tests/market/test_buyer_verification_audit.py); this scenario makes none",
}

BOOKKEEPING: dict[str, dict[str, str]] = {
    "assets": {
        "created_at": "database write time",
        "updated_at": "database write time",
        "registration_number": "the registry's own number, given off chain (the chain does not know it); "
        "a certificate states it under the anchored hash, and its check character is verified when read",
    },
    "asset_versions": {"recorded_at": "database write time"},
    "asset_history": {
        "id": "surrogate key (the log's entries refer to it, the chain does not)",
        "recorded_at": "database write time",
    },
    "certificates": {
        "seq": "surrogate key (the numbers are drawn from number_counters)",
        "issued_at": "time the number was reserved; the credential's own issuance time is under the "
        "anchored hash (vc_json)",
    },
    "objections": {"created_at": "database write time"},
    "pledges": {
        "id": "surrogate key",
        "created_at": "database write time",
        "closed_at": "database write time of the release or enforcement",
    },
    "pledge_valuations": {
        "id": "surrogate key",
        "recorded_at": "database write time",
    },
    "licences": {"created_at": "database write time"},
    "consents": {"created_at": "database write time", "updated_at": "database write time"},
    "consent_history": {
        "id": "surrogate key (the log's entries refer to it, the chain does not)",
        "recorded_at": "database write time",
    },
    "batched_registrations": {"created_at": "database write time"},
    "deployments": {
        "name": "the local label of a deployment (the address and transaction are checked)",
        "deployed_at": "database write time",
    },
    "anchor_batches": {
        "created_at": "database write time",
        "sealed_at": "database write time",
        "anchored_at": "database write time (the chain's anchoring time is block_timestamp)",
    },
    "anchor_outbox": {
        "id": "surrogate key (the log's entries refer to it, the chain does not)",
        "created_at": "database write time",
    },
    "chain_events": {"id": "surrogate key", "indexed_at": "database write time"},
    "epcis_captures": {
        "capture_id": "random local id of a capture (its events point to it: see epcis_events.capture_id)",
        "captured_by": "participant id of the capturer: local",
        "document_kind": "document or query document: not part of any event's hash ID",
        "event_count": "counter of the capture request",
        "new_event_count": "counter of the capture request",
        "created_at": "database write time",
    },
    "epcis_events": {
        "id": "surrogate key",
        "record_time_us": "the repository's receipt time, not part of the event's hash ID",
    },
    "epcis_error_declarations": {
        "id": "surrogate key",
        "declared_by": "participant id of the capturer: local",
        "record_time_us": "the repository's receipt time",
    },
    "lineage_edges": {
        "id": "surrogate key",
        "licence_id": "set on derivation edges only, which are recorded off chain",
    },
    "log_checkpoints": {"created_at": "database write time"},
}

# -- which record a finding must name ---------------------------------------------------------------

Row = dict[str, Any]


def _events_of(db: sqlite3.Connection, where: str, *params: object) -> list[tuple[str, str]]:
    rows = db.execute(f"SELECT hash_id FROM epcis_events WHERE {where}", params).fetchall()
    return [("epcis-event", r[0]) for r in rows]


# table -> the records an edit of a row may be named by (before or after the edit)
NAMES: dict[str, Callable[[sqlite3.Connection, Row], list[tuple[str, str]]]] = {
    "assets": lambda db, r: [("asset", r["asset_id"])],
    "asset_versions": lambda db, r: [("asset-version", f"{r['asset_id']}/{r['version']}")],
    "asset_history": lambda db, r: [("asset-history", str(r["id"]))],
    "certificates": lambda db, r: [("certificate", str(r["number"]))],
    "objections": lambda db, r: [("objection", str(r["objection_id"]))],
    "pledges": lambda db, r: [("pledge", str(r["id"]))],
    "pledge_valuations": lambda db, r: [("pledge-valuation", f"{r['tx_hash']}#{r['log_index']}")],
    "licences": lambda db, r: [("licence", str(r["licence_id"]))],
    "consents": lambda db, r: [("consent", str(r["consent_id"]))],
    "consent_history": lambda db, r: [("consent-history", str(r["id"]))],
    "batched_registrations": lambda db, r: [("batched-registration", r["asset_id"])],
    "deployments": lambda db, r: [("deployment", r["name"])],
    "anchor_batches": lambda db, r: [("anchor-batch", str(r["id"]))],
    "anchor_outbox": lambda db, r: [("anchor-entry", str(r["id"])), ("anchor-batch", str(r["batch_id"]))],
    "chain_events": lambda db, r: [("chain-event", str(r["id"]))],
    "epcis_events": lambda db, r: [("epcis-event", r["hash_id"])],
    "epcis_captures": lambda db, r: (
        _events_of(db, "capture_id = ?", r["capture_id"])
        + [
            ("epcis-error-declaration", str(i))
            for (i,) in db.execute(
                "SELECT id FROM epcis_error_declarations WHERE capture_id = ?", (r["capture_id"],)
            )
        ]
    ),
    "epcis_event_items": lambda db, r: _events_of(db, "event_key = ?", r["event_id"]),
    "lineage_edges": lambda db, r: _events_of(db, "event_key = ?", r["event_id"]),
    "epcis_event_ids": lambda db, r: _events_of(db, "event_key = ?", r["event_id"]),
    "epcis_error_declarations": lambda db, r: [("epcis-error-declaration", str(r["id"]))],
    "log_entries": lambda db, r: [("log-entry", str(r["seq"]))],
    "log_checkpoints": lambda db, r: [("log-checkpoint", str(r["size"]))],
}

# The row each table is mutated on in the default run (the richest one), as a SQL condition.
REPRESENTATIVE: dict[str, Callable[[FullLedger], str]] = {
    "assets": lambda ledger: f"asset_id = '{ledger.certified}'",  # changed, transferred, pledged
    "asset_versions": lambda ledger: f"asset_id = '{ledger.certified}' AND version = 2",
    "asset_history": lambda ledger: "act = 'licence-granted'",
    "certificates": lambda ledger: "status = 'superseded' ORDER BY seq DESC",
    "lineage_edges": lambda ledger: "event_id IS NOT NULL",
    "epcis_captures": lambda ledger: "capture_id IN (SELECT capture_id FROM epcis_events)",
}

# -- the edits ---------------------------------------------------------------------------------------

_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_STATES = {
    ("assets", "state"): ("certified", "registered"),
    ("certificates", "status"): ("superseded", "valid"),
    ("objections", "status"): ("dismissed", "upheld"),
    ("pledges", "status"): ("released", "active"),
    ("consents", "status"): ("consumed", "withdrawn"),
    ("anchor_batches", "status"): ("anchored", "sealed"),
    ("anchor_batches", "kind"): ("registration", "epcis-event"),
    ("anchor_outbox", "kind"): ("registration", "epcis-event"),
}
# Detail keys no event vouches for (ledger.workers.audit_acts.UNVOUCHED_DETAIL): an edit edits another.
_UNVOUCHED = {"kind", "registrarId"}


def _flip_hex(value: str) -> str:
    last = value[-1].lower()
    return value[:-1] + ("0" if last != "0" else "1")


def _edit_leaf(value: Any) -> tuple[Any, bool]:
    """``value`` (parsed JSON) with its first leaf edited, in sorted key order; (new, edited?)."""
    if isinstance(value, dict):
        for key in sorted(value):
            if key in _UNVOUCHED:
                continue
            new, done = _edit_leaf(value[key])
            if done:
                return {**value, key: new}, True
        return value, False
    if isinstance(value, list):
        for i, item in enumerate(value):
            new, done = _edit_leaf(item)
            if done:
                return [*value[:i], new, *value[i + 1 :]], True
        return value, False
    return _edit_scalar(value), True


def _edit_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return _flip_hex(value) if _HEX.match(value) else value + " (edited)"
    return "edited" if value is None else value


def edited(table: str, column: str, value: Any) -> Any:
    """One plausible edit of ``value`` (an insider's forgery, not noise)."""
    if (table, column) in _STATES:
        first, second = _STATES[(table, column)]
        return second if value == first else first
    if column == "ignore_fields_json":  # leave a field of the events out of their hash IDs
        return json.dumps([*json.loads(value), "bizStep"])
    if column == "note":  # a note stating another root
        lines = value.split("\n")
        lines[2] = "A" * 43 + "="
        return "\n".join(lines)
    if column == "facts_json":
        return json.dumps({**json.loads(value), "scale": "9.9M rows"}, sort_keys=True)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value + " (edited)"
        return json.dumps(_edit_leaf(parsed)[0], sort_keys=True)
    if value is None:
        return "0x" + "5a" * 32 if column.endswith("hash") else "edited"
    return _edit_scalar(value)


# -- the ledger and the loop ---------------------------------------------------------------------------


@dataclass
class Mutation:
    table: str
    column: str
    rowid: int
    before: Any
    after: Any


@dataclass
class Outcome:
    made: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    detected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missed: list[str] = field(default_factory=list)

    def table(self) -> str:
        lines = [f"{'table':<26} {'made':>5} {'detected':>9}"]
        for name in sorted(self.made):
            lines.append(f"{name:<26} {self.made[name]:>5} {self.detected[name]:>9}")
        lines.append(f"{'total':<26} {sum(self.made.values()):>5} {sum(self.detected.values()):>9}")
        return "\n".join(lines)


class Memoised:
    """A chain client whose answers are kept: the chain does not change between the mutations (only
    copies of the database do), so each contract read is made once for the whole loop."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._answers: dict[tuple[str, tuple[Any, ...]], Any] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._client, name)
        if not callable(value):
            return value

        def memoised(*args: Any) -> Any:
            if (name, args) not in self._answers:
                self._answers[(name, args)] = value(*args)
            return self._answers[(name, args)]

        return memoised


@dataclass
class Built:
    services: Services
    ledger: FullLedger
    database: Path
    reader: ChainReader
    work: Path
    registry: Any = None
    licences: Any = None
    anchors: Any = None

    def __post_init__(self) -> None:
        assert self.services.anchoring is not None
        self.registry = Memoised(self.services.registry)
        self.licences = Memoised(self.services.licences)
        self.anchors = Memoised(self.services.anchoring.client)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    directory = tmp_path_factory.mktemp("full-ledger")
    services = build_services(make_settings(directory))
    try:
        api = driver_for(TestClient(create_app(services)), services, ServicesClock(services))
        ledger = build_full_ledger(api, services)
        yield Built(
            services, ledger, directory / "dataledger.db", ChainReader(services.w3), directory / "copies"
        )
    finally:
        services.close()


def tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def mutable_columns(table: Table) -> list[str]:
    skip = BOOKKEEPING.get(table.name, {})
    return [c.name for c in table.columns if c.name not in skip]


def copy_of(built: Built, name: str) -> Path:
    built.work.mkdir(exist_ok=True)
    target = built.work / f"{name}.db"
    target.unlink(missing_ok=True)
    with sqlite3.connect(built.database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def audit_copy(built: Built, path: Path, reader: ChainReader | None = None) -> AuditReport:
    engine = make_engine(f"sqlite:///{path}")
    try:
        report = audit(
            SqlStore(engine),
            built.registry,
            engine,
            anchors=built.anchors,
            licences=built.licences,
            chain=built.reader if reader is None else reader,
        )
    finally:
        engine.dispose()
    json.dumps(report.as_json())  # what `dataledger audit --json` prints
    return report


def rows_of(db: sqlite3.Connection, table: str, where: str | None) -> list[Row]:
    db.row_factory = sqlite3.Row
    query = f"SELECT rowid AS _rowid, * FROM {table}" + (f" WHERE {where}" if where else "")
    return [dict(r) for r in db.execute(query).fetchall()]


def mutations(built: Built, every_row: bool) -> list[tuple[Mutation, list[tuple[str, str]]]]:
    """Each mutation with the records a finding may name (of the row before and after the edit)."""
    planned = []
    with sqlite3.connect(built.database) as db:
        for table in tables():
            if table.name in EXCLUDED_TABLES:
                continue
            where = None if every_row else REPRESENTATIVE.get(table.name, lambda _: None)(built.ledger)
            rows = rows_of(db, table.name, where)
            assert rows, f"the scenario made no row of {table.name}: extend tests/ledger/audit_scenario.py"
            for row in rows if every_row else rows[:1]:
                for column in mutable_columns(table):
                    after = edited(table.name, column, row[column])
                    assert after != row[column], (table.name, column)
                    mutation = Mutation(table.name, column, int(row["_rowid"]), row[column], after)
                    names = NAMES[table.name](db, row) + NAMES[table.name](db, {**row, column: after})
                    planned.append((mutation, names))
    return planned


def _row(db: sqlite3.Connection, mutation: Mutation) -> Row:
    (row,) = rows_of(db, mutation.table, f"rowid = {mutation.rowid}")
    return row


def run_loop(built: Built, every_row: bool) -> Outcome:
    baseline = audit_copy(built, copy_of(built, "baseline"))
    assert baseline.ok, baseline.format()
    outcome = Outcome()
    for mutation, names in mutations(built, every_row):
        path = copy_of(built, "mutated")
        with sqlite3.connect(path) as db:
            try:
                db.execute(
                    f"UPDATE {mutation.table} SET {mutation.column} = ? WHERE rowid = ?",
                    (mutation.after, mutation.rowid),
                )
            except sqlite3.IntegrityError:  # the edit takes another row's key: take a free one
                before = mutation.before
                mutation.after = before + 1_000_003 if isinstance(before, int) else f"{before} (edited)"
                names += NAMES[mutation.table](db, {**_row(db, mutation), mutation.column: mutation.after})
                db.execute(
                    f"UPDATE {mutation.table} SET {mutation.column} = ? WHERE rowid = ?",
                    (mutation.after, mutation.rowid),
                )
        report = audit_copy(built, path)
        outcome.made[mutation.table] += 1
        if any((f.record_type, f.record_id) in names for f in report.findings):
            outcome.detected[mutation.table] += 1
        else:
            outcome.missed.append(
                f"{mutation.table}.{mutation.column} (row {mutation.rowid}): {mutation.before!r} -> "
                f"{mutation.after!r}; expected a finding on {sorted(set(names))}; got:\n{report.format()}"
            )
    return outcome


# -- the tests -------------------------------------------------------------------------------------------


def test_every_column_is_mutated_or_excluded_with_a_reason() -> None:
    names = {t.name: {c.name for c in t.columns} for t in tables()}
    assert set(EXCLUDED_TABLES) <= set(names), set(EXCLUDED_TABLES) - set(names)
    for table, columns in BOOKKEEPING.items():
        assert table in names and set(columns) <= names[table], (
            table,
            set(columns) - names.get(table, set()),
        )
        assert all(reason.strip() for reason in columns.values())
    for table in names:
        if table not in EXCLUDED_TABLES:
            assert table in NAMES, f"{table}: name the record its edits must be found on, or exclude it"


def test_every_edit_of_a_vouched_fact_is_named_by_the_audit(built: Built) -> None:
    started = time.monotonic()
    outcome = run_loop(built, every_row=False)
    print(f"\nmutations (one row per column), {time.monotonic() - started:.1f}s:\n{outcome.table()}")
    assert not outcome.missed, f"{len(outcome.missed)} edit(s) not named:\n" + "\n\n".join(outcome.missed)
    assert sum(outcome.made.values()) == sum(outcome.detected.values()) > 0


def test_each_receipt_is_read_once_however_many_acts_it_holds(built: Built) -> None:
    reader = ChainReader(built.services.w3)
    path = copy_of(built, "receipts")

    report = audit_copy(built, path, reader)

    assert report.ok, report.format()
    with sqlite3.connect(path) as db:
        transactions = {
            tx
            for (tx,) in db.execute("SELECT tx_hash FROM chain_events UNION SELECT tx_hash FROM deployments")
        }
        acts = db.execute(
            "SELECT (SELECT count(*) FROM asset_history) + (SELECT count(*) FROM chain_events)"
        ).fetchone()[0]
    assert reader.receipts_read == len(transactions) < acts
    assert report.counts["receipts"] == len(transactions)
    audit_copy(built, path, reader)  # a reader kept across audits of one chain reads nothing again
    assert reader.receipts_read == len(transactions)


@pytest.mark.parametrize(
    ("table", "column", "key"),
    [
        ("assets", "nonce", "asset_id"),
        ("asset_history", "log_index", "id"),
        ("licences", "uses", "licence_id"),
    ],
)
def test_an_unreadable_value_is_a_finding_not_a_crash(
    built: Built, table: str, column: str, key: str
) -> None:
    path = copy_of(built, "unreadable")
    with sqlite3.connect(path) as db:
        db.execute(
            f"UPDATE {table} SET {column} = 'not a number' WHERE rowid = (SELECT min(rowid) FROM {table})"
        )

    report = audit_copy(built, path)

    assert not report.ok
    assert any(f.kind.value == "field-mismatch" for f in report.findings), report.format()
    assert not report.findings_for("table", table), report.format()  # the record is named, not the table


# A deleted row is named where the chain still shows its act: by its position, its batch, its entry.
def _position(kind: str) -> Callable[[sqlite3.Connection, Row], list[tuple[str, str]]]:
    return lambda db, r: [(kind, f"{r['tx_hash']}#{r['log_index']}")]


def _entries(db: sqlite3.Connection, where: str, *params: object) -> list[tuple[str, str]]:
    rows = db.execute(f"SELECT id FROM anchor_outbox WHERE {where}", params).fetchall()
    return [("anchor-entry", str(r[0])) for r in rows]


DELETION_NAMES: dict[str, Callable[[sqlite3.Connection, Row], list[tuple[str, str]]]] = {
    "asset_history": _position("asset-history"),
    "consent_history": _position("consent-history"),
    "pledges": _position("pledge"),
    "pledge_valuations": _position("pledge-valuation"),
    "chain_events": _position("chain-event"),
    "certificates": lambda db, r: [("certificate", str(r["certificate_hash"]))],
    "anchor_batches": lambda db, r: _entries(db, "batch_id = ?", r["id"]),
    "batched_registrations": lambda db, r: _entries(db, "ref = ?", r["asset_id"]),
    "epcis_events": lambda db, r: _entries(db, "ref = ?", r["hash_id"]),
    "epcis_error_declarations": lambda db, r: _entries(db, "ref LIKE ?", r["hash_id"] + "#%"),
}
UNDETECTED_DELETIONS = {
    "deployments": "the audit is given its contracts; a deleted deployment stops the services from starting",
    "log_checkpoints": "a checkpoint anchored but not kept is found by `dataledger audit --since` with the "
    "checkpoint an auditor kept, not by scanning every anchor on chain",
}


def test_every_deleted_row_is_named_by_the_audit(built: Built) -> None:
    made, missed = 0, []
    with sqlite3.connect(built.database) as db:
        planned = []
        for table in tables():
            if table.name in EXCLUDED_TABLES or table.name in UNDETECTED_DELETIONS:
                continue
            where = REPRESENTATIVE.get(table.name, lambda _: None)(built.ledger)
            (row, *_) = rows_of(db, table.name, where)
            names = NAMES[table.name](db, row) + DELETION_NAMES.get(table.name, lambda *_: [])(db, row)
            planned.append((table.name, row, names))
    for table_name, row, names in planned:
        path = copy_of(built, "deleted")
        with sqlite3.connect(path) as db:
            db.execute(f"DELETE FROM {table_name} WHERE rowid = ?", (row["_rowid"],))
        report = audit_copy(built, path)
        made += 1
        if not any((f.record_type, f.record_id) in names for f in report.findings):
            missed.append(
                f"{table_name} row {row['_rowid']}: expected one of {names}; got:\n{report.format()}"
            )
    print(f"\ndeletions: {made} made, {made - len(missed)} named")
    assert not missed, "\n\n".join(missed)


@pytest.mark.slow
@pytest.mark.long
def test_every_edit_of_every_row_is_named_by_the_audit(built: Built) -> None:
    started = time.monotonic()
    outcome = run_loop(built, every_row=True)
    print(f"\nmutations (every row, every column), {time.monotonic() - started:.1f}s:\n{outcome.table()}")
    assert not outcome.missed, f"{len(outcome.missed)} edit(s) not named:\n" + "\n\n".join(outcome.missed)
