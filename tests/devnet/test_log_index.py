"""``eth_getLogs`` answers from the persisted log index and agrees with the receipts."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dataledger_devnet import DevnetChain, Dispatcher
from tests.devnet.probe import ARTIFACT, DEV0_KEY

VALUE_STORED = "0x" + keccak(text="ValueStored(address,uint256,bytes32)").hex()
PROBE = Web3().eth.contract(abi=ARTIFACT["abi"])
STORES = 60
STORED = [value for value in range(STORES) if value != 13]  # the probe refuses 13: no event


def _signed(nonce: int, **fields: Any) -> bytes:
    tx = {"gas": 200_000, "gasPrice": 10**10, "nonce": nonce, "chainId": 31337, **fields}
    return bytes(Account.sign_transaction(tx, DEV0_KEY).raw_transaction)


@pytest.fixture
def dispatcher_with_events(chain: DevnetChain) -> tuple[Dispatcher, list[str]]:
    """Two probes; ``STORES`` stores alternate between them, with plain transfers in between."""
    addresses = []
    for nonce in range(2):
        chain.send_raw_transaction(_signed(nonce, data=ARTIFACT["bytecode"], gas=500_000))
    addresses = [
        "0x5fbdb2315678afecb367f032d93f642f64180aa3",  # DEV0's first two contracts
        "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
    ]
    nonce = 2
    for value in range(STORES):
        target = to_checksum_address(addresses[value % 2])
        chain.send_raw_transaction(
            _signed(nonce, to=target, data=PROBE.encode_abi("store", [value, b"\0" * 32]))
        )
        chain.send_raw_transaction(_signed(nonce + 1, to="0x" + "11" * 20, value=1, gas=21000))
        nonce += 2
    return Dispatcher(chain), addresses


def _logs(dispatcher: Dispatcher, criteria: dict[str, Any]) -> list[dict[str, Any]]:
    answer = dispatcher.handle({"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [criteria]})
    return answer["result"]


def test_get_logs_reads_the_index_not_the_receipts(
    dispatcher_with_events: tuple[Dispatcher, list[str]], chain: DevnetChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher, addresses = dispatcher_with_events
    head = chain.head().block_number
    receipts_logs = [
        log
        for number in range(head + 1)
        for receipt in dispatcher.handle(
            {"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockReceipts", "params": [hex(number)]}
        )["result"]
        for log in receipt["logs"]
    ]

    def forbidden(*_: Any) -> None:
        raise AssertionError("eth_getLogs decoded blocks or receipts")

    monkeypatch.setattr(chain, "receipts", forbidden)
    monkeypatch.setattr(chain, "block", forbidden)
    everything = _logs(dispatcher, {"fromBlock": "earliest", "toBlock": "latest"})

    assert [int(log["topics"][2], 16) for log in everything] == STORED
    assert everything == receipts_logs
    first = _logs(dispatcher, {"fromBlock": "0x0", "address": addresses[0]})
    assert [int(log["topics"][2], 16) for log in first] == list(range(0, STORES, 2))
    either = _logs(dispatcher, {"fromBlock": "0x0", "address": addresses, "topics": [VALUE_STORED]})
    assert either == everything


def test_topic_positions_combine_with_and_and_alternatives_with_or(
    dispatcher_with_events: tuple[Dispatcher, list[str]],
) -> None:
    dispatcher, _ = dispatcher_with_events
    value_topic = ["0x" + value.to_bytes(32, "big").hex() for value in (3, 4, 99)]

    by_value = _logs(dispatcher, {"fromBlock": "0x0", "topics": [None, None, value_topic]})
    assert [int(log["topics"][2], 16) for log in by_value] == [3, 4]
    assert _logs(dispatcher, {"fromBlock": "0x0", "topics": [VALUE_STORED, None, None, None]}) == []
    assert _logs(dispatcher, {"fromBlock": "0x0", "topics": ["0x" + "00" * 32]}) == []


def test_block_ranges_and_block_hash_narrow_the_result(
    dispatcher_with_events: tuple[Dispatcher, list[str]], chain: DevnetChain
) -> None:
    dispatcher, _ = dispatcher_with_events
    everything = _logs(dispatcher, {"fromBlock": "0x0"})
    middle = everything[10]
    block_number = int(middle["blockNumber"], 16)

    assert _logs(dispatcher, {"fromBlock": hex(block_number), "toBlock": hex(block_number)}) == [middle]
    assert _logs(dispatcher, {"blockHash": middle["blockHash"]}) == [middle]
    assert _logs(dispatcher, {"fromBlock": hex(block_number + 1), "toBlock": hex(block_number)}) == []
    assert _logs(dispatcher, {"fromBlock": hex(chain.head().block_number + 5)}) == []
    assert _logs(dispatcher, {}) == []  # fromBlock defaults to latest, which holds a plain transfer
