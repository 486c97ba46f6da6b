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
        "createListing": (
            "already-exists",
            "asset-not-certified",
            "ledger-error",
            "licence-template-not-found",
            "listing-report-not-passing",
            "verification-failed",
        ),
        "delistListing": ("ledger-error", "listing-not-active"),
        "respondToDemand": ("already-exists", "demand-closed", "listing-not-found"),
        "closeDemand": ("demand-closed",),
        "reviseLicenceTemplate": ("validation-failed",),
        "changeAsset": ("content-already-registered",),
        "fileObjection": (
            "invalid-asset-status",
            "notice-period-ended",
        ),
        "issueCertificate": (
            "asset-revoked",
            "certificate-expired",
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
        "prepareCertificate": (
            "asset-revoked",
            "certificate-expired",
            "invalid-asset-status",
            "notice-period-not-ended",
            "objections-open",
        ),
        "preparePledgeEnforcement": ("asset-not-pledged",),
        "prepareRenewal": (
            "certificate-expired",
            "invalid-asset-status",
        ),
        "prepareReview": ("batch-not-anchored",),
        "prepareRevocation": ("asset-revoked",),
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
        "renewCertificate": (
            "certificate-expired",
            "invalid-asset-status",
        ),
        "revokeAsset": (
            "asset-revoked",
            "invalid-asset-status",
        ),
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
