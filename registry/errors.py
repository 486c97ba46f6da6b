"""The one exception hierarchy of dataledger.

Every error the system raises on purpose derives from :class:`DataLedgerError`. Each subclass carries a
stable machine-readable ``code`` (used as the RFC 9457 problem ``type`` suffix by the API and as the
message prefix by the CLI). The domain knows nothing of HTTP: the API maps these classes to statuses in
one table (``api/problems.py``); routes never build error responses by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast


class DataLedgerError(Exception):
    """Root of every deliberate dataledger error."""

    code: ClassVar[str] = "internal-error"
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
    title = "The request is not valid"


class JsonNestedTooDeeply(ValidationFailed):
    """A JSON text from outside nests deeper than its limit; refused before it is parsed."""

    code = "json-nested-too-deeply"
    title = "The JSON is nested too deeply"


class NulCharacterRefused(ValidationFailed):
    """Text from outside holds a NUL character, which no identifier or name needs and PostgreSQL
    cannot store; refused before anything reads it."""

    code = "nul-character"
    title = "The request holds a NUL character"


class RateLimited(DataLedgerError):
    code = "rate-limited"
    title = "Too many requests"


class RequestBodyTooLarge(DataLedgerError):
    """A request body is larger than its route accepts; refused before it is read whole."""

    code = "request-body-too-large"
    title = "The request body is too large"


class NotFound(DataLedgerError, LookupError):
    code = "not-found"
    title = "Not found"


class AlreadyExists(DataLedgerError):
    code = "already-exists"
    title = "Already exists"


class Conflict(DataLedgerError):
    """The request is well formed but the current state does not allow it."""

    code = "conflict"
    title = "The current state does not allow this"


class NotAuthenticated(DataLedgerError):
    code = "not-authenticated"
    title = "Authentication required"


class NotAuthorised(DataLedgerError, PermissionError):
    code = "not-authorised"
    title = "Not authorised"


class InvalidSignature(DataLedgerError):
    code = "invalid-signature"
    title = "The signature is not valid"


class SignatureExpired(InvalidSignature):
    code = "signature-expired"
    title = "The signature has expired"


class NonceReplayed(DataLedgerError):
    code = "nonce-replayed"
    title = "The nonce was already used"


class VerificationFailed(DataLedgerError):
    """A certificate or proof did not verify; ``check`` names the check that failed.

    ``reason``, where the check gives one, is a stable code of what it found (``signature.bad``) and
    ``values`` the facts it names (``{"moment": "2026-…"}``): what a reader's page words in its own
    language, where ``detail`` says it in English."""

    code = "verification-failed"
    title = "Verification failed"

    def __init__(
        self,
        detail: str,
        *,
        check: str,
        reason: str | None = None,
        values: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail, check=check, **extra)
        self.check = check
        self.reason = reason
        self.values: Mapping[str, str] = dict(values or {})


class LedgerError(DataLedgerError):
    """The chain refused or could not process a request for a reason without a domain meaning."""

    code = "ledger-error"
    title = "The ledger refused the transaction"


class LedgerUnavailable(LedgerError):
    code = "ledger-unavailable"
    title = "The ledger is unavailable"


class LedgerInconsistent(DataLedgerError):
    """The database and the chain disagree; never ignored silently."""

    code = "ledger-inconsistent"
    title = "The database and the chain disagree"


class ConfigurationError(DataLedgerError):
    code = "configuration-error"
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


class EpcisDocumentInvalid(ValidationFailed):
    """An EPCIS document (or event) is refused whole; ``problems`` lists every reason found.

    Each problem is ``(event_index, field, message)``: ``event_index`` is the position of the event in
    the document's event list (None for the document itself) and ``field`` the path of the offending
    field, relative to that event (``quantityList[0].quantity``) or to the document (``@context``).
    The message names the first problem; ``extra`` carries it and the list (at most 100 of them).
    """

    code = "epcis-document-invalid"
    title = "The EPCIS document is not valid"

    def __init__(self, problems: Sequence[tuple[int | None, str, str]], **extra: Any) -> None:
        problems = tuple(cast("tuple[int | None, str, str]", tuple(problem)) for problem in problems)
        if not problems:
            raise ValueError("EpcisDocumentInvalid needs at least one problem")
        event_index, field, message = problems[0]
        where = f"event {event_index}: " if event_index is not None else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        listed = [{"event_index": i, "field": f, "message": m} for i, f, m in problems[:100]]
        super().__init__(
            f"{where}{field}: {message}{more}",
            event_index=event_index,
            field=field,
            problem_count=len(problems),
            problems=listed,
            **extra,
        )
        self.problems = problems


class EpcisDocumentTooLarge(EpcisDocumentInvalid):
    code = "epcis-document-too-large"
    title = "The EPCIS document is too large"


# Refusals of the data rights lifecycle (procedure, holder acts, licences, consents).


class InvalidAssetStatus(Conflict):
    code = "invalid-asset-status"
    title = "The asset's status does not allow this act"


class NoticePeriodEnded(Conflict):
    code = "notice-period-ended"
    title = "The public notice has ended"


class NoticePeriodNotEnded(Conflict):
    code = "notice-period-not-ended"
    title = "The public notice has not ended yet"


class ObjectionsOpen(Conflict):
    code = "objections-open"
    title = "Objections against the registration are not resolved"


class ObjectionNotFound(NotFound):
    code = "objection-not-found"
    title = "No such objection"


class ObjectionAlreadyResolved(Conflict):
    code = "objection-already-resolved"
    title = "The objection is already resolved"


class AssetPledged(Conflict):
    code = "asset-pledged"
    title = "The asset is pledged"


class LicenceExclusivityConflict(Conflict):
    """A sole or exclusive licence may not overlap any other licence of the asset: it waits until every
    licence granted before it has run its term, and no licence is granted while one is in force."""

    code = "licence-exclusivity-conflict"
    title = "The licence would overlap a sole or exclusive licence"


class AssetNotPledged(Conflict):
    code = "asset-not-pledged"
    title = "The asset is not pledged"


class PledgeAlreadyCertified(Conflict):
    code = "pledge-already-certified"
    title = "The pledge already has its registration certificate"


class CertificateExpired(Conflict):
    code = "certificate-expired"
    title = "The certificate has expired"


class AssetNotCertified(Conflict):
    code = "asset-not-certified"
    title = "The asset is not certified"


class LicenceNotFound(NotFound):
    code = "licence-not-found"
    title = "No such licence"


class LicenceRevoked(Conflict):
    code = "licence-revoked"
    title = "The licence is revoked"


class LicenceNotYetValid(Conflict):
    code = "licence-not-yet-valid"
    title = "The licence period has not started"


class LicenceExpired(Conflict):
    code = "licence-expired"
    title = "The licence has expired"


class LicenceUsedUp(Conflict):
    code = "licence-used-up"
    title = "Every use of the licence is consumed"


class LicenceVoidedByEnforcement(Conflict):
    code = "licence-voided-by-enforcement"
    title = "A pledge on the asset was enforced after the licence was granted"


class ConsentNotFound(NotFound):
    code = "consent-not-found"
    title = "No such consent"


class ConsentNotActive(Conflict):
    code = "consent-not-active"
    title = "The consent was already used or withdrawn"


class ConsentExpired(Conflict):
    code = "consent-expired"
    title = "The consent has expired"


class ConsentWithdrawn(ConsentNotActive):
    """The data subject withdrew the consent: nothing is delivered against it."""

    code = "consent-withdrawn"
    title = "The consent was withdrawn"


# Refusals of traceability and lineage (EPCIS capture, traces, data-product derivations).


class EpcisEventNotFound(NotFound):
    code = "epcis-event-not-found"
    title = "No such EPCIS event"


class LineageNodeNotFound(NotFound):
    code = "lineage-node-not-found"
    title = "No event, derivation or asset names this item"


class EpcisContextConflict(ValidationFailed):
    """Events captured under @contexts that bind one prefix to two namespaces cannot share a document."""

    code = "epcis-context-conflict"
    title = "The events' @contexts conflict"


class DerivationCycle(Conflict):
    code = "derivation-cycle"
    title = "The derivation would make a data product its own ancestor"


class DerivationIncomplete(Conflict):
    code = "derivation-incomplete"
    title = "The derivation leaves out an upstream asset the product's facts declare"


# Refusals of batched registrations (anchored in Merkle batches, materialised on chain on first act).


class ContentAlreadyBatched(ContentAlreadyRegistered):
    """The content is bound to a batched registration (accepted, perhaps not yet materialised)."""

    code = "content-already-batched"
    title = "This content is already registered in a batch"


class BatchNotAnchored(Conflict):
    """The batched registration is not anchored yet (or the root presented is not an anchored one)."""

    code = "batch-not-anchored"
    title = "The batch of this registration is not anchored"


class InvalidInclusionProof(ValidationFailed):
    code = "invalid-inclusion-proof"
    title = "The inclusion proof does not lead to the anchored root"


class AlreadyMaterialised(AlreadyExists):
    code = "already-materialised"
    title = "This batched registration is already materialised"


class MaterialisationInProgress(Conflict):
    code = "materialisation-in-progress"
    title = "This batched registration is being materialised"


class DerivationLicenceInvalid(Conflict):
    code = "derivation-licence-invalid"
    title = "The licence named for an upstream asset does not cover this derivation"


# -- the market: listings, licence templates, the catalogue ------------------------------------------


class ListingNotFound(NotFound):
    code = "listing-not-found"
    title = "No such listing"


class LicenceTemplateNotFound(NotFound):
    code = "licence-template-not-found"
    title = "No such licence template (or version)"


class ListingReportNotPassing(Conflict):
    """The listing verification report does not allow this listing: it failed a check, it is about
    another asset, lister or exchange, it is too old, or it already served a listing."""

    code = "listing-report-not-passing"
    title = "The listing verification report does not allow this listing"


class ListingNotActive(Conflict):
    """The listing is already delisted."""

    code = "listing-not-active"
    title = "The listing is not listed"


class DemandNotFound(NotFound):
    code = "demand-not-found"
    title = "No such demand"


class DemandClosed(Conflict):
    """The demand is closed, or its deadline has passed: it takes no more responses."""

    code = "demand-closed"
    title = "The demand is closed"


# -- data merchants and buyer verification -------------------------------------------------------------


class MerchantNotFound(NotFound):
    """The exchange has not enrolled this participant as a data merchant (or withdrew it)."""

    code = "merchant-not-found"
    title = "No such data merchant"


class MerchantNotEnrolled(Conflict):
    """A buyer applies for verification without being enrolled as a buyer at the listing's exchange."""

    code = "merchant-not-enrolled"
    title = "Not enrolled as a buyer at this exchange"


class BuyerApplicationNotFound(NotFound):
    code = "buyer-application-not-found"
    title = "No such buyer application"


class BuyerApplicationDecided(Conflict):
    """The holder has already decided on this application, or the buyer already has one pending."""

    code = "buyer-application-decided"
    title = "The application is already decided"


class BuyerNotVerified(NotAuthorised):
    """The listing's holder requires buyers to be verified, and this buyer's application was not
    approved (it was never made, is pending, or was declined)."""

    code = "buyer-not-verified"
    title = "The holder requires a verified buyer"


# -- the delivery gateway: deposits, uses redeemed at delivery, receipts -----------------------------


class DeliveryDepositNotFound(NotFound):
    """The asset has no deposit at the delivery gateway: nothing to deliver."""

    code = "delivery-deposit-not-found"
    title = "Nothing is deposited for delivery of this asset"


class ContentHashMismatch(ValidationFailed):
    """The deposited bytes hash to neither the asset's registered content hash nor the declared
    derivative hash; nothing is kept."""

    code = "content-hash-mismatch"
    title = "The deposited content does not match the registered hash"


class LicenceUseNotFound(NotFound):
    """The use presented is unknown: no mined transaction, or no use of this licence in it. Refused
    at once, never after waiting for a block."""

    code = "licence-use-not-found"
    title = "No such licence use on chain"


class LicenceUseMismatch(Conflict):
    """The use on chain is of another licence, asset or consumer than the delivery asked for."""

    code = "licence-use-mismatch"
    title = "The licence use does not match this delivery"


class UseAlreadyRedeemed(Conflict):
    """The use was already redeemed at the gateway (a replay gets nothing)."""

    code = "use-already-redeemed"
    title = "This use was already redeemed"


class UseNotYours(NotAuthorised):
    """The use was redeemed by, or signed for, another consumer (a shared use gets nothing)."""

    code = "use-not-yours"
    title = "This use belongs to another consumer"


class DeliveryWindowClosed(Conflict):
    """The redeemed use was delivered in full, or its delivery window has ended."""

    code = "delivery-window-closed"
    title = "The delivery of this use is complete or its window has ended"


class RangeNotSatisfiable(DataLedgerError):
    """The requested byte range lies outside the object."""

    code = "range-not-satisfiable"
    title = "The requested range is not satisfiable"


class LicenceOverUse(Conflict):
    """Recording these uses would exceed the licence's maximum number of uses."""

    code = "licence-over-use"
    title = "The uses would exceed the licence's maximum"


class DeliveryReceiptNotFound(NotFound):
    code = "delivery-receipt-not-found"
    title = "No delivery receipt for this use"


class UpstreamFailed(DataLedgerError):
    """The holder's API behind the gateway did not answer, or answered with an error."""

    code = "upstream-failed"
    title = "The holder's API did not answer"


class ConsentUseNotFound(NotFound):
    """The consumed consent presented is unknown: no mined transaction, or no consumption of a consent of
    this licence registry in it. Refused at once, never after waiting for a block."""

    code = "consent-use-not-found"
    title = "No such consumed consent on chain"


class PersonalDataDeclarationMismatch(Conflict):
    """A listing of the asset declares personal data and its deposit at the gateway does not (or the
    other way round): personal data is delivered only through the holder's API, against consents."""

    code = "personal-data-declaration-mismatch"
    title = "The listing's and the deposit's personal-data declarations disagree"


class ConsentPurposeMismatch(Conflict):
    """The data subject consented to another purpose than the one the enterprise's licence grants (or
    one of the two purposes cannot be shown against its commitment on chain)."""

    code = "consent-purpose-mismatch"
    title = "The consent's purpose is not the licence's"


class ConsentRequestMismatch(Conflict):
    """The delivery asked for is not the one the consent was consumed for (another asset, subject, path
    or query), or the asset's deposit holds no personal data to deliver against a consent."""

    code = "consent-request-mismatch"
    title = "The consumed consent does not match this delivery"


class PersonalDataNeedsConsent(Conflict):
    """The asset's deposit holds personal data: it is delivered only against a consent its data subject
    gave and the enterprise consumed, never against a licence use alone."""

    code = "personal-data-needs-consent"
    title = "Personal data is delivered only against a consumed consent"


class TradeNotFound(NotFound):
    code = "trade-not-found"
    title = "No such order or trade"


class TradeInvalidStatus(Conflict):
    """The order or trade is not in a status that allows this step (accepting an order twice,
    settling one not accepted, cancelling one settled...)."""

    code = "trade-invalid-status"
    title = "The trade's status does not allow this step"


class TradeTermsMismatch(Conflict):
    """What the order or acceptance states (licence terms, amount) is not what the listing or order
    recorded on chain."""

    code = "trade-terms-mismatch"
    title = "The order does not match the listing's terms"


class TradeLicenceMismatch(Conflict):
    """The licence named for a trade is not the seller's licence to the buyer on the traded asset under
    the ordered terms, or the trade already has its licence."""

    code = "trade-licence-mismatch"
    title = "The licence does not belong to this trade"


class VoucherProgrammeNotFound(NotFound):
    code = "voucher-programme-not-found"
    title = "No such voucher programme"


class VoucherCapExceeded(Conflict):
    """The redemption exceeds the programme's share of the amount it is against, or what the
    enterprise may still redeem in the current period."""

    code = "voucher-cap-exceeded"
    title = "The redemption exceeds a cap of the voucher programme"


class VoucherBudgetExceeded(Conflict):
    """The issue exceeds what is left of the programme's budget, or the redemption the vouchers the
    enterprise holds."""

    code = "voucher-budget-exceeded"
    title = "Not enough vouchers left for this issue or redemption"


class TradeMandateNotInForce(Conflict):
    """The holder has no mandate in force for the agent on the listing (never granted, expired or
    already revoked): there is nothing to revoke."""

    code = "trade-mandate-not-in-force"
    title = "No mandate in force to revoke"


class TradeMandateRevoked(NotAuthorised):
    """The agent's mandate to accept the listing's orders for the holder was revoked by the holder."""

    code = "trade-mandate-revoked"
    title = "The holder revoked this mandate"


class RegistrationFeeNotFound(NotFound):
    code = "registration-fee-not-found"
    title = "No registration fee recorded for this asset"


class RegistrationFeeNotRecorded(Conflict):
    """Vouchers are redeemed against a registration fee only once a registrar recorded it."""

    code = "registration-fee-not-recorded"
    title = "No registration fee is recorded for this asset"


class RegistrationFeeAlreadyRecorded(AlreadyExists):
    code = "registration-fee-already-recorded"
    title = "A registration fee is already recorded for this asset"


class RegistrationFeeAlreadyRedeemed(Conflict):
    """Vouchers (of any programme) were already redeemed against this registration fee."""

    code = "registration-fee-already-redeemed"
    title = "Vouchers were already redeemed against this registration fee"
