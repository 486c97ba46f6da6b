"""The problem codes each operation answers beyond the generic ones (see :mod:`dataledger.api.openapi`).

Keyed by operationId. The test suite checks every problem a test provokes against this table, so a
route that starts answering a new code fails until the code is declared here (and so documented).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

OPERATION_ERRORS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "cancel": ("asset-pledged",),
        "capture": ("epcis-document-invalid",),
        "change": ("content-already-registered",),
        "fileObjection": (
            "invalid-asset-status",
            "notice-period-ended",
        ),
        "issueCertificate": (
            "invalid-asset-status",
            "notice-period-not-ended",
            "objections-open",
        ),
        "itemHistory": ("nul-character",),
        "listEvents": ("nul-character",),
        "materialise": (
            "already-materialised",
            "batch-not-anchored",
        ),
        "myConsents": ("validation-failed",),
        "prepareConsentUse": (
            "consent-expired",
            "consent-not-active",
        ),
        "prepareEnforcement": ("asset-not-pledged",),
        "prepareLicence": ("asset-not-certified",),
        "prepareLicenceUse": (
            "asset-not-certified",
            "licence-expired",
            "licence-revoked",
            "licence-used-up",
            "licence-voided-by-enforcement",
        ),
        "prepareWithdrawal": ("consent-not-active",),
        "recordDerivation": (
            "asset-not-found",
            "derivation-cycle",
            "derivation-incomplete",
            "derivation-licence-invalid",
            "licence-not-found",
        ),
        "registerAsset": (
            "asset-already-registered",
            "content-already-batched",
            "content-already-registered",
        ),
        "reject": ("asset-revoked",),
        "renew": ("certificate-expired",),
        "review": (
            "asset-revoked",
            "batch-not-anchored",
            "invalid-asset-status",
        ),
        "transfer": (
            "asset-pledged",
            "invalid-asset-status",
        ),
    }
)
