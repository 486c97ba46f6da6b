"""Drives the delivery gateway over HTTP as a holder and a licensee do."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from httpx import Response

from dataledger.registry.holder_signatures import sign_typed_data
from tests.factories import Actor, asset_facts
from tests.lifecycle.driver import LifecycleDriver


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
