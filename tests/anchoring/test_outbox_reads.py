"""The outbox's reads for pages: many entries' inclusions in one call (the same as one by one), and the
recent anchors, the newest first; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataledger.ledger.sql.outbox import AnchorOutbox
from dataledger.ledger.workers.batcher import AnchorBatcher, BatcherConfig
from tests.anchoring.conftest import FakeAnchorLedger
from tests.anchoring.test_batcher import NEVER, acknowledge, outbox

__all__ = ["outbox"]


def test_many_inclusions_read_at_once_are_those_read_one_by_one(outbox: AnchorOutbox) -> None:
    batcher = AnchorBatcher(
        outbox, FakeAnchorLedger(), BatcherConfig(max_leaves=4, max_batch_leaves=4, max_delay_s=NEVER)
    )
    refs = acknowledge(outbox, 10)
    batcher.run_once()
    asked = [*refs, refs[0], "no-such-entry"]

    found = outbox.inclusions("registration", asked)

    assert list(found) == refs  # each once, the unknown one left out
    for ref in refs:
        assert found[ref] == outbox.inclusion("registration", ref)
    assert {found[ref].status for ref in refs} == {"anchored", "pending"}


def test_the_recent_anchors_are_listed_newest_first(outbox: AnchorOutbox) -> None:
    batcher = AnchorBatcher(
        outbox, FakeAnchorLedger(), BatcherConfig(max_leaves=3, max_batch_leaves=3, max_delay_s=NEVER)
    )
    acknowledge(outbox, 9)
    anchored = batcher.run_once()

    recent = outbox.recent_batches(limit=2)

    assert [batch["batchId"] for batch in recent] == [anchored[-1].batch_id, anchored[-2].batch_id]
    assert all(batch["leafCount"] == 3 and str(batch["txHash"]).startswith("0x") for batch in recent)
