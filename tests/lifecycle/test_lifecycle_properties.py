"""Random lifecycles against the contracts (on anvil) and a plain Python model of the rules.

Hypothesis drives random sequences of acts (registration, reviews, objections and their
resolution, certificates, transfers, pledges and their release or enforcement, cancellation,
revocation, licences granted, used and revoked, and the passing of time), sometimes signed by the
wrong key. For every act the model predicts success or the contract's exact custom error; after
every act the chain must agree with the model, and the invariants must hold: one holder per asset,
a pledged asset never changes holder without release or enforcement, uses never exceed the grant.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3 import HTTPProvider, Web3

from dataledger.composition.settings import DEV_OPERATOR_KEY
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient, decoder_for_all_contracts
from dataledger.ledger.chain.licence_registry import LicenceRegistryClient
from dataledger.ledger.chain.transactions import TransactionSender
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.chain_types import OnChainAssetStatus as S
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    RegistrationAuthorisation,
    act_authorisation,
    sign_act,
    sign_registration,
)
from tests.factories import content_hash
from tests.nodes import rpc

NOTICE_S = 100
ADVANCE_S = 1000  # longer than the notice and than a licence's life
LICENCE_LIFE_S = 500
ACTORS = 4
ACTIVE = (S.REGISTERED, S.UNDER_REVIEW, S.IN_NOTICE, S.CERTIFIED)
_labels = itertools.count()
# Mostly the right key and passing reviews, so that sequences get far into the lifecycle.
FORGED = st.sampled_from([False, False, False, True])
MOSTLY = st.sampled_from([True, True, True, False])


def status_error(status: S) -> str:
    """The error ``DataRightsRegistry._revertStatus`` gives."""
    if status is S.REVOKED:
        return "DataRightsAssetIsRevoked"
    return "DataRightsAssetNotFound" if status is S.NONE else "DataRightsInvalidStatus"


@dataclass
class AssetModel:
    asset_id: str
    content: str
    holder: int
    status: S = S.REGISTERED
    pledgee: int | None = None
    pledged_holder: int | None = None  # the holder when the pledge was made
    notice_running: bool = False
    open_objections: int = 0
    enforcements: int = 0


@dataclass
class ObjectionModel:
    objection_id: int
    asset: int
    open: bool = True


@dataclass
class LicenceModel:
    licence_id: int
    asset: int
    licensee: int
    max_uses: int
    enforcements_at_grant: int
    uses: int = 0
    revoked: bool = False
    expired: bool = False


class Lifecycle(RuleBasedStateMachine):
    anvil_url: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = rpc(self.anvil_url, "evm_snapshot")
        w3 = Web3(HTTPProvider(self.anvil_url))
        w3.middleware_onion.remove("validation")  # it asks the node for the chain id before every call
        sender = TransactionSender(w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
        self.w3 = w3
        # a registration institution with its own key: it signs the registrar's acts, the operator relays
        self.registrar = Account.create()
        self.registry, _ = DataRightsRegistryClient.deploy(
            w3, sender, admin=sender.address, registrar=self.registrar.address
        )
        self.licences, _ = LicenceRegistryClient.deploy(w3, sender, self.registry.registry_address)
        self.registry.set_notice_period(NOTICE_S)
        self.actors: list[LocalAccount] = [Account.create() for _ in range(ACTORS)]
        self.stranger = Account.create()
        self.assets: list[AssetModel] = []
        self.objections: list[ObjectionModel] = []
        self.licence_models: list[LicenceModel] = []

    # -- helpers ----------------------------------------------------------------------------------

    def expect(self, expected: str | None, act) -> object:  # type: ignore[no-untyped-def]
        """Run ``act``; it must succeed when ``expected`` is None, else revert with that custom error."""
        try:
            result = act()
        except DataLedgerError as exc:
            actual = exc.extra.get("contract_error")
            assert actual == expected, (
                f"the contract refused with {actual} ({exc.detail}); the model expected {expected}"
            )
            return None
        assert expected is None, f"the contract accepted an act the model refuses with {expected}"
        return result

    def deadline(self) -> int:
        return self.registry.latest_timestamp() + 3600

    def signed(self, primary_type: str, signer: LocalAccount, forged: bool, licence: bool = False, **fields):  # type: ignore[no-untyped-def]
        ledger = self.licences if licence else self.registry
        auth: ActAuthorisation = act_authorisation(
            primary_type,
            signer.address,
            **fields,
            nonce=ledger.nonce_of(signer.address),
            deadline=self.deadline(),
        )
        return auth, sign_act((self.stranger if forged else signer).key, auth, ledger.domain)

    def registrar_act(self, primary_type: str, **fields):  # type: ignore[no-untyped-def]
        """A registrar's act, signed by the institution's key and relayed by the operator."""
        auth, signature = self.signed(
            primary_type, self.registrar, False, registrar=self.registrar.address, **fields
        )
        return self.registry.submit_act(auth, signature)

    def asset_at(self, index: int) -> AssetModel:
        return self.assets[index % len(self.assets)]

    @initialize()
    def some_certified_assets(self) -> None:
        """Three assets, two of them certified, so that every sequence reaches the later acts."""
        for holder in range(3):
            self.register(holder)
        for index in (0, 1):
            self.fast_track(index)

    # -- the registration procedure ---------------------------------------------------------------

    @rule(holder=st.integers(0, ACTORS - 1))
    def register(self, holder: int) -> None:
        signer = self.actors[holder]
        content = content_hash(f"property-{next(_labels)}")
        auth = RegistrationAuthorisation(
            signer.address,
            content,
            content_hash("metadata"),
            self.registry.nonce_of(signer.address),
            self.deadline(),
        )
        event = self.registry.register(auth, sign_registration(signer.key, auth, self.registry.domain))
        self.assets.append(AssetModel(event.asset_id, content, holder))

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50), stage=st.sampled_from(ReviewStage), passed=MOSTLY)
    def review(self, index: int, stage: ReviewStage, passed: bool) -> None:
        asset = self.asset_at(index)
        wanted = S.REGISTERED if stage is ReviewStage.FORMAL else S.UNDER_REVIEW
        expected = None if asset.status is wanted else status_error(asset.status)
        done = self.expect(
            expected,
            lambda: self.registrar_act(
                "Review",
                assetId=asset.asset_id,
                stage=int(stage),
                passed=passed,
                reasonHash=content_hash("why"),
            ),
        )
        if done is not None:
            if not passed:
                asset.status = S.REJECTED
            elif stage is ReviewStage.FORMAL:
                asset.status = S.UNDER_REVIEW
            else:
                asset.status, asset.notice_running = S.IN_NOTICE, True

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50))
    def certify(self, index: int) -> None:
        asset = self.asset_at(index)
        expected = None
        if asset.status is S.IN_NOTICE:
            if asset.notice_running:
                expected = "DataRightsNoticePeriodNotEnded"
            elif asset.open_objections:
                expected = "DataRightsObjectionsOpen"
        elif asset.status is not S.CERTIFIED:
            expected = status_error(asset.status)
        cert = content_hash(f"certificate-{next(_labels)}")
        if (
            self.expect(
                expected,
                lambda: self.registrar_act(
                    "Certificate", assetId=asset.asset_id, certificateHash=cert, validUntil=0
                ),
            )
            is not None
        ):
            asset.status = S.CERTIFIED

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50), objector=st.integers(0, ACTORS - 1), forged=FORGED)
    def object(self, index: int, objector: int, forged: bool) -> None:
        asset = self.asset_at(index)
        expected = None
        if asset.status is not S.IN_NOTICE:
            expected = status_error(asset.status)
        elif not asset.notice_running:
            expected = "DataRightsNoticePeriodEnded"
        elif forged:
            expected = "DataRightsInvalidSignature"
        signer = self.actors[objector]
        fields = {"objector": signer.address, "assetId": asset.asset_id, "reasonHash": content_hash("ours")}
        auth, signature = self.signed(
            "Objection", signer, forged, evidenceHash=content_hash("proof"), **fields
        )
        acts = self.expect(expected, lambda: self.registry.submit_act(auth, signature))
        if acts is not None:
            (filed,) = [a for a in acts if a.event == "ObjectionFiled"]  # type: ignore[attr-defined]
            self.objections.append(ObjectionModel(int(filed.args["objectionId"]), self.assets.index(asset)))
            asset.open_objections += 1

    @precondition(lambda self: self.objections)
    @rule(index=st.integers(0, 50), upheld=st.booleans())
    def resolve(self, index: int, upheld: bool) -> None:
        objection = self.objections[index % len(self.objections)]
        asset = self.assets[objection.asset]
        expected = None
        if not objection.open:
            expected = "DataRightsObjectionAlreadyResolved"
        elif asset.status is not S.IN_NOTICE:
            expected = status_error(asset.status)
        done = self.expect(
            expected,
            lambda: self.registrar_act(
                "ObjectionResolution",
                objectionId=objection.objection_id,
                upheld=upheld,
                resolutionHash=content_hash("decided"),
            ),
        )
        if done is not None:
            objection.open = False
            asset.open_objections -= 1
            if upheld:
                asset.status = S.REJECTED

    @precondition(lambda self: any(a.status is S.REGISTERED for a in self.assets))
    @rule(index=st.integers(0, 50))
    def fast_track(self, index: int) -> None:
        """Both reviews passed, the notice left to end, the certificate: so later acts get exercised."""
        waiting = [i for i, a in enumerate(self.assets) if a.status is S.REGISTERED]
        chosen = waiting[index % len(waiting)]
        self.review(chosen, ReviewStage.FORMAL, True)
        self.review(chosen, ReviewStage.SUBSTANTIVE, True)
        self.advance_time()
        self.certify(chosen)

    @rule()
    def advance_time(self) -> None:
        rpc(self.anvil_url, "evm_increaseTime", [ADVANCE_S])
        rpc(self.anvil_url, "evm_mine")
        for asset in self.assets:
            asset.notice_running = False
        for licence in self.licence_models:
            licence.expired = True

    # -- acts of the holder and the pledgee -------------------------------------------------------

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50), to=st.integers(0, ACTORS - 1), forged=FORGED)
    def transfer(self, index: int, to: int, forged: bool) -> None:
        asset = self.asset_at(index)
        expected = self._certified_unpledged(asset) or self._counterparty(asset, to) or self._forged(forged)
        auth, signature = self.signed(
            "Transfer", self.actors[asset.holder], forged, assetId=asset.asset_id, to=self.actors[to].address
        )
        if self.expect(expected, lambda: self.registry.submit_act(auth, signature)) is not None:
            asset.holder = to

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50), pledgee=st.integers(0, ACTORS - 1), forged=FORGED)
    def pledge(self, index: int, pledgee: int, forged: bool) -> None:
        asset = self.asset_at(index)
        expected = (
            self._certified_unpledged(asset) or self._counterparty(asset, pledgee) or self._forged(forged)
        )
        terms = {
            "termsHash": content_hash("terms"),
            "securedAmount": 500_000_000,
            "currency": "CNY",
            "maturity": self.deadline() + 365 * 86400,
            "valuationHash": content_hash("valuation"),
        }
        holder, bank = self.actors[asset.holder], self.actors[pledgee]
        auth, signature = self.signed(
            "Pledge", holder, forged, assetId=asset.asset_id, pledgee=bank.address, **terms
        )
        acceptance, accepted = self.signed(
            "PledgeAcceptance", bank, False, assetId=asset.asset_id, holder=holder.address, **terms
        )
        if (
            self.expect(expected, lambda: self.registry.pledge(auth, signature, acceptance, accepted))
            is not None
        ):
            asset.pledgee, asset.pledged_holder = pledgee, asset.holder

    @precondition(lambda self: self.assets)
    @rule(index=st.integers(0, 50), forged=FORGED, enforce=st.booleans())
    def end_pledge(self, index: int, forged: bool, enforce: bool) -> None:
        asset = self.asset_at(index)
        expected = None
        if enforce and asset.status is not S.CERTIFIED:
            expected = status_error(asset.status)
        elif asset.pledgee is None:
            expected = "DataRightsAssetNotPledged"
        else:
            expected = self._forged(forged)
        pledgee = self.actors[asset.pledgee if asset.pledgee is not None else (asset.holder + 1) % ACTORS]
        primary = "PledgeEnforcement" if enforce else "PledgeRelease"
        auth, signature = self.signed(
            primary, pledgee, forged, assetId=asset.asset_id, pledgee=pledgee.address
        )
        if self.expect(expected, lambda: self.registry.submit_act(auth, signature)) is not None:
            if enforce:
                asset.holder, asset.enforcements = asset.pledgee, asset.enforcements + 1  # type: ignore[assignment]
            asset.pledgee = asset.pledged_holder = None

    @precondition(lambda self: len(self.assets) > 1)
    @rule(index=st.integers(0, 50), forged=FORGED)
    def cancel(self, index: int, forged: bool) -> None:
        asset = self.asset_at(index)
        expected = None
        if asset.status not in ACTIVE:
            expected = status_error(asset.status)
        elif asset.pledgee is not None:
            expected = "DataRightsAssetIsPledged"
        else:
            expected = self._forged(forged)
        auth, signature = self.signed(
            "Cancellation", self.actors[asset.holder], forged, assetId=asset.asset_id
        )
        if self.expect(expected, lambda: self.registry.submit_act(auth, signature)) is not None:
            asset.status = S.CANCELLED

    @precondition(lambda self: len(self.assets) > 1)
    @rule(index=st.integers(0, 50))
    def revoke(self, index: int) -> None:
        asset = self.asset_at(index)
        expected = None if asset.status in ACTIVE else status_error(asset.status)
        if (
            self.expect(
                expected,
                lambda: self.registrar_act(
                    "Revocation", assetId=asset.asset_id, reasonHash=content_hash("unlawful")
                ),
            )
            is not None
        ):
            asset.status = S.REVOKED

    # -- licences ---------------------------------------------------------------------------------

    @precondition(lambda self: self.assets)
    @rule(
        index=st.integers(0, 50),
        licensee=st.integers(0, ACTORS - 1),
        max_uses=st.integers(1, 2),
        forged=FORGED,
    )
    def grant(self, index: int, licensee: int, max_uses: int, forged: bool) -> None:
        asset = self.asset_at(index)
        expected = None
        if asset.status is not S.CERTIFIED:
            expected = "LicenceAssetNotCertified"
        elif licensee == asset.holder:
            expected = "LicenceInvalidCounterparty"
        elif forged:
            expected = "LicenceInvalidSignature"
        now = self.registry.latest_timestamp()
        auth, signature = self.signed(
            "Licence",
            self.actors[asset.holder],
            forged,
            licence=True,
            assetId=asset.asset_id,
            licensee=self.actors[licensee].address,
            assetVersion=0,
            maxUses=max_uses,
            validFrom=now - 10,
            validUntil=now + LICENCE_LIFE_S,
            derivativesAllowed=False,
            commercial=True,
            scopeHash=content_hash("scope"),
            purposeHash=content_hash("purpose"),
            territoryHash="0x" + "00" * 32,
            exclusivity=0,
        )
        acts = self.expect(expected, lambda: self.licences.grant_licence(auth, signature))
        if acts is not None:
            (granted,) = [a for a in acts if a.event == "LicenceGranted"]  # type: ignore[attr-defined]
            self.licence_models.append(
                LicenceModel(
                    int(granted.args["licenceId"]),
                    self.assets.index(asset),
                    licensee,
                    max_uses,
                    asset.enforcements,
                )
            )

    @precondition(lambda self: self.licence_models)
    @rule(index=st.integers(0, 50), forged=FORGED)
    def use(self, index: int, forged: bool) -> None:
        licence = self.licence_models[index % len(self.licence_models)]
        asset = self.assets[licence.asset]
        expected = None
        if licence.revoked:
            expected = "LicenceIsRevoked"
        elif licence.expired:
            expected = "LicenceExpired"
        elif licence.uses >= licence.max_uses:
            expected = "LicenceUsedUp"
        elif asset.status is not S.CERTIFIED:
            expected = "LicenceAssetNotCertified"
        elif asset.enforcements != licence.enforcements_at_grant:
            expected = "LicenceAssetEnforced"
        elif forged:
            expected = "LicenceInvalidSignature"
        auth, signature = self.signed(
            "LicenceUse",
            self.actors[licence.licensee],
            forged,
            licence=True,
            licenceId=licence.licence_id,
            requestHash=content_hash(f"request-{next(_labels)}"),
        )
        if self.expect(expected, lambda: self.licences.submit_act(auth, signature)) is not None:
            licence.uses += 1

    @precondition(lambda self: self.licence_models)
    @rule(index=st.integers(0, 50), forged=FORGED)
    def revoke_licence(self, index: int, forged: bool) -> None:
        licence = self.licence_models[index % len(self.licence_models)]
        holder = self.actors[self.assets[licence.asset].holder]
        expected = "LicenceIsRevoked" if licence.revoked else ("LicenceInvalidSignature" if forged else None)
        auth, signature = self.signed(
            "LicenceRevocation",
            holder,
            forged,
            licence=True,
            licenceId=licence.licence_id,
            reasonHash=content_hash("unpaid"),
        )
        if self.expect(expected, lambda: self.licences.submit_act(auth, signature)) is not None:
            licence.revoked = True

    # -- rules the model shares ------------------------------------------------------------------

    @staticmethod
    def _certified_unpledged(asset: AssetModel) -> str | None:
        if asset.status is not S.CERTIFIED:
            return status_error(asset.status)
        return "DataRightsAssetIsPledged" if asset.pledgee is not None else None

    @staticmethod
    def _counterparty(asset: AssetModel, other: int) -> str | None:
        return "DataRightsInvalidCounterparty" if other == asset.holder else None

    @staticmethod
    def _forged(forged: bool) -> str | None:
        return "DataRightsInvalidSignature" if forged else None

    # -- the chain agrees with the model; the invariants hold -------------------------------------

    @invariant()
    def chain_agrees_with_the_model(self) -> None:
        for asset in self.assets:
            on_chain = self.registry.asset(asset.asset_id)
            procedure = self.registry.procedure(asset.asset_id)
            assert on_chain is not None and procedure is not None
            assert on_chain.status is asset.status
            assert on_chain.holder == self.actors[asset.holder].address  # one holder: the model's
            expected_pledgee = None if asset.pledgee is None else self.actors[asset.pledgee].address
            assert procedure.pledgee == expected_pledgee
            assert (procedure.open_objections, procedure.enforcements) == (
                asset.open_objections,
                asset.enforcements,
            )
            # A pledged asset never changes holder: only release or enforcement end the pledge.
            assert asset.pledgee is None or asset.pledged_holder == asset.holder
        for licence in self.licence_models:
            on_chain_licence = self.licences.licence(licence.licence_id)
            assert on_chain_licence is not None
            assert (
                on_chain_licence.uses == licence.uses <= on_chain_licence.terms.max_uses == licence.max_uses
            )
            assert on_chain_licence.revoked == licence.revoked

    def teardown(self) -> None:
        try:
            for asset in self.assets:  # each content hash stays bound to the one asset that registered it
                bound = self.registry._contract.functions.assetOfContent(
                    bytes.fromhex(asset.content[2:])
                ).call()
                assert "0x" + bound.hex() == asset.asset_id
        finally:
            rpc(self.anvil_url, "evm_revert", [self.snapshot])


# The rules themselves are unit-tested against in-memory fakes (tests/registry/test_*_service.py);
# this test holds the contracts on a real chain to the model, 10 lifecycles by default, 30 with -m long.
@pytest.mark.anvil
@pytest.mark.parametrize("examples", [10, pytest.param(30, marks=pytest.mark.long)])
def test_random_lifecycles_match_the_model(anvil_url: str, examples: int) -> None:
    Lifecycle.anvil_url = anvil_url
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=examples,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
