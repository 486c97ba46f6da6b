"""``LicenceRegistry`` in memory: the ``LicenceLedger`` port, modelled rule for rule on
``contracts/LicenceRegistry.sol`` (licences consumed one signed use at a time; data subjects' consents).

Like the contract it keeps no copy of who holds what: it reads holders, statuses, versions and
enforcements from the fake registry it licenses, so acts there take effect here at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from eth_utils.address import to_checksum_address

from dataledger.registry.chain_records import (
    EXCLUSIVITY_ON_CHAIN,
    ZERO_ADDRESS,
    ConsentStatus,
    LicenceTerms,
    OnChainConsent,
    OnChainLicence,
)
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, licence_domain
from tests.registry.fake_chain import Acts, Authorisations, FakeChain, S, is_zero, reverted
from tests.registry.fake_registry_contract import FakeRegistryLedger

LICENCE_REGISTRY_ADDRESS = to_checksum_address(
    "0x" + hashlib.sha256(b"fake LicenceRegistry").hexdigest()[:40]
)


@dataclass
class _Licence:
    terms: LicenceTerms
    licensor: str
    enforcements_at_grant: int
    uses: int = 0
    revoked: bool = False


class FakeLicenceLedger:
    """``LicenceRegistry`` in memory (the ``LicenceLedger`` port).

    Like the contract it keeps no copy of who holds what: it reads holders, statuses, versions and
    enforcements from the registry it licenses, so acts there take effect here at once.
    """

    def __init__(
        self, chain: FakeChain, registry: FakeRegistryLedger, address: str = LICENCE_REGISTRY_ADDRESS
    ):
        self._chain = chain
        self._registry = registry
        self._address = to_checksum_address(address)
        self._domain = licence_domain(chain.chain_id, self._address)
        self._auth = Authorisations("Licence", self._domain)
        self._licences: dict[int, _Licence] = {}
        self._exclusive_licence: dict[str, int] = {}  # per asset: the last sole or exclusive licence
        self._licensed_until: dict[str, int] = {}  # per asset: the end of the latest term granted
        self._consents: dict[int, OnChainConsent] = {}

    @property
    def address(self) -> str:
        return self._address

    @property
    def domain(self) -> Eip712Domain:
        return self._domain

    def nonce_of(self, signer: str) -> int:
        return self._auth.nonce_of(signer)

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts:
        """Call the contract function of the act with the arguments the chain client passes."""
        return self._chain.carried(signature, self._call(auth, signature))

    def latest_block_number(self) -> int:
        return self._chain.latest_block_number()

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        return self._chain.find_act(self._address, signature, from_block)

    def _call(self, auth: ActAuthorisation, signature: str) -> Acts:
        m = auth.message
        match auth.primary_type:
            case "Licence":
                terms = {name: value for name, value in m.items() if name not in ("nonce", "deadline")}
                return self.grant_licence(terms, m["nonce"], m["deadline"], signature)
            case "LicenceUse":
                return self.use_licence(
                    m["licenceId"], m["requestHash"], m["nonce"], m["deadline"], signature
                )
            case "LicenceRevocation":
                return self.revoke_licence(
                    m["licenceId"], m["reasonHash"], m["nonce"], m["deadline"], signature
                )
            case "Consent":
                return self.grant_consent(
                    m["subject"],
                    m["enterprise"],
                    m["purposeHash"],
                    m["validUntil"],
                    m["nonce"],
                    m["deadline"],
                    signature,
                )
            case "ConsentUse":
                return self.consume_consent(
                    m["consentId"], m["requestHash"], m["nonce"], m["deadline"], signature
                )
            case "ConsentWithdrawal":
                return self.withdraw_consent(m["consentId"], m["nonce"], m["deadline"], signature)
        raise ValidationFailed(f"the licence registry takes no {auth.primary_type} act", field="primaryType")

    # -- licences -----------------------------------------------------------------------------------

    def grant_licence(self, terms: Mapping[str, Any], nonce: int, deadline: int, signature: str) -> Acts:
        now = self._chain.next_block_timestamp()
        asset_id = terms["assetId"]
        asset = self._registry.asset(asset_id)
        procedure = self._registry.procedure(asset_id)
        status = asset.status if asset else S.NONE
        if asset is None or procedure is None or status is not S.CERTIFIED:
            raise reverted("LicenceAssetNotCertified", assetId=asset_id, assetStatus=int(status))
        if procedure.certificate_valid_until != 0 and now > procedure.certificate_valid_until:
            raise reverted(
                "LicenceAssetCertificateExpired",
                assetId=asset_id,
                validUntil=procedure.certificate_valid_until,
            )
        self._require_terms(terms, asset.holder, procedure.version, now)
        self._require_exclusivity(terms, procedure.pledgee)
        self._auth.check_act("Licence", asset.holder, signature, now, **terms, nonce=nonce, deadline=deadline)
        self._auth.consume(asset.holder)
        licence_id = len(self._licences) + 1
        self._licences[licence_id] = _Licence(
            LicenceTerms(
                asset_id=asset_id,
                licensee=terms["licensee"],
                asset_version=terms["assetVersion"],
                max_uses=terms["maxUses"],
                valid_from=terms["validFrom"],
                valid_until=terms["validUntil"],
                derivatives_allowed=terms["derivativesAllowed"],
                commercial=terms["commercial"],
                scope_hash=terms["scopeHash"],
                purpose_hash=terms["purposeHash"],
                territory_hash=terms["territoryHash"],
                exclusivity=EXCLUSIVITY_ON_CHAIN[terms["exclusivity"]],
            ),
            asset.holder,
            procedure.enforcements,
        )
        self._licensed_until[asset_id] = max(self._licensed_until.get(asset_id, 0), terms["validUntil"])
        if terms["exclusivity"] != 0:
            self._exclusive_licence[asset_id] = licence_id
        granted = {
            "licenceId": licence_id,
            "assetId": asset_id,
            "licensee": to_checksum_address(terms["licensee"]),
            "licensor": asset.holder,
            "terms": dict(terms),
        }
        return self._mine(("LicenceGranted", granted))

    def _require_exclusivity(self, terms: Mapping[str, Any], pledgee: str | None) -> None:
        asset_id = terms["assetId"]
        if terms["exclusivity"] != 0:
            if pledgee is not None:
                raise reverted("LicenceAssetPledged", assetId=asset_id, pledgee=pledgee)
            licensed_until = self._licensed_until.get(asset_id, 0)
            if licensed_until >= terms["validFrom"]:
                raise reverted("LicenceExclusivityConflict", assetId=asset_id, inForceUntil=licensed_until)
        exclusive = self._licences.get(self._exclusive_licence.get(asset_id, 0))
        if (
            exclusive is not None
            and not exclusive.revoked
            and exclusive.terms.valid_until >= terms["validFrom"]
        ):
            raise reverted(
                "LicenceExclusivityConflict", assetId=asset_id, inForceUntil=exclusive.terms.valid_until
            )

    def use_licence(
        self, licence_id: int, request_hash: str, nonce: int, deadline: int, signature: str
    ) -> Acts:
        now = self._chain.next_block_timestamp()
        self._require_hash(request_hash)
        licence = self._usable_licence(licence_id, now)
        terms = licence.terms
        self._auth.check_act(
            "LicenceUse",
            terms.licensee,
            signature,
            now,
            licenceId=licence_id,
            requestHash=request_hash,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(terms.licensee)
        licence.uses += 1
        used = {
            "licenceId": licence_id,
            "assetId": terms.asset_id,
            "licensee": to_checksum_address(terms.licensee),
            "use": licence.uses,
            "purposeHash": terms.purpose_hash,
            "requestHash": request_hash,
        }
        return self._mine(("LicenceUsed", used))

    def revoke_licence(
        self, licence_id: int, reason_hash: str, nonce: int, deadline: int, signature: str
    ) -> Acts:
        now = self._chain.next_block_timestamp()
        self._require_hash(reason_hash)
        licence = self._existing_licence(licence_id)
        if licence.revoked:
            raise reverted("LicenceIsRevoked", licenceId=licence_id)
        asset_id = licence.terms.asset_id
        asset = self._registry.asset(asset_id)
        holder = asset.holder if asset else ZERO_ADDRESS
        self._auth.check_act(
            "LicenceRevocation",
            holder,
            signature,
            now,
            licenceId=licence_id,
            reasonHash=reason_hash,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(holder)
        licence.revoked = True
        revoked = {"licenceId": licence_id, "assetId": asset_id, "holder": holder, "reasonHash": reason_hash}
        return self._mine(("LicenceRevoked", revoked))

    def licence(self, licence_id: int) -> OnChainLicence | None:
        licence = self._licences.get(licence_id)
        if licence is None:
            return None
        return OnChainLicence(
            licence_id,
            licence.terms,
            licence.licensor,
            licence.uses,
            licence.enforcements_at_grant,
            licence.revoked,
        )

    def _require_terms(self, terms: Mapping[str, Any], holder: str, current_version: int, now: int) -> None:
        licensee = terms["licensee"]
        if is_zero(licensee) or licensee.lower() == holder.lower():
            raise reverted("LicenceInvalidCounterparty", account=licensee)
        if terms["assetVersion"] > current_version:
            raise reverted(
                "LicenceInvalidAssetVersion",
                assetVersion=terms["assetVersion"],
                currentVersion=current_version,
            )
        if terms["maxUses"] == 0:
            raise reverted("LicenceZeroUses")
        if terms["validUntil"] <= terms["validFrom"] or terms["validUntil"] <= now:
            raise reverted(
                "LicenceInvalidPeriod", validFrom=terms["validFrom"], validUntil=terms["validUntil"]
            )
        if is_zero(terms["scopeHash"]) or is_zero(terms["purposeHash"]):
            raise reverted("LicenceZeroHash")

    def _usable_licence(self, licence_id: int, now: int) -> _Licence:
        licence = self._existing_licence(licence_id)
        if licence.revoked:
            raise reverted("LicenceIsRevoked", licenceId=licence_id)
        terms = licence.terms
        if now < terms.valid_from:
            raise reverted("LicenceNotYetValid", licenceId=licence_id, validFrom=terms.valid_from)
        if now > terms.valid_until:
            raise reverted("LicenceExpired", licenceId=licence_id, validUntil=terms.valid_until)
        if licence.uses >= terms.max_uses:
            raise reverted("LicenceUsedUp", licenceId=licence_id, maxUses=terms.max_uses)
        asset = self._registry.asset(terms.asset_id)
        status = asset.status if asset else S.NONE
        if status is not S.CERTIFIED:
            raise reverted("LicenceAssetNotCertified", assetId=terms.asset_id, assetStatus=int(status))
        procedure = self._registry.procedure(terms.asset_id)
        if procedure is None or procedure.enforcements != licence.enforcements_at_grant:
            raise reverted("LicenceAssetEnforced", assetId=terms.asset_id)
        return licence

    def _existing_licence(self, licence_id: int) -> _Licence:
        licence = self._licences.get(licence_id)
        if licence is None:
            raise reverted("LicenceNotFound", licenceId=licence_id)
        return licence

    # -- consents -----------------------------------------------------------------------------------

    def grant_consent(
        self,
        subject: str,
        enterprise: str,
        purpose_hash: str,
        valid_until: int,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> Acts:
        now = self._chain.next_block_timestamp()
        if is_zero(subject):
            raise reverted("LicenceInvalidCounterparty", account=subject)
        if is_zero(enterprise) or enterprise.lower() == subject.lower():
            raise reverted("LicenceInvalidCounterparty", account=enterprise)
        self._require_hash(purpose_hash)
        if valid_until <= now:
            raise reverted("LicenceInvalidPeriod", validFrom=now, validUntil=valid_until)
        self._auth.check_act(
            "Consent",
            subject,
            signature,
            now,
            subject=subject,
            enterprise=enterprise,
            purposeHash=purpose_hash,
            validUntil=valid_until,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(subject)
        consent_id = len(self._consents) + 1
        subject, enterprise = to_checksum_address(subject), to_checksum_address(enterprise)
        self._consents[consent_id] = OnChainConsent(
            consent_id, subject, enterprise, now, valid_until, ConsentStatus.ACTIVE, purpose_hash, None
        )
        granted = {
            "consentId": consent_id,
            "subject": subject,
            "enterprise": enterprise,
            "purposeHash": purpose_hash,
            "validUntil": valid_until,
        }
        return self._mine(("ConsentGranted", granted))

    def consume_consent(
        self, consent_id: int, request_hash: str, nonce: int, deadline: int, signature: str
    ) -> Acts:
        now = self._chain.next_block_timestamp()
        self._require_hash(request_hash)
        consent = self._active_consent(consent_id)
        if now > consent.valid_until:
            raise reverted("LicenceConsentExpired", consentId=consent_id, validUntil=consent.valid_until)
        self._auth.check_act(
            "ConsentUse",
            consent.enterprise,
            signature,
            now,
            consentId=consent_id,
            requestHash=request_hash,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(consent.enterprise)
        self._consents[consent_id] = replace(
            consent, status=ConsentStatus.CONSUMED, request_hash=request_hash
        )
        consumed = {
            "consentId": consent_id,
            "subject": consent.subject,
            "enterprise": consent.enterprise,
            "requestHash": request_hash,
        }
        return self._mine(("ConsentConsumed", consumed))

    def withdraw_consent(self, consent_id: int, nonce: int, deadline: int, signature: str) -> Acts:
        now = self._chain.next_block_timestamp()
        consent = self._active_consent(consent_id)
        self._auth.check_act(
            "ConsentWithdrawal",
            consent.subject,
            signature,
            now,
            consentId=consent_id,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(consent.subject)
        self._consents[consent_id] = replace(consent, status=ConsentStatus.WITHDRAWN)
        withdrawn = {"consentId": consent_id, "subject": consent.subject, "enterprise": consent.enterprise}
        return self._mine(("ConsentWithdrawn", withdrawn))

    def consent(self, consent_id: int) -> OnChainConsent | None:
        return self._consents.get(consent_id)

    def _active_consent(self, consent_id: int) -> OnChainConsent:
        consent = self._consents.get(consent_id)
        if consent is None:
            raise reverted("LicenceConsentNotFound", consentId=consent_id)
        if consent.status is not ConsentStatus.ACTIVE:
            raise reverted("LicenceConsentNotActive", consentId=consent_id, consentStatus=int(consent.status))
        return consent

    @staticmethod
    def _require_hash(value: str) -> None:
        if is_zero(value):
            raise reverted("LicenceZeroHash")

    def _mine(self, *events: tuple[str, dict[str, Any]]) -> Acts:
        return self._chain.mine(self._address, events)
