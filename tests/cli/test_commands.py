"""Every client command of ``dataledger`` typed as a person types it, against one live server: what it
prints (human and ``--json``), where (answers on stdout, progress and messages on stderr), and the exit
code of each kind of failure (2 usage or refused input, 3 auth, 4 not found, 5 conflict, 6 unreachable,
7 verification failed)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.cli.duty_free_scenario import (
    BOTTLES_A,
    BOTTLES_B,
    ESSENCE_LOT,
    SOLD_BOTTLE,
    duty_free_documents,
)
from dataledger.cli.session import (
    EXIT_AUTH,
    EXIT_CONFLICT,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
)
from dataledger.client import Client, LocalKeySigner
from dataledger.composition import build_services
from dataledger.registry.assets import asset_id_for
from tests.cli.conftest import ADMIN_KEY, PASSWORD, User, dataledger, enterprise, fails, succeeds
from tests.conftest import make_settings
from tests.factories import ApiDriver
from tests.nodes import free_port

pytestmark = pytest.mark.slow  # a live server and a fresh interpreter per command

ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
UNKNOWN_ASSET = "0x" + "ab" * 32


def document(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def sha256_file(path: Path) -> str:
    return "0x" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-user")


@pytest.fixture(scope="module")
def holder(server: str, folder: Path) -> User:
    return enterprise(server, folder, "Hainan Duty Free")


@pytest.fixture(scope="module")
def registered(holder: User, folder: Path) -> dict[str, Any]:
    """An asset registered through ``asset register --json``: the API's answer."""
    data = folder / "sales-2025.csv"
    data.write_text("date,store,sku,units\n2025-03-18,Sanya,3012345012345,1\n")
    return json.loads(succeeds(holder.run("asset", "register", data, "--name", "Sales 2025", "--json")))


@pytest.fixture(scope="module")
def certificate(server: str, holder: User, folder: Path) -> str:
    """A certified asset's certificate number: registered by the CLI, reviewed and certified by the
    registrar through the SDK (the command line has no registrar commands)."""
    data = folder / "certified.csv"
    data.write_text("sku,price\n3012345012345,88.00\n")
    answer = json.loads(succeeds(holder.run("asset", "register", data, "--name", "Price list", "--json")))
    with Client(server, ADMIN_KEY) as admin:
        admin.procedure.set_notice_period(0)  # the notice ends with the substantive review's block
        signer = LocalKeySigner.generate()  # the registration institution's own key
        registrar_key = admin.participants.create("Registrar", "registrar", signer.address)["apiKey"]
    with Client(server, registrar_key) as registrar:
        asset_id = answer["assetId"]
        registrar.procedure.review(asset_id, "formal", reason="the application is complete", signer=signer)
        registrar.procedure.review(asset_id, "substantive", reason="the source is lawful", signer=signer)
        issued = registrar.assets.issue_certificate(asset_id, signer=signer)
    return str(issued["credentialSubject"]["certificateNumber"])


# -- keys and participants ---------------------------------------------------------------------------


def test_keys_new_takes_its_password_from_the_environment_and_never_overwrites(folder: Path) -> None:
    keystore = folder / "keys" / "mine.json"
    env = {"DATALEDGER_KEYSTORE_PASSWORD": PASSWORD}

    created = dataledger("keys", "new", keystore, env=env)
    address = succeeds(created).strip()
    again = dataledger("keys", "new", keystore, env={"DATALEDGER_KEYSTORE_PASSWORD": "other"})
    shown = succeeds(dataledger("keys", "show", keystore)).strip()  # no password needed
    as_json = json.loads(succeeds(dataledger("keys", "show", keystore, "--json")))
    no_password = dataledger("keys", "new", folder / "keys" / "other.json")  # no terminal to ask on
    light = folder / "keys" / "light.json"
    light_address = succeeds(dataledger("keys", "new", light, "--light-kdf", env=env)).strip()
    geth_style = folder / "keys" / "geth.json"  # geth writes the address in lower case
    geth_style.write_text(json.dumps({**document(keystore), "address": address[2:].lower()}))
    shown_checksummed = succeeds(dataledger("keys", "show", geth_style)).strip()

    assert ADDRESS.match(address) and "keystore written" in created.stderr
    assert Account.from_key(Account.decrypt(document(keystore), PASSWORD)).address == address
    assert keystore.stat().st_mode & 0o777 == 0o600
    assert document(keystore)["crypto"]["kdfparams"]["n"] == 2**18  # eth-account's default work factor
    assert document(light)["crypto"]["kdfparams"]["n"] == 2**12  # geth's --lightkdf
    assert Account.from_key(Account.decrypt(document(light), PASSWORD)).address == light_address
    fails(again, EXIT_USAGE, "exists: a keystore is never overwritten")
    assert Account.from_key(Account.decrypt(document(keystore), PASSWORD)).address == address
    assert shown == shown_checksummed == address
    assert as_json == {"address": address, "keystore": str(keystore)}
    fails(no_password, EXIT_USAGE, "set DATALEDGER_KEYSTORE_PASSWORD")
    assert not (folder / "keys" / "other.json").exists()
    fails(dataledger("keys", "show", folder / "keys" / "missing.json"), EXIT_USAGE, "no such keystore")


def test_participant_create_with_the_admin_key_shows_the_api_key_once(server: str, folder: Path) -> None:
    keystore = folder / "exchange.json"
    env = {"DATALEDGER_API_URL": server, "DATALEDGER_KEYSTORE_PASSWORD": PASSWORD}
    address = succeeds(dataledger("keys", "new", keystore, "--light-kdf", env=env)).strip()
    admin = {**env, "DATALEDGER_API_KEY": ADMIN_KEY}

    as_json = dataledger(
        "participant",
        "create",
        "Sanya Exchange",
        "--role",
        "exchange",
        "--keystore",
        keystore,
        "--json",
        env=admin,
    )
    human = dataledger("participant", "create", "Auditor", "--role", "auditor", env=admin)
    anonymous = dataledger("participant", "create", "Nobody", "--role", "enterprise", env=env)

    created = json.loads(succeeds(as_json))
    assert created["participant"]["address"] == address
    assert created["participant"]["role"] == "exchange" and created["apiKey"]
    assert re.search(r"^participant \S+ \(auditor\) Auditor$", succeeds(human), re.MULTILINE)
    assert re.search(r"^API key \(shown once\): \S+$", human.stdout, re.MULTILINE)
    fails(anonymous, EXIT_AUTH, "not-authenticated", "'dev-admin-key'", "hint:")
    assert anonymous.stdout == ""


# -- assets ----------------------------------------------------------------------------------------------


def test_asset_register_hashes_a_file_here_and_prints_its_registration(holder: User, folder: Path) -> None:
    data = folder / "footfall [v1].csv"  # brackets in names are text, not terminal markup
    data.write_bytes(bytes(range(256)) * 4096)
    name = "Footfall [/bold] [red]2025[/red]"

    human = holder.run("asset", "register", data, "--name", name, "--industry", "retail")
    again = holder.run("asset", "register", data, "--name", "Footfall again")  # one decision per content
    other = folder / "footfall-2024.csv"
    other.write_bytes(bytes(range(255, -1, -1)) * 4096)
    as_json = holder.run("asset", "register", other, "--name", "Footfall 2024", "--json")

    lines = succeeds(human).splitlines()
    asset_id = re.fullmatch(r"registered (0x[0-9a-f]{64})", lines[0])
    assert asset_id, lines
    assert lines[1].strip() == f"content hash {sha256_file(data)}"
    assert re.fullmatch(r"tx 0x[0-9a-f]{64} \(block \d+\)", lines[2].strip())
    assert "state registered" in lines[3]
    assert "hashing footfall [v1].csv" in human.stderr and "1.0/1.0 MB" in human.stderr
    fails(again, EXIT_CONFLICT, "content-already-registered")
    answer = json.loads(succeeds(as_json))  # stdout is the API's answer alone: the bar is on stderr
    assert answer["contentHash"] == sha256_file(other)
    assert answer["assetId"] == asset_id_for(holder.address, answer["contentHash"], answer["metadataHash"])
    assert answer["holderAddress"] == holder.address and answer["state"] == "registered"
    status = json.loads(succeeds(holder.run("asset", "status", asset_id.group(1), "--json")))
    assert status["asset"]["facts"]["name"] == name and status["asset"]["facts"]["industry"] == "retail"
    assert f"  {name}" in succeeds(holder.run("asset", "status", asset_id.group(1)))


def test_asset_register_of_a_folder_commits_to_its_sha256sum_manifest(holder: User, folder: Path) -> None:
    data = folder / "dataset"
    (data / "2025" / "03").mkdir(parents=True)
    (data / "README.txt").write_text("duty-free sales, one file per day\n")
    (data / "2025" / "03" / "18.csv").write_text("store,units\nSanya,12\n")
    (data / "2025" / "03" / "19.csv").write_text("store,units\nHaikou,7\n")
    (data / "2025" / "a b.csv").write_text("a file name with a space\n")
    files = sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file())
    manifest = "".join(f"{hashlib.sha256((data / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
    if shutil.which("sha256sum"):  # what anyone recomputes with standard tools
        assert (
            subprocess.run(
                ["sha256sum", "--", *files], cwd=data, capture_output=True, text=True, check=True
            ).stdout
            == manifest
        )

    answer = json.loads(succeeds(holder.run("asset", "register", data, "--name", "Daily sales", "--json")))

    assert answer["contentHash"] == "0x" + hashlib.sha256(manifest.encode()).hexdigest()
    assert answer["assetId"] == asset_id_for(holder.address, answer["contentHash"], answer["metadataHash"])


def test_asset_status_and_history_checked_against_the_chain(holder: User, registered: dict[str, Any]) -> None:
    asset_id = registered["assetId"]

    status = succeeds(holder.run("asset", "status", asset_id))
    status_json = json.loads(succeeds(holder.run("asset", "status", asset_id, "--json")))
    history = holder.run("asset", "history", asset_id, "--check")
    history_json = json.loads(succeeds(holder.run("asset", "history", asset_id, "--check", "--json")))

    assert status.splitlines()[0] == f"{asset_id}  Sales 2025"
    assert f"state registered, holder {holder.address}" in status
    assert status_json["asset"]["assetId"] == asset_id
    assert status_json["procedure"]["state"] == "registered"
    assert status_json["certificates"]["items"] == []
    out = succeeds(history)
    tx = registered["chainEvidence"]["txHash"]
    assert "registered" in out and tx in out.replace("\n", "").replace(" ", "").replace("│", "")
    assert "ok" in out and "DIFFERS" not in out and out.rstrip().endswith("1 of 1 acts")
    (act,) = history_json["items"]
    assert act["act"] == "registered" and act["chainCheck"]["passed"] is True


def test_an_unknown_asset_exits_4_with_the_problem_code(holder: User) -> None:
    fails(holder.run("asset", "status", UNKNOWN_ASSET), EXIT_NOT_FOUND, "asset-not-found")
    fails(holder.run("asset", "history", UNKNOWN_ASSET, "--check"), EXIT_NOT_FOUND, "asset-not-found")


def test_input_the_api_refuses_exits_2_with_the_problem_code(holder: User, folder: Path) -> None:
    data = folder / "tiny.csv"
    data.write_text("a\n")

    refused = holder.run("asset", "register", data, "--name", "x" * 300, "--json")

    fails(refused, EXIT_USAGE, "validation-failed", "facts.name")
    assert refused.stdout == ""  # nothing a script would mistake for an answer


def test_a_wrong_keystore_password_or_the_wrong_keystore_is_said_plainly(
    server: str, holder: User, folder: Path
) -> None:
    data = folder / "secret.csv"
    data.write_text("b\n")
    stranger_keystore = folder / "stranger.json"
    succeeds(
        dataledger(
            "keys", "new", stranger_keystore, "--light-kdf", env={"DATALEDGER_KEYSTORE_PASSWORD": PASSWORD}
        )
    )

    wrong_password = holder.run(
        "asset", "register", data, "--name", "Secret", DATALEDGER_KEYSTORE_PASSWORD="not the password"
    )
    not_a_keystore = holder.run("asset", "register", data, "--name", "Secret", "--keystore", data)
    someone_elses = holder.run("asset", "register", data, "--name", "Secret", "--keystore", stranger_keystore)

    fails(wrong_password, EXIT_AUTH, "wrong password for the keystore")
    fails(not_a_keystore, EXIT_USAGE, "is not a keystore")
    fails(someone_elses, EXIT_USAGE, "the holder signs with its own key")
    for result in (wrong_password, not_a_keystore, someone_elses):
        assert "hashing" not in result.stderr  # refused before reading the data


# -- certificates ------------------------------------------------------------------------------------------


def test_certificate_show_saves_it_and_verify_checks_it_online_and_offline(
    holder: User, certificate: str, folder: Path
) -> None:
    saved = folder / "certificate.json"
    anyone = User({"DATALEDGER_API_URL": holder.env["DATALEDGER_API_URL"]})  # certificates are public

    shown = succeeds(anyone.run("certificate", "show", certificate, "--out", saved))
    shown_json = json.loads(succeeds(anyone.run("certificate", "show", certificate, "--json")))
    online = anyone.run("certificate", "verify", saved)
    offline = anyone.run("certificate", "verify", saved, "--offline")
    report = json.loads(succeeds(anyone.run("certificate", "verify", saved, "--json")))

    document = json.loads(saved.read_text())
    assert document["credentialSubject"]["certificateNumber"] == certificate
    assert shown_json["certificate"] == document and shown_json["status"]["status"] == "valid"
    assert shown.splitlines()[0] == f"certificate {certificate}: valid"
    assert f"holder Hainan Duty Free {holder.address}" in shown and f"saved to {saved}" in shown
    assert re.fullmatch(r"DIP-\d{6}-\d{6}-\d{6}", certificate)
    assert f"registration number {document['credentialSubject']['registrationNumber']}" in shown
    assert succeeds(online).startswith("VALID")
    assert "ok   chain-transaction" in online.stdout and "ok   asset-not-revoked" in online.stdout
    assert document["issuer"]["id"] in online.stdout  # did:key:… printed as it is, not as an emoji
    assert succeeds(offline).startswith("VALID") and "chain-transaction" not in offline.stdout
    assert report["valid"] is True and all(check["passed"] for check in report["checks"])


def test_a_tampered_or_unreadable_certificate_is_refused(
    holder: User, certificate: str, folder: Path
) -> None:
    anyone = User({"DATALEDGER_API_URL": holder.env["DATALEDGER_API_URL"]})
    tampered = folder / "tampered.json"
    document = json.loads(succeeds(anyone.run("certificate", "show", certificate, "--json")))["certificate"]
    document["credentialSubject"]["asset"]["name"] = "Somebody else's data"
    tampered.write_text(json.dumps(document))
    not_json = folder / "certificate.pdf"
    not_json.write_bytes(b"%PDF-1.7 not a certificate")

    refused = anyone.run("certificate", "verify", tampered)
    refused_offline = anyone.run("certificate", "verify", tampered, "--offline", "--json")
    unreadable = anyone.run("certificate", "verify", not_json)
    missing = anyone.run("certificate", "show", "DIP-200001-460100-999999")

    assert refused.returncode == EXIT_INVALID, refused.stderr
    assert refused.stdout.startswith("NOT VALID") and "FAIL proof-signature" in refused.stdout
    assert refused_offline.returncode == EXIT_INVALID
    assert json.loads(refused_offline.stdout)["valid"] is False
    fails(unreadable, EXIT_USAGE, "is not JSON")
    fails(missing, EXIT_NOT_FOUND, "certificate-not-found")


# -- licences ------------------------------------------------------------------------------------------------


def test_a_licence_is_used_until_its_uses_run_out(
    server: str, holder: User, certificate: str, folder: Path
) -> None:
    asset_id = json.loads(succeeds(holder.run("certificate", "show", certificate, "--json")))["status"][
        "assetId"
    ]
    licensee = enterprise(server, folder, "Analytics Co")

    granted = json.loads(
        succeeds(
            holder.run(
                "licence",
                "grant",
                asset_id,
                "--licensee",
                licensee.address,
                "--scope",
                "aggregate sales",
                "--purpose",
                "demand forecasting",
                "--days",
                "30",
                "--uses",
                "2",
                "--json",
            )
        )
    )
    licence = str(granted["licenceId"])
    first = succeeds(licensee.run("licence", "use", licence, "--request", "forecast March"))
    second = json.loads(
        succeeds(licensee.run("licence", "use", licence, "--request", "forecast April", "--json"))
    )
    third = licensee.run("licence", "use", licence, "--request", "forecast May")
    by_holder = holder.run("licence", "use", licence, "--request", "not mine")

    assert granted["maxUses"] == 2 and granted["licenseeAddress"] == licensee.address
    assert first.strip() == f"licence {licence}: one use recorded (1 left)"
    assert second["licence"]["uses"] == 2
    assert second["use"]["requestHash"] == "0x" + hashlib.sha256(b"forecast April").hexdigest()
    fails(third, EXIT_CONFLICT, "licence-used-up")
    fails(by_holder, EXIT_AUTH, "not-authorised")  # only the licensee signs its uses


# -- traceability --------------------------------------------------------------------------------------------


def test_events_import_then_trace_back_and_forward(holder: User, folder: Path) -> None:
    files = []
    for number, (party, document) in enumerate(duty_free_documents()):
        path = folder / f"{number}-{party.replace(' ', '-')}.jsonld"
        path.write_text(json.dumps(document))
        files.append(path)
    svg = folder / "bottle.svg"

    # rich believes stderr is a terminal (as it is when a person pipes stdout into jq): the progress bar
    # stays on stderr and stdout holds nothing but the JSON lines
    imported = holder.run("events", "import", *files, "--wait", "--json", TTY_COMPATIBLE="1")
    back = holder.run("trace", SOLD_BOTTLE, "--svg", svg)
    back_json = json.loads(succeeds(holder.run("trace", SOLD_BOTTLE, "--json")))
    forward = succeeds(holder.run("trace", ESSENCE_LOT, "--forward"))

    captures = [json.loads(line) for line in succeeds(imported).splitlines()]
    assert [c["file"] for c in captures] == [str(f) for f in files]
    assert all(c["anchored"] and c["new"] == len(c["events"]) > 0 for c in captures)
    captured = {e["eventHashId"] for c in captures for e in c["events"]}
    assert "capturing" in imported.stderr
    out = succeeds(back)
    assert out.splitlines()[0] == f"{SOLD_BOTTLE}  (instance)" and ESSENCE_LOT in out
    assert "commissioning" in out and "retail_selling" in out and f"lineage drawn in {svg}" in out
    assert {e["eventHashId"] for e in back_json["events"]} <= captured
    assert back_json["direction"] == "back" and back_json["start"] == SOLD_BOTTLE
    drawing = svg.read_text()
    assert drawing.startswith("<svg") and SOLD_BOTTLE in drawing and ESSENCE_LOT in drawing
    # the recall: forward from the bad essence lot reaches every bottle of lot A, none of lot B
    assert all(bottle in forward for bottle in BOTTLES_A)
    assert not any(bottle in forward for bottle in BOTTLES_B)


def test_an_unknown_item_exits_4(holder: User) -> None:
    fails(holder.run("trace", "urn:epc:id:sgtin:0000000.000000.nothing"), EXIT_NOT_FOUND, "not-found")


# -- the server is down --------------------------------------------------------------------------------


def test_a_server_that_is_down_exits_6_before_any_hashing(holder: User, folder: Path) -> None:
    down = holder.with_env(DATALEDGER_API_URL=f"http://127.0.0.1:{free_port()}")
    data = folder / "unsent.csv"
    data.write_text("c\n")

    status = down.run("asset", "status", UNKNOWN_ASSET)
    register = down.run("asset", "register", data, "--name", "Unsent")

    fails(status, EXIT_UNAVAILABLE, "cannot reach the API at http://127.0.0.1:", "dataledger serve")
    fails(register, EXIT_UNAVAILABLE, "cannot reach")
    assert "hashing" not in register.stderr


def test_audit_shows_its_steps_on_stderr_and_prints_the_report_as_json(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path))
    try:
        api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
        asset = api.register(api.participant("enterprise"))
    finally:
        services.close()
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "TERM": "xterm-256color", "COLUMNS": "120"}

    result = dataledger("audit", "--data-dir", tmp_path, "--json", env=terminal)

    report = json.loads(succeeds(result))  # stdout is the report alone
    assert report["ok"] is True and report["counts"]["assets"] == 1 and report["findings"] == []
    frames = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", f) for f in re.split(r"\r|\x1b\[2K", result.stderr)]
    steps = {m.group(1) for f in frames if (m := re.search(r"audit: ([a-z ]+?)\s+━", f))}
    assert {"assets", "certificates", "chain events"} <= steps, steps
    assert any(re.search(r"audit\s.*━.*\b(\d+)/\1\b", f) for f in frames), frames[-3:]

    with sqlite3.connect(tmp_path / "dataledger.db") as db:
        db.execute("UPDATE assets SET salt = ? WHERE asset_id = ?", ("0x" + "ab" * 32, asset["assetId"]))
    tampered = dataledger("audit", "--data-dir", tmp_path)
    assert tampered.returncode == 1 and asset["assetId"] in tampered.stdout


def test_a_data_directory_another_process_has_open_is_refused_with_a_message_not_a_traceback(
    tmp_path: Path,
) -> None:
    from dataledger_devnet.provider import DevnetProvider

    held = DevnetProvider(tmp_path / "chain")  # as a running server holds its embedded chain
    try:
        result = dataledger("audit", "--data-dir", tmp_path)
    finally:
        held.close()

    assert result.returncode == 1, result.stderr
    assert "configuration-error" in result.stderr and "in use by another process" in result.stderr
    assert "Traceback" not in result.stderr
