"""Deliveries of personal data against a data subject's consent, consumed on chain.

A holder whose API serves data subjects' records deposits it with ``personalData``: no licence use,
batched or on chain, then delivers it (``personal-data-needs-consent``). An enterprise gets one
subject's record only when it holds both:

* **the right to the asset**: a licence of the asset, to it, live at the next block's time (not
  revoked, within its term, the asset certified, not voided by an enforced pledge). The licence is the
  standing right; it does not count the consent deliveries (each consent is its own use, recorded on
  chain by ``consumeConsent`` itself);
* **the subject's consent, consumed for exactly this request**: the enterprise presents the
  transaction of its ``consumeConsent``. The gateway reads the receipt at once (a transaction the
  chain does not hold mined is ``consent-use-not-found``, never waited for) and checks that its
  ``ConsentConsumed`` event is of our licence registry (only that contract's logs are decoded), that
  the consent's enterprise is the caller (``use-not-yours``), that the chain still holds the consent
  consumed with that ``requestHash`` (withdrawn: ``consent-withdrawn``), and that the next block's
  time is within its ``validUntil`` (``consent-expired``).

The use's id is ``txHash-logIndex`` and the consent's id is unique in the store: a consent is
redeemed once (a replay gets ``use-already-redeemed``). Its delivery window ends with the consent's
``validUntil`` at the latest. The subject consented to one purpose: the record is delivered only under a
licence granted for that same purpose (``consent-purpose-mismatch``). Both purposes are salted
commitments on chain; the gateway reads the texts and salts from the store and opens each commitment
first, so an edited store cannot pass one purpose off as another. The one GET it allows must hash to
the consent's ``requestHash`` (``registry.delivery.consent_requests``: asset, subject, path, query),
else ``consent-request-mismatch``; the holder's API is told the subject (header
:data:`SUBJECT_HEADER`) so it serves that record alone. The receipt names the consent.
"""

from __future__ import annotations

from dataledger.registry.assets import text_commitment
from dataledger.registry.chain_records import ChainAct, ConsentStatus, OnChainConsent
from dataledger.registry.delivery.consent_requests import ConsentRequest
from dataledger.registry.errors import (
    ConsentExpired,
    ConsentNotActive,
    ConsentPurposeMismatch,
    ConsentRequestMismatch,
    ConsentUseNotFound,
    ConsentWithdrawn,
    ValidationFailed,
)

SUBJECT_HEADER = "X-Data-Subject"
CONSENT_HEADER = "X-Consent-Id"
CONSENT_CONSUMED = "ConsentConsumed"


def consent_consumption(acts: tuple[ChainAct, ...] | None, tx_hash: str, log_index: int | None) -> ChainAct:
    """The ``ConsentConsumed`` event of our licence registry in the transaction (at ``log_index`` if
    given); ``acts`` is None when the chain holds no mined transaction ``tx_hash``."""
    if acts is None:
        raise ConsentUseNotFound("the chain holds no mined transaction with this hash", tx_hash=tx_hash)
    for act in acts:
        if act.event == CONSENT_CONSUMED and (log_index is None or act.evidence.log_index == log_index):
            return act
    raise ConsentUseNotFound(
        "the transaction consumes no consent of this licence registry", tx_hash=tx_hash, log_index=log_index
    )


def require_consumed_consent(consent: OnChainConsent | None, request_hash: str, now: int) -> OnChainConsent:
    """The consent as the chain holds it now, consumed with ``request_hash``, not withdrawn, and within
    its ``validUntil`` at ``now`` (the next block's time)."""
    if consent is None:
        raise ConsentUseNotFound("no such consent on chain")
    cid = consent.consent_id
    if consent.status is ConsentStatus.WITHDRAWN:
        raise ConsentWithdrawn("the data subject withdrew the consent", consent_id=cid)
    if consent.status is not ConsentStatus.CONSUMED or (consent.request_hash or "").lower() != request_hash:
        raise ConsentNotActive(
            "the chain does not hold the consent consumed for this request",
            consent_id=cid,
            consent_status=consent.status.name.lower(),
        )
    if now > consent.valid_until:
        raise ConsentExpired("the consent has expired", consent_id=cid, valid_until=consent.valid_until)
    return consent


def same_purpose(first: str, second: str) -> bool:
    """Whether two stated purposes say the same (case and runs of white space aside)."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def require_consented_purpose(
    consent: OnChainConsent,
    consent_statement: tuple[str, str] | None,
    licence_id: int,
    licence_purpose_hash: str,
    licence_statement: tuple[str, str] | None,
) -> str:
    """The purpose both the subject consented to and the licence grants; ``*_statement`` are the texts
    and salts the store holds, each checked against its commitment on chain first."""
    consent_purpose = _opened("consent-purpose", consent_statement, consent.purpose_hash)
    licence_purpose = _opened("licence-purpose", licence_statement, licence_purpose_hash)
    if consent_purpose is None or licence_purpose is None:
        raise ConsentPurposeMismatch(
            "the consent's or the licence's purpose cannot be shown: its text does not open its commitment"
            " on chain",
            consent_id=consent.consent_id,
            licence_id=licence_id,
        )
    if not same_purpose(consent_purpose, licence_purpose):
        raise ConsentPurposeMismatch(
            "the data subject consented to another purpose than the licence's",
            consent_id=consent.consent_id,
            licence_id=licence_id,
            consent_purpose=consent_purpose,
            licence_purpose=licence_purpose,
        )
    return consent_purpose


def _opened(kind: str, statement: tuple[str, str] | None, commitment: str) -> str | None:
    """The text of ``statement`` (text, salt) if it opens ``commitment``."""
    if statement is None:
        return None
    text, salt = statement
    try:
        opened = text_commitment(kind, text, salt).lower() == commitment.lower()
    except ValidationFailed:  # a salt that is no salt: it opens nothing
        return None
    return text if opened else None


def require_request(request_hash: str, request: ConsentRequest) -> None:
    """Refuse a request other than the one the consent was consumed for."""
    if request.request_hash() != request_hash.lower():
        raise ConsentRequestMismatch(
            "the consent was consumed for another request (asset, subject, path or query)",
            request_hash=request_hash,
            asked=request.payload(),
        )
