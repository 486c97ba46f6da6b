from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from dataledger.api.deps import ServicesDep

router = APIRouter(tags=["certificates"])


@router.get("/v1/certificates/{number}", summary="Fetch a certificate (public)")
def get_certificate(number: str, services: ServicesDep) -> dict:
    return services.registration.get_certificate(number)


@router.post("/v1/certificates/verify", summary="Verify a certificate offline and against the chain (public)")
def verify_certificate(
    certificate: Annotated[dict[str, Any], Body(description="The certificate (a W3C Verifiable Credential)")],
    services: ServicesDep,
    online: Annotated[bool, Query(description="Also check the chain")] = True,
) -> dict:
    verifier = services.verifier if online else services.offline_verifier
    report = verifier.verify(certificate).as_json()
    if report["supersededBy"]:
        # The chain names the successor by hash; the registry knows its number.
        report["supersededByNumber"] = services.registration.certificate_number_of(report["supersededBy"])
    return report


@router.get("/v1/certificates/{number}/status", summary="A certificate's standing on chain (public)")
def certificate_status(number: str, services: ServicesDep) -> dict:
    return services.registration.certificate_status(number)


@router.get("/v1/registrar", summary="The registrar's public key for offline verification (public)")
def registrar(services: ServicesDep) -> dict:
    key = services.registrar_key
    return {
        "name": services.settings.registrar_name,
        "did": key.did,
        "verificationMethod": key.verification_method_id,
        "publicKeyPem": key.public_key.to_pem(),
        "registry": {
            "chainId": services.registry.chain_id,
            "contract": services.registry.registry_address,
            "eip712Domain": services.registry.domain.as_json(),
        },
    }
