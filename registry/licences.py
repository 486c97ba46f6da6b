"""Licences on certified assets, consumed one use at a time ("one authorisation per use").

The holder grants a licence by signing its terms (scope, purpose and territory as salted commitments;
period; maximum uses; derivatives; commercial use); the licensee consumes each use by signing the
hash of its request; the holder may revoke. The ``LicenceRegistry`` contract enforces every rule;
this service checks the same rules first (so a refusal costs no gas) and keeps the texts off chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import new_salt, reason_hash, text_commitment
from dataledger.registry.certificate_issuance import status_error
from dataledger.registry.chain_records import (
    EXCLUSIVITY_ON_CHAIN,
    ZERO_HASH,
    LicenceTerms,
    OnChainLicence,
    act_of,
)
from dataledger.registry.chain_types import OnChainAssetStatus, require_address, require_hex32
from dataledger.registry.errors import (
    AssetNotCertified,
    AssetPledged,
    LicenceExpired,
    LicenceNotFound,
    LicenceNotYetValid,
    LicenceRevoked,
    LicenceUsedUp,
    LicenceVoidedByEnforcement,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    Eip712Domain,
    prepared_act,
)
from dataledger.registry.market.licence_templates import Exclusivity
from dataledger.registry.participants import Participant
from dataledger.registry.ports import LicenceLedger, LicenceRecords, RegistryLedger, RegistryStore
from dataledger.registry.procedure import address_of, require_text
from dataledger.registry.signed_acts import SignedActRelay
from dataledger.registry.visibility import is_party, oversees, sees_licence


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenceOffer:
    """The terms a holder offers, in words; :meth:`terms` turns them into the committed on-chain terms.

    Without ``valid_from`` the licence starts with the next block (the time the chain will judge it by);
    the prepared act states the start it was given, and the signed submission carries it back."""

    asset_id: str
    licensee: str
    scope: str
    purpose: str
    valid_from: int | None = None
    valid_until: int
    max_uses: int
    derivatives_allowed: bool = False
    commercial: bool = False
    territory: str = ""
    asset_version: int = 0
    exclusivity: Exclusivity = Exclusivity.NON_EXCLUSIVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "asset_id"))
        object.__setattr__(self, "exclusivity", Exclusivity(self.exclusivity))
        require_address(self.licensee, "licensee")
        require_text(self.scope, "scope")
        require_text(self.purpose, "purpose")

    def starting(self, valid_from: int) -> LicenceOffer:
        """This offer starting at ``valid_from`` unless it states its own start."""
        return self if self.valid_from is not None else replace(self, valid_from=valid_from)

    def terms(self, salt: str) -> LicenceTerms:
        if self.valid_from is None:
            raise ValidationFailed("the licence's start (validFrom) is needed", field="validFrom")
        return LicenceTerms(
            asset_id=self.asset_id,
            licensee=self.licensee,
            asset_version=self.asset_version,
            max_uses=self.max_uses,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            derivatives_allowed=self.derivatives_allowed,
            commercial=self.commercial,
            scope_hash=text_commitment("licence-scope", self.scope, salt),
            purpose_hash=text_commitment("licence-purpose", self.purpose, salt),
            territory_hash=text_commitment("licence-territory", self.territory, salt)
            if self.territory
            else ZERO_HASH,
            exclusivity=self.exclusivity,
        )

    def texts(self) -> dict[str, str]:
        return {"scope": self.scope, "purpose": self.purpose, "territory": self.territory}


def require_usable(licence: OnChainLicence, now: int) -> None:
    """Refuse a use the contract would refuse for the licence's own reasons (revoked, period, uses)."""
    lid = licence.licence_id
    if licence.revoked:
        raise LicenceRevoked("the licence is revoked", licence_id=lid)
    if now < licence.terms.valid_from:
        raise LicenceNotYetValid(
            "the licence period has not started", licence_id=lid, valid_from=licence.terms.valid_from
        )
    if now > licence.terms.valid_until:
        raise LicenceExpired("the licence has expired", licence_id=lid, valid_until=licence.terms.valid_until)
    if licence.uses >= licence.terms.max_uses:
        raise LicenceUsedUp(
            "every use of the licence is consumed", licence_id=lid, max_uses=licence.terms.max_uses
        )


def _require_certified(asset_id: str, status: OnChainAssetStatus) -> None:
    """The licence contract's rule: licences are granted and used only on certified assets."""
    if status is not OnChainAssetStatus.CERTIFIED:
        raise AssetNotCertified(
            f"the asset is {status.name.lower()}, not certified",
            asset_id=asset_id,
            asset_status=status.name.lower(),
        )


class LicensingService:
    def __init__(
        self,
        ledger: LicenceLedger,
        registry: RegistryLedger,
        store: RegistryStore,
        records: LicenceRecords,
        journal: ActJournal | None = None,
    ) -> None:
        self._ledger = ledger
        self._registry = registry
        self._store = store
        self._records = records
        acts = JournalledActs(ledger, ledger.address, journal, self.recorders)
        self._signed = SignedActRelay(ledger, registry.next_block_timestamp, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each act's result, by the name its journal entry carries."""
        return {
            "licence.grant": self._record_grant,
            "licence.use": self._record_use,
            "licence.revocation": self._record_revocation,
        }

    @property
    def domain(self) -> Eip712Domain:
        """The EIP-712 domain the licence registry's acts are signed for (a page checks it)."""
        return self._ledger.domain

    # -- grant ------------------------------------------------------------------------------------

    def prepare_grant(self, holder: Participant, offer: LicenceOffer, salt: str | None) -> dict[str, Any]:
        offer = offer.starting(self._registry.next_block_timestamp())
        salt = salt or new_salt()
        auth, terms = self._grant(holder, offer, salt, None, None)
        return prepared_act(auth, self._ledger.domain, salt=salt, terms=terms.message())

    def grant(
        self, holder: Participant, offer: LicenceOffer, salt: str, nonce: int, deadline: int, signature: str
    ) -> dict[str, Any]:
        auth, _ = self._grant(holder, offer, salt, nonce, deadline)
        licensee = self._store.participant_by_address(offer.licensee)
        payload = {"licenseeId": licensee.id if licensee else None, "texts": offer.texts(), "salt": salt}
        result: dict[str, Any] = self._signed.relay(auth, signature, "licence.grant", payload)
        return result

    def _record_grant(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        m = auth.message
        terms = LicenceTerms(
            asset_id=m["assetId"],
            licensee=m["licensee"],
            asset_version=int(m["assetVersion"]),
            max_uses=int(m["maxUses"]),
            valid_from=int(m["validFrom"]),
            valid_until=int(m["validUntil"]),
            derivatives_allowed=bool(m["derivativesAllowed"]),
            commercial=bool(m["commercial"]),
            scope_hash=m["scopeHash"],
            purpose_hash=m["purposeHash"],
            territory_hash=m["territoryHash"],
            exclusivity=EXCLUSIVITY_ON_CHAIN[int(m["exclusivity"])],
        )
        return self._records.add_licence(
            terms,
            licensor_address=auth.signer,
            licensee_id=payload["licenseeId"],
            texts=dict(payload["texts"]),
            salt=payload["salt"],
            acts=acts,
        )

    def _grant(
        self, holder: Participant, offer: LicenceOffer, salt: str, nonce: int | None, deadline: int | None
    ) -> tuple[ActAuthorisation, LicenceTerms]:
        signer = address_of(holder)
        asset = self._registry.asset(offer.asset_id)
        if asset is None:
            raise status_error(offer.asset_id, None, "licensing")
        _require_certified(offer.asset_id, asset.status)
        if asset.holder.lower() != signer.lower():
            raise NotAuthorised("only the asset's holder may license it", holder=asset.holder)
        if self._store.participant_by_address(offer.licensee) is None:
            raise ValidationFailed(
                "the licensee must be the chain address of a participant", field="licensee"
            )
        if offer.exclusivity is not Exclusivity.NON_EXCLUSIVE:
            procedure = self._registry.procedure(offer.asset_id)
            if procedure is not None and procedure.pledgee is not None:
                raise AssetPledged(
                    "the asset is pledged: a sole or exclusive licence waits for the pledge's release",
                    assetId=offer.asset_id,
                    pledgee=procedure.pledgee,
                )
        terms = offer.terms(salt)
        auth = self._signed.authorisation("Licence", signer, nonce, deadline, **terms.message())
        return auth, terms

    # -- use --------------------------------------------------------------------------------------

    def prepare_use(self, licensee: Participant, licence_id: int, request_hash: str) -> dict[str, Any]:
        return prepared_act(self._use(licensee, licence_id, request_hash, None, None), self._ledger.domain)

    def use(
        self,
        licensee: Participant,
        licence_id: int,
        request_hash: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        """Consume one use of the licence for the request whose hash is ``request_hash``."""
        auth = self._use(licensee, licence_id, request_hash, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(auth, signature, "licence.use")
        return result

    def _record_use(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        licence = self._records.record_licence_use(int(auth.message["licenceId"]), acts, actor=auth.signer)
        used = act_of(acts, "LicenceUsed")
        return {
            "licence": licence,
            "use": {
                "number": int(used.args["use"]),
                "licensee": auth.signer,
                "requestHash": used.args["requestHash"],
                "purposeHash": used.args["purposeHash"],
                "blockTimestamp": used.block_timestamp,
                "chainEvidence": used.evidence.as_json(),
            },
        }

    def _use(
        self,
        licensee: Participant,
        licence_id: int,
        request_hash: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        signer = address_of(licensee)
        licence = self._visible_licence(licensee, licence_id)
        if licence.terms.licensee.lower() != signer.lower():
            raise NotAuthorised("only the licensee may use the licence", licensee=licence.terms.licensee)
        require_usable(licence, self._registry.next_block_timestamp())
        self._require_asset_usable(licence)
        return self._signed.authorisation(
            "LicenceUse",
            signer,
            nonce,
            deadline,
            licenceId=licence_id,
            requestHash=require_hex32(request_hash, "request_hash"),
        )

    def _require_asset_usable(self, licence: OnChainLicence) -> None:
        asset_id = licence.terms.asset_id
        asset = self._registry.asset(asset_id)
        _require_certified(asset_id, asset.status if asset else OnChainAssetStatus.NONE)
        procedure = self._registry.procedure(asset_id)
        if procedure is not None and procedure.enforcements != licence.enforcements_at_grant:
            raise LicenceVoidedByEnforcement(
                "a pledge on the asset was enforced after the licence was granted",
                licence_id=licence.licence_id,
            )

    # -- revocation -------------------------------------------------------------------------------

    def prepare_revocation(self, holder: Participant, licence_id: int, reason: str) -> dict[str, Any]:
        return prepared_act(self._revocation(holder, licence_id, reason, None, None), self._ledger.domain)

    def revoke(
        self, holder: Participant, licence_id: int, reason: str, nonce: int, deadline: int, signature: str
    ) -> dict[str, Any]:
        auth = self._revocation(holder, licence_id, reason, nonce, deadline)
        result: dict[str, Any] = self._signed.relay(auth, signature, "licence.revocation", {"reason": reason})
        return result

    def _record_revocation(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> dict[str, Any]:
        return self._records.record_licence_revocation(
            int(auth.message["licenceId"]), payload["reason"], acts, actor=auth.signer
        )

    def _revocation(
        self, holder: Participant, licence_id: int, reason: str, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        require_text(reason, "reason")
        signer = address_of(holder)
        licence = self._visible_licence(holder, licence_id)
        asset = self._registry.asset(licence.terms.asset_id)
        if asset is None or asset.holder.lower() != signer.lower():
            raise NotAuthorised("only the asset's holder may revoke its licences")
        if licence.revoked:
            raise LicenceRevoked("the licence is already revoked", licence_id=licence_id)
        return self._signed.authorisation(
            "LicenceRevocation", signer, nonce, deadline, licenceId=licence_id, reasonHash=reason_hash(reason)
        )

    # -- reads ------------------------------------------------------------------------------------

    def _visible_licence(self, viewer: Participant, licence_id: int) -> OnChainLicence:
        """The licence on chain, if ``viewer`` may know of it; to anyone else it does not exist."""
        licence = self.on_chain(licence_id)
        parties = {"licensorAddress": licence.licensor, "licenseeAddress": licence.terms.licensee}
        holder = self._registry.asset(licence.terms.asset_id)
        if not sees_licence(viewer, parties) and not is_party(viewer, holder.holder if holder else None):
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        return licence

    def on_chain(self, licence_id: int) -> OnChainLicence:
        licence = self._ledger.licence(licence_id)
        if licence is None:
            raise LicenceNotFound("no such licence on chain", licence_id=licence_id)
        return licence

    def licences(
        self,
        viewer: Participant,
        *,
        asset_id: str | None = None,
        licensee: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Licences by asset or licensee: all of them for oversight, those it granted or holds for others."""
        party = None if oversees(viewer) else (viewer.address or "")  # no address: party to no licence
        return self._records.licences(
            asset_id=asset_id, licensee=licensee, party=party, limit=limit, offset=offset
        )

    def get(self, viewer: Participant, licence_id: int) -> dict[str, Any]:
        """The licence as stored, with the chain's count of uses; for its parties and oversight only."""
        stored = self._records.get_licence(licence_id)
        if not sees_licence(viewer, stored):
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        on_chain = self.on_chain(licence_id)
        return {**stored, "uses": on_chain.uses, "revoked": on_chain.revoked}

    # -- helpers ----------------------------------------------------------------------------------
