"""Data subjects' consents to one query by one enterprise, for a stated purpose.

The enterprise asks for and submits the consent and consumes it with its query; the data subject,
known only by a key, signs the consent, and lists or withdraws consents with signed requests (no API
key needed).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
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
from dataledger.registry.errors import NotAuthorised
from dataledger.registry.participants import Participant, Role

router = APIRouter(prefix="/v1/consents", tags=["consents"])


@router.post("/requests", summary="Prepare the EIP-712 consent the data subject signs (enterprise)")
def prepare_consent(body: ConsentPrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.ENTERPRISE)
    return services.consents.prepare_grant(me, body.subject, body.purpose, body.valid_until, body.salt)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a subject-signed consent (enterprise)")
def grant_consent(body: ConsentSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.ENTERPRISE)
    return services.consents.grant(
        me, body.subject, body.purpose, body.valid_until, body.salt, body.nonce, body.deadline, body.signature
    )


@router.get("", summary="The consents given to the authenticated enterprise")
def my_consents(me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.ENTERPRISE)
    return {"items": services.consents.list_for_enterprise(me)}


@router.get("/{consent_id}", summary="A consent given to the authenticated enterprise")
def get_consent(consent_id: ConsentId, me: CurrentParticipant, services: ServicesDep) -> dict:
    consent = services.consents.get(consent_id)
    _require_own(me, consent)
    return {**consent, "history": services.licence_store.consent_history(consent_id)}


@router.post("/{consent_id}/use-requests", summary="Prepare the EIP-712 query the enterprise signs")
def prepare_use(
    consent_id: ConsentId, body: RequestHashBody, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.consents.prepare_use(me, consent_id, body.request_hash)


@router.post(
    "/{consent_id}/uses",
    status_code=status.HTTP_201_CREATED,
    summary="Run the query the consent allows, consuming it (enterprise-signed; once only)",
)
def use(
    consent_id: ConsentId, body: RequestHashSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.consents.use(me, consent_id, body.request_hash, body.nonce, body.deadline, body.signature)


@router.post("/{consent_id}/withdrawal-requests", summary="Prepare the withdrawal the subject signs (public)")
def prepare_withdrawal(consent_id: ConsentId, services: ServicesDep) -> dict:
    return services.consents.prepare_withdrawal(consent_id)


@router.post("/{consent_id}/withdrawal", summary="Withdraw an unused consent (subject-signed; public)")
def withdraw(consent_id: ConsentId, body: Signed, services: ServicesDep) -> dict:
    return services.consents.withdraw(consent_id, body.nonce, body.deadline, body.signature)


@router.post("/listing-requests", summary="Prepare the listing request a subject signs (public)")
def prepare_listing(body: ConsentListingPrepare, services: ServicesDep) -> dict:
    return services.consents.listing_request(body.subject)


@router.post("/by-subject", summary="A subject's consents, for a fresh signed listing request (public)")
def by_subject(body: ConsentListingBody, services: ServicesDep) -> dict:
    return {"items": services.consents.list_for_subject(body.subject, body.issued_at, body.signature)}


def _require_own(me: Participant, consent: dict) -> None:
    if me.role in (Role.ADMIN, Role.AUDITOR, Role.REGISTRAR):
        return
    if me.address is None or me.address.lower() != str(consent["enterpriseAddress"]).lower():
        raise NotAuthorised("only the enterprise the consent was given to may see it")
