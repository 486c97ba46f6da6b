"""Verifies registration certificates offline (structure, issuer, signature, dates) and online (chain).

Checks run in a fixed order and stop at the first failure; each has a stable name that reports,
errors (``VerificationFailed.check``) and API problem details use:

``structure`` → ``format`` (the certificate number has a valid month and serial, and the registration
number, when the certificate states one, has the right check character: a mistyped or tampered number
fails here) → ``issuer-trusted`` → ``proof-signature`` → ``validity-period`` and, when a
:class:`~registry.ports.ChainEvidenceReader` is given, → ``chain-transaction`` →
``chain-event-matches`` → ``certificate-current`` (anchored on the registry and not superseded; a
superseded certificate's report points to its successor) → ``asset-not-revoked`` (certified, held by
the certificate's holder; a revoked or cancelled registration fails here with that reason).

A valid certificate of a pledged asset stays valid; the report says to whom the asset is pledged.

A chain reader that cannot answer raises its own error (for example ``LedgerUnavailable``): that is
not a verdict on the certificate, so it propagates instead of becoming a failed check.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dataledger.registry.certificate import (
    PROOF_SIGNATURE_CHECK,
    Certificate,
    certificate_hash,
    parse_certificate,
    verify_proof,
)
from dataledger.registry.chain_types import OnChainAssetStatus, RegistrationEvent
from dataledger.registry.errors import ValidationFailed, VerificationFailed
from dataledger.registry.numbering import CertificateNumber, RegistrationNumber
from dataledger.registry.ports import ChainEvidenceReader
from dataledger.registry.registrar_keys import RegistrarPublicKey


class Check(enum.StrEnum):
    """The verification checks, in the order they run."""

    STRUCTURE = "structure"
    FORMAT = "format"
    ISSUER_TRUSTED = "issuer-trusted"
    PROOF_SIGNATURE = PROOF_SIGNATURE_CHECK
    VALIDITY_PERIOD = "validity-period"
    CHAIN_TRANSACTION = "chain-transaction"
    CHAIN_EVENT_MATCHES = "chain-event-matches"
    CERTIFICATE_CURRENT = "certificate-current"
    ASSET_NOT_REVOKED = "asset-not-revoked"


OFFLINE_CHECKS = (
    Check.STRUCTURE,
    Check.FORMAT,
    Check.ISSUER_TRUSTED,
    Check.PROOF_SIGNATURE,
    Check.VALIDITY_PERIOD,
)
ONLINE_CHECKS = (
    Check.CHAIN_TRANSACTION,
    Check.CHAIN_EVENT_MATCHES,
    Check.CERTIFICATE_CURRENT,
    Check.ASSET_NOT_REVOKED,
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome. ``detail`` says it in English, with the values it checked; ``reason`` is a
    stable code of the same outcome (``validity.expired``) and ``values`` the facts it names
    (``{"moment": "2026-01-31T16:00:00+00:00"}``), so that a page can word it in its reader's
    language without reading the English back. A check that cannot name its outcome more precisely
    than passed or failed (a malformed document says what is wrong in many ways) has no reason."""

    name: str
    passed: bool
    detail: str = ""
    reason: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        said: dict[str, Any] = {"name": self.name, "passed": self.passed, "detail": self.detail}
        if self.reason is not None:
            said |= {"reason": self.reason, "values": dict(self.values)}
        return said


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The checks that ran, in order; the last one is the failure if any failed.

    ``status`` names the certificate's standing when the chain was read (``valid``, ``superseded``,
    ``revoked``, ``cancelled``...); ``superseded_by`` is the hash of the certificate that replaced it;
    ``pledged_to`` the pledgee of a pledged asset.
    """

    checks: tuple[CheckResult, ...]
    status: str | None = None
    superseded_by: str | None = None
    pledged_to: str | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed_check(self) -> str | None:
        return next((check.name for check in self.checks if not check.passed), None)

    @property
    def failure_detail(self) -> str | None:
        return next((check.detail for check in self.checks if not check.passed), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "failedCheck": self.failed_check,
            "status": self.status or ("valid" if self.valid else "invalid"),
            "supersededBy": self.superseded_by,
            "pledgedTo": self.pledged_to,
            "checks": [check.as_json() for check in self.checks],
        }


def _passed(check: Check, reason: str, sentence: str, **values: str) -> CheckResult:
    """A check passed: its reason, its values, and its English detail (``sentence`` with the values)."""
    return CheckResult(check.value, True, sentence.format(**values), reason, values)


def _failed(check: Check, reason: str, sentence: str, **values: str) -> VerificationFailed:
    """A check failed, as :func:`_passed` says it."""
    return VerificationFailed(sentence.format(**values), check=check.value, reason=reason, values=values)


def _same_hex(left: str, right: str) -> bool:
    """Addresses and hashes compare case-insensitively (EIP-55 checksums only change case)."""
    return left.lower() == right.lower()


class CertificateVerifier:
    """Verifies certificates issued by a known set of registrars, optionally against the chain."""

    def __init__(
        self,
        trusted_issuers: Iterable[RegistrarPublicKey | str],
        chain: ChainEvidenceReader | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``trusted_issuers``: registrar public keys or their ``did:key`` identifiers."""
        self._trusted: dict[str, RegistrarPublicKey] = {}
        for issuer in trusted_issuers:
            key = issuer if isinstance(issuer, RegistrarPublicKey) else RegistrarPublicKey.from_did(issuer)
            self._trusted[key.did] = key
        self._chain = chain
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def online(self) -> bool:
        return self._chain is not None

    def verify(self, vc: Mapping[str, Any]) -> VerificationReport:
        """Run the checks in order, stopping at the first failure. Never raises for a bad certificate."""
        return self._verify(vc)[0]

    def verify_or_raise(self, vc: Mapping[str, Any]) -> Certificate:
        """Verify and return the parsed certificate; raise ``VerificationFailed(check=...)`` otherwise."""
        report, certificate = self._verify(vc)
        if not report.valid or certificate is None:
            failed = report.checks[-1]
            raise VerificationFailed(
                failed.detail, check=failed.name, reason=failed.reason, values=failed.values
            )
        return certificate

    def _verify(self, vc: Mapping[str, Any]) -> tuple[VerificationReport, Certificate | None]:
        try:
            certificate = parse_certificate(vc)
        except ValidationFailed as exc:
            return VerificationReport((CheckResult(Check.STRUCTURE.value, False, exc.detail),)), None
        results = [
            _passed(Check.STRUCTURE, "structure.passed", "certificate {number}", number=certificate.number)
        ]
        standing: dict[str, str | None] = {}
        try:
            results.extend(self._checks_after_structure(vc, certificate, standing))
        except VerificationFailed as exc:
            results.append(CheckResult(exc.check, False, exc.detail, exc.reason, exc.values))
            return VerificationReport(
                tuple(results), standing.get("status"), standing.get("superseded_by")
            ), None
        return (
            VerificationReport(tuple(results), "valid", None, standing.get("pledged_to")),
            certificate,
        )

    def _checks_after_structure(
        self, vc: Mapping[str, Any], certificate: Certificate, standing: dict[str, str | None]
    ) -> Iterator[CheckResult]:
        """Yield each check passed; raise VerificationFailed at the first failure."""
        yield self._check_format(certificate)

        key = self._issuer_key(certificate)
        yield _passed(
            Check.ISSUER_TRUSTED,
            "issuer.passed",
            "issued by trusted registrar {did}",
            did=certificate.issuer_did,
        )

        verify_proof(vc, key)  # raises VerificationFailed(check="proof-signature")
        yield _passed(Check.PROOF_SIGNATURE, "signature.passed", "ecdsa-jcs-2019 signature verified")

        standing["status"] = "expired"  # if the validity check below fails
        yield self._check_validity(certificate)
        standing["status"] = None

        if self._chain is None:
            return
        event = self._check_transaction(self._chain, certificate)
        yield _passed(
            Check.CHAIN_TRANSACTION,
            "transaction.passed",
            "AssetRegistered in transaction {tx}",
            tx=certificate.evidence.tx_hash,
        )

        self._check_event(certificate, event)
        yield _passed(
            Check.CHAIN_EVENT_MATCHES, "event.passed", "the on-chain event states the certificate's facts"
        )

        yield self._check_current(self._chain, vc, certificate, standing)

        self._check_asset(self._chain, certificate, standing)
        yield _passed(
            Check.ASSET_NOT_REVOKED, "asset.passed", "the asset is certified to the certificate's holder"
        )
        procedure = self._chain.procedure(certificate.asset_id)
        standing["pledged_to"] = procedure.pledgee if procedure else None

    # -- the checks --------------------------------------------------------------------------------
    def _check_format(self, certificate: Certificate) -> CheckResult:
        """The numbers a reader types in: the certificate number (``DIP-``, or a legacy ``DLC-`` one) and
        the registration number's ISO 7064 MOD 11-2 check character."""
        try:
            if certificate.number.startswith("DIP-"):  # older numbers (DLC-YYYY-NNNNNN) have no month
                CertificateNumber.parse(certificate.number)
        except ValidationFailed as exc:
            raise _failed(Check.FORMAT, "format.certificate_number", exc.detail) from None
        if certificate.registration_number is None:
            return _passed(
                Check.FORMAT,
                "format.no_rn",
                "certificate number {number}; no registration number stated",
                number=certificate.number,
            )
        try:
            RegistrationNumber.parse(certificate.registration_number)
        except ValidationFailed as exc:
            reason = "format.check_char" if "expected_check" in exc.extra else "format.registration_number"
            raise _failed(Check.FORMAT, reason, exc.detail) from None
        return _passed(
            Check.FORMAT,
            "format.passed",
            "registration number {number}: check character verified",
            number=certificate.registration_number,
        )

    def _issuer_key(self, certificate: Certificate) -> RegistrarPublicKey:
        key = self._trusted.get(certificate.issuer_did)
        if key is None:
            raise _failed(
                Check.ISSUER_TRUSTED,
                "issuer.unknown",
                "{did} is not a trusted registrar",
                did=certificate.issuer_did,
            )
        if certificate.verification_method != key.verification_method_id:
            raise _failed(
                Check.ISSUER_TRUSTED,
                "issuer.method",
                "the proof's verification method does not belong to the issuer",
            )
        return key

    def _check_validity(self, certificate: Certificate) -> CheckResult:
        now = self._clock()
        if now.utcoffset() is None:
            raise ValueError("the verifier clock must return time-zone-aware datetimes")
        if now < certificate.valid_from:
            raise _failed(
                Check.VALIDITY_PERIOD,
                "validity.before",
                "not valid before {moment}",
                moment=certificate.valid_from.isoformat(),
            )
        if certificate.valid_until is not None and now > certificate.valid_until:
            raise _failed(
                Check.VALIDITY_PERIOD,
                "validity.expired",
                "expired at {moment}",
                moment=certificate.valid_until.isoformat(),
            )
        return _passed(
            Check.VALIDITY_PERIOD,
            "validity.passed",
            "valid at {moment}",
            moment=now.astimezone(UTC).isoformat(),
        )

    def _check_transaction(self, chain: ChainEvidenceReader, certificate: Certificate) -> RegistrationEvent:
        evidence = certificate.evidence
        if evidence.chain_id != chain.chain_id:
            raise _failed(
                Check.CHAIN_TRANSACTION,
                "transaction.chain",
                "certificate names chain {stated}, the reader is on chain {actual}",
                stated=str(evidence.chain_id),
                actual=str(chain.chain_id),
            )
        if not _same_hex(evidence.contract, chain.registry_address):
            raise _failed(
                Check.CHAIN_TRANSACTION,
                "transaction.registry",
                "certificate names registry {stated}, not {actual}",
                stated=evidence.contract,
                actual=chain.registry_address,
            )
        event = chain.registration_event(evidence.tx_hash)
        if event is None:
            raise _failed(
                Check.CHAIN_TRANSACTION,
                "transaction.none",
                "no AssetRegistered, AssetChanged or AssetTransferred in transaction {tx}",
                tx=evidence.tx_hash,
            )
        return event

    def _check_event(self, certificate: Certificate, event: RegistrationEvent) -> None:
        expected = {
            "asset_id": (event.asset_id, certificate.asset_id),
            "holder": (event.holder, certificate.holder_address),
            "content_hash": (event.content_hash, certificate.content_hash),
            "metadata_hash": (event.metadata_hash, certificate.metadata_hash),
            "transaction": (event.evidence.tx_hash, certificate.evidence.tx_hash),
        }
        mismatched = [name for name, (onchain, stated) in expected.items() if not _same_hex(onchain, stated)]
        if event.evidence.block_number != certificate.evidence.block_number:
            mismatched.append("block_number")
        if event.evidence.log_index != certificate.evidence.log_index:
            mismatched.append("log_index")
        if mismatched:
            # values: the fields as codes (``content_hash``), the detail in words (``content hash``)
            raise VerificationFailed(
                "the on-chain event differs in: " + ", ".join(name.replace("_", " ") for name in mismatched),
                check=Check.CHAIN_EVENT_MATCHES.value,
                reason="event.differs",
                values={"fields": ",".join(mismatched)},
            )

    def _check_current(
        self,
        chain: ChainEvidenceReader,
        vc: Mapping[str, Any],
        certificate: Certificate,
        standing: dict[str, str | None],
    ) -> CheckResult:
        cert_hash = certificate_hash(dict(vc))
        record = chain.certificate_record(cert_hash)
        if record is None:
            standing["status"] = "not-anchored"
            raise _failed(
                Check.CERTIFICATE_CURRENT,
                "current.not_anchored",
                "the certificate {hash} is not recorded on the registry",
                hash=cert_hash,
            )
        if not _same_hex(record.asset_id, certificate.asset_id):
            raise _failed(
                Check.CERTIFICATE_CURRENT,
                "current.other_asset",
                "the registry recorded this certificate for {asset}",
                asset=record.asset_id,
            )
        if record.superseded_by is not None:
            standing["status"], standing["superseded_by"] = "superseded", record.superseded_by
            raise _failed(
                Check.CERTIFICATE_CURRENT,
                "current.superseded",
                "the certificate is superseded by certificate {hash}",
                hash=record.superseded_by,
            )
        return _passed(
            Check.CERTIFICATE_CURRENT,
            "current.passed",
            "the asset's current certificate, recorded at {timestamp}",
            timestamp=str(record.recorded_at),
        )

    def _check_asset(
        self, chain: ChainEvidenceReader, certificate: Certificate, standing: dict[str, str | None]
    ) -> None:
        asset = chain.asset(certificate.asset_id)
        if asset is None:
            raise _failed(Check.ASSET_NOT_REVOKED, "asset.unknown", "the asset is not on the registry")
        if asset.status is not OnChainAssetStatus.CERTIFIED:
            status = asset.status.name.lower()
            standing["status"] = status
            if asset.status is OnChainAssetStatus.REVOKED:
                raise _failed(Check.ASSET_NOT_REVOKED, "asset.revoked", "the asset's registration is revoked")
            if asset.status is OnChainAssetStatus.CANCELLED:
                raise _failed(
                    Check.ASSET_NOT_REVOKED,
                    "asset.cancelled",
                    "the asset's registration is cancelled by its holder",
                )
            raise _failed(
                Check.ASSET_NOT_REVOKED, "asset.status", "the asset is {status}, not certified", status=status
            )
        if not _same_hex(asset.holder, certificate.holder_address):
            raise _failed(
                Check.ASSET_NOT_REVOKED,
                "asset.holder",
                "the asset is now held by {holder}, not the certificate's holder",
                holder=asset.holder,
            )
