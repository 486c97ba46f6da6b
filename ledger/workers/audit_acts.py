"""The audit of acts: every history row re-read from its transaction's receipt, and the index itself.

An act's history row (``asset_history``, ``consent_history``) says which contract event recorded it
and where. It is compared with the event index (as before) and, with a chain reader, with the
receipt of its transaction (``check_act``): the event at that log is the act's, of that contract and
that asset or consent, in that block, at that block's time; the actor is an address the
transaction's events name; the detail holds the event's arguments, and the texts whose hashes the
events carry (reasons, resolutions, licence purposes) still hash to them. The index (``chain_events``)
is itself an insider's table: each indexed log is compared with its receipt, and each log of a
followed contract in a receipt read must be indexed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from dataledger.ledger.sql.index_tables import ChainEventRow
from dataledger.ledger.sql.tables import (
    AssetRow,
    CertificateRow,
    ConsentHistoryRow,
    ConsentRow,
    HistoryRow,
    LicenceRow,
    ObjectionRow,
    PledgeRow,
)
from dataledger.ledger.workers.audit_chain import ChainLog
from dataledger.ledger.workers.audit_context import UNREADABLE, AuditContext
from dataledger.ledger.workers.audit_findings import FindingKind, Subject, lower
from dataledger.registry.assets import reason_hash, text_commitment
from dataledger.registry.certificate import certificate_hash
from dataledger.registry.chain_records import (
    CONSENT_EVENT_OF_ACT,
    EVENT_OF_ACT,
    ReviewStage,
    right_of_index,
)
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import DataLedgerError

# Details an act records that no event vouches for: why a certificate was issued (first, change,
# transfer...), which registrar participant acted (the chain knows the registrar's key only).
UNVOUCHED_DETAIL = frozenset({"kind", "registrarId"})
_HASHED_TEXT = {"reason": "reasonHash", "resolution": "resolutionHash"}
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_DECIMAL = re.compile(r"^[0-9]+$")


class _Unknown:
    """A detail the audit cannot check (its record is missing): not a finding."""


UNKNOWN = _Unknown()


def check_history(ctx: AuditContext) -> int:
    rows = ctx.rows(HistoryRow, HistoryRow.id)
    details = _Details(ctx)
    for row in rows:
        act = ctx.findings.subject("asset-history", row.id)
        with ctx.unreadable_is_a_finding(act):
            _check_asset_act(ctx, act, row, details)
    return len(rows)


def _check_asset_act(ctx: AuditContext, act: Subject, row: HistoryRow, details: _Details) -> None:
    known = any(c.lower() == row.contract.lower() for c in ctx.contracts)
    recorded_by = row.contract if known else ctx.contract
    act.compare("contract", ("chain_id", row.chain_id, ctx.chain_id), ("contract", row.contract, recorded_by))
    event = ctx.by_position.get((row.tx_hash.lower(), int(row.log_index)))
    if event is None:
        ctx.unconfirmed(act, "tx_hash", f"{row.tx_hash}#{row.log_index}", row.block_number)
    else:
        act.compare(
            "event",
            ("act", EVENT_OF_ACT.get(row.act, event.event), event.event),
            ("contract", row.contract.lower(), event.contract.lower()),
            ("asset_id", row.asset_id, event.asset_id),
            ("block_number", row.block_number, event.block_number),
        )
    log = _act_on_chain(ctx, act, row, EVENT_OF_ACT.get(row.act), "assetId", row.asset_id, "asset_id")
    if log is not None:
        _check_recorded(ctx, act, row, log, details)


def check_consent_history(ctx: AuditContext) -> int:
    rows = ctx.rows(ConsentHistoryRow, ConsentHistoryRow.id)
    details = _Details(ctx)
    for row in rows:
        act = ctx.findings.subject("consent-history", row.id)
        with ctx.unreadable_is_a_finding(act):
            _check_consent_act(ctx, act, row, details)
    return len(rows)


def _check_consent_act(ctx: AuditContext, act: Subject, row: ConsentHistoryRow, details: _Details) -> None:
    act.compare("contract", ("chain_id", row.chain_id, ctx.chain_id))
    event = ctx.by_position.get((row.tx_hash.lower(), int(row.log_index)))
    expected = CONSENT_EVENT_OF_ACT.get(row.act)
    if event is None:
        ctx.unconfirmed(act, "tx_hash", f"{row.tx_hash}#{row.log_index}", row.block_number)
    else:
        act.compare(
            "event",
            ("act", expected, event.event),
            ("contract", row.contract.lower(), event.contract.lower()),
            ("consent_id", str(row.consent_id), str(event.args.get("consentId"))),
            ("block_number", row.block_number, event.block_number),
        )
    log = _act_on_chain(ctx, act, row, expected, "consentId", row.consent_id, "consent_id")
    if log is not None:
        _check_recorded(ctx, act, row, log, details)


def _act_on_chain(
    ctx: AuditContext,
    act: Subject,
    row: HistoryRow | ConsentHistoryRow,
    event: str | None,
    key: str,
    value: Any,
    key_field: str,
) -> ChainLog | None:
    """The act's event re-read from its receipt (``check_act``); findings name what disagrees."""
    if event is None:
        act.add(FindingKind.FIELD_MISMATCH, "act", row.act, None, "receipt")
        return None
    if ctx.reader is None:  # no chain reader: the contract client re-reads the receipt, uncached
        _client_check(ctx, act, row)
        return None
    found = ctx.locate(
        act,
        contract=row.contract,
        tx_hash=row.tx_hash,
        block_number=row.block_number,
        log_index=row.log_index,
        event=event,
        key=key,
        value=value,
        event_field="act",
        key_field=key_field,
    )
    return found.log if found is not None else None


def _client_check(ctx: AuditContext, act: Subject, row: HistoryRow | ConsentHistoryRow) -> None:
    subject_id = row.asset_id if isinstance(row, HistoryRow) else None
    try:
        evidence = ChainEvidence(
            row.chain_id, row.contract, row.tx_hash.lower(), row.block_number, row.log_index
        )
    except DataLedgerError:
        act.add(FindingKind.MISSING_ON_CHAIN, "tx_hash", f"{row.tx_hash}#{row.log_index}", None, "receipt")
        return
    if row.contract.lower() == ctx.contract.lower() and subject_id is not None:
        passed, why = ctx.registry.check_act(evidence, row.act, subject_id)
    elif ctx.licences is not None and row.contract.lower() == ctx.licences.address.lower():
        passed, why = ctx.licences.check_act(evidence, row.act, subject_id)
    else:
        return  # another contract: the index comparison names it
    if not passed:
        act.add(FindingKind.MISSING_ON_CHAIN, "tx_hash", f"{row.tx_hash}#{row.log_index}", why, "receipt")


def _check_recorded(
    ctx: AuditContext, act: Subject, row: HistoryRow | ConsentHistoryRow, log: ChainLog, details: _Details
) -> None:
    """Time, actor and detail of an act found on chain."""
    reader = ctx.reader
    assert reader is not None
    act.compare("receipt", ("block_timestamp", row.block_timestamp, reader.block_timestamp(log.block_number)))
    named = _addresses(a for other in reader.logs(log.tx_hash) or () for a in other.args.values())
    if row.actor.lower() not in named:
        act.add(FindingKind.FIELD_MISMATCH, "actor", row.actor, sorted(named), "receipt")
    details.check(act, row.act, row.detail_json, log)


class _Details:
    """An act's detail against its event: the event's arguments, and texts whose hashes it carries."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        certificates = ctx.rows(CertificateRow, CertificateRow.seq)
        self.certificate_hash = {c.number: c.certificate_hash for c in certificates}
        for pledge in ctx.rows(PledgeRow, PledgeRow.id):  # pledge registration certificates, hashed again
            stored = _stored_hash(pledge.certificate_json)
            if pledge.certificate_number is not None and stored is not None:
                self.certificate_hash[pledge.certificate_number] = stored
        self.licences = {row.licence_id: row for row in ctx.rows(LicenceRow, LicenceRow.licence_id)}

    def check(self, act: Subject, name: str, detail_json: str, log: ChainLog) -> None:
        reader = self.ctx.reader
        assert reader is not None
        try:
            detail = json.loads(detail_json)
            if not isinstance(detail, dict):
                raise ValueError("not an object")
        except ValueError:
            act.add(FindingKind.FIELD_MISMATCH, "detail_json", detail_json, log.args, "receipt")
            return
        args = log.named_args(reader.inputs(log))
        others = [o.named_args(reader.inputs(o)) for o in reader.logs(log.tx_hash) or () if o is not log]
        wrong: dict[str, Any] = {}
        if name != "registered":  # every other act keeps its event's arguments in its detail
            for key in args:
                if key not in ("assetId", "consentId") and key not in detail:
                    wrong[key] = args[key]
        for key, value in detail.items():
            if key in UNVOUCHED_DETAIL:
                continue
            expected = self._vouched(key, value, args, others)
            if not isinstance(expected, _Unknown) and _norm(value) != _norm(expected):
                wrong[key] = expected
        if wrong:
            shown = {k: detail.get(k) for k in wrong}
            act.add(FindingKind.FIELD_MISMATCH, "detail_json", shown, wrong, "receipt")

    def _vouched(
        self, key: str, value: Any, args: Mapping[str, Any], others: Sequence[Mapping[str, Any]]
    ) -> Any:
        """What the chain says ``key`` of the detail is (``UNKNOWN`` if it cannot tell)."""
        every = [args, *others]
        if key == "stage":  # the review stage, recorded by its label
            stages = [a["stage"] for a in every if "stage" in a]
            return ReviewStage(int(stages[0])).label if stages else UNKNOWN
        if key == "rightClaimed":
            rights = [a["right"] for a in every if "right" in a]
            return right_of_index(int(rights[0])).value if rights else UNKNOWN
        if key == "batched":
            return any("leaf" in a and "root" in a for a in others)
        if key in _HASHED_TEXT:
            hashes = {lower(a.get(_HASHED_TEXT[key])) for a in every} - {None}
            committed = reason_hash(str(value)) if isinstance(value, str) else None
            return value if committed in hashes else sorted(str(h) for h in hashes)
        if key == "number":
            certified = [lower(args.get(k)) for k in ("supersededBy", "certificateHash") if args.get(k)]
            stored = self.certificate_hash.get(str(value))
            if not certified:
                return UNKNOWN
            return value if stored is not None and stored.lower() == certified[0] else certified[0]
        if key == "purpose" and "licenceId" in args:
            licence = self.licences.get(int(args["licenceId"]))
            terms = args.get("terms")
            if licence is None or not isinstance(terms, dict):
                return UNKNOWN
            try:
                committed = text_commitment("licence-purpose", str(value), licence.salt)
            except DataLedgerError:
                committed = None
            return value if committed == lower(terms.get("purposeHash")) else terms.get("purposeHash")
        if key in args:
            return args[key]
        for other in others:
            if key in other:
                return other[key]
        return UNKNOWN


def _addresses(values: Any) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, str) and _ADDRESS.match(value):
            found.add(value.lower())
        elif isinstance(value, dict | list):
            found |= _addresses(value.values() if isinstance(value, dict) else value)
    return found


def _norm(value: Any) -> Any:
    """Values as the detail and the event give them, made comparable (hex case, numbers as text)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        if value.startswith("0x"):
            return value.lower()
        return int(value) if _DECIMAL.match(value) else value
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


# -- the index against the chain --------------------------------------------------------------------


def check_index(ctx: AuditContext) -> int:
    """Each indexed log against its receipt (with a chain reader)."""
    reader = ctx.reader
    if reader is None:
        return 0
    with Session(ctx.engine) as session:
        rows = session.exec(select(ChainEventRow).order_by(col(ChainEventRow.id))).all()
    for row in rows:
        indexed = ctx.findings.subject("chain-event", row.id)
        if not indexed.compare("receipt", ("chain_id", row.chain_id, ctx.chain_id)):
            continue
        if not reader.follows(row.contract):
            indexed.add(FindingKind.FIELD_MISMATCH, "contract", row.contract, reader.contracts, "receipt")
            continue
        log = reader.log_at(row.tx_hash, int(row.log_index))
        if log is None:
            why = "no such transaction" if reader.logs(row.tx_hash) is None else "no such log of the contract"
            indexed.add(
                FindingKind.MISSING_ON_CHAIN, "tx_hash", f"{row.tx_hash}#{row.log_index}", why, "receipt"
            )
            continue
        try:
            args = json.loads(row.args_json)
        except ValueError:
            args = row.args_json
        indexed.compare(
            "receipt",
            ("contract", row.contract, log.contract),
            ("block_number", row.block_number, log.block_number),
            ("block_hash", row.block_hash, log.block_hash),
            ("tx_index", row.tx_index, log.tx_index),
            ("topic0", row.topic0, log.topic0),
            ("event", row.event, log.event),
            ("args_json", args, log.args),
            ("asset_id", row.asset_id, log.asset_id),
        )
    return len(rows)


def check_index_complete(ctx: AuditContext) -> None:
    """Every log of a followed contract in the receipts read, up to the indexed block, is indexed."""
    reader = ctx.reader
    if reader is None or ctx.cursor is None:
        return
    with Session(ctx.engine) as session:
        positions = {
            (tx.lower(), int(i))
            for tx, i in session.exec(select(ChainEventRow.tx_hash, ChainEventRow.log_index))
        }
    for tx_hash in reader.transactions():
        for log in reader.logs(tx_hash) or ():
            if log.block_number <= ctx.cursor and (log.tx_hash, log.log_index) not in positions:
                missing = ctx.findings.subject("chain-event", log.position)
                missing.add(FindingKind.MISSING_IN_DATABASE, "event", None, log.event, "receipt")


def check_chain_against_database(ctx: AuditContext) -> None:
    """Walk the indexed events back to the records: an act on chain the database lacks is named."""
    asset_ids = {a.asset_id for a in ctx.rows(AssetRow, AssetRow.created_at, AssetRow.asset_id)}
    certificate_hashes = {
        c.certificate_hash for c in ctx.rows(CertificateRow, CertificateRow.seq) if c.certificate_hash
    }
    history_positions = {_position(h) for h in ctx.rows(HistoryRow, HistoryRow.id)}
    consent_positions = {_position(h) for h in ctx.rows(ConsentHistoryRow, ConsentHistoryRow.id)}
    # The records an event creates: (record type, the event argument naming it, the ids stored).
    records = {
        "ConsentGranted": ("consent", "consentId", {str(r.consent_id) for r in ctx.rows(ConsentRow)}),
        "LicenceGranted": ("licence", "licenceId", {str(r.licence_id) for r in ctx.rows(LicenceRow)}),
        "ObjectionFiled": ("objection", "objectionId", {str(r.objection_id) for r in ctx.rows(ObjectionRow)}),
    }
    pledges = {_position(p) for p in ctx.rows(PledgeRow)}
    for event in ctx.events:
        position = f"{event.tx_hash}#{event.log_index}"
        if event.event in records:
            record_type, key, stored = records[event.event]
            if str(event.args.get(key)) not in stored:
                missing = ctx.findings.subject(record_type, str(event.args.get(key)))
                missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
        if event.event == "AssetPledged" and (event.tx_hash, event.log_index) not in pledges:
            missing = ctx.findings.subject("pledge", position)
            missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
        if event.event in CONSENT_EVENT_OF_ACT.values():
            if (event.tx_hash, event.log_index) not in consent_positions:
                missing = ctx.findings.subject("consent-history", position)
                missing.add(FindingKind.MISSING_IN_DATABASE, "act", None, event.event, "event")
            continue
        if event.event not in EVENT_OF_ACT.values() or event.asset_id is None:
            continue
        if event.asset_id not in asset_ids:
            if event.event == "AssetRegistered":
                missing = ctx.findings.subject("asset", event.asset_id)
                missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
            continue  # the missing asset is the finding; its acts follow from it
        cert_hash = event.args.get("certificateHash")
        if event.event == "CertificateRecorded" and cert_hash not in certificate_hashes:
            missing = ctx.findings.subject("certificate", str(cert_hash))
            missing.add(FindingKind.MISSING_IN_DATABASE, None, None, position, "event")
        if (event.tx_hash, event.log_index) not in history_positions:
            missing = ctx.findings.subject("asset-history", position)
            missing.add(FindingKind.MISSING_IN_DATABASE, "act", None, event.event, "event")


def _position(row: HistoryRow | ConsentHistoryRow | PledgeRow) -> tuple[str, int] | None:
    """Where the row says its act was recorded (None if it cannot be read: the row is named for it)."""
    try:
        return str(row.tx_hash).lower(), int(row.log_index)
    except UNREADABLE:
        return None


def _stored_hash(certificate_json: str | None) -> str | None:
    """The hash of a stored credential (None if there is none, or it does not parse)."""
    if certificate_json is None:
        return None
    try:
        return certificate_hash(json.loads(certificate_json))
    except (ValueError, TypeError, DataLedgerError):
        return None
