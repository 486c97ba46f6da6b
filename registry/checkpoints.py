"""Checkpoints of the registry's log: issue them (signed, anchored), prove inclusion and consistency,
and check a checkpoint held from earlier against today's log.

An auditor keeps any checkpoint the registry once issued (a signed note). Later,
:meth:`CheckpointService.verify_since` proves that the old tree is a prefix of today's (RFC 9162
consistency), or names where history diverged: the last checkpoint the registry issued that today's
log still agrees with, and the first that it does not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dataledger.registry.errors import LedgerInconsistent, NotFound, ValidationFailed, VerificationFailed
from dataledger.registry.participants import Participant, Role
from dataledger.registry.transparency_log import (
    Checkpoint,
    CheckpointRecord,
    LogKey,
    TreeHasher,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
)

CHECKPOINT_KIND = "tlog-checkpoint"
MAX_ANCHORED_SIZE = 2**32 - 1  # the anchor contract counts leaves in a uint32


class LogStore(Protocol):
    """The log's entries and checkpoints (``ledger.sql.transparency_log``)."""

    def append_new(self) -> int: ...
    def size(self) -> int: ...
    def leaf_hashes(self, start: int, end: int) -> list[bytes]: ...
    def entry(self, seq: int) -> dict[str, Any]: ...
    def add_checkpoint(
        self, size: int, root: bytes, note: str, anchor_tx_hash: str | None, anchor_block: int | None
    ) -> None: ...
    def checkpoint(self, size: int | None = None) -> CheckpointRecord | None: ...
    def checkpoints(self) -> list[CheckpointRecord]: ...


RootAnchor = Callable[[bytes, int], tuple[str, int]]
"""Anchor a root of ``size`` entries on chain; returns the transaction hash and block number."""


@dataclass(frozen=True)
class SinceReport:
    """What :meth:`CheckpointService.verify_since` found."""

    consistent: bool
    old_size: int
    new_size: int
    detail: str
    last_agreeing_size: int | None = None
    first_diverging_size: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "fromSize": self.old_size,
            "toSize": self.new_size,
            "detail": self.detail,
            "lastAgreeingCheckpoint": self.last_agreeing_size,
            "firstDivergingCheckpoint": self.first_diverging_size,
        }


class CheckpointService:
    def __init__(self, log: LogStore, key: LogKey, origin: str, anchor: RootAnchor | None) -> None:
        self._log = log
        self._key = key
        self._origin = origin
        self._anchor = anchor
        self._issuing = threading.Lock()

    @property
    def verifier_key(self) -> str:
        return self._key.verifier_key

    @property
    def origin(self) -> str:
        return self._origin

    def _tree(self) -> TreeHasher:
        return TreeHasher(self._log.leaf_hashes)

    def issue(self, by: Participant | None = None) -> CheckpointRecord:
        """Append what is new, then sign and anchor a checkpoint of the whole log (if it grew)."""
        if by is not None:
            by.require_role(Role.REGISTRAR, Role.ADMIN)
        with self._issuing:  # the background thread and a request may ask at the same moment
            return self._issue()

    def _issue(self) -> CheckpointRecord:
        size = self._log.append_new()
        latest = self._log.checkpoint()
        if latest is not None and latest.size == size:
            return latest
        if size == 0:
            raise NotFound("the log is empty: nothing to checkpoint yet")
        root = self._tree().root(size)
        note = self._key.sign(Checkpoint(self._origin, size, root))
        tx_hash, block = (None, None)
        if self._anchor is not None and size <= MAX_ANCHORED_SIZE:
            tx_hash, block = self._anchor(root, size)
        self._log.add_checkpoint(size, root, note, tx_hash, block)
        record = self._log.checkpoint(size)
        assert record is not None
        return record

    def latest(self) -> CheckpointRecord:
        latest = self._log.checkpoint()
        if latest is None:
            raise NotFound("no checkpoint has been issued yet")
        return latest

    def entry(self, index: int, tree_size: int | None = None) -> dict[str, Any]:
        """An entry with its inclusion proof in the checkpoint of ``tree_size`` (default: the latest)."""
        checkpoint = self._checkpoint_of(tree_size)
        if not 0 <= index < checkpoint.size:
            raise NotFound(
                "no entry at this position in that checkpoint", index=index, treeSize=checkpoint.size
            )
        found = self._log.entry(index)
        proof = self._tree().inclusion_proof(index, checkpoint.size)
        leaf = bytes.fromhex(found["leafHash"][2:])
        if not verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root):
            raise LedgerInconsistent(
                "the stored log no longer proves this entry into its checkpoint: run dataledger audit",
                index=index,
                treeSize=checkpoint.size,
            )
        return {**found, "treeSize": checkpoint.size, "inclusionProof": ["0x" + p.hex() for p in proof]}

    def consistency(self, old_size: int, new_size: int | None = None) -> dict[str, Any]:
        """RFC 9162 consistency proof between two tree sizes (the second a checkpoint, default the latest)."""
        new = self._checkpoint_of(new_size)
        if not 1 <= old_size <= new.size:
            raise ValidationFailed("the first size must be between 1 and the second", field="from")
        proof = self._tree().consistency_proof(old_size, new.size)
        return {"fromSize": old_size, "toSize": new.size, "consistencyProof": ["0x" + p.hex() for p in proof]}

    def verify_since(self, note: str) -> SinceReport:
        """Is the checkpoint in ``note`` (issued by this log) a prefix of today's log?"""
        old = open_checkpoint(note, self._key.verifier_key)
        if old.origin != self._origin:
            raise VerificationFailed(
                f"the checkpoint is of log {old.origin!r}, not {self._origin!r}", check="origin"
            )
        tree = self._tree()
        new_size = self._log.append_new()
        if old.size > new_size:
            return self._diverged(
                old, new_size, tree, f"the log shrank from {old.size} to {new_size} entries"
            )
        proof = tree.consistency_proof(old.size, new_size)
        if verify_consistency(old.size, new_size, old.root, tree.root(new_size), proof):
            detail = f"the checkpoint of {old.size} entries is a prefix of today's log of {new_size}"
            return SinceReport(True, old.size, new_size, detail)
        return self._diverged(old, new_size, tree, "today's log does not extend the checkpoint")

    def _diverged(self, old: Checkpoint, new_size: int, tree: TreeHasher, why: str) -> SinceReport:
        agreeing: int | None = None
        diverging: int | None = None
        for issued in self._log.checkpoints():  # oldest first
            if issued.size > min(old.size, new_size):
                break
            if tree.root(issued.size) == issued.root and _extends(issued, old):
                agreeing = issued.size
            elif diverging is None:
                diverging = issued.size
        where = f"; history agrees up to {agreeing} entries" if agreeing else ""
        return SinceReport(False, old.size, new_size, why + where, agreeing, diverging or old.size)

    def _checkpoint_of(self, size: int | None) -> CheckpointRecord:
        found = self._log.checkpoint(size) if size is not None else self._log.checkpoint()
        if found is None:
            raise NotFound("no checkpoint of that size", treeSize=size)
        return found


def _extends(issued: CheckpointRecord, old: Checkpoint) -> bool:
    """Whether the checkpoint the registry issued at ``issued.size`` is the auditor's at that size."""
    return issued.size != old.size or issued.root == old.root
