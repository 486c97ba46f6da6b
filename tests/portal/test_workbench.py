"""``/workbench`` and its data: the shell page with what its script checks a prepared act against, and
``/workbench/data`` for a registrar's bearer key only (the queue by state, the objections of the
applications in notice, the chain's clock, operations and recent anchors)."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sqlalchemy import event

from dataledger.portal import workbench
from dataledger.registry.holder_signatures import ACT_TYPES
from tests.portal.conftest import Portal
from tests.portal.story import BANK_NAME, HOLDER_NAME


def workbench_data(portal: Portal, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"{portal.url}/workbench/data", headers=headers, timeout=30)


def signing_block(page: str) -> dict[str, object]:
    found = re.search(r'<script id="signing-data" type="application/json">(.*?)</script>', page, re.S)
    assert found
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_page_carries_the_registry_domain_and_the_shape_of_every_registrar_act(portal: Portal) -> None:
    page = httpx.get(f"{portal.url}/workbench?lang=en", timeout=30)
    assert page.status_code == 200
    data = signing_block(page.text)
    registry = portal.services.registry
    assert data["registry"] == {"chainId": registry.chain_id, "address": registry.registry_address}
    act_types = data["actTypes"]
    assert isinstance(act_types, dict)
    assert sorted(act_types) == [
        "Certificate",
        "ObjectionResolution",
        "PledgeCertificate",
        "Rejection",
        "Renewal",
        "Review",
        "Revocation",
    ]
    assert act_types["Review"] == [{"name": n, "type": t} for n, t in ACT_TYPES["Review"]]
    assert "Sign in" in page.text and portal.story.registrar_api_key not in page.text


def test_the_data_needs_a_registrars_key(portal: Portal) -> None:
    assert workbench_data(portal, None).status_code == 401
    assert workbench_data(portal, "dlk_wrong").status_code == 401
    refused = workbench_data(portal, portal.story.objector_api_key)
    assert refused.status_code == 403 and refused.json()["code"] == "not-authorised"


def test_the_queue_lists_the_applications_by_state_the_oldest_first(portal: Portal) -> None:
    data = workbench_data(portal, portal.story.registrar_api_key).json()
    queues = data["queues"]
    assert set(queues) == {"registered", "under_review", "in_notice", "certified", "pledges"}
    story_notices = [asset["assetId"] for asset in portal.story.in_notice]
    listed = [item["assetId"] for item in queues["in_notice"]["items"]]
    assert [asset_id for asset_id in listed if asset_id in story_notices] == story_notices
    for item in queues["in_notice"]["items"]:
        assert item["noticeEndsAt"] > data["chainTime"] and item["noticeEnded"] is False
        assert isinstance(item["openObjections"], list)
    assert queues["certified"]["total"] >= 3
    assert data["registrar"]["address"] == portal.story.registrar_address
    assert data["recentAnchors"] and data["recentAnchors"][0]["txHash"].startswith("0x")
    assert response_is_private(workbench_data(portal, portal.story.registrar_api_key))


def test_the_pledges_awaiting_their_certificate_are_queued_and_the_certified_ones_are_not(
    portal: Portal,
) -> None:
    pledging = portal.story.pledging
    queue = workbench_data(portal, portal.story.registrar_api_key).json()["queues"]["pledges"]
    waiting = [item["assetId"] for item in queue["items"]]
    assert pledging.awaiting["assetId"] in waiting
    assert portal.story.licensed["assetId"] not in waiting  # its pledge has its certificate
    (item,) = [item for item in queue["items"] if item["assetId"] == pledging.awaiting["assetId"]]
    assert item["pledgeeName"] == BANK_NAME and item["securedAmount"] == 5_000_000_00
    assert item["currency"] == "CNY" and item["state"] == "pledged" and item["pledgedTx"].startswith("0x")


def test_a_certified_application_carries_its_expiry_for_renewal(portal: Portal) -> None:
    data = workbench_data(portal, portal.story.registrar_api_key).json()
    for item in data["queues"]["certified"]["items"]:
        assert item["validUntil"] > data["chainTime"] and item["renewable"] is True
        assert item["renewalDue"] is (item["validUntil"] - data["chainTime"] <= workbench.RENEWAL_WINDOW_S)


def response_is_private(response: httpx.Response) -> bool:
    return response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("in_notice", [True, False])
def test_a_notice_page_offers_the_objection_only_while_the_notice_runs(
    portal: Portal, in_notice: bool
) -> None:
    asset_id = (
        portal.story.in_notice[0]["assetId"]
        if in_notice
        else portal.story.valid["credentialSubject"]["asset"]["assetId"]
    )
    page = httpx.get(f"{portal.url}/notices/{asset_id}?lang=en", timeout=30)
    assert ('data-testid="object-section"' in page.text) is in_notice
    if in_notice:
        assert list(signing_block(page.text)["actTypes"]) == ["Objection"]  # type: ignore[call-overload]


def test_each_queue_is_paged_from_its_own_offset(portal: Portal) -> None:
    key = portal.story.registrar_api_key
    first = workbench_data(portal, key).json()
    certified = first["queues"]["certified"]
    assert certified["offset"] == 0 and first["pageSize"] == 20
    later = httpx.get(
        f"{portal.url}/workbench/data",
        params={"certified": "1", "registered": "nonsense"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    ).json()
    assert later["queues"]["certified"]["offset"] == 1 and later["queues"]["registered"]["offset"] == 0
    assert [i["assetId"] for i in later["queues"]["certified"]["items"]] == [
        i["assetId"] for i in certified["items"][1:]
    ]


def test_the_objections_and_holders_of_the_queues_are_read_in_one_query_each(portal: Portal) -> None:
    """Not one query per application (153 ms p95 on PostgreSQL with 10,000 assets; see bench_portal)."""
    registrar = portal.services.participants.authenticate(portal.story.registrar_api_key)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(portal.services.store.engine, "before_cursor_execute", count)
    try:
        data = workbench.workbench_data(portal.services, registrar)
    finally:
        event.remove(portal.services.store.engine, "before_cursor_execute", count)
    assert len(data["queues"]["in_notice"]["items"]) >= 2 and len(data["queues"]["certified"]["items"]) >= 3
    assert len([s for s in statements if re.search(r"FROM objections\b", s)]) == 1
    assert len([s for s in statements if re.search(r"FROM participants\b", s)]) == 1
    holders = {item["holderName"] for item in data["queues"]["certified"]["items"]}
    assert HOLDER_NAME in holders
