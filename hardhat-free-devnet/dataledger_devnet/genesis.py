"""The py-evm wiring of a devnet: the chain class (latest fork, constant gas limit) and its genesis.

Mirrors what eth-tester's ``PyEVMBackend`` builds (post-merge genesis, Prague VM) but over the devnet's
disk-backed store, so the same chain can be reopened instead of always starting from genesis.
"""

from __future__ import annotations

from typing import Any

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI
from eth.chains.base import MiningChain
from eth.constants import (
    BLANK_ROOT_HASH,
    POST_MERGE_DIFFICULTY,
    POST_MERGE_MIX_HASH,
    POST_MERGE_NONCE,
    ZERO_ADDRESS,
)
from eth.vm.forks import PragueVM

from dataledger_devnet.accounts import DEV_BALANCE_WEI, DevAccount

LATEST_VM = PragueVM
BLOCK_GAS_LIMIT = 30_000_000  # what anvil and hardhat use


class DevnetMiningChain(MiningChain):
    """A post-merge single-fork chain whose gas limit never drifts."""

    vm_configuration = ((0, LATEST_VM),)
    chain_id = 31337

    def create_header_from_parent(
        self, parent_header: BlockHeaderAPI, **header_params: Any
    ) -> BlockHeaderAPI:
        header_params.setdefault("gas_limit", parent_header.gas_limit)
        return super().create_header_from_parent(parent_header, **header_params)


def chain_class(chain_id: int) -> type[DevnetMiningChain]:
    """The chain class for ``chain_id`` (py-evm reads the chain id from the class)."""
    return type(f"DevnetMiningChain{chain_id}", (DevnetMiningChain,), {"chain_id": chain_id})


def create_genesis(
    db: AtomicDatabaseAPI, cls: type[DevnetMiningChain], accounts: tuple[DevAccount, ...], timestamp: int
) -> DevnetMiningChain:
    """Write the genesis block and the prefunded accounts into ``db``; returns the chain on top of it."""
    params = {
        "coinbase": ZERO_ADDRESS,
        "difficulty": POST_MERGE_DIFFICULTY,
        "extra_data": b"",
        "gas_limit": BLOCK_GAS_LIMIT,
        "mix_hash": POST_MERGE_MIX_HASH,
        "nonce": POST_MERGE_NONCE,
        "receipt_root": BLANK_ROOT_HASH,
        "timestamp": timestamp,
        "transaction_root": BLANK_ROOT_HASH,
    }
    state = {
        account.address: {"balance": DEV_BALANCE_WEI, "nonce": 0, "code": b"", "storage": {}}
        for account in accounts
    }
    chain = cls.from_genesis(db, params, state)
    assert isinstance(chain, DevnetMiningChain)
    return chain
