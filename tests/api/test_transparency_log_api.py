"""The registry's append-only log as an auditor uses it: keep a signed checkpoint, check proofs, and
later prove that today's log extends it, or see where history was rewritten."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.cli.main import main
from dataledger.composition import build_services
from dataledger.registry.transparency_log import open_checkpoint, verify_consistency, verify_inclusion
from tests.conftest import make_settings
from tests.factories import ApiDriver


def hexbytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def test_checkpoints_are_signed_anchored_and_proven_consistent_with_entries_included(
    api: ApiDriver, services
) -> None:  # type: ignore[no-untyped-def]
    holder, registrar, auditor = api.participants("enterprise", "registrar", "auditor")
    for _ in range(3):
        api.register(holder)
    first = api.client.post("/v1/log/checkpoints", headers=registrar.headers)
    assert first.status_code == 201, first.text
    first_body = first.json()
    api.register(holder)
    second = api.client.post("/v1/log/checkpoints", headers=registrar.headers).json()
    info = api.client.get("/v1/log").json()

    note = api.client.get("/v1/log/checkpoint", params={"format": "note"}).text
    opened = open_checkpoint(note, info["verifierKey"])
    assert (opened.size, "0x" + opened.root.hex()) == (second["treeSize"], second["rootHash"])
    assert opened.origin == info["origin"]
    for issued in (first_body, second):
        anchor = services.anchoring.client.anchor_of(hexbytes(issued["rootHash"]))
        assert anchor is not None and anchor.leaf_count == issued["treeSize"]

    proof = api.client.get(
        "/v1/log/consistency", params={"from": first_body["treeSize"], "to": second["treeSize"]}
    ).json()
    assert verify_consistency(
        first_body["treeSize"],
        second["treeSize"],
        hexbytes(first_body["rootHash"]),
        hexbytes(second["rootHash"]),
        [hexbytes(p) for p in proof["consistencyProof"]],
    )
    for index in (0, second["treeSize"] - 1):
        entry = api.client.get(f"/v1/log/entries/{index}", headers=auditor.headers).json()
        body = json.dumps(entry["entry"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(b"\x00" + body.encode()).hexdigest() == entry["leafHash"][2:]
        assert verify_inclusion(
            hexbytes(entry["leafHash"]),
            index,
            second["treeSize"],
            [hexbytes(p) for p in entry["inclusionProof"]],
            hexbytes(second["rootHash"]),
        )
    assert api.client.get("/v1/log/entries/0", headers=holder.headers).status_code == 403
    assert api.client.post("/v1/log/checkpoints", headers=holder.headers).status_code == 403


@pytest.mark.parametrize("rewrite", ["edit-an-entry", "rebuild-the-log-without-an-act"])
def test_an_old_checkpoint_exposes_a_rewritten_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rewrite: str
) -> None:
    services = build_services(make_settings(tmp_path))
    try:
        api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
        holder, registrar = api.participants("enterprise", "registrar")
        for _ in range(3):
            api.register(holder)
        api.client.post("/v1/log/checkpoints", headers=registrar.headers)
        kept = tmp_path / "checkpoint.note"
        kept.write_text(api.client.get("/v1/log/checkpoint", params={"format": "note"}).text)
        api.register(holder)
    finally:
        services.close()
    assert main(["audit", "--data-dir", str(tmp_path), "--since", str(kept)]) == 0
    assert "log since checkpoint: consistent" in capsys.readouterr().out

    with sqlite3.connect(tmp_path / "dataledger.db") as db:  # an insider rewrites history
        if rewrite == "edit-an-entry":
            (body,) = db.execute("SELECT entry_json FROM log_entries WHERE seq = 1").fetchone()
            entry = json.loads(body)
            entry["actor"] = "0x" + "00" * 20
            forged = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
            leaf = hashlib.sha256(b"\x00" + forged).hexdigest()
            db.execute(
                "UPDATE log_entries SET entry_json = ?, leaf_hash = ? WHERE seq = 1", (forged.decode(), leaf)
            )
        else:
            db.execute("DELETE FROM asset_history WHERE id = (SELECT MIN(id) FROM asset_history)")
            db.execute("DELETE FROM log_entries")
        db.execute("DELETE FROM log_checkpoints")
    services = build_services(make_settings(tmp_path))
    try:
        services.checkpoints.issue()  # and anchors the rewritten log's root: the chain cannot tell
    finally:
        services.close()

    assert main(["audit", "--data-dir", str(tmp_path), "--since", str(kept)]) == 1
    assert "log since checkpoint: HISTORY DIVERGED" in capsys.readouterr().out
