"""Send contract transactions signed locally, with a nonce manager, receipts and re-sends.

One ``TransactionSender`` per operator account. It serialises nonce allocation (concurrent API
requests never collide nor leave gaps), estimates gas (which also surfaces a revert, decoded, before
anything is sent), signs with the local key, sends the raw transaction, and waits for the receipt.
A transaction not mined within the timeout is re-sent with the same nonce (it is idempotent: the
same signed bytes, or a fee bump that replaces it). When several processes send from one account,
``across_processes`` serialises take-sign-send between them, and the nonce is read from the chain
each time (another process may have used the next one).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import Timeout as RequestsTimeout
from web3 import Web3
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3RPCError
from web3.types import TxParams

from dataledger.ledger.chain.revert_errors import RevertDecoder
from dataledger.registry.errors import LedgerError, LedgerUnavailable

_GAS_HEADROOM_NUM, _GAS_HEADROOM_DEN = 6, 5  # estimate * 1.2


@dataclass(frozen=True, slots=True)
class SentTransaction:
    tx_hash: str
    receipt: dict[str, Any]

    @property
    def block_number(self) -> int:
        return int(self.receipt["blockNumber"])

    @property
    def gas_used(self) -> int:
        return int(self.receipt["gasUsed"])


class NonceManager:
    """Hands out consecutive nonces for one account; re-synchronises with the chain on demand."""

    def __init__(self, w3: Web3, address: ChecksumAddress) -> None:
        self._w3 = w3
        self._address = address
        self._lock = threading.Lock()
        self._next: int | None = None

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def take(self) -> int:
        """The next nonce. Call with ``lock`` held, so take-sign-send is atomic."""
        if self._next is None:
            self._next = self._w3.eth.get_transaction_count(self._address, "pending")
        nonce = self._next
        self._next += 1
        return nonce

    def resync(self) -> None:
        self._next = None


class TransactionSender:
    """Builds, signs, sends and confirms transactions from one local operator account."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        decoder: RevertDecoder,
        *,
        receipt_timeout_s: float = 30.0,
        resend_attempts: int = 2,
        across_processes: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> None:
        self._w3 = w3
        self._across_processes = across_processes
        self._account = account
        self._decoder = decoder
        self._nonces = NonceManager(w3, account.address)
        self._chain_id = w3.eth.chain_id
        self._receipt_timeout_s = receipt_timeout_s
        self._resend_attempts = resend_attempts

    @property
    def address(self) -> str:
        return self._account.address

    @property
    def chain_id(self) -> int:
        return self._chain_id

    def transact(self, contract_function: Any) -> SentTransaction:
        """Send ``contract_function`` (a bound web3 ContractFunction) and wait for its receipt.

        Raises the decoded domain error if the call would revert (nothing is sent then) or reverted.
        """
        with unavailable_on_connection_errors(), self._decoder.mapped():
            base = {"from": self._account.address, "chainId": self._chain_id}
            # Against the pending block: the transaction is judged by the next block's timestamp, and a
            # node that mined nothing for a while would otherwise refuse by the last block's time.
            gas = contract_function.estimate_gas(base, block_identifier="pending")
            fees = self._fees()
            with self._nonces.lock, self._across_processes() if self._across_processes else nullcontext():
                if self._across_processes is not None:
                    self._nonces.resync()  # another process may have sent since this one did
                nonce = self._nonces.take()
                tx = contract_function.build_transaction(
                    {**base, "nonce": nonce, "gas": gas * _GAS_HEADROOM_NUM // _GAS_HEADROOM_DEN, **fees}
                )
                signed = self._account.sign_transaction(tx)
                try:
                    tx_hash = self._w3.eth.send_raw_transaction(signed.raw_transaction)
                except Web3RPCError as exc:
                    self._nonces.resync()
                    if "nonce" in str(exc).lower():
                        raise LedgerError(f"nonce conflict with another sender: {exc}") from None
                    raise
            receipt = self._await_receipt(tx_hash, signed.raw_transaction)
            if receipt["status"] != 1:
                self._raise_revert_of(tx, receipt)
            return SentTransaction("0x" + bytes(tx_hash).hex(), dict(receipt))

    def _fees(self) -> dict[str, int]:
        latest = self._w3.eth.get_block("latest")
        base_fee = int(latest.get("baseFeePerGas", 0) or 0)
        tip = Web3.to_wei(1, "gwei")
        return {"maxFeePerGas": base_fee * 2 + tip, "maxPriorityFeePerGas": tip, "type": 2}

    def _await_receipt(self, tx_hash: HexBytes, raw: bytes) -> Any:
        for attempt in range(self._resend_attempts + 1):
            try:
                return self._w3.eth.wait_for_transaction_receipt(
                    tx_hash, timeout=self._receipt_timeout_s, poll_latency=0.05
                )
            except TimeExhausted:
                if attempt == self._resend_attempts:
                    raise LedgerUnavailable(
                        "the transaction was not mined in time", tx_hash="0x" + bytes(tx_hash).hex()
                    ) from None
                try:  # dropped from the pool: the same signed bytes are safe to send again
                    self._w3.eth.get_transaction(tx_hash)
                except TransactionNotFound:
                    self._w3.eth.send_raw_transaction(raw)
        raise AssertionError("unreachable")

    def _raise_revert_of(self, tx: dict[str, Any], receipt: Any) -> None:
        call = cast(TxParams, {k: tx[k] for k in ("from", "to", "data", "value") if k in tx})
        # Replaying the call at the block before gives the revert data the receipt does not carry.
        self._w3.eth.call(call, receipt["blockNumber"] - 1)
        raise LedgerError("the transaction reverted", tx_hash="0x" + bytes(receipt["transactionHash"]).hex())


class unavailable_on_connection_errors:
    """Turn transport failures (node down, refused, timed out) into LedgerUnavailable."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> Literal[False]:
        if exc_type is not None and issubclass(
            exc_type, RequestsConnectionError | RequestsTimeout | ConnectionError | TimeoutError
        ):
            raise LedgerUnavailable(f"the chain node cannot be reached: {exc}") from None
        return False


def wait_until(predicate: Any, timeout_s: float, interval_s: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout_s`` passes (for node start-up)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return bool(predicate())
