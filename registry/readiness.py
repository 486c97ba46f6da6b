"""Whether a running registry can serve: each dependency checked, with the reason when it cannot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReadinessCheck:
    name: str  # database | chain | lease | indexer | batcher | checkpoints
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: tuple[ReadinessCheck, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        failing = [c for c in self.checks if not c.ok]
        return {
            "status": "ready" if self.ready else "not-ready",
            "reason": "; ".join(f"{c.name}: {c.detail}" for c in failing) or None,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }


@dataclass(frozen=True)
class Health:
    """Liveness: the chain answers (its id, head and registry), and whether the database does."""

    database: bool
    chain_id: int
    block_number: int
    registry: str

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.database else "degraded",
            "database": self.database,
            "chainId": self.chain_id,
            "blockNumber": self.block_number,
            "registry": self.registry,
        }
