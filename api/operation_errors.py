"""The problem codes each operation answers beyond the generic ones (see :mod:`dataledger.api.openapi`).

Keyed by operationId. The test suite checks every problem a test provokes against this table, so a
route that starts answering a new code fails until the code is declared here (and so documented).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

OPERATION_ERRORS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "cancelRegistration": ("asset-pledged",),
        "captureEvents": ("epcis-document-invalid",),
        "changeAsset": ("content-already-registered",),
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
        "materialiseRegistration": (
            "already-materialised",
            "batch-not-anchored",
        ),
        "listConsents": ("validation-failed",),
        "prepareConsentUse": (
            "consent-expired",
            "consent-not-active",
        ),
        "preparePledgeEnforcement": ("asset-not-pledged",),
        "prepareLicence": ("asset-not-certified",),
        "prepareLicenceUse": (
            "asset-not-certified",
            "licence-expired",
            "licence-revoked",
            "licence-used-up",
            "licence-voided-by-enforcement",
        ),
        "prepareConsentWithdrawal": ("consent-not-active",),
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
        "rejectAsset": ("asset-revoked",),
        "renewCertificate": ("certificate-expired",),
        "reviewAsset": (
            "asset-revoked",
            "batch-not-anchored",
            "invalid-asset-status",
        ),
        "transferAsset": (
            "asset-pledged",
            "invalid-asset-status",
        ),
    }
)
