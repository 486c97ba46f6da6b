"""Chain-facing value objects of the lifecycle: acts read from receipts and the contracts' records.

Like ``registry.chain_types`` these are plain frozen dataclasses that describe what the chain said
(``DataRightsRegistry`` procedure, objections, certificates; ``LicenceRegistry`` licences and
consents) without importing a chain library. The enums mirror the contracts' enums, in their order.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dataledger.registry.assets import RightClaimed
from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.market.licence_templates import Exclusivity

ZERO_HASH = "0x" + "00" * 32
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True, slots=True)
class ChainAct:
    """One event emitted by an act: its name, its arguments (JSON-ready) and where it was recorded."""

    event: str
    args: Mapping[str, Any]
    evidence: ChainEvidence
    block_timestamp: int


def act_of(acts: tuple[ChainAct, ...], event: str) -> ChainAct:
    """The first act of ``acts`` that emitted ``event``; ValidationFailed if none did."""
    for act in acts:
        if act.event == event:
            return act
    raise ValidationFailed(f"the transaction emitted no {event} event")


class ReviewStage(enum.IntEnum):
    """Mirrors ``IDataRightsRegistry.ReviewStage``."""

    FORMAL = 0
    SUBSTANTIVE = 1

    @property
    def label(self) -> str:
        return self.name.lower()


class ObjectionStatus(enum.IntEnum):
    """Mirrors ``IDataRightsRegistry.ObjectionStatus``."""

    NONE = 0
    OPEN = 1
    UPHELD = 2
    DISMISSED = 3


class ConsentStatus(enum.IntEnum):
    """Mirrors ``ILicenceRegistry.ConsentStatus``."""

    NONE = 0
    ACTIVE = 1
    CONSUMED = 2
    WITHDRAWN = 3


RIGHT_INDEX: Mapping[RightClaimed, int] = {right: index for index, right in enumerate(RightClaimed)}


def right_of_index(index: int) -> RightClaimed:
    """The right whose ``IDataRightsRegistry.Right`` value is ``index``."""
    return list(RightClaimed)[index]


def _optional_address(value: str) -> str | None:
    return None if int(value, 16) == 0 else value


def _optional_hash(value: str) -> str | None:
    return None if int(value, 16) == 0 else value


@dataclass(frozen=True, slots=True)
class OnChainProcedure:
    """``IDataRightsRegistry.Procedure``: where an asset stands in and after the procedure."""

    right: RightClaimed
    version: int
    open_objections: int
    enforcements: int
    notice_ends_at: int
    certificate_valid_until: int
    pledgee: str | None
    lawful_source_hash: str
    current_certificate: str | None

    @classmethod
    def from_chain(cls, record: tuple[Any, ...], hex_of: Any) -> OnChainProcedure:
        right, version, open_objections, enforcements, ends_at, valid_until, pledgee, lawful, current = record
        return cls(
            right=right_of_index(int(right)),
            version=int(version),
            open_objections=int(open_objections),
            enforcements=int(enforcements),
            notice_ends_at=int(ends_at),
            certificate_valid_until=int(valid_until),
            pledgee=_optional_address(pledgee),
            lawful_source_hash=hex_of(lawful),
            current_certificate=_optional_hash(hex_of(current)),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "rightClaimed": self.right.value,
            "version": self.version,
            "openObjections": self.open_objections,
            "enforcements": self.enforcements,
            "noticeEndsAt": self.notice_ends_at or None,
            "certificateValidUntil": self.certificate_valid_until or None,
            "pledgee": self.pledgee,
            "lawfulSourceHash": self.lawful_source_hash,
            "currentCertificateHash": self.current_certificate,
        }


@dataclass(frozen=True, slots=True)
class OnChainObjection:
    """``IDataRightsRegistry.Objection``."""

    objection_id: int
    asset_id: str
    objector: str
    filed_at: int
    status: ObjectionStatus
    reason_hash: str
    evidence_hash: str


@dataclass(frozen=True, slots=True)
class OnChainCertificate:
    """``IDataRightsRegistry.CertificateRecord``: a recorded certificate and what superseded it."""

    certificate_hash: str
    asset_id: str
    recorded_at: int
    valid_until: int
    superseded_by: str | None


@dataclass(frozen=True, slots=True)
class OnChainPledge:
    """``IDataRightsRegistry.PledgeRecord``: the last pledge of an asset, as both parties signed it."""

    asset_id: str
    pledgee: str
    terms_hash: str
    secured_amount: int
    currency: str
    maturity: int
    valuation_hash: str
    pledged_at: int
    serial: int
    certificate_hash: str | None  # the pledge registration certificate, once a registrar recorded one
    active: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "pledgee": self.pledgee,
            "termsHash": self.terms_hash,
            "securedAmount": self.secured_amount,
            "currency": self.currency,
            "maturity": self.maturity,
            "valuationHash": self.valuation_hash,
            "pledgedAt": self.pledged_at,
            "serial": self.serial,
            "certificateHash": self.certificate_hash,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class OnChainPledgeCertificate:
    """``IDataRightsRegistry.PledgeCertificateRecord``: which pledge a pledge certificate certifies."""

    certificate_hash: str
    asset_id: str
    serial: int
    registrar: str
    recorded_at: int


@dataclass(frozen=True, slots=True)
class LicenceTerms:
    """``ILicenceRegistry.LicenceTerms``: what a holder grants, valid by construction.

    ``asset_version`` 0 covers every version; the three hashes commit to the salted texts of the
    licence (``territory_hash`` zero: anywhere); times are Unix seconds, both ends inclusive.
    """

    asset_id: str
    licensee: str
    asset_version: int
    max_uses: int
    valid_from: int
    valid_until: int
    derivatives_allowed: bool
    commercial: bool
    scope_hash: str
    purpose_hash: str
    territory_hash: str = ZERO_HASH
    exclusivity: Exclusivity = Exclusivity.NON_EXCLUSIVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "asset_id"))
        object.__setattr__(self, "exclusivity", Exclusivity(self.exclusivity))
        require_address(self.licensee, "licensee")
        for name in ("scope_hash", "purpose_hash", "territory_hash"):
            object.__setattr__(self, name, require_hex32(getattr(self, name), name))
        for name, bits in (("asset_version", 32), ("max_uses", 32), ("valid_from", 64), ("valid_until", 64)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**bits:
                raise ValidationFailed(f"{name} must be an unsigned {bits}-bit integer", field=name)
        if self.max_uses == 0:
            raise ValidationFailed("a licence allows at least one use", field="max_uses")
        if self.valid_until <= self.valid_from:
            raise ValidationFailed("valid_until must be after valid_from", field="valid_until")

    def message(self) -> dict[str, Any]:
        """The terms as the fields of the EIP-712 ``Licence`` message (camelCase, contract order)."""
        return {
            "assetId": self.asset_id,
            "licensee": self.licensee,
            "assetVersion": self.asset_version,
            "maxUses": self.max_uses,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "derivativesAllowed": self.derivatives_allowed,
            "commercial": self.commercial,
            "scopeHash": self.scope_hash,
            "purposeHash": self.purpose_hash,
            "territoryHash": self.territory_hash,
            "exclusivity": EXCLUSIVITY_ON_CHAIN.index(self.exclusivity),
        }


# ``ILicenceRegistry.Exclusivity``: each value's place is its number on chain.
EXCLUSIVITY_ON_CHAIN = (Exclusivity.NON_EXCLUSIVE, Exclusivity.SOLE, Exclusivity.EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class OnChainLicence:
    """``ILicenceRegistry.Licence``."""

    licence_id: int
    terms: LicenceTerms
    licensor: str
    uses: int
    enforcements_at_grant: int
    revoked: bool


@dataclass(frozen=True, slots=True)
class OnChainConsent:
    """``ILicenceRegistry.Consent``."""

    consent_id: int
    subject: str
    enterprise: str
    granted_at: int
    valid_until: int
    status: ConsentStatus
    purpose_hash: str
    request_hash: str | None


@dataclass(frozen=True, slots=True)
class AnchorEvidence:
    """Where a batch root was anchored: the ``BatchAnchored`` event and its transaction."""

    chain_id: int
    contract: str
    batch_id: int  # the contract's batch id
    root: bytes
    tx_hash: str
    block_number: int
    block_timestamp: int
    log_index: int
    gas_used: int | None = None


# The contracts' events and the acts they record: the vocabulary that the chain clients, the SQL
# stores and the audit share.

#: The act recorded in an asset's history for each event of the registry and licence contracts.
ACT_OF_EVENT: Mapping[str, str] = MappingProxyType(
    {
        "AssetRegistered": "registered",
        "AssetMaterialised": "materialised",
        "ApplicationReviewed": "reviewed",
        "PublicNoticeStarted": "notice-started",
        "ApplicationRejected": "rejected",
        "ObjectionFiled": "objection-filed",
        "ObjectionResolved": "objection-resolved",
        "CertificateRecorded": "certificate-recorded",
        "CertificateSuperseded": "certificate-superseded",
        "CertificateRenewed": "certificate-renewed",
        "AssetChanged": "changed",
        "AssetTransferred": "transferred",
        "AssetPledged": "pledged",
        "PledgeReleased": "pledge-released",
        "PledgeEnforced": "pledge-enforced",
        "PledgeRevalued": "pledge-revalued",
        "PledgeCertificateRecorded": "pledge-certificate-recorded",
        "AssetCancelled": "cancelled",
        "AssetRevoked": "revoked",
        "LicenceGranted": "licence-granted",
        "LicenceUsed": "licence-used",
        "LicenceRevoked": "licence-revoked",
    }
)
EVENT_OF_ACT: Mapping[str, str] = MappingProxyType({act: event for event, act in ACT_OF_EVENT.items()})

#: The act recorded in a data subject's consent history for each event of the licence registry.
CONSENT_EVENT_OF_ACT: Mapping[str, str] = MappingProxyType(
    {
        "consent-granted": "ConsentGranted",
        "consent-consumed": "ConsentConsumed",
        "consent-withdrawn": "ConsentWithdrawn",
    }
)
CONSENT_ACT_OF_EVENT: Mapping[str, str] = MappingProxyType(
    {event: act for act, event in CONSENT_EVENT_OF_ACT.items()}
)
