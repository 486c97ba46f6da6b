"""Factories for tests: asset facts, participants with keys, and a driver of the HTTP API."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from pydantic.alias_generators import to_camel

from dataledger.registry.holder_signatures import sign_registration_typed_data, sign_typed_data

_counter = itertools.count(1)


def content_hash(label: str | None = None) -> str:
    label = label or f"dataset-{next(_counter)}"
    return "0x" + hashlib.sha256(label.encode()).hexdigest()


def asset_facts(**overrides: Any) -> dict[str, Any]:
    facts = {
        "name": "Offshore duty-free sales records",
        "contentHash": content_hash(),
        "description": "Per-sale records, passenger quota records hashed",
        "source": "own point-of-sale systems",
        "collectionMethod": "daily export",
        "scale": "1.2M rows",
        "updateFrequency": "daily",
        "industry": "retail",
        "rightClaimed": "data-resource-holding",
    }
    facts.update({to_camel(name): value for name, value in overrides.items()})
    return facts


@dataclass
class Actor:
    id: str
    api_key: str
    account: LocalAccount | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


class ApiDriver:
    """Drives the API as its users do: create participants, prepare, sign, submit."""

    def __init__(self, client: TestClient, admin_key: str) -> None:
        self.client = client
        self.admin_headers = {"Authorization": f"Bearer {admin_key}"}

    def participant(self, role: str, name: str | None = None) -> Actor:
        # Enterprises and registrars (registration institutions) sign their acts with their own keys.
        account = Account.create() if role in ("enterprise", "registrar") else None
        body: dict[str, Any] = {"name": name or f"{role} {next(_counter)}", "role": role}
        if account is not None:
            body["address"] = account.address
        response = self.client.post("/v1/participants", json=body, headers=self.admin_headers)
        assert response.status_code == 201, response.text
        data = response.json()
        return Actor(data["participant"]["id"], data["apiKey"], account)

    def participants(self, *roles: str) -> tuple[Actor, ...]:
        """One new participant per role, in order: ``holder, registrar = api.participants(...)``."""
        return tuple(self.participant(role) for role in roles)

    def prepare(self, holder: Actor, facts: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(
            "/v1/assets/registration-requests", json={"facts": facts}, headers=holder.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def submission(
        self, prepared: dict[str, Any], facts: dict[str, Any], signer: LocalAccount
    ) -> dict[str, Any]:
        return {
            "facts": facts,
            "salt": prepared["salt"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": sign_registration_typed_data(signer.key, prepared["typedData"]),
        }

    def register(self, holder: Actor, facts: dict[str, Any] | None = None) -> dict[str, Any]:
        facts = facts or asset_facts()
        assert holder.account is not None
        prepared = self.prepare(holder, facts)
        response = self.client.post(
            "/v1/assets", json=self.submission(prepared, facts, holder.account), headers=holder.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    def set_notice_period(self, seconds: int) -> None:
        response = self.client.put(
            "/v1/registry/notice-period", json={"seconds": seconds}, headers=self.admin_headers
        )
        assert response.status_code == 200, response.text

    def registrar_act(
        self, registrar: Actor, prepare: str, submit: str, body: dict[str, Any] | None = None
    ) -> Any:
        """A registrar's act: prepared by the API, signed with the registrar's own key, submitted; the
        response of the submission (or of the preparation, when the API refuses the act there)."""
        assert registrar.account is not None, "a registrar signs with its own key"
        prepared = self.client.post(prepare, json=body or {}, headers=registrar.headers)
        if prepared.status_code != 200:
            return prepared
        answer = prepared.json()
        submission = {
            **(body or {}),
            "nonce": answer["nonce"],
            "deadline": answer["deadline"],
            "signature": sign_typed_data(registrar.account.key, answer["typedData"]),
        }
        if "certificateNumber" in answer:
            submission |= {"certificateNumber": answer["certificateNumber"], "issuedAt": answer["issuedAt"]}
        return self.client.post(submit, json=submission, headers=registrar.headers)

    def review(
        self, registrar: Actor, asset_id: str, stage: str, *, passed: bool = True, reason: str = "complete"
    ) -> dict[str, Any]:
        response = self.registrar_act(
            registrar,
            f"/v1/assets/{asset_id}/review-requests",
            f"/v1/assets/{asset_id}/reviews",
            {"stage": stage, "passed": passed, "reason": reason},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def issue_certificate(self, registrar: Actor, asset_id: str) -> Any:
        """The asset's next certificate, signed by ``registrar``: the response of its submission."""
        return self.registrar_act(
            registrar, f"/v1/assets/{asset_id}/certificate-requests", f"/v1/assets/{asset_id}/certificates"
        )

    def revoke(self, registrar: Actor, asset_id: str, reason: str = "unlawful") -> Any:
        """Revoke the registration, signed by ``registrar``: the response of the submission."""
        return self.registrar_act(
            registrar,
            f"/v1/assets/{asset_id}/revocation-requests",
            f"/v1/assets/{asset_id}/revocation",
            {"reason": reason},
        )

    def renew(self, registrar: Actor, asset_id: str) -> Any:
        """Renew the registration, signed by ``registrar``: the response of the submission."""
        return self.registrar_act(
            registrar, f"/v1/assets/{asset_id}/renewal-requests", f"/v1/assets/{asset_id}/renewal"
        )

    def pledge(
        self, holder: Actor, asset_id: str, pledgee: Actor, *, by: Actor | None = None, **overrides: Any
    ) -> Any:
        """Pledge ``asset_id`` to ``pledgee``: prepared by ``by`` (default: the holder), signed by both
        parties where they are, filed by ``by``; the response of the submission (or of the preparation,
        when the API refuses it there)."""
        body, filer = pledge_terms(pledgee, **overrides), by or holder
        prepared = self.client.post(
            f"/v1/assets/{asset_id}/pledge-requests", json=body, headers=filer.headers
        )
        if prepared.status_code != 200:
            return prepared
        submission = signed_pledge(body, prepared.json(), holder, pledgee)
        return self.client.post(f"/v1/assets/{asset_id}/pledges", json=submission, headers=filer.headers)

    def pledge_submission(
        self, holder: Actor, asset_id: str, pledgee: Actor, *, by: Actor | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A pledge both parties signed, ready to file (see :meth:`pledge`)."""
        body, filer = pledge_terms(pledgee, **overrides), by or holder
        prepared = self.client.post(
            f"/v1/assets/{asset_id}/pledge-requests", json=body, headers=filer.headers
        )
        assert prepared.status_code == 200, prepared.text
        return signed_pledge(body, prepared.json(), holder, pledgee)

    def certify(self, registrar: Actor, asset_id: str) -> dict[str, Any]:
        """Walk the procedure as fast as it allows (both reviews, a public notice of zero seconds, no
        objection) and issue the certificate."""
        self.set_notice_period(0)
        self.review(registrar, asset_id, "formal")
        self.review(registrar, asset_id, "substantive")
        response = self.issue_certificate(registrar, asset_id)
        assert response.status_code == 201, response.text
        return dict(response.json())


#: 2030-01-01T00:00:00Z: the maturity of the test pledges.
PLEDGE_MATURITY = 1_893_456_000


def pledge_terms(pledgee: Actor, **overrides: Any) -> dict[str, Any]:
    """What a holder and a bank agree for a pledge (camelCase, as the API takes it)."""
    assert pledgee.account is not None
    return {
        "pledgee": pledgee.account.address,
        "terms": "RMB 5m facility, 12 months, Bank of Hainan",
        "securedAmount": 500_000_000,
        "currency": "CNY",
        "maturity": PLEDGE_MATURITY,
        "valuation": "Appraised at RMB 8m by Hainan Data Appraisal, report 2026-311",
        **overrides,
    }


def signed_pledge(
    body: dict[str, Any], prepared: dict[str, Any], holder: Actor, pledgee: Actor
) -> dict[str, Any]:
    """The submission of a prepared pledge: each party signs its own message with its own key."""
    assert holder.account is not None and pledgee.account is not None
    return {
        **body,
        "salt": prepared["salt"],
        "byHolder": _party(prepared["holder"], holder.account),
        "byPledgee": _party(prepared["pledgee"], pledgee.account),
    }


def _party(prepared: dict[str, Any], signer: LocalAccount) -> dict[str, Any]:
    return {
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(signer.key, prepared["typedData"]),
    }
