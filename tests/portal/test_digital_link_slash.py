"""A lot or serial holding a ``/`` (GS1 AI encodable set 82 allows it; GS1 Digital Link writes it ``%2F``)
resolves like any other: the lot's QR code to the lot's trace, the item's to its journey. A literal ``/``
after the key starts a path segment the resolver does not serve: a page saying so, in the reader's
language, not a bare 404."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from dataledger.cli import duty_free_scenario as scenario
from dataledger.client import Client, LocalKeySigner
from dataledger.portal.digital_link import gtin_is_valid, lgtin_candidates, sgtin_candidates
from tests.portal.conftest import Portal

COMPANY, ITEM = scenario.BRAND, "054321"
LOT = "L/7"  # the lot number as the ILMD states it
ITEM_EPC = f"urn:epc:id:sgtin:{COMPANY}.{ITEM}.S%2F1"  # serial "S/1", escaped as EPC URIs write it


def gtin() -> str:
    body = "0" + COMPANY + ITEM[1:]
    digits = [int(d) for d in body]
    check = (10 - sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits)) % 10) % 10
    return body + str(check)


@pytest.fixture(scope="module")
def slash_lot(portal: Portal) -> Iterator[str]:
    """An item of lot ``L/7`` commissioned and captured (its events anchored)."""
    admin = Client(portal.url, portal.story.admin_key)
    party = Client(
        portal.url,
        admin.participants.create(
            "斜杠批号工厂 Slash-lot factory", "enterprise", LocalKeySigner.generate().address
        )["apiKey"],
    )
    commissioning = {
        "type": "ObjectEvent",
        "eventTime": "2025-04-01T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [ITEM_EPC],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "ilmd": {"cbvmda:lotNumber": LOT},
        "readPoint": {"id": scenario.FACTORY},
        "bizLocation": {"id": scenario.FACTORY},
    }
    document = {
        "@context": scenario.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-04-01T10:00:00.000+08:00",
        "epcisBody": {"eventList": [commissioning]},
    }
    party.events.capture(json.dumps(document).encode(), wait=True, timeout=60)
    yield f"urn:epc:class:lgtin:{COMPANY}.{ITEM}.{LOT}"


def test_a_lot_with_an_escaped_slash_resolves_to_its_trace(portal: Portal, slash_lot: str) -> None:
    assert gtin_is_valid(gtin())
    response = httpx.get(f"{portal.url}/01/{gtin()}/10/L%2F7", timeout=30)
    assert response.status_code == 307, response.text
    assert response.headers["location"] == f"/trace/urn:epc:class:lgtin:{COMPANY}.{ITEM}.L%2F7"
    page = httpx.get(portal.url + response.headers["location"], params={"lang": "en"}, timeout=60)
    assert page.status_code == 200 and ITEM_EPC in page.text


def test_the_lots_linkset_names_it_escaped(portal: Portal, slash_lot: str) -> None:
    response = httpx.get(f"{portal.url}/01/{gtin()}/10/L%2F7", params={"linkType": "all"}, timeout=30)
    (links,) = response.json()["linkset"]
    assert links["anchor"] == f"{portal.url}/01/{gtin()}/10/L%2F7"


def test_an_item_with_an_escaped_slash_in_its_serial_resolves_to_its_journey(
    portal: Portal, slash_lot: str
) -> None:
    response = httpx.get(f"{portal.url}/01/{gtin()}/21/S%2F1", timeout=30)
    assert response.status_code == 307, response.text
    journey = httpx.get(portal.url + response.headers["location"], params={"lang": "en"}, timeout=60)
    assert journey.status_code == 200 and "commissioning" in journey.text.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/01/03012345123457/10/A1/extra",  # a literal slash: a segment after the lot
        "/01/03012345123457/21/A1-1/extra",
        "/01/03012345123457/10/L/7",
    ],
)
def test_a_segment_after_the_key_is_a_page_saying_how_to_write_a_slash(portal: Portal, path: str) -> None:
    for lang, message in (("zh", "%2F"), ("en", "is written %2F")):
        page = httpx.get(portal.url + path, headers={"Accept-Language": lang}, timeout=30)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert 'data-testid="error-message"' in page.text and message in page.text


def test_a_key_with_a_slash_has_escaped_then_literal_candidates() -> None:
    lots = lgtin_candidates(gtin(), LOT)
    assert len(lots) == 14 and lots[0].endswith(".L%2F7") and lots[7].endswith(".L/7")
    assert len(sgtin_candidates(gtin(), "A1-1")) == 7  # no escaping: no second form
    assert ITEM_EPC in sgtin_candidates(gtin(), "S/1")
