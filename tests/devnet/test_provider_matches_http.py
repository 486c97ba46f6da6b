"""``DevnetProvider`` in-process answers exactly what the HTTP server answers for the same chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web3 import HTTPProvider, Web3

from dataledger_devnet import DevnetProvider
from tests.devnet.devnet_process import DevnetProcess
from tests.devnet.probe import DEV0, DEV1, deploy_probe


def _requests(
    probe_address: str, probe_data: dict[str, str], tx_hash: str, block_hash: str
) -> list[tuple[str, list[Any]]]:
    return [
        ("eth_chainId", []),
        ("net_version", []),
        ("eth_accounts", []),
        ("eth_blockNumber", []),
        ("eth_getBlockByNumber", ["latest", True]),
        ("eth_getBlockByNumber", ["0x1", False]),
        ("eth_getBlockByNumber", ["0x999", False]),
        ("eth_getBlockByHash", [block_hash, True]),
        ("eth_getBlockReceipts", ["latest"]),
        ("eth_getTransactionByHash", [tx_hash]),
        ("eth_getTransactionReceipt", [tx_hash]),
        ("eth_getTransactionByBlockNumberAndIndex", ["latest", "0x0"]),
        ("eth_getLogs", [{"fromBlock": "earliest", "address": probe_address}]),
        ("eth_getBalance", [DEV0, "latest"]),
        ("eth_getBalance", [DEV1, "0x1"]),
        ("eth_getTransactionCount", [DEV0, "pending"]),
        ("eth_getCode", [probe_address, "latest"]),
        ("eth_getStorageAt", [probe_address, "0x0", "latest"]),
        ("eth_call", [{"to": probe_address, "data": probe_data["value"]}, "latest"]),
        ("eth_call", [{"from": DEV1, "to": probe_address, "data": probe_data["refused"]}, "latest"]),
        ("eth_estimateGas", [{"from": DEV1, "to": probe_address, "data": probe_data["store"]}]),
        ("eth_feeHistory", ["0x3", "latest", [25, 75]]),
        ("eth_gasPrice", []),
        ("eth_maxPriorityFeePerGas", []),
        ("eth_getStorageAt", ["0x12", "0x0", "latest"]),  # malformed address: an error object
    ]


def _answer(response: dict[str, Any]) -> Any:
    return response.get("error", response.get("result"))


def test_in_process_provider_gives_the_same_answers_as_http(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    server = DevnetProcess.start(data_dir, "--no-fsync")
    http_w3 = Web3(HTTPProvider(server.url))
    probe = deploy_probe(http_w3)
    tx_hash = probe.functions.store(9, b"\x09" * 32).transact({"from": DEV1})
    http_w3.eth.send_transaction({"from": DEV0, "to": DEV1, "value": 5})
    requests = _requests(
        probe.address,
        {
            "value": probe.encode_abi("value", []),
            "refused": probe.encode_abi("store", [13, b"\0" * 32]),
            "store": probe.encode_abi("store", [10, b"\0" * 32]),
        },
        tx_hash.to_0x_hex(),
        http_w3.eth.get_block("latest")["hash"].to_0x_hex(),
    )
    over_http = [
        _answer(server.raw({"jsonrpc": "2.0", "id": 1, "method": m, "params": p})) for m, p in requests
    ]
    http_block = http_w3.eth.get_block("latest", full_transactions=True)
    assert server.terminate() == 0

    provider = DevnetProvider(data_dir)
    try:
        in_process = [_answer(provider.make_request(m, p)) for m, p in requests]
        assert Web3(provider).eth.get_block("latest", full_transactions=True) == http_block
    finally:
        provider.close()

    for (method, _), http_answer, local_answer in zip(requests, over_http, in_process, strict=True):
        assert local_answer == http_answer, method
    assert in_process[19]["code"] == 3  # the reverting call really is an error in both
    assert in_process[-1]["code"] == -32602
