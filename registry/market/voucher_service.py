"""Data vouchers: what a programme authority and enterprises do, checked, relayed to the chain, stored.

The authority signs its programme (rules and budget) and each issue to an enterprise; the enterprise
signs each redemption against its own accepted trade or against the registration fee of an asset it
holds. Each act is prepared (``…-requests``), signed where the key is and relayed through
:class:`~dataledger.registry.signed_acts.SignedActRelay`; the ``DataVouchers`` contract enforces every
rule again. The authority (and oversight) sees the programme's spend by enterprise and purpose.
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
    VoucherMovement,
    VoucherPurpose,
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


class VoucherRecords(Protocol):
    """Programmes and their issues and redemptions (``ledger.sql.voucher_store``)."""

    def add_programme(self, programme: Programme) -> None: ...
    def programme(self, programme_id: str) -> Programme: ...
    def add_movement(self, movement: VoucherMovement) -> None: ...
    def spend(self, programme_id: str) -> list[dict[str, Any]]: ...


class Trades(Protocol):
    def trade(self, order_id: str) -> Trade: ...


class Directory(Protocol):
    def participant_by_address(self, address: str) -> Participant | None: ...


class Assets(Protocol):
    def asset(self, asset_id: str) -> OnChainAsset | None: ...
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
        programme's currency), or the stated registration fee of an asset the enterprise holds."""
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
        asset = self._assets.asset(reference)
        if asset is None or not is_party(me, asset.holder):
            raise ValidationFailed(
                "a registration fee is redeemed for an asset one holds", field="referenceId"
            )
        if amount is None or require_amount(amount) == 0:
            raise ValidationFailed(
                "state the registration fee (amount) the vouchers pay part of", field="amount"
            )
        return amount

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
        return movement

    def _with_balance(self, movement: VoucherMovement) -> dict[str, Any]:
        """The movement, and where the enterprise stands after it."""
        programme, enterprise = movement.programme_id, movement.enterprise_address
        return {
            **movement.as_json(),
            "balance": self._chain.balance_of(programme, enterprise),
            "spentThisPeriod": self._chain.spent_this_period(programme, enterprise),
        }
