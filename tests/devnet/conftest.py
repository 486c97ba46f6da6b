"""Fixtures for the devnet tests: a shared server child process, fresh in-process chains."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import HTTPProvider, Web3

from dataledger_devnet import DevnetChain, DevnetProvider, open_chain
from tests.devnet.devnet_process import DevnetProcess


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    """One server for the HTTP tests; they share its chain, so they assert on relative state."""
    server = DevnetProcess.start(tmp_path_factory.mktemp("devnet-http"), "--no-fsync")
    yield server
    assert server.terminate() == 0


@pytest.fixture
def http_w3(devnet: DevnetProcess) -> Web3:
    return Web3(HTTPProvider(devnet.url))


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[DevnetChain]:
    """A fresh chain in this process (no fsync: the tests only kill processes, never the machine)."""
    chain = open_chain(tmp_path / "chain", sync=False)
    yield chain
    chain.close()


@pytest.fixture
def local_w3(chain: DevnetChain) -> Web3:
    return Web3(DevnetProvider(chain))
