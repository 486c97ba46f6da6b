"""py-evm objects as geth's JSON-RPC shapes: hex quantities, 0x data, lowercase addresses.

These are exactly the shapes web3's result formatters expect (``BLOCK_FORMATTERS``,
``RECEIPT_FORMATTERS``, ``LOG_ENTRY_FORMATTERS`` ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rlp
from eth._utils.address import generate_contract_address
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI
from eth.vm.forks.byzantium.constants import EIP658_TRANSACTION_STATUS_CODE_FAILURE

from dataledger_devnet.fees import FeeHistory
from dataledger_devnet.indexes import LogRecord

Json = dict[str, Any]


def quantity(value: int) -> str:
    return hex(value)


def data(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def address(value: bytes) -> str | None:
    return "0x" + value.hex() if value else None


def word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def block_json(block: BlockAPI, full_transactions: bool) -> Json:
    header = block.header
    txs: list[Any]
    if full_transactions:
        txs = [transaction_json(tx, header, index) for index, tx in enumerate(block.transactions)]
    else:
        txs = [data(tx.hash) for tx in block.transactions]
    return {
        **header_json(header),
        "size": quantity(len(rlp.encode(block))),
        "transactions": txs,
        "uncles": [data(uncle.hash) for uncle in block.uncles],
        "withdrawals": [
            {
                "index": quantity(w.index),
                "validatorIndex": quantity(w.validator_index),
                "address": address(w.address),
                "amount": quantity(w.amount),
            }
            for w in getattr(block, "withdrawals", ())
        ],
    }


def header_json(header: BlockHeaderAPI) -> Json:
    return {
        "number": quantity(header.block_number),
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "nonce": data(header.nonce),
        "mixHash": data(header.mix_hash),
        "sha3Uncles": data(header.uncles_hash),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": data(header.transaction_root),
        "stateRoot": data(header.state_root),
        "receiptsRoot": data(header.receipt_root),
        "miner": address(header.coinbase),
        "difficulty": quantity(header.difficulty),
        "totalDifficulty": quantity(0),
        "extraData": data(header.extra_data),
        "gasLimit": quantity(header.gas_limit),
        "gasUsed": quantity(header.gas_used),
        "timestamp": quantity(header.timestamp),
        "baseFeePerGas": quantity(header.base_fee_per_gas),
        "withdrawalsRoot": data(header.withdrawals_root),
        "blobGasUsed": quantity(header.blob_gas_used),
        "excessBlobGas": quantity(header.excess_blob_gas),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
        "requestsHash": data(header.requests_hash),
    }


def effective_gas_price(tx: SignedTransactionAPI, base_fee: int) -> int:
    return min(tx.max_fee_per_gas, base_fee + tx.max_priority_fee_per_gas)


def transaction_json(tx: SignedTransactionAPI, header: BlockHeaderAPI | None, index: int | None) -> Json:
    """A transaction; ``header``/``index`` are ``None`` while it waits in the mempool."""
    type_id = tx.type_id or 0
    result: Json = {
        "hash": data(tx.hash),
        "type": quantity(type_id),
        "blockHash": data(header.hash) if header else None,
        "blockNumber": quantity(header.block_number) if header else None,
        "transactionIndex": quantity(index) if index is not None else None,
        "from": address(tx.sender),
        "to": address(tx.to),
        "nonce": quantity(tx.nonce),
        "gas": quantity(tx.gas),
        "value": quantity(tx.value),
        "input": data(tx.data),
        "r": quantity(tx.r),
        "s": quantity(tx.s),
    }
    if type_id == 0:
        result["gasPrice"] = quantity(tx.max_fee_per_gas)
        result["v"] = quantity(tx.v)
        if tx.chain_id is not None:
            result["chainId"] = quantity(tx.chain_id)
        return result
    result["chainId"] = quantity(tx.chain_id)
    result["v"] = quantity(tx.y_parity)
    result["yParity"] = quantity(tx.y_parity)
    result["accessList"] = [
        {"address": address(entry_address), "storageKeys": [word(key) for key in keys]}
        for entry_address, keys in tx.access_list
    ]
    if type_id == 1:
        result["gasPrice"] = quantity(tx.max_fee_per_gas)
        return result
    result["maxFeePerGas"] = quantity(tx.max_fee_per_gas)
    result["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas)
    # geth reports the price actually paid once mined, the fee cap while pending
    paid = effective_gas_price(tx, header.base_fee_per_gas) if header else tx.max_fee_per_gas
    result["gasPrice"] = quantity(paid)
    if type_id == 4:
        result["authorizationList"] = [
            {
                "chainId": quantity(auth.chain_id),
                "address": address(auth.address),
                "nonce": quantity(auth.nonce),
                "yParity": quantity(auth.y_parity),
                "r": quantity(auth.r),
                "s": quantity(auth.s),
            }
            for auth in tx.authorization_list
        ]
    return result


def receipt_json(block: BlockAPI, receipts: Sequence[ReceiptAPI], index: int) -> Json:
    header = block.header
    tx = block.transactions[index]
    receipt = receipts[index]
    previous_cumulative = receipts[index - 1].gas_used if index else 0
    first_log_index = sum(len(r.logs) for r in receipts[:index])
    logs = [
        log_json(
            LogRecord(
                block_number=header.block_number,
                block_hash=header.hash,
                tx_index=index,
                tx_hash=tx.hash,
                log_index=first_log_index + offset,
                address=log.address,
                topics=tuple(topic.to_bytes(32, "big") for topic in log.topics),
                data=log.data,
            )
        )
        for offset, log in enumerate(receipt.logs)
    ]
    return {
        "transactionHash": data(tx.hash),
        "transactionIndex": quantity(index),
        "blockHash": data(header.hash),
        "blockNumber": quantity(header.block_number),
        "from": address(tx.sender),
        "to": address(tx.to),
        "cumulativeGasUsed": quantity(receipt.gas_used),
        "gasUsed": quantity(receipt.gas_used - previous_cumulative),
        "effectiveGasPrice": quantity(effective_gas_price(tx, header.base_fee_per_gas)),
        "contractAddress": None if tx.to else address(generate_contract_address(tx.sender, tx.nonce)),
        "logs": logs,
        "logsBloom": data(receipt.bloom.to_bytes(256, "big")),
        "status": quantity(0 if receipt.state_root == EIP658_TRANSACTION_STATUS_CODE_FAILURE else 1),
        "type": quantity(tx.type_id or 0),
    }


def log_json(record: LogRecord) -> Json:
    return {
        "address": address(record.address),
        "topics": [data(topic) for topic in record.topics],
        "data": data(record.data),
        "blockNumber": quantity(record.block_number),
        "blockHash": data(record.block_hash),
        "transactionHash": data(record.tx_hash),
        "transactionIndex": quantity(record.tx_index),
        "logIndex": quantity(record.log_index),
        "removed": False,
    }


def fee_history_json(history: FeeHistory) -> Json:
    result: Json = {
        "oldestBlock": quantity(history.oldest_block),
        "baseFeePerGas": [quantity(fee) for fee in history.base_fees],
        "gasUsedRatio": history.gas_used_ratios,
    }
    if history.rewards is not None:
        result["reward"] = [[quantity(tip) for tip in block] for block in history.rewards]
    return result
