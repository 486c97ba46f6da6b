"""The JSON-RPC envelope: batches, notifications and error objects, without any transport."""

from __future__ import annotations

from typing import Any

import pytest

from dataledger_devnet import DevnetChain, Dispatcher


@pytest.fixture
def dispatcher(chain: DevnetChain) -> Dispatcher:
    return Dispatcher(chain)


def _call(method: str, *params: Any, request_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}


def test_a_request_gets_a_response_with_its_id(dispatcher: Dispatcher) -> None:
    assert dispatcher.handle(_call("eth_blockNumber", request_id=7)) == {
        "jsonrpc": "2.0",
        "id": 7,
        "result": "0x0",
    }


def test_a_batch_gets_one_response_per_request_and_none_for_notifications(dispatcher: Dispatcher) -> None:
    notification = {"jsonrpc": "2.0", "method": "evm_mine", "params": []}
    answers = dispatcher.handle(
        [_call("eth_chainId", request_id=1), notification, _call("eth_blockNumber", request_id=2)]
    )
    assert answers == [
        {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"},
        {"jsonrpc": "2.0", "id": 2, "result": "0x1"},  # the notification still mined a block
    ]
    assert dispatcher.handle([notification]) is None


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        ([], -32600),
        ("eth_blockNumber", -32600),
        ({"id": 1, "params": []}, -32600),
        (_call("eth_noSuchMethod"), -32601),
        (_call("eth_getBalance", "0xzz", "latest"), -32602),
        (_call("eth_getBalance"), -32602),
        (_call("eth_getBlockByNumber", "tomorrow", False), -32602),
        (_call("evm_setAutomine", "yes"), -32602),
        (
            _call("eth_call", {"to": "0x" + "11" * 20}, "latest", {"0x" + "11" * 20: {"balance": "0x1"}}),
            -32602,
        ),
        (_call("eth_getBalance", "0x" + "11" * 20, "0x10"), -32001),
    ],
)
def test_malformed_requests_get_json_rpc_error_objects(
    dispatcher: Dispatcher, request_: Any, code: int
) -> None:
    answer = dispatcher.handle(request_)
    assert answer["error"]["code"] == code
    assert isinstance(answer["error"]["message"], str)


def test_an_unexpected_failure_is_an_internal_error_not_a_crash(
    dispatcher: Dispatcher, chain: DevnetChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(chain, "head", broken)
    answer = dispatcher.handle(_call("eth_blockNumber"))
    assert answer["error"] == {"code": -32603, "message": "internal error: RuntimeError: boom"}


def test_unknown_blocks_and_transactions_are_null(dispatcher: Dispatcher) -> None:
    assert dispatcher.handle(_call("eth_getBlockByNumber", "0x5", False))["result"] is None
    assert dispatcher.handle(_call("eth_getBlockByHash", "0x" + "ab" * 32, False))["result"] is None
    assert dispatcher.handle(_call("eth_getTransactionByHash", "0x" + "ab" * 32))["result"] is None
    assert dispatcher.handle(_call("eth_getTransactionReceipt", "0x" + "ab" * 32))["result"] is None


def test_anvil_and_hardhat_mine_aliases_mine_several_blocks(
    dispatcher: Dispatcher, chain: DevnetChain
) -> None:
    dispatcher.handle(_call("anvil_mine", "0x3"))
    dispatcher.handle(_call("hardhat_mine", "0x2", "0x10"))
    assert chain.head().block_number == 5
    assert chain.head().timestamp - chain.resolve(4).timestamp == 0x10
    assert dispatcher.handle(_call("hardhat_getAutomine"))["result"] is True


def test_web3_sha3_hashes_its_input(dispatcher: Dispatcher) -> None:
    answer = dispatcher.handle(_call("web3_sha3", "0x"))
    assert answer["result"] == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
