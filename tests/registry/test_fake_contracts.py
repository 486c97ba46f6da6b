"""The fakes are only as good as their likeness: the same acts, signed once, go to the fake contracts
and to the real ones on anvil, and every outcome must agree (the events and their arguments, or the
domain error and the custom error behind it), as must the nonces and the records read back.

The services' unit tests rely on this likeness without paying for a chain: a rule the fakes got
wrong, or one a contract changed, shows up here first. Each step states the outcome it expects, so
the scenario cannot drift into refusing everything for one wrong reason; it visits every rule the
services lean on, including the refusals they normally pre-empt (a forged signature, a licence used up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from dataledger.composition.settings import DEV_OPERATOR_KEY
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient, decoder_for_all_contracts
from dataledger.ledger.chain.licence_registry import LicenceRegistryClient
from dataledger.ledger.chain.transactions import TransactionSender
from dataledger.registry.chain_records import ZERO_ADDRESS, ZERO_HASH, ChainAct, ReviewStage
from dataledger.registry.chain_types import RegistrationEvent
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    RegistrationAuthorisation,
    act_authorisation,
    sign_act,
    sign_registration,
)
from tests.nodes import rpc
from tests.registry.fakes import FakeChain, FakeClock, FakeLicenceLedger, FakeRegistryLedger
from tests.registry.service_factories import hash_of, key_of

FAR = 2**40
FORMAL, SUBSTANTIVE = ReviewStage.FORMAL, ReviewStage.SUBSTANTIVE
Outcome = tuple[object, ...]


class Twins:
    """A real registry and licence registry on anvil, and their fakes on a chain kept at the same time.

    The fakes take the real contracts' addresses, so one signature is valid (or not) for both."""

    def __init__(self, url: str) -> None:
        self.url = url
        w3 = Web3(HTTPProvider(url))
        sender = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
        self.registry, _ = DataRightsRegistryClient.deploy(
            w3, sender, admin=sender.address, registrar=ZERO_ADDRESS
        )
        self.licences, _ = LicenceRegistryClient.deploy(w3, sender, self.registry.registry_address)
        self.clock = FakeClock(self.registry.next_block_timestamp())
        self.fake_chain = FakeChain(self.clock, chain_id=self.registry.chain_id)
        self.fake_registry = FakeRegistryLedger(
            self.fake_chain, self.registry.registry_address, self.registry.operator
        )
        self.fake_licences = FakeLicenceLedger(self.fake_chain, self.fake_registry, self.licences.address)
        self.steps = 0
        self.registrar = key_of("twin registrar")
        self.grant(self.registrar)

    def grant(self, registrar: LocalAccount) -> None:
        """The administrator grants ``registrar``'s key the registrar role on both registries."""
        self.registry.grant_registrar(registrar.address)
        self.fake_registry.grant_registrar(registrar.address)

    def revoke(self, registrar: LocalAccount) -> None:
        self.registry.revoke_registrar(registrar.address)
        self.fake_registry.revoke_registrar(registrar.address)

    # -- acts on both chains ------------------------------------------------------------------------

    def registry_act(self, expected: str | None, function: str, *args: Any) -> Any:
        """Call ``function`` on both registries: it must succeed (``expected`` None) or revert with the
        custom error ``expected`` on the chain, and the fake must do exactly the same."""
        return self._both(expected, function, args, self.registry, self.fake_registry)

    def licence_act(self, expected: str | None, function: str, *args: Any) -> Any:
        return self._both(expected, function, args, self.licences, self.fake_licences)

    def _both(self, expected: str | None, function: str, args: tuple[Any, ...], real: Any, fake: Any) -> Any:
        self.steps += 1
        self.clock.seconds = self._pin(0)
        real_outcome, result = _outcome(lambda: getattr(real, function)(*args))
        fake_outcome, _ = _outcome(lambda: getattr(fake, function)(*args))
        step = f"step {self.steps} ({function})"
        assert real_outcome[0] == ("refused" if expected else "done"), f"{step}: the chain did {real_outcome}"
        assert expected is None or real_outcome[2] == expected, f"{step}: the chain did {real_outcome}"
        assert fake_outcome == real_outcome, f"{step}: the fake did {fake_outcome}, the chain {real_outcome}"
        return result

    def advance(self, seconds: int) -> None:
        """Move both chains' time ``seconds`` on (anvil mines an empty block to get there)."""
        self.clock.seconds = self._pin(seconds)
        rpc(self.url, "evm_mine")

    def advance_to(self, timestamp: int) -> None:
        """Let the next act on both chains be judged at ``timestamp`` (no earlier than it could be)."""
        self.clock.seconds = timestamp
        self._pin(0)

    def _pin(self, seconds: int) -> int:
        # Anvil may stamp blocks mined within one second alike, where the fake adds a second per
        # block: pin the next real block to the fake's stamp, so both judge an act at one time.
        stamp = max(self.registry.next_block_timestamp(), self.fake_chain.next_block_timestamp()) + seconds
        rpc(self.url, "evm_setNextBlockTimestamp", [stamp])
        return stamp

    def now(self) -> int:
        return self.fake_chain.next_block_timestamp()

    # -- signed acts --------------------------------------------------------------------------------

    def relay(
        self,
        expected: str | None,
        primary_type: str,
        signer: LocalAccount,
        *,
        by: LocalAccount | None = None,
        **fields: Any,
    ) -> Any:
        """Sign an act of ``signer`` (by ``by``, to forge it) and relay it to both contracts that take it."""
        act = self.licence_act if primary_type.startswith(("Licence", "Consent")) else self.registry_act
        return act(expected, "submit_act", *self.signed(primary_type, signer, by=by, **fields))

    def registrar_act(
        self,
        expected: str | None,
        primary_type: str,
        *,
        registrar: LocalAccount | None = None,
        by: LocalAccount | None = None,
        **fields: Any,
    ) -> Any:
        """A registrar's act (``registrar``: the twins' registrar by default), signed by ``by`` to forge."""
        registrar = registrar or self.registrar
        return self.relay(expected, primary_type, registrar, by=by, registrar=registrar.address, **fields)

    def signed(
        self,
        primary_type: str,
        signer: LocalAccount,
        *,
        by: LocalAccount | None = None,
        nonce: int | None = None,
        deadline: int = FAR,
        **fields: Any,
    ) -> tuple[ActAuthorisation, str]:
        """An act of ``signer`` with its next nonce on the contract that takes it, signed by ``by``."""
        on_licences = primary_type.startswith(("Licence", "Consent"))
        real: Any = self.licences if on_licences else self.registry
        fake: Any = self.fake_licences if on_licences else self.fake_registry
        current = real.nonce_of(signer.address)
        assert fake.nonce_of(signer.address) == current, f"the nonces of {signer.address} differ"
        nonce = current if nonce is None else nonce
        auth = act_authorisation(primary_type, signer.address, **fields, nonce=nonce, deadline=deadline)
        return auth, sign_act((by or signer).key, auth, real.domain)

    def pledge(
        self,
        expected: str | None,
        holder: LocalAccount,
        bank: LocalAccount,
        asset_id: str,
        *,
        forged_acceptance: LocalAccount | None = None,
        **terms: Any,
    ) -> Any:
        """A pledge the holder signs (``Pledge``) and the bank accepts (``PledgeAcceptance``, signed by
        ``forged_acceptance`` to forge it), relayed to both contracts."""
        by_holder = self.signed("Pledge", holder, assetId=asset_id, pledgee=bank.address, **terms)
        by_bank = self.signed(
            "PledgeAcceptance", bank, by=forged_acceptance, assetId=asset_id, holder=holder.address, **terms
        )
        return self.registry_act(expected, "pledge", *by_holder, *by_bank)

    def registration(
        self, holder: LocalAccount, content: str, *, by: LocalAccount | None = None, nonce: int | None = None
    ) -> tuple[RegistrationAuthorisation, str]:
        auth = RegistrationAuthorisation(
            holder.address,
            content,
            hash_of(f"metadata of {content}"),
            self.registry.nonce_of(holder.address) if nonce is None else nonce,
            FAR,
        )
        return auth, sign_registration((by or holder).key, auth, self.registry.domain)

    # -- reads --------------------------------------------------------------------------------------

    def agree_on_reads(
        self, asset_ids: Sequence[str], licence_ids: Sequence[int] = (), consent_ids: Sequence[int] = ()
    ) -> None:
        for asset_id in asset_ids:
            assert self.fake_registry.asset(asset_id) == self.registry.asset(asset_id)
            assert self.fake_registry.procedure(asset_id) == self.registry.procedure(asset_id)
            assert self.fake_registry.pledge_record(asset_id) == self.registry.pledge_record(asset_id)
        for licence_id in licence_ids:
            assert self.fake_licences.licence(licence_id) == self.licences.licence(licence_id)
        for consent_id in consent_ids:
            assert self.fake_licences.consent(consent_id) == self.licences.consent(consent_id)
        assert self.fake_registry.notice_period() == self.registry.notice_period()


def _outcome(call: Callable[[], object]) -> tuple[Outcome, object]:
    """What an act did, comparable between chains: its events and arguments, or its refusal."""
    try:
        result = call()
    except DataLedgerError as exc:
        return ("refused", type(exc).__name__, exc.extra.get("contract_error")), None
    return ("done", _comparable(result)), result


def _comparable(result: object) -> object:
    if isinstance(result, RegistrationEvent):
        return (result.asset_id, result.holder, result.content_hash, result.metadata_hash)
    if isinstance(result, tuple) and all(isinstance(act, ChainAct) for act in result):
        return [(act.event, dict(act.args), act.evidence.log_index, act.block_timestamp) for act in result]
    return result


@pytest.fixture
def twins(anvil_url: str) -> Iterator[Twins]:
    snapshot = rpc(anvil_url, "evm_snapshot")
    try:
        yield Twins(anvil_url)
    finally:
        rpc(anvil_url, "evm_revert", [snapshot])


@pytest.mark.anvil
def test_the_fake_contracts_act_and_refuse_as_the_real_ones(twins: Twins) -> None:
    holder, bank, buyer, licensee, subject, forger = (key_of(f"twin {n}") for n in range(6))
    registry, relay, registrar = twins.registry_act, twins.relay, twins.registrar_act

    # registration: the holder's signature, its nonce, content bound to one asset
    registry(None, "set_notice_period", 100)
    asset_id = registry(None, "register", *twins.registration(holder, hash_of("content 1"))).asset_id
    registry("DataRightsInvalidSignature", "register", *twins.registration(holder, hash_of("c2"), by=forger))
    registry("InvalidAccountNonce", "register", *twins.registration(holder, hash_of("c3"), nonce=0))
    registry(
        "DataRightsContentAlreadyRegistered", "register", *twins.registration(bank, hash_of("content 1"))
    )
    other_id = registry(None, "register", *twins.registration(bank, hash_of("content 4"))).asset_id

    # the procedure: reviews in order, the public notice, objections, the first certificate
    def review(stage: ReviewStage, reason: str) -> dict[str, Any]:
        return {"assetId": asset_id, "stage": int(stage), "passed": True, "reasonHash": hash_of(reason)}

    def certificate(label: str, valid_until: int = 0, of: str | None = None) -> dict[str, Any]:
        return {"assetId": of or asset_id, "certificateHash": hash_of(label), "validUntil": valid_until}

    registrar("DataRightsInvalidStatus", "Certificate", **certificate("early"))
    registrar("DataRightsInvalidStatus", "Review", **review(SUBSTANTIVE, "early"))
    # registrar acts: only a key holding the role, signing for itself, once, before its deadline
    registrar("DataRightsInvalidSignature", "Review", by=forger, **review(FORMAL, "forged"))
    registrar("AccessControlUnauthorizedAccount", "Review", registrar=holder, **review(FORMAL, "self-made"))
    relay(
        "DataRightsSignatureExpired",
        "Review",
        twins.registrar,
        deadline=twins.now() - 1,
        registrar=twins.registrar.address,
        **review(FORMAL, "late"),
    )
    registrar(None, "Review", **review(FORMAL, "complete"))
    relay(
        "InvalidAccountNonce",
        "Review",
        twins.registrar,
        nonce=0,
        registrar=twins.registrar.address,
        **review(SUBSTANTIVE, "replayed"),
    )
    registrar(None, "Review", **review(SUBSTANTIVE, "lawful"))
    objection = {"objector": buyer.address, "assetId": asset_id, "reasonHash": hash_of("ours")}
    relay("DataRightsInvalidSignature", "Objection", buyer, by=forger, evidenceHash=ZERO_HASH, **objection)
    relay(None, "Objection", buyer, evidenceHash=ZERO_HASH, **objection)
    registrar("DataRightsNoticePeriodNotEnded", "Certificate", **certificate("in notice"))
    procedure = twins.registry.procedure(asset_id)
    assert procedure is not None
    twins.advance_to(procedure.notice_ends_at - 1)  # the last second of the notice
    relay(None, "Objection", buyer, evidenceHash=ZERO_HASH, **objection)
    relay("DataRightsNoticePeriodEnded", "Objection", buyer, evidenceHash=ZERO_HASH, **objection)
    registrar("DataRightsObjectionsOpen", "Certificate", **certificate("objection open"))

    def resolution(objection_id: int, upheld: bool, why: str) -> dict[str, Any]:
        return {"objectionId": objection_id, "upheld": upheld, "resolutionHash": hash_of(why)}

    registrar("DataRightsObjectionNotFound", "ObjectionResolution", **resolution(99, False, "no such"))
    registrar(None, "ObjectionResolution", **resolution(1, False, "dismissed"))
    registrar(None, "ObjectionResolution", **resolution(2, False, "dismissed"))
    registrar("DataRightsObjectionAlreadyResolved", "ObjectionResolution", **resolution(1, True, "again"))
    registrar("DataRightsInvalidValidity", "Certificate", **certificate("past", twins.now() - 1))
    valid_until = twins.now() + 10_000
    registrar(None, "Certificate", **certificate("certificate 1", valid_until))
    registrar(
        "DataRightsCertificateAlreadyRecorded", "Certificate", **certificate("certificate 1", valid_until)
    )
    twins.agree_on_reads([asset_id, other_id])

    # pledges, transfers, changes, certificates superseded
    pledge = {
        "termsHash": hash_of("loan"),
        "securedAmount": 500_000_000,
        "currency": "CNY",
        "maturity": FAR,
        "valuationHash": hash_of("valuation"),
    }
    twins.pledge("DataRightsInvalidPledgeTerms", holder, bank, asset_id, **{**pledge, "currency": "RMB!"})
    twins.pledge("DataRightsInvalidPledgeTerms", holder, bank, asset_id, **{**pledge, "securedAmount": 0})
    twins.pledge("DataRightsInvalidSignature", holder, bank, asset_id, forged_acceptance=holder, **pledge)
    twins.pledge(None, holder, bank, asset_id, **pledge)
    twins.pledge("DataRightsAssetIsPledged", holder, bank, asset_id, **pledge)
    revalued = {"assetId": asset_id, "pledgee": bank.address, "valuationHash": hash_of("revalued")}
    relay("DataRightsInvalidSignature", "PledgeRevaluation", bank, by=holder, **revalued)
    relay(None, "PledgeRevaluation", bank, **revalued)
    certified = {
        "assetId": asset_id,
        "pledgee": bank.address,
        "certificateHash": hash_of("pledge certificate"),
    }
    registrar("DataRightsInvalidCounterparty", "PledgeCertificate", **{**certified, "pledgee": buyer.address})
    registrar(None, "PledgeCertificate", **certified)
    registrar(
        "DataRightsPledgeCertified", "PledgeCertificate", **{**certified, "certificateHash": hash_of("again")}
    )
    relay("DataRightsAssetIsPledged", "Transfer", holder, assetId=asset_id, to=buyer.address)
    relay("DataRightsAssetIsPledged", "Cancellation", holder, assetId=asset_id)
    by_bank = {"assetId": asset_id, "pledgee": bank.address}
    relay("DataRightsInvalidSignature", "PledgeRelease", bank, by=holder, **by_bank)
    relay(None, "PledgeRelease", bank, **by_bank)
    relay("DataRightsAssetNotPledged", "PledgeEnforcement", bank, **by_bank)
    relay("DataRightsInvalidCounterparty", "Transfer", holder, assetId=asset_id, to=holder.address)
    relay(None, "Transfer", holder, assetId=asset_id, to=buyer.address)
    registrar("DataRightsInvalidValidity", "Certificate", **certificate("certificate 2"))
    # a second institution records the successor; the first one's role is revoked meanwhile
    second = key_of("twin second registrar")
    twins.grant(second)
    registrar(None, "Certificate", registrar=second, **certificate("certificate 2", valid_until))
    change = {"assetId": asset_id, "metadataHash": hash_of("metadata v2")}
    relay("DataRightsInvalidSignature", "Change", holder, contentHash=hash_of("c5"), **change)
    relay("DataRightsContentAlreadyRegistered", "Change", buyer, contentHash=hash_of("content 4"), **change)
    relay(None, "Change", buyer, contentHash=hash_of("content 5"), **change)
    twins.agree_on_reads([asset_id])

    # licences: granted by the current holder, used one signed use at a time, revoked, voided
    def terms(licensee_address: str, max_uses: int, **changes: Any) -> dict[str, Any]:
        now = twins.now()
        values = {
            "assetId": asset_id,
            "licensee": licensee_address,
            "assetVersion": 0,
            "maxUses": max_uses,
            "validFrom": now - 10,
            "validUntil": now + 500,
            "derivativesAllowed": False,
            "commercial": True,
            "scopeHash": hash_of("scope"),
            "purposeHash": hash_of("purpose"),
            "territoryHash": ZERO_HASH,
            "exclusivity": 0,
        }
        return {**values, **changes}

    relay("LicenceInvalidSignature", "Licence", holder, **terms(licensee.address, 1))
    relay("LicenceInvalidCounterparty", "Licence", buyer, **terms(buyer.address, 1))
    relay("LicenceInvalidAssetVersion", "Licence", buyer, **terms(licensee.address, 1, assetVersion=3))
    relay("LicenceZeroUses", "Licence", buyer, **terms(licensee.address, 0))
    relay(None, "Licence", buyer, **terms(licensee.address, 1))
    # a sole licence would overlap the one just granted; and no licence overlaps a sole one
    relay("LicenceExclusivityConflict", "Licence", buyer, **terms(licensee.address, 1, exclusivity=1))
    relay(None, "Licence", buyer, **terms(licensee.address, 3))
    use: dict[str, Any] = {"licenceId": 1, "requestHash": hash_of("request")}
    relay("LicenceInvalidSignature", "LicenceUse", licensee, by=forger, **use)
    relay(None, "LicenceUse", licensee, **use)
    relay("LicenceUsedUp", "LicenceUse", licensee, **use)
    relay("LicenceNotFound", "LicenceUse", licensee, licenceId=99, requestHash=hash_of("r"))
    revocation: dict[str, Any] = {"licenceId": 1, "reasonHash": hash_of("unpaid")}
    relay("LicenceInvalidSignature", "LicenceRevocation", holder, **revocation)
    relay(None, "LicenceRevocation", buyer, **revocation)
    relay("LicenceIsRevoked", "LicenceRevocation", buyer, **revocation)
    relay("LicenceIsRevoked", "LicenceUse", licensee, **use)
    twins.pledge(None, buyer, bank, asset_id, **pledge)
    relay(None, "PledgeEnforcement", bank, **by_bank)
    relay("LicenceAssetEnforced", "LicenceUse", licensee, licenceId=2, requestHash=hash_of("r"))
    relay(None, "Licence", bank, **terms(licensee.address, 1))
    start = twins.now() + 1000
    relay(None, "Licence", bank, **terms(licensee.address, 1, validFrom=start, validUntil=start + 10))
    relay("LicenceNotYetValid", "LicenceUse", licensee, licenceId=4, requestHash=hash_of("r"))
    twins.advance(600)
    relay("LicenceExpired", "LicenceUse", licensee, licenceId=3, requestHash=hash_of("r"))
    twins.agree_on_reads([asset_id], [1, 2, 3, 4])

    # consents: granted by the subject, used once by the enterprise, withdrawn, expired
    def consent(valid_for_s: int, enterprise: str = licensee.address) -> dict[str, Any]:
        return {
            "subject": subject.address,
            "enterprise": enterprise,
            "purposeHash": hash_of("cv check"),
            "validUntil": twins.now() + valid_for_s,
        }

    relay("LicenceInvalidPeriod", "Consent", subject, **consent(-1))
    relay("LicenceInvalidCounterparty", "Consent", subject, **consent(100, subject.address))
    relay("LicenceInvalidSignature", "Consent", subject, by=forger, **consent(100))
    relay(None, "Consent", subject, **consent(100))
    relay(None, "Consent", subject, **consent(100))
    relay(
        "LicenceInvalidSignature", "ConsentUse", licensee, by=forger, consentId=1, requestHash=hash_of("q1")
    )
    relay(None, "ConsentUse", licensee, consentId=1, requestHash=hash_of("q1"))
    relay("LicenceConsentNotActive", "ConsentUse", licensee, consentId=1, requestHash=hash_of("q2"))
    relay("LicenceConsentNotActive", "ConsentWithdrawal", subject, consentId=1)
    relay("LicenceInvalidSignature", "ConsentWithdrawal", subject, by=forger, consentId=2)
    relay(None, "ConsentWithdrawal", subject, consentId=2)
    relay("LicenceConsentNotFound", "ConsentUse", licensee, consentId=9, requestHash=hash_of("q"))
    relay(None, "Consent", subject, **consent(100))
    twins.advance(101)
    relay("LicenceConsentExpired", "ConsentUse", licensee, consentId=3, requestHash=hash_of("q3"))
    twins.agree_on_reads([], [], [1, 2, 3])

    # renewal, expiry, cancellation and revocation
    registrar("DataRightsInvalidValidity", "Renewal", **certificate("renewal", valid_until))
    registrar(None, "Renewal", **certificate("renewal", valid_until + 5_000))
    twins.advance(20_000)
    relay("DataRightsCertificateExpired", "Transfer", bank, assetId=asset_id, to=buyer.address)
    relay("LicenceAssetCertificateExpired", "Licence", bank, **terms(licensee.address, 1))
    relay("DataRightsInvalidSignature", "Cancellation", bank, by=forger, assetId=other_id)
    relay(None, "Cancellation", bank, assetId=other_id)
    registrar("DataRightsInvalidStatus", "Revocation", assetId=other_id, reasonHash=hash_of("too late"))
    twins.revoke(twins.registrar)
    registrar("AccessControlUnauthorizedAccount", "Revocation", assetId=asset_id, reasonHash=hash_of("gone"))
    registrar(None, "Revocation", registrar=second, assetId=asset_id, reasonHash=hash_of("court order"))
    relay("DataRightsAssetIsRevoked", "Cancellation", bank, assetId=asset_id)
    rejection = {"registrar": second, "reasonHash": hash_of("too late")}
    registrar("DataRightsAssetIsRevoked", "Rejection", assetId=asset_id, **rejection)
    registrar("DataRightsAssetNotFound", "Rejection", assetId=hash_of("no such asset"), **rejection)
    twins.agree_on_reads([asset_id, other_id], [1, 2, 3, 4], [1, 2, 3])
