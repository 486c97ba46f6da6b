"""registry.epcis stays a pure domain core: no JSON-LD or HTTP library, and no network, ever."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.epcis.conformance import conformance_documents

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = conformance_documents()

SCRIPT = """
import socket, sys
from pathlib import Path

def refuse(*args, **kwargs):
    raise AssertionError("registry.epcis opened a network connection")

socket.socket = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from dataledger.registry.epcis import document_event_hash_ids, parse_document

ids = document_event_hash_ids(parse_document(Path(sys.argv[1]).read_bytes()))
assert ids == Path(sys.argv[1]).with_suffix(".hashes").read_text().split(), ids
loaded = {"pyld", "requests", "urllib3", "httpx", "lxml", "epcis_event_hash_generator"} & set(sys.modules)
assert not loaded, sorted(loaded)
"""


@pytest.mark.skipif(not DOCUMENTS, reason="no GS1 conformance vectors")
def test_hashing_a_document_loads_no_json_ld_or_http_library_and_opens_no_connection() -> None:
    document = next(d for d in DOCUMENTS if d.stem == "epcisDocWithSensorDataObjectEvent")

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(document)], cwd=REPO, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
