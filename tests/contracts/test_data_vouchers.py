"""The ``DataVouchers`` contract on its own: an authority's signed programme and issues, a registrar's
signed registration fee, an enterprise's signed redemption against its own accepted trade or a
registration fee recorded as charged to it, within its balance, the share cap of the amount and the cap
per enterprise and period; every refusal is a custom error."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from tests.contracts.conftest import (
    DEADLINE_HORIZON,
    EIP712_DOMAIN_TYPE,
    REGISTRAR_ROLE,
    h,
    reverts_with,
    set_next_timestamp,
    sign_typed,
    transact,
)
from tests.contracts.test_data_trades import AMOUNT, accept_call, deploy, listed_asset, place

PROGRAMME = h("Hainan data voucher programme 2026")
SHARE_CAP_BPS = 1000  # 10 %
ENTERPRISE_CAP = 15_000  # fen per period
PERIOD = 30 * 24 * 3600
BUDGET = 100_000
TRADE, REGISTRATION_FEE = 0, 1

_TYPES = {
    "VoucherProgramme": [
        ("authority", "address"),
        ("programmeId", "bytes32"),
        ("currency", "string"),
        ("budget", "uint256"),
        ("shareCapBps", "uint16"),
        ("enterpriseCap", "uint256"),
        ("periodSeconds", "uint64"),
    ],
    "VoucherIssue": [
        ("authority", "address"),
        ("programmeId", "bytes32"),
        ("enterprise", "address"),
        ("amount", "uint256"),
    ],
    "VoucherRedemption": [
        ("enterprise", "address"),
        ("programmeId", "bytes32"),
        ("purpose", "uint8"),
        ("referenceId", "bytes32"),
        ("baseAmount", "uint256"),
        ("value", "uint256"),
    ],
    "RegistrationFee": [
        ("registrar", "address"),
        ("assetId", "bytes32"),
        ("payer", "address"),
        ("amount", "uint256"),
        ("currency", "string"),
    ],
}
FEE = 5_000  # fen: CNY 50.00


@pytest.fixture(scope="module")
def market(w3, registry, actors):  # type: ignore[no-untyped-def]
    return deploy(w3, "DataMarket", registry.address, actors.admin.address, sender=actors.admin.address)


@pytest.fixture(scope="module")
def trades(w3, market, actors):  # type: ignore[no-untyped-def]
    return deploy(w3, "DataTrades", market.address, actors.admin.address, sender=actors.admin.address)


@pytest.fixture
def asset_id(w3, registry, actors, authorise, market):  # type: ignore[no-untyped-def]
    return listed_asset(w3, registry, actors, authorise, market)


@pytest.fixture(scope="module")
def vouchers(w3, trades, actors):  # type: ignore[no-untyped-def]
    return deploy(w3, "DataVouchers", trades.address, actors.admin.address, sender=actors.admin.address)


def signed(vouchers, primary: str, signer, values: dict[str, Any], address: str, deadline=None):  # type: ignore[no-untyped-def]
    nonce = vouchers.functions.nonces(address).call()
    if deadline is None:
        deadline = vouchers.w3.eth.get_block("pending").timestamp + DEADLINE_HORIZON
    members = [*_TYPES[primary], ("nonce", "uint256"), ("deadline", "uint256")]
    message = {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, primary: [{"name": n, "type": t} for n, t in members]},
        "primaryType": primary,
        "domain": {
            "name": "DataLedger DataVouchers",
            "version": "1",
            "chainId": vouchers.w3.eth.chain_id,
            "verifyingContract": vouchers.address,
        },
        "message": values | {"nonce": nonce, "deadline": deadline},
    }
    return nonce, deadline, bytes(sign_typed(signer.private_key, message).signature)


def programme_call(vouchers, authority, *, currency="CNY", budget=BUDGET, share=SHARE_CAP_BPS, signer=None):  # type: ignore[no-untyped-def]
    rules = (currency, budget, share, ENTERPRISE_CAP, PERIOD)
    values = dict(
        zip([n for n, _ in _TYPES["VoucherProgramme"]], (authority.address, PROGRAMME, *rules), strict=True)
    )
    nonce, deadline, signature = signed(
        vouchers, "VoucherProgramme", signer or authority, values, authority.address
    )
    return vouchers.functions.createProgramme(authority.address, PROGRAMME, rules, nonce, deadline, signature)


def issue_call(vouchers, authority, enterprise, amount, *, signer=None):  # type: ignore[no-untyped-def]
    values = {
        "authority": authority.address,
        "programmeId": PROGRAMME,
        "enterprise": enterprise.address,
        "amount": amount,
    }
    nonce, deadline, signature = signed(
        vouchers, "VoucherIssue", signer or authority, values, authority.address
    )
    return vouchers.functions.issue(
        authority.address, PROGRAMME, enterprise.address, amount, nonce, deadline, signature
    )


def redeem_call(vouchers, enterprise, reference, value, *, purpose=TRADE, base=AMOUNT, signer=None):  # type: ignore[no-untyped-def]
    values = {
        "enterprise": enterprise.address,
        "programmeId": PROGRAMME,
        "purpose": purpose,
        "referenceId": reference,
        "baseAmount": base,
        "value": value,
    }
    nonce, deadline, signature = signed(
        vouchers, "VoucherRedemption", signer or enterprise, values, enterprise.address
    )
    redemption = (enterprise.address, PROGRAMME, purpose, reference, base, value)
    return vouchers.functions.redeem(redemption, nonce, deadline, signature)


def fee_call(vouchers, registrar, asset, payer, *, amount=FEE, currency="CNY", signer=None):  # type: ignore[no-untyped-def]
    values = {
        "registrar": registrar.address,
        "assetId": asset,
        "payer": payer.address,
        "amount": amount,
        "currency": currency,
    }
    nonce, deadline, signature = signed(
        vouchers, "RegistrationFee", signer or registrar, values, registrar.address
    )
    return vouchers.functions.recordRegistrationFee(
        registrar.address, asset, payer.address, amount, currency, nonce, deadline, signature
    )


@pytest.fixture
def funded(w3, vouchers, actors, asset_id):  # type: ignore[no-untyped-def]
    """A programme of ``actors.relayer`` (the authority); the buyer holds 50,000 fen of its vouchers."""
    transact(w3, programme_call(vouchers, actors.relayer), actors.admin.address)
    transact(w3, issue_call(vouchers, actors.relayer, actors.other_holder, 50_000), actors.admin.address)
    return vouchers


def accepted_trade(w3, trades, actors) -> bytes:  # type: ignore[no-untyped-def]
    order_id = place(w3, trades, actors)
    transact(w3, accept_call(trades, order_id, actors.holder), actors.admin.address)
    return order_id


def test_an_authority_issues_and_an_enterprise_redeems_against_its_trade(w3, funded, trades, actors):  # type: ignore[no-untyped-def]
    buyer, admin = actors.other_holder, actors.admin.address
    programme = funded.functions.programmeOf(PROGRAMME).call()
    assert programme[:4] == (actors.relayer.address, "CNY", BUDGET, 50_000)
    order_id = accepted_trade(w3, trades, actors)

    receipt = transact(w3, redeem_call(funded, buyer, order_id, 12_000), admin)
    (redeemed,) = funded.events.VouchersRedeemed().process_receipt(receipt, errors=DISCARD)
    assert (redeemed.args.referenceId, redeemed.args.value, redeemed.args.baseAmount) == (
        order_id,
        12_000,
        AMOUNT,
    )
    assert funded.functions.balanceOf(PROGRAMME, buyer.address).call() == 38_000
    assert funded.functions.spentThisPeriod(PROGRAMME, buyer.address).call() == 12_000
    assert funded.functions.programmeOf(PROGRAMME).call()[4] == 12_000
    with reverts_with(funded, "VouchersAlreadyRedeemed", PROGRAMME, order_id):
        redeem_call(funded, buyer, order_id, 1).transact({"from": admin})


def test_a_redemption_over_the_share_of_the_amount_reverts(w3, funded, trades, actors):  # type: ignore[no-untyped-def]
    order_id = accepted_trade(w3, trades, actors)
    with reverts_with(funded, "VouchersShareCapExceeded", 12_001, 12_000):
        redeem_call(funded, actors.other_holder, order_id, 12_001).transact({"from": actors.admin.address})


def test_a_redemption_over_the_enterprises_cap_for_the_period_reverts_until_the_next_period(
    w3, chain, funded, trades, actors, now
):  # type: ignore[no-untyped-def]
    buyer, admin = actors.other_holder, actors.admin.address
    first, second, third = (accepted_trade(w3, trades, actors) for _ in range(3))
    transact(w3, redeem_call(funded, buyer, first, 12_000), admin)
    with reverts_with(funded, "VouchersEnterpriseCapExceeded", buyer.address, 4_000, 3_000):
        redeem_call(funded, buyer, second, 4_000).transact({"from": admin})
    transact(w3, redeem_call(funded, buyer, second, 3_000), admin)
    set_next_timestamp(chain, now + PERIOD + 10)
    transact(w3, redeem_call(funded, buyer, third, 12_000), admin)
    assert funded.functions.spentThisPeriod(PROGRAMME, buyer.address).call() == 12_000


def test_a_redemption_beyond_the_balance_or_of_nothing_reverts(w3, vouchers, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, buyer = actors.admin.address, actors.other_holder
    transact(w3, programme_call(vouchers, actors.relayer), admin)
    transact(w3, issue_call(vouchers, actors.relayer, buyer, 5_000), admin)
    order_id = accepted_trade(w3, trades, actors)
    with reverts_with(vouchers, "VouchersInsufficientBalance", buyer.address, 6_000, 5_000):
        redeem_call(vouchers, buyer, order_id, 6_000).transact({"from": admin})
    with reverts_with(vouchers, "VouchersInsufficientBalance", buyer.address, 0, 5_000):
        redeem_call(vouchers, buyer, order_id, 0).transact({"from": admin})


def test_a_redemption_against_another_trade_or_asset_reverts(w3, funded, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, buyer = actors.admin.address, actors.other_holder
    unaccepted = place(w3, trades, actors)
    with reverts_with(funded, "VouchersInvalidReference", TRADE, unaccepted):
        redeem_call(funded, buyer, unaccepted, 100).transact({"from": admin})
    order_id = accepted_trade(w3, trades, actors)
    with reverts_with(funded, "VouchersInvalidReference", TRADE, order_id):
        redeem_call(funded, buyer, order_id, 100, base=AMOUNT * 2).transact({"from": admin})
    # the buyer was not charged the holder's registration fee: it is not the buyer's to subsidise
    transact(w3, fee_call(funded, actors.registrar, asset_id, actors.holder), admin)
    with reverts_with(funded, "VouchersInvalidReference", REGISTRATION_FEE, asset_id):
        redeem_call(funded, buyer, asset_id, 100, purpose=REGISTRATION_FEE, base=FEE).transact(
            {"from": admin}
        )


def test_the_holder_redeems_against_its_recorded_registration_fee(w3, funded, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, holder = actors.admin.address, actors.holder
    transact(w3, issue_call(funded, actors.relayer, holder, 1_000), admin)
    receipt = transact(w3, fee_call(funded, actors.registrar, asset_id, holder), admin)
    (recorded,) = funded.events.RegistrationFeeRecorded().process_receipt(receipt, errors=DISCARD)
    assert (recorded.args.assetId, recorded.args.registrar, recorded.args.payer) == (
        asset_id,
        actors.registrar.address,
        holder.address,
    )
    assert (recorded.args.amount, recorded.args.currency) == (FEE, "CNY")

    # the share cap is of the recorded fee: 10 % of 5,000, whatever the enterprise states
    with reverts_with(funded, "VouchersShareCapExceeded", 501, 500):
        redeem_call(funded, holder, asset_id, 501, purpose=REGISTRATION_FEE, base=FEE).transact(
            {"from": admin}
        )
    with reverts_with(funded, "VouchersInvalidReference", REGISTRATION_FEE, asset_id):
        redeem_call(funded, holder, asset_id, 900, purpose=REGISTRATION_FEE, base=FEE * 2).transact(
            {"from": admin}
        )
    receipt = transact(
        w3, redeem_call(funded, holder, asset_id, 500, purpose=REGISTRATION_FEE, base=FEE), admin
    )
    (redeemed,) = funded.events.VouchersRedeemed().process_receipt(receipt, errors=DISCARD)
    assert (redeemed.args.purpose, redeemed.args.value, redeemed.args.baseAmount) == (
        REGISTRATION_FEE,
        500,
        FEE,
    )
    fee = funded.functions.registrationFeeOf(asset_id).call()
    assert fee[:4] == (actors.registrar.address, holder.address, FEE, "CNY") and fee[5] == PROGRAMME


def test_a_registration_fee_not_recorded_or_redeemed_twice_is_refused(w3, vouchers, funded, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, holder = actors.admin.address, actors.holder
    transact(w3, issue_call(funded, actors.relayer, holder, 1_000), admin)
    with reverts_with(funded, "VouchersFeeNotRecorded", asset_id):
        redeem_call(funded, holder, asset_id, 100, purpose=REGISTRATION_FEE, base=FEE).transact(
            {"from": admin}
        )
    transact(w3, fee_call(funded, actors.registrar, asset_id, holder), admin)
    transact(w3, redeem_call(funded, holder, asset_id, 100, purpose=REGISTRATION_FEE, base=FEE), admin)
    with reverts_with(funded, "VouchersFeeAlreadyRedeemed", asset_id, PROGRAMME):
        redeem_call(funded, holder, asset_id, 100, purpose=REGISTRATION_FEE, base=FEE).transact(
            {"from": admin}
        )


def test_a_fee_in_another_currency_than_the_programmes_is_not_redeemed_against(w3, funded, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, holder = actors.admin.address, actors.holder
    transact(w3, issue_call(funded, actors.relayer, holder, 1_000), admin)
    transact(w3, fee_call(funded, actors.registrar, asset_id, holder, currency="USD"), admin)
    with reverts_with(funded, "VouchersInvalidReference", REGISTRATION_FEE, asset_id):
        redeem_call(funded, holder, asset_id, 100, purpose=REGISTRATION_FEE, base=FEE).transact(
            {"from": admin}
        )


def test_a_registrar_whose_role_the_registry_revoked_records_no_fee(w3, vouchers, registry, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, registrar = actors.admin.address, actors.registrar
    transact(w3, registry.functions.revokeRole(REGISTRAR_ROLE, registrar.address), admin)
    with reverts_with(vouchers, "VouchersNotRegistrar", registrar.address):
        fee_call(vouchers, registrar, asset_id, actors.holder).transact({"from": admin})


def test_only_a_registrar_records_a_registration_fee_once(w3, vouchers, registry, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, holder, registrar = actors.admin.address, actors.holder, actors.registrar
    with reverts_with(vouchers, "VouchersNotRegistrar", actors.stranger.address):
        fee_call(vouchers, actors.stranger, asset_id, holder).transact({"from": admin})
    with reverts_with(vouchers, "VouchersInvalidSignature", registrar.address):
        fee_call(vouchers, registrar, asset_id, holder, signer=actors.stranger).transact({"from": admin})
    for bad in ({"amount": 0}, {"currency": "cny"}):
        with reverts_with(vouchers, "VouchersInvalidFee", asset_id):
            fee_call(vouchers, registrar, asset_id, holder, **bad).transact({"from": admin})
    with reverts_with(vouchers, "VouchersInvalidFee", asset_id):  # charged to someone not the holder
        fee_call(vouchers, registrar, asset_id, actors.other_holder).transact({"from": admin})
    with reverts_with(vouchers, "VouchersInvalidFee", h("no asset")):
        fee_call(vouchers, registrar, h("no asset"), holder).transact({"from": admin})
    call = fee_call(vouchers, registrar, asset_id, holder)
    transact(w3, call, admin)
    with reverts_with(vouchers, "VouchersFeeAlreadyRecorded", asset_id):
        fee_call(vouchers, registrar, asset_id, holder).transact({"from": admin})
    role = vouchers.functions.VOUCHER_OPERATOR_ROLE().call()
    with reverts_with(vouchers, "AccessControlUnauthorizedAccount", actors.stranger.address, role):
        fee_call(vouchers, registrar, h("another asset"), holder).transact({"from": actors.stranger.address})


def test_issues_are_the_authoritys_within_the_budget(w3, funded, actors):  # type: ignore[no-untyped-def]
    admin = actors.admin.address
    with reverts_with(funded, "VouchersNotAuthority", PROGRAMME, actors.stranger.address):
        issue_call(funded, actors.stranger, actors.other_holder, 1).transact({"from": admin})
    with reverts_with(funded, "VouchersInvalidSignature", actors.relayer.address):
        issue_call(funded, actors.relayer, actors.other_holder, 1, signer=actors.stranger).transact(
            {"from": admin}
        )
    with reverts_with(funded, "VouchersBudgetExceeded", PROGRAMME, 50_001, 50_000):
        issue_call(funded, actors.relayer, actors.holder, 50_001).transact({"from": admin})
    with reverts_with(funded, "VouchersInvalidCounterparty", actors.relayer.address):
        issue_call(funded, actors.relayer, actors.relayer, 1).transact({"from": admin})


def test_programmes_are_created_once_with_acceptable_rules(w3, vouchers, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, authority = actors.admin.address, actors.relayer
    for bad in ({"currency": "cny"}, {"budget": 0}, {"share": 0}, {"share": 10_001}):
        with reverts_with(vouchers, "VouchersInvalidRules"):
            programme_call(vouchers, authority, **bad).transact({"from": admin})
    with reverts_with(vouchers, "VouchersInvalidSignature", authority.address):
        programme_call(vouchers, authority, signer=actors.stranger).transact({"from": admin})
    transact(w3, programme_call(vouchers, authority), admin)
    with reverts_with(vouchers, "VouchersProgrammeExists", PROGRAMME):
        programme_call(vouchers, authority).transact({"from": admin})
    with reverts_with(vouchers, "VouchersProgrammeNotFound", h("no programme")):
        vouchers.functions.redeem(
            (actors.holder.address, h("no programme"), TRADE, h("x"), 1, 1), 0, 2**40, b"\x00" * 65
        ).transact({"from": admin})


def test_an_expired_redemption_reverts_and_only_the_operator_relays(w3, chain, funded, trades, actors, now):  # type: ignore[no-untyped-def]
    order_id = accepted_trade(w3, trades, actors)
    call = redeem_call(funded, actors.other_holder, order_id, 100)
    role = funded.functions.VOUCHER_OPERATOR_ROLE().call()
    with reverts_with(funded, "AccessControlUnauthorizedAccount", actors.stranger.address, role):
        call.transact({"from": actors.stranger.address})
    deadline = now + 5
    values = {
        "enterprise": actors.other_holder.address,
        "programmeId": PROGRAMME,
        "purpose": TRADE,
        "referenceId": order_id,
        "baseAmount": AMOUNT,
        "value": 100,
    }
    nonce, _, signature = signed(
        funded, "VoucherRedemption", actors.other_holder, values, actors.other_holder.address, deadline
    )
    set_next_timestamp(chain, now + 50)
    with reverts_with(funded, "VouchersSignatureExpired", deadline, now + 50):
        funded.functions.redeem(
            (actors.other_holder.address, PROGRAMME, TRADE, order_id, AMOUNT, 100), nonce, deadline, signature
        ).transact({"from": actors.admin.address})
