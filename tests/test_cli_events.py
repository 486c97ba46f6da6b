"""``dataledger events hash|import|seed`` as a person runs them, against a live API server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from dataledger.api.app import create_app
from dataledger.cli.duty_free_scenario import ESSENCE_LOT, duty_free_documents
from dataledger.cli.main import main
from dataledger.cli.session import EXIT_UNAVAILABLE, EXIT_USAGE
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.epcis.conformance import conformance_documents, expected_hash_ids
from tests.epcis.factories import epcis_document, object_event
from tests.nodes import free_port

VARIOUS = [p for p in conformance_documents() if p.stem == "epcisDocWithVariousEventTypes"]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Services]]:
    """The API served over HTTP by uvicorn in a thread, on the embedded chain."""
    services = build_services(make_settings(tmp_path / "server"))
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}", services
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        services.close()


def enterprise_key(url: str) -> str:
    response = httpx.post(
        f"{url}/v1/participants",
        json={"name": "Brand owner", "role": "enterprise", "address": "0x" + "11" * 20},
        headers={"Authorization": "Bearer dev-admin-key"},
    )
    assert response.status_code == 201, response.text
    return response.json()["apiKey"]


@pytest.mark.skipif(not VARIOUS, reason="GS1 conformance vectors are not available")
def test_events_hash_prints_each_hash_id_in_document_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "hash", str(VARIOUS[0])]) == 0

    assert capsys.readouterr().out.split("\n")[:-1] == expected_hash_ids(VARIOUS[0])


def test_events_hash_of_a_bad_document_exits_non_zero_naming_event_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(epcis_document([object_event(), object_event(action="SHAKE")])))

    assert main(["events", "hash", str(bad)]) == 1
    assert main(["events", "hash", str(tmp_path / "missing.jsonld")]) == 1
    err = capsys.readouterr().err
    assert "epcis-document-invalid: event 1: action" in err
    assert "no such file" in err


def test_events_import_captures_through_the_api_and_waits_for_the_anchor(
    live: tuple[str, Services], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = live
    key = enterprise_key(url)
    path = tmp_path / "shipment.jsonld"
    path.write_text(json.dumps(epcis_document([object_event()])))
    assert main(["events", "hash", str(path)]) == 0
    (hash_id,) = capsys.readouterr().out.split()

    assert main(["events", "import", str(path), "--api-url", url, "--api-key", key, "--wait"]) == 0
    first = capsys.readouterr().out
    assert main(["events", "import", str(path), "--api-url", url, "--api-key", key]) == 0
    second = capsys.readouterr().out

    assert "1 new, 0 already stored, anchored" in first and f"{hash_id}  new" in first
    assert f"{hash_id}  duplicate" in second


def test_events_import_of_a_refused_document_exits_non_zero_with_the_problem(
    live: tuple[str, Services], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = live
    path = tmp_path / "bad.jsonld"
    path.write_text(json.dumps(epcis_document([object_event(eventTime="soon")])))

    code = main(["events", "import", str(path), "--api-url", url, "--api-key", enterprise_key(url)])

    assert code == EXIT_USAGE  # the API refused the input
    assert "refused: epcis-document-invalid: event 0: eventTime" in capsys.readouterr().err


def test_seed_loads_the_duty_free_scenario(
    live: tuple[str, Services], capsys: pytest.CaptureFixture[str]
) -> None:
    url, services = live
    key = enterprise_key(url)

    assert main(["seed", "--api-url", url, "--api-key", key]) == 0

    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        name for name, _ in duty_free_documents()
    ]
    recall = httpx.get(
        f"{url}/v1/items/{ESSENCE_LOT}/trace", params={"direction": "forward"}, headers={"X-API-Key": key}
    )
    assert recall.status_code == 200 and len(recall.json()["items"]) > 1
    assert services.events.query(limit=1000) != []


def test_import_without_an_api_key_or_server_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATALEDGER_API_KEY", raising=False)
    path = tmp_path / "doc.jsonld"
    path.write_text(json.dumps(epcis_document([object_event()])))

    assert main(["events", "import", str(path)]) == 1
    assert (
        main(["seed", "--api-url", f"http://127.0.0.1:{free_port()}", "--api-key", "k"]) == EXIT_UNAVAILABLE
    )
    err = capsys.readouterr().err
    assert "give an API key" in err and "cannot reach the API" in err
