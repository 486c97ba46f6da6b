"""The prefunded development accounts: the standard dev mnemonic, as anvil and hardhat derive it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from eth_account.hdaccount import HDPath, seed_from_mnemonic
from eth_keys import keys

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
DEV_BALANCE_WEI = 10_000 * 10**18


@dataclass(frozen=True)
class DevAccount:
    """One unlocked account: the devnet signs ``eth_sendTransaction`` for it."""

    address: bytes  # 20-byte canonical address
    private_key: keys.PrivateKey


@cache
def dev_accounts(mnemonic: str = DEV_MNEMONIC, count: int = DEV_ACCOUNT_COUNT) -> tuple[DevAccount, ...]:
    """Accounts ``m/44'/60'/0'/0/i`` of ``mnemonic`` (the first is 0xf39F...2266 for the dev mnemonic)."""
    seed = seed_from_mnemonic(mnemonic, "")
    accounts = []
    for index in range(count):
        private_key = keys.PrivateKey(HDPath(f"m/44'/60'/0'/0/{index}").derive(seed))
        accounts.append(DevAccount(private_key.public_key.to_canonical_address(), private_key))
    return tuple(accounts)
