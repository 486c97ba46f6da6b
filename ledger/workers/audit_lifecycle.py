"""The audit of the lifecycle's records: objections, pledges, licences and consents.

Each is compared with the contract's record of it (``objectionOf``, ``licenceOf``, ``consentOf``; a
pledge with the event that made it and the contract's current pledgee), and its texts, kept off chain,
with the salted or plain hashes the chain holds (objection reason, pledge terms, licence scope,
purpose and territory, consent purpose; resolution and revocation reasons through the events that
recorded them). A participant id stored beside an address must name the participant at the address
the chain gives.
"""

from __future__ import annotations

from typing import Any

from dataledger.ledger.sql.tables import ConsentRow, LicenceRow, ObjectionRow, PledgeRow
from dataledger.ledger.workers import audit_pledges
from dataledger.ledger.workers.audit_assets import event_args
from dataledger.ledger.workers.audit_context import AuditContext
from dataledger.ledger.workers.audit_findings import FindingKind, Subject, lower
from dataledger.registry.assets import reason_hash, text_commitment
from dataledger.registry.chain_records import ZERO_HASH, ObjectionStatus
from dataledger.registry.errors import DataLedgerError

_OBJECTION_STATUS = {
    ObjectionStatus.OPEN: "open",
    ObjectionStatus.UPHELD: "upheld",
    ObjectionStatus.DISMISSED: "dismissed",
}


def _text(kind: str, text: str | None, salt: str) -> str | None:
    try:
        return text_commitment(kind, text or "", salt)
    except DataLedgerError:
        return None


def _participant(
    ctx: AuditContext, subject: Subject, name: str, stored: str | None, address: str | None
) -> None:
    """A stored participant id is the participant at the chain's address (none stored: none known)."""
    if stored is not None:
        subject.compare("contract", (name, stored, ctx.participant_at(address)))


# -- objections -------------------------------------------------------------------------------------


def check_objections(ctx: AuditContext) -> int:
    rows = ctx.rows(ObjectionRow, ObjectionRow.objection_id)
    for row in rows:
        subject = ctx.findings.subject("objection", row.objection_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = ctx.registry.objection(int(row.objection_id))
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "objection_id", row.objection_id, None, "contract")
                continue
            subject.compare(
                "contract",
                ("asset_id", row.asset_id, on_chain.asset_id),
                ("objector_address", row.objector_address.lower(), on_chain.objector.lower()),
                ("evidence_hash", lower(row.evidence_hash), on_chain.evidence_hash),
            )
            if row.status != _OBJECTION_STATUS.get(on_chain.status):
                chain_status = _OBJECTION_STATUS.get(on_chain.status)
                subject.add(FindingKind.STATUS_MISMATCH, "status", row.status, chain_status, "contract")
            subject.commitment("reason", reason_hash(row.reason), on_chain.reason_hash)
            _participant(ctx, subject, "objector_id", row.objector_id, on_chain.objector)
            ctx.locate(
                subject,
                contract=None,
                tx_hash=row.tx_hash,
                block_number=row.block_number,
                log_index=row.log_index,
                event="ObjectionFiled",
                key="objectionId",
                value=row.objection_id,
                key_field="objection_id",
            )
            if on_chain.status is ObjectionStatus.OPEN:
                subject.compare("contract", ("resolution", row.resolution, None))
                continue
            found, committed = _committed(
                ctx, "ObjectionResolved", "objectionId", row.objection_id, "resolutionHash"
            )
            if found:
                subject.commitment("resolution", reason_hash(row.resolution or ""), committed)
    return len(rows)


# -- pledges ----------------------------------------------------------------------------------------


def check_pledges(ctx: AuditContext) -> int:
    rows = ctx.rows(PledgeRow, PledgeRow.id)
    for row in rows:
        subject = ctx.findings.subject("pledge", row.id)
        with ctx.unreadable_is_a_finding(subject):
            found = ctx.locate(
                subject,
                contract=None,
                tx_hash=row.tx_hash,
                block_number=row.block_number,
                log_index=row.log_index,
                event="AssetPledged",
                key="assetId",
                value=row.asset_id,
                key_field="asset_id",
            )
            if found is None:
                continue
            args = found.args
            subject.compare(
                found.source,
                ("pledgor_address", row.pledgor_address.lower(), lower(args.get("holder"))),
                ("pledgee_address", row.pledgee_address.lower(), lower(args.get("pledgee"))),
                ("terms_hash", lower(row.terms_hash), lower(args.get("termsHash"))),
            )
            subject.commitment(
                "terms", _text("pledge-terms", row.terms, row.salt), lower(args.get("termsHash"))
            )
            _participant(ctx, subject, "pledgee_id", row.pledgee_id, args.get("pledgee"))
            subject.compare(
                found.source, ("status", row.status, _pledge_status(ctx, row, found.block_number))
            )
            audit_pledges.check_financing(ctx, subject, row, found)
    return len(rows)


def _pledge_status(ctx: AuditContext, row: PledgeRow, block_number: int) -> str:
    """How the chain says the pledge stands: the first release or enforcement of the asset after it."""
    after = (block_number, int(row.log_index))
    for event in ctx.events_of(row.asset_id):
        if (event.block_number, event.log_index) <= after:
            continue
        if event.event == "PledgeReleased":
            return "released"
        if event.event == "PledgeEnforced":
            return "enforced"
        if event.event == "AssetPledged":
            break  # pledged again without an end: the index lacks it; the contract tells below
    procedure = ctx.procedure(row.asset_id)
    pledgee = procedure.pledgee if procedure else None
    return "active" if pledgee is not None and pledgee.lower() == row.pledgee_address.lower() else "ended"


# -- licences ---------------------------------------------------------------------------------------


def check_licences(ctx: AuditContext) -> int:
    client = ctx.licences
    if client is None:
        return 0
    rows = ctx.rows(LicenceRow, LicenceRow.licence_id)
    for row in rows:
        subject = ctx.findings.subject("licence", row.licence_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = client.licence(int(row.licence_id))
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "licence_id", row.licence_id, None, "contract")
                continue
            terms = on_chain.terms
            subject.compare(
                "contract",
                ("asset_id", row.asset_id, terms.asset_id),
                ("licensor_address", row.licensor_address.lower(), on_chain.licensor.lower()),
                ("licensee_address", row.licensee_address.lower(), terms.licensee.lower()),
                ("asset_version", row.asset_version, terms.asset_version),
                ("max_uses", row.max_uses, terms.max_uses),
                ("uses", row.uses, on_chain.uses),
                ("valid_from", row.valid_from, terms.valid_from),
                ("valid_until", row.valid_until, terms.valid_until),
                ("derivatives_allowed", bool(row.derivatives_allowed), terms.derivatives_allowed),
                ("commercial", bool(row.commercial), terms.commercial),
                ("exclusivity", row.exclusivity, terms.exclusivity.value),
                ("revoked", bool(row.revoked), on_chain.revoked),
            )
            subject.commitment("scope", _text("licence-scope", row.scope, row.salt), terms.scope_hash)
            subject.commitment("purpose", _text("licence-purpose", row.purpose, row.salt), terms.purpose_hash)
            territory = _text("licence-territory", row.territory, row.salt) if row.territory else ZERO_HASH
            subject.commitment("territory", territory, terms.territory_hash)
            _participant(ctx, subject, "licensee_id", row.licensee_id, terms.licensee)
            ctx.locate(
                subject,
                contract=client.address,
                tx_hash=row.tx_hash,
                block_number=row.block_number,
                log_index=row.log_index,
                event="LicenceGranted",
                key="licenceId",
                value=row.licence_id,
                key_field="licence_id",
            )
            if not on_chain.revoked:
                subject.compare("contract", ("revocation_reason", row.revocation_reason, None))
                continue
            found, committed = _committed(ctx, "LicenceRevoked", "licenceId", row.licence_id, "reasonHash")
            if found:
                subject.commitment("revocation_reason", reason_hash(row.revocation_reason or ""), committed)
    return len(rows)


# -- consents ---------------------------------------------------------------------------------------


def check_consents(ctx: AuditContext) -> int:
    client = ctx.licences
    if client is None:
        return 0
    rows = ctx.rows(ConsentRow, ConsentRow.consent_id)
    for row in rows:
        subject = ctx.findings.subject("consent", row.consent_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = client.consent(int(row.consent_id))
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "consent_id", row.consent_id, None, "contract")
                continue
            subject.compare(
                "contract",
                ("subject_address", row.subject_address.lower(), on_chain.subject.lower()),
                ("enterprise_address", row.enterprise_address.lower(), on_chain.enterprise.lower()),
                ("valid_until", row.valid_until, on_chain.valid_until),
                ("purpose_hash", lower(row.purpose_hash), on_chain.purpose_hash),
                ("request_hash", lower(row.request_hash), on_chain.request_hash),
            )
            if row.status != on_chain.status.name.lower():
                subject.add(
                    FindingKind.STATUS_MISMATCH,
                    "status",
                    row.status,
                    on_chain.status.name.lower(),
                    "contract",
                )
            subject.commitment(
                "purpose", _text("consent-purpose", row.purpose, row.salt), on_chain.purpose_hash
            )
            _participant(ctx, subject, "enterprise_id", row.enterprise_id, on_chain.enterprise)
    return len(rows)


def _committed(ctx: AuditContext, event: str, key: str, value: int, argument: str) -> tuple[bool, Any]:
    """Whether ``event`` with ``key == value`` was indexed, and the hash argument it committed to, as
    its transaction's receipt states it (the index's copy only when the receipt cannot be read)."""
    indexed = ctx.indexed(event, key, value)
    if not indexed:
        return False, None
    args = event_args(ctx, indexed[0].tx_hash, indexed[0].log_index, event)
    return True, lower((args or indexed[0].args).get(argument))
