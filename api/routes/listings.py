"""Exchange verification of a data product before listing: a check-by-check report signed by the registrar."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.listings import ListingReport, PledgeeConsentRequest, ReportCheck
from dataledger.api.schemas import ListingConsentPrepare, ListingVerifyBody
from dataledger.registry.errors import VerificationFailed
from dataledger.registry.listing_verification import (
    ListingRequest,
    UpstreamClaim,
    verify_report,
)
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/listings", tags=["listings"])


@router.post(
    "/verify",
    response_model=ListingReport,
    summary="Verify a data product before listing it (exchange); a signed report",
)
def verify_listing(body: ListingVerifyBody, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """For an exchange (or a registrar, an auditor): run every listing check on the product and answer
    the registrar-signed report. A failed check is in the report (``listable`` false), not an error."""
    me.require_role(Role.EXCHANGE, Role.REGISTRAR, Role.AUDITOR)
    request = ListingRequest(
        asset_id=body.asset_id,
        lister=body.lister,
        content_hash=body.content_hash,
        upstream=tuple(UpstreamClaim(u.asset_id, u.licence_id) for u in body.upstream),
        declared_upstream=services.listing_verifier.declared_upstream_of(body.asset_id),
        pledgee_consent=body.pledgee_consent,
        exchange=me.name,
    )
    return services.listing_verifier.verify(request)


@router.post(
    "/pledgee-consent-requests",
    response_model=PledgeeConsentRequest,
    summary="The EIP-712 consent a pledgee signs to let a pledged product list",
)
def prepare_pledgee_consent(
    body: ListingConsentPrepare, _: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Any participant: whether the product is pledged and, if so, the ``ListingConsent`` its pledgee
    signs for this lister (the signature goes in the listing verification's ``pledgeeConsent``)."""
    return services.listing_verifier.pledgee_consent_request(body.asset_id, body.lister)


@router.post(
    "/reports/verify",
    response_model=ReportCheck,
    summary="Check a listing report's registrar signature (public)",
)
def verify_listing_report(
    report: Annotated[dict[str, Any], Body(description="A listing verification report")],
    services: ServicesDep,
) -> dict[str, Any]:
    """Public: whether the report is exactly as the registrar signed it (``valid`` false, with why, when
    it is not; never an error for a bad signature)."""
    try:
        verify_report(report, services.registrar_key.public_key)
    except VerificationFailed as exc:
        return {"valid": False, "detail": exc.detail}
    return {"valid": True, "detail": "signed by the registrar"}
