"""Connect to a chain: the embedded persistent devnet (default) or any JSON-RPC node by URL.

The rest of the ledger sees only a ``Web3`` instance: the embedded chain is served by an in-process
provider of ``hardhat-free-devnet``, so the embedded path and a remote node speak the same JSON-RPC.
"""

from __future__ import annotations

from pathlib import Path

from web3 import HTTPProvider, Web3

from dataledger.ledger.chain.transactions import unavailable_on_connection_errors
from dataledger.registry.errors import ConfigurationError, LedgerUnavailable

# The standard development mnemonic's first account: prefunded on the devnet, anvil and hardhat.
DEV_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def connect(rpc_url: str | None, chain_dir: Path | None, *, timeout_s: float = 10.0) -> Web3:
    """A connected Web3: HTTP JSON-RPC when ``rpc_url`` is given, else the embedded chain in ``chain_dir``."""
    if rpc_url:
        # A node's chain id never changes under a connection: cache it, instead of one more round trip
        # for every transaction web3's validation middleware checks.
        w3 = Web3(
            HTTPProvider(
                rpc_url,
                request_kwargs={"timeout": timeout_s},
                cache_allowed_requests=True,
                cacheable_requests={"eth_chainId", "net_version"},
            )
        )
        with unavailable_on_connection_errors():
            try:
                w3.eth.chain_id  # noqa: B018 - a cheap round trip proves the node answers
            except OSError as exc:
                raise LedgerUnavailable(f"cannot reach the chain node at {rpc_url}: {exc}") from None
        return w3
    from dataledger_devnet.errors import DataDirInUse
    from dataledger_devnet.provider import DevnetProvider

    if chain_dir is None:
        raise LedgerUnavailable("the embedded chain needs a data directory")
    chain_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Web3(DevnetProvider(chain_dir))
    except DataDirInUse:
        # One process at a time opens the embedded chain (a server's workers reach it through theirs).
        raise ConfigurationError(
            f"the embedded chain in {chain_dir} is in use by another process, a running server?"
            " Stop it first: one process at a time opens a data directory's chain",
            data_dir=str(chain_dir.parent),
        ) from None
