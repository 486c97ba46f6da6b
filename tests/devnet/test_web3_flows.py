"""The web3 8 flows the ledger relies on, over HTTP and over the in-process provider alike."""

from __future__ import annotations

import threading

import pytest
from eth_account import Account
from web3 import Web3
from web3.middleware import SignAndSendRawMiddlewareBuilder

from dataledger_devnet import DevnetChain
from dataledger_devnet.server import IntervalMiner
from tests.devnet.probe import DEV0, DEV0_KEY, deploy_probe


@pytest.fixture(params=["http", "in-process"])
def w3(request: pytest.FixtureRequest) -> Web3:
    return request.getfixturevalue("http_w3" if request.param == "http" else "local_w3")


def test_contract_function_transact_and_wait_for_receipt(w3: Web3) -> None:
    probe = deploy_probe(w3)
    tx_hash = probe.functions.store(21, b"\x15" * 32).transact({"from": DEV0})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)

    assert receipt["status"] == 1
    [event] = probe.events.ValueStored().process_receipt(receipt)
    assert event["args"]["value"] == 21
    assert event["args"]["setter"] == DEV0
    assert probe.functions.value().call() == 21


def test_send_raw_transaction_built_by_web3_and_wait_for_receipt(w3: Web3) -> None:
    probe = deploy_probe(w3)
    tx = probe.functions.store(22, b"\x16" * 32).build_transaction(
        {"from": DEV0, "nonce": w3.eth.get_transaction_count(DEV0, "pending")}
    )
    signed = w3.eth.account.sign_transaction(tx, DEV0_KEY)

    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction), timeout=10
    )

    assert receipt["transactionHash"] == signed.hash
    assert receipt["status"] == 1
    assert receipt["effectiveGasPrice"] <= tx["maxFeePerGas"]
    assert probe.functions.value().call() == 22


def test_signing_middleware_sends_from_a_funded_outside_account(w3: Web3) -> None:
    outsider = Account.create()
    w3.eth.send_transaction({"from": DEV0, "to": outsider.address, "value": 10**18})
    w3.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(outsider), layer=0)

    tx_hash = w3.eth.send_transaction({"from": outsider.address, "to": DEV0, "value": 1})

    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)["from"] == outsider.address


def test_interval_miner_mines_what_the_mempool_holds(chain: DevnetChain, local_w3: Web3) -> None:
    chain.automine = False
    mined = threading.Event()
    real_mine = chain.mine

    def mine_and_tell(*args: object, **kwargs: object) -> object:
        blocks = real_mine(*args, **kwargs)
        if any(block.transactions for block in blocks):
            mined.set()
        return blocks

    chain.mine = mine_and_tell  # type: ignore[method-assign]
    tx_hash = local_w3.eth.send_transaction({"from": DEV0, "to": DEV0, "value": 1})
    miner = IntervalMiner(chain, 0.01)
    miner.start()
    try:
        assert mined.wait(timeout=10)
    finally:
        miner.stop()
    assert local_w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
