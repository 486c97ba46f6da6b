"""The transport-independent JSON-RPC dispatcher: ``Dispatcher(chain).handle(request) -> response``.

Takes a decoded request object or batch (list) and returns the response object, list, or ``None``
when nothing is to be sent back (notifications). Errors become JSON-RPC error objects here and only
here; a revert carries its data like geth and anvil (``{"code": 3, "message": "execution reverted",
"data": "0x..."}``) so web3 decodes custom errors. The chain lock is held for a whole request.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from eth_hash.auto import keccak

from dataledger_devnet import rpc_format as fmt
from dataledger_devnet import rpc_params as p
from dataledger_devnet.chain import DevnetChain
from dataledger_devnet.errors import (
    DevnetError,
    ExecutionReverted,
    InvalidParams,
    MethodNotFound,
    UnknownBlock,
)
from dataledger_devnet.fees import fee_history, gas_price, suggested_priority_fee
from dataledger_devnet.indexes import LogFilter

logger = logging.getLogger(__name__)

Handler = Callable[[Any], Any]


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


CLIENT_VERSION = (
    f"dataledger-devnet/v{_package_version('dataledger')}/py-evm-{_package_version('py-evm')}"
    f"/python{platform.python_version()}"
)


class Dispatcher:
    """Answers Ethereum JSON-RPC requests from one :class:`DevnetChain`."""

    def __init__(self, chain: DevnetChain) -> None:
        self.chain = chain
        self._methods: dict[str, Handler] = {
            "web3_clientVersion": lambda _: CLIENT_VERSION,
            "web3_sha3": lambda params: fmt.data(keccak(p.hex_data(p.positional(params, 1, 1)[0]))),
            "net_version": lambda _: str(chain.chain_id),
            "net_listening": lambda _: True,
            "net_peerCount": lambda _: fmt.quantity(0),
            "eth_chainId": lambda _: fmt.quantity(chain.chain_id),
            "eth_syncing": lambda _: False,
            "eth_mining": lambda _: False,
            "eth_hashrate": lambda _: fmt.quantity(0),
            "eth_coinbase": lambda _: fmt.address(chain.head().coinbase) or "0x" + "00" * 20,
            "eth_accounts": lambda _: [fmt.address(a) for a in chain.dev_addresses],
            "eth_blockNumber": lambda _: fmt.quantity(chain.head().block_number),
            "eth_getBalance": self._get_balance,
            "eth_getTransactionCount": self._get_transaction_count,
            "eth_getCode": self._get_code,
            "eth_getStorageAt": self._get_storage_at,
            "eth_gasPrice": lambda _: fmt.quantity(gas_price(chain)),
            "eth_maxPriorityFeePerGas": lambda _: fmt.quantity(suggested_priority_fee()),
            "eth_feeHistory": self._fee_history,
            "eth_estimateGas": self._estimate_gas,
            "eth_call": self._call,
            "eth_sendRawTransaction": self._send_raw_transaction,
            "eth_sendTransaction": self._send_transaction,
            "eth_getTransactionByHash": self._get_transaction_by_hash,
            "eth_getTransactionReceipt": self._get_transaction_receipt,
            "eth_getBlockByNumber": self._get_block,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getBlockTransactionCountByNumber": self._block_transaction_count,
            "eth_getBlockTransactionCountByHash": self._block_transaction_count_by_hash,
            "eth_getTransactionByBlockNumberAndIndex": self._transaction_by_block_and_index,
            "eth_getTransactionByBlockHashAndIndex": self._transaction_by_block_hash_and_index,
            "eth_getBlockReceipts": self._block_receipts,
            "eth_getLogs": self._get_logs,
            "evm_snapshot": lambda _: fmt.quantity(chain.snapshot()),
            "evm_revert": self._revert,
            "evm_mine": self._evm_mine,
            "evm_increaseTime": self._increase_time,
            "evm_setNextBlockTimestamp": self._set_next_block_timestamp,
            "evm_setAutomine": self._set_automine,
            "hardhat_mine": self._mine_many,
            "hardhat_getAutomine": lambda _: chain.automine,
        }
        aliases = {
            "anvil_mine": "hardhat_mine",
            "anvil_setAutomine": "evm_setAutomine",
            "anvil_getAutomine": "hardhat_getAutomine",
            "anvil_increaseTime": "evm_increaseTime",
            "anvil_setNextBlockTimestamp": "evm_setNextBlockTimestamp",
            "hardhat_snapshot": "evm_snapshot",
            "hardhat_revert": "evm_revert",
        }
        for alias, target in aliases.items():
            self._methods[alias] = self._methods[target]

    @property
    def methods(self) -> list[str]:
        return sorted(self._methods)

    # -- envelope ---------------------------------------------------------------------------------

    def handle(self, request: Any) -> Any:
        """The response to one request object or a batch; ``None`` if only notifications were sent."""
        if isinstance(request, list):
            if not request:
                return _error(None, -32600, "invalid request: empty batch")
            responses = [response for response in map(self._handle_one, request) if response is not None]
            return responses or None
        return self._handle_one(request)

    def _handle_one(self, request: Any) -> dict[str, Any] | None:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error(request.get("id") if isinstance(request, dict) else None, -32600, "invalid request")
        request_id = request.get("id")
        try:
            handler = self._methods.get(request["method"])
            if handler is None:
                raise MethodNotFound(f"the method {request['method']} does not exist/is not available")
            with self.chain.lock:
                result = handler(request.get("params"))
            response: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": result}
        except ExecutionReverted as exc:
            response = _error(request_id, exc.rpc_code, exc.message, fmt.data(exc.data))
        except DevnetError as exc:
            response = _error(request_id, exc.rpc_code, exc.message)
        except Exception as exc:
            logger.exception("internal error in %s", request.get("method"))
            response = _error(request_id, -32603, f"internal error: {type(exc).__name__}: {exc}")
        return None if "id" not in request else response

    # -- state ------------------------------------------------------------------------------------

    def _get_balance(self, params: Any) -> str:
        account, ref = p.positional(params, 1, 2)
        return fmt.quantity(self.chain.state(p.block_ref(ref)).get_balance(p.address(account)))

    def _get_transaction_count(self, params: Any) -> str:
        account, ref = p.positional(params, 1, 2)
        ref = p.block_ref(ref)
        if ref == "pending":
            return fmt.quantity(self.chain.pending_nonce(p.address(account)))
        return fmt.quantity(self.chain.state(ref).get_nonce(p.address(account)))

    def _get_code(self, params: Any) -> str:
        account, ref = p.positional(params, 1, 2)
        return fmt.data(self.chain.state(p.block_ref(ref)).get_code(p.address(account)))

    def _get_storage_at(self, params: Any) -> str:
        account, slot, ref = p.positional(params, 2, 3)
        state = self.chain.state(p.block_ref(ref))
        return fmt.word(state.get_storage(p.address(account), p.quantity(slot, "slot")))

    def _fee_history(self, params: Any) -> dict[str, Any]:
        count, newest, percentiles = p.positional(params, 2, 3)
        header = self.chain.resolve(p.block_ref(newest))
        return fmt.fee_history_json(
            fee_history(self.chain, p.quantity(count), header, p.percentiles(percentiles))
        )

    # -- execution and transactions -----------------------------------------------------------------

    def _call(self, params: Any) -> str:
        request, ref, overrides = p.positional(params, 1, 3)
        if overrides:
            raise InvalidParams("state overrides are not supported by the devnet")
        return fmt.data(self.chain.call(p.call_request(request), p.block_ref(ref)))

    def _estimate_gas(self, params: Any) -> str:
        request, ref, overrides = p.positional(params, 1, 3)
        if overrides:
            raise InvalidParams("state overrides are not supported by the devnet")
        return fmt.quantity(self.chain.estimate_gas(p.call_request(request), p.block_ref(ref)))

    def _send_raw_transaction(self, params: Any) -> str:
        (raw,) = p.positional(params, 1, 1)
        return fmt.data(self.chain.send_raw_transaction(p.hex_data(raw, "transaction")))

    def _send_transaction(self, params: Any) -> str:
        (request,) = p.positional(params, 1, 1)
        return fmt.data(self.chain.send_transaction(p.call_request(request)))

    def _get_transaction_by_hash(self, params: Any) -> dict[str, Any] | None:
        (tx_hash,) = p.positional(params, 1, 1)
        tx_hash = p.hash32(tx_hash)
        found = self.chain.transaction(tx_hash)
        if found is not None:
            block, index = found
            return fmt.transaction_json(block.transactions[index], block.header, index)
        for tx in self.chain.pending_transactions():
            if tx.hash == tx_hash:
                return fmt.transaction_json(tx, None, None)
        return None

    def _get_transaction_receipt(self, params: Any) -> dict[str, Any] | None:
        (tx_hash,) = p.positional(params, 1, 1)
        found = self.chain.transaction(p.hash32(tx_hash))
        if found is None:
            return None
        block, index = found
        return fmt.receipt_json(block, self.chain.receipts(block), index)

    # -- blocks -------------------------------------------------------------------------------------

    def _get_block(self, params: Any) -> dict[str, Any] | None:
        ref, full = p.positional(params, 1, 2)
        header = self.chain.header(p.block_ref(ref))
        return None if header is None else fmt.block_json(self.chain.block(header), bool(full))

    def _get_block_by_hash(self, params: Any) -> dict[str, Any] | None:
        block_hash, full = p.positional(params, 1, 2)
        header = self.chain.header(p.hash32(block_hash, "block hash"))
        return None if header is None else fmt.block_json(self.chain.block(header), bool(full))

    def _block_transaction_count(self, params: Any) -> str | None:
        (ref,) = p.positional(params, 1, 1)
        header = self.chain.header(p.block_ref(ref))
        return None if header is None else fmt.quantity(len(self.chain.block(header).transactions))

    def _block_transaction_count_by_hash(self, params: Any) -> str | None:
        (block_hash,) = p.positional(params, 1, 1)
        return self._block_transaction_count([fmt.data(p.hash32(block_hash, "block hash"))])

    def _transaction_by_block_and_index(self, params: Any) -> dict[str, Any] | None:
        ref, index = p.positional(params, 2, 2)
        header = self.chain.header(p.block_ref(ref))
        if header is None:
            return None
        block = self.chain.block(header)
        index = p.quantity(index, "index")
        if index >= len(block.transactions):
            return None
        return fmt.transaction_json(block.transactions[index], header, index)

    def _transaction_by_block_hash_and_index(self, params: Any) -> dict[str, Any] | None:
        block_hash, index = p.positional(params, 2, 2)
        return self._transaction_by_block_and_index([fmt.data(p.hash32(block_hash, "block hash")), index])

    def _block_receipts(self, params: Any) -> list[dict[str, Any]] | None:
        (ref,) = p.positional(params, 1, 1)
        header = self.chain.header(p.block_ref(ref))
        if header is None:
            return None
        block = self.chain.block(header)
        receipts = self.chain.receipts(block)
        return [fmt.receipt_json(block, receipts, index) for index in range(len(block.transactions))]

    def _get_logs(self, params: Any) -> list[dict[str, Any]]:
        (criteria,) = p.positional(params, 1, 1)
        from_ref, to_ref, block_hash, addresses, topics = p.log_filter_params(criteria)
        if block_hash is not None:
            header = self.chain.header(block_hash)
            if header is None:
                raise UnknownBlock("unknown block")
            first = last = header.block_number
        else:
            first, last = self._block_number(from_ref), self._block_number(to_ref)
        records = self.chain.logs(LogFilter(first, last, addresses, topics))
        return [fmt.log_json(record) for record in records]

    def _block_number(self, ref: Any) -> int:
        if isinstance(ref, int):
            return ref  # a range may reach past the head: the chain clamps it
        return self.chain.resolve(ref).block_number

    # -- devnet control -------------------------------------------------------------------------------

    def _revert(self, params: Any) -> bool:
        (snapshot_id,) = p.positional(params, 1, 1)
        return self.chain.revert(p.quantity(snapshot_id, "snapshot id"))

    def _evm_mine(self, params: Any) -> str:
        (timestamp,) = p.positional(params, 0, 1)
        if isinstance(timestamp, dict):  # ganache's {"timestamp": .., "blocks": ..}
            blocks = p.quantity(timestamp.get("blocks", 1), "blocks")
            timestamp = timestamp.get("timestamp")
        else:
            blocks = 1
        self.chain.mine(blocks, timestamp=None if timestamp is None else _seconds(timestamp))
        return fmt.quantity(0)

    def _mine_many(self, params: Any) -> None:
        count, interval = p.positional(params, 0, 2)
        blocks = 1 if count is None else p.quantity(count, "block count")
        if blocks < 1:
            raise InvalidParams("block count must be at least 1")
        self.chain.mine(blocks, interval=1 if interval is None else p.quantity(interval, "interval"))
        return None

    def _increase_time(self, params: Any) -> int:
        (seconds,) = p.positional(params, 1, 1)
        return self.chain.increase_time(_seconds(seconds))

    def _set_next_block_timestamp(self, params: Any) -> None:
        (timestamp,) = p.positional(params, 1, 1)
        self.chain.set_next_block_timestamp(_seconds(timestamp))
        return None

    def _set_automine(self, params: Any) -> None:
        (enabled,) = p.positional(params, 1, 1)
        if not isinstance(enabled, bool):
            raise InvalidParams("automine flag must be a boolean")
        self.chain.automine = enabled
        return None


def _seconds(value: Any) -> int:
    """Time parameters come as JSON numbers (hardhat), hex quantities (anvil) or decimal strings."""
    if isinstance(value, str) and value.isdecimal():
        return int(value)
    return p.quantity(value, "seconds")


def _error(request_id: Any, code: int, message: str, data: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}
