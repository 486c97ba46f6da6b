"""Fee market answers: ``eth_feeHistory``, ``eth_gasPrice``, ``eth_maxPriorityFeePerGas``.

The devnet has no competing traffic, so the suggested tip is a constant 1 gwei (anvil's answer); the
history reports what blocks really paid, with geth's gas-weighted reward percentiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas

from dataledger_devnet.chain import DevnetChain
from dataledger_devnet.errors import InvalidParams
from dataledger_devnet.signing import DEFAULT_PRIORITY_FEE

MAX_HISTORY_BLOCKS = 1024


@dataclass(frozen=True)
class FeeHistory:
    oldest_block: int
    base_fees: list[int]  # one more than the blocks: the next block's base fee last
    gas_used_ratios: list[float]
    rewards: list[list[int]] | None


def suggested_priority_fee() -> int:
    return DEFAULT_PRIORITY_FEE


def gas_price(chain: DevnetChain) -> int:
    """A legacy gas price that gets into the next block: its base fee plus the suggested tip."""
    return chain.next_base_fee() + suggested_priority_fee()


def fee_history(
    chain: DevnetChain, block_count: int, newest: BlockHeaderAPI, percentiles: Sequence[float]
) -> FeeHistory:
    if not 1 <= block_count <= MAX_HISTORY_BLOCKS:
        raise InvalidParams(f"block count must be between 1 and {MAX_HISTORY_BLOCKS}")
    if any(not 0 <= p <= 100 for p in percentiles) or list(percentiles) != sorted(percentiles):
        raise InvalidParams("reward percentiles must be increasing values between 0 and 100")
    with chain.lock:
        oldest = max(0, newest.block_number - block_count + 1)
        base_fees, ratios, rewards = [], [], []
        for number in range(oldest, newest.block_number + 1):
            header = chain.resolve(number)
            base_fees.append(header.base_fee_per_gas)
            ratios.append(header.gas_used / header.gas_limit)
            if percentiles:
                block = chain.block(header)
                rewards.append(_rewards(block, chain.receipts(block), percentiles))
        base_fees.append(calculate_expected_base_fee_per_gas(newest))
        return FeeHistory(oldest, base_fees, ratios, rewards if percentiles else None)


def effective_tip(max_fee: int, max_priority_fee: int, base_fee: int) -> int:
    return min(max_priority_fee, max_fee - base_fee)


def _rewards(block: BlockAPI, receipts: Sequence[ReceiptAPI], percentiles: Sequence[float]) -> list[int]:
    if not block.transactions:
        return [0 for _ in percentiles]
    base_fee = block.header.base_fee_per_gas
    tips = []
    previous = 0
    for tx, receipt in zip(block.transactions, receipts, strict=True):
        used = receipt.gas_used - previous
        previous = receipt.gas_used
        tips.append((effective_tip(tx.max_fee_per_gas, tx.max_priority_fee_per_gas, base_fee), used))
    tips.sort()
    rewards = []
    for percentile in percentiles:
        threshold = block.header.gas_used * percentile / 100
        total = 0
        chosen = tips[-1][0]
        for tip, used in tips:
            total += used
            if total >= threshold:
                chosen = tip
                break
        rewards.append(chosen)
    return rewards
