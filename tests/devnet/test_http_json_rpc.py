"""web3 and raw JSON-RPC against ``python -m dataledger_devnet`` over HTTP."""

from __future__ import annotations

import httpx
import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from tests.devnet.devnet_process import DevnetProcess, RpcError
from tests.devnet.probe import DEV0, DEV0_KEY, DEV1, deploy_probe

VALUE_STORED = "0x" + keccak(text="ValueStored(address,uint256,bytes32)").hex()
PROBE_REFUSED = keccak(text="ProbeRefused(address,uint256)")[:4]


def _topic(address: str) -> str:
    return "0x" + bytes.fromhex(address[2:]).rjust(32, b"\0").hex()


def test_node_identifies_its_chain_and_dev_accounts(devnet: DevnetProcess, http_w3: Web3) -> None:
    assert http_w3.eth.chain_id == 31337
    assert devnet.rpc("net_version") == "31337"
    assert devnet.rpc("eth_syncing") is False
    assert devnet.rpc("web3_clientVersion").startswith("dataledger-devnet/")
    accounts = http_w3.eth.accounts
    assert len(accounts) == 10
    assert accounts[:2] == [DEV0, DEV1]
    assert http_w3.eth.get_balance(accounts[9], 0) == 10_000 * 10**18


def test_contract_transaction_is_mined_with_a_log_filterable_by_address_and_topic(http_w3: Web3) -> None:
    probe = deploy_probe(http_w3)
    other = deploy_probe(http_w3)
    tx_hash = probe.functions.store(7, b"\x01" * 32).transact({"from": DEV1})
    receipt = http_w3.eth.wait_for_transaction_receipt(tx_hash)
    other.functions.store(8, b"\x02" * 32).transact({"from": DEV0})

    assert receipt["status"] == 1
    assert probe.functions.value().call() == 7
    [log] = receipt["logs"]
    assert log["address"] == probe.address
    assert log["topics"][0].to_0x_hex() == VALUE_STORED
    by_address = http_w3.eth.get_logs({"address": probe.address, "fromBlock": 0})
    assert [entry["transactionHash"] for entry in by_address] == [tx_hash]
    by_setter = http_w3.eth.get_logs(
        {"fromBlock": receipt["blockNumber"], "topics": [VALUE_STORED, _topic(DEV1)]}
    )
    assert [entry["transactionHash"] for entry in by_setter] == [tx_hash]
    both = http_w3.eth.get_logs(
        {"fromBlock": "earliest", "address": [probe.address, other.address], "topics": [VALUE_STORED]}
    )
    assert [probe.events.ValueStored().process_log(entry)["args"]["value"] for entry in both] == [7, 8]
    assert http_w3.eth.get_logs({"address": probe.address, "fromBlock": receipt["blockNumber"] + 1}) == []


def test_signed_raw_transaction_gets_its_own_block(http_w3: Web3) -> None:
    before = http_w3.eth.block_number
    tx = {
        "to": DEV1,
        "value": 12345,
        "gas": 21000,
        "nonce": http_w3.eth.get_transaction_count(DEV0, "pending"),
        "chainId": 31337,
        "maxPriorityFeePerGas": http_w3.eth.max_priority_fee,
        "maxFeePerGas": 2 * http_w3.eth.get_block("latest")["baseFeePerGas"] + http_w3.eth.max_priority_fee,
    }
    signed = Account.sign_transaction(tx, DEV0_KEY)

    tx_hash = http_w3.eth.send_raw_transaction(signed.raw_transaction)

    assert tx_hash == signed.hash
    receipt = http_w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["blockNumber"] == before + 1
    assert receipt["gasUsed"] == 21000
    assert receipt["from"] == DEV0
    block = http_w3.eth.get_block(before + 1)
    assert block["transactions"] == [tx_hash]
    mined = http_w3.eth.get_transaction(tx_hash)
    assert (mined["value"], mined["nonce"], mined["type"], mined["blockHash"]) == (
        12345,
        tx["nonce"],
        2,
        block["hash"],
    )


def test_legacy_and_unsigned_transactions_are_accepted(http_w3: Web3) -> None:
    legacy = Account.sign_transaction(
        {
            "to": DEV1,
            "value": 1,
            "gas": 21000,
            "gasPrice": http_w3.eth.gas_price,
            "nonce": http_w3.eth.get_transaction_count(DEV0, "pending"),
            "chainId": 31337,
        },
        DEV0_KEY,
    )
    assert (
        http_w3.eth.wait_for_transaction_receipt(http_w3.eth.send_raw_transaction(legacy.raw_transaction))[
            "type"
        ]
        == 0
    )

    balance = http_w3.eth.get_balance(DEV1)
    tx_hash = http_w3.eth.send_transaction({"from": DEV1, "to": DEV0, "value": 10**18})
    receipt = http_w3.eth.wait_for_transaction_receipt(tx_hash)

    assert receipt["gasUsed"] == 21000  # the node's estimate is exact for a plain transfer
    assert http_w3.eth.get_balance(DEV1) == balance - 10**18 - 21000 * receipt["effectiveGasPrice"]


def test_custom_error_revert_is_reported_with_code_3_and_its_data(
    devnet: DevnetProcess, http_w3: Web3
) -> None:
    probe = deploy_probe(http_w3)
    call = {"from": DEV1, "to": probe.address, "data": probe.encode_abi("store", [13, b"\0" * 32])}
    expected = "0x" + (PROBE_REFUSED + encode(["address", "uint256"], [DEV1, 13])).hex()

    with pytest.raises(RpcError) as error:
        devnet.rpc("eth_call", call, "latest")
    assert error.value.error == {"code": 3, "message": "execution reverted", "data": expected}
    with pytest.raises(RpcError) as estimate_error:
        devnet.rpc("eth_estimateGas", call)
    assert estimate_error.value.error["code"] == 3
    assert estimate_error.value.error["data"] == expected
    with pytest.raises(ContractCustomError) as web3_error:
        probe.functions.store(13, b"\0" * 32).transact({"from": DEV1})
    assert web3_error.value.data == expected


def test_error_string_revert_carries_its_reason(http_w3: Web3) -> None:
    probe = deploy_probe(http_w3)
    with pytest.raises(ContractLogicError, match="execution reverted: probe says no"):
        probe.functions.failWithReason().call()


def test_transaction_with_a_used_nonce_is_refused_in_geth_words(devnet: DevnetProcess, http_w3: Web3) -> None:
    tx_hash = http_w3.eth.send_transaction({"from": DEV0, "to": DEV1, "value": 1})
    used_nonce = http_w3.eth.get_transaction(tx_hash)["nonce"]
    stale = Account.sign_transaction(
        {"to": DEV1, "value": 1, "gas": 21000, "gasPrice": 10**10, "nonce": used_nonce, "chainId": 31337},
        DEV0_KEY,
    )
    with pytest.raises(RpcError) as error:
        devnet.rpc("eth_sendRawTransaction", stale.raw_transaction.to_0x_hex())
    assert error.value.error["code"] == -32000
    assert error.value.error["message"].startswith("nonce too low")


def test_revert_to_snapshot_discards_later_blocks_state_and_logs(
    devnet: DevnetProcess, http_w3: Web3
) -> None:
    probe = deploy_probe(http_w3)
    probe.functions.store(1, b"\0" * 32).transact({"from": DEV0})
    head = http_w3.eth.get_block("latest")
    snapshot = devnet.rpc("evm_snapshot")
    discarded = probe.functions.store(2, b"\0" * 32).transact({"from": DEV0})
    assert probe.functions.value().call() == 2

    assert devnet.rpc("evm_revert", snapshot) is True

    assert http_w3.eth.get_block("latest")["hash"] == head["hash"]
    assert probe.functions.value().call() == 1
    assert devnet.rpc("eth_getTransactionReceipt", discarded.to_0x_hex()) is None
    assert devnet.rpc("eth_getBlockByNumber", hex(head["number"] + 1), False) is None
    assert all(
        log["transactionHash"] != discarded
        for log in http_w3.eth.get_logs({"address": probe.address, "fromBlock": 0})
    )
    assert devnet.rpc("evm_revert", snapshot) is False  # a snapshot is consumed by reverting to it
    replacement = probe.functions.store(3, b"\0" * 32).transact({"from": DEV0})
    assert http_w3.eth.get_transaction_receipt(replacement)["blockNumber"] == head["number"] + 1


def test_increase_time_is_seen_by_calls_and_the_next_block(devnet: DevnetProcess, http_w3: Web3) -> None:
    probe = deploy_probe(http_w3)
    start = http_w3.eth.get_block("latest")["timestamp"]
    not_before = start + 3600
    assert probe.functions.isOpen(not_before).call() is False
    with pytest.raises(ContractCustomError):
        probe.functions.storeAfter(5, not_before).transact({"from": DEV0})

    offset = devnet.rpc("evm_increaseTime", 7200)

    assert offset >= 7200
    assert probe.functions.isOpen(not_before).call() is True
    receipt = http_w3.eth.wait_for_transaction_receipt(
        probe.functions.storeAfter(5, not_before).transact({"from": DEV0})
    )
    # blocks are at least a second apart, so the head may run ahead of wall time; the offset is
    # added to wall time, which still puts the block past `not_before`
    assert http_w3.eth.get_block(receipt["blockNumber"])["timestamp"] >= not_before


def test_next_block_timestamp_can_be_pinned(devnet: DevnetProcess, http_w3: Web3) -> None:
    pinned = http_w3.eth.get_block("latest")["timestamp"] + 10_000
    devnet.rpc("evm_setNextBlockTimestamp", pinned)
    devnet.rpc("evm_mine")
    assert http_w3.eth.get_block("latest")["timestamp"] == pinned
    with pytest.raises(RpcError):
        devnet.rpc("evm_setNextBlockTimestamp", pinned)  # not after the head block


def test_batch_answers_every_request_with_its_id(devnet: DevnetProcess) -> None:
    answers = devnet.raw(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            {"jsonrpc": "2.0", "id": 2, "method": "eth_getBalance", "params": [DEV0.lower(), "0x0"]},
            {"jsonrpc": "2.0", "id": 3, "method": "no_suchMethod", "params": []},
        ]
    )
    assert answers[0] == {"jsonrpc": "2.0", "id": 1, "result": "0x7a69"}
    assert answers[1] == {"jsonrpc": "2.0", "id": 2, "result": hex(10_000 * 10**18)}
    assert answers[2]["id"] == 3
    assert answers[2]["error"]["code"] == -32601


def test_web3_batch_requests_work_over_http(http_w3: Web3) -> None:
    with http_w3.batch_requests() as batch:
        batch.add(http_w3.eth.get_block(0))
        batch.add(http_w3.eth.get_balance(DEV0, 0))
        block, balance = batch.execute()
    assert block["number"] == 0
    assert balance == 10_000 * 10**18


def test_manual_mining_holds_transactions_until_evm_mine(devnet: DevnetProcess, http_w3: Web3) -> None:
    devnet.rpc("evm_setAutomine", False)
    try:
        head = http_w3.eth.block_number
        nonce = http_w3.eth.get_transaction_count(DEV1)
        first = http_w3.eth.send_transaction({"from": DEV1, "to": DEV0, "value": 1})
        second = http_w3.eth.send_transaction({"from": DEV1, "to": DEV0, "value": 2})

        assert http_w3.eth.get_transaction_count(DEV1, "pending") == nonce + 2
        assert devnet.rpc("eth_getTransactionReceipt", first.to_0x_hex()) is None
        assert http_w3.eth.get_transaction(second)["blockNumber"] is None
        devnet.rpc("evm_mine")
    finally:
        devnet.rpc("evm_setAutomine", True)

    block = http_w3.eth.get_block(head + 1)
    assert block["transactions"] == [first, second]
    assert http_w3.eth.get_transaction_count(DEV1) == nonce + 2


def test_fee_history_reports_base_fees_and_paid_tips(http_w3: Web3) -> None:
    http_w3.eth.send_transaction({"from": DEV0, "to": DEV1, "value": 1})
    history = http_w3.eth.fee_history(2, "latest", [50])
    latest = http_w3.eth.get_block("latest")
    assert history["oldestBlock"] == latest["number"] - 1
    assert history["baseFeePerGas"][1] == latest["baseFeePerGas"]
    assert len(history["baseFeePerGas"]) == 3
    assert history["reward"][1] == [http_w3.eth.max_priority_fee]
    assert http_w3.eth.gas_price == history["baseFeePerGas"][2] + http_w3.eth.max_priority_fee


def test_storage_and_code_are_readable_at_past_blocks(http_w3: Web3) -> None:
    probe = deploy_probe(http_w3)
    deployed_at = http_w3.eth.block_number
    probe.functions.store(42, b"\0" * 32).transact({"from": DEV0})

    assert http_w3.eth.get_code(probe.address, deployed_at - 1) == b""
    assert len(http_w3.eth.get_code(probe.address)) > 0
    assert int.from_bytes(http_w3.eth.get_storage_at(probe.address, 0), "big") == 42
    assert int.from_bytes(http_w3.eth.get_storage_at(probe.address, 0, deployed_at), "big") == 0
    assert to_checksum_address(http_w3.eth.get_block("latest")["miner"]) == "0x" + "00" * 20


def test_deeply_nested_request_is_a_parse_error_and_the_node_lives_on(devnet: DevnetProcess) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    answer = httpx.post(devnet.url, content=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.json()["error"] == {"code": -32700, "message": "parse error"}
    assert devnet.rpc("eth_chainId") == "0x7a69"
