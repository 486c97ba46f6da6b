"""Data vouchers: what a programme authority and enterprises do, checked, relayed to the chain, stored.

The authority signs its programme (rules and budget) and each issue to an enterprise; the enterprise
signs each redemption against its own accepted trade or against a registration fee it was charged, which
a registrar recorded on chain first (a ``RegistrationFee`` act signed by the registrar's own key,
checked by the contract against the registry's registrar role): the redemption is judged against the
recorded amount, never against a fee the enterprise states. Each act is prepared (``…-requests``),
signed where the key is and relayed through :class:`~dataledger.registry.signed_acts.SignedActRelay`;
the ``DataVouchers`` contract enforces every rule again. The authority (and oversight) sees the
programme's spend by enterprise and purpose.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.chain_records import act_of
from dataledger.registry.chain_types import OnChainAsset
from dataledger.registry.errors import (
    AlreadyExists,
    NotAuthorised,
    RegistrationFeeAlreadyRecorded,
    RegistrationFeeAlreadyRedeemed,
    RegistrationFeeNotFound,
    RegistrationFeeNotRecorded,
    TradeInvalidStatus,
    ValidationFailed,
    VoucherBudgetExceeded,
)
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, prepared_act
from dataledger.registry.keccak import keccak256
from dataledger.registry.market.listings import bounded_text
from dataledger.registry.market.trades import Trade, TradeStatus, require_amount
from dataledger.registry.market.vouchers import (
    MAX_NAME,
    Programme,
    ProgrammeRules,
    RegistrationFee,
    VoucherMovement,
    VoucherPurpose,
    require_currency,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.procedure import address_of
from dataledger.registry.signed_acts import SignedActRelay
from dataledger.registry.visibility import is_party, oversees


class VouchersChain(Protocol):
    """The ``DataVouchers`` contract (``ledger.chain.data_vouchers``)."""

    @property
    def address(self) -> str: ...
    @property
    def domain(self) -> Eip712Domain: ...
    def nonce_of(self, signer: str) -> int: ...
    def latest_block_number(self) -> int: ...
    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts: ...
    def find_act(self, signature: str, from_block: int) -> Acts | None: ...
    def totals(self, programme_id: str) -> tuple[int, int]: ...  # (issued, redeemed)
    def balance_of(self, programme_id: str, enterprise: str) -> int: ...
    def spent_this_period(self, programme_id: str, enterprise: str) -> int: ...
    def registration_fee_of(self, asset_id: str) -> dict[str, Any] | None: ...


class VoucherRecords(Protocol):
    """Programmes and their issues and redemptions (``ledger.sql.voucher_store``)."""

    def add_programme(self, programme: Programme) -> None: ...
    def programme(self, programme_id: str) -> Programme: ...
    def add_movement(self, movement: VoucherMovement) -> None: ...
    def spend(self, programme_id: str) -> list[dict[str, Any]]: ...
    def add_fee(self, fee: RegistrationFee) -> None: ...
    def fee(self, asset_id: str) -> RegistrationFee: ...
    def fee_redeemed(self, asset_id: str, programme_id: str) -> None: ...


class Trades(Protocol):
    def trade(self, order_id: str) -> Trade: ...


class Directory(Protocol):
    def participant_by_address(self, address: str) -> Participant | None: ...


class Assets(Protocol):
    """The registry: its assets, its registrars, its clock."""

    def asset(self, asset_id: str) -> OnChainAsset | None: ...
    def is_registrar(self, address: str) -> bool: ...
    def next_block_timestamp(self) -> int: ...


def _require_role(me: Participant, role: Role, what: str) -> str:
    if me.role is not role:  # not require_role: the administrator neither issues nor redeems vouchers
        raise NotAuthorised(f"only {what}", role=me.role.value)
    return address_of(me)


class VoucherService:
    def __init__(
        self,
        chain: VouchersChain,
        records: VoucherRecords,
        trades: Trades,
        directory: Directory,
        assets: Assets,
        journal: ActJournal | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._chain = chain
        self._records = records
        self._trades = trades
        self._directory = directory
        self._assets = assets
        self._now = now or (lambda: datetime.now(UTC))
        acts = JournalledActs(chain, chain.address, journal, self.recorders)
        self._signed = SignedActRelay(chain, assets.next_block_timestamp, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        return {
            "voucher.programme": self._record_programme,
            "voucher.issue": self._record_movement,
            "voucher.redemption": self._record_movement,
            "voucher.registration-fee": self._record_fee,
        }

    # -- the authority ----------------------------------------------------------------------------

    def prepare_programme(self, me: Participant, rules: ProgrammeRules) -> dict[str, Any]:
        """The ``VoucherProgramme`` the authority signs, with the programme's new id."""
        programme_id = "0x" + keccak256(f"dataledger.voucher-programme:{uuid.uuid4()}".encode()).hex()
        auth = self._programme(me, programme_id, rules, None, None)
        return prepared_act(auth, self.domain, programmeId=programme_id)

    def create_programme(
        self,
        me: Participant,
        name: str,
        programme_id: str,
        rules: ProgrammeRules,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> Programme:
        auth = self._programme(me, programme_id, rules, nonce, deadline)
        # the name is checked before the relay: recording must not refuse what the chain accepted
        payload = {"name": bounded_text(name, "name", MAX_NAME, required=True), "authorityId": me.id}
        programme: Programme = self._signed.relay(auth, signature, "voucher.programme", payload)
        return programme

    def prepare_issue(
        self, me: Participant, programme_id: str, enterprise: str, amount: int
    ) -> dict[str, Any]:
        return prepared_act(self._issue(me, programme_id, enterprise, amount, None, None), self.domain)

    def issue(
        self,
        me: Participant,
        programme_id: str,
        enterprise: str,
        amount: int,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        auth = self._issue(me, programme_id, enterprise, amount, nonce, deadline)
        movement: VoucherMovement = self._signed.relay(auth, signature, "voucher.issue")
        return self._with_balance(movement)

    def spend(self, viewer: Participant, programme_id: str) -> dict[str, Any]:
        """The programme's issues and redemptions by enterprise and purpose (its authority, oversight)."""
        programme = self.programme(programme_id)
        if not (oversees(viewer) or is_party(viewer, programme.authority_address)):
            raise NotAuthorised("only the programme's authority and oversight see its spend")
        return {**programme.as_json(), "enterprises": self._records.spend(programme.programme_id)}

    def programme(self, programme_id: str) -> Programme:
        """The programme, with what the chain says it issued and had redeemed."""
        stored = self._records.programme(programme_id.lower())
        issued, redeemed = self._chain.totals(stored.programme_id)
        return Programme(
            stored.programme_id,
            stored.name,
            stored.authority_id,
            stored.authority_address,
            stored.rules,
            stored.created_at,
            stored.evidence,
            issued,
            redeemed,
        )

    # -- registrars: the registration fee charged --------------------------------------------------

    def prepare_fee(self, me: Participant, asset_id: str, amount: int, currency: str) -> dict[str, Any]:
        """The ``RegistrationFee`` the registrar signs: the asset, its holder as the payer, the amount
        (smallest unit) and currency charged."""
        return prepared_act(self._fee(me, asset_id, amount, currency, None, None), self.domain)

    def record_fee(
        self,
        me: Participant,
        asset_id: str,
        amount: int,
        currency: str,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> RegistrationFee:
        """Relay the registrar's signed fee; the contract checks the registrar's role on the registry."""
        auth = self._fee(me, asset_id, amount, currency, nonce, deadline)
        fee: RegistrationFee = self._signed.relay(
            auth, signature, "voucher.registration-fee", {"registrarId": me.id}
        )
        return fee

    def registration_fee(self, viewer: Participant, asset_id: str) -> RegistrationFee:
        """The fee recorded for the asset, for the parties to it (its payer and its registrar) and
        oversight; to anyone else it does not exist."""
        fee = self._records.fee(asset_id.lower())
        if not (oversees(viewer) or is_party(viewer, fee.payer_address, fee.registrar_address)):
            raise RegistrationFeeNotFound("no registration fee recorded for this asset", assetId=asset_id)
        return fee

    def _fee(
        self,
        me: Participant,
        asset_id: str,
        amount: int,
        currency: str,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        signer = _require_role(me, Role.REGISTRAR, "a registrar records the registration fee it charged")
        if not self._assets.is_registrar(signer):
            raise NotAuthorised(
                "this registrar's key does not hold the registrar role on the registry", registrar=signer
            )
        if require_amount(amount) == 0:
            raise ValidationFailed("a registration fee is a positive amount", field="amount")
        require_currency(currency)
        asset = self._assets.asset(asset_id.lower())
        if asset is None:
            raise ValidationFailed("no such asset on the registry", field="assetId")
        if self._chain.registration_fee_of(asset.asset_id) is not None:
            raise RegistrationFeeAlreadyRecorded(
                "a registration fee is already recorded for this asset", assetId=asset.asset_id
            )
        return self._signed.authorisation(
            "RegistrationFee",
            signer,
            nonce,
            deadline,
            registrar=signer,
            assetId=asset.asset_id,
            payer=asset.holder,
            amount=amount,
            currency=currency,
        )

    def _record_fee(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> RegistrationFee:
        recorded = act_of(acts, "RegistrationFeeRecorded")
        payer = str(recorded.args["payer"])
        known = self._directory.participant_by_address(payer)
        fee = RegistrationFee(
            asset_id=str(recorded.args["assetId"]),
            registrar_id=str(payload["registrarId"]),
            registrar_address=auth.signer,
            payer_id=known.id if known else None,
            payer_address=payer,
            amount=int(recorded.args["amount"]),
            currency=str(recorded.args["currency"]),
            recorded_at=self._now(),
            evidence=recorded.evidence,
        )
        try:
            self._records.add_fee(fee)
        except RegistrationFeeAlreadyRecorded:  # recorded before a crash; recovery found it on chain again
            return self._records.fee(fee.asset_id)
        return fee

    # -- enterprises ------------------------------------------------------------------------------

    def prepare_redemption(
        self,
        me: Participant,
        programme_id: str,
        purpose: VoucherPurpose,
        reference_id: str,
        value: int,
        amount: int | None = None,
    ) -> dict[str, Any]:
        auth = self._redemption(me, programme_id, purpose, reference_id, value, amount, None, None)
        return prepared_act(auth, self.domain, baseAmount=auth.message["baseAmount"])

    def redeem(
        self,
        me: Participant,
        programme_id: str,
        purpose: VoucherPurpose,
        reference_id: str,
        value: int,
        amount: int | None,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        auth = self._redemption(me, programme_id, purpose, reference_id, value, amount, nonce, deadline)
        movement: VoucherMovement = self._signed.relay(auth, signature, "voucher.redemption")
        return self._with_balance(movement)

    # -- the acts ---------------------------------------------------------------------------------

    @property
    def domain(self) -> Eip712Domain:
        return self._chain.domain

    def _programme(
        self,
        me: Participant,
        programme_id: str,
        rules: ProgrammeRules,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        signer = _require_role(me, Role.AUTHORITY, "a programme authority creates voucher programmes")
        return self._signed.authorisation(
            "VoucherProgramme",
            signer,
            nonce,
            deadline,
            authority=signer,
            programmeId=programme_id,
            currency=rules.currency,
            budget=rules.budget,
            shareCapBps=rules.share_cap_bps,
            enterpriseCap=rules.enterprise_cap,
            periodSeconds=rules.period_seconds,
        )

    def _issue(
        self,
        me: Participant,
        programme_id: str,
        enterprise: str,
        amount: int,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        programme = self.programme(programme_id)
        if not is_party(me, programme.authority_address):
            raise NotAuthorised("only the programme's authority issues its vouchers")
        signer = address_of(me)
        receiver = self._directory.participant_by_address(enterprise)
        if receiver is None or receiver.role is not Role.ENTERPRISE:
            raise ValidationFailed("vouchers are issued to an enterprise's chain address", field="enterprise")
        remaining = programme.rules.budget - programme.issued
        if require_amount(amount) == 0 or amount > remaining:
            raise VoucherBudgetExceeded(
                f"the programme has {remaining} of its budget left", amount=amount, remaining=remaining
            )
        return self._signed.authorisation(
            "VoucherIssue",
            signer,
            nonce,
            deadline,
            authority=signer,
            programmeId=programme.programme_id,
            enterprise=enterprise,
            amount=amount,
        )

    def _redemption(
        self,
        me: Participant,
        programme_id: str,
        purpose: VoucherPurpose,
        reference_id: str,
        value: int,
        amount: int | None,
        nonce: int | None,
        deadline: int | None,
    ) -> ActAuthorisation:
        signer = _require_role(me, Role.ENTERPRISE, "an enterprise redeems vouchers")
        programme = self.programme(programme_id)
        base = self._base_amount(me, programme, purpose, reference_id.lower(), amount)
        balance = self._chain.balance_of(programme.programme_id, signer)
        spent = self._chain.spent_this_period(programme.programme_id, signer)
        programme.rules.check_redemption(base, require_amount(value), balance, spent)
        return self._signed.authorisation(
            "VoucherRedemption",
            signer,
            nonce,
            deadline,
            enterprise=signer,
            programmeId=programme.programme_id,
            purpose=purpose.contract_index,
            referenceId=reference_id.lower(),
            baseAmount=base,
            value=value,
        )

    def _base_amount(
        self,
        me: Participant,
        programme: Programme,
        purpose: VoucherPurpose,
        reference: str,
        amount: int | None,
    ) -> int:
        """The amount a redemption is against: the trade's (the enterprise's own, accepted, in the
        programme's currency), or the registration fee a registrar recorded (charged to the enterprise,
        in the programme's currency, not yet redeemed against)."""
        if purpose is VoucherPurpose.TRADE:
            trade = self._trades.trade(reference)
            if trade.buyer_id != me.id:
                raise ValidationFailed(
                    "vouchers are redeemed against the buyer's own trade", field="referenceId"
                )
            if trade.status not in (TradeStatus.ACCEPTED, TradeStatus.SETTLED):
                raise TradeInvalidStatus(
                    f"the trade is {trade.status.value}: vouchers are redeemed against an accepted trade",
                    orderId=trade.order_id,
                )
            if trade.currency != programme.rules.currency:
                raise ValidationFailed(
                    f"the trade is in {trade.currency}, the programme in {programme.rules.currency}",
                    field="referenceId",
                )
            if amount is not None and amount != trade.amount:
                raise ValidationFailed("amount is the trade's; leave it out", field="amount")
            return trade.amount
        # the fee a registrar recorded on chain, as the contract will judge the redemption against it
        fee = self._chain.registration_fee_of(reference)
        if fee is None:
            raise RegistrationFeeNotRecorded(
                "no registration fee is recorded for this asset: a registrar records it first",
                assetId=reference,
            )
        if not is_party(me, fee["payer"]):
            raise ValidationFailed(
                "a registration fee is redeemed by the enterprise it was charged to", field="referenceId"
            )
        if fee["redeemedIn"] is not None:
            raise RegistrationFeeAlreadyRedeemed(
                "vouchers were already redeemed against this registration fee",
                assetId=reference,
                programmeId=fee["redeemedIn"],
            )
        if fee["currency"] != programme.rules.currency:
            raise ValidationFailed(
                f"the fee is in {fee['currency']}, the programme in {programme.rules.currency}",
                field="referenceId",
            )
        if amount is not None and amount != fee["amount"]:
            raise ValidationFailed("amount is the recorded registration fee's; leave it out", field="amount")
        return int(fee["amount"])

    # -- recorders (what the chain emitted, and the payload) --------------------------------------

    def _record_programme(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> Programme:
        created = act_of(acts, "ProgrammeCreated")
        message = auth.message
        rules = ProgrammeRules(
            str(message["currency"]),
            int(message["budget"]),
            int(message["shareCapBps"]),
            int(message["enterpriseCap"]),
            int(message["periodSeconds"]),
        )
        programme = Programme(
            str(message["programmeId"]),
            str(payload["name"]),
            str(payload["authorityId"]),
            auth.signer,
            rules,
            self._now(),
            created.evidence,
        )
        try:
            self._records.add_programme(programme)
        except AlreadyExists:  # recorded before a crash; recovery found it on chain again
            return self._records.programme(programme.programme_id)
        return programme

    def _record_movement(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> VoucherMovement:
        act = next(a for a in acts if a.event in ("VouchersIssued", "VouchersRedeemed"))
        args = act.args
        enterprise = str(args["enterprise"])
        known = self._directory.participant_by_address(enterprise)
        redemption = act.event == "VouchersRedeemed"
        movement = VoucherMovement(
            programme_id=str(args["programmeId"]),
            kind="redemption" if redemption else "issue",
            enterprise_address=enterprise,
            enterprise_id=known.id if known else None,
            value=int(args["value"] if redemption else args["amount"]),
            at=self._now(),
            evidence=act.evidence,
            purpose=VoucherPurpose.of_index(int(args["purpose"])) if redemption else None,
            reference_id=str(args["referenceId"]) if redemption else None,
            base_amount=int(args["baseAmount"]) if redemption else None,
        )
        with contextlib.suppress(AlreadyExists):  # recorded before a crash; recovery found it again
            self._records.add_movement(movement)
        if movement.purpose is VoucherPurpose.REGISTRATION_FEE and movement.reference_id is not None:
            self._records.fee_redeemed(movement.reference_id, movement.programme_id)
        return movement

    def _with_balance(self, movement: VoucherMovement) -> dict[str, Any]:
        """The movement, and where the enterprise stands after it."""
        programme, enterprise = movement.programme_id, movement.enterprise_address
        return {
            **movement.as_json(),
            "balance": self._chain.balance_of(programme, enterprise),
            "spentThisPeriod": self._chain.spent_this_period(programme, enterprise),
        }
