"""Data subjects' consents to one query by one enterprise, for a stated purpose.

The enterprise asks for and submits the consent and consumes it with its query; the data subject,
known only by a key, signs the consent, and lists or withdraws consents with signed requests (no API
key needed).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import PreparedAct
from dataledger.api.responses.consents import (
    Consent,
    ConsentList,
    ConsentListingRequest,
    ConsentWithHistory,
    PreparedConsent,
)
from dataledger.api.schemas import (
    ConsentId,
    ConsentListingBody,
    ConsentListingPrepare,
    ConsentPrepare,
    ConsentSubmit,
    RequestHashBody,
    RequestHashSubmit,
    Signed,
)
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/consents", tags=["consents"])


@router.post(
    "/requests",
    response_model=PreparedConsent,
    summary="Prepare the EIP-712 consent the data subject signs (enterprise)",
)
def prepare_consent(body: ConsentPrepare, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """For an enterprise: the ``Consent`` its data subject signs (a query, for a purpose, until a time),
    with the salt and the purpose commitment to submit back. Refused (403) to other roles."""
    me.require_role(Role.ENTERPRISE)
    return services.consents.prepare_grant(me, body.subject, body.purpose, body.valid_until, body.salt)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Consent,
    summary="Record a subject-signed consent (enterprise)",
)
def grant_consent(body: ConsentSubmit, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The enterprise submits the consent its subject signed; the licence registry records it.

    Refused when the signature is not the subject's, expired or replayed.
    """
    me.require_role(Role.ENTERPRISE)
    return services.consents.grant(
        me, body.subject, body.purpose, body.valid_until, body.salt, body.nonce, body.deadline, body.signature
    )


@router.get("", response_model=ConsentList, summary="The consents given to the authenticated enterprise")
def list_consents(me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """For an enterprise: the consents given to it (at most 500), in id order.

    Refused (403) to other roles.
    """
    me.require_role(Role.ENTERPRISE)
    return {"items": services.consents.list_for_enterprise(me)}


@router.get(
    "/{consentId}",
    response_model=ConsentWithHistory,
    summary="A consent given to the authenticated enterprise",
)
def get_consent(consent_id: ConsentId, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The enterprise the consent was given to, and oversight: the consent, its status on chain, and its
    acts. Refused (403) to anyone else."""
    return services.consents.get_for(me, consent_id)


@router.post(
    "/{consentId}/use-requests",
    response_model=PreparedAct,
    summary="Prepare the EIP-712 query the enterprise signs",
)
def prepare_consent_use(
    consent_id: ConsentId, body: RequestHashBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """For the enterprise the consent was given to: the ``ConsentUse`` of one query (by its hash) to sign.

    Refused when the consent is not active (consumed, withdrawn) or has expired.
    """
    return services.consents.prepare_use(me, consent_id, body.request_hash)


@router.post(
    "/{consentId}/uses",
    status_code=status.HTTP_201_CREATED,
    response_model=Consent,
    summary="Run the query the consent allows, consuming it (enterprise-signed; once only)",
)
def use_consent(
    consent_id: ConsentId, body: RequestHashSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The enterprise submits the signed use: the consent is consumed (a second query is refused, 409
    consent-not-active) and returned. The same refusals as the preparation, and the signature's."""
    return services.consents.use(me, consent_id, body.request_hash, body.nonce, body.deadline, body.signature)


@router.post(
    "/{consentId}/withdrawal-requests",
    response_model=PreparedAct,
    summary="Prepare the withdrawal the subject signs (public)",
)
def prepare_consent_withdrawal(consent_id: ConsentId, services: ServicesDep) -> dict[str, Any]:
    """Public (no API key): the ``ConsentWithdrawal`` the data subject signs. Refused (409) when the
    consent is no longer active."""
    return services.consents.prepare_withdrawal(consent_id)


@router.post(
    "/{consentId}/withdrawal",
    response_model=Consent,
    summary="Withdraw an unused consent (subject-signed; public)",
)
def withdraw_consent(consent_id: ConsentId, body: Signed, services: ServicesDep) -> dict[str, Any]:
    """Public: the subject's signature is the only authority needed. The consent, now withdrawn, is
    returned; refused when it is no longer active or the signature is not the subject's."""
    return services.consents.withdraw(consent_id, body.nonce, body.deadline, body.signature)


@router.post(
    "/listing-requests",
    response_model=ConsentListingRequest,
    summary="Prepare the listing request a subject signs (public)",
)
def prepare_consent_listing(body: ConsentListingPrepare, services: ServicesDep) -> dict[str, Any]:
    """Public: the ``ConsentListing`` a data subject signs to list their consents (valid for ten minutes)."""
    return services.consents.listing_request(body.subject)


@router.post(
    "/by-subject",
    response_model=ConsentList,
    summary="A subject's consents, for a fresh signed listing request (public)",
)
def consents_by_subject(body: ConsentListingBody, services: ServicesDep) -> dict[str, Any]:
    """Public: the subject's consents (at most 500), for a listing request the subject signed.

    Refused (invalid-signature) when the request is too old, from the future, or not the subject's.
    """
    return {"items": services.consents.list_for_subject(body.subject, body.issued_at, body.signature)}
