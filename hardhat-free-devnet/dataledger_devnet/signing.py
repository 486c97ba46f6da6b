"""Server-side signing for ``eth_sendTransaction`` from the unlocked dev accounts.

The request becomes an ordinary signed raw transaction, so it takes exactly the path of
``eth_sendRawTransaction`` afterwards.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address

from dataledger_devnet.accounts import DevAccount
from dataledger_devnet.call_request import CallRequest

DEFAULT_PRIORITY_FEE = 10**9  # 1 gwei, what eth_maxPriorityFeePerGas answers


def sign_request(
    request: CallRequest, account: DevAccount, *, chain_id: int, nonce: int, gas: int, base_fee: int
) -> bytes:
    """``request`` signed by ``account``: legacy when it gives only ``gasPrice``, else EIP-1559."""
    fields: dict[str, Any] = {
        "chainId": chain_id,
        "nonce": nonce,
        "gas": gas,
        "value": request.value,
        "data": request.data,
    }
    if request.to is not None:
        fields["to"] = to_checksum_address(request.to)
    if request.access_list:
        fields["accessList"] = [
            {
                "address": to_checksum_address(address),
                "storageKeys": ["0x" + key.to_bytes(32, "big").hex() for key in keys],
            }
            for address, keys in request.access_list
        ]
    if request.is_legacy:
        fields["gasPrice"] = request.gas_price
        if request.access_list:
            fields["type"] = 1
    else:
        priority = request.max_priority_fee_per_gas
        if priority is None:
            priority = DEFAULT_PRIORITY_FEE
            if request.max_fee_per_gas is not None:
                priority = min(priority, request.max_fee_per_gas)
        max_fee = request.max_fee_per_gas
        if max_fee is None:
            max_fee = 2 * base_fee + priority
        fields.update(type=2, maxPriorityFeePerGas=priority, maxFeePerGas=max_fee)
    signed = Account.sign_transaction(fields, account.private_key.to_bytes())
    return bytes(signed.raw_transaction)
