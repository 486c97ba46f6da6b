"""The commands of each role, on the SDK: participants and keys, assets, certificates, licences, traces.

dataledger keys new holder.json                      # a keystore; prints its address
dataledger participant create "Acme" --role enterprise --keystore holder.json   # admin key
dataledger asset register ./sales/ --name "Sales 2025" --keystore holder.json
dataledger asset status 0x…   |   dataledger asset history 0x… --check
dataledger certificate show DIP-202611-460100-000001 --out cert.json
dataledger certificate verify cert.json [--offline]
dataledger licence grant 0x… --licensee 0x… --scope … --purpose … --days 30 --uses 10 --keystore …
dataledger licence use 7 --request "query #1" --keystore licensee.json
dataledger trace urn:epc:id:sgtin:… [--forward] [--svg trace.svg]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from dataledger.cli.session import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_server_options,
    byte_progress,
    client_of,
    emit,
    keystore_address,
    password,
    run_client_command,
    signer_of,
    stderr,
    stdout,
)
from dataledger.client import LocalKeySigner
from dataledger.client.hashing import hash_path, size_of

# geth's --lightkdf work factor: about a thousandth of the default (scrypt n = 2**18), for throwaway keys.
LIGHT_SCRYPT_N = 2**12

RIGHTS = ("data-resource-holding", "data-processing-use", "data-product-operation")


def add_client_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``keys``, ``participant``, ``asset``, ``certificate``, ``licence`` and ``trace``."""
    keys = commands.add_parser(
        "keys", help="keystores: a participant's signing key, encrypted"
    ).add_subparsers(dest="keys_command", required=True)
    new = keys.add_parser(
        "new", help="create a keystore (password: DATALEDGER_KEYSTORE_PASSWORD or a prompt)"
    )
    new.add_argument("file", type=Path)
    new.add_argument(
        "--light-kdf",
        action="store_true",
        help="a cheaper key derivation (scrypt n = 2**12, as geth's --lightkdf): for a throwaway or test"
        " key, unlocked in milliseconds instead of about a second",
    )
    new.add_argument("--json", action="store_true")
    new.set_defaults(run=_keys_new)
    show = keys.add_parser("show", help="print a keystore's address (no password needed)")
    show.add_argument("file", type=Path)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=_keys_show)

    participant = commands.add_parser("participant", help="participants (administrator)").add_subparsers(
        dest="participant_command", required=True
    )
    create = participant.add_parser("create", help="create a participant and its API key (shown once)")
    create.add_argument("name")
    create.add_argument(
        "--role", required=True, choices=("enterprise", "exchange", "auditor", "registrar", "authority")
    )
    create.add_argument(
        "--address",
        help="its chain address (enterprises and registrars sign with it; a registrar's is granted the role)",
    )
    add_server_options(create, signs=True)  # --keystore: take the address from a keystore file
    create.set_defaults(run=_participant_create)

    asset = commands.add_parser("asset", help="data assets: register, status, history").add_subparsers(
        dest="asset_command", required=True
    )
    register = asset.add_parser(
        "register", help="hash a file or folder here, then register it (holder-signed)"
    )
    register.add_argument(
        "path", type=Path, help="the data file, or a folder (hashed as a sha256sum manifest)"
    )
    register.add_argument("--name", required=True)
    for option in ("description", "source", "collection-method", "scale", "update-frequency", "industry"):
        register.add_argument(f"--{option}", default="")
    register.add_argument("--right", choices=RIGHTS, default=RIGHTS[0], help="the right claimed")
    add_server_options(register, signs=True)
    register.set_defaults(run=_asset_register)
    status = asset.add_parser("status", help="an asset's state, holder, procedure and certificates")
    status.add_argument("asset_id")
    add_server_options(status)
    status.set_defaults(run=_asset_status)
    history = asset.add_parser("history", help="an asset's acts with their transactions")
    history.add_argument("asset_id")
    history.add_argument("--check", action="store_true", help="check each act against the chain")
    history.add_argument("--limit", type=int, default=100)
    add_server_options(history)
    history.set_defaults(run=_asset_history)

    certificate = commands.add_parser("certificate", help="registration certificates").add_subparsers(
        dest="certificate_command", required=True
    )
    show_cert = certificate.add_parser("show", help="a certificate by its number")
    show_cert.add_argument("number")
    show_cert.add_argument("--out", type=Path, help="also save the signed certificate (JSON) here")
    add_server_options(show_cert)
    show_cert.set_defaults(run=_certificate_show)
    verify = certificate.add_parser("verify", help="verify a certificate file: every check with its result")
    verify.add_argument("file", type=Path)
    verify.add_argument(
        "--offline", action="store_true", help="skip the chain checks (format, signature, validity)"
    )
    add_server_options(verify)
    verify.set_defaults(run=_certificate_verify)

    licence = commands.add_parser("licence", help="licences: grant, use").add_subparsers(
        dest="licence_command", required=True
    )
    grant = licence.add_parser("grant", help="grant a licence on an asset (the holder signs)")
    grant.add_argument("asset_id")
    grant.add_argument("--licensee", required=True, help="the licensee's chain address")
    grant.add_argument("--scope", required=True)
    grant.add_argument("--purpose", required=True)
    grant.add_argument("--territory", default="")
    grant.add_argument("--days", type=int, required=True, help="valid for this many days from now")
    grant.add_argument("--uses", type=int, required=True, help="uses allowed, consumed one per use")
    grant.add_argument("--commercial", action="store_true")
    grant.add_argument("--derivatives", action="store_true", help="derived products allowed")
    add_server_options(grant, signs=True)
    grant.set_defaults(run=_licence_grant)
    use = licence.add_parser("use", help="consume one use of a licence (the licensee signs)")
    use.add_argument("licence_id", type=int)
    request = use.add_mutually_exclusive_group(required=True)
    request.add_argument("--request", help="the request this use serves (hashed here)")
    request.add_argument("--request-hash", help="its SHA-256 as 0x-hex")
    add_server_options(use, signs=True)
    use.set_defaults(run=_licence_use)

    trace = commands.add_parser("trace", help="an item's journey: its events, back to its origin or forward")
    trace.add_argument("epc", help="an EPC URI (urn:epc:id:sgtin:…) or a GS1 Digital Link")
    trace.add_argument("--forward", action="store_true", help="where it went, not where it came from")
    trace.add_argument("--depth", type=int, default=10)
    trace.add_argument("--svg", type=Path, help="also draw the lineage graph into this SVG file")
    add_server_options(trace)
    trace.set_defaults(run=_trace)


def run(args: argparse.Namespace) -> int:
    return run_client_command(args.run, args)


# -- keys and participants ---------------------------------------------------------------------------


def _keys_new(args: argparse.Namespace) -> int:
    if args.file.exists():
        raise CommandError(f"{args.file} exists: a keystore is never overwritten")
    signer = LocalKeySigner.generate()
    iterations = LIGHT_SCRYPT_N if args.light_kdf else None
    signer.to_keystore(args.file, password("new keystore password: ", confirm=True), iterations=iterations)
    emit(args, {"address": signer.address, "keystore": str(args.file)}, lambda: stdout.print(signer.address))
    stderr.print(f"keystore written to {args.file}; keep it and its password: the key signs your acts")
    return EXIT_OK


def _keys_show(args: argparse.Namespace) -> int:
    address = keystore_address(args.file)
    emit(args, {"address": address, "keystore": str(args.file)}, lambda: stdout.print(address))
    return EXIT_OK


def _participant_create(args: argparse.Namespace) -> int:
    address = args.address
    if address is None and args.keystore is not None:
        address = keystore_address(args.keystore)
    with client_of(args) as client:
        created = client.participants.create(args.name, args.role, address)

    def human() -> None:
        participant = created["participant"]
        stdout.print(f"participant {participant['id']} ({participant['role']}) {participant['name']}")
        stdout.print(f"API key (shown once): {created['apiKey']}")

    emit(args, created, human)
    return EXIT_OK


# -- assets ------------------------------------------------------------------------------------------


def _asset_register(args: argparse.Namespace) -> int:
    if not args.path.exists():
        raise CommandError(f"no such file or folder: {args.path}")
    signer = signer_of(args)
    with client_of(args) as client:
        # Before reading gigabytes: the server answers, the key is known, the keystore is the holder's.
        me = client.participants.me()
    if me.get("address") and me["address"].lower() != signer.address.lower():
        raise CommandError(
            f"the keystore {args.keystore} holds {signer.address}, but the API key is {me['name']}'s, "
            f"whose address is {me['address']}: the holder signs with its own key"
        )
    with byte_progress(f"hashing {args.path.name}", size_of(args.path)) as advance:
        content_hash = hash_path(args.path, advance)
    facts = {
        "name": args.name,
        "description": args.description,
        "source": args.source,
        "collectionMethod": args.collection_method,
        "scale": args.scale,
        "updateFrequency": args.update_frequency,
        "industry": args.industry,
        "rightClaimed": args.right,
    }
    with client_of(args) as client:
        registered = client.assets.register(content_hash, facts, signer=signer)

    def human() -> None:
        stdout.print(f"registered {registered['assetId']}")
        stdout.print(f"  content hash {content_hash}")
        evidence = registered.get("chainEvidence") or {}
        if evidence:
            stdout.print(f"  tx {evidence['txHash']} (block {evidence['blockNumber']})")
        stdout.print(f"  state {registered['state']}: next, the registrar's formal review")

    emit(args, registered, human)
    return EXIT_OK


def _asset_status(args: argparse.Namespace) -> int:
    with client_of(args) as client:
        asset = client.assets.get(args.asset_id)
        procedure = client.procedure.status(args.asset_id)
        certificates = client.assets.certificates(args.asset_id)
    answer = {"asset": asset, "procedure": procedure, "certificates": certificates}

    def human() -> None:
        stdout.print(f"{asset['assetId']}  {(asset.get('facts') or {}).get('name', '')}")
        stdout.print(f"  state {asset['state']}, holder {asset.get('holderAddress')}")
        if asset.get("registrationNumber"):
            stdout.print(f"  registration number {asset['registrationNumber']}")
        objections = (procedure.get("procedure") or {}).get("openObjections", 0)
        stdout.print(f"  procedure {procedure.get('state')}, open objections {objections}")
        for certificate in certificates.get("items", []):
            stdout.print(f"  certificate {certificate.get('number')}: {certificate.get('status')}")

    emit(args, answer, human)
    return EXIT_OK


def _asset_history(args: argparse.Namespace) -> int:
    with client_of(args) as client:
        history = client.assets.history(args.asset_id, check=args.check, limit=args.limit)

    def human() -> None:
        table = Table()
        for column in ("act", "actor", "block", "tx", *(["chain"] if args.check else [])):
            table.add_column(column, overflow="fold")  # hashes wrap whole, never cut short with "…"
        for item in history["items"]:
            evidence = item.get("chainEvidence") or {}
            row = [
                str(item["act"]),
                str(item.get("actor", "")),
                str(evidence.get("blockNumber", "")),
                str(evidence.get("txHash", "")),
            ]
            if args.check:
                row.append("ok" if item.get("chainCheck", {}).get("passed") else "DIFFERS")
            table.add_row(*row)
        stdout.print(table)
        stdout.print(f"{len(history['items'])} of {history['total']} acts")

    emit(args, history, human)
    failed = args.check and any(not i.get("chainCheck", {}).get("passed") for i in history["items"])
    return EXIT_INVALID if failed else EXIT_OK


# -- certificates ------------------------------------------------------------------------------------


def _certificate_show(args: argparse.Namespace) -> int:
    with client_of(args) as client:
        certificate = client.certificates.get(args.number)
        status = client.certificates.status(args.number)
    if args.out is not None:
        args.out.write_text(json.dumps(certificate, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def human() -> None:
        subject = certificate.get("credentialSubject", {})
        stdout.print(f"certificate {subject.get('certificateNumber', args.number)}: {status.get('status')}")
        holder = subject.get("holder") or {}
        stdout.print(f"  holder {holder.get('name', '')} {holder.get('address', '')}")
        asset = subject.get("asset", {})
        stdout.print(f"  asset {asset.get('assetId')} {asset.get('name', '')}")
        if subject.get("registrationNumber"):
            stdout.print(f"  registration number {subject['registrationNumber']}")
        stdout.print(f"  valid {certificate.get('validFrom')} .. {certificate.get('validUntil')}")
        if args.out is not None:
            stdout.print(f"  saved to {args.out}")

    emit(args, {"certificate": certificate, "status": status}, human)
    return EXIT_OK


def _certificate_verify(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CommandError(f"{args.file} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise CommandError(f"{args.file} is not a certificate (a JSON object)")
    with client_of(args) as client:
        report = client.certificates.verify(document, online=not args.offline)

    def human() -> None:
        verdict = "VALID" if report.get("valid") else "NOT VALID"
        stdout.print(f"{verdict}: {report.get('status', '')}")
        for check in report.get("checks", []):
            mark = "ok  " if check.get("passed") else "FAIL"
            stdout.print(f"  {mark} {check.get('name')}: {check.get('detail', '')}")
        for warning in report.get("warnings", []):
            stdout.print(f"  warning: {warning}")

    emit(args, report, human)
    return EXIT_OK if report.get("valid") else EXIT_INVALID


# -- licences ------------------------------------------------------------------------------------------


def _licence_grant(args: argparse.Namespace) -> int:
    if args.days < 1 or args.uses < 1:
        raise CommandError("--days and --uses must be at least 1")
    signer = signer_of(args)
    with client_of(args) as client:
        licence = client.licences.grant(
            args.asset_id,
            args.licensee,
            scope=args.scope,
            purpose=args.purpose,
            territory=args.territory,
            valid_until=int(time.time()) + args.days * 86400,
            max_uses=args.uses,
            commercial=args.commercial,
            derivatives_allowed=args.derivatives,
            signer=signer,
        )
    emit(args, licence, lambda: stdout.print(f"licence {licence['licenceId']} granted: {args.uses} uses"))
    return EXIT_OK


def _licence_use(args: argparse.Namespace) -> int:
    request_hash = args.request_hash or "0x" + hashlib.sha256(args.request.encode()).hexdigest()
    signer = signer_of(args)
    with client_of(args) as client:
        used = client.licences.use(args.licence_id, request_hash, signer=signer)

    def human() -> None:
        stdout.print(f"licence {args.licence_id}: one use recorded ({_uses_left(used)} left)")

    emit(args, used, human)
    return EXIT_OK


def _uses_left(used: dict[str, Any]) -> Any:
    licence = used.get("licence", used)
    if "maxUses" in licence and "uses" in licence:
        return licence["maxUses"] - licence["uses"]
    return "?"


# -- traceability ---------------------------------------------------------------------------------------


def _trace(args: argparse.Namespace) -> int:
    direction = "forward" if args.forward else "back"
    if args.depth < 1:
        raise CommandError("--depth must be at least 1", EXIT_USAGE)
    with client_of(args) as client:
        trace = client.lineage.trace(args.epc, direction=direction, depth=args.depth)
        if args.svg is not None:
            # lineage nodes are the identifiers themselves (or asset:0x…); no "item:" prefix
            svg = client.lineage.svg(args.epc, direction=direction, depth=args.depth)
            args.svg.write_text(svg, encoding="utf-8")

    def human() -> None:
        for item in trace.get("items", []):
            stdout.print(f"{'  ' * int(item.get('level', 0))}{item.get('id')}  ({item.get('kind')})")
        for event in trace.get("events", []):
            step = event.get("bizStep") or event.get("type", "")
            stdout.print(f"{event.get('eventTime', '')}  {step}  {event.get('eventHashId', '')}")
        if args.svg is not None:
            stdout.print(f"lineage drawn in {args.svg}")

    emit(args, trace, human)
    return EXIT_OK
