"""Drives the lifecycle over HTTP as its users do: prepare an act, sign it with the right key, submit it."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from httpx import Response
from pydantic.alias_generators import to_camel

from dataledger.registry.holder_signatures import sign_typed_data
from tests.factories import Actor, ApiDriver, asset_facts
from tests.nodes import rpc

PROBLEM = "application/problem+json"
_labels = itertools.count(1)


def request_hash(label: str | None = None) -> str:
    return "0x" + hashlib.sha256((label or f"request-{next(_labels)}").encode()).hexdigest()


def assert_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code, body
    return body


@dataclass
class ChainClock:
    """Moves the anvil chain's time: the next block is mined ``seconds`` later."""

    url: str

    def advance(self, seconds: int) -> None:
        rpc(self.url, "evm_increaseTime", [seconds])
        rpc(self.url, "evm_mine")

    def now(self) -> int:
        block = rpc(self.url, "eth_getBlockByNumber", ["latest", False])
        return int(block["timestamp"], 16)  # type: ignore[index]


class LifecycleDriver(ApiDriver):
    def __init__(self, client: TestClient, admin_key: str, clock: ChainClock) -> None:
        super().__init__(client, admin_key)
        self.clock = clock

    # -- participants ---------------------------------------------------------------------------

    def keyed(self, role: str, name: str | None = None) -> Actor:
        """A participant of any role with its own chain key (objectors, exchanges with a key)."""
        account = Account.create()
        body = {"name": name or f"{role} {next(_labels)}", "role": role, "address": account.address}
        response = self.client.post("/v1/participants", json=body, headers=self.admin_headers)
        assert response.status_code == 201, response.text
        data = response.json()
        return Actor(data["participant"]["id"], data["apiKey"], account)

    # -- signed acts ----------------------------------------------------------------------------

    def prepared(self, actor: Actor | None, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer of a ``…-requests`` route: the typed data to sign, its nonce and deadline."""
        response = self.client.post(path, json=body or {}, headers=actor.headers if actor else {})
        assert response.status_code == 200, response.text
        return response.json()

    def signed(
        self,
        actor: Actor | None,
        prepare: str,
        body: dict[str, Any] | None = None,
        *,
        signer: LocalAccount | None = None,
        carry: tuple[str, ...] = ("salt",),
    ) -> dict[str, Any]:
        """Prepare an act and sign its typed data with ``signer`` (default: the actor's key)."""
        return self._submission(actor, self.prepared(actor, prepare, body), body, signer, carry)

    def act(
        self,
        actor: Actor | None,
        prepare: str,
        submit: str,
        body: dict[str, Any] | None = None,
        *,
        signer: LocalAccount | None = None,
        carry: tuple[str, ...] = ("salt",),
    ) -> Response:
        """Prepare the act, sign it, submit it; the response of the submission, or of the preparation
        when the API already refuses the act there (with the same problem code the chain would give)."""
        headers = actor.headers if actor else {}
        prepared = self.client.post(prepare, json=body or {}, headers=headers)
        if prepared.status_code != 200:
            return prepared
        submission = self._submission(actor, prepared.json(), body, signer, carry)
        return self.client.post(submit, json=submission, headers=headers)

    @staticmethod
    def _submission(
        actor: Actor | None,
        prepared: dict[str, Any],
        body: dict[str, Any] | None,
        signer: LocalAccount | None,
        carry: tuple[str, ...],
    ) -> dict[str, Any]:
        key = signer or (actor.account if actor else None)
        assert key is not None, "an act needs a key to sign it"
        return {
            **(body or {}),
            **{name: prepared[name] for name in carry if name in prepared},
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": sign_typed_data(key.key, prepared["typedData"]),
        }

    # -- the procedure --------------------------------------------------------------------------

    def in_notice(self, holder: Actor, registrar: Actor, notice_s: int = 3600) -> dict[str, Any]:
        """A registered asset past both reviews, its public notice of ``notice_s`` running."""
        self.set_notice_period(notice_s)
        asset = self.register(holder, asset_facts())
        self.review(registrar, asset["assetId"], "formal")
        self.review(registrar, asset["assetId"], "substantive")
        return asset

    def certified(
        self, holder: Actor, registrar: Actor, facts: dict[str, Any] | None = None
    ) -> tuple[dict, dict]:
        """A certified asset and its certificate."""
        asset = self.register(holder, facts or asset_facts())
        return asset, self.certify(registrar, asset["assetId"])

    def objection(self, objector: Actor, asset_id: str, reason: str = "we collected this data") -> Response:
        return self.act(
            objector,
            f"/v1/assets/{asset_id}/objection-requests",
            f"/v1/assets/{asset_id}/objections",
            {"reason": reason, "evidenceHash": request_hash("evidence")},
        )

    def verify(self, certificate: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/v1/certificates/verify", json=certificate)
        assert response.status_code == 200, response.text
        return response.json()

    # -- licences -------------------------------------------------------------------------------

    def licence_terms(self, asset_id: str, licensee: Actor, **overrides: Any) -> dict[str, Any]:
        assert licensee.account is not None
        terms = {
            "assetId": asset_id,
            "licensee": licensee.account.address,
            "scope": "fields sku, category, quantity; monthly aggregates only",
            "purpose": "demand forecasting for duty-free replenishment",
            "territory": "CN-HI",
            "validUntil": self.clock.now() + 30 * 24 * 3600,
            "maxUses": 1,
            "derivativesAllowed": False,
            "commercial": False,
        }
        terms.update({to_camel(name): value for name, value in overrides.items()})
        return terms

    def grant(self, holder: Actor, terms: dict[str, Any], signer: LocalAccount | None = None) -> Response:
        response = self.client.post("/v1/licences/requests", json=terms, headers=holder.headers)
        if response.status_code != 200:
            return response
        prepared = response.json()
        key = signer or holder.account
        assert key is not None
        submission = {
            **terms,
            "salt": prepared["salt"],
            "validFrom": prepared["terms"]["validFrom"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": sign_typed_data(key.key, prepared["typedData"]),
        }
        return self.client.post("/v1/licences", json=submission, headers=holder.headers)

    def use(
        self, licensee: Actor, licence_id: int, request: str | None = None, signer: LocalAccount | None = None
    ) -> Response:
        return self.act(
            licensee,
            f"/v1/licences/{licence_id}/use-requests",
            f"/v1/licences/{licence_id}/uses",
            {"requestHash": request or request_hash()},
            signer=signer,
        )
