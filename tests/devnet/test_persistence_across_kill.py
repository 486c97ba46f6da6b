"""The chain survives `kill -9`: a restarted server answers as before and keeps all it acknowledged."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import requests
from eth_account import Account
from eth_utils import keccak

from tests.devnet.devnet_process import DevnetProcess
from tests.devnet.probe import DEV0, DEV0_KEY, DEV1

STREAM_LENGTH = 120
KILL_AFTER_ACKS = 40
START_BALANCE = 10_000 * 10**18


def _signed_transfers(count: int) -> list[bytes]:
    # value i+1 makes the recipient's balance tell exactly which transfers were mined
    return [
        bytes(
            Account.sign_transaction(
                {
                    "to": DEV1,
                    "value": index + 1,
                    "gas": 21000,
                    "maxFeePerGas": 10**10,
                    "maxPriorityFeePerGas": 10**9,
                    "nonce": index,
                    "chainId": 31337,
                },
                DEV0_KEY,
            ).raw_transaction
        )
        for index in range(count)
    ]


def _chain_view(server: DevnetProcess, tx_hashes: list[str]) -> dict[str, Any]:
    head = server.rpc("eth_getBlockByNumber", "latest", False)
    return {
        "head": head,
        "receipts": [server.rpc("eth_getTransactionReceipt", tx_hash) for tx_hash in tx_hashes],
        "transactions": [server.rpc("eth_getTransactionByHash", tx_hash) for tx_hash in tx_hashes],
        "balances": [server.rpc("eth_getBalance", account, "latest") for account in (DEV0, DEV1)],
        "nonces": [server.rpc("eth_getTransactionCount", account, "latest") for account in (DEV0, DEV1)],
    }


def test_kill_9_mid_stream_keeps_every_acknowledged_transaction(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    raws = _signed_transfers(STREAM_LENGTH)
    server = DevnetProcess.start(data_dir)  # fsync on, as by default
    acknowledged: list[tuple[str, dict[str, Any]]] = []
    enough = threading.Event()

    def stream() -> None:
        try:
            for raw in raws:
                tx_hash = server.rpc("eth_sendRawTransaction", "0x" + raw.hex())
                acknowledged.append((tx_hash, server.rpc("eth_getTransactionReceipt", tx_hash)))
                if len(acknowledged) >= KILL_AFTER_ACKS:
                    enough.set()
        except requests.RequestException:
            pass  # the server died under us: that is the point
        finally:
            enough.set()

    sender = threading.Thread(target=stream)
    sender.start()
    assert enough.wait(timeout=120)
    server.kill()  # while the sender is in the middle of its next request
    sender.join(timeout=60)
    assert KILL_AFTER_ACKS <= len(acknowledged) < STREAM_LENGTH

    restarted = DevnetProcess.start(data_dir)
    try:
        mined = restarted.head_at_start
        # one transaction per block: the head is the acknowledged ones, plus maybe the one in flight
        assert len(acknowledged) <= mined <= len(acknowledged) + 1
        for tx_hash, receipt_before_kill in acknowledged:
            assert restarted.rpc("eth_getTransactionReceipt", tx_hash) == receipt_before_kill
        for number in range(1, mined + 1):
            block = restarted.rpc("eth_getBlockByNumber", hex(number), False)
            assert block["transactions"] == ["0x" + keccak(raws[number - 1]).hex()]
        assert int(restarted.rpc("eth_getTransactionCount", DEV0, "latest"), 16) == mined
        received = int(restarted.rpc("eth_getBalance", DEV1, "latest"), 16) - START_BALANCE
        assert received == mined * (mined + 1) // 2
        all_hashes = ["0x" + keccak(raw).hex() for raw in raws[:mined]]
        view = _chain_view(restarted, all_hashes)
    finally:
        restarted.kill()  # again with no chance to flush anything

    again = DevnetProcess.start(data_dir)
    try:
        assert again.head_at_start == mined
        assert _chain_view(again, all_hashes) == view
    finally:
        assert again.terminate() == 0


def test_clean_shutdown_and_restart_resume_at_the_same_head(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    server = DevnetProcess.start(data_dir, "--chain-id", "1337")
    server.rpc("eth_sendTransaction", {"from": DEV0, "to": DEV1, "value": "0x1"})
    head = server.rpc("eth_getBlockByNumber", "latest", False)
    assert server.terminate() == 0

    restarted = DevnetProcess.start(data_dir)  # the stored chain id applies
    try:
        assert restarted.chain_id == 1337
        assert restarted.head_at_start == 1
        assert restarted.rpc("eth_getBlockByNumber", "latest", False) == head
        next_hash = restarted.rpc("eth_sendTransaction", {"from": DEV0, "to": DEV1, "value": "0x1"})
        assert restarted.rpc("eth_getTransactionReceipt", next_hash)["blockNumber"] == "0x2"
    finally:
        assert restarted.terminate() == 0
