"""A persistent local EVM chain on py-evm, served over Ethereum JSON-RPC or in-process to web3.

Public API:

* :func:`open_chain` / :class:`DevnetChain`: the chain of a data directory (resumed at its head);
* :class:`Dispatcher`: transport-independent JSON-RPC (``handle(request) -> response``);
* :class:`DevnetProvider`: ``Web3(DevnetProvider(data_dir))``, the same answers without a socket;
* :class:`DevnetServer` and ``python -m dataledger_devnet``: the HTTP server;
* :mod:`dataledger_devnet.errors`: the error hierarchy rooted at :class:`DevnetError`.
"""

from dataledger_devnet.accounts import DEV_MNEMONIC, dev_accounts
from dataledger_devnet.chain import DevnetChain, open_chain
from dataledger_devnet.errors import DevnetError
from dataledger_devnet.provider import DevnetProvider
from dataledger_devnet.rpc import Dispatcher
from dataledger_devnet.server import DevnetServer

__all__ = [
    "DEV_MNEMONIC",
    "DevnetChain",
    "DevnetError",
    "DevnetProvider",
    "DevnetServer",
    "Dispatcher",
    "dev_accounts",
    "open_chain",
]
