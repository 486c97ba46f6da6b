"""The transaction sender under concurrency and loss: concurrent sends never collide or leave nonce
gaps (on all three chains), and a transaction dropped from the node's pool is sent again (anvil)."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from eth_account import Account
from web3 import Web3

from dataledger.composition.settings import DEV_OPERATOR_KEY
from dataledger.ledger.chain.anchor_registry import AnchorRegistryClient
from dataledger.ledger.chain.connection import connect
from dataledger.ledger.chain.data_rights_registry import decoder_for_all_contracts
from dataledger.ledger.chain.transactions import TransactionSender
from tests.nodes import rpc

KIND = b"\x01" * 32


def anchors(w3: Web3, **sender_options: float) -> AnchorRegistryClient:
    sender = TransactionSender(
        w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts(), **sender_options
    )
    client, _ = AnchorRegistryClient.deploy(w3, sender, admin=sender.address, anchorer=sender.address)
    return client


def test_concurrent_sends_take_consecutive_nonces_without_collision_or_gap(w3: Web3) -> None:
    client = anchors(w3)
    operator = Account.from_key(DEV_OPERATOR_KEY).address
    first_nonce = w3.eth.get_transaction_count(operator)
    roots = [os.urandom(32) for _ in range(16)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        evidence = list(pool.map(lambda root: client.anchor(root, 1, KIND), roots))

    nonces = sorted(int(w3.eth.get_transaction(e.tx_hash)["nonce"]) for e in evidence)
    assert nonces == list(range(first_nonce, first_nonce + len(roots)))
    assert w3.eth.get_transaction_count(operator) == first_nonce + len(roots)
    assert all(client.is_anchored(root) for root in roots)


def test_a_transaction_dropped_from_the_pool_is_sent_again(anvil_url: str) -> None:
    w3 = connect(anvil_url, None)
    client = anchors(w3, receipt_timeout_s=1.0)
    root = os.urandom(32)
    rpc(anvil_url, "evm_setAutomine", [False])
    try:
        sending = threading.Thread(target=lambda: client.anchor(root, 1, KIND))
        sending.start()
        pending = wait_for_pending(anvil_url)
        rpc(anvil_url, "anvil_dropTransaction", [pending])  # lost, as by a node restart or eviction
        rpc(anvil_url, "evm_setAutomine", [True])
        sending.join(timeout=30)
    finally:
        rpc(anvil_url, "evm_setAutomine", [True])

    assert not sending.is_alive()
    assert client.is_anchored(root)  # the sender sent the same signed bytes again after its timeout


def wait_for_pending(url: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        content = rpc(url, "txpool_content")["pending"]
        hashes = [tx["hash"] for by_nonce in content.values() for tx in by_nonce.values()]
        if hashes:
            return hashes[0]
        time.sleep(0.02)
    raise AssertionError("the transaction never reached the pool")
