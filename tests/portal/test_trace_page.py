"""``/trace/{item}``: the duty-free bottle's journey (brand, bonded warehouse, customs, store, airport
pickup), its lineage drawn back and forward, each event with its anchor proof checked, nothing
confidential; and ``/01/{gtin}/21/{serial}``, a product's QR code, resolved to the passenger's view."""

from __future__ import annotations

import re

import httpx
import pytest

from dataledger.cli import duty_free_scenario as scenario
from dataledger.portal.digital_link import gtin_is_valid, lgtin_candidates, lot_is_valid, sgtin_candidates
from tests.portal.conftest import Portal

BOTTLE_GTIN = "03012345123457"  # indicator 0, company prefix 3012345, item 12345, check digit 7
BOTTLE_SERIAL = "A1-1"


def trace(portal: Portal, node: str, **params: str) -> httpx.Response:
    return httpx.get(f"{portal.url}/trace/{node}", params={"lang": "en", **params}, timeout=60)


def test_the_bottles_journey_runs_from_the_brand_to_the_airport_pickup(portal: Portal) -> None:
    page = trace(portal, scenario.SOLD_BOTTLE)
    assert page.status_code == 200
    steps = re.findall(r'data-testid="journey-step" data-step="([a-z_]+)"', page.text)
    assert steps[0] == "commissioning" and steps[-1] == "passenger_pickup"
    assert {"shipping", "receiving", "inspecting", "retail_selling"} <= set(steps)
    for place in (scenario.BONDED_WAREHOUSE, scenario.CUSTOMS, scenario.STORE, scenario.AIRPORT_PICKUP):
        assert place in page.text
    assert "Inspected (customs clearance)" in page.text and "Collected by the passenger" in page.text


def test_nothing_confidential_is_shown(portal: Portal) -> None:
    page = trace(portal, scenario.SOLD_BOTTLE)
    for secret in (
        scenario.quota_record_hash("quota-2025-000123"),  # the passenger's quota record, even hashed
        "POS-88123",  # the sale's receipt
        "CLR-2025-0313",  # the customs clearance number
        "ASN-77",  # the despatch advice
        f"urn:epc:id:pgln:{scenario.BRAND}.00000",  # the owning party
    ):
        assert secret not in page.text


def test_every_event_has_its_anchor_proof_checked(portal: Portal) -> None:
    page = trace(portal, scenario.SOLD_BOTTLE)
    checked = re.findall(r'data-testid="anchor-status" data-checked="(true|false)"', page.text)
    assert checked and set(checked) == {"true"}
    assert len(re.findall(r'data-testid="event" data-event="ni:///sha-256;', page.text)) >= 8


def test_the_graph_is_drawn_back_and_forward(portal: Portal) -> None:
    page = trace(portal, scenario.SOLD_BOTTLE)
    figures = {
        direction: page.text.split(f'data-testid="graph-{direction}"', 1)[1].split("</figure>", 1)[0]
        for direction in ("back", "forward")
    }
    assert all("<svg" in figure for figure in figures.values())
    assert "ESS-7" in figures["back"]  # back to the essence lot it was blended from
    assert "0000000099" in figures["forward"]  # forward: the pallet it was packed into


def test_a_data_products_lineage_reaches_the_asset_it_derives_from(portal: Portal) -> None:
    product = portal.story.product["assetId"]
    page = trace(portal, f"asset:{product}")
    assert page.status_code == 200
    assert "<svg" in page.text.split('data-testid="graph-back"', 1)[1]


def test_the_passengers_view_shows_the_journey_only(portal: Portal) -> None:
    page = trace(portal, scenario.SOLD_BOTTLE, view="journey")
    assert 'data-testid="journey-step"' in page.text
    assert 'data-testid="graph-back"' not in page.text and 'data-testid="events"' not in page.text


def test_a_product_qr_code_resolves_to_the_passengers_view(portal: Portal) -> None:
    response = httpx.get(f"{portal.url}/01/{BOTTLE_GTIN}/21/{BOTTLE_SERIAL}", timeout=30)
    assert response.status_code == 307
    assert response.headers["location"] == f"/trace/{scenario.SOLD_BOTTLE}?view=journey"


def test_a_product_qr_code_answers_the_linkset_of_its_pages(portal: Portal) -> None:
    path = f"/01/{BOTTLE_GTIN}/21/{BOTTLE_SERIAL}"
    response = httpx.get(f"{portal.url}{path}", params={"linkType": "all"}, timeout=30)
    assert response.headers["content-type"].startswith("application/linkset+json")
    (links,) = response.json()["linkset"]
    assert links["anchor"] == portal.url + path
    trace_links = [link["href"] for link in links["https://gs1.org/voc/traceability"]]
    assert trace_links == [
        f"{portal.url}/trace/{scenario.SOLD_BOTTLE}?view=journey",
        f"{portal.url}/trace/{scenario.SOLD_BOTTLE}",
    ]
    for href in trace_links:
        assert httpx.get(href, timeout=60).status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/01/03012345123458/21/A1-1", 422, "is not a valid GTIN"),  # wrong check digit
        ("/01/03012345123457/21/Z9-9", 404, "No trace is recorded for this product"),
        ("/trace/urn:epc:id:sgtin:0000000.000000.none", 404, "No event, derivation or asset names this item"),
    ],
)
def test_bad_input_is_a_page_in_the_readers_language(
    portal: Portal, path: str, status: int, message: str
) -> None:
    page = httpx.get(portal.url + path, headers={"Accept-Language": "en"}, timeout=30)
    assert page.status_code == status
    assert message in page.text


def test_a_gtin_is_checked_and_mapped_to_an_epc_for_every_company_prefix_length() -> None:
    assert gtin_is_valid(BOTTLE_GTIN) and gtin_is_valid("96385074") and not gtin_is_valid("123")
    assert scenario.SOLD_BOTTLE in sgtin_candidates(BOTTLE_GTIN, BOTTLE_SERIAL)
    assert len(sgtin_candidates(BOTTLE_GTIN, "x/y")) == 14  # escaped, then as written
    assert sgtin_candidates(BOTTLE_GTIN, "x/y")[0].endswith(".x%2Fy")


@pytest.mark.parametrize(
    ("lot", "lot_class"), [("A1", scenario.LOT_A_CLASS), ("B2", "urn:epc:class:lgtin:3012345.012345.B2")]
)
def test_a_lot_qr_code_resolves_to_the_trace_of_the_lots_items(
    portal: Portal, lot: str, lot_class: str
) -> None:
    """``/01/{gtin}/10/{lot}`` (GS1 Digital Link with a batch/lot key): 307 to the lot's trace, which
    draws every item commissioned in the lot and none of another lot's."""
    response = httpx.get(f"{portal.url}/01/{BOTTLE_GTIN}/10/{lot}", timeout=30)
    assert response.status_code == 307
    assert response.headers["location"] == f"/trace/{lot_class}"
    page = httpx.get(portal.url + response.headers["location"], params={"lang": "en"}, timeout=60)
    assert page.status_code == 200
    bottles = scenario.BOTTLES_A if lot == "A1" else scenario.BOTTLES_B
    assert all(bottle in page.text for bottle in bottles)
    other = scenario.BOTTLES_B if lot == "A1" else scenario.BOTTLES_A
    assert not any(bottle in page.text for bottle in other)


def test_a_lot_qr_code_answers_the_linkset_of_its_pages(portal: Portal) -> None:
    path = f"/01/{BOTTLE_GTIN}/10/A1"
    response = httpx.get(f"{portal.url}{path}", params={"linkType": "all"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/linkset+json")
    (links,) = response.json()["linkset"]
    assert links["anchor"] == portal.url + path
    assert links["https://gs1.org/voc/defaultLink"][0]["href"] == f"{portal.url}/trace/{scenario.LOT_A_CLASS}"
    assert [link["href"] for link in links["https://gs1.org/voc/traceability"]] == [
        f"{portal.url}/trace/{scenario.LOT_A_CLASS}"
    ]


@pytest.mark.parametrize(
    ("path", "status", "zh", "en"),
    [
        ("/01/03012345123458/10/A1", 422, "不是有效的商品条码", "is not a valid GTIN"),
        ("/01/03012345123457/10/" + "L" * 21, 422, "不是有效的批号", "is not a valid batch or lot number"),
        ("/01/03012345123457/10/A%C3%A91", 422, "不是有效的批号", "is not a valid batch or lot number"),
        ("/01/03012345123457/10/Z9", 404, "没有关于批号 Z9 的溯源记录", "No trace is recorded for lot Z9"),
        ("/01/03012345123457/10/A1?linkType=gs1:recipeInfo", 404, "参数", "The parameter"),
    ],
)
def test_a_bad_lot_qr_code_is_a_page_in_the_readers_language(
    portal: Portal, path: str, status: int, zh: str, en: str
) -> None:
    for lang, message in (("zh", zh), ("en", en)):
        page = httpx.get(portal.url + path, headers={"Accept-Language": lang}, timeout=30)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert message in page.text


def test_a_lot_is_mapped_to_its_class_for_every_company_prefix_length() -> None:
    assert scenario.LOT_A_CLASS in lgtin_candidates(BOTTLE_GTIN, "A1")
    assert len(lgtin_candidates(BOTTLE_GTIN, "A1")) == 7
    assert lgtin_candidates(BOTTLE_GTIN, "x/y")[0].endswith(".x%2Fy")
    assert lot_is_valid("ESS-7") and lot_is_valid("x/y") and not lot_is_valid("") and not lot_is_valid("é")
