"""The ``DataTrades`` contract on its own (no API in front): a buyer's signed order of an active listing
on its recorded terms, the holder's (or its mandated agent's) signed acceptance, the listing exchange's
settlement or cancellation, the licence link; every change emits its event. One test per refusal."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.registry.market.trades import order_id_of
from tests.contracts.conftest import (
    DEADLINE_HORIZON,
    EIP712_DOMAIN_TYPE,
    by_registrar,
    h,
    reverts_with,
    set_next_timestamp,
    sign_typed,
    transact,
)
from tests.contracts.test_lifecycle_contracts import certified

EXCHANGE = h("exchange: Hainan data exchange")
OTHER_EXCHANGE = h("exchange: Shanghai data exchange")
REPORT = h("a passing listing verification report")
TERMS = h("licence template terms")
CONTENT = h("the listing's published text")
LISTING = h("listing 1")
SETTLEMENT = h("bank transfer 2026-11-30 no. 88")
REASON = h("the buyer withdrew")
AMOUNT = 120_000  # fen: CNY 1,200.00
ORDERED, ACCEPTED, SETTLED, CANCELLED = 1, 2, 3, 4
REVOKED = 2  # IDataRightsRegistry.AssetStatus.Revoked

_TYPES = {
    "TradeOrder": [
        ("listingId", "bytes32"),
        ("buyer", "address"),
        ("amount", "uint256"),
        ("currency", "string"),
        ("termsHash", "bytes32"),
    ],
    "TradeAcceptance": [("orderId", "bytes32"), ("accepter", "address"), ("amount", "uint256")],
    "TradeMandate": [
        ("holder", "address"),
        ("agent", "address"),
        ("listingId", "bytes32"),
        ("validUntil", "uint64"),
    ],
    "TradeMandateRevocation": [("holder", "address"), ("agent", "address"), ("listingId", "bytes32")],
}


def deploy(w3, name: str, *args: Any, sender: str) -> Any:  # type: ignore[no-untyped-def]
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": sender}))
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@pytest.fixture(scope="module")
def market(w3, registry, actors):  # type: ignore[no-untyped-def]
    return deploy(w3, "DataMarket", registry.address, actors.admin.address, sender=actors.admin.address)


@pytest.fixture(scope="module")
def trades(w3, market, actors):  # type: ignore[no-untyped-def]
    return deploy(w3, "DataTrades", market.address, actors.admin.address, sender=actors.admin.address)


@pytest.fixture
def asset_id(w3, registry, actors, authorise, market):  # type: ignore[no-untyped-def]
    return listed_asset(w3, registry, actors, authorise, market)


def listed_asset(w3, registry, actors, authorise, market):  # type: ignore[no-untyped-def]
    """A certified asset of ``actors.holder``, listed by EXCHANGE as LISTING with TERMS."""
    asset = certified(w3, registry, actors, authorise)
    admin = actors.admin.address
    transact(w3, market.functions.enrolExchange(EXCHANGE), admin)
    transact(w3, market.functions.recordVerification(REPORT, asset, True), admin)
    transact(w3, market.functions.list(LISTING, asset, EXCHANGE, REPORT, TERMS, CONTENT), admin)
    return asset


def signed(trades, primary: str, signer, values: dict[str, Any], nonce=None, deadline=None):  # type: ignore[no-untyped-def]
    """(nonce, deadline, signature) of ``signer`` over ``primary`` with ``values``."""
    address = values.get("buyer") or values.get("accepter") or values.get("holder")
    nonce = trades.functions.nonces(address).call() if nonce is None else nonce
    if deadline is None:
        deadline = trades.w3.eth.get_block("pending").timestamp + DEADLINE_HORIZON
    members = [*_TYPES[primary], ("nonce", "uint256"), ("deadline", "uint256")]
    message = {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            primary: [{"name": n, "type": t} for n, t in members],
        },
        "primaryType": primary,
        "domain": {
            "name": "DataLedger DataTrades",
            "version": "1",
            "chainId": trades.w3.eth.chain_id,
            "verifyingContract": trades.address,
        },
        "message": values | {"nonce": nonce, "deadline": deadline},
    }
    return nonce, deadline, bytes(sign_typed(signer.private_key, message).signature)


def order_call(trades, buyer, *, signer=None, listing=LISTING, terms=TERMS, currency="CNY", **kw):  # type: ignore[no-untyped-def]
    values = {
        "listingId": listing,
        "buyer": buyer.address,
        "amount": AMOUNT,
        "currency": currency,
        "termsHash": terms,
    }
    nonce, deadline, signature = signed(trades, "TradeOrder", signer or buyer, values, **kw)
    order = (listing, buyer.address, AMOUNT, currency, terms)
    return trades.functions.placeOrder(order, nonce, deadline, signature), nonce


def place(w3, trades, actors) -> bytes:  # type: ignore[no-untyped-def]
    call, nonce = order_call(trades, actors.other_holder)
    transact(w3, call, actors.admin.address)
    return trades.functions.orderIdOf(LISTING, actors.other_holder.address, nonce).call()


def accept_call(trades, order_id, accepter, *, amount=AMOUNT, signer=None):  # type: ignore[no-untyped-def]
    values = {"orderId": order_id, "accepter": accepter.address, "amount": amount}
    nonce, deadline, signature = signed(trades, "TradeAcceptance", signer or accepter, values)
    return trades.functions.acceptOrder(order_id, accepter.address, amount, nonce, deadline, signature)


def mandate_call(trades, holder, agent, valid_until, *, signer=None):  # type: ignore[no-untyped-def]
    values = {"holder": holder.address, "agent": agent.address, "listingId": LISTING}
    values["validUntil"] = valid_until
    nonce, deadline, signature = signed(trades, "TradeMandate", signer or holder, values)
    return trades.functions.grantMandate(
        holder.address, agent.address, LISTING, valid_until, nonce, deadline, signature
    )


def test_a_buyer_orders_the_holder_accepts_and_the_exchange_settles(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    admin, buyer, holder = actors.admin.address, actors.other_holder, actors.holder
    call, nonce = order_call(trades, buyer)
    receipt = transact(w3, call, admin)
    (placed,) = trades.events.OrderPlaced().process_receipt(receipt, errors=DISCARD)
    order_id = trades.functions.orderIdOf(LISTING, buyer.address, nonce).call()
    assert placed.args.orderId == order_id and placed.args.seller == holder.address
    assert order_id_of("0x" + LISTING.hex(), buyer.address, nonce) == "0x" + order_id.hex()  # the service's
    assert (placed.args.amount, placed.args.currency, placed.args.termsHash) == (AMOUNT, "CNY", TERMS)

    receipt = transact(w3, accept_call(trades, order_id, holder), admin)
    (accepted,) = trades.events.OrderAccepted().process_receipt(receipt, errors=DISCARD)
    assert (accepted.args.seller, accepted.args.acceptedBy) == (holder.address, holder.address)

    receipt = transact(w3, trades.functions.settle(order_id, EXCHANGE, SETTLEMENT), admin)
    (settled,) = trades.events.TradeSettled().process_receipt(receipt, errors=DISCARD)
    assert (settled.args.amount, settled.args.settlementHash) == (AMOUNT, SETTLEMENT)
    receipt = transact(w3, trades.functions.linkLicence(order_id, 7), admin)
    (linked,) = trades.events.TradeLicenceLinked().process_receipt(receipt, errors=DISCARD)
    assert linked.args.licenceId == 7

    trade = trades.functions.tradeOf(order_id).call()
    assert trade[:6] == (LISTING, asset_id, EXCHANGE, buyer.address, holder.address, holder.address)
    assert trade[6:11] == (AMOUNT, "CNY", TERMS, SETTLEMENT, 7) and trade[14] == SETTLED


def test_an_order_signed_by_another_key_is_refused(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    call, _ = order_call(trades, actors.other_holder, signer=actors.stranger)
    with reverts_with(trades, "DataTradesInvalidSignature", actors.other_holder.address):
        call.transact({"from": actors.admin.address})


def test_an_order_after_its_deadline_is_refused(w3, chain, trades, actors, asset_id, now):  # type: ignore[no-untyped-def]
    call, _ = order_call(trades, actors.other_holder, deadline=now + 10)
    set_next_timestamp(chain, now + 20)
    with reverts_with(trades, "DataTradesSignatureExpired", now + 10, now + 20):
        call.transact({"from": actors.admin.address})


def test_an_order_replayed_with_a_used_nonce_is_refused(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    call, nonce = order_call(trades, actors.other_holder)
    transact(w3, call, actors.admin.address)
    with reverts_with(trades, "InvalidAccountNonce", actors.other_holder.address, nonce + 1):
        call.transact({"from": actors.admin.address})


def test_an_order_on_other_terms_than_the_listings_is_refused(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    call, _ = order_call(trades, actors.other_holder, terms=h("the template's new terms"))
    with reverts_with(trades, "DataTradesTermsMismatch", LISTING, h("the template's new terms")):
        call.transact({"from": actors.admin.address})


def test_an_order_of_a_delisted_or_unknown_listing_is_refused(w3, trades, market, actors, asset_id):  # type: ignore[no-untyped-def]
    call, _ = order_call(trades, actors.other_holder, listing=h("no listing"))
    with reverts_with(trades, "DataTradesListingNotActive", h("no listing")):
        call.transact({"from": actors.admin.address})
    transact(w3, market.functions.delist(LISTING, EXCHANGE, REASON), actors.admin.address)
    call, _ = order_call(trades, actors.other_holder)
    with reverts_with(trades, "DataTradesListingNotActive", LISTING):
        call.transact({"from": actors.admin.address})


def test_an_order_in_a_malformed_currency_or_by_the_holder_is_refused(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    for currency in ("cny", "YUAN", "C1Y"):
        call, _ = order_call(trades, actors.other_holder, currency=currency)
        with reverts_with(trades, "DataTradesInvalidCurrency"):
            call.transact({"from": actors.admin.address})
    call, _ = order_call(trades, actors.holder)
    with reverts_with(trades, "DataTradesInvalidCounterparty", actors.holder.address):
        call.transact({"from": actors.admin.address})
    call, _ = order_call(trades, actors.other_holder, terms=b"\x00" * 32)
    with reverts_with(trades, "DataTradesZeroHash"):
        call.transact({"from": actors.admin.address})


def test_an_order_of_a_revoked_asset_is_refused(w3, trades, registry, actors, asset_id):  # type: ignore[no-untyped-def]
    revocation = by_registrar(actors.registrar, registry, "revoke", asset_id, h("fraud"))
    transact(w3, revocation, actors.relayer.address)
    call, _ = order_call(trades, actors.other_holder)
    with reverts_with(trades, "DataTradesAssetNotCertified", asset_id, REVOKED):
        call.transact({"from": actors.admin.address})


def test_acceptance_by_a_stranger_or_for_another_amount_is_refused(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    order_id = place(w3, trades, actors)
    with reverts_with(trades, "DataTradesNotHolderOrAgent", order_id, actors.stranger.address):
        accept_call(trades, order_id, actors.stranger).transact({"from": actors.admin.address})
    with reverts_with(trades, "DataTradesAmountMismatch", order_id, 1):
        accept_call(trades, order_id, actors.holder, amount=1).transact({"from": actors.admin.address})
    with reverts_with(trades, "DataTradesInvalidSignature", actors.holder.address):
        accept_call(trades, order_id, actors.holder, signer=actors.stranger).transact(
            {"from": actors.admin.address}
        )
    with reverts_with(trades, "DataTradesOrderNotFound", h("no order")):
        accept_call(trades, h("no order"), actors.holder).transact({"from": actors.admin.address})


def test_a_mandated_agent_accepts_until_its_mandate_ends(w3, chain, trades, actors, asset_id, now):  # type: ignore[no-untyped-def]
    agent, admin = actors.stranger, actors.admin.address
    with reverts_with(trades, "DataTradesNotHolder", LISTING, agent.address):
        mandate_call(trades, agent, actors.relayer, now + 1000).transact({"from": admin})
    with reverts_with(trades, "DataTradesInvalidPeriod", now - 1):
        mandate_call(trades, actors.holder, agent, now - 1).transact({"from": admin})
    with reverts_with(trades, "DataTradesInvalidCounterparty", actors.holder.address):
        mandate_call(trades, actors.holder, actors.holder, now + 1000).transact({"from": admin})
    with reverts_with(trades, "DataTradesInvalidSignature", actors.holder.address):
        mandate_call(trades, actors.holder, agent, now + 1000, signer=agent).transact({"from": admin})

    receipt = transact(w3, mandate_call(trades, actors.holder, agent, now + 1000), admin)
    (granted,) = trades.events.MandateGranted().process_receipt(receipt, errors=DISCARD)
    assert (granted.args.holder, granted.args.agent, granted.args.validUntil) == (
        actors.holder.address,
        agent.address,
        now + 1000,
    )
    first = place(w3, trades, actors)
    second = place(w3, trades, actors)
    transact(w3, accept_call(trades, first, agent), admin)
    assert trades.functions.tradeOf(first).call()[5] == agent.address  # acceptedBy
    set_next_timestamp(chain, now + 2000)
    with reverts_with(trades, "DataTradesNotHolderOrAgent", second, agent.address):
        accept_call(trades, second, agent).transact({"from": admin})


def revocation_call(trades, holder, agent, *, signer=None, nonce=None, listing=LISTING):  # type: ignore[no-untyped-def]
    values = {"holder": holder.address, "agent": agent.address, "listingId": listing}
    nonce, deadline, signature = signed(trades, "TradeMandateRevocation", signer or holder, values, nonce)
    return trades.functions.revokeMandate(holder.address, agent.address, listing, nonce, deadline, signature)


def test_a_revoked_mandate_no_longer_lets_the_agent_accept(w3, trades, actors, asset_id, now):  # type: ignore[no-untyped-def]
    agent, admin = actors.stranger, actors.admin.address
    transact(w3, mandate_call(trades, actors.holder, agent, now + 10_000), admin)
    first, second = place(w3, trades, actors), place(w3, trades, actors)
    transact(w3, accept_call(trades, first, agent), admin)

    receipt = transact(w3, revocation_call(trades, actors.holder, agent), admin)
    (revoked,) = trades.events.MandateRevoked().process_receipt(receipt, errors=DISCARD)
    assert (revoked.args.holder, revoked.args.agent, revoked.args.listingId) == (
        actors.holder.address,
        agent.address,
        LISTING,
    )
    assert trades.functions.mandateOf(actors.holder.address, agent.address, LISTING).call() == 0
    with reverts_with(trades, "DataTradesNotHolderOrAgent", second, agent.address):
        accept_call(trades, second, agent).transact({"from": admin})
    transact(w3, accept_call(trades, second, actors.holder), admin)  # the holder itself still accepts


def test_only_the_holder_revokes_its_mandate(w3, trades, actors, asset_id, now):  # type: ignore[no-untyped-def]
    agent, admin = actors.stranger, actors.admin.address
    transact(w3, mandate_call(trades, actors.holder, agent, now + 10_000), admin)
    # the agent (or anyone) signing the holder's revocation is refused by the holder's signature check
    with reverts_with(trades, "DataTradesInvalidSignature", actors.holder.address):
        revocation_call(trades, actors.holder, agent, signer=agent).transact({"from": admin})
    # naming itself as the holder, the agent finds no mandate of its own to revoke
    with reverts_with(trades, "DataTradesMandateNotInForce", agent.address, actors.holder.address, LISTING):
        revocation_call(trades, agent, actors.holder).transact({"from": admin})
    assert trades.functions.mandateOf(actors.holder.address, agent.address, LISTING).call() == now + 10_000


def test_a_revocation_replayed_or_of_no_mandate_in_force_is_refused(w3, chain, trades, actors, asset_id, now):  # type: ignore[no-untyped-def]
    agent, admin, holder = actors.stranger, actors.admin.address, actors.holder
    with reverts_with(trades, "DataTradesMandateNotInForce", holder.address, agent.address, LISTING):
        revocation_call(trades, holder, agent).transact({"from": admin})
    transact(w3, mandate_call(trades, holder, agent, now + 10_000), admin)
    call = revocation_call(trades, holder, agent)
    transact(w3, call, admin)
    # the same signed revocation again: the mandate is no longer in force (a no-op is refused)
    with reverts_with(trades, "DataTradesMandateNotInForce", holder.address, agent.address, LISTING):
        call.transact({"from": admin})
    # granted again, the old signature's nonce is spent
    transact(w3, mandate_call(trades, holder, agent, now + 20_000), admin)
    with reverts_with(
        trades, "InvalidAccountNonce", holder.address, trades.functions.nonces(holder.address).call()
    ):
        call.transact({"from": admin})
    # an expired mandate is not in force either
    set_next_timestamp(chain, now + 30_000)
    with reverts_with(trades, "DataTradesMandateNotInForce", holder.address, agent.address, LISTING):
        revocation_call(trades, holder, agent).transact({"from": admin})


def test_settlement_and_cancellation_follow_the_trades_status_and_exchange(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    admin = actors.admin.address
    order_id = place(w3, trades, actors)
    with reverts_with(trades, "DataTradesInvalidStatus", order_id, ORDERED):
        trades.functions.settle(order_id, EXCHANGE, SETTLEMENT).transact({"from": admin})
    with reverts_with(trades, "DataTradesInvalidStatus", order_id, ORDERED):
        trades.functions.linkLicence(order_id, 1).transact({"from": admin})
    transact(w3, accept_call(trades, order_id, actors.holder), admin)
    with reverts_with(trades, "DataTradesInvalidStatus", order_id, ACCEPTED):
        accept_call(trades, order_id, actors.holder).transact({"from": admin})
    with reverts_with(trades, "DataTradesNotTradeExchange", order_id, OTHER_EXCHANGE):
        trades.functions.settle(order_id, OTHER_EXCHANGE, SETTLEMENT).transact({"from": admin})
    with reverts_with(trades, "DataTradesZeroHash"):
        trades.functions.settle(order_id, EXCHANGE, b"\x00" * 32).transact({"from": admin})
    with reverts_with(trades, "DataTradesLicenceNotLinkable", order_id, 0):
        trades.functions.linkLicence(order_id, 0).transact({"from": admin})
    transact(w3, trades.functions.linkLicence(order_id, 3), admin)
    with reverts_with(trades, "DataTradesLicenceNotLinkable", order_id, 4):
        trades.functions.linkLicence(order_id, 4).transact({"from": admin})

    receipt = transact(w3, trades.functions.cancel(order_id, EXCHANGE, REASON), admin)
    (cancelled,) = trades.events.TradeCancelled().process_receipt(receipt, errors=DISCARD)
    assert (cancelled.args.orderId, cancelled.args.reasonHash) == (order_id, REASON)
    assert trades.functions.tradeOf(order_id).call()[14] == CANCELLED
    with reverts_with(trades, "DataTradesInvalidStatus", order_id, CANCELLED):
        trades.functions.settle(order_id, EXCHANGE, SETTLEMENT).transact({"from": admin})
    with reverts_with(trades, "DataTradesInvalidStatus", order_id, CANCELLED):
        trades.functions.cancel(order_id, EXCHANGE, REASON).transact({"from": admin})


def test_only_the_trade_operator_writes(w3, trades, actors, asset_id):  # type: ignore[no-untyped-def]
    role = trades.functions.TRADE_OPERATOR_ROLE().call()
    stranger = actors.stranger.address
    order_id = place(w3, trades, actors)
    call, _ = order_call(trades, actors.other_holder)
    for fn in (
        call,
        accept_call(trades, order_id, actors.holder),
        mandate_call(trades, actors.holder, actors.stranger, 2**40),
        revocation_call(trades, actors.holder, actors.stranger),
        trades.functions.settle(order_id, EXCHANGE, SETTLEMENT),
        trades.functions.cancel(order_id, EXCHANGE, REASON),
        trades.functions.linkLicence(order_id, 1),
    ):
        with reverts_with(trades, "AccessControlUnauthorizedAccount", stranger, role):
            fn.transact({"from": stranger})
