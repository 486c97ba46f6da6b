"""Response shapes of data subjects' consents: the consent as stored, its history of acts, lists of
consents, and the EIP-712 messages the subject and the enterprise sign."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import SALT_EXAMPLE, IsoDateTime, PreparedAct, Salt
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    TypedData,
    Wire,
    example,
)
from dataledger.api.responses.licences import (
    LICENCE_DOMAIN_EXAMPLE,
    PURPOSE_HASH_EXAMPLE,
    REQUEST_HASH_EXAMPLE,
    licence_typed_data,
)

SUBJECT_EXAMPLE = "0x" + "6a" * 20
ENTERPRISE_EXAMPLE = ADDRESS_EXAMPLE

ConsentStatus = Literal["active", "consumed", "withdrawn"]

CONSENT_EXAMPLE: dict[str, Any] = {
    "consentId": 3,
    "subject": SUBJECT_EXAMPLE,
    "enterpriseAddress": ENTERPRISE_EXAMPLE,
    "enterpriseId": "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41",
    "purpose": "One background check for the application to post 2026-044",
    "purposeHash": PURPOSE_HASH_EXAMPLE,
    "salt": SALT_EXAMPLE,
    "validUntil": 1773052867,
    "status": "consumed",
    "requestHash": REQUEST_HASH_EXAMPLE,
}


class Consent(Wire):
    """A data subject's consent to one query by one enterprise, for a stated purpose."""

    model_config = example(CONSENT_EXAMPLE)

    consent_id: int = Field(description="The licence registry's consent id")
    subject: ChainAddress = Field(description="The data subject's chain address (the key that signed)")
    enterprise_address: ChainAddress = Field(description="The enterprise the consent is given to")
    enterprise_id: str | None = Field(description="The enterprise's participant id")
    purpose: str = Field(description="What the query is for (committed on chain as a salted hash)")
    purpose_hash: HexHash = Field(description="The salted commitment to the purpose, as on chain")
    salt: Salt
    valid_until: int = Field(description="Unix time (chain time) after which the consent cannot be used")
    status: ConsentStatus = Field(
        description="active until the query consumes it or the subject withdraws it"
    )
    request_hash: HexHash | None = Field(description="The hash of the query that consumed it")


class ConsentList(Wire):
    """Consents in id order (at most 500)."""

    model_config = example({"items": [CONSENT_EXAMPLE]})

    items: list[Consent]


CONSENT_ACT_EXAMPLE: dict[str, Any] = {
    "act": "consent-granted",
    "actor": SUBJECT_EXAMPLE,
    "at": "2026-03-02T09:41:07+00:00",
    "detail": {
        "subject": SUBJECT_EXAMPLE,
        "enterprise": ENTERPRISE_EXAMPLE,
        "purposeHash": PURPOSE_HASH_EXAMPLE,
        "validUntil": 1773052867,
    },
    "chainEvidence": {**CHAIN_EVIDENCE_EXAMPLE, "contract": LICENCE_DOMAIN_EXAMPLE["verifyingContract"]},
}


class ConsentAct(Wire):
    """One act on the consent, as the licence registry's event records it."""

    model_config = example(CONSENT_ACT_EXAMPLE)

    act: Literal["consent-granted", "consent-consumed", "consent-withdrawn"]
    actor: ChainAddress = Field(description="The address that signed the act")
    at: IsoDateTime | None = Field(description="The block's time; null if not known")
    detail: dict[str, Any] = Field(description="The event's arguments but the consent id")
    chain_evidence: ChainEvidence


class ConsentWithHistory(Consent):
    """A consent with its acts in chain order; ``status`` is the chain's."""

    model_config = example({**CONSENT_EXAMPLE, "history": [CONSENT_ACT_EXAMPLE]})

    history: list[ConsentAct]


CONSENT_FIELDS: list[tuple[str, str]] = [
    ("subject", "address"),
    ("enterprise", "address"),
    ("purposeHash", "bytes32"),
    ("validUntil", "uint64"),
    ("nonce", "uint256"),
    ("deadline", "uint256"),
]


class PreparedConsent(PreparedAct):
    """The consent the data subject signs, with the salt and the purpose commitment to submit back."""

    model_config = example(
        {
            "typedData": licence_typed_data(
                "Consent",
                CONSENT_FIELDS,
                {
                    "subject": SUBJECT_EXAMPLE,
                    "enterprise": ENTERPRISE_EXAMPLE,
                    "purposeHash": PURPOSE_HASH_EXAMPLE,
                    "validUntil": 1773052867,
                    "nonce": 0,
                    "deadline": 1772451667,
                },
            ),
            "nonce": 0,
            "deadline": 1772451667,
            "salt": SALT_EXAMPLE,
            "purposeHash": PURPOSE_HASH_EXAMPLE,
        }
    )

    salt: Salt
    purpose_hash: HexHash = Field(description="The salted commitment to the purpose")


class ConsentListingRequest(Wire):
    """The ``ConsentListing`` a subject signs to list their consents; valid for a few minutes."""

    model_config = example(
        {
            "typedData": licence_typed_data(
                "ConsentListing",
                [("subject", "address"), ("issuedAt", "uint256")],
                {"subject": SUBJECT_EXAMPLE, "issuedAt": 1772448067},
            ),
            "issuedAt": 1772448067,
        }
    )

    typed_data: TypedData = Field(description="The EIP-712 message to sign as is")
    issued_at: int = Field(description="Unix time (chain time) of the request; submit it back")
