"""A programme authority's and an enterprise's day with data vouchers (数据券), through the API: the
authority signs a programme (10 % of the amount, a cap per enterprise and period) and issues vouchers;
the buyer redeems them against its accepted trade and the holder against the registration fee its
registrar recorded on chain (never a fee it states); every cap is refused (by the service first, and by
the contract: a redemption over a cap sent straight to the chain reverts with a custom error mapped to
the same domain error); the authority reads the spend by enterprise and purpose. On anvil, on SQLite
and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from dataledger.composition import Services
from dataledger.registry.errors import RegistrationFeeNotRecorded, VoucherCapExceeded
from dataledger.registry.holder_signatures import act_authorisation, sign_act, sign_typed_data
from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, assert_problem
from tests.market.test_trades_api import accept, listed_by_keyed_exchange, order

RULES = {
    "name": "海南数据券 2026 Hainan data vouchers",
    "currency": "CNY",
    "budget": 100_000,
    "shareCapBps": 1000,  # 10 % of the amount
    "enterpriseCap": 15_000,  # fen per enterprise and period
    "periodSeconds": 30 * 24 * 3600,
}


def programme(api: LifecycleDriver, authority: Actor) -> dict[str, Any]:
    """The authority's programme: prepared from the rules, signed, submitted with its name and its id."""
    prepared = api.prepared(authority, "/v1/voucher-programmes/requests", RULES)
    assert authority.account is not None
    submission = {
        **RULES,
        "programmeId": prepared["programmeId"],
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(authority.account.key, prepared["typedData"]),
    }
    created = api.client.post("/v1/voucher-programmes", json=submission, headers=authority.headers)
    assert created.status_code == 201, created.text
    return created.json()


def issue(api: LifecycleDriver, authority: Actor, programme_id: str, enterprise: Actor, amount: int) -> Any:
    body = {"enterprise": enterprise.account.address, "amount": amount}  # type: ignore[union-attr]
    base = f"/v1/voucher-programmes/{programme_id}"
    return api.act(authority, f"{base}/issue-requests", f"{base}/issues", body)


def redeem(api: LifecycleDriver, enterprise: Actor, programme_id: str, **body: Any) -> Any:
    base = f"/v1/voucher-programmes/{programme_id}"
    return api.act(enterprise, f"{base}/redemption-requests", f"{base}/redemptions", body)


def record_fee(
    api: LifecycleDriver, registrar: Actor, asset_id: str, amount: int, currency: str = "CNY"
) -> Any:
    """The registrar's signed record of the registration fee it charged for ``asset_id``."""
    body = {"assetId": asset_id, "amount": amount, "currency": currency}
    return api.act(registrar, "/v1/registration-fees/requests", "/v1/registration-fees", body, carry=())


def traded(api: LifecycleDriver, case: dict[str, Any]) -> str:
    """An order of the case's listing by its buyer, accepted by the holder: its id."""
    order_id = order(api, case["buyer"], case["listing"]["listingId"])["orderId"]
    assert accept(api, case["holder"], order_id).status_code == 200
    return str(order_id)


@pytest.fixture
def world(api: LifecycleDriver) -> dict[str, Any]:
    case = listed_by_keyed_exchange(api)  # CNY 1,200.00 = 120,000 fen
    authority = api.keyed("authority", "Hainan data voucher authority")
    created = programme(api, authority)
    return case | {"authority": authority, "programme": created}


def test_the_authority_issues_and_the_buyer_redeems_within_the_caps(
    api: LifecycleDriver, world: dict[str, Any]
) -> None:
    authority, buyer, holder = world["authority"], world["buyer"], world["holder"]
    programme_id = world["programme"]["programmeId"]
    assert (
        world["programme"]["rules"] == {k: v for k, v in RULES.items() if k != "name"}
        and world["programme"]["issued"] == 0
    )

    issued = issue(api, authority, programme_id, buyer, 50_000)
    assert issued.status_code == 201, issued.text
    assert (issued.json()["kind"], issued.json()["value"], issued.json()["balance"]) == (
        "issue",
        50_000,
        50_000,
    )

    first = traded(api, world)
    over_share = redeem(api, buyer, programme_id, purpose="trade", referenceId=first, value=12_001)
    assert "10 %" in assert_problem(over_share, 409, "voucher-cap-exceeded")["detail"]
    redeemed = redeem(api, buyer, programme_id, purpose="trade", referenceId=first, value=12_000)
    assert redeemed.status_code == 201, redeemed.text
    body = redeemed.json()
    assert (body["baseAmount"], body["value"], body["balance"], body["spentThisPeriod"]) == (
        120_000,
        12_000,
        38_000,
        12_000,
    )
    assert_problem(
        redeem(api, buyer, programme_id, purpose="trade", referenceId=first, value=100), 409, "already-exists"
    )

    second = traded(api, world)
    over_period = redeem(api, buyer, programme_id, purpose="trade", referenceId=second, value=4_000)
    assert "3000 more" in assert_problem(over_period, 409, "voucher-cap-exceeded")["detail"]
    assert (
        redeem(api, buyer, programme_id, purpose="trade", referenceId=second, value=3_000).status_code == 201
    )

    # the holder redeems against the registration fee its registrar recorded for its listed asset
    assert issue(api, authority, programme_id, holder, 1_000).status_code == 201
    assert record_fee(api, world["registrar"], world["listing"]["assetId"], 5_000).status_code == 201
    fee = redeem(
        api,
        holder,
        programme_id,
        purpose="registration-fee",
        referenceId=world["listing"]["assetId"],
        value=500,
    )
    assert fee.status_code == 201, fee.text
    assert fee.json()["baseAmount"] == 5_000

    spend = api.client.get(f"/v1/voucher-programmes/{programme_id}/spend", headers=authority.headers)
    assert spend.status_code == 200, spend.text
    by_enterprise = {e["enterprise"]["id"]: e for e in spend.json()["enterprises"]}
    assert by_enterprise[buyer.id]["issued"] == 50_000 and by_enterprise[buyer.id]["redeemed"] == 15_000
    assert by_enterprise[buyer.id]["byPurpose"] == [{"purpose": "trade", "redemptions": 2, "value": 15_000}]
    assert by_enterprise[holder.id]["byPurpose"] == [
        {"purpose": "registration-fee", "redemptions": 1, "value": 500}
    ]
    public = api.client.get(f"/v1/voucher-programmes/{programme_id}").json()
    assert (public["issued"], public["redeemed"]) == (51_000, 15_500)
    for outsider in (buyer, world["exchange"]):
        refused = api.client.get(f"/v1/voucher-programmes/{programme_id}/spend", headers=outsider.headers)
        assert_problem(refused, 403, "not-authorised")


def test_an_enterprise_redeems_against_the_registration_fee_its_registrar_recorded(
    api: LifecycleDriver, world: dict[str, Any]
) -> None:
    """A programme authority, a registrar and an enterprise: the fee is a record on chain, and the
    redemption is judged against it (its share cap, once in all, only once recorded)."""
    authority, holder, registrar = world["authority"], world["holder"], world["registrar"]
    programme_id, asset_id = world["programme"]["programmeId"], world["listing"]["assetId"]
    assert issue(api, authority, programme_id, holder, 10_000).status_code == 201

    # no fee recorded: no redemption, whatever fee the enterprise states
    not_recorded = redeem(
        api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=500, amount=5_000
    )
    assert_problem(not_recorded, 409, "registration-fee-not-recorded")

    # only a registrar records it, with its own key; then only once
    assert_problem(record_fee(api, holder, asset_id, 5_000), 403, "not-authorised")
    assert_problem(record_fee(api, authority, asset_id, 5_000), 403, "not-authorised")
    assert_problem(record_fee(api, registrar, "0x" + "ee" * 32, 5_000), 422, "validation-failed")
    recorded = record_fee(api, registrar, asset_id, 5_000)
    assert recorded.status_code == 201, recorded.text
    fee = recorded.json()
    assert (fee["amount"], fee["currency"], fee["redeemedIn"]) == (5_000, "CNY", None)
    assert fee["payer"] == {"id": holder.id, "address": holder.account.address.lower()}  # type: ignore[union-attr]
    assert fee["registrar"]["address"] == registrar.account.address.lower()  # type: ignore[union-attr]
    assert fee["chainEvidence"]["txHash"].startswith("0x")
    assert_problem(record_fee(api, registrar, asset_id, 9_000), 409, "registration-fee-already-recorded")

    # the parties to it and oversight read it; anyone else finds none
    for reader in (holder, registrar, api.participant("auditor")):
        read = api.client.get(f"/v1/registration-fees/{asset_id}", headers=reader.headers)
        assert read.status_code == 200 and read.json() == fee, read.text
    for outsider in (world["buyer"], authority):
        hidden = api.client.get(f"/v1/registration-fees/{asset_id}", headers=outsider.headers)
        assert_problem(hidden, 404, "registration-fee-not-found")

    # judged against the recorded amount: 10 % of 5,000; a stated fee other than the recorded one is refused
    over = redeem(api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=501)
    assert_problem(over, 409, "voucher-cap-exceeded")
    stated = redeem(
        api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=900, amount=9_000
    )
    assert_problem(stated, 422, "validation-failed")
    assert_problem(
        redeem(api, world["buyer"], programme_id, purpose="registration-fee", referenceId=asset_id, value=1),
        422,
        "validation-failed",
    )
    redeemed = redeem(api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=500)
    assert redeemed.status_code == 201, redeemed.text
    assert (redeemed.json()["baseAmount"], redeemed.json()["value"]) == (5_000, 500)
    after = api.client.get(f"/v1/registration-fees/{asset_id}", headers=holder.headers).json()
    assert after["redeemedIn"] == programme_id

    # a fee is redeemed against once, in this programme or any other
    again = redeem(api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=100)
    assert_problem(again, 409, "registration-fee-already-redeemed")
    other_authority = api.keyed("authority")
    other = programme(api, other_authority)["programmeId"]
    assert issue(api, other_authority, other, holder, 1_000).status_code == 201
    elsewhere = redeem(api, holder, other, purpose="registration-fee", referenceId=asset_id, value=100)
    assert_problem(elsewhere, 409, "registration-fee-already-redeemed")


def test_the_contract_itself_refuses_a_redemption_against_a_fee_not_recorded(
    api: LifecycleDriver, services: Services, world: dict[str, Any]
) -> None:
    """Past the service's checks, straight to the chain client: a stated fee is not a recorded one."""
    authority, holder = world["authority"], world["holder"]
    programme_id, asset_id = world["programme"]["programmeId"], world["listing"]["assetId"]
    assert issue(api, authority, programme_id, holder, 1_000).status_code == 201
    chain = services.vouchers_contract
    assert chain is not None and holder.account is not None
    auth = act_authorisation(
        "VoucherRedemption",
        holder.account.address,
        enterprise=holder.account.address,
        programmeId=programme_id,
        purpose=1,
        referenceId=asset_id,
        baseAmount=5_000,
        value=500,
        nonce=chain.nonce_of(holder.account.address),
        deadline=services.registry.next_block_timestamp() + 3600,
    )
    with pytest.raises(RegistrationFeeNotRecorded) as refused:
        chain.submit_act(auth, sign_act(holder.account.key, auth, chain.domain))
    assert refused.value.extra["contract_error"] == "VouchersFeeNotRecorded"


def test_issues_stay_the_authoritys_and_within_the_budget(
    api: LifecycleDriver, world: dict[str, Any]
) -> None:
    authority, buyer = world["authority"], world["buyer"]
    programme_id = world["programme"]["programmeId"]
    other_authority = api.keyed("authority")
    assert_problem(issue(api, other_authority, programme_id, buyer, 1), 403, "not-authorised")
    assert_problem(issue(api, buyer, programme_id, buyer, 1), 403, "not-authorised")
    assert_problem(issue(api, authority, programme_id, buyer, 100_001), 409, "voucher-budget-exceeded")
    assert_problem(issue(api, authority, programme_id, world["exchange"], 1), 422, "validation-failed")
    # a redemption without vouchers, or against someone else's trade
    order_id = traded(api, world)
    stranger = api.participant("enterprise")
    assert_problem(
        redeem(api, buyer, programme_id, purpose="trade", referenceId=order_id, value=1),
        409,
        "voucher-budget-exceeded",
    )
    assert_problem(
        redeem(api, stranger, programme_id, purpose="trade", referenceId=order_id, value=1),
        422,
        "validation-failed",
    )
    unknown = api.client.get("/v1/voucher-programmes/0x" + "ee" * 32)
    assert_problem(unknown, 404, "voucher-programme-not-found")


def test_the_contract_itself_refuses_a_redemption_over_a_cap(
    api: LifecycleDriver, services: Services, world: dict[str, Any]
) -> None:
    """Past the service's checks, straight to the chain client: the revert is the same domain error."""
    authority, buyer = world["authority"], world["buyer"]
    programme_id = world["programme"]["programmeId"]
    assert issue(api, authority, programme_id, buyer, 50_000).status_code == 201
    order_id = traded(api, world)
    chain = services.vouchers_contract
    assert chain is not None and buyer.account is not None
    auth = act_authorisation(
        "VoucherRedemption",
        buyer.account.address,
        enterprise=buyer.account.address,
        programmeId=programme_id,
        purpose=0,
        referenceId=order_id,
        baseAmount=120_000,
        value=12_001,
        nonce=chain.nonce_of(buyer.account.address),
        deadline=services.registry.next_block_timestamp() + 3600,
    )
    with pytest.raises(VoucherCapExceeded) as refused:
        chain.submit_act(auth, sign_act(buyer.account.key, auth, chain.domain))
    assert refused.value.extra["contract_error"] == "VouchersShareCapExceeded"
