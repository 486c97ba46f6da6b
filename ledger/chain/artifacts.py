"""Load the compiled contract artifacts committed in ``ledger/chain/artifacts/``.

``scripts/compile_contracts.py`` writes them; the ledger and the tests read them here and never need
a compiler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["ContractArtifact", "load_artifact"]


@dataclass(frozen=True, slots=True)
class ContractArtifact:
    """The ABI and bytecode of one deployable contract, with the compiler that produced them."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str
    deployed_bytecode: str
    compiler_version: str

    def __post_init__(self) -> None:
        for field, code in (("bytecode", self.bytecode), ("deployed_bytecode", self.deployed_bytecode)):
            if not code.startswith("0x") or len(code) <= 2:
                raise ValueError(f"artifact {self.name}: {field} must be non-empty 0x-prefixed hex")


def load_artifact(name: str) -> ContractArtifact:
    """Return the artifact of the contract ``name`` (e.g. ``"DataRightsRegistry"``).

    Raises ``FileNotFoundError`` if no artifact of that name is committed.
    """
    resource = resources.files(__package__).joinpath("artifacts", f"{name}.json")
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no compiled artifact for contract {name!r} in ledger/chain/artifacts/"
        ) from None
    return ContractArtifact(
        name=data["contractName"],
        abi=tuple(data["abi"]),
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        compiler_version=data["compiler"]["version"],
    )
