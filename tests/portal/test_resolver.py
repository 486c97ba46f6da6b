"""``/c/{number}``: a certificate's QR code resolves like a GS1 Digital Link, and carries the signed
certificate in its URL fragment for a phone to read offline."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.portal.digital_link import pack_certificate, qr_url, unpack_certificate
from tests.portal.conftest import Portal

GS1 = "https://gs1.org/voc/"


def number_of(portal: Portal) -> str:
    return str(portal.story.valid["credentialSubject"]["certificateNumber"])


def test_the_resolver_redirects_307_to_the_verification_page(portal: Portal) -> None:
    number = number_of(portal)
    response = httpx.get(f"{portal.url}/c/{number}", timeout=30)
    assert response.status_code == 307
    assert response.headers["location"] == f"{portal.url}/verify?number={number}"
    assert 'rel="linkset"' in response.headers["link"]


def test_link_type_all_answers_the_linkset_of_every_related_page(portal: Portal) -> None:
    number = number_of(portal)
    asset_id = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    response = httpx.get(f"{portal.url}/c/{number}", params={"linkType": "all"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/linkset+json"
    (links,) = response.json()["linkset"]
    assert links["anchor"] == f"{portal.url}/c/{number}"
    assert [link["href"] for link in links[GS1 + "certificationInfo"]] == [
        f"{portal.url}/verify?number={number}",
        f"{portal.url}/certificates/{number}.pdf",
        f"{portal.url}/v1/certificates/{number}",
    ]
    assert links[GS1 + "pip"][0]["href"] == f"{portal.url}/assets/{asset_id}"
    assert links[GS1 + "pip"][1]["href"] == f"{portal.url}/notices/{asset_id}"
    assert links[GS1 + "traceability"][0]["href"] == f"{portal.url}/v1/assets/{asset_id}/history"
    assert links[GS1 + "traceability"][1]["href"] == f"{portal.url}/trace/asset:{asset_id}"
    for relation in (GS1 + "certificationInfo", GS1 + "pip"):
        for link in links[relation]:
            assert httpx.get(link["href"], timeout=60).status_code == 200


def test_a_link_type_redirects_to_that_link(portal: Portal) -> None:
    asset_id = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    response = httpx.get(f"{portal.url}/c/{number_of(portal)}", params={"linkType": "gs1:pip"}, timeout=30)
    assert response.status_code == 307
    assert response.headers["location"] == f"{portal.url}/assets/{asset_id}"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/c/DLC-2099-999999", 404),
        ("/c/DIP-209901-460100-999999", 404),
        ("/c/nonsense", 422),
        ("/c/DLC-2026-000001?linkType=gs1:recipeInfo", 404),
    ],
)
def test_a_resolver_url_that_leads_nowhere_is_a_page_saying_so(
    portal: Portal, path: str, status: int
) -> None:
    response = httpx.get(portal.url + path, headers={"Accept-Language": "en"}, timeout=30)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-message"' in response.text


def test_the_qr_url_carries_the_signed_certificate_in_its_fragment(portal: Portal) -> None:
    vc = portal.story.valid
    url = qr_url(portal.url + "/", vc)
    resolver, _, fragment = url.partition("#vc=")
    assert resolver == f"{portal.url}/c/{number_of(portal)}"
    assert unpack_certificate(fragment) == vc
    assert len(url) < 2331  # a QR code of version 40, error correction M, holds 2,331 bytes


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_packing_a_document_into_a_fragment_and_back_gives_it_back(document: dict[str, object]) -> None:
    assert unpack_certificate(pack_certificate(document)) == document


def test_a_fragment_that_inflates_beyond_a_certificates_size_is_refused() -> None:
    bomb = pack_certificate({"padding": "0" * 200_000})
    with pytest.raises(ValueError, match="larger than a certificate"):
        unpack_certificate(bomb)
