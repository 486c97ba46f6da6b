"""Registration certificates, public: fetch one, its standing on chain, verify one; the registrar's key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from dataledger.api.deps import ServicesDep
from dataledger.api.responses.certificates import Certificate, CertificateStatus, VerificationReport
from dataledger.api.responses.operations import Registrar

router = APIRouter(tags=["certificates"])


@router.get(
    "/v1/certificates/{number}",
    response_model=Certificate,
    response_model_exclude_unset=True,
    summary="Fetch a certificate (public)",
)
def get_certificate(number: str, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the signed credential exactly as issued, ready to verify offline. 404 for an unknown
    number."""
    return services.registration.get_certificate(number)


@router.post(
    "/v1/certificates/verify",
    response_model=VerificationReport,
    response_model_exclude_unset=True,
    summary="Verify a certificate offline and against the chain (public)",
)
def verify_certificate(
    certificate: Annotated[dict[str, Any], Body(description="The certificate (a W3C Verifiable Credential)")],
    services: ServicesDep,
    online: Annotated[bool, Query(description="Also check the chain")] = True,
) -> dict[str, Any]:
    """Anyone: runs the checks in order and stops at the first failure; a certificate that fails is a
    report with ``valid: false``, not an error. A superseded certificate's report names its successor."""
    verifier = services.verifier if online else services.offline_verifier
    report = verifier.verify(certificate).as_json()
    if report["supersededBy"]:
        # The chain names the successor by hash; the registry knows its number.
        report["supersededByNumber"] = services.registration.certificate_number_of(report["supersededBy"])
    return report


@router.get(
    "/v1/certificates/{number}/status",
    response_model=CertificateStatus,
    summary="A certificate's standing on chain (public)",
)
def certificate_status(number: str, services: ServicesDep) -> dict[str, Any]:
    """Anyone: valid, superseded (and by which), expired, revoked or cancelled, as the chain says now,
    and to whom the asset is pledged. 404 for an unknown number."""
    return services.registration.certificate_status(number)


@router.get(
    "/v1/registrar",
    response_model=Registrar,
    summary="The registrar's public key for offline verification (public)",
)
def get_registrar(services: ServicesDep) -> dict[str, Any]:
    """Anyone: the registrar's did:key and PEM public key, and the registry contract with its EIP-712
    domain, so certificates can be verified without this service."""
    return services.registration.registrar_info()
