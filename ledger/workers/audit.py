"""Reconciliation audit: every stored record checked against the chain, and the chain against the records.

The database mirrors what the chain holds (holder, hashes, status, the evidence where each act was
recorded) and keeps what the chain only commits to (facts, salts, texts, signatures, event JSON).
:func:`audit` checks both kinds of fact:

* mirrored facts are compared with the contracts' current state (assets, procedures, certificates,
  objections, licences, consents, anchors) and with the events that recorded them;
* facts kept off chain are recomputed into the commitments the chain holds and compared: an asset's
  facts, salt and committing holder into its metadata hash (per version), its lawful-source statement,
  its registration signature (recovered over the registration the chain recorded), a batched
  registration's Merkle leaf, an EPCIS event's hash ID and leaf, licence, pledge and consent texts
  into their salted hashes, reasons into the hashes their acts recorded;
* each act's history row is re-read from its transaction's receipt (``check_act``), not only from the
  event index, which is a SQL table like the others and is itself checked against the receipts.

Each disagreement becomes a :class:`Finding` naming the record, the field, the database's value and the
chain's (or the recomputed commitment's). The checks live in ``ledger.workers.audit_*``. It reads
only; it changes nothing.

An audit is a point in time: an act in flight (on chain, its database row not yet updated) shows up as
a finding, and so does a record in blocks not yet indexed (``not-yet-indexed``); audit again later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine
from web3 import Web3

from dataledger.ledger.workers import (
    audit_acts,
    audit_anchoring,
    audit_assets,
    audit_lifecycle,
    audit_market,
    audit_merchants,
    audit_pledges,
    audit_trades,
)
from dataledger.ledger.workers.audit_chain import ChainReader
from dataledger.ledger.workers.audit_context import (
    UNREADABLE,
    AuditContext,
    AuditedAnchors,
    AuditedLicences,
    AuditedMarket,
    AuditedRegistry,
    AuditedTrades,
    AuditedVouchers,
)
from dataledger.ledger.workers.audit_findings import Finding, FindingKind, show
from dataledger.ledger.workers.indexer import EventIndex, EventIndexer

__all__ = [
    "AuditReport",
    "AuditedAnchors",
    "AuditedLicences",
    "AuditedRegistry",
    "ChainReader",
    "Finding",
    "FindingKind",
    "audit",
]


_T = TypeVar("_T")


# Told each step of the audit as it starts: (step, steps done, steps in all); ("done", n, n) at the end.
AuditProgress = Callable[[str, int, int], None]


class _HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


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
        indexed_to = show(self.indexed_to_block)
        lines = [
            f"Audit of registry {self.contract} on chain {self.chain_id} "
            f"(events indexed to block {indexed_to})",
            f"Checked {c.get('assets', 0)} assets, {c.get('certificates', 0)} certificates and "
            f"{c.get('history', 0)} history rows against the contract and "
            f"{c.get('events', 0)} indexed events.",
        ]
        lifecycle = ("objections", "pledges", "licences", "consents", "batched_registrations", "epcis_events")
        if any(c.get(name) for name in lifecycle):
            lines.append(
                "Checked "
                + ", ".join(f"{c.get(name, 0)} {name.replace('_', ' ')}" for name in lifecycle)
                + " against their commitments and the contracts."
            )
        if "receipts" in c:
            lines.append(
                f"Re-read {c['receipts']} transaction receipts for the acts and the "
                f"{c.get('indexed_logs', 0)} indexed logs."
            )
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
    licences: AuditedLicences | None = None,
    chain: Web3 | ChainReader | None = None,
    progress: AuditProgress | None = None,
    market: AuditedMarket | None = None,
    trades: AuditedTrades | None = None,
    vouchers: AuditedVouchers | None = None,
) -> AuditReport:
    """Compare every stored record with the chain. With an ``EventIndexer`` (and ``sync``), the index
    is brought up to date first; with an engine or ``EventIndex`` it is used as it stands.

    ``anchors`` (the anchor registry) checks every Merkle batch and what it anchors (batched
    registrations, EPCIS events and declarations, log checkpoints); ``licences`` (the licence registry)
    checks licences and consents against their contract; ``chain`` (a Web3 connection, or a
    :class:`ChainReader` kept across audits of one chain) re-reads every act, every indexed log and
    every deployment from its transaction's receipt. Without ``chain`` the acts are checked against
    the index and, one receipt per act, through the contract clients' ``check_act``. ``progress`` is
    told each step as it starts (its name, how many steps are done, how many there are). ``market`` (the
    market contract) checks every listing, its published content and its report; ``trades`` (the trades
    contract) every order and trade: its parties, amount, currency, terms, status and settlement, and
    every standing mandate (or its revocation); ``vouchers`` (the vouchers contract) every programme's
    rules, and its issues and redemptions summed against the contract's totals and each enterprise's
    balance, and every recorded registration fee."""
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
    if licences is not None and all(c.lower() != licences.address.lower() for c in contracts):
        contracts.append(licences.address)
    reader = ChainReader(chain) if isinstance(chain, Web3) else chain
    if reader is not None and isinstance(indexer_or_engine, EventIndexer):
        for address, abi in indexer_or_engine.followed:  # every contract whose logs are indexed
            reader.follow(address, abi)
    ctx = AuditContext(
        store.engine,
        registry_client,
        index,
        contracts,
        anchors=anchors,
        licences=licences,
        reader=reader,
        market=market,
        trades=trades,
        vouchers=vouchers,
    )
    return _run(ctx, reader, progress)


def _steps(ctx: AuditContext) -> list[tuple[str, Callable[[], None]]]:
    """The audit's steps in order, each a table (or the chain's index) checked as a whole."""
    counts = ctx.counts

    def check(name: str, run: Callable[[], _T], default: _T) -> _T:
        """Run one table's check; a value it cannot read is a finding, and the audit goes on."""
        try:
            return run()
        except UNREADABLE as error:
            table = ctx.findings.subject("table", name)
            table.add(FindingKind.FIELD_MISMATCH, None, f"unreadable: {error!r}", None, "database")
            return default

    def counted(name: str, run: Callable[[], int]) -> tuple[str, Callable[[], None]]:
        def step() -> None:
            counts[name] = check(name, run, 0)

        return name, step

    anchors = ctx.anchors
    committed_by: dict[tuple[str, int], str] = {}

    def anchor_batches() -> None:
        assert anchors is not None
        counts["anchor_batches"], counts["anchored_entries"] = check(
            "anchor_batches", lambda: audit_anchoring.check_anchor_batches(ctx, anchors), (0, 0)
        )

    def versions() -> None:
        none: dict[tuple[str, int], str] = {}
        committed_by.update(check("asset_versions", lambda: audit_assets.check_versions(ctx), none))

    def log() -> None:
        counts["log_entries"], counts["log_checkpoints"] = check(
            "log_entries", lambda: audit_anchoring.check_log(ctx), (0, 0)
        )

    def chain_events() -> None:
        counts["indexed_logs"] = check("chain_events", lambda: audit_acts.check_index(ctx), 0)
        check("chain_events", lambda: audit_acts.check_index_complete(ctx), None)
        check("chain_events", lambda: audit_acts.check_chain_against_database(ctx), None)

    # first: the entries of a batch whose root fails are named by it
    steps = [("anchor_batches", anchor_batches)] if anchors is not None else []
    return [
        *steps,
        ("asset_versions", versions),
        counted("assets", lambda: audit_assets.check_assets(ctx, committed_by)),
        counted("certificates", lambda: audit_assets.check_certificates(ctx)),
        counted("history", lambda: audit_acts.check_history(ctx)),
        counted("consent_history", lambda: audit_acts.check_consent_history(ctx)),
        counted("objections", lambda: audit_lifecycle.check_objections(ctx)),
        counted("pledges", lambda: audit_lifecycle.check_pledges(ctx)),
        counted("pledge_valuations", lambda: audit_pledges.check_valuations(ctx)),
        counted("licences", lambda: audit_lifecycle.check_licences(ctx)),
        counted("consents", lambda: audit_lifecycle.check_consents(ctx)),
        counted("listings", lambda: audit_market.check_listings(ctx)),
        counted("buyer_applications", lambda: audit_merchants.check_buyer_decisions(ctx)),
        counted("trades", lambda: audit_trades.check_trades(ctx)),
        counted("voucher_programmes", lambda: audit_trades.check_vouchers(ctx)),
        counted("mandates", lambda: audit_trades.check_mandates(ctx)),
        counted("registration_fees", lambda: audit_trades.check_fees(ctx)),
        counted("batched_registrations", lambda: audit_assets.check_batched(ctx)),
        counted("anchor_outbox", lambda: audit_anchoring.check_outbox(ctx)),
        counted("epcis_events", lambda: audit_anchoring.check_epcis_events(ctx)),
        counted("epcis_error_declarations", lambda: audit_anchoring.check_error_declarations(ctx)),
        ("log_entries", log),
        counted("deployments", lambda: audit_anchoring.check_deployments(ctx)),
        ("chain_events", chain_events),
    ]


def _run(ctx: AuditContext, reader: ChainReader | None, progress: AuditProgress | None) -> AuditReport:
    counts = ctx.counts
    steps = _steps(ctx)
    for done, (name, step) in enumerate(steps):
        if progress is not None:
            progress(name, done, len(steps))
        step()
    if progress is not None:
        progress("done", len(steps), len(steps))
    counts["events"] = len(ctx.events)
    if reader is not None:
        counts["receipts"] = len(reader.transactions())
    findings = ctx.findings.all()
    for kind in FindingKind:
        counts[kind.value] = sum(1 for f in findings if f.kind is kind)
    return AuditReport(ctx.chain_id, ctx.contract, ctx.cursor, findings, counts)
