"""An in-process web3 provider for a devnet chain: ``Web3(DevnetProvider(data_dir))``.

Requests are encoded to JSON and decoded again exactly as ``HTTPProvider`` would send them, then go
straight to the same :class:`~dataledger_devnet.rpc.Dispatcher` the HTTP server uses, so answers are
identical to the server's, without a socket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from dataledger_devnet.chain import DevnetChain, open_chain
from dataledger_devnet.rpc import Dispatcher


class DevnetProvider(JSONBaseProvider):
    """A web3 provider answering from a :class:`DevnetChain` in this process.

    ``chain_or_data_dir`` is an open chain, or a data directory to open (created if empty); extra
    keyword arguments go to :func:`~dataledger_devnet.chain.open_chain` in that case.
    """

    def __init__(self, chain_or_data_dir: DevnetChain | str | Path, **open_kwargs: Any) -> None:
        super().__init__()
        if isinstance(chain_or_data_dir, DevnetChain):
            if open_kwargs:
                raise TypeError("open_chain arguments need a data directory, not an open chain")
            self.chain = chain_or_data_dir
        else:
            self.chain = open_chain(chain_or_data_dir, **open_kwargs)
        self.dispatcher = Dispatcher(self.chain)

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        request = json.loads(self.encode_rpc_request(method, params))
        return self.dispatcher.handle(request)  # type: ignore[no-any-return]

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse] | RPCResponse:
        batch = json.loads(self.encode_batch_rpc_request(requests))
        response = self.dispatcher.handle(batch)
        if isinstance(response, list):
            return sorted(response, key=lambda item: item["id"])
        return response  # type: ignore[no-any-return]

    def is_connected(self, show_traceback: bool = False) -> bool:
        return not self.chain.closed

    def close(self) -> None:
        """Close the chain (and release its data directory)."""
        self.chain.close()

    def __repr__(self) -> str:
        return f"<DevnetProvider {self.chain.store.path}>"
