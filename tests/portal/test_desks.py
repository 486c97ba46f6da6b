"""The signed-in pages beside the workspace: ``/workspace/trades`` (what its script checks an order's
acceptance against, the trades contract's), ``/workspace/vouchers`` and ``/programmes`` with their data
routes, which answer only the participant whose key they are sent (an enterprise its own vouchers, a
programme authority its own programmes) and refuse everyone else."""

from __future__ import annotations

import httpx
import pytest

from dataledger.client import Client, LocalKeySigner
from dataledger.registry.holder_signatures import ACT_TYPES
from tests.portal.conftest import Portal
from tests.portal.story import (
    BUYER_NAME,
    HOLDER_NAME,
    ISSUED_TO_BUYER,
    ISSUED_TO_HOLDER,
    PROGRAMME_NAME,
    REDEEMED_BY_BUYER,
    REDEEMED_BY_HOLDER,
)
from tests.portal.test_workbench import response_is_private, signing_block

PAGES = ("/workspace/trades", "/workspace/vouchers", "/programmes")


def data(portal: Portal, path: str, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(portal.url + path, headers=headers, timeout=30)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_a_signed_out_shell_in_both_languages(portal: Portal, path: str) -> None:
    for lang, sign_in in (("zh", "登录"), ("en", "Sign in")):
        page = httpx.get(f"{portal.url}{path}?lang={lang}", timeout=30)
        assert page.status_code == 200 and sign_in in page.text
        assert 'id="sign-in-form"' in page.text and '<div id="desk" hidden>' in page.text
        assert "<script>" not in page.text
        for key in (portal.story.holder_api_key, portal.story.market.authority_api_key):
            assert key not in page.text


def test_the_trades_page_checks_an_acceptance_and_a_mandate_against_the_trades_contract(
    portal: Portal,
) -> None:
    page = httpx.get(f"{portal.url}/workspace/trades?lang=en", timeout=30)
    signing = signing_block(page.text)
    acts = ("TradeAcceptance", "TradeMandate", "TradeMandateRevocation")
    assert signing["actTypes"] == {act: [{"name": n, "type": t} for n, t in ACT_TYPES[act]] for act in acts}
    contract = portal.services.trades.domain.verifying_contract
    assert signing["actContracts"] == dict.fromkeys(acts, contract)
    messages = signing["messages"]
    assert isinstance(messages, dict)
    assert messages["tr.accept"] == "Sign and accept the order" and messages["trade.ordered"]
    assert messages["sign.type.TradeMandate"] == "Mandate to accept orders"
    assert messages["sign.type.TradeMandateRevocation"] == "Revocation of a mandate"
    assert (
        messages["tr.mandate_until_past"] == "The date must be after today: a mandate cannot end in the past."
    )
    assert 'href="/workspace/trades" aria-current="page"' in page.text


def test_the_trades_page_pages_its_orders_and_has_the_exchanges_view_in_both_languages(
    portal: Portal,
) -> None:
    for lang, pages, mandated, listed, mandates, awaiting_pages in (
        (
            "zh",
            "订单与交易分页",
            "等待接受的订单（持有方委托）",
            "本交易所挂牌产品的订单与交易",
            "我对挂牌交易所的委托",
            "待接受订单分页",
        ),
        (
            "en",
            "Pages of orders and trades",
            "Orders awaiting acceptance (under the holder",
            "the products you listed",
            "My mandates to the listing exchanges",
            "Pages of orders awaiting acceptance",
        ),
    ):
        page = httpx.get(f"{portal.url}/workspace/trades?lang={lang}", timeout=30)
        assert page.status_code == 200
        assert f'<nav class="pager" aria-label="{pages}" id="trade-pages"' in page.text
        assert mandated in page.text and listed in page.text and mandates in page.text
        # the orders awaiting acceptance have pagers of their own (the API's status and role filters)
        for name in ("awaiting", "mandated"):
            assert f'aria-label="{awaiting_pages}" id="{name}-pages"' in page.text
        # the exchange's sections wait, hidden, for the script to know who signed in
        assert page.text.count('data-for="exchange" hidden>') == 2
        messages = signing_block(page.text)["messages"]
        assert isinstance(messages, dict)
        assert "{first}" in messages["tr.page_range"] and "{total}" in messages["tr.page_range"]
        assert messages["tr.mandate_revoked_refused"] and messages["tr.mandate_absent_refused"]


def test_an_enterprise_sees_its_own_voucher_balance_and_redemptions(portal: Portal) -> None:
    answer = data(portal, "/workspace/vouchers/data", portal.story.market.buyer_api_key)
    assert answer.status_code == 200 and response_is_private(answer)
    body = answer.json()
    assert body["participant"]["name"] == BUYER_NAME
    (held,) = body["holdings"]
    assert (held["name"], held["issued"], held["redeemed"], held["balance"]) == (
        PROGRAMME_NAME,
        ISSUED_TO_BUYER,
        REDEEMED_BY_BUYER,
        ISSUED_TO_BUYER - REDEEMED_BY_BUYER,
    )
    assert held["byPurpose"] == [{"purpose": "trade", "value": REDEEMED_BY_BUYER}]
    kinds = [(m["kind"], m["purpose"], m["value"]) for m in body["movements"]]
    assert kinds == [("redemption", "trade", REDEEMED_BY_BUYER), ("issue", None, ISSUED_TO_BUYER)]
    assert body["movements"][0]["referenceId"] == portal.story.market.settled["orderId"]


def test_the_holders_vouchers_are_its_own_not_the_buyers(portal: Portal) -> None:
    body = data(portal, "/workspace/vouchers/data", portal.story.holder_api_key).json()
    assert body["participant"]["name"] == HOLDER_NAME
    (held,) = body["holdings"]
    assert (held["issued"], held["redeemed"]) == (ISSUED_TO_HOLDER, REDEEMED_BY_HOLDER)
    assert held["byPurpose"] == [{"purpose": "registration-fee", "value": REDEEMED_BY_HOLDER}]
    assert all(
        m["enterprise"]["address"] != portal.story.market.buyer_address.lower() for m in body["movements"]
    )


def test_the_vouchers_data_refuses_a_missing_key_and_other_roles(portal: Portal) -> None:
    assert data(portal, "/workspace/vouchers/data", None).status_code == 401
    assert data(portal, "/workspace/vouchers/data", "dlk_wrong").status_code == 401
    for key in (portal.story.registrar_api_key, portal.story.market.authority_api_key):
        refused = data(portal, "/workspace/vouchers/data", key)
        assert refused.status_code == 403 and refused.json()["code"] == "not-authorised"


def test_an_authority_sees_its_programmes_spend_by_enterprise_and_purpose(portal: Portal) -> None:
    answer = data(portal, "/programmes/data", portal.story.market.authority_api_key)
    assert answer.status_code == 200 and response_is_private(answer)
    (programme,) = answer.json()["programmes"]
    assert programme["programmeId"] == portal.story.market.programme["programmeId"]
    assert programme["name"] == PROGRAMME_NAME and programme["rules"]["budget"] == 10_000_000
    assert (programme["issued"], programme["redeemed"]) == (
        ISSUED_TO_BUYER + ISSUED_TO_HOLDER,
        REDEEMED_BY_BUYER + REDEEMED_BY_HOLDER,
    )
    spend = {e["enterprise"]["name"]: e for e in programme["enterprises"]}
    assert spend[BUYER_NAME]["byPurpose"] == [
        {"purpose": "trade", "redemptions": 1, "value": REDEEMED_BY_BUYER}
    ]
    assert spend[HOLDER_NAME]["byPurpose"] == [
        {"purpose": "registration-fee", "redemptions": 1, "value": REDEEMED_BY_HOLDER}
    ]


def test_the_programmes_data_refuses_enterprises_and_shows_another_authority_none_of_them(
    portal: Portal,
) -> None:
    assert data(portal, "/programmes/data", None).status_code == 401
    for key in (portal.story.market.buyer_api_key, portal.story.registrar_api_key):
        refused = data(portal, "/programmes/data", key)
        assert refused.status_code == 403 and refused.json()["code"] == "not-authorised"
    admin = Client(portal.url, portal.story.admin_key)
    other = admin.participants.create(
        "三亚市数据局 Sanya Data Bureau", "authority", LocalKeySigner.generate().address
    )
    assert data(portal, "/programmes/data", other["apiKey"]).json()["programmes"] == []
