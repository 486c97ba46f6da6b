"""The audit of pledge financing: what a pledge secures, its valuations and its registration certificate.

The chain states in clear what both parties signed (secured amount, currency, maturity) and the salted
hashes of the texts kept off chain (the valuation); the registrar's ``PledgeCertificateRecorded`` holds
the hash of the pledge registration certificate. Each stored value is held to them; each valuation
the chain recorded (``AssetPledged``, ``PledgeRevalued``) must have its stored row, and each stored
valuation its event.
"""

from __future__ import annotations

import json
from typing import Any

from dataledger.ledger.sql.tables import PledgeRow, PledgeValuationRow
from dataledger.ledger.workers.audit_context import AuditContext, Located
from dataledger.ledger.workers.audit_findings import FindingKind, Subject, lower
from dataledger.registry.assets import text_commitment
from dataledger.registry.certificate import certificate_hash
from dataledger.registry.errors import DataLedgerError

_VALUATION_EVENTS = ("AssetPledged", "PledgeRevalued")


def check_financing(ctx: AuditContext, subject: Subject, row: PledgeRow, found: Located) -> None:
    """The financing columns of a pledge against its ``AssetPledged`` (``found``) and what followed."""
    args = found.args
    if "securedAmount" not in args:
        return  # a pledge of a contract before pledge financing: nothing more on chain to hold it to
    subject.compare(
        found.source,
        ("secured_amount", row.secured_amount, int(args["securedAmount"])),
        ("currency", row.currency, args["currency"]),
        ("maturity", row.maturity, int(args["maturity"])),
    )
    span = _span(ctx, row.asset_id, found)
    pledged = [e for e in ctx.events_of(row.asset_id) if e.event == "AssetPledged"]
    before = (found.block_number, found.log_index)
    serial = 1 + sum(1 for e in pledged if (e.block_number, e.log_index) < before)
    subject.compare("event", ("serial", row.serial, serial))
    valuations = [e for e in span if e.event == "PledgeRevalued"]
    current = valuations[-1].args["valuationHash"] if valuations else args["valuationHash"]
    subject.compare("event", ("valuation_hash", lower(row.valuation_hash), lower(current)))
    subject.commitment(
        "valuation", _text("pledge-valuation", row.valuation, row.valuation_salt), lower(current)
    )
    certified = [e for e in span if e.event == "PledgeCertificateRecorded"]
    if row.certificate_json is None:
        if certified:
            subject.add(
                FindingKind.MISSING_IN_DATABASE,
                "certificate_json",
                None,
                certified[0].args["certificateHash"],
                "event",
            )
        return
    recomputed = _certificate_hash(row.certificate_json)
    subject.commitment(
        "certificate_json", recomputed, lower(certified[0].args["certificateHash"]) if certified else None
    )
    stated = _stated_number(row.certificate_json)
    subject.compare("commitment", ("certificate_number", row.certificate_number, stated))


def check_valuations(ctx: AuditContext) -> int:
    """Every stored valuation against the event that recorded its hash, and every valuation event of a
    stored pledge against its stored row."""
    rows = ctx.rows(PledgeValuationRow, PledgeValuationRow.id)
    pledges = {p.id: p for p in ctx.rows(PledgeRow, PledgeRow.id)}
    stored = set()
    for row in rows:
        position = f"{row.tx_hash}#{row.log_index}"
        stored.add(position.lower())
        subject = ctx.findings.subject("pledge-valuation", position)
        with ctx.unreadable_is_a_finding(subject):
            pledge = pledges.get(row.pledge_id)
            found = ctx.locate(
                subject,
                contract=None,
                tx_hash=row.tx_hash,
                block_number=row.block_number,
                log_index=row.log_index,
                event=_event_at(ctx, row.tx_hash, row.log_index),
                key="assetId",
                value=pledge.asset_id if pledge else None,
                key_field="pledge_id",
            )
            if found is None:
                continue
            chain_hash = lower(found.args.get("valuationHash"))
            subject.compare(found.source, ("valuation_hash", lower(row.valuation_hash), chain_hash))
            subject.commitment("valuation", _text("pledge-valuation", row.valuation, row.salt), chain_hash)
    for pledge in pledges.values():
        for event in ctx.events_of(pledge.asset_id):
            if event.event not in _VALUATION_EVENTS:
                continue
            if event.event == "AssetPledged" and event.tx_hash.lower() != pledge.tx_hash.lower():
                continue
            if event.event == "PledgeRevalued" and not _within(ctx, pledge, event):
                continue
            position = f"{event.tx_hash}#{event.log_index}".lower()
            if position not in stored and "valuationHash" in event.args:
                ctx.findings.subject("pledge-valuation", f"{event.tx_hash}#{event.log_index}").add(
                    FindingKind.MISSING_IN_DATABASE, "valuation", None, event.args["valuationHash"], "event"
                )
    return len(rows)


def _event_at(ctx: AuditContext, tx_hash: str, log_index: int) -> str:
    """The name of the indexed event at a position (the one a valuation row may cite)."""
    indexed = ctx.by_position.get((str(tx_hash).lower(), int(log_index)))
    return indexed.event if indexed is not None and indexed.event in _VALUATION_EVENTS else "PledgeRevalued"


def _span(ctx: AuditContext, asset_id: str, found: Located) -> list[Any]:
    """The asset's events after this pledge, up to its end (release, enforcement or the next pledge)."""
    after, span = (found.block_number, found.log_index), []
    for event in ctx.events_of(asset_id):
        if (event.block_number, event.log_index) <= after:
            continue
        if event.event in ("PledgeReleased", "PledgeEnforced", "AssetPledged"):
            break
        span.append(event)
    return span


def _within(ctx: AuditContext, pledge: PledgeRow, event: Any) -> bool:
    start = (pledge.block_number, pledge.log_index)
    if (event.block_number, event.log_index) <= start:
        return False
    for other in ctx.events_of(pledge.asset_id):
        position = (other.block_number, other.log_index)
        if start < position < (event.block_number, event.log_index) and other.event in (
            "PledgeReleased",
            "PledgeEnforced",
            "AssetPledged",
        ):
            return False
    return True


def _text(kind: str, text: str | None, salt: str | None) -> str | None:
    try:
        return text_commitment(kind, text or "", salt or "")
    except DataLedgerError:
        return None


def _certificate_hash(stored: str) -> str | None:
    try:
        return certificate_hash(json.loads(stored))
    except (ValueError, TypeError, DataLedgerError):
        return None


def _stated_number(stored: str) -> Any:
    try:
        return json.loads(stored)["credentialSubject"]["pledgeCertificateNumber"]
    except (ValueError, TypeError, KeyError):
        return None
