"""What the reconciliation audit reports: findings, each naming one record and one field.

Shared by the audit's checks (``ledger.workers.audit`` and its ``audit_*`` modules): a check takes a
:class:`Subject` (one record under audit) and adds a finding per field that disagrees. Findings are
kept once per (record, field): the first source that disagrees names the field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class FindingKind(enum.StrEnum):
    FIELD_MISMATCH = "field-mismatch"  # the record and the chain give different values
    STATUS_MISMATCH = "status-mismatch"  # e.g. registered in the database, revoked on chain
    MISSING_ON_CHAIN = "missing-on-chain"  # the database claims an act the chain does not have
    MISSING_IN_DATABASE = "missing-in-database"  # the chain has an act the database does not record
    NOT_YET_INDEXED = "not-yet-indexed"  # the record's block is above the index: cannot be confirmed yet
    # stored values that no longer hash (or sign, or prove) to the commitment the chain holds
    COMMITMENT_MISMATCH = "commitment-mismatch"


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement. ``source`` says where the chain value was read: the contract's current state
    ("contract"), the indexed event log ("event"), the transaction's receipt re-read from the chain
    ("receipt"), or a commitment recomputed from the stored values ("commitment")."""

    kind: FindingKind
    record_type: str  # asset | asset-version | certificate | asset-history | licence | anchor-batch ...
    record_id: str  # asset id, certificate number, row id (or the event's position)
    field: str | None
    database_value: Any
    chain_value: Any
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "recordType": self.record_type,
            "recordId": self.record_id,
            "field": self.field,
            "databaseValue": self.database_value,
            "chainValue": self.chain_value,
            "source": self.source,
        }

    def format(self) -> str:
        where = f"{self.record_type} {self.record_id}" + (f" {self.field}" if self.field else "")
        return (
            f"[{self.kind.value}] {where}: database {show(self.database_value)}, "
            f"chain {show(self.chain_value)} ({self.source})"
        )


class Findings:
    """The findings of one audit, once per (record type, record id, field), in the order found."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str, str | None], Finding] = {}

    def add(self, finding: Finding) -> None:
        key = (finding.record_type, finding.record_id, finding.field)
        if key not in self._by_key:  # the first source that disagrees names the field, once
            self._by_key[key] = finding

    def subject(self, record_type: str, record_id: object) -> Subject:
        return Subject(self, record_type, str(record_id))

    def all(self) -> list[Finding]:
        return list(self._by_key.values())


@dataclass(frozen=True, slots=True)
class Subject:
    """One record under audit: findings about it are added through here."""

    findings: Findings
    record_type: str
    record_id: str

    def add(self, kind: FindingKind, name: str | None, db_value: Any, chain_value: Any, source: str) -> None:
        self.findings.add(
            Finding(kind, self.record_type, self.record_id, name, db_value, chain_value, source)
        )

    def compare(self, source: str, *fields: tuple[str, Any, Any]) -> bool:
        """A field-mismatch finding for each (field, database value, chain value) that differ; True if
        all agree."""
        agree = True
        for name, db_value, chain_value in fields:
            if db_value != chain_value:
                self.add(FindingKind.FIELD_MISMATCH, name, db_value, chain_value, source)
                agree = False
        return agree

    def commitment(self, name: str, recomputed: Any, committed: Any) -> bool:
        """A commitment-mismatch finding if the value recomputed from the stored fields is not the one
        the chain (or an anchored leaf) holds; True if it is."""
        if recomputed == committed:
            return True
        self.add(FindingKind.COMMITMENT_MISMATCH, name, recomputed, committed, "commitment")
        return False


def show(value: Any) -> str:
    return "-" if value is None else str(value)


def lower(value: Any) -> Any:
    """Hex and addresses compared case-insensitively; anything else as it is."""
    return value.lower() if isinstance(value, str) else value
