"""scripts/bench_lineage.py runs end to end on a tiny chain and ends with one JSON line."""

from __future__ import annotations

import json

import pytest

from dataledger.registry.epcis import parse_document
from scripts.bench_lineage import EVENTS_PER_CHAIN, chain_events, main
from tests.epcis.factories import epcis_document


def test_a_synthetic_chain_is_valid_epcis_with_thirty_events() -> None:
    events = chain_events(10)

    assert len(events) == EVENTS_PER_CHAIN
    assert (
        len(
            parse_document(
                epcis_document(
                    events,
                    context=[
                        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                        {"cbvmda": "urn:epcglobal:cbv:mda:"},
                    ],
                )
            ).events
        )
        == EVENTS_PER_CHAIN
    )


def test_the_benchmark_reports_capture_and_trace_figures_as_its_last_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--events", "900", "--queries", "5", "--databases", "sqlite"]) == 0

    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    sqlite = summary["sqlite"]
    assert sqlite["events"] == 900
    assert sqlite["capture_per_s_anchored"] > 0
    assert set(sqlite["trace"]) == {"depth_5", "depth_20"}
    assert sqlite["trace"]["depth_20"]["queries"] == 5
