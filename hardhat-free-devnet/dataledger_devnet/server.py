"""The devnet's HTTP JSON-RPC server (stdlib only) and its optional interval miner.

POST a JSON-RPC request or batch to ``/``; the answer is always HTTP 200 with a JSON-RPC body, as
geth and anvil do. Requests run on their own threads but the chain lock serialises them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dataledger_devnet.chain import DevnetChain
from dataledger_devnet.rpc import Dispatcher

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 2**20
# JSON-RPC requests nest a few levels. The parser recurses per level and py-evm/py-ecc raise the
# recursion limit far past the C stack, so deeper bodies are refused before parsing (no SIGSEGV).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _nested_deeper_than(body: bytes, limit: int) -> bool:
    level = 0
    for char in _JSON_STRING.sub(b"", body):
        if char in b"[{":
            level += 1
            if level > limit:
                return True
        elif char in b"]}":
            level -= 1
    return False


class DevnetServer:
    """Serves one chain on ``host:port`` (port 0 picks a free one; see :attr:`url`)."""

    def __init__(
        self,
        chain: DevnetChain,
        host: str = "127.0.0.1",
        port: int = 8545,
        *,
        block_time: float | None = None,
    ) -> None:
        self.chain = chain
        self.dispatcher = Dispatcher(chain)
        self._httpd = _JsonRpcHTTPServer((host, port), _JsonRpcHandler, self.dispatcher)
        self._thread: threading.Thread | None = None
        self._miner = IntervalMiner(chain, block_time) if block_time else None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Serve on a background thread."""
        if self._miner:
            self.chain.automine = False
            self._miner.start()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="devnet-http", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop accepting requests and wait for the serving loop to end."""
        if self._miner:
            self._miner.stop()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()


class IntervalMiner:
    """Mines a block (with whatever is in the mempool) every ``seconds``."""

    def __init__(self, chain: DevnetChain, seconds: float) -> None:
        self._chain = chain
        self._seconds = seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="devnet-miner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self._seconds):
            try:
                self._chain.mine()
            except Exception:
                logger.exception("interval mining failed")


class _JsonRpcHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], dispatcher: Dispatcher
    ) -> None:
        self.dispatcher = dispatcher
        super().__init__(address, handler)


class _JsonRpcHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection
    # Without it, headers and body in two segments meet delayed ACKs: ~40 ms per request.
    disable_nagle_algorithm = True
    server: _JsonRpcHTTPServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(
                413, {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "request too large"}}
            )
            return
        body = self.rfile.read(length)
        try:
            if _nested_deeper_than(body, MAX_JSON_DEPTH):
                raise ValueError("nested too deeply")
            request = json.loads(body)
        except ValueError:
            self._send(
                200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
            )
            return
        self._send(200, self.server.dispatcher.handle(request))

    def do_GET(self) -> None:
        self._send(405, {"error": "POST JSON-RPC requests to this URL"})

    def _send(self, status: int, payload: Any) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
