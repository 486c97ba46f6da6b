"""Verification of a data product before an exchange lists it, check by check, as a signed report.

The exchange states the product (its registered asset id, the lister's chain address, the hash of
what it is about to list, and the licence it holds for each upstream asset the product derives
from). Every check runs (the exchange wants the whole picture, not the first failure):

``registered-and-certified`` (certified, certificate not expired) · ``holder-is-lister`` ·
``not-revoked`` (neither revoked nor cancelled) · ``not-pledged`` (or the pledgee's signed consent
to the listing) · ``hashes-match`` · ``upstream-declared`` (every upstream the product's registered
facts declare is covered) · ``upstream-licensed`` (one per upstream: certified, and a licence to the
lister that allows commercial derivatives, in force, not used up, not voided by an enforcement).

The answer is a W3C Verifiable Credential signed by the registrar key (``ecdsa-jcs-2019``), which the
exchange keeps as evidence of what the registry said at that block.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from dataledger.registry.certificate import VC_V2_CONTEXT, add_proof, format_datetime, verify_proof
from dataledger.registry.certificate_verifier import CheckResult
from dataledger.registry.chain_records import OnChainLicence, OnChainProcedure
from dataledger.registry.chain_types import OnChainAsset, OnChainAssetStatus, require_address, require_hex32
from dataledger.registry.errors import InvalidSignature
from dataledger.registry.holder_signatures import Eip712Domain, act_authorisation, recover_typed_data_signer
from dataledger.registry.registrar_keys import RegistrarKey, RegistrarPublicKey

REPORT_TYPES = ("VerifiableCredential", "DataProductListingVerification")
REPORT_ID_PREFIX = "urn:dataledger:listing-verification:"


class ListingChain(Protocol):
    """What listing verification reads from the registry contract."""

    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    @property
    def domain(self) -> Eip712Domain: ...

    def latest_block_number(self) -> int: ...

    def next_block_timestamp(self) -> int: ...

    def asset(self, asset_id: str) -> OnChainAsset | None: ...

    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...


class LicenceReader(Protocol):
    @property
    def address(self) -> str: ...

    def licence(self, licence_id: int) -> OnChainLicence | None: ...


@dataclass(frozen=True, slots=True)
class UpstreamClaim:
    """An upstream asset the product derives from, and the licence the lister holds on it."""

    asset_id: str
    licence_id: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "upstream.asset_id"))


@dataclass(frozen=True, slots=True)
class ListingRequest:
    asset_id: str
    lister: str
    content_hash: str
    upstream: tuple[UpstreamClaim, ...] = ()
    declared_upstream: tuple[str, ...] = ()
    pledgee_consent: str | None = (
        None  # the pledgee's signature over ListingConsent(assetId, pledgee, lister)
    )
    exchange: str | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "asset_id"))
        require_address(self.lister, "lister")
        object.__setattr__(self, "content_hash", require_hex32(self.content_hash, "content_hash"))
        object.__setattr__(
            self, "declared_upstream", tuple(require_hex32(a, "derivedFrom") for a in self.declared_upstream)
        )


def listing_consent_typed_data(
    domain: Eip712Domain, asset_id: str, pledgee: str, lister: str
) -> dict[str, Any]:
    """What a pledgee signs to consent to the listing of a pledged asset by ``lister``."""
    auth = act_authorisation("ListingConsent", pledgee, assetId=asset_id, pledgee=pledgee, lister=lister)
    return auth.typed_data(domain)


def _same(left: str, right: str) -> bool:
    return left.lower() == right.lower()


class ListingVerifier:
    def __init__(
        self,
        chain: ListingChain,
        licences: LicenceReader,
        registrar_key: RegistrarKey,
        registrar_name: str,
        clock: Callable[[], datetime] | None = None,
        declared_upstream: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        """``declared_upstream`` answers the assets a registered asset's facts say it derives from
        (``derived_from``), which the listing must then cover."""
        self._chain = chain
        self._licences = licences
        self._key = registrar_key
        self._name = registrar_name
        self._clock = clock or (lambda: datetime.now(UTC))
        self._declared_upstream = declared_upstream or (lambda _asset_id: ())

    def declared_upstream_of(self, asset_id: str) -> tuple[str, ...]:
        """The upstream assets the product's registered facts declare (none for an unknown product)."""
        return tuple(self._declared_upstream(asset_id.lower()))

    def pledgee_consent_request(self, asset_id: str, lister: str) -> dict[str, Any]:
        """Whether the product is pledged and, if so, the ``ListingConsent`` its pledgee signs for
        ``lister`` (checked by :meth:`verify` as the request's ``pledgee_consent``)."""
        procedure = self._chain.procedure(asset_id)
        if procedure is None or procedure.pledgee is None:
            return {"pledged": False, "pledgee": None, "typedData": None}
        typed = listing_consent_typed_data(self._chain.domain, asset_id.lower(), procedure.pledgee, lister)
        return {"pledged": True, "pledgee": procedure.pledgee, "typedData": typed}

    def verify(self, request: ListingRequest) -> dict[str, Any]:
        """Run every check and return the signed report (a Verifiable Credential)."""
        checks = self.checks(request)
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        report = {
            "@context": [VC_V2_CONTEXT],
            "id": REPORT_ID_PREFIX + str(uuid.uuid4()),
            "type": list(REPORT_TYPES),
            "issuer": {"id": self._key.did, "name": self._name},
            "validFrom": format_datetime(now),
            "credentialSubject": {
                "id": f"urn:dataledger:asset:{request.asset_id}",
                "assetId": request.asset_id,
                "lister": request.lister,
                "exchange": request.exchange,
                "contentHash": request.content_hash,
                "upstream": [{"assetId": u.asset_id, "licenceId": u.licence_id} for u in request.upstream],
                "listable": all(c.passed for c in checks),
                "failedChecks": [c.name for c in checks if not c.passed],
                "checks": [c.as_json() for c in checks],
                "chain": {
                    "chainId": self._chain.chain_id,
                    "registry": self._chain.registry_address,
                    "licenceRegistry": self._licences.address,
                    "blockNumber": self._chain.latest_block_number(),
                },
            },
        }
        return add_proof(report, self._key, created=now)

    def checks(self, request: ListingRequest) -> list[CheckResult]:
        asset = self._chain.asset(request.asset_id)
        procedure = self._chain.procedure(request.asset_id)
        now = self._chain.next_block_timestamp()
        results = [
            self._certified(asset, procedure, now),
            self._holder(asset, request),
            self._not_revoked(asset),
            self._not_pledged(procedure, request),
            self._hashes(asset, request),
            self._declared(request),
        ]
        results += [self._upstream(claim, request.lister, now) for claim in request.upstream]
        return results

    # -- the checks --------------------------------------------------------------------------------

    @staticmethod
    def _certified(asset: OnChainAsset | None, procedure: OnChainProcedure | None, now: int) -> CheckResult:
        name = "registered-and-certified"
        if asset is None or procedure is None:
            return CheckResult(name, False, "the asset is not registered")
        if asset.status is not OnChainAssetStatus.CERTIFIED:
            return CheckResult(name, False, f"the asset is {asset.status.name.lower()}, not certified")
        until = procedure.certificate_valid_until
        if until and now > until:
            return CheckResult(name, False, f"the certificate expired at {until}")
        return CheckResult(name, True, f"certified by certificate {procedure.current_certificate}")

    @staticmethod
    def _holder(asset: OnChainAsset | None, request: ListingRequest) -> CheckResult:
        name = "holder-is-lister"
        if asset is None:
            return CheckResult(name, False, "the asset is not registered")
        if not _same(asset.holder, request.lister):
            return CheckResult(name, False, f"the asset is held by {asset.holder}, not the lister")
        return CheckResult(name, True, f"held by {asset.holder}")

    @staticmethod
    def _not_revoked(asset: OnChainAsset | None) -> CheckResult:
        name = "not-revoked"
        if asset is None:
            return CheckResult(name, False, "the asset is not registered")
        if asset.status in (
            OnChainAssetStatus.REVOKED,
            OnChainAssetStatus.CANCELLED,
            OnChainAssetStatus.REJECTED,
        ):
            return CheckResult(name, False, f"the registration is {asset.status.name.lower()}")
        return CheckResult(name, True, "neither revoked nor cancelled")

    def _not_pledged(self, procedure: OnChainProcedure | None, request: ListingRequest) -> CheckResult:
        name = "not-pledged"
        if procedure is None or procedure.pledgee is None:
            return CheckResult(name, True, "not pledged")
        if request.pledgee_consent is None:
            return CheckResult(name, False, f"pledged to {procedure.pledgee}, without the pledgee's consent")
        typed = listing_consent_typed_data(
            self._chain.domain, request.asset_id, procedure.pledgee, request.lister
        )
        try:
            signer = recover_typed_data_signer(typed, request.pledgee_consent)
        except InvalidSignature as exc:
            return CheckResult(name, False, f"the pledgee's consent does not verify: {exc.detail}")
        if not _same(signer, procedure.pledgee):
            return CheckResult(
                name, False, f"the consent is signed by {signer}, not the pledgee {procedure.pledgee}"
            )
        return CheckResult(name, True, f"pledged to {procedure.pledgee}, who consents to the listing")

    @staticmethod
    def _hashes(asset: OnChainAsset | None, request: ListingRequest) -> CheckResult:
        name = "hashes-match"
        if asset is None:
            return CheckResult(name, False, "the asset is not registered")
        if not _same(asset.content_hash, request.content_hash):
            return CheckResult(name, False, f"the registered content hash is {asset.content_hash}")
        return CheckResult(name, True, "the product is the registered content")

    @staticmethod
    def _declared(request: ListingRequest) -> CheckResult:
        name = "upstream-declared"
        claimed = {claim.asset_id for claim in request.upstream}
        missing = [asset_id for asset_id in request.declared_upstream if asset_id not in claimed]
        if missing:
            return CheckResult(name, False, "no licence stated for upstream " + ", ".join(missing))
        return CheckResult(name, True, f"{len(claimed)} upstream asset(s) stated")

    def _upstream(self, claim: UpstreamClaim, lister: str, now: int) -> CheckResult:
        name = "upstream-licensed"

        def fail(why: str) -> CheckResult:
            return CheckResult(name, False, f"{claim.asset_id} (licence {claim.licence_id}): {why}")

        asset = self._chain.asset(claim.asset_id)
        if asset is None or asset.status is not OnChainAssetStatus.CERTIFIED:
            return fail("the upstream asset is " + (asset.status.name.lower() if asset else "not registered"))
        licence = self._licences.licence(claim.licence_id)
        if licence is None:
            return fail("no such licence")
        terms = licence.terms
        if not _same(terms.asset_id, claim.asset_id):
            return fail(f"the licence is on asset {terms.asset_id}")
        if not _same(terms.licensee, lister):
            return fail(f"the licence was granted to {terms.licensee}, not the lister")
        if licence.revoked:
            return fail("the licence is revoked")
        if not (terms.derivatives_allowed and terms.commercial):
            return fail("the licence does not allow commercial derivatives")
        if now < terms.valid_from or now > terms.valid_until:
            return fail("the licence is not in force")
        if licence.uses >= terms.max_uses:
            return fail("every use of the licence is consumed")
        procedure = self._chain.procedure(claim.asset_id)
        if procedure is not None and procedure.enforcements != licence.enforcements_at_grant:
            return fail("a pledge on the upstream asset was enforced after the grant")
        return CheckResult(
            name, True, f"{claim.asset_id}: licence {claim.licence_id} allows commercial derivatives"
        )


def verify_report(report: dict[str, Any], registrar: RegistrarPublicKey) -> None:
    """Check a listing report's registrar signature; raises ``VerificationFailed`` if it does not hold."""
    verify_proof(report, registrar)


__all__: Sequence[str] = (
    "ListingRequest",
    "ListingVerifier",
    "UpstreamClaim",
    "listing_consent_typed_data",
    "verify_report",
)
