"""A signer signs only what its caller asked for, and every signer the SDK offers signs what the server
accepts. Fast: the app runs in this process (embedded chain, SQLite), reached through an httpx
transport that can play a tampering server.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.client import (
    Client,
    ExternalSigner,
    KeystoreSigner,
    LocalKeySigner,
    Signer,
    UnexpectedMessage,
)
from dataledger.client.signing import checked
from dataledger.composition import Services, build_services
from dataledger.registry.assets import RightClaimed, text_commitment
from dataledger.registry.holder_signatures import (
    LICENCE_DOMAIN_NAME,
    REGISTRY_DOMAIN_NAME,
    Eip712Domain,
    RegistrationAuthorisation,
    act_authorisation,
    licence_domain,
    recover_typed_data_signer,
)
from tests.client.conftest import ADMIN_KEY
from tests.conftest import make_settings

RUN = uuid.uuid4().hex
ASSET = "0x" + "ab" * 32
ALICE = "0x" + "11" * 20
MALLORY = "0x" + "66" * 20
REGISTRY = Eip712Domain(31337, "0x" + "22" * 20)
LICENCES = licence_domain(31337, "0x" + "33" * 20)


def digest(label: str) -> str:
    return "0x" + hashlib.sha256(f"{RUN} {label}".encode()).hexdigest()


# -- checked(): what a prepared message must be before anything signs it -------------------------------


def transfer() -> dict[str, Any]:
    auth = act_authorisation("Transfer", ALICE, assetId=ASSET, to=ALICE, nonce=3, deadline=1_900_000_000)
    return auth.typed_data(REGISTRY)


def test_the_message_asked_for_passes_unchanged() -> None:
    typed = transfer()
    assert checked(typed, "Transfer", {"assetId": ASSET, "to": ALICE.upper().replace("0X", "0x")}) is typed


@pytest.mark.parametrize(
    ("what", "tamper"),
    [
        ("primary type", lambda t: t.update(primaryType="Cancellation")),
        ("type definition: a field renamed", lambda t: t["types"]["Transfer"][1].update(name="recipient")),
        ("type definition: a field retyped", lambda t: t["types"]["Transfer"][0].update(type="uint256")),
        (
            "type definition: a field added",
            lambda t: t["types"]["Transfer"].append({"name": "x", "type": "bool"}),
        ),
        ("type definition: fields reordered", lambda t: t["types"]["Transfer"].reverse()),
        ("type definition: missing", lambda t: t["types"].pop("Transfer")),
        ("domain name", lambda t: t["domain"].update(name=LICENCE_DOMAIN_NAME)),
        ("domain missing", lambda t: t.pop("domain")),
        ("the asset", lambda t: t["message"].update(assetId="0x" + "cd" * 32)),
        ("the recipient", lambda t: t["message"].update(to=MALLORY)),
        ("a field dropped", lambda t: t["message"].pop("to")),
    ],
)
def test_a_message_that_differs_is_refused(what: str, tamper: Callable[[dict[str, Any]], Any]) -> None:
    typed = transfer()
    tamper(typed)
    with pytest.raises(UnexpectedMessage):
        checked(typed, "Transfer", {"assetId": ASSET, "to": ALICE})


def test_numbers_booleans_and_hashes_are_compared_by_value() -> None:
    salt = "0x" + "5a" * 16
    fields = {
        "assetId": ASSET,
        "licensee": ALICE,
        "assetVersion": 0,
        "maxUses": 2,
        "validFrom": 100,
        "validUntil": 200,
        "derivativesAllowed": True,
        "commercial": False,
        "scopeHash": text_commitment("licence-scope", "sku", salt),
        "purposeHash": text_commitment("licence-purpose", "forecast", salt),
        "territoryHash": text_commitment("licence-territory", "CN-HI", salt),
        "exclusivity": 0,
        "nonce": 0,
        "deadline": 300,
    }
    typed = act_authorisation("Licence", ALICE, **fields).typed_data(LICENCES)
    expected = {k: v for k, v in fields.items() if k not in ("nonce", "deadline")}
    assert checked(typed, "Licence", expected)
    for name, other in [
        ("maxUses", 3),
        ("derivativesAllowed", False),
        ("commercial", 0),
        ("scopeHash", ASSET),
    ]:
        with pytest.raises(UnexpectedMessage, match=name):
            checked(typed, "Licence", {**expected, name: other})
    with pytest.raises(UnexpectedMessage, match="not 'DataLedger LicenceRegistry'"):
        checked(act_authorisation("Licence", ALICE, **fields).typed_data(REGISTRY), "Licence", expected)


@pytest.mark.parametrize(
    ("primary_type", "message", "domain"),
    [
        ("ConsentListing", {"subject": ALICE, "issuedAt": 5}, LICENCES),
        ("ConsentWithdrawal", {"consentId": 1, "nonce": 0, "deadline": 9}, LICENCES),
        ("ListingConsent", {"assetId": ASSET, "pledgee": ALICE, "lister": MALLORY}, REGISTRY),
        ("Cancellation", {"assetId": ASSET, "nonce": 0, "deadline": 9}, REGISTRY),
    ],
)
def test_each_act_is_expected_on_its_contracts_domain(
    primary_type: str, message: dict[str, Any], domain: Eip712Domain
) -> None:
    typed = act_authorisation(primary_type, ALICE, **message).typed_data(domain)
    assert checked(typed, primary_type, {})
    other = LICENCES if domain is REGISTRY else REGISTRY
    with pytest.raises(UnexpectedMessage):
        checked(act_authorisation(primary_type, ALICE, **message).typed_data(other), primary_type, {})


def test_a_registration_is_checked_against_its_own_type() -> None:
    auth = RegistrationAuthorisation(ALICE, ASSET, ASSET, 0, 9, RightClaimed.PRODUCT_OPERATION)
    typed = auth.typed_data(REGISTRY)
    assert checked(typed, "Registration", {"holder": ALICE, "right": 2})
    with pytest.raises(UnexpectedMessage, match="right"):
        checked(typed, "Registration", {"holder": ALICE, "right": 0})


# -- signers ----------------------------------------------------------------------------------------------


def test_local_keystore_and_external_signers_sign_the_same_recoverable_signature(tmp_path: Path) -> None:
    local = LocalKeySigner.generate()
    path = local.to_keystore(tmp_path / "keys" / "k.json", "pw", iterations=2**10)
    assert path.stat().st_mode & 0o777 == 0o600
    keystore = KeystoreSigner(path, "pw")
    external = ExternalSigner(local.address, local.sign_typed_data)
    typed = transfer()
    signatures = {s.sign_typed_data(typed) for s in (local, keystore, external)}
    assert len(signatures) == 1
    assert recover_typed_data_signer(typed, signatures.pop()) == local.address
    assert keystore.address == local.address == KeystoreSigner.address_of(path)
    assert keystore.private_key == local.private_key
    assert all(isinstance(s, Signer) for s in (local, keystore, external))


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_a_keystore_opens_with_its_password_only(tmp_path: Path, kdf: Any) -> None:
    local = LocalKeySigner.generate()
    path = local.to_keystore(tmp_path / "k.json", "correct horse", kdf=kdf, iterations=2**10)
    assert KeystoreSigner(path, "correct horse").address == local.address
    with pytest.raises(ValueError, match="MAC mismatch"):
        KeystoreSigner(path, "battery staple")
    with pytest.raises(FileExistsError):
        local.to_keystore(path, "again", iterations=2**10)


# -- end to end: the app in this process, behind a transport that may tamper -------------------------------

Tamper = Callable[[dict[str, Any]], None]


@dataclass
class Relay(httpx.BaseTransport):
    """Forwards the SDK's requests to the app; rewrites the answer of ``tampered`` operations."""

    app: TestClient
    tamper: dict[str, Tamper] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        operation_id = str(request.extensions["operation_id"])
        self.sent.append(operation_id)
        request.read()
        response = self.app.send(request)
        if operation_id not in self.tamper:
            return response
        body = response.json()
        self.tamper[operation_id](body)
        return httpx.Response(response.status_code, json=body)


@dataclass
class InProcess:
    services: Services
    app: TestClient

    def client(self, api_key: str | None, relay: Relay | None = None) -> tuple[Client, Relay]:
        relay = relay or Relay(self.app)
        return Client("http://testserver", api_key, transport=relay), relay


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    services = build_services(make_settings(tmp_path_factory.mktemp("sdk-signing")))
    try:
        yield InProcess(services, TestClient(create_app(services)))
    finally:
        services.close()


@dataclass
class Party:
    client: Client
    relay: Relay
    key: LocalKeySigner


def party(world: InProcess, role: str = "enterprise") -> Party:
    admin, _ = world.client(ADMIN_KEY)
    key = LocalKeySigner.generate()
    created = admin.participants.create(f"{role} {uuid.uuid4().hex[:6]}", role, key.address)
    client, relay = world.client(created["apiKey"])
    return Party(client, relay, key)


def facts(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "source": "own systems", "collectionMethod": "export", **extra}


class Counting:
    """A signer that counts what it signs."""

    def __init__(self, inner: LocalKeySigner) -> None:
        self.inner = inner
        self.signed: list[dict[str, Any]] = []

    @property
    def address(self) -> str:
        return self.inner.address

    def sign_typed_data(self, typed_data: dict[str, Any]) -> str:
        self.signed.append(typed_data)
        return self.inner.sign_typed_data(typed_data)


@pytest.fixture(scope="module")
def certified(in_process: InProcess) -> tuple[Party, Party, str]:
    """A holder, a second enterprise, and the holder's certified asset."""
    holder, other, registrar = party(in_process), party(in_process), party(in_process, "registrar")
    admin, _ = in_process.client(ADMIN_KEY)
    admin.procedure.set_notice_period(0)
    asset_id = holder.client.assets.register(digest("certified"), facts("Certified"), signer=holder.key)[
        "assetId"
    ]
    registrar.client.procedure.review(asset_id, "formal", reason="complete", signer=registrar.key)
    registrar.client.procedure.review(asset_id, "substantive", reason="lawful", signer=registrar.key)
    registrar.client.assets.issue_certificate(asset_id, signer=registrar.key)
    return holder, other, asset_id


def set_message(name: str, value: Any) -> Tamper:
    def tamper(prepared: dict[str, Any]) -> None:
        prepared["typedData"]["message"][name] = value

    return tamper


def test_a_tampering_server_is_caught_before_anything_is_signed(
    in_process: InProcess, certified: tuple[Party, Party, str]
) -> None:
    """The server rewrites the prepared transfer's recipient: the SDK refuses to sign, sends nothing."""
    holder, other, asset_id = certified
    relay = Relay(in_process.app, {"prepareTransfer": set_message("to", MALLORY)})
    client, _ = in_process.client(holder.client._http.headers["Authorization"].removeprefix("Bearer "), relay)
    signer = Counting(holder.key)

    with pytest.raises(UnexpectedMessage, match=r"Transfer\.to is"):
        client.assets.transfer(asset_id, other.key.address, signer=signer)

    assert signer.signed == []
    assert relay.sent == ["prepareTransfer"]  # prepared, never submitted
    assert holder.client.assets.get(asset_id)["holderAddress"] == holder.key.address
    # the same transfer through an honest server goes through
    honest = Counting(holder.key)
    done = holder.client.assets.transfer(asset_id, other.key.address, signer=honest)
    assert done["asset"]["holderAddress"] == other.key.address and len(honest.signed) == 1
    back = other.client.assets.transfer(asset_id, holder.key.address, signer=other.key)
    assert back["asset"]["holderAddress"] == holder.key.address


@pytest.mark.parametrize(
    ("case", "operation_id", "tamper"),
    [
        ("registration: another right claimed", "prepareRegistration", set_message("right", 2)),
        ("registration: facts swapped", "prepareRegistration", set_message("metadataHash", ASSET)),
        ("registration: lawful source", "prepareRegistration", set_message("lawfulSourceHash", ASSET)),
        ("registration: another holder", "prepareRegistration", set_message("holder", MALLORY)),
        ("licence: another territory", "prepareLicence", set_message("territoryHash", ASSET)),
        ("licence: another licensee", "prepareLicence", set_message("licensee", MALLORY)),
        ("licence: derivatives", "prepareLicence", set_message("derivativesAllowed", True)),
        (
            "pledge: other terms",
            "preparePledge",
            lambda p: p["holder"]["typedData"]["message"].update(termsHash=ASSET),
        ),
        (
            "pledge: another amount",
            "preparePledge",
            lambda p: p["holder"]["typedData"]["message"].update(securedAmount=1),
        ),
        ("consent: another enterprise", "prepareConsent", set_message("enterprise", MALLORY)),
        ("consent: another purpose", "prepareConsent", set_message("purposeHash", ASSET)),
        ("objection: evidence", "prepareObjection", set_message("evidenceHash", ASSET)),
        (
            "bulk: another right",
            "prepareBulkRegistration",
            lambda p: p["items"][0]["typedData"]["message"].update(right=1),
        ),
    ],
)
def test_every_field_the_caller_chose_is_checked(
    in_process: InProcess, certified: tuple[Party, Party, str], case: str, operation_id: str, tamper: Tamper
) -> None:
    holder, other, asset_id = certified
    api_key = holder.client._http.headers["Authorization"].removeprefix("Bearer ")
    client, relay = in_process.client(api_key, Relay(in_process.app, {operation_id: tamper}))
    signer = Counting(holder.key)
    acts: dict[str, Callable[[], Any]] = {
        "prepareRegistration": lambda: client.assets.register(digest(case), facts(case), signer=signer),
        "prepareLicence": lambda: client.licences.grant(
            asset_id, other.key.address, scope="s", purpose="p", valid_until=2**40, max_uses=1, signer=signer
        ),
        "preparePledge": lambda: client.assets.propose_pledge(
            asset_id,
            other.key.address,
            "terms",
            secured_amount=100,
            currency="CNY",
            maturity=1_893_456_000,
            valuation="v",
            signer=signer,
        ),
        "prepareConsent": lambda: client.consents.grant(
            Counting(LocalKeySigner.generate()), purpose="analytics", valid_until=2**40
        ),
        "prepareObjection": lambda: client.procedure.object(asset_id, "mine", signer=signer),
        "prepareBulkRegistration": lambda: client.bulk.register(
            [facts(case, contentHash=digest(case))], signer=signer
        ),
    }
    with pytest.raises(UnexpectedMessage):
        acts[operation_id]()
    assert signer.signed == []
    assert relay.sent[-1] == operation_id  # nothing submitted after the tampered preparation


def test_every_signer_registers_an_asset_the_server_accepts(in_process: InProcess, tmp_path: Path) -> None:
    holder = party(in_process)
    keystore = KeystoreSigner(holder.key.to_keystore(tmp_path / "k.json", "pw", iterations=2**10), "pw")
    external = ExternalSigner(
        holder.key.address, lambda typed: holder.key.sign_typed_data(copy.deepcopy(typed))
    )
    signers: list[Signer] = [holder.key, keystore, external]
    for index, signer in enumerate(signers):
        asset = holder.client.assets.register(digest(f"signer {index}"), facts(f"by {index}"), signer=signer)
        assert asset["holderAddress"] == holder.key.address and asset["state"] == "registered"


def test_a_signer_of_another_key_is_refused_by_the_server(in_process: InProcess) -> None:
    """The SDK checks the message, not the key: the holder's address signed by another key is the server's
    to refuse (422 invalid-signature)."""
    from dataledger.client import ValidationError

    holder, impostor = party(in_process), LocalKeySigner.generate()
    wrong = ExternalSigner(holder.key.address, impostor.sign_typed_data)
    with pytest.raises(ValidationError) as refused:
        holder.client.assets.register(digest("impostor"), facts("impostor"), signer=wrong)
    assert refused.value.code == "invalid-signature"


def test_bulk_registration_of_a_product_operation_right(in_process: InProcess) -> None:
    """The prepared message claims the facts' right (it once claimed the default one, so the SDK refused)."""
    holder = party(in_process)
    item = facts(
        "a product", contentHash=digest("product"), rightClaimed=RightClaimed.PRODUCT_OPERATION.value
    )
    result = holder.client.bulk.register([item], signer=holder.key)
    assert result["accepted"] == 1


def test_the_domain_names_are_the_contracts() -> None:
    assert transfer()["domain"]["name"] == REGISTRY_DOMAIN_NAME


# -- a registrar's acts: the institution's key signs only the act its caller asked for ----------------


@pytest.mark.parametrize(
    ("case", "operation_id", "tamper"),
    [
        ("review: in another registrar's name", "prepareReview", set_message("registrar", MALLORY)),
        ("review: failed instead of passed", "prepareReview", set_message("passed", False)),
        ("review: another asset", "prepareReview", set_message("assetId", ASSET)),
        ("rejection: another reason", "prepareRejection", set_message("reasonHash", ASSET)),
        ("revocation: another asset", "prepareRevocation", set_message("assetId", ASSET)),
        ("certificate: another hash", "prepareCertificate", set_message("certificateHash", ASSET)),
        (
            "certificate: the credential rewritten under the signed hash",
            "prepareCertificate",
            lambda p: p["certificate"]["credentialSubject"]["holder"].update(name="Mallory Ltd"),
        ),
        (
            "certificate: the credential of another asset",
            "prepareCertificate",
            lambda p: p["certificate"]["credentialSubject"]["asset"].update(assetId=ASSET),
        ),
        (
            "certificate: a revocation presented as a certificate",
            "prepareCertificate",
            lambda p: p["typedData"].update(primaryType="Revocation"),
        ),
    ],
)
def test_every_field_of_a_registrars_act_is_checked_before_its_key_signs(
    in_process: InProcess, case: str, operation_id: str, tamper: Tamper
) -> None:
    holder, registrar = party(in_process), party(in_process, "registrar")
    admin, _ = in_process.client(ADMIN_KEY)
    admin.procedure.set_notice_period(0)
    asset_id = holder.client.assets.register(digest(case), facts(case), signer=holder.key)["assetId"]
    if operation_id == "prepareCertificate":
        for stage in ("formal", "substantive"):
            registrar.client.procedure.review(asset_id, stage, reason="ok", signer=registrar.key)
    api_key = registrar.client._http.headers["Authorization"].removeprefix("Bearer ")
    client, relay = in_process.client(api_key, Relay(in_process.app, {operation_id: tamper}))
    signer = Counting(registrar.key)
    acts: dict[str, Callable[[], Any]] = {
        "prepareReview": lambda: client.procedure.review(asset_id, "formal", reason="ok", signer=signer),
        "prepareRejection": lambda: client.procedure.reject(asset_id, "incomplete", signer=signer),
        "prepareRevocation": lambda: client.assets.revoke(asset_id, "unlawful", signer=signer),
        "prepareCertificate": lambda: client.assets.issue_certificate(asset_id, signer=signer),
    }
    with pytest.raises(UnexpectedMessage):
        acts[operation_id]()
    assert signer.signed == []
    assert relay.sent[-1] == operation_id  # nothing submitted after the tampered preparation


def test_a_registrars_act_signed_by_another_key_is_refused_by_the_server(in_process: InProcess) -> None:
    from dataledger.client import ValidationError

    holder, registrar = party(in_process), party(in_process, "registrar")
    asset_id = holder.client.assets.register(digest("forged review"), facts("forged"), signer=holder.key)[
        "assetId"
    ]
    impostor = ExternalSigner(registrar.key.address, LocalKeySigner.generate().sign_typed_data)
    with pytest.raises(ValidationError) as refused:
        registrar.client.procedure.review(asset_id, "formal", reason="ok", signer=impostor)
    assert refused.value.code == "invalid-signature"
    assert holder.client.assets.get(asset_id)["state"] == "registered"
