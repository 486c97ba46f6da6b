"""The API's resources, one class each; methods are named after what the caller does.

Signed acts take a ``signer`` (see :mod:`dataledger.client.signers`): the method prepares the act on
the server, checks the prepared message (:mod:`dataledger.client.signing`), signs it locally and
relays it, in one call. A registrar's acts (reviews, rejections, resolutions, certificates, renewals,
revocations) too: the registration institution's own key signs them, and the prepared message must
name that key as its ``registrar``. Every method names its operationId: tests/client checks that the SDK
covers every operation of the OpenAPI document with the right method and path.

One signer's acts go one after the other: the server prepares each with the signer's next nonce, so
two prepared at once carry the same nonce and the second is refused (409 ``nonce-replayed``). Acts of
different signers may run concurrently; :meth:`Bulk.register` registers many assets of one holder at
once (its nonces are the holder's to choose).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic.alias_generators import to_snake

from dataledger.client._async.backend import sleep
from dataledger.client.errors import UnexpectedMessage
from dataledger.client.hashing import Progress, hash_path
from dataledger.client.signers import Signer
from dataledger.client.signing import checked
from dataledger.registry.assets import (
    AssetFacts,
    RightClaimed,
    lawful_source_commitment,
    metadata_commitment,
    reason_hash,
    text_commitment,
)
from dataledger.registry.certificate import certificate_hash
from dataledger.registry.chain_records import EXCLUSIVITY_ON_CHAIN
from dataledger.registry.holder_signatures import ZERO_HASH
from dataledger.registry.market.licence_templates import Exclusivity

if TYPE_CHECKING:
    from dataledger.client._async.client import AsyncClient

JSON = Any
HEX32_LENGTH = 66
REVIEW_STAGES = ("formal", "substantive")  # the contract's ReviewStage, in its order
# A prepared certificate is submitted with the number and issue time it was prepared with.
CERTIFICATE_CARRY = ("certificateNumber", "issuedAt")


def _certificate_expected(asset_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What a registrar signs for a certificate of ``asset_id``: the hash of the credential the server
    prepared, recomputed here, and only for a credential that certifies that asset."""

    def expected(prepared: dict[str, Any]) -> dict[str, Any]:
        certificate = prepared.get("certificate") or {}
        subject = certificate.get("credentialSubject", {}).get("asset", {})
        if str(subject.get("assetId", "")).lower() != asset_id.lower():
            raise UnexpectedMessage(f"the prepared certificate is not for asset {asset_id}")
        return {"certificateHash": certificate_hash(certificate)}

    return expected


def pledge_party(address: str) -> str:
    """An address as a typed message carries it (checksummed), to compare with what the server prepared."""
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


def _pledge_terms(body: dict[str, Any], salt: str) -> dict[str, Any]:
    """The pledge terms both parties sign, recomputed here from the texts and the server's salt."""
    return {
        "termsHash": text_commitment("pledge-terms", body["terms"], salt),
        "securedAmount": body["securedAmount"],
        "currency": body["currency"],
        "maturity": body["maturity"],
        "valuationHash": text_commitment("pledge-valuation", body["valuation"], salt),
    }


def _pledge_certificate_expected(asset_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What a registrar signs for a pledge certificate of ``asset_id``: the credential's hash, recomputed."""

    def expected(prepared: dict[str, Any]) -> dict[str, Any]:
        certificate = prepared.get("certificate") or {}
        subject = certificate.get("credentialSubject", {}).get("asset", {})
        if str(subject.get("assetId", "")).lower() != asset_id.lower():
            raise UnexpectedMessage(f"the prepared pledge certificate is not for asset {asset_id}")
        return {"certificateHash": certificate_hash(certificate)}

    return expected


class Resource:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _act(
        self,
        prepare: tuple[str, str],
        submit: tuple[str, str],
        body: dict[str, Any],
        signer: Signer,
        primary_type: str,
        expected: dict[str, Any],
        *,
        path: dict[str, Any] | None = None,
        carry: tuple[str, ...] = ("salt",),
        expect_salted: dict[str, tuple[str, str]] | None = None,
        expect_prepared: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> JSON:
        """Prepare (operationId, path) ``prepare``, check and sign, then submit to ``submit``.

        ``expect_salted`` names message fields whose value is the salted hash of a text the caller
        gave: ``{"scopeHash": ("licence-scope", scope)}``, recomputed with the salt the server chose.
        ``expect_prepared`` computes more expected fields from what was prepared (a certificate's
        hash, recomputed here from the credential the server answered).
        """
        # acts with nothing to say but their asset (a release, a cancellation) prepare without a body
        prepared = await self._client.json(
            prepare[0], "POST", prepare[1], path=path, json=body if body else None
        )
        expected = dict(expected)
        for field, (kind, text) in (expect_salted or {}).items():
            expected[field] = text_commitment(kind, text, prepared["salt"])
        if expect_prepared is not None:
            expected.update(expect_prepared(prepared))
        signature = signer.sign_typed_data(checked(prepared["typedData"], primary_type, expected))
        submission = {
            **body,
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": signature,
        }
        for name in carry:
            if name in prepared:
                submission[name] = prepared[name]
        return await self._client.json(submit[0], "POST", submit[1], path=path, json=submission)

    async def _pages(
        self,
        operation_id: str,
        template: str,
        params: dict[str, Any],
        page_size: int,
        path: dict[str, Any] | None = None,
    ) -> AsyncIterator[JSON]:
        offset = 0
        while True:
            page = await self._client.json(
                operation_id,
                "GET",
                template,
                path=path,
                params={**params, "limit": page_size, "offset": offset},
            )
            items = page["items"]
            for item in items:
                yield item
            offset += len(items)
            if len(items) < page_size or ("total" in page and offset >= page["total"]):
                return


def domain_facts(facts: dict[str, Any]) -> AssetFacts:
    """The domain's facts from their wire form (camelCase keys), validated as the server will."""
    return AssetFacts(**{to_snake(name): value for name, value in facts.items()})


def right_index(facts: AssetFacts) -> int:
    """The ``right`` of a ``Registration`` message: the index of the right claimed, as the contract has it."""
    return list(RightClaimed).index(facts.right_claimed)


def content_hash_of(path_or_hash: str | Path, progress: Progress | None = None) -> str:
    """``path_or_hash`` if it is already a 0x-hex SHA-256, else the hash of that file or folder."""
    text = str(path_or_hash)
    if text.startswith("0x") and len(text) == HEX32_LENGTH and not Path(text).exists():
        return text.lower()
    return hash_path(Path(path_or_hash), progress)


# -- participants and health --------------------------------------------------------------------------


class Participants(Resource):
    async def create(self, name: str, role: str, address: str | None = None) -> JSON:
        """Create a participant and its API key (administrator only); the key is shown once."""
        body = {"name": name, "role": role, **({"address": address} if address else {})}
        return await self._client.json("createParticipant", "POST", "/v1/participants", json=body)

    async def me(self) -> JSON:
        return await self._client.json("whoAmI", "GET", "/v1/participants/me")

    async def revoke_registrar(self, participant_id: str) -> JSON:
        """Revoke a registrar's role on chain (administrator): its key's acts are refused from now on."""
        return await self._client.json(
            "revokeRegistrarRole",
            "DELETE",
            "/v1/participants/{participantId}/registrar-role",
            path={"participantId": participant_id},
        )

    async def get(self, participant_id: str) -> JSON:
        return await self._client.json(
            "getParticipant",
            "GET",
            "/v1/participants/{participantId}",
            path={"participantId": participant_id},
        )


class Health(Resource):
    async def liveness(self) -> JSON:
        return await self._client.json("healthz", "GET", "/healthz")

    async def readiness(self) -> JSON:
        """The readiness report; a 503 (not ready) raises :class:`ServerError` with the report."""
        return await self._client.json("readyz", "GET", "/readyz")

    async def metrics(self) -> str:
        return (await self._client.call("metrics", "GET", "/metrics")).text


# -- assets: registration and the holder's acts ---------------------------------------------------------


class Assets(Resource):
    async def register(
        self,
        path_or_hash: str | Path,
        facts: dict[str, Any],
        *,
        signer: Signer,
        salt: str | None = None,
        progress: Progress | None = None,
    ) -> JSON:
        """Register a data asset: hash the file or folder here (or take its hash), sign, relay.

        ``facts`` are the registration's facts in their wire form (``name``, ``description``,
        ``source``, ``collectionMethod``, ...); ``contentHash`` is set from ``path_or_hash``.
        """
        facts = {**facts, "contentHash": content_hash_of(path_or_hash, progress)}
        body: dict[str, Any] = {"facts": facts, **({"salt": salt} if salt else {})}
        prepared = await self._client.json(
            "prepareRegistration", "POST", "/v1/assets/registration-requests", json=body
        )
        domain = domain_facts(facts)
        expected = {
            "holder": signer.address,
            "contentHash": domain.content_hash,
            "metadataHash": metadata_commitment(domain, signer.address, prepared["salt"]),
            "right": right_index(domain),
            "lawfulSourceHash": lawful_source_commitment(domain, prepared["salt"]),
        }
        signature = signer.sign_typed_data(checked(prepared["typedData"], "Registration", expected))
        submission = {
            "facts": facts,
            "salt": prepared["salt"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": signature,
        }
        return await self._client.json("registerAsset", "POST", "/v1/assets", json=submission)

    async def list(self, *, limit: int = 50, offset: int = 0) -> JSON:
        return await self._client.json(
            "listAssets", "GET", "/v1/assets", params={"limit": limit, "offset": offset}
        )

    async def iterate(self, *, page_size: int = 100) -> AsyncIterator[JSON]:
        """Every asset the caller may see, page after page."""
        async for item in self._pages("listAssets", "/v1/assets", {}, page_size):
            yield item

    async def get(self, asset_id: str) -> JSON:
        return await self._client.json("getAsset", "GET", "/v1/assets/{assetId}", path={"assetId": asset_id})

    async def history(
        self,
        asset_id: str,
        *,
        act: str | None = None,
        actor: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        check: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> JSON:
        """The asset's acts with their transaction evidence; ``check`` compares each with the chain."""
        params = {"act": act, "actor": actor, "fromBlock": from_block, "toBlock": to_block, "check": check}
        return await self._client.json(
            "assetHistory",
            "GET",
            "/v1/assets/{assetId}/history",
            path={"assetId": asset_id},
            params={**params, "limit": limit, "offset": offset},
        )

    async def certificates(self, asset_id: str) -> JSON:
        return await self._client.json(
            "assetCertificates", "GET", "/v1/assets/{assetId}/certificates", path={"assetId": asset_id}
        )

    async def issue_certificate(self, asset_id: str, *, signer: Signer) -> JSON:
        """Issue the asset's next certificate, signed by the registrar's ``signer``: the first once the
        notice ended with no objection open, or the successor after a transfer, enforcement or change.
        The credential's hash is recomputed here before the registrar signs it."""
        return await self._act(
            ("prepareCertificate", "/v1/assets/{assetId}/certificate-requests"),
            ("issueCertificate", "/v1/assets/{assetId}/certificates"),
            {},
            signer,
            "Certificate",
            {"registrar": signer.address, "assetId": asset_id},
            path={"assetId": asset_id},
            carry=CERTIFICATE_CARRY,
            expect_prepared=_certificate_expected(asset_id),
        )

    async def revoke(self, asset_id: str, reason: str, *, signer: Signer) -> JSON:
        """Revoke the registration, signed by the registrar's ``signer``."""
        return await self._act(
            ("prepareRevocation", "/v1/assets/{assetId}/revocation-requests"),
            ("revokeAsset", "/v1/assets/{assetId}/revocation"),
            {"reason": reason},
            signer,
            "Revocation",
            {"registrar": signer.address, "assetId": asset_id, "reasonHash": reason_hash(reason)},
            path={"assetId": asset_id},
        )

    async def check_against_chain(self, asset_id: str) -> JSON:
        """Compare the stored record with the chain, field by field (auditor, registrar)."""
        return await self._client.json(
            "checkAssetAgainstChain", "GET", "/v1/audit/assets/{assetId}", path={"assetId": asset_id}
        )

    async def versions(self, asset_id: str) -> JSON:
        return await self._client.json(
            "assetVersions", "GET", "/v1/assets/{assetId}/versions", path={"assetId": asset_id}
        )

    async def pledges(self, asset_id: str) -> JSON:
        return await self._client.json(
            "assetPledges", "GET", "/v1/assets/{assetId}/pledges", path={"assetId": asset_id}
        )

    async def change(
        self, asset_id: str, path_or_hash: str | Path, facts: dict[str, Any], *, signer: Signer
    ) -> JSON:
        """Register a new version of the data (holder-signed)."""
        facts = {**facts, "contentHash": content_hash_of(path_or_hash)}
        prepared = await self._client.json(
            "prepareChange",
            "POST",
            "/v1/assets/{assetId}/change-requests",
            path={"assetId": asset_id},
            json={"facts": facts},
        )
        domain = domain_facts(facts)
        expected = {
            "assetId": asset_id,
            "contentHash": domain.content_hash,
            "metadataHash": metadata_commitment(domain, signer.address, prepared["salt"]),
        }
        signature = signer.sign_typed_data(checked(prepared["typedData"], "Change", expected))
        submission = {
            "facts": facts,
            "salt": prepared["salt"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": signature,
        }
        return await self._client.json(
            "changeAsset", "POST", "/v1/assets/{assetId}/changes", path={"assetId": asset_id}, json=submission
        )

    async def transfer(self, asset_id: str, to: str, *, signer: Signer) -> JSON:
        """Transfer the rights to ``to`` (a participant's address); the new holder gets a certificate."""
        return await self._act(
            ("prepareTransfer", "/v1/assets/{assetId}/transfer-requests"),
            ("transferAsset", "/v1/assets/{assetId}/transfers"),
            {"to": to},
            signer,
            "Transfer",
            {"assetId": asset_id, "to": to},
            path={"assetId": asset_id},
        )

    async def propose_pledge(
        self,
        asset_id: str,
        pledgee: str,
        terms: str,
        *,
        secured_amount: int,
        currency: str,
        maturity: int,
        valuation: str,
        signer: Signer,
    ) -> JSON:
        """The holder's half of a pledge: prepared, checked and signed here; hand the answer (JSON) to the
        pledgee, who countersigns and files it with :meth:`accept_pledge`. ``secured_amount`` in the
        currency's minor unit; ``terms`` and ``valuation`` are kept off chain, their salted hashes on."""
        body = {
            "pledgee": pledgee,
            "terms": terms,
            "securedAmount": secured_amount,
            "currency": currency,
            "maturity": maturity,
            "valuation": valuation,
        }
        prepared = await self._client.json(
            "preparePledge",
            "POST",
            "/v1/assets/{assetId}/pledge-requests",
            path={"assetId": asset_id},
            json=body,
        )
        expected = {
            "assetId": asset_id,
            "pledgee": pledge_party(pledgee),
            **_pledge_terms(body, prepared["salt"]),
        }
        holder = prepared["holder"]
        signature = signer.sign_typed_data(checked(holder["typedData"], "Pledge", expected))
        by_holder = {"nonce": holder["nonce"], "deadline": holder["deadline"], "signature": signature}
        return {
            "assetId": asset_id,
            **body,
            "salt": prepared["salt"],
            "byHolder": by_holder,
            "pledgee": pledgee,
            "acceptance": prepared["pledgee"],
        }

    async def accept_pledge(self, proposal: dict[str, Any], *, signer: Signer) -> JSON:
        """The pledgee's half: check the proposal's ``PledgeAcceptance`` against its terms, countersign it
        here and file the pledge both parties signed."""
        asset_id = str(proposal["assetId"])
        asset = await self._client.json("getAsset", "GET", "/v1/assets/{assetId}", path={"assetId": asset_id})
        expected = {
            "assetId": asset_id,
            "holder": pledge_party(asset["holderAddress"]),
            **_pledge_terms(proposal, proposal["salt"]),
        }
        acceptance = proposal["acceptance"]
        signature = signer.sign_typed_data(checked(acceptance["typedData"], "PledgeAcceptance", expected))
        submission = {
            "pledgee": proposal["pledgee"],
            "terms": proposal["terms"],
            "securedAmount": proposal["securedAmount"],
            "currency": proposal["currency"],
            "maturity": proposal["maturity"],
            "valuation": proposal["valuation"],
            "salt": proposal["salt"],
            "byHolder": proposal["byHolder"],
            "byPledgee": {
                "nonce": acceptance["nonce"],
                "deadline": acceptance["deadline"],
                "signature": signature,
            },
        }
        return await self._client.json(
            "pledgeAsset", "POST", "/v1/assets/{assetId}/pledges", path={"assetId": asset_id}, json=submission
        )

    async def revalue_pledge(self, asset_id: str, valuation: str, *, signer: Signer) -> JSON:
        """State a new valuation of the pledged asset (the pledgee signs)."""
        return await self._act(
            ("preparePledgeRevaluation", "/v1/assets/{assetId}/pledge-revaluation-requests"),
            ("revaluePledge", "/v1/assets/{assetId}/pledge-revaluations"),
            {"valuation": valuation},
            signer,
            "PledgeRevaluation",
            {"assetId": asset_id, "pledgee": signer.address},
            path={"assetId": asset_id},
            expect_salted={"valuationHash": ("pledge-valuation", valuation)},
        )

    async def certify_pledge(self, asset_id: str, *, signer: Signer) -> JSON:
        """File the asset's pledge and issue its registration certificate (a registrar signs)."""
        return await self._act(
            ("preparePledgeCertificate", "/v1/assets/{assetId}/pledge-certificate-requests"),
            ("issuePledgeCertificate", "/v1/assets/{assetId}/pledge-certificates"),
            {},
            signer,
            "PledgeCertificate",
            {"registrar": signer.address, "assetId": asset_id},
            path={"assetId": asset_id},
            carry=CERTIFICATE_CARRY,
            expect_prepared=_pledge_certificate_expected(asset_id),
        )

    async def pledge_book(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> JSON:
        """The pledges the caller holds as pledgee (a bank's book), newest first."""
        query: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            query["status"] = status
        return await self._client.json("pledgeBook", "GET", "/v1/pledges", params=query)

    async def release_pledge(self, asset_id: str, *, signer: Signer) -> JSON:
        """Release the pledge (the pledgee signs)."""
        return await self._act(
            ("preparePledgeRelease", "/v1/assets/{assetId}/pledge-release-requests"),
            ("releasePledge", "/v1/assets/{assetId}/pledge-release"),
            {},
            signer,
            "PledgeRelease",
            {"assetId": asset_id, "pledgee": signer.address},
            path={"assetId": asset_id},
        )

    async def enforce_pledge(self, asset_id: str, *, signer: Signer) -> JSON:
        """Enforce the pledge: the rights pass to the pledgee (the pledgee signs)."""
        return await self._act(
            ("preparePledgeEnforcement", "/v1/assets/{assetId}/pledge-enforcement-requests"),
            ("enforcePledge", "/v1/assets/{assetId}/pledge-enforcement"),
            {},
            signer,
            "PledgeEnforcement",
            {"assetId": asset_id, "pledgee": signer.address},
            path={"assetId": asset_id},
        )

    async def cancel(self, asset_id: str, *, signer: Signer) -> JSON:
        """Cancel the registration (the holder signs)."""
        return await self._act(
            ("prepareCancellation", "/v1/assets/{assetId}/cancellation-requests"),
            ("cancelRegistration", "/v1/assets/{assetId}/cancellation"),
            {},
            signer,
            "Cancellation",
            {"assetId": asset_id},
            path={"assetId": asset_id},
        )

    async def renew(self, asset_id: str, *, signer: Signer) -> JSON:
        """Renew the certificate before it expires: a new one for a new term, signed by the registrar."""
        return await self._act(
            ("prepareRenewal", "/v1/assets/{assetId}/renewal-requests"),
            ("renewCertificate", "/v1/assets/{assetId}/renewal"),
            {},
            signer,
            "Renewal",
            {"registrar": signer.address, "assetId": asset_id},
            path={"assetId": asset_id},
            carry=CERTIFICATE_CARRY,
            expect_prepared=_certificate_expected(asset_id),
        )


# -- the registration procedure -------------------------------------------------------------------------


class Procedure(Resource):
    async def notice_period(self) -> JSON:
        return await self._client.json("getNoticePeriod", "GET", "/v1/registry/notice-period")

    async def set_notice_period(self, seconds: int) -> JSON:
        return await self._client.json(
            "setNoticePeriod", "PUT", "/v1/registry/notice-period", json={"seconds": seconds}
        )

    async def status(self, asset_id: str) -> JSON:
        return await self._client.json(
            "getProcedureStatus", "GET", "/v1/assets/{assetId}/procedure", path={"assetId": asset_id}
        )

    async def review(
        self, asset_id: str, stage: str, *, reason: str, signer: Signer, passed: bool = True
    ) -> JSON:
        """Record the formal or substantive review, signed by the registrar's ``signer``."""
        return await self._act(
            ("prepareReview", "/v1/assets/{assetId}/review-requests"),
            ("reviewAsset", "/v1/assets/{assetId}/reviews"),
            {"stage": stage, "passed": passed, "reason": reason},
            signer,
            "Review",
            {
                "registrar": signer.address,
                "assetId": asset_id,
                "stage": REVIEW_STAGES.index(stage) if stage in REVIEW_STAGES else -1,
                "passed": passed,
                "reasonHash": reason_hash(reason),
            },
            path={"assetId": asset_id},
        )

    async def reject(self, asset_id: str, reason: str, *, signer: Signer) -> JSON:
        """Reject the application, signed by the registrar's ``signer``."""
        return await self._act(
            ("prepareRejection", "/v1/assets/{assetId}/rejection-requests"),
            ("rejectAsset", "/v1/assets/{assetId}/rejection"),
            {"reason": reason},
            signer,
            "Rejection",
            {"registrar": signer.address, "assetId": asset_id, "reasonHash": reason_hash(reason)},
            path={"assetId": asset_id},
        )

    async def object(
        self, asset_id: str, reason: str, *, signer: Signer, evidence_hash: str | None = None
    ) -> JSON:
        """File a signed objection during the public notice."""
        body: dict[str, Any] = {"reason": reason}
        expected: dict[str, Any] = {
            "assetId": asset_id,
            "objector": signer.address,
            "reasonHash": reason_hash(reason),
        }
        if evidence_hash is not None:
            body["evidenceHash"] = evidence_hash
        expected["evidenceHash"] = ZERO_HASH if evidence_hash is None else evidence_hash
        return await self._act(
            ("prepareObjection", "/v1/assets/{assetId}/objection-requests"),
            ("fileObjection", "/v1/assets/{assetId}/objections"),
            body,
            signer,
            "Objection",
            expected,
            path={"assetId": asset_id},
        )

    async def objections(self, asset_id: str) -> JSON:
        return await self._client.json(
            "listObjections", "GET", "/v1/assets/{assetId}/objections", path={"assetId": asset_id}
        )

    async def objection(self, objection_id: int) -> JSON:
        return await self._client.json(
            "getObjection", "GET", "/v1/objections/{objectionId}", path={"objectionId": objection_id}
        )

    async def resolve(self, objection_id: int, *, upheld: bool, resolution: str, signer: Signer) -> JSON:
        """Resolve an objection, signed by the registrar's ``signer``; upheld rejects the application."""
        return await self._act(
            ("prepareObjectionResolution", "/v1/objections/{objectionId}/resolution-requests"),
            ("resolveObjection", "/v1/objections/{objectionId}/resolution"),
            {"upheld": upheld, "resolution": resolution},
            signer,
            "ObjectionResolution",
            {
                "registrar": signer.address,
                "objectionId": objection_id,
                "upheld": upheld,
                "resolutionHash": reason_hash(resolution),
            },
            path={"objectionId": objection_id},
        )


# -- certificates -----------------------------------------------------------------------------------------


class Certificates(Resource):
    async def get(self, number: str) -> JSON:
        """The signed certificate (a W3C verifiable credential)."""
        return await self._client.json(
            "getCertificate", "GET", "/v1/certificates/{number}", path={"number": number}
        )

    async def status(self, number: str) -> JSON:
        return await self._client.json(
            "certificateStatus", "GET", "/v1/certificates/{number}/status", path={"number": number}
        )

    async def verify(self, certificate: dict[str, Any], *, online: bool = True) -> JSON:
        """Every check of the certificate with its result; ``online`` also checks the chain."""
        return await self._client.json(
            "verifyCertificate",
            "POST",
            "/v1/certificates/verify",
            params={"online": online},
            json=certificate,
        )

    async def registrar(self) -> JSON:
        """The registrar's identity and public key (what verifiers trust)."""
        return await self._client.json("getRegistrar", "GET", "/v1/registrar")

    async def pledge_certificate(self, number: str) -> JSON:
        """A pledge registration certificate (a W3C verifiable credential)."""
        return await self._client.json(
            "getPledgeCertificate", "GET", "/v1/pledge-certificates/{number}", path={"number": number}
        )

    async def verify_pledge_certificate(self, certificate: dict[str, Any]) -> JSON:
        """Its proof, its record on chain, and whether the pledge it certifies still stands."""
        return await self._client.json(
            "verifyPledgeCertificate", "POST", "/v1/pledge-certificates/verify", json=certificate
        )


# -- licences and consents ---------------------------------------------------------------------------


class Licences(Resource):
    async def grant(
        self,
        asset_id: str,
        licensee: str,
        *,
        scope: str,
        purpose: str,
        valid_until: int,
        max_uses: int,
        signer: Signer,
        territory: str = "",
        valid_from: int | None = None,
        derivatives_allowed: bool = False,
        commercial: bool = False,
        asset_version: int = 0,
        exclusivity: str = "non-exclusive",
    ) -> JSON:
        """Grant a licence (the holder signs): uses are consumed one per use, on chain. A ``sole`` or
        ``exclusive`` licence is the only one of the asset in force in its term."""
        body: dict[str, Any] = {
            "assetId": asset_id,
            "licensee": licensee,
            "scope": scope,
            "purpose": purpose,
            "territory": territory,
            "validUntil": valid_until,
            "maxUses": max_uses,
            "derivativesAllowed": derivatives_allowed,
            "commercial": commercial,
            "assetVersion": asset_version,
            "exclusivity": exclusivity,
        }
        if valid_from is not None:
            body["validFrom"] = valid_from
        prepared = await self._client.json("prepareLicence", "POST", "/v1/licences/requests", json=body)
        salt = prepared["salt"]
        expected = {
            "assetId": asset_id,
            "licensee": licensee,
            "maxUses": max_uses,
            "validUntil": valid_until,
            "derivativesAllowed": derivatives_allowed,
            "commercial": commercial,
            "assetVersion": asset_version,
            "exclusivity": EXCLUSIVITY_ON_CHAIN.index(Exclusivity(exclusivity)),
            "scopeHash": text_commitment("licence-scope", scope, salt),
            "purposeHash": text_commitment("licence-purpose", purpose, salt),
            "territoryHash": text_commitment("licence-territory", territory, salt)
            if territory
            else ZERO_HASH,
            **({"validFrom": valid_from} if valid_from is not None else {}),
        }
        signature = signer.sign_typed_data(checked(prepared["typedData"], "Licence", expected))
        submission = {
            **body,
            "salt": salt,
            "validFrom": prepared["typedData"]["message"]["validFrom"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": signature,
        }
        return await self._client.json("grantLicence", "POST", "/v1/licences", json=submission)

    async def list(
        self, *, asset_id: str | None = None, licensee: str | None = None, limit: int = 50, offset: int = 0
    ) -> JSON:
        params = {"assetId": asset_id, "licensee": licensee, "limit": limit, "offset": offset}
        return await self._client.json("listLicences", "GET", "/v1/licences", params=params)

    async def get(self, licence_id: int) -> JSON:
        return await self._client.json(
            "getLicence", "GET", "/v1/licences/{licenceId}", path={"licenceId": licence_id}
        )

    async def use(self, licence_id: int, request_hash: str, *, signer: Signer) -> JSON:
        """Consume one use (the licensee signs); refused once the uses or the term run out."""
        return await self._act(
            ("prepareLicenceUse", "/v1/licences/{licenceId}/use-requests"),
            ("useLicence", "/v1/licences/{licenceId}/uses"),
            {"requestHash": request_hash},
            signer,
            "LicenceUse",
            {"licenceId": licence_id, "requestHash": request_hash},
            path={"licenceId": licence_id},
        )

    async def revoke(self, licence_id: int, reason: str, *, signer: Signer) -> JSON:
        """Revoke the licence (the licensor signs)."""
        return await self._act(
            ("prepareLicenceRevocation", "/v1/licences/{licenceId}/revocation-requests"),
            ("revokeLicence", "/v1/licences/{licenceId}/revocation"),
            {"reason": reason},
            signer,
            "LicenceRevocation",
            {"licenceId": licence_id, "reasonHash": reason_hash(reason)},
            path={"licenceId": licence_id},
        )


class Consents(Resource):
    _enterprise: str | None = None

    async def _enterprise_address(self) -> str | None:
        """The calling enterprise's chain address (asked once): the subject consents to it, no other."""
        if self._enterprise is None:
            self._enterprise = (await self._client.participants.me()).get("address")
        return self._enterprise

    async def grant(self, subject: Signer, *, purpose: str, valid_until: int) -> JSON:
        """Record a data subject's consent: the subject signs; the calling enterprise relays."""
        expected: dict[str, Any] = {"subject": subject.address, "validUntil": valid_until}
        enterprise = await self._enterprise_address()
        if enterprise is not None:
            expected["enterprise"] = enterprise
        return await self._act(
            ("prepareConsent", "/v1/consents/requests"),
            ("grantConsent", "/v1/consents"),
            {"subject": subject.address, "purpose": purpose, "validUntil": valid_until},
            subject,
            "Consent",
            expected,
            expect_salted={"purposeHash": ("consent-purpose", purpose)},
        )

    async def list(self) -> JSON:
        """The calling enterprise's consents."""
        return await self._client.json("listConsents", "GET", "/v1/consents")

    async def get(self, consent_id: int) -> JSON:
        return await self._client.json(
            "getConsent", "GET", "/v1/consents/{consentId}", path={"consentId": consent_id}
        )

    async def use(self, consent_id: int, request_hash: str, *, signer: Signer) -> JSON:
        """Use the consent once (the enterprise signs)."""
        return await self._act(
            ("prepareConsentUse", "/v1/consents/{consentId}/use-requests"),
            ("useConsent", "/v1/consents/{consentId}/uses"),
            {"requestHash": request_hash},
            signer,
            "ConsentUse",
            {"consentId": consent_id, "requestHash": request_hash},
            path={"consentId": consent_id},
        )

    async def withdraw(self, consent_id: int, *, subject: Signer) -> JSON:
        """Withdraw a consent (the data subject signs; no API key needed)."""
        return await self._act(
            ("prepareConsentWithdrawal", "/v1/consents/{consentId}/withdrawal-requests"),
            ("withdrawConsent", "/v1/consents/{consentId}/withdrawal"),
            {},
            subject,
            "ConsentWithdrawal",
            {"consentId": consent_id},
            path={"consentId": consent_id},
        )

    async def of_subject(self, subject: Signer) -> JSON:
        """Every consent a data subject gave, proven by the subject's fresh signature (no API key)."""
        prepared = await self._client.json(
            "prepareConsentListing",
            "POST",
            "/v1/consents/listing-requests",
            json={"subject": subject.address},
        )
        typed = checked(prepared["typedData"], "ConsentListing", {"subject": subject.address})
        body = {
            "subject": subject.address,
            "issuedAt": prepared["issuedAt"],
            "signature": subject.sign_typed_data(typed),
        }
        return await self._client.json("consentsBySubject", "POST", "/v1/consents/by-subject", json=body)


# -- the exchange's listing checks ---------------------------------------------------------------------------


class Listings(Resource):
    async def verify(
        self,
        asset_id: str,
        *,
        lister: str,
        content_hash: str,
        upstream: list[dict[str, Any]] | None = None,
        pledgee_consent: str | None = None,
    ) -> JSON:
        """Verify a data product before listing it (exchange, registrar, auditor): a signed report."""
        body: dict[str, Any] = {
            "assetId": asset_id,
            "lister": lister,
            "contentHash": content_hash,
            "upstream": upstream or [],
        }
        if pledgee_consent is not None:
            body["pledgeeConsent"] = pledgee_consent
        return await self._client.json("verifyListing", "POST", "/v1/listings/verify", json=body)

    async def pledgee_consent(self, asset_id: str, lister: str, *, signer: Signer) -> str | None:
        """The pledgee's signature consenting to the listing of a pledged product by ``lister``.

        None when the product is not pledged: no consent is needed (``verify`` takes None as none).
        """
        prepared = await self._client.json(
            "preparePledgeeConsent",
            "POST",
            "/v1/listings/pledgee-consent-requests",
            json={"assetId": asset_id, "lister": lister},
        )
        if not prepared["pledged"]:
            return None
        typed = checked(
            prepared["typedData"],
            "ListingConsent",
            {"assetId": asset_id, "lister": lister, "pledgee": signer.address},
        )
        return signer.sign_typed_data(typed)

    async def verify_report(self, report: dict[str, Any]) -> JSON:
        """Check a listing report's signature and contents (anyone)."""
        return await self._client.json(
            "verifyListingReport", "POST", "/v1/listings/reports/verify", json=report
        )


# -- bulk registration and anchoring ---------------------------------------------------------------------


class Bulk(Resource):
    async def register(
        self,
        facts: list[dict[str, Any]],
        *,
        signer: Signer,
        wait: bool = False,
        timeout: float = 10.0,
    ) -> JSON:
        """Register many assets at once, each signed here; anchored by Merkle batch (``wait``: until then).

        Each item of ``facts`` must carry its ``contentHash`` (see :func:`dataledger.client.hash_path`).
        """
        prepared = await self._client.json(
            "prepareBulkRegistration",
            "POST",
            "/v1/bulk/assets/registration-requests",
            json={"items": [{"facts": f} for f in facts]},
        )
        items = []
        for wire_facts, item in zip(facts, prepared["items"], strict=True):
            domain = domain_facts(wire_facts)
            expected = {
                "holder": signer.address,
                "contentHash": domain.content_hash,
                "metadataHash": metadata_commitment(domain, signer.address, item["salt"]),
                "right": right_index(domain),
                # a batched registration's lawful-source statement stays within the committed facts
                "lawfulSourceHash": ZERO_HASH,
            }
            signature = signer.sign_typed_data(checked(item["typedData"], "Registration", expected))
            items.append(
                {
                    "facts": wire_facts,
                    "salt": item["salt"],
                    "nonce": item["nonce"],
                    "deadline": item["deadline"],
                    "signature": signature,
                }
            )
        return await self._client.json(
            "registerBulk",
            "POST",
            "/v1/bulk/assets",
            params={"wait": wait, "timeout": timeout},
            json={"items": items},
        )

    async def get(self, asset_id: str) -> JSON:
        return await self._client.json(
            "getBatchedRegistration", "GET", "/v1/bulk/assets/{assetId}", path={"assetId": asset_id}
        )

    async def anchor(self, asset_id: str) -> JSON:
        """The Merkle proof that anchors the batched registration, with the anchoring transaction.

        Before the anchor (HTTP 202) its ``status`` is ``pending`` or ``sealed``, without the anchor;
        once anchored it is ``anchored`` (see :meth:`wait_for_anchor`).
        """
        return await self._client.json(
            "getBatchAnchor", "GET", "/v1/bulk/assets/{assetId}/anchor", path={"assetId": asset_id}
        )

    async def wait_for_anchor(self, asset_id: str, *, timeout: float = 30.0, interval: float = 0.2) -> JSON:
        """Poll until the batched registration is anchored; its anchor, or TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            anchor = await self.anchor(asset_id)
            if anchor["status"] == "anchored":
                return anchor
            if time.monotonic() > deadline:
                raise TimeoutError(f"{asset_id} is not anchored after {timeout} s: {anchor['status']}")
            await sleep(interval)

    async def materialise(self, asset_id: str) -> JSON:
        """Turn an anchored batched registration into a full one on chain (its own registration)."""
        return await self._client.json(
            "materialiseRegistration",
            "POST",
            "/v1/bulk/assets/{assetId}/materialise",
            path={"assetId": asset_id},
        )


# -- traceability: EPCIS events and lineage ---------------------------------------------------------


class Events(Resource):
    async def capture(
        self,
        document: dict[str, Any] | bytes,
        *,
        wait: bool = False,
        timeout: float = 10.0,
        ignore_fields: Sequence[str] = (),
    ) -> JSON:
        """Capture an EPCIS 2.0 document (JSON-LD); ``wait`` until every event is anchored."""
        params: dict[str, Any] = {"wait": wait, "timeout": timeout}
        if ignore_fields:
            params["ignoreField"] = list(ignore_fields)
        if isinstance(document, bytes):
            return await self._client.json(
                "captureEvents",
                "POST",
                "/v1/events",
                params=params,
                content=document,
                headers={"Content-Type": "application/ld+json"},
            )
        return await self._client.json("captureEvents", "POST", "/v1/events", params=params, json=document)

    async def list(
        self,
        *,
        epc: str | None = None,
        biz_step: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> JSON:
        params = {
            "epc": epc,
            "bizStep": biz_step,
            "from": since,
            "to": until,
            "limit": limit,
            "offset": offset,
        }
        return await self._client.json("listEvents", "GET", "/v1/events", params=params)

    async def document(self, *, epc: str | None = None, limit: int = 100) -> JSON:
        """The events as one EPCIS 2.0 document."""
        params = {"epc": epc, "limit": limit, "format": "epcis"}
        return await self._client.json("listEvents", "GET", "/v1/events", params=params)

    async def get(self, event_hash_id: str) -> JSON:
        """One event with its anchor and inclusion proof, and its error declarations."""
        return await self._client.json(
            "getEvent", "GET", "/v1/events/{eventHashId}", path={"eventHashId": event_hash_id}
        )


class Lineage(Resource):
    async def trace(self, item: str, *, direction: str = "back", depth: int = 10) -> JSON:
        """Where an item came from (``back``) or went (``forward``): its events and related items."""
        return await self._client.json(
            "traceItem",
            "GET",
            "/v1/items/{item}/trace",
            path={"item": item},
            params={"direction": direction, "depth": depth},
        )

    async def item_history(
        self, item: str, *, via_containers: bool = False, limit: int = 1000, offset: int = 0
    ) -> JSON:
        return await self._client.json(
            "itemHistory",
            "GET",
            "/v1/items/{item}/history",
            path={"item": item},
            params={"viaContainers": via_containers, "limit": limit, "offset": offset},
        )

    async def location(self, item: str) -> JSON:
        return await self._client.json(
            "itemLocation", "GET", "/v1/items/{item}/location", path={"item": item}
        )

    async def record_derivation(self, product_id: str, parents: list[dict[str, Any]]) -> JSON:
        """Record that a data product derives from ``parents`` (each ``{"assetId", "licenceId"?}``)."""
        return await self._client.json(
            "recordDerivation",
            "POST",
            "/v1/lineage/derivations",
            json={"productId": product_id, "parents": parents},
        )

    async def derivation(self, asset_id: str) -> JSON:
        return await self._client.json(
            "getDerivation", "GET", "/v1/lineage/derivations/{assetId}", path={"assetId": asset_id}
        )

    async def graph(self, node: str, *, direction: str = "back", depth: int = 10) -> JSON:
        """The lineage graph around ``node`` (``asset:0x…`` or an item id ``urn:epc:…``) as JSON."""
        return await self._client.json(
            "getLineage",
            "GET",
            "/v1/lineage/{node}",
            path={"node": node},
            params={"direction": direction, "depth": depth},
        )

    async def prov(self, node: str, *, direction: str = "back", depth: int = 10) -> JSON:
        """The lineage graph as W3C PROV-O JSON-LD (entities, activities, locations)."""
        return await self._client.json(
            "getLineage",
            "GET",
            "/v1/lineage/{node}",
            path={"node": node},
            params={"direction": direction, "depth": depth, "format": "prov"},
        )

    async def svg(self, node: str, *, direction: str = "back", depth: int = 10) -> str:
        """The lineage graph drawn as SVG."""
        response = await self._client.call(
            "getLineage",
            "GET",
            "/v1/lineage/{node}",
            path={"node": node},
            params={"direction": direction, "depth": depth, "format": "svg"},
        )
        return response.text


# -- the transparency log ---------------------------------------------------------------------------------


class Log(Resource):
    async def info(self) -> JSON:
        return await self._client.json("getLogInfo", "GET", "/v1/log")

    async def checkpoint(self) -> JSON:
        """The latest signed checkpoint (JSON)."""
        return await self._client.json("latestCheckpoint", "GET", "/v1/log/checkpoint")

    async def checkpoint_note(self) -> str:
        """The latest checkpoint as a C2SP signed note (text)."""
        response = await self._client.call(
            "latestCheckpoint", "GET", "/v1/log/checkpoint", params={"format": "note"}
        )
        return response.text

    async def issue_checkpoint(self) -> JSON:
        return await self._client.json("issueCheckpoint", "POST", "/v1/log/checkpoints")

    async def entry(self, index: int, *, tree_size: int | None = None) -> JSON:
        """A log entry with its inclusion proof in the tree of ``tree_size`` (default: the latest)."""
        return await self._client.json(
            "getLogEntry",
            "GET",
            "/v1/log/entries/{index}",
            path={"index": index},
            params={"treeSize": tree_size},
        )

    async def consistency(self, first: int, second: int | None = None) -> JSON:
        """The proof that the tree of size ``second`` extends the one of size ``first``."""
        return await self._client.json(
            "getLogConsistency", "GET", "/v1/log/consistency", params={"from": first, "to": second}
        )
