"""The pledge registration certificate: a W3C Verifiable Credential, secured and anchored like the
registration certificate (``registry.certificate``).

A registrar files a pledge both parties signed and issues this credential: who pledged which asset
(its registration and certificate numbers) to whom, what it secures (amount, currency, maturity), the
hashes of the pledge contract and of the valuation the pledgee relied on, and where the chain
recorded the pledge. Its hash is recorded on chain by the registrar's signed ``PledgeCertificate``
act, so a bank, a court or an auditor can check it: the proof, the record on chain, and whether the
pledge it certifies still stands (``PledgeStanding``), released or enforced.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dataledger.registry.certificate import (
    VC_V2_CONTEXT,
    add_proof,
    certificate_hash,
    format_datetime,
    holder_did,
    verify_proof,
)
from dataledger.registry.chain_records import OnChainPledge, OnChainPledgeCertificate
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import VerificationFailed
from dataledger.registry.registrar_keys import RegistrarKey, RegistrarPublicKey

PLEDGE_CREDENTIAL_TYPES = ("VerifiableCredential", "DataPledgeRegistrationCertificate")
PLEDGE_CERTIFICATE_ID_PREFIX = "urn:dataledger:pledge-certificate:"


@dataclass(frozen=True, slots=True)
class PledgeCertificateFacts:
    """What a pledge registration certificate states."""

    number: str
    asset_id: str
    asset_name: str
    registration_number: str | None
    certificate_number: str | None  # the asset's registration certificate when the pledge was filed
    pledgor_address: str
    pledgor_name: str
    pledgee_address: str
    pledgee_name: str
    secured_amount: int
    currency: str
    maturity: int
    terms_hash: str
    valuation_hash: str
    evidence: ChainEvidence  # where the chain recorded the pledge (its AssetPledged event)
    issued_at: datetime
    registrar_name: str


def issue_pledge_certificate(facts: PledgeCertificateFacts, key: RegistrarKey) -> dict[str, Any]:
    """The signed credential: the same facts and key always give the same bytes (deterministic proof)."""
    subject: dict[str, Any] = {
        "id": holder_did(facts.evidence.chain_id, facts.pledgee_address),
        "pledgeCertificateNumber": facts.number,
        "asset": {"assetId": facts.asset_id, "name": facts.asset_name},
        "pledgor": {"address": facts.pledgor_address, "name": facts.pledgor_name},
        "pledgee": {"address": facts.pledgee_address, "name": facts.pledgee_name},
        "securedAmount": facts.secured_amount,
        "currency": facts.currency,
        "maturity": format_datetime(datetime.fromtimestamp(facts.maturity, UTC)),
        "termsHash": facts.terms_hash,
        "valuationHash": facts.valuation_hash,
        "chainEvidence": facts.evidence.as_json(),
    }
    if facts.registration_number is not None:
        subject["asset"]["registrationNumber"] = facts.registration_number
    if facts.certificate_number is not None:
        subject["asset"]["certificateNumber"] = facts.certificate_number
    credential = {
        "@context": [VC_V2_CONTEXT],
        "id": PLEDGE_CERTIFICATE_ID_PREFIX + facts.number,
        "type": list(PLEDGE_CREDENTIAL_TYPES),
        "issuer": {"id": key.did, "name": facts.registrar_name},
        "validFrom": format_datetime(facts.issued_at),
        "credentialSubject": subject,
    }
    return add_proof(credential, key, created=facts.issued_at)


class PledgeStanding(enum.StrEnum):
    """Where the certified pledge stands, as the chain and the registry say."""

    ACTIVE = "active"  # the pledge stands: the asset can be neither transferred nor cancelled
    ENDED = "ended"  # released by the pledgee, or enforced
    UNKNOWN = "unknown"  # the chain holds no such certificate
    TAMPERED = "tampered"  # the credential's proof does not verify


@dataclass(frozen=True, slots=True)
class PledgeCertificateReport:
    standing: PledgeStanding
    checks: tuple[tuple[str, bool, str], ...]  # (check, passed, detail)

    @property
    def valid(self) -> bool:
        return self.standing is PledgeStanding.ACTIVE

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "standing": self.standing.value,
            "checks": [{"check": c, "passed": ok, "detail": d} for c, ok, d in self.checks],
        }


def check_pledge_certificate(
    vc: Mapping[str, Any],
    registrar: RegistrarPublicKey,
    recorded: OnChainPledgeCertificate | None,
    pledge: OnChainPledge | None,
) -> PledgeCertificateReport:
    """Check a pledge certificate: its proof by the registry's key, its hash on chain, and that the
    pledge it certifies is the asset's current one, still standing, on the terms the credential states."""
    checks: list[tuple[str, bool, str]] = []
    try:
        if list(vc.get("type", [])) != list(PLEDGE_CREDENTIAL_TYPES):
            raise VerificationFailed("not a pledge registration certificate", check="format")
        verify_proof(vc, registrar)
    except VerificationFailed as failed:
        checks.append((failed.check or "proof-signature", False, failed.detail))
        return PledgeCertificateReport(PledgeStanding.TAMPERED, tuple(checks))
    checks.append(("proof-signature", True, "signed by the registry's registrar key"))
    subject = vc.get("credentialSubject", {})
    asset_id = str(subject.get("asset", {}).get("assetId", "")).lower()
    if recorded is None or recorded.asset_id != asset_id:
        checks.append(("on-chain-record", False, "the chain holds no pledge certificate with this hash"))
        return PledgeCertificateReport(PledgeStanding.UNKNOWN, tuple(checks))
    checks.append(("on-chain-record", True, f"recorded by registrar {recorded.registrar}"))
    if pledge is None or pledge.serial != recorded.serial or not pledge.active:
        checks.append(("pledge-standing", False, "the certified pledge was released or enforced"))
        return PledgeCertificateReport(PledgeStanding.ENDED, tuple(checks))
    stated = (subject.get("securedAmount"), subject.get("currency"), subject.get("termsHash"))
    if stated != (pledge.secured_amount, pledge.currency, pledge.terms_hash):
        checks.append(("pledge-terms", False, "the credential's terms are not the pledge's on chain"))
        return PledgeCertificateReport(PledgeStanding.UNKNOWN, tuple(checks))
    checks.append(("pledge-standing", True, f"pledged to {pledge.pledgee}, maturing at {pledge.maturity}"))
    return PledgeCertificateReport(PledgeStanding.ACTIVE, tuple(checks))


__all__ = [
    "PLEDGE_CREDENTIAL_TYPES",
    "PledgeCertificateFacts",
    "PledgeCertificateReport",
    "PledgeStanding",
    "certificate_hash",
    "check_pledge_certificate",
    "issue_pledge_certificate",
]
