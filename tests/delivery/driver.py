"""Drives the delivery gateway over HTTP as a holder, a licensee and a data subject do."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from httpx import Response

from dataledger.registry.delivery.consent_requests import consent_request_hash
from dataledger.registry.holder_signatures import sign_typed_data
from tests.factories import Actor, asset_facts
from tests.lifecycle.driver import LifecycleDriver


@dataclass(frozen=True)
class ConsumedConsent:
    """A data subject's consent, consumed on chain by the enterprise's ``consumeConsent``."""

    consent_id: int
    subject: LocalAccount
    request_hash: str
    tx_hash: str
    log_index: int

    def redemption(self, licence_id: int) -> dict[str, Any]:
        return {"licenceId": licence_id, "txHash": self.tx_hash, "logIndex": self.log_index}


@dataclass
class Licensed:
    """A certified asset with deposited content, and a licence on it."""

    holder: Actor
    licensee: Actor
    asset: dict[str, Any]
    licence: dict[str, Any]
    content: bytes

    @property
    def licence_id(self) -> int:
        return int(self.licence["licenceId"])


CV_CHECK = "one CV check"  # the purpose of the personal-data licences and consents here


class DeliveryDriver(LifecycleDriver):
    def licensed(
        self, *, max_uses: int = 3, size: int = 4096, deposit: bool = True, **terms: Any
    ) -> Licensed:
        """A certified asset whose registered content is ``size`` random bytes (deposited unless told
        not to), licensed to a new licensee for ``max_uses`` uses."""
        content = os.urandom(size)
        holder, licensee, registrar = self.participants("enterprise", "enterprise", "registrar")
        facts = asset_facts(content_hash="0x" + hashlib.sha256(content).hexdigest())
        asset, _ = self.certified(holder, registrar, facts)
        granted = self.grant(
            holder, self.licence_terms(asset["assetId"], licensee, max_uses=max_uses, **terms)
        )
        assert granted.status_code == 201, granted.text
        if deposit:
            response = self.deposit(holder, asset["assetId"], content)
            assert response.status_code == 201, response.text
        return Licensed(holder, licensee, asset, granted.json(), content)

    def deposit(
        self, holder: Actor, asset_id: str, content: bytes, declared_hash: str | None = None
    ) -> Response:
        query = f"?declaredHash={declared_hash}" if declared_hash else ""
        return self.client.put(
            f"/v1/deliveries/assets/{asset_id}/file{query}",
            content=content,
            headers={**holder.headers, "Content-Type": "application/octet-stream"},
        )

    def prepared_use(self, licensee: Actor, licence_id: int) -> dict[str, Any]:
        response = self.client.post(
            "/v1/deliveries/use-requests", json={"licenceId": licence_id}, headers=licensee.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def signed_use(
        self, licensee: Actor, licence_id: int, signer: LocalAccount | None = None
    ) -> dict[str, Any]:
        """A use of the licence, prepared by the gateway and signed with the licensee's key."""
        prepared = self.prepared_use(licensee, licence_id)
        key = signer or licensee.account
        assert key is not None
        return {"use": prepared["use"], "signature": sign_typed_data(key.key, prepared["typedData"])}

    def redeem(self, consumer: Actor, signed: dict[str, Any]) -> Response:
        return self.client.post("/v1/deliveries/uses", json=signed, headers=consumer.headers)

    def content(self, consumer: Actor, use_id: str, byte_range: str | None = None) -> Response:
        headers = dict(consumer.headers)
        if byte_range is not None:
            headers["Range"] = byte_range
        return self.client.get(f"/v1/deliveries/uses/{use_id}/content", headers=headers)

    def deliver(self, licensed: Licensed) -> Response:
        """One whole delivery: sign a use, redeem it, fetch the object; the fetch's response (or the
        redemption's, when the gateway refused it)."""
        prepared = self.client.post(
            "/v1/deliveries/use-requests",
            json={"licenceId": licensed.licence_id},
            headers=licensed.licensee.headers,
        )
        if prepared.status_code != 200:
            return prepared
        key = licensed.licensee.account
        assert key is not None
        signed = {
            "use": prepared.json()["use"],
            "signature": sign_typed_data(key.key, prepared.json()["typedData"]),
        }
        redeemed = self.redeem(licensed.licensee, signed)
        if redeemed.status_code != 201:
            return redeemed
        return self.content(licensed.licensee, redeemed.json()["useId"])

    def deliver_at_once(self, consumer: Actor, signed: dict[str, Any]) -> Response:
        """One request: redeem the signed use and receive the object in the same response."""
        return self.client.post("/v1/deliveries/content", json=signed, headers=consumer.headers)

    # -- personal data against a data subject's consent -------------------------------------------

    def personal_data_api(self, base_url: str, *, max_uses: int = 3, **terms: Any) -> Licensed:
        """A certified asset licensed to an enterprise for :data:`CV_CHECK` (unless told otherwise),
        delivered through the holder's API at ``base_url``, which serves data subjects' records
        (``personalData``)."""
        terms.setdefault("purpose", CV_CHECK)
        licensed = self.licensed(max_uses=max_uses, deposit=False, **terms)
        deposited = self.client.post(
            "/v1/deliveries/deposits",
            json={"assetId": licensed.asset["assetId"], "baseUrl": base_url, "personalData": True},
            headers=licensed.holder.headers,
        )
        assert deposited.status_code == 201, deposited.text
        assert deposited.json()["personalData"] is True
        return licensed

    def consent(
        self, enterprise: Actor, subject: LocalAccount, *, valid_for: int = 3600, purpose: str = CV_CHECK
    ) -> int:
        """A consent ``subject`` signs for one query by ``enterprise`` for ``purpose``, recorded on chain;
        its id."""
        granted = self.act(
            enterprise,
            "/v1/consents/requests",
            "/v1/consents",
            {
                "subject": subject.address,
                "purpose": purpose,
                "validUntil": self.clock.now() + valid_for,
            },
            signer=subject,
        )
        assert granted.status_code == 201, granted.text
        return int(granted.json()["consentId"])

    def consume(self, enterprise: Actor, consent_id: int, request_hash: str) -> Response:
        """The enterprise consumes the consent on chain with ``request_hash`` (it signs)."""
        return self.act(
            enterprise,
            f"/v1/consents/{consent_id}/use-requests",
            f"/v1/consents/{consent_id}/uses",
            {"requestHash": request_hash},
        )

    def consumed(
        self,
        licensed: Licensed,
        path: str,
        query: str = "",
        *,
        subject: LocalAccount | None = None,
        valid_for: int = 3600,
        purpose: str = CV_CHECK,
    ) -> ConsumedConsent:
        """A new subject's consent to ``licensed.licensee``, consumed for one GET of ``path?query`` of
        the asset's API: the transaction the enterprise presents at the gateway."""
        subject = subject or Account.create()
        consent_id = self.consent(licensed.licensee, subject, valid_for=valid_for, purpose=purpose)
        request = consent_request_hash(licensed.asset["assetId"], subject.address, path, query)
        consumed = self.consume(licensed.licensee, consent_id, request)
        assert consumed.status_code == 201, consumed.text
        history = self.client.get(f"/v1/consents/{consent_id}", headers=licensed.licensee.headers).json()
        (act,) = [a for a in history["history"] if a["act"] == "consent-consumed"]
        evidence = act["chainEvidence"]
        return ConsumedConsent(consent_id, subject, request, evidence["txHash"], evidence["logIndex"])

    def redeem_consent(self, enterprise: Actor, body: dict[str, Any]) -> Response:
        return self.client.post("/v1/deliveries/consent-uses", json=body, headers=enterprise.headers)

    def call_api(self, consumer: Actor, use_id: str, path: str, query: str = "") -> Response:
        suffix = f"?{query}" if query else ""
        return self.client.get(f"/v1/deliveries/uses/{use_id}/api/{path}{suffix}", headers=consumer.headers)
