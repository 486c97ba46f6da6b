"""``DataRightsRegistry`` in memory: the ``RegistryLedger`` port, modelled rule for rule on
``contracts/DataRightsRegistry.sol`` for every function the services call.

Each function runs the contract's checks in the contract's order (so the first broken rule names the
error), changes storage only once every check passed (a revert changes nothing, not even a nonce), and
emits the contract's events with their argument names, as the chain client decodes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from eth_utils import keccak
from eth_utils.address import to_checksum_address

from dataledger.registry.assets import RightClaimed, asset_id_for
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG
from dataledger.registry.chain_records import (
    RIGHT_INDEX,
    ZERO_ADDRESS,
    ZERO_HASH,
    ChainAct,
    ObjectionStatus,
    OnChainCertificate,
    OnChainObjection,
    OnChainPledge,
    OnChainPledgeCertificate,
    OnChainProcedure,
    ReviewStage,
)
from dataledger.registry.chain_types import OnChainAsset, OnChainAssetStatus, RegistrationEvent
from dataledger.registry.errors import DataLedgerError, ValidationFailed
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    Eip712Domain,
    RegistrationAuthorisation,
    act_authorisation,
)
from tests.registry.fake_chain import Acts, Authorisations, FakeChain, S, is_zero, reverted

REGISTRY_ADDRESS = to_checksum_address("0x" + hashlib.sha256(b"fake DataRightsRegistry").hexdigest()[:40])
OPERATOR_ADDRESS = to_checksum_address("0x" + hashlib.sha256(b"fake operator").hexdigest()[:40])
DEFAULT_NOTICE_PERIOD_S = 15 * 24 * 3600  # the contract's default (Shanghai's)
MAX_NOTICE_PERIOD_S = 365 * 24 * 3600
_ACTIVE = (S.REGISTERED, S.UNDER_REVIEW, S.IN_NOTICE, S.CERTIFIED)
REGISTRAR_ROLE = "0x" + keccak(text="REGISTRAR_ROLE").hex()


def _status_reverted(asset_id: str, status: OnChainAssetStatus) -> DataLedgerError:
    """``DataRightsRegistry._revertStatus``."""
    if status is S.NONE:
        return reverted("DataRightsAssetNotFound", assetId=asset_id)
    if status is S.REVOKED:
        return reverted("DataRightsAssetIsRevoked", assetId=asset_id)
    return reverted("DataRightsInvalidStatus", assetId=asset_id, assetStatus=int(status))


@dataclass
class _Asset:
    holder: str
    registered_at: int
    status: OnChainAssetStatus
    content_hash: str
    metadata_hash: str


@dataclass
class _Procedure:
    right: RightClaimed
    lawful_source_hash: str
    version: int = 1
    open_objections: int = 0
    enforcements: int = 0
    notice_ends_at: int = 0
    certificate_valid_until: int = 0
    pledgee: str | None = None
    current_certificate: str | None = None


@dataclass
class _Certificate:
    asset_id: str
    recorded_at: int
    valid_until: int
    superseded_by: str | None = None


class FakeRegistryLedger:
    """``DataRightsRegistry`` in memory (the ``RegistryLedger`` and ``RegistrarRoles`` ports); the
    operator is the administrator and relays, the registrars it granted the role sign their acts."""

    def __init__(self, chain: FakeChain, address: str = REGISTRY_ADDRESS, operator: str = OPERATOR_ADDRESS):
        self._chain = chain
        self._address = to_checksum_address(address)
        self._operator = to_checksum_address(operator)
        self._domain = Eip712Domain(chain_id=chain.chain_id, verifying_contract=self._address)
        self._auth = Authorisations("DataRights", self._domain)
        self._assets: dict[str, _Asset] = {}
        self._procedures: dict[str, _Procedure] = {}
        self._asset_of_content: dict[str, str] = {}
        self._certificates: dict[str, _Certificate] = {}
        self._objections: dict[int, OnChainObjection] = {}
        self._used_batch_nonces: set[tuple[str, int]] = set()
        self._notice_period = DEFAULT_NOTICE_PERIOD_S
        self._registrars: set[str] = set()
        self._pledges: dict[str, OnChainPledge] = {}
        self._pledge_certificates: dict[str, OnChainPledgeCertificate] = {}

    # -- identity and time --------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return self._chain.chain_id

    @property
    def registry_address(self) -> str:
        return self._address

    @property
    def domain(self) -> Eip712Domain:
        return self._domain

    @property
    def operator(self) -> str:
        return self._operator

    def next_block_timestamp(self) -> int:
        return self._chain.next_block_timestamp()

    def block_timestamp(self, block_number: int) -> int:
        return self._chain.block_timestamp(block_number)

    def nonce_of(self, holder: str) -> int:
        return self._auth.nonce_of(holder)

    def notice_period(self) -> int:
        return self._notice_period

    # -- the registrar role (AccessControl, granted and revoked by the operator as admin) -------------

    def is_registrar(self, address: str) -> bool:
        return address.lower() in self._registrars

    # Role changes take effect without mining a block (and answer no acts): the services record nothing
    # of them, and a test's block times then do not depend on how many registrars its world has.
    def grant_registrar(self, registrar: str) -> Acts:
        self._registrars.add(registrar.lower())
        return ()

    def revoke_registrar(self, registrar: str) -> Acts:
        self._registrars.discard(registrar.lower())
        return ()

    def _use_registrar(self, primary_type: str, signature: str, now: int, **fields: Any) -> str:
        """``_useRegistrarAuthorisation``: deadline, signature, the signer's role, then its nonce (checked
        here, consumed by the caller once every other check passed); the registrar's address."""
        registrar = to_checksum_address(fields["registrar"])
        typed = act_authorisation(primary_type, registrar, **fields).typed_data(self._domain)
        deadline, nonce = int(fields["deadline"]), int(fields["nonce"])
        if now > deadline:
            raise reverted("DataRightsSignatureExpired", deadline=deadline, timestamp=now)
        if not self._auth.signed_by(typed, registrar, signature):
            raise reverted("DataRightsInvalidSignature", signer=registrar)
        if not self.is_registrar(registrar):
            raise reverted("AccessControlUnauthorizedAccount", account=registrar, neededRole=REGISTRAR_ROLE)
        current = self._auth.nonce_of(registrar)
        if nonce != current:
            raise reverted("InvalidAccountNonce", account=registrar, currentNonce=current)
        return registrar

    # -- registration -------------------------------------------------------------------------------

    def register(self, auth: RegistrationAuthorisation, signature: str) -> RegistrationEvent:
        now = self.next_block_timestamp()
        if is_zero(auth.content_hash) or is_zero(auth.metadata_hash):
            raise reverted("DataRightsZeroHash")
        self._auth.check(auth.typed_data(self._domain), auth.holder, signature, now)
        self._check_new_asset(auth)
        self._auth.consume(auth.holder)
        acts = self._store_asset(auth, now, [])
        return _registration_event(acts[0])

    def materialise_batched(
        self, auth: RegistrationAuthorisation, signature: str, anchored_at: int
    ) -> tuple[RegistrationEvent, Acts]:
        """``materialise`` of a registration whose batch was anchored at ``anchored_at``; the Merkle
        proof is taken as given (it is the materialisation service's and the anchor's business)."""
        now = self.next_block_timestamp()
        if is_zero(auth.content_hash) or is_zero(auth.metadata_hash):
            raise reverted("DataRightsZeroHash")
        if not self._auth.signed_by(auth.typed_data(self._domain), auth.holder, signature):
            raise reverted("DataRightsInvalidSignature", signer=auth.holder)
        if anchored_at > auth.deadline:
            raise reverted("DataRightsSignatureExpired", deadline=auth.deadline, timestamp=anchored_at)
        if auth.nonce & BATCH_NONCE_FLAG == 0:
            raise reverted("DataRightsNotBatchNonce", nonce=auth.nonce)
        if (auth.holder.lower(), auth.nonce) in self._used_batch_nonces:
            raise reverted("DataRightsAlreadyMaterialised", holder=auth.holder, nonce=auth.nonce)
        self._check_new_asset(auth)
        self._used_batch_nonces.add((auth.holder.lower(), auth.nonce))
        materialised = {"root": ZERO_HASH, "batchId": 1, "anchoredAt": anchored_at, "leaf": ZERO_HASH}
        acts = self._store_asset(auth, now, [("AssetMaterialised", materialised)])
        return _registration_event(acts[0]), acts

    def _check_new_asset(self, auth: RegistrationAuthorisation) -> None:
        asset_id = _asset_id(auth)
        if asset_id in self._assets:
            raise reverted("DataRightsAssetAlreadyRegistered", assetId=asset_id)
        self._check_content_free(auth.content_hash)

    def _check_content_free(self, content_hash: str) -> None:
        existing = self._asset_of_content.get(content_hash)
        if existing is not None:
            raise reverted(
                "DataRightsContentAlreadyRegistered", contentHash=content_hash, existingAssetId=existing
            )

    def _store_asset(
        self, auth: RegistrationAuthorisation, now: int, then: list[tuple[str, dict[str, Any]]]
    ) -> Acts:
        asset_id = _asset_id(auth)
        self._asset_of_content[auth.content_hash] = asset_id
        self._assets[asset_id] = _Asset(auth.holder, now, S.REGISTERED, auth.content_hash, auth.metadata_hash)
        self._procedures[asset_id] = _Procedure(auth.right, auth.lawful_source_hash)
        registered = {
            "assetId": asset_id,
            "holder": auth.holder,
            "contentHash": auth.content_hash,
            "metadataHash": auth.metadata_hash,
            "right": RIGHT_INDEX[auth.right],
            "lawfulSourceHash": auth.lawful_source_hash,
            "nonce": auth.nonce,
            "relayer": self._operator,
        }
        return self._mine(
            ("AssetRegistered", registered), *((name, {"assetId": asset_id, **args}) for name, args in then)
        )

    # -- the registrar's procedure ------------------------------------------------------------------

    def _record_review(self, m: Any, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset_id, stage, passed, reason_hash = (
            m["assetId"],
            ReviewStage(m["stage"]),
            m["passed"],
            m["reasonHash"],
        )
        self._require_hash(reason_hash)
        registrar = self._use_registrar("Review", signature, now, **m)
        asset = self._asset(asset_id)
        expected = S.REGISTERED if stage is ReviewStage.FORMAL else S.UNDER_REVIEW
        if asset.status is not expected:
            raise _status_reverted(asset_id, asset.status)
        self._auth.consume(registrar)
        reviewed = (
            "ApplicationReviewed",
            self._by_registrar(asset_id, registrar, stage=int(stage), passed=passed, reasonHash=reason_hash),
        )
        if not passed:
            asset.status = S.REJECTED
            return self._mine(reviewed, self._rejected(asset_id, registrar, reason_hash))
        if stage is ReviewStage.FORMAL:
            asset.status = S.UNDER_REVIEW
            return self._mine(reviewed)
        asset.status = S.IN_NOTICE
        ends_at = now + self._notice_period
        self._procedures[asset_id].notice_ends_at = ends_at
        started = {"assetId": asset_id, "startedAt": now, "endsAt": ends_at, "registrar": registrar}
        return self._mine(reviewed, ("PublicNoticeStarted", started))

    def _reject(self, m: Any, signature: str) -> Acts:
        asset_id, reason_hash = m["assetId"], m["reasonHash"]
        self._require_hash(reason_hash)
        registrar = self._use_registrar("Rejection", signature, self.next_block_timestamp(), **m)
        asset = self._asset(asset_id)
        if asset.status not in (S.REGISTERED, S.UNDER_REVIEW, S.IN_NOTICE):
            raise _status_reverted(asset_id, asset.status)
        self._auth.consume(registrar)
        asset.status = S.REJECTED
        return self._mine(self._rejected(asset_id, registrar, reason_hash))

    def file_objection(
        self,
        objector: str,
        asset_id: str,
        reason_hash: str,
        evidence_hash: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> Acts:
        now = self.next_block_timestamp()
        self._require_hash(reason_hash)
        asset = self._asset(asset_id)
        if asset.status is not S.IN_NOTICE:
            raise _status_reverted(asset_id, asset.status)
        procedure = self._procedures[asset_id]
        if now >= procedure.notice_ends_at:
            raise reverted("DataRightsNoticePeriodEnded", assetId=asset_id, endedAt=procedure.notice_ends_at)
        self._auth.check_act(
            "Objection",
            objector,
            signature,
            now,
            objector=objector,
            assetId=asset_id,
            reasonHash=reason_hash,
            evidenceHash=evidence_hash,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(objector)
        objection_id = len(self._objections) + 1
        self._objections[objection_id] = OnChainObjection(
            objection_id,
            asset_id,
            to_checksum_address(objector),
            now,
            ObjectionStatus.OPEN,
            reason_hash,
            evidence_hash,
        )
        procedure.open_objections += 1
        filed = {
            "assetId": asset_id,
            "objectionId": objection_id,
            "objector": to_checksum_address(objector),
            "reasonHash": reason_hash,
            "evidenceHash": evidence_hash,
        }
        return self._mine(("ObjectionFiled", filed))

    def _resolve_objection(self, m: Any, signature: str) -> Acts:
        objection_id, upheld, resolution_hash = m["objectionId"], m["upheld"], m["resolutionHash"]
        self._require_hash(resolution_hash)
        registrar = self._use_registrar("ObjectionResolution", signature, self.next_block_timestamp(), **m)
        objection = self._objections.get(objection_id)
        if objection is None:
            raise reverted("DataRightsObjectionNotFound", objectionId=objection_id)
        if objection.status is not ObjectionStatus.OPEN:
            raise reverted("DataRightsObjectionAlreadyResolved", objectionId=objection_id)
        asset_id = objection.asset_id
        asset = self._asset(asset_id)
        if asset.status is not S.IN_NOTICE:
            raise _status_reverted(asset_id, asset.status)
        self._auth.consume(registrar)
        status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        self._objections[objection_id] = replace(objection, status=status)
        self._procedures[asset_id].open_objections -= 1
        resolved = self._by_registrar(
            asset_id, registrar, objectionId=objection_id, upheld=upheld, resolutionHash=resolution_hash
        )
        if not upheld:
            return self._mine(("ObjectionResolved", resolved))
        asset.status = S.REJECTED
        return self._mine(
            ("ObjectionResolved", resolved), self._rejected(asset_id, registrar, resolution_hash)
        )

    def objection(self, objection_id: int) -> OnChainObjection | None:
        return self._objections.get(objection_id)

    def set_notice_period(self, seconds: int) -> Acts:
        if seconds > MAX_NOTICE_PERIOD_S:
            raise reverted("DataRightsInvalidNoticePeriod", period=seconds)
        previous, self._notice_period = self._notice_period, seconds
        return self._mine(("NoticePeriodChanged", {"previous": previous, "current": seconds}))

    def _revoke(self, m: Any, signature: str) -> Acts:
        asset_id, reason_hash = m["assetId"], m["reasonHash"]
        self._require_hash(reason_hash)
        registrar = self._use_registrar("Revocation", signature, self.next_block_timestamp(), **m)
        asset = self._require_active(asset_id)
        self._auth.consume(registrar)
        asset.status = S.REVOKED
        return self._mine(("AssetRevoked", self._by_registrar(asset_id, registrar, reasonHash=reason_hash)))

    # -- certificates -------------------------------------------------------------------------------

    def _record_certificate_act(self, m: Any, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset_id, certificate_hash, valid_until = m["assetId"], m["certificateHash"], m["validUntil"]
        self._require_new_certificate(certificate_hash)
        registrar = self._use_registrar("Certificate", signature, now, **m)
        asset = self._asset(asset_id)
        procedure = self._procedures.get(asset_id)
        if asset.status is S.IN_NOTICE and procedure is not None:
            if now < procedure.notice_ends_at:
                raise reverted(
                    "DataRightsNoticePeriodNotEnded", assetId=asset_id, endsAt=procedure.notice_ends_at
                )
            if procedure.open_objections:
                raise reverted("DataRightsObjectionsOpen", assetId=asset_id, open=procedure.open_objections)
            if valid_until != 0 and valid_until <= now:
                raise reverted("DataRightsInvalidValidity", validUntil=valid_until)
            self._auth.consume(registrar)
            asset.status = S.CERTIFIED
            procedure.certificate_valid_until = valid_until
        elif asset.status is S.CERTIFIED and procedure is not None:
            self._require_unexpired(asset_id, procedure, now)
            if valid_until != procedure.certificate_valid_until:
                raise reverted("DataRightsInvalidValidity", validUntil=valid_until)
            self._auth.consume(registrar)
        else:
            raise _status_reverted(asset_id, asset.status)
        return self._mine(
            *self._record_certificate(asset_id, procedure, certificate_hash, valid_until, now, registrar)
        )

    def _renew_certificate(self, m: Any, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset_id, certificate_hash, valid_until = m["assetId"], m["certificateHash"], m["validUntil"]
        self._require_new_certificate(certificate_hash)
        registrar = self._use_registrar("Renewal", signature, now, **m)
        procedure = self._require_certified(asset_id, now)
        if procedure.certificate_valid_until == 0 or valid_until <= procedure.certificate_valid_until:
            raise reverted("DataRightsInvalidValidity", validUntil=valid_until)
        self._auth.consume(registrar)
        procedure.certificate_valid_until = valid_until
        events = self._record_certificate(asset_id, procedure, certificate_hash, valid_until, now, registrar)
        renewed = {
            "assetId": asset_id,
            "certificateHash": certificate_hash,
            "validUntil": valid_until,
            "registrar": registrar,
        }
        return self._mine(*events, ("CertificateRenewed", renewed))

    def _record_certificate(
        self,
        asset_id: str,
        procedure: _Procedure,
        certificate_hash: str,
        valid_until: int,
        now: int,
        registrar: str,
    ) -> list[tuple[str, dict[str, Any]]]:
        previous = procedure.current_certificate
        self._certificates[certificate_hash] = _Certificate(asset_id, now, valid_until)
        procedure.current_certificate = certificate_hash
        recorded = self._by_registrar(asset_id, registrar, certificateHash=certificate_hash)
        events = [("CertificateRecorded", recorded)]
        if previous is not None:
            self._certificates[previous].superseded_by = certificate_hash
            superseded = {
                "assetId": asset_id,
                "certificateHash": previous,
                "supersededBy": certificate_hash,
                "registrar": registrar,
            }
            events.append(("CertificateSuperseded", superseded))
        return events

    # -- acts of the holder and the pledgee ---------------------------------------------------------

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts:
        """Call the contract function of the act with the arguments the chain client passes."""
        return self._chain.carried(signature, self._call(auth, signature))

    def latest_block_number(self) -> int:
        return self._chain.latest_block_number()

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        return self._chain.find_act(self.registry_address, signature, from_block)

    def _call(self, auth: ActAuthorisation, signature: str) -> Acts:
        m = auth.message
        match auth.primary_type:
            case "Review":
                return self._record_review(m, signature)
            case "Rejection":
                return self._reject(m, signature)
            case "ObjectionResolution":
                return self._resolve_objection(m, signature)
            case "Certificate":
                return self._record_certificate_act(m, signature)
            case "Renewal":
                return self._renew_certificate(m, signature)
            case "Revocation":
                return self._revoke(m, signature)
            case "Objection":
                return self.file_objection(
                    m["objector"],
                    m["assetId"],
                    m["reasonHash"],
                    m["evidenceHash"],
                    m["nonce"],
                    m["deadline"],
                    signature,
                )
            case "Change":
                return self.change_asset(
                    m["assetId"], m["contentHash"], m["metadataHash"], m["nonce"], m["deadline"], signature
                )
            case "Transfer":
                return self.transfer(m["assetId"], m["to"], m["nonce"], m["deadline"], signature)
            case "PledgeRevaluation":
                return self._revalue_pledge(m, signature)
            case "PledgeCertificate":
                return self._record_pledge_certificate(m, signature)
            case "PledgeRelease":
                return self.release_pledge(m["assetId"], m["nonce"], m["deadline"], signature)
            case "PledgeEnforcement":
                return self.enforce_pledge(m["assetId"], m["nonce"], m["deadline"], signature)
            case "Cancellation":
                return self.cancel(m["assetId"], m["nonce"], m["deadline"], signature)
        raise ValidationFailed(f"the registry takes no {auth.primary_type} act", field="primaryType")

    def change_asset(
        self, asset_id: str, content_hash: str, metadata_hash: str, nonce: int, deadline: int, signature: str
    ) -> Acts:
        now = self.next_block_timestamp()
        if is_zero(content_hash) or is_zero(metadata_hash):
            raise reverted("DataRightsZeroHash")
        procedure = self._require_certified(asset_id, now)
        asset = self._assets[asset_id]
        self._auth.check_act(
            "Change",
            asset.holder,
            signature,
            now,
            assetId=asset_id,
            contentHash=content_hash,
            metadataHash=metadata_hash,
            nonce=nonce,
            deadline=deadline,
        )
        self._check_content_free(content_hash)
        self._auth.consume(asset.holder)
        self._asset_of_content[content_hash] = asset_id
        previous, asset.content_hash, asset.metadata_hash = asset.content_hash, content_hash, metadata_hash
        procedure.version += 1
        changed = {
            "assetId": asset_id,
            "holder": asset.holder,
            "version": procedure.version,
            "contentHash": content_hash,
            "metadataHash": metadata_hash,
            "previousContentHash": previous,
        }
        return self._mine(("AssetChanged", changed))

    def transfer(self, asset_id: str, to: str, nonce: int, deadline: int, signature: str) -> Acts:
        now = self.next_block_timestamp()
        procedure = self._require_certified(asset_id, now)
        self._require_not_pledged(asset_id, procedure)
        holder = self._assets[asset_id].holder
        self._require_counterparty(to, holder)
        self._auth.check_act(
            "Transfer", holder, signature, now, assetId=asset_id, to=to, nonce=nonce, deadline=deadline
        )
        self._auth.consume(holder)
        return self._mine(self._move_to(asset_id, to))

    def pledge(
        self,
        by_holder: ActAuthorisation,
        holder_signature: str,
        by_pledgee: ActAuthorisation,
        pledgee_signature: str,
    ) -> Acts:
        """``pledge(assetId, terms, byHolder, byPledgee)``: both parties signed the same terms."""
        return self._chain.carried(
            holder_signature, self._pledge(by_holder, holder_signature, by_pledgee, pledgee_signature)
        )

    def _pledge(
        self,
        by_holder: ActAuthorisation,
        holder_signature: str,
        by_pledgee: ActAuthorisation,
        pledgee_signature: str,
    ) -> Acts:
        now = self.next_block_timestamp()
        m, p = by_holder.message, by_pledgee.message
        asset_id, pledgee = m["assetId"], m["pledgee"]
        self._require_hash(m["termsHash"])
        self._require_hash(m["valuationHash"])
        if m["securedAmount"] == 0 or len(m["currency"].encode()) != 3 or m["maturity"] <= now:
            raise reverted("DataRightsInvalidPledgeTerms", assetId=asset_id, maturity=m["maturity"])
        procedure = self._require_certified(asset_id, now)
        self._require_not_pledged(asset_id, procedure)
        holder = self._assets[asset_id].holder
        self._require_counterparty(pledgee, holder)
        terms = {k: m[k] for k in ("termsHash", "securedAmount", "currency", "maturity", "valuationHash")}
        self._auth.check_act(
            "Pledge", holder, holder_signature, now, assetId=asset_id, pledgee=pledgee,
            nonce=m["nonce"], deadline=m["deadline"], **terms,
        )  # fmt: skip
        self._auth.check_act(
            "PledgeAcceptance", pledgee, pledgee_signature, now, assetId=asset_id, holder=holder,
            nonce=p["nonce"], deadline=p["deadline"], **terms,
        )  # fmt: skip
        self._auth.consume(holder)  # after both checks: a refused pledge uses neither nonce
        self._auth.consume(pledgee)
        procedure.pledgee = to_checksum_address(pledgee)
        previous = self._pledges.get(asset_id)
        self._pledges[asset_id] = OnChainPledge(
            asset_id=asset_id,
            pledgee=procedure.pledgee,
            terms_hash=m["termsHash"],
            secured_amount=m["securedAmount"],
            currency=m["currency"],
            maturity=m["maturity"],
            valuation_hash=m["valuationHash"],
            pledged_at=now,
            serial=(previous.serial if previous else 0) + 1,
            certificate_hash=None,
            active=True,
        )
        pledged = {"assetId": asset_id, "holder": holder, "pledgee": procedure.pledgee, **terms}
        return self._mine(("AssetPledged", pledged))

    def _revalue_pledge(self, m: Any, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset_id = m["assetId"]
        self._require_hash(m["valuationHash"])
        procedure = self._procedures.get(asset_id)
        if procedure is None:
            raise reverted("DataRightsAssetNotPledged", assetId=asset_id)
        pledgee = self._require_pledged(asset_id, procedure)
        self._auth.check_act(
            "PledgeRevaluation", pledgee, signature, now, assetId=asset_id, pledgee=pledgee,
            valuationHash=m["valuationHash"], nonce=m["nonce"], deadline=m["deadline"],
        )  # fmt: skip
        self._auth.consume(pledgee)
        self._pledges[asset_id] = replace(self._pledges[asset_id], valuation_hash=m["valuationHash"])
        revalued = {"assetId": asset_id, "pledgee": pledgee, "valuationHash": m["valuationHash"]}
        return self._mine(("PledgeRevalued", revalued))

    def _record_pledge_certificate(self, m: Any, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset_id, certificate_hash = m["assetId"], m["certificateHash"]
        self._require_hash(certificate_hash)
        registrar = self._use_registrar("PledgeCertificate", signature, now, **m)
        procedure = self._procedures.get(asset_id)
        if procedure is None:
            raise reverted("DataRightsAssetNotPledged", assetId=asset_id)
        current = self._require_pledged(asset_id, procedure)
        if current.lower() != m["pledgee"].lower():
            raise reverted("DataRightsInvalidCounterparty", account=m["pledgee"])
        record = self._pledges[asset_id]
        if record.certificate_hash is not None:
            raise reverted(
                "DataRightsPledgeCertified", assetId=asset_id, certificateHash=record.certificate_hash
            )
        self._require_new_certificate(certificate_hash)
        self._auth.consume(registrar)
        self._pledges[asset_id] = replace(record, certificate_hash=certificate_hash)
        self._pledge_certificates[certificate_hash] = OnChainPledgeCertificate(
            certificate_hash, asset_id, record.serial, registrar, now
        )
        recorded = {
            "assetId": asset_id,
            "pledgee": current,
            "certificateHash": certificate_hash,
            "registrar": registrar,
        }
        return self._mine(("PledgeCertificateRecorded", recorded))

    def pledge_record(self, asset_id: str) -> OnChainPledge | None:
        return self._pledges.get(asset_id.lower())

    def pledge_certificate_record(self, certificate_hash: str) -> OnChainPledgeCertificate | None:
        return self._pledge_certificates.get(certificate_hash.lower())

    def release_pledge(self, asset_id: str, nonce: int, deadline: int, signature: str) -> Acts:
        now = self.next_block_timestamp()
        procedure = self._procedures.get(asset_id)
        if procedure is None:  # never registered: no pledgee in storage
            raise reverted("DataRightsAssetNotPledged", assetId=asset_id)
        pledgee = self._require_pledged(asset_id, procedure)
        self._auth.check_act(
            "PledgeRelease",
            pledgee,
            signature,
            now,
            assetId=asset_id,
            pledgee=pledgee,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(pledgee)
        procedure.pledgee = None
        self._pledges[asset_id] = replace(self._pledges[asset_id], active=False)
        return self._mine(("PledgeReleased", {"assetId": asset_id, "pledgee": pledgee}))

    def enforce_pledge(self, asset_id: str, nonce: int, deadline: int, signature: str) -> Acts:
        now = self.next_block_timestamp()
        procedure = self._require_certified(asset_id, now)
        pledgee = self._require_pledged(asset_id, procedure)
        self._auth.check_act(
            "PledgeEnforcement",
            pledgee,
            signature,
            now,
            assetId=asset_id,
            pledgee=pledgee,
            nonce=nonce,
            deadline=deadline,
        )
        self._auth.consume(pledgee)
        procedure.pledgee = None
        self._pledges[asset_id] = replace(self._pledges[asset_id], active=False)
        procedure.enforcements += 1
        enforced = {"assetId": asset_id, "pledgee": pledgee, "from": self._assets[asset_id].holder}
        return self._mine(("PledgeEnforced", enforced), self._move_to(asset_id, pledgee))

    def cancel(self, asset_id: str, nonce: int, deadline: int, signature: str) -> Acts:
        now = self.next_block_timestamp()
        asset = self._require_active(asset_id)
        self._require_not_pledged(asset_id, self._procedures[asset_id])
        holder = asset.holder
        self._auth.check_act(
            "Cancellation", holder, signature, now, assetId=asset_id, nonce=nonce, deadline=deadline
        )
        self._auth.consume(holder)
        asset.status = S.CANCELLED
        return self._mine(("AssetCancelled", {"assetId": asset_id, "holder": holder}))

    # -- reads (ChainEvidenceReader) ----------------------------------------------------------------

    def asset(self, asset_id: str) -> OnChainAsset | None:
        asset = self._assets.get(asset_id.lower())
        if asset is None:
            return None
        return OnChainAsset(
            asset_id.lower(),
            asset.holder,
            asset.content_hash,
            asset.metadata_hash,
            asset.registered_at,
            asset.status,
        )

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        p = self._procedures.get(asset_id.lower())
        if p is None:
            return None
        return OnChainProcedure(
            right=p.right,
            version=p.version,
            open_objections=p.open_objections,
            enforcements=p.enforcements,
            notice_ends_at=p.notice_ends_at,
            certificate_valid_until=p.certificate_valid_until,
            pledgee=p.pledgee,
            lawful_source_hash=p.lawful_source_hash,
            current_certificate=p.current_certificate,
        )

    def certificate_record(self, certificate_hash: str) -> OnChainCertificate | None:
        record = self._certificates.get(certificate_hash.lower())
        if record is None:
            return None
        return OnChainCertificate(
            certificate_hash.lower(),
            record.asset_id,
            record.recorded_at,
            record.valid_until,
            record.superseded_by,
        )

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        for act in self._chain.acts_of_transaction(tx_hash) or ():
            if act.event in ("AssetRegistered", "AssetChanged", "AssetTransferred"):
                return _registration_event(act)
        return None

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None:
        for act in self._chain.every_act(self._address):
            if act.event == "AssetRegistered" and act.args["assetId"] == asset_id.lower():
                return _registration_event(act)
        return None

    def facts_act(self, asset_id: str) -> ChainAct | None:
        facts = ("AssetRegistered", "AssetChanged", "AssetTransferred")
        latest = None
        for act in self._chain.every_act(self._address):
            if act.event in facts and act.args["assetId"] == asset_id.lower():
                latest = act
        return latest

    def acts_of_transaction(self, tx_hash: str) -> Acts | None:
        return self._chain.acts_of_transaction(tx_hash)

    # -- the contract's private checks --------------------------------------------------------------

    def _asset(self, asset_id: str) -> _Asset:
        """Storage of ``asset_id``, as Solidity reads an absent key: an asset of status None."""
        return self._assets.get(asset_id) or _Asset(ZERO_ADDRESS, 0, S.NONE, ZERO_HASH, ZERO_HASH)

    def _require_active(self, asset_id: str) -> _Asset:
        asset = self._asset(asset_id)
        if asset.status not in _ACTIVE:
            raise _status_reverted(asset_id, asset.status)
        return asset

    def _require_certified(self, asset_id: str, now: int) -> _Procedure:
        status = self._asset(asset_id).status
        if status is not S.CERTIFIED:
            raise _status_reverted(asset_id, status)
        procedure = self._procedures[asset_id]
        self._require_unexpired(asset_id, procedure, now)
        return procedure

    @staticmethod
    def _require_unexpired(asset_id: str, procedure: _Procedure, now: int) -> None:
        until = procedure.certificate_valid_until
        if until != 0 and now > until:
            raise reverted("DataRightsCertificateExpired", assetId=asset_id, validUntil=until)

    @staticmethod
    def _require_not_pledged(asset_id: str, procedure: _Procedure) -> None:
        if procedure.pledgee is not None:
            raise reverted("DataRightsAssetIsPledged", assetId=asset_id, pledgee=procedure.pledgee)

    @staticmethod
    def _require_pledged(asset_id: str, procedure: _Procedure) -> str:
        if procedure.pledgee is None:
            raise reverted("DataRightsAssetNotPledged", assetId=asset_id)
        return procedure.pledgee

    @staticmethod
    def _require_counterparty(account: str, holder: str) -> None:
        if is_zero(account) or account.lower() == holder.lower():
            raise reverted("DataRightsInvalidCounterparty", account=account)

    def _require_new_certificate(self, certificate_hash: str) -> None:
        self._require_hash(certificate_hash)
        if certificate_hash in self._certificates or certificate_hash in self._pledge_certificates:
            raise reverted("DataRightsCertificateAlreadyRecorded", certificateHash=certificate_hash)

    @staticmethod
    def _require_hash(value: str) -> None:
        if is_zero(value):
            raise reverted("DataRightsZeroHash")

    def _move_to(self, asset_id: str, to: str) -> tuple[str, dict[str, Any]]:
        asset = self._assets[asset_id]
        previous, asset.holder = asset.holder, to_checksum_address(to)
        moved = {
            "assetId": asset_id,
            "from": previous,
            "to": asset.holder,
            "contentHash": asset.content_hash,
            "metadataHash": asset.metadata_hash,
        }
        return "AssetTransferred", moved

    @staticmethod
    def _by_registrar(asset_id: str, registrar: str, **args: Any) -> dict[str, Any]:
        return {"assetId": asset_id, "registrar": registrar, **args}

    def _rejected(self, asset_id: str, registrar: str, reason_hash: str) -> tuple[str, dict[str, Any]]:
        return "ApplicationRejected", self._by_registrar(asset_id, registrar, reasonHash=reason_hash)

    def _mine(self, *events: tuple[str, dict[str, Any]]) -> Acts:
        return self._chain.mine(self._address, events)


def _asset_id(auth: RegistrationAuthorisation) -> str:
    return asset_id_for(auth.holder, auth.content_hash, auth.metadata_hash)


def _registration_event(act: ChainAct) -> RegistrationEvent:
    args = act.args
    holder = args["to"] if act.event == "AssetTransferred" else args["holder"]
    return RegistrationEvent(args["assetId"], holder, args["contentHash"], args["metadataHash"], act.evidence)
