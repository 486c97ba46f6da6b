"""The ``dataledger`` command as a person runs it: demo, audit, and clear errors with non-zero exits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dataledger.cli.main import main
from dataledger.composition import build_services
from tests.conftest import make_settings
from tests.factories import ApiDriver
from tests.nodes import free_port


def test_demo_tells_the_whole_story_and_succeeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # The lifecycle a person sees: notice, objection, certificate, one use then a refusal, pledge, transfer.
    for moment in (
        "code                   invalid-signature",
        "code                   notice-period-not-ended",
        "code                   objections-open",
        "number                 DIP-",
        "failed_check           proof-signature",
        "code                   licence-used-up",
        "code                   asset-pledged",
        "status                 released",
        "superseded by DIP-",
        "number                 DPL-",
        "found                  True",
        "one_fen_more           409 voucher-cap-exceeded",
        "exchange_acceptance    403 trade-mandate-revoked",
        "fourth_delivery        409 licence-used-up",
        "Demo complete.",
    ):
        assert moment in out, moment


def test_audit_passes_on_a_clean_ledger_and_names_an_edited_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from dataledger.api.app import create_app

    services = build_services(make_settings(tmp_path))
    try:
        api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
        asset = api.register(api.participant("enterprise"))
    finally:
        services.close()

    assert main(["audit", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()

    with sqlite3.connect(tmp_path / "dataledger.db") as db:
        db.execute(
            "UPDATE assets SET content_hash = ? WHERE asset_id = ?", ("0x" + "ee" * 32, asset["assetId"])
        )
    assert main(["audit", "--data-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert asset["assetId"] in out and "content_hash" in out


def test_unreachable_node_exits_non_zero_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["audit", "--data-dir", str(tmp_path), "--rpc-url", f"http://127.0.0.1:{free_port()}"])
    assert code == 1
    assert "ledger-unavailable" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
