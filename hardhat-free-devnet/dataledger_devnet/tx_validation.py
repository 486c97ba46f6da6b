"""Admission checks for signed transactions, with geth's error wording (tools match on it).

py-evm would refuse most of these too, but with its own messages and only once execution starts.
"""

from __future__ import annotations

import rlp
from eth.abc import SignedTransactionAPI, StateAPI, VirtualMachineAPI
from eth_utils import ValidationError, to_checksum_address

from dataledger_devnet.errors import TransactionRejected

BLOB_TX_TYPE = 3


def decode_raw_transaction(vm: VirtualMachineAPI, raw: bytes) -> SignedTransactionAPI:
    """The signed transaction encoded in ``raw`` (a legacy RLP list or an EIP-2718 envelope)."""
    if not raw:
        raise TransactionRejected("empty transaction")
    if raw[0] == BLOB_TX_TYPE:
        raise TransactionRejected("blob transactions (type 3) are not supported by the devnet")
    try:
        tx = vm.get_transaction_builder().decode(raw)
        tx.check_signature_validity()
        tx.sender  # noqa: B018 - recovers the signer, failing for a bad signature
    except (rlp.DecodingError, rlp.DeserializationError, ValidationError, ValueError, TypeError) as exc:
        raise TransactionRejected(f"invalid transaction: {exc}") from None
    return tx


def check_admissible(
    tx: SignedTransactionAPI,
    *,
    chain_id: int,
    state: StateAPI,
    expected_nonce: int,
    base_fee: int,
    gas_limit: int,
) -> None:
    """Raise ``TransactionRejected`` unless ``tx`` can go into the next block."""
    sender = tx.sender
    who = to_checksum_address(sender)
    if tx.chain_id is not None and tx.chain_id != chain_id:
        raise TransactionRejected(f"invalid chain id for signer: have {tx.chain_id} want {chain_id}")
    if tx.nonce < expected_nonce:
        raise TransactionRejected(f"nonce too low: address {who}, tx: {tx.nonce} state: {expected_nonce}")
    if tx.nonce > expected_nonce:
        # geth and anvil would queue it; the devnet has no queue for nonce gaps
        raise TransactionRejected(f"nonce too high: address {who}, tx: {tx.nonce} state: {expected_nonce}")
    if tx.gas > gas_limit:
        raise TransactionRejected("exceeds block gas limit")
    if tx.gas < tx.intrinsic_gas:
        raise TransactionRejected(f"intrinsic gas too low: gas {tx.gas}, minimum needed {tx.intrinsic_gas}")
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise TransactionRejected(
            f"max priority fee per gas higher than max fee per gas: address {who}, "
            f"maxPriorityFeePerGas: {tx.max_priority_fee_per_gas}, maxFeePerGas: {tx.max_fee_per_gas}"
        )
    if tx.max_fee_per_gas < base_fee:
        raise TransactionRejected(
            f"max fee per gas less than block base fee: address {who}, "
            f"maxFeePerGas: {tx.max_fee_per_gas}, baseFee: {base_fee}"
        )
    want = tx.gas * tx.max_fee_per_gas + tx.value
    have = state.get_balance(sender)
    if have < want:
        raise TransactionRejected(
            f"insufficient funds for gas * price + value: address {who} have {have} want {want}"
        )
