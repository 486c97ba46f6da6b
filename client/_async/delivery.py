"""The delivery gateway's resource: a holder deposits what is delivered; a licensee redeems a use and
receives the data, resumed with byte ranges and checked against its SHA-256.

Every method names its operationId (tests/client checks them against the OpenAPI document, as for
:mod:`dataledger.client._async.resources`). A use is signed here, never on the server: the prepared
``DeliveryUse`` is checked first (its type, the licence registry's domain, the licence and the
consumer asked for). Personal data is received against a data subject's consent: the request's hash
is computed here (:func:`consent_request_hash`), the enterprise signs the ``ConsentUse`` here, then
presents its transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from dataledger.client._async.resources import JSON, Resource
from dataledger.client.errors import UnexpectedMessage
from dataledger.client.signers import Signer
from dataledger.registry.delivery.consent_requests import consent_request_hash
from dataledger.registry.delivery.receipts import DeliveryReceipt, verify_receipt
from dataledger.registry.delivery.uses import DELIVERY_USE_FIELDS, DELIVERY_USE_TYPE
from dataledger.registry.holder_signatures import LICENCE_DOMAIN_NAME

BLOCK = 1 << 20
CONTENT_HASH_HEADER = "x-content-sha256"
USE_HEADER = "x-delivery-use"


class ContentHashMismatch(UnexpectedMessage):
    """What was received does not hash to what the gateway said it delivered (kept as ``.part``)."""


def _checked_use(prepared: dict[str, Any], licence_id: int, consumer: str) -> dict[str, Any]:
    typed = prepared["typedData"]
    fields = [{"name": name, "type": kind} for name, kind in DELIVERY_USE_FIELDS]
    message = typed.get("message", {})
    if (
        typed.get("primaryType") != DELIVERY_USE_TYPE
        or typed.get("types", {}).get(DELIVERY_USE_TYPE) != fields
    ):
        raise UnexpectedMessage("the server prepared something else than a DeliveryUse")
    if typed.get("domain", {}).get("name") != LICENCE_DOMAIN_NAME:
        raise UnexpectedMessage("the DeliveryUse is not for the licence registry")
    if (
        int(message.get("licenceId", -1)) != licence_id
        or str(message.get("consumer", "")).lower() != consumer.lower()
    ):
        raise UnexpectedMessage("the DeliveryUse names another licence or consumer")
    if message != prepared["use"]:
        raise UnexpectedMessage("the use to send back is not the use to sign")
    return dict(typed)


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with open(path, "rb") as source:
        while block := source.read(BLOCK):
            yield block


class Deliveries(Resource):
    # -- the holder ---------------------------------------------------------------------------------

    async def deposit_file(
        self,
        asset_id: str,
        path: str | Path,
        *,
        declared_hash: str | None = None,
        media_type: str | None = None,
    ) -> JSON:
        """Stream ``path`` to the gateway as what is delivered for ``asset_id``: its SHA-256 must be the
        asset's registered content hash, or ``declared_hash`` (a derivative)."""
        return await self._client.json(
            "depositFile",
            "PUT",
            "/v1/deliveries/assets/{assetId}/file",
            path={"assetId": asset_id},
            params={"declaredHash": declared_hash},
            content=_file_chunks(Path(path)),
            headers={"Content-Type": media_type or "application/octet-stream"},
        )

    async def deposit_api(self, asset_id: str, base_url: str, *, personal_data: bool = False) -> JSON:
        """Deliver ``asset_id`` through the holder's API at ``base_url`` (one GET per use). With
        ``personal_data`` the API serves data subjects' records: each GET only against a consent."""
        body = {"assetId": asset_id, "baseUrl": base_url, "personalData": personal_data}
        return await self._client.json("depositApi", "POST", "/v1/deliveries/deposits", json=body)

    async def deposits(self, asset_id: str) -> JSON:
        return await self._client.json(
            "listDeposits", "GET", "/v1/deliveries/deposits", params={"assetId": asset_id}
        )

    # -- the licensee ---------------------------------------------------------------------------------

    async def redeem(self, licence_id: int, *, signer: Signer, request_hash: str | None = None) -> JSON:
        """Sign one use of the licence here and redeem it: the licence's next use, exactly once."""
        prepared = await self._client.json(
            "prepareDeliveryUse",
            "POST",
            "/v1/deliveries/use-requests",
            json={"licenceId": licence_id, "requestHash": request_hash},
        )
        signature = signer.sign_typed_data(_checked_use(prepared, licence_id, signer.address))
        body = {"use": prepared["use"], "signature": signature}
        return await self._client.json("redeemUse", "POST", "/v1/deliveries/uses", json=body)

    async def redeem_chain_use(self, licence_id: int, tx_hash: str, log_index: int | None = None) -> JSON:
        """Redeem a use consumed on chain (``licences.use``) by its transaction."""
        body = {"licenceId": licence_id, "txHash": tx_hash, "logIndex": log_index}
        return await self._client.json("redeemChainUse", "POST", "/v1/deliveries/chain-uses", json=body)

    async def fetch(self, use_id: str, destination: str | Path) -> Path:
        """Download the object of a redeemed use to ``destination``, resuming ``destination.part`` if a
        previous attempt left one; the whole is checked against the gateway's SHA-256 before it is
        renamed into place (ContentHashMismatch, and the part kept, if not)."""
        destination = Path(destination)
        part = destination.with_name(destination.name + ".part")
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else None
        response = await self._client.call(
            "fetchDeliveryContent",
            "GET",
            "/v1/deliveries/uses/{useId}/content",
            path={"useId": use_id},
            headers=headers,
        )
        expected = response.headers.get(CONTENT_HASH_HEADER, "")
        with open(part, "ab" if response.status_code == 206 else "wb") as out:
            out.write(response.content)
        digest = hashlib.sha256()
        with open(part, "rb") as received:
            while block := received.read(BLOCK):
                digest.update(block)
        if "0x" + digest.hexdigest() != expected.lower():
            raise ContentHashMismatch(f"the data received hashes to 0x{digest.hexdigest()}, not {expected}")
        part.replace(destination)
        return destination

    async def receive(
        self, licence_id: int, destination: str | Path, *, signer: Signer, request_hash: str | None = None
    ) -> JSON:
        """One delivery: redeem a use of the licence, download and check the object; the redeemed use."""
        use = await self.redeem(licence_id, signer=signer, request_hash=request_hash)
        await self.fetch(use["useId"], destination)
        return use

    async def receive_at_once(
        self, licence_id: int, destination: str | Path, *, signer: Signer, request_hash: str | None = None
    ) -> str:
        """One delivery in one request: sign a use of the licence here, redeem it and receive the whole
        object in the same response, checked against the gateway's SHA-256 before it is written to
        ``destination``; the use's id (a broken download resumes with :meth:`fetch` on it)."""
        prepared = await self._client.json(
            "prepareDeliveryUse",
            "POST",
            "/v1/deliveries/use-requests",
            json={"licenceId": licence_id, "requestHash": request_hash},
        )
        signature = signer.sign_typed_data(_checked_use(prepared, licence_id, signer.address))
        response = await self._client.call(
            "redeemAndFetchContent",
            "POST",
            "/v1/deliveries/content",
            json={"use": prepared["use"], "signature": signature},
        )
        expected = response.headers.get(CONTENT_HASH_HEADER, "")
        if "0x" + hashlib.sha256(response.content).hexdigest() != expected.lower():
            raise ContentHashMismatch("the data received does not hash to what the gateway said it delivered")
        Path(destination).write_bytes(response.content)
        return str(response.headers.get(USE_HEADER, prepared["useId"]))

    async def call_api(self, use_id: str, path: str) -> bytes:
        """One GET of ``path`` of the holder's API through the gateway for a redeemed use; the answer,
        hash-checked. (A query for the holder's API goes on the route itself, over HTTP.)"""
        response = await self._client.call(
            "proxyDeliveryApi",
            "GET",
            "/v1/deliveries/uses/{useId}/api/{path}",
            path={"useId": use_id, "path": path.lstrip("/")},
        )
        expected = response.headers.get(CONTENT_HASH_HEADER, "")
        if "0x" + hashlib.sha256(response.content).hexdigest() != expected.lower():
            raise ContentHashMismatch("the API's answer does not hash to what the gateway said it delivered")
        return response.content

    # -- personal data, against a data subject's consent (the enterprise) --------------------------------

    async def redeem_consent_use(self, licence_id: int, tx_hash: str, log_index: int | None = None) -> JSON:
        """Redeem a data subject's consent consumed on chain (its ``consumeConsent`` transaction), for one
        call of the personal-data API of the asset of ``licence_id`` (the enterprise's licence)."""
        body = {"licenceId": licence_id, "txHash": tx_hash, "logIndex": log_index}
        return await self._client.json("redeemConsentUse", "POST", "/v1/deliveries/consent-uses", json=body)

    async def receive_personal_data(
        self,
        licence_id: int,
        asset_id: str,
        consent_id: int,
        path: str,
        *,
        signer: Signer,
    ) -> tuple[JSON, bytes]:
        """One subject's record, once: consume consent ``consent_id`` for exactly this GET of ``path`` of
        the asset's API (``signer`` is the enterprise's key, used here), redeem it at the gateway, and
        call the API; the redeemed use and the answer, hash-checked. (A request with a query: hash it
        with :func:`consent_request_hash` and call the route over HTTP.)"""
        consent = await self._client.consents.get(consent_id)
        request_hash = consent_request_hash(asset_id, str(consent["subject"]), path)
        await self._client.consents.use(consent_id, request_hash, signer=signer)
        history = (await self._client.consents.get(consent_id))["history"]
        consumed = [a for a in history if a["act"] == "consent-consumed"]
        if not consumed:
            raise UnexpectedMessage("the consent's history holds no consumption after it was consumed")
        evidence = consumed[-1]["chainEvidence"]
        use = await self.redeem_consent_use(licence_id, evidence["txHash"], evidence["logIndex"])
        if use.get("requestHash") != request_hash or use.get("consentId") != consent_id:
            raise UnexpectedMessage("the gateway redeemed another consent or request than the one consumed")
        return use, await self.call_api(use["useId"], path)

    # -- reads ------------------------------------------------------------------------------------------

    async def use(self, use_id: str) -> JSON:
        """A redeemed use with its proof against the chain."""
        return await self._client.json(
            "getDeliveryUse", "GET", "/v1/deliveries/uses/{useId}", path={"useId": use_id}
        )

    async def uses(self, licence_id: int, *, limit: int = 50, offset: int = 0) -> JSON:
        params = {"licenceId": licence_id, "limit": limit, "offset": offset}
        return await self._client.json("listDeliveryUses", "GET", "/v1/deliveries", params=params)

    async def gateway_key(self) -> str:
        """The gateway's Ed25519 public key (base64url)."""
        key = await self._client.json("deliveryGatewayKey", "GET", "/v1/deliveries/gateway-key")
        return str(key["publicKey"])

    async def receipt(self, use_id: str, *, public_key: str | None = None) -> JSON:
        """The delivery's receipt, its signature checked against the gateway's key (``public_key``, or
        the one the gateway publishes)."""
        body = await self._client.json(
            "getDeliveryReceipt", "GET", "/v1/deliveries/uses/{useId}/receipt", path={"useId": use_id}
        )
        key = public_key or await self.gateway_key()
        verify_receipt(DeliveryReceipt.from_payload(body["receipt"]), body["signature"], key)
        return body
