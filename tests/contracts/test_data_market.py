"""The ``DataMarket`` contract on its own (no API in front): a listing needs an enrolled exchange, a
recorded passing verification of that asset, unused, and a certified asset; only the listing exchange
delists; every change emits its event. One test per refusal."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from dataledger.ledger.chain.artifacts import load_artifact
from tests.contracts.conftest import h, reverts_with, transact
from tests.contracts.test_lifecycle_contracts import certified, in_notice

EXCHANGE = h("exchange: Hainan data exchange")
OTHER_EXCHANGE = h("exchange: Shanghai data exchange")
REPORT = h("a passing listing verification report")
TERMS = h("licence template terms")
CONTENT = h("the listing's published text")
LISTING = h("listing 1")
REASON = h("the holder withdrew the product")
NOT_CERTIFIED, CERTIFIED_STATUS = 4, 5  # AssetStatus.InNotice, AssetStatus.Certified


@pytest.fixture(scope="module")
def market(w3, registry, actors):  # type: ignore[no-untyped-def]
    artifact = load_artifact("DataMarket")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(registry.address, actors.admin.address).transact({"from": actors.admin.address})
    )
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@pytest.fixture
def asset_id(w3, registry, actors, authorise):  # type: ignore[no-untyped-def]
    return certified(w3, registry, actors, authorise)


def operate(w3, market, actors, function: str, *args):  # type: ignore[no-untyped-def]
    return transact(w3, getattr(market.functions, function)(*args), actors.admin.address)


def enrolled_and_verified(w3, market, actors, asset_id, listable=True):  # type: ignore[no-untyped-def]
    operate(w3, market, actors, "enrolExchange", EXCHANGE)
    operate(w3, market, actors, "recordVerification", REPORT, asset_id, listable)


def test_an_exchange_lists_a_certified_product_on_a_passing_report_and_delists_it(
    w3, market, actors, asset_id
):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id)

    receipt = operate(w3, market, actors, "list", LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT)

    (listed,) = market.events.Listed().process_receipt(receipt, errors=DISCARD)
    assert listed.args.listingId == LISTING and listed.args.assetId == asset_id
    assert (listed.args.exchangeId, listed.args.reportHash, listed.args.termsHash) == (
        EXCHANGE,
        REPORT,
        TERMS,
    )
    record = market.functions.listingOf(LISTING).call()
    assert record[:5] == (asset_id, EXCHANGE, REPORT, TERMS, CONTENT) and record[5] > 0 and record[6] == 0
    assert market.functions.verificationOf(REPORT).call() == (asset_id, True, True)

    receipt = operate(w3, market, actors, "delist", LISTING, EXCHANGE, REASON)
    (delisted,) = market.events.Delisted().process_receipt(receipt, errors=DISCARD)
    assert (delisted.args.listingId, delisted.args.reasonHash) == (LISTING, REASON)
    assert market.functions.listingOf(LISTING).call()[6] > 0


def test_listing_without_a_recorded_report_is_refused(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    operate(w3, market, actors, "enrolExchange", EXCHANGE)
    with reverts_with(market, "DataMarketReportNotPassing", REPORT, asset_id):
        market.functions.list(LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )


def test_listing_on_a_failed_verification_is_refused(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id, listable=False)
    with reverts_with(market, "DataMarketReportNotPassing", REPORT, asset_id):
        market.functions.list(LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )


def test_a_report_about_another_asset_or_already_used_is_refused(
    w3, market, actors, registry, authorise, asset_id
):  # type: ignore[no-untyped-def]
    other = certified(w3, registry, actors, authorise, content="another product")
    enrolled_and_verified(w3, market, actors, asset_id)
    with reverts_with(market, "DataMarketReportNotPassing", REPORT, other):
        market.functions.list(LISTING, other, EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )
    operate(w3, market, actors, "list", LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT)
    with reverts_with(market, "DataMarketReportNotPassing", REPORT, asset_id):
        market.functions.list(h("listing 2"), asset_id, EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )


def test_listing_by_a_non_exchange_is_refused(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id)
    with reverts_with(market, "DataMarketNotExchange", OTHER_EXCHANGE):
        market.functions.list(LISTING, asset_id, OTHER_EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )


def test_listing_of_an_uncertified_asset_is_refused(w3, market, actors, registry, authorise):  # type: ignore[no-untyped-def]
    in_notice_id = in_notice(w3, registry, actors, authorise)
    enrolled_and_verified(w3, market, actors, in_notice_id)
    with reverts_with(market, "DataMarketAssetNotCertified", in_notice_id, NOT_CERTIFIED):
        market.functions.list(LISTING, in_notice_id, EXCHANGE, REPORT, TERMS, CONTENT).transact(
            {"from": actors.admin.address}
        )


def test_delisting_by_a_stranger_exchange_is_refused(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id)
    operate(w3, market, actors, "enrolExchange", OTHER_EXCHANGE)
    operate(w3, market, actors, "list", LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT)
    with reverts_with(market, "DataMarketNotListingExchange", LISTING, OTHER_EXCHANGE):
        market.functions.delist(LISTING, OTHER_EXCHANGE, REASON).transact({"from": actors.admin.address})


def test_delisting_twice_or_an_unknown_listing_is_refused(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id)
    operate(w3, market, actors, "list", LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT)
    operate(w3, market, actors, "delist", LISTING, EXCHANGE, REASON)
    with reverts_with(market, "DataMarketListingNotActive", LISTING):
        market.functions.delist(LISTING, EXCHANGE, REASON).transact({"from": actors.admin.address})
    with reverts_with(market, "DataMarketListingNotFound", h("nothing")):
        market.functions.delist(h("nothing"), EXCHANGE, REASON).transact({"from": actors.admin.address})


def test_only_the_market_operator_writes(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    role = market.functions.MARKET_OPERATOR_ROLE().call()
    stranger = actors.stranger.address
    for function, args in (
        ("enrolExchange", (EXCHANGE,)),
        ("recordVerification", (REPORT, asset_id, True)),
        ("list", (LISTING, asset_id, EXCHANGE, REPORT, TERMS, CONTENT)),
        ("delist", (LISTING, EXCHANGE, REASON)),
    ):
        with reverts_with(market, "AccessControlUnauthorizedAccount", stranger, role):
            getattr(market.functions, function)(*args).transact({"from": stranger})


def test_a_report_is_recorded_once_and_an_exchange_enrolled_once(w3, market, actors, asset_id):  # type: ignore[no-untyped-def]
    enrolled_and_verified(w3, market, actors, asset_id)
    with reverts_with(market, "DataMarketReportAlreadyRecorded", REPORT):
        market.functions.recordVerification(REPORT, asset_id, True).transact({"from": actors.admin.address})
    with reverts_with(market, "DataMarketExchangeAlreadyEnrolled", EXCHANGE):
        market.functions.enrolExchange(EXCHANGE).transact({"from": actors.admin.address})
    with reverts_with(market, "DataMarketZeroHash"):
        market.functions.list(LISTING, asset_id, EXCHANGE, REPORT, b"\x00" * 32, CONTENT).transact(
            {"from": actors.admin.address}
        )
