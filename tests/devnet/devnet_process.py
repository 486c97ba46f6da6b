"""Run ``python -m dataledger_devnet`` as a child process for tests, and talk raw JSON-RPC to it."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0
_READY = re.compile(r"devnet listening on (http://\S+) \(chain id (\d+), head block (\d+)\)")


@dataclass
class DevnetProcess:
    """A devnet server child process; ``url`` is known once it printed its ready line."""

    process: subprocess.Popen[str]
    url: str
    chain_id: int
    head_at_start: int
    session: requests.Session = field(default_factory=requests.Session)
    _ids: int = 0

    @classmethod
    def start(cls, data_dir: Path, *extra_args: str) -> DevnetProcess:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "hardhat-free-devnet"), str(REPO_ROOT)]),
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dataledger_devnet",
                "--port",
                "0",
                "--data-dir",
                str(data_dir),
                *extra_args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        line = _read_line(process, STARTUP_TIMEOUT_S)
        match = _READY.search(line)
        if match is None:
            process.kill()
            _, stderr = process.communicate()
            raise RuntimeError(f"devnet did not start: {line!r}\n{stderr}")
        return cls(process, match.group(1), int(match.group(2)), int(match.group(3)))

    def rpc(self, method: str, *params: Any) -> Any:
        """The ``result`` of one call; an error response raises ``RpcError``."""
        response = self.raw(
            {"jsonrpc": "2.0", "id": self._next_id(), "method": method, "params": list(params)}
        )
        if "error" in response:
            raise RpcError(response["error"])
        return response["result"]

    def raw(self, payload: Any) -> Any:
        """POST ``payload`` as is and return the decoded JSON answer."""
        response = self.session.post(self.url, json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def terminate(self) -> int:
        """SIGTERM and wait: the exit code of a clean shutdown."""
        self.session.close()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.process.communicate()
        return code

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs at all."""
        self.session.close()
        self.process.kill()
        self.process.wait(timeout=30)
        self.process.communicate()

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        process.kill()
        raise RuntimeError(f"devnet printed nothing within {timeout} s")
    return process.stdout.readline()
