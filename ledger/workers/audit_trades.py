"""The audit of orders and trades (every stored trade against the ``DataTrades`` contract's record of
it), of the holders' mandates (the standing grant, or its revocation, against the contract's mandate),
of data vouchers (every programme against the ``DataVouchers`` contract) and of the registration fees
registrars recorded (each against the contract's record of it).

The chain holds a trade's listing, asset, exchange, parties, amount, currency, the licence terms hash
the order was bound to, its status, the hash of the settlement record and the licence linked. The
database holds the settlement record's text: it is hashed again here, so an edit of the reference a
payment was settled with is a finding even when the hash column was left alone.
"""

from __future__ import annotations

from dataledger.ledger.sql.trade_tables import MarketMandateRow, MarketTradeRow
from dataledger.ledger.sql.voucher_tables import RegistrationFeeRow, VoucherMovementRow, VoucherProgrammeRow
from dataledger.ledger.workers.audit_context import AuditContext
from dataledger.ledger.workers.audit_findings import FindingKind
from dataledger.registry.market.listings import exchange_key
from dataledger.registry.market.trades import settlement_hash


def check_trades(ctx: AuditContext) -> int:
    trades = ctx.trades
    if trades is None:
        return 0
    rows = ctx.rows(MarketTradeRow, MarketTradeRow.seq)
    for row in rows:
        subject = ctx.findings.subject("trade", row.order_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = trades.trade_of(row.order_id)
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "order_id", row.order_id, None, "contract")
                continue
            subject.compare(
                "contract",
                ("listing_id", row.listing_id, on_chain["listingId"]),
                ("asset_id", row.asset_id, on_chain["assetId"]),
                ("exchange_id", exchange_key(row.exchange_id), on_chain["exchangeKey"]),
                ("buyer_address", row.buyer_address, on_chain["buyer"]),
                ("seller_address", row.seller_address, on_chain["seller"]),
                ("accepted_by", row.accepted_by, on_chain["acceptedBy"]),
                ("amount", row.amount, on_chain["amount"]),
                ("currency", row.currency, on_chain["currency"]),
                ("terms_hash", row.terms_hash, on_chain["termsHash"]),
                ("status", row.status, on_chain["status"]),
                ("settlement_hash", row.settlement_hash, on_chain["settlementHash"]),
                ("licence_id", row.licence_id, on_chain["licenceId"]),
            )
            if row.settlement_reference is not None:
                record = settlement_hash(row.order_id, row.amount, row.currency, row.settlement_reference)
                subject.commitment("settlement_reference", record, on_chain["settlementHash"])
    return len(rows)


def check_mandates(ctx: AuditContext) -> int:
    """The standing grant of each holder, agent and listing (or its revocation) against the contract's
    mandate: a revoked mandate stored must be no mandate on chain, a granted one its ``validUntil``.
    Superseded grants are history the chain no longer holds."""
    trades = ctx.trades
    if trades is None:
        return 0
    rows = ctx.rows(MarketMandateRow, MarketMandateRow.seq)
    standing = [row for row in rows if row.ended != "superseded"]
    for row in standing:
        subject = ctx.findings.subject("mandate", f"{row.holder}/{row.agent}/{row.listing_id}")
        with ctx.unreadable_is_a_finding(subject):
            on_chain = trades.mandate_of(row.holder, row.agent, row.listing_id)
            stored = 0 if row.ended == "revoked" else row.valid_until
            subject.compare("contract", ("valid_until" if row.ended is None else "ended", stored, on_chain))
    return len(standing)


def check_fees(ctx: AuditContext) -> int:
    """Every recorded registration fee against the contract's: registrar, payer, amount, currency, and
    the programme whose vouchers were redeemed against it."""
    vouchers = ctx.vouchers
    if vouchers is None:
        return 0
    rows = ctx.rows(RegistrationFeeRow, RegistrationFeeRow.asset_id)
    for row in rows:
        subject = ctx.findings.subject("registration_fee", row.asset_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = vouchers.registration_fee_of(row.asset_id)
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "asset_id", row.asset_id, None, "contract")
                continue
            subject.compare(
                "contract",
                ("registrar_address", row.registrar_address, on_chain["registrar"]),
                ("payer_address", row.payer_address, on_chain["payer"]),
                ("amount", row.amount, on_chain["amount"]),
                ("currency", row.currency, on_chain["currency"]),
                ("redeemed_in", row.redeemed_in, on_chain["redeemedIn"]),
            )
    return len(rows)


def check_vouchers(ctx: AuditContext) -> int:
    """Every programme's rules against the contract's, and its stored issues and redemptions summed
    against the contract's totals and each enterprise's balance (a movement edited, added or deleted
    in the database no longer adds up)."""
    vouchers = ctx.vouchers
    if vouchers is None:
        return 0
    programmes = ctx.rows(VoucherProgrammeRow, VoucherProgrammeRow.programme_id)
    movements = ctx.rows(VoucherMovementRow, VoucherMovementRow.seq)
    for row in programmes:
        subject = ctx.findings.subject("voucher_programme", row.programme_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = vouchers.programme_of(row.programme_id)
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "programme_id", row.programme_id, None, "contract")
                continue
            mine = [m for m in movements if m.programme_id == row.programme_id]
            issued = sum(m.value for m in mine if m.kind == "issue")
            redeemed = sum(m.value for m in mine if m.kind == "redemption")
            subject.compare(
                "contract",
                ("authority_address", row.authority_address, on_chain["authority"]),
                ("currency", row.currency, on_chain["currency"]),
                ("budget", row.budget, on_chain["budget"]),
                ("share_cap_bps", row.share_cap_bps, on_chain["shareCapBps"]),
                ("enterprise_cap", row.enterprise_cap, on_chain["enterpriseCap"]),
                ("period_seconds", row.period_seconds, on_chain["periodSeconds"]),
                ("issued", issued, on_chain["issued"]),
                ("redeemed", redeemed, on_chain["redeemed"]),
            )
            for enterprise in sorted({m.enterprise_address for m in mine}):
                held = sum(
                    m.value if m.kind == "issue" else -m.value
                    for m in mine
                    if m.enterprise_address == enterprise
                )
                subject.compare(
                    "contract",
                    (f"balance of {enterprise}", held, vouchers.balance_of(row.programme_id, enterprise)),
                )
    return len(programmes)
