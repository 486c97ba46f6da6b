"""Fixtures of the ledger tests: a Web3 connection to each of the three chains."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from dataledger.ledger.chain.connection import connect


@pytest.fixture
def w3(chain_rpc_url: str | None, tmp_path: Path) -> Iterator[Web3]:
    """Connected to the embedded chain (in ``tmp_path``), the devnet over HTTP, or anvil."""
    web3 = connect(chain_rpc_url, tmp_path / "chain")
    yield web3
    if hasattr(web3.provider, "close"):
        web3.provider.close()
