"""The audit of buyer verification: every decided application's ``BuyerDecision`` signature, recovered
again, must be the listing holder's, over the verdict, the reason and the deadline the database holds.

Decisions are not sent to a contract (``registry.market.merchants``); the holder's signature is what
makes them evidence. So an edit of a decision in the database (approved for declined, another reason,
another holder, a signature copied from another application) is a finding naming the application.
Enrolments and buyer policies are the exchanges' and holders' own settings, off chain.
"""

from __future__ import annotations

from dataledger.ledger.sql.merchant_store import application_of
from dataledger.ledger.sql.merchant_tables import BuyerApplicationRow
from dataledger.ledger.workers.audit_context import AuditContext
from dataledger.ledger.workers.audit_findings import FindingKind
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.market.merchants import ApplicationStatus, decision_domain


def check_buyer_decisions(ctx: AuditContext) -> int:
    market = ctx.market
    if market is None:
        return 0
    domain = decision_domain(ctx.chain_id, market.address)
    rows = ctx.rows(BuyerApplicationRow, BuyerApplicationRow.seq)
    for row in rows:
        subject = ctx.findings.subject("buyer-application", row.application_id)
        application = application_of(row.model_dump())
        decision = application.recorded_decision()
        if application.status is ApplicationStatus.PENDING:
            if row.decision_signature is not None:
                subject.add(FindingKind.FIELD_MISMATCH, "status", row.status, "decided", "signature")
            continue
        if decision is None or row.decision_signature is None:
            subject.add(
                FindingKind.FIELD_MISMATCH, "decision_signature", None, "a holder's signature", "signature"
            )
            continue
        try:
            signer = decision.signer(domain, row.decision_signature)
        except DataLedgerError:
            signer = None
        if signer != row.holder.lower():
            subject.add(FindingKind.FIELD_MISMATCH, "decision_signature", row.holder, signer, "signature")
    return len(rows)
