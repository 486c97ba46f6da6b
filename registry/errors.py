"""The one exception hierarchy of dataledger.

Every error the system raises on purpose derives from :class:`DataLedgerError`. Each subclass carries a
stable machine-readable ``code`` (used as the RFC 9457 problem ``type`` suffix by the API and as the
message prefix by the CLI) and the HTTP status it maps to. The API maps them in one place
(``api/problems.py``); routes never build error responses by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DataLedgerError(Exception):
    """Root of every deliberate dataledger error."""

    code: ClassVar[str] = "internal-error"
    http_status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def diagnostics(self) -> str:
        """A human-readable explanation, as the CLI prints it."""
        lines = [f"{self.code}: {self.detail}"]
        lines += [f"  {key}: {value}" for key, value in self.extra.items()]
        return "\n".join(lines)


class ValidationFailed(DataLedgerError, ValueError):
    code = "validation-failed"
    http_status = 422
    title = "The request is not valid"


class NotFound(DataLedgerError, LookupError):
    code = "not-found"
    http_status = 404
    title = "Not found"


class AlreadyExists(DataLedgerError):
    code = "already-exists"
    http_status = 409
    title = "Already exists"


class Conflict(DataLedgerError):
    """The request is well formed but the current state does not allow it."""

    code = "conflict"
    http_status = 409
    title = "The current state does not allow this"


class NotAuthenticated(DataLedgerError):
    code = "not-authenticated"
    http_status = 401
    title = "Authentication required"


class NotAuthorised(DataLedgerError, PermissionError):
    code = "not-authorised"
    http_status = 403
    title = "Not authorised"


class InvalidSignature(DataLedgerError):
    code = "invalid-signature"
    http_status = 422
    title = "The signature is not valid"


class SignatureExpired(InvalidSignature):
    code = "signature-expired"
    title = "The signature has expired"


class NonceReplayed(DataLedgerError):
    code = "nonce-replayed"
    http_status = 409
    title = "The nonce was already used"


class VerificationFailed(DataLedgerError):
    """A certificate or proof did not verify; ``check`` names the check that failed."""

    code = "verification-failed"
    http_status = 422
    title = "Verification failed"

    def __init__(self, detail: str, *, check: str, **extra: Any) -> None:
        super().__init__(detail, check=check, **extra)
        self.check = check


class LedgerError(DataLedgerError):
    """The chain refused or could not process a request for a reason without a domain meaning."""

    code = "ledger-error"
    http_status = 502
    title = "The ledger refused the transaction"


class LedgerUnavailable(LedgerError):
    code = "ledger-unavailable"
    http_status = 503
    title = "The ledger is unavailable"


class LedgerInconsistent(DataLedgerError):
    """The database and the chain disagree; never ignored silently."""

    code = "ledger-inconsistent"
    http_status = 500
    title = "The database and the chain disagree"


class ConfigurationError(DataLedgerError):
    code = "configuration-error"
    http_status = 500
    title = "Configuration error"


# Specific refusals with their own stable codes (also the targets of the contract's custom errors).


class AssetAlreadyRegistered(AlreadyExists):
    code = "asset-already-registered"
    title = "This asset is already registered"


class ContentAlreadyRegistered(AlreadyExists):
    code = "content-already-registered"
    title = "This content is already registered under another asset"


class AssetNotFound(NotFound):
    code = "asset-not-found"
    title = "No such asset"


class AssetRevoked(Conflict):
    code = "asset-revoked"
    title = "The asset's registration is revoked"


class CertificateNotFound(NotFound):
    code = "certificate-not-found"
    title = "No such certificate"


class CertificateAlreadyRecorded(AlreadyExists):
    code = "certificate-already-recorded"
    title = "This certificate is already recorded"


class ParticipantNotFound(NotFound):
    code = "participant-not-found"
    title = "No such participant"
