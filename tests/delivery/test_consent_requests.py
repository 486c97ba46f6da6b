"""The request a consent is consumed for, and the gateway's judgement of the consent as the chain holds
it: unit tests, no chain (the HTTP flows are in ``test_consent_delivery``). A consent withdrawn after
its consumption cannot be made on today's contract (``withdrawConsent`` needs it active), so that
refusal is proven here."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.chain_records import ConsentStatus, OnChainConsent
from dataledger.registry.delivery.consent_requests import ConsentRequest, consent_request_hash
from dataledger.registry.delivery.consent_uses import require_consumed_consent, require_request
from dataledger.registry.errors import (
    ConsentExpired,
    ConsentNotActive,
    ConsentRequestMismatch,
    ConsentUseNotFound,
    ConsentWithdrawn,
    ValidationFailed,
)
from dataledger.registry.keccak import keccak256

ASSET = "0x" + "a1" * 32
SUBJECT = "0x" + "5B" * 20
REQUEST = consent_request_hash(ASSET, SUBJECT, "records", "field=employment")


def consent(
    status: ConsentStatus = ConsentStatus.CONSUMED, request_hash: str | None = REQUEST
) -> OnChainConsent:
    return OnChainConsent(
        consent_id=7,
        subject=SUBJECT,
        enterprise="0x" + "e1" * 20,
        granted_at=1_000,
        valid_until=2_000,
        status=status,
        purpose_hash="0x" + "00" * 31 + "01",
        request_hash=request_hash,
    )


def test_the_request_hash_is_keccak_of_the_documented_canonical_json() -> None:
    canonical = (
        '{"assetId":"' + ASSET + '","path":"records","query":"field=employment",'
        '"subject":"' + SUBJECT.lower() + '","type":"ConsentDeliveryRequest"}'
    )
    assert "0x" + keccak256(canonical.encode()).hex() == REQUEST


def test_the_path_is_taken_as_the_gateway_forwards_it() -> None:
    assert consent_request_hash(ASSET, SUBJECT, "/records/", "?field=employment") == REQUEST
    assert consent_request_hash(
        ASSET.upper().replace("0X", "0x"), SUBJECT.lower(), "records", "field=employment"
    ) == (REQUEST)
    with pytest.raises(ValidationFailed):
        ConsentRequest(ASSET, SUBJECT, "records/../secrets")


@given(
    st.sampled_from(["asset", "subject", "path", "query"]),
    st.text(alphabet="abcdefghij0123456789=&", min_size=1, max_size=12),
)
def test_a_request_for_anything_else_hashes_otherwise(changed: str, text: str) -> None:
    fields = {"asset_id": ASSET, "subject": SUBJECT, "path": "records", "query": "field=employment"}
    if changed == "asset":
        fields["asset_id"] = "0x" + keccak256(text.encode()).hex()
    elif changed == "subject":
        fields["subject"] = "0x" + keccak256(text.encode()).hex()[:40]
    elif changed == "path":
        fields["path"] = "records/" + text
    else:
        fields["query"] = "field=employment&" + text
    other = ConsentRequest(**fields)
    assert other.request_hash() != REQUEST
    with pytest.raises(ConsentRequestMismatch):
        require_request(REQUEST, other)


def test_a_consent_consumed_for_the_request_and_in_time_stands() -> None:
    assert require_consumed_consent(consent(), REQUEST, now=2_000).consent_id == 7


@pytest.mark.parametrize(
    ("found", "refusal"),
    [
        (None, ConsentUseNotFound),
        (consent(ConsentStatus.WITHDRAWN), ConsentWithdrawn),
        (consent(ConsentStatus.ACTIVE, request_hash=None), ConsentNotActive),
        (consent(request_hash="0x" + "77" * 32), ConsentNotActive),
    ],
)
def test_a_consent_not_consumed_for_the_request_is_refused(
    found: OnChainConsent | None, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        require_consumed_consent(found, REQUEST, now=1_500)


def test_a_consent_is_judged_expired_at_the_next_blocks_time() -> None:
    with pytest.raises(ConsentExpired):
        require_consumed_consent(consent(), REQUEST, now=2_001)
