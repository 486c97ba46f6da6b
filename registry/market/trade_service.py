"""Orders and trades: what buyers, holders and exchanges do, checked, relayed to the chain, then stored.

Signed acts go through :class:`~dataledger.registry.signed_acts.SignedActRelay`, as the holder acts do:
a ``…-requests`` call answers the EIP-712 message to sign (``TradeOrder`` by the buyer,
``TradeMandate`` and ``TradeMandateRevocation`` by the holder, ``TradeAcceptance`` by the holder or its
mandated exchange), the signer signs it where its key is, the submission is checked off chain and
relayed; the ``DataTrades`` contract checks it again. The exchange's own steps (settlement,
cancellation, the licence link) are relayed by the operator under the exchange's id, as its listings
are. Rules the contract judges by the block's time are judged here by the next block's time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import reason_hash
from dataledger.registry.chain_records import act_of
from dataledger.registry.errors import (
    AlreadyExists,
    ListingNotActive,
    NotAuthorised,
    TradeInvalidStatus,
    TradeLicenceMismatch,
    TradeMandateNotInForce,
    TradeMandateRevoked,
    TradeNotFound,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, prepared_act
from dataledger.registry.market.licence_templates import LicenceTemplate
from dataledger.registry.market.listings import MAX_REASON, Listing, ListingStatus, bounded_text, exchange_key
from dataledger.registry.market.trade_ports import LicenceReads, TradeRecords, TradesChain
from dataledger.registry.market.trades import (
    MAX_REFERENCE,
    Mandate,
    Trade,
    TradeRole,
    TradeStatistics,
    TradeStatus,
    order_id_of,
    settlement_hash,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.procedure import address_of
from dataledger.registry.signed_acts import SignedActRelay
from dataledger.registry.visibility import is_party, oversees

#: The longest a holder's mandate to its exchange may run, in seconds (about two years).
MAX_MANDATE_S = 2 * 366 * 86400


class Listings(Protocol):
    """The market's listings and templates (``registry.market.service.MarketService``)."""

    def listing(self, listing_id: str) -> Listing: ...
    def template(self, template_id: str, version: int | None = None) -> LicenceTemplate: ...


class Directory(Protocol):
    def get_participant(self, participant_id: str) -> Participant: ...


class BuyerAdmission(Protocol):
    """Whether the holder admits this buyer (``registry.market.merchant_service.MerchantService``)."""

    def require_admitted(self, listing: Listing, buyer_address: str) -> None: ...


class ChainClock(Protocol):
    def next_block_timestamp(self) -> int: ...


class TradeService:
    def __init__(
        self,
        chain: TradesChain,
        listings: Listings,
        records: TradeRecords,
        licences: LicenceReads,
        directory: Directory,
        clock: ChainClock,
        journal: ActJournal | None = None,
        now: Callable[[], datetime] | None = None,
        *,
        admission: BuyerAdmission | None = None,
    ) -> None:
        self._admission = admission
        self._chain = chain
        self._listings = listings
        self._records = records
        self._licences = licences
        self._directory = directory
        self._clock = clock
        self._now = now or (lambda: datetime.now(UTC))
        acts = JournalledActs(chain, chain.address, journal, self.recorders)
        self._signed = SignedActRelay(chain, clock.next_block_timestamp, acts)

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records each signed act's result, by the name its journal entry carries."""
        return {
            "trade.order": self._record_order,
            "trade.mandate": self._record_mandate,
            "trade.mandate-revocation": self._record_revocation,
            "trade.acceptance": self._record_acceptance,
        }

    @property
    def domain(self) -> Eip712Domain:
        return self._chain.domain

    # -- orders (the buyer) -----------------------------------------------------------------------

    def prepare_order(self, buyer: Participant, listing_id: str) -> dict[str, Any]:
        """The ``TradeOrder`` the buyer signs: the listing at its price, on the terms it recorded."""
        listing = self._orderable(buyer, listing_id)
        auth = self._order(buyer, listing, None, None)
        order_id = order_id_of(listing.listing_id, auth.signer, auth.nonce)
        return prepared_act(
            auth,
            self.domain,
            orderId=order_id,
            amount=auth.message["amount"],
            currency=auth.message["currency"],
            termsHash=listing.terms_hash,
        )

    def place_order(
        self, buyer: Participant, listing_id: str, nonce: int, deadline: int, signature: str
    ) -> Trade:
        """Relay the buyer's signed order; the order is stored with the evidence of ``OrderPlaced``."""
        listing = self._orderable(buyer, listing_id)
        auth = self._order(buyer, listing, nonce, deadline)
        trade: Trade = self._signed.relay(auth, signature, "trade.order", {"buyerId": buyer.id})
        return trade

    def _record_order(self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> Trade:
        placed = act_of(acts, "OrderPlaced")
        order_id = str(placed.args["orderId"])
        listing = self._listings.listing(str(auth.message["listingId"]))
        content = listing.content
        trade = Trade(
            order_id=order_id,
            listing_id=listing.listing_id,
            asset_id=listing.asset_id,
            exchange_id=listing.exchange_id,
            exchange_name=listing.exchange_name,
            buyer_id=str(payload["buyerId"]),
            buyer_address=auth.signer,
            seller_address=str(placed.args["seller"]),
            amount=int(placed.args["amount"]),
            currency=str(placed.args["currency"]),
            terms_hash=str(placed.args["termsHash"]),
            licence_template_id=content.licence_template_id,
            licence_template_version=content.licence_template_version,
            status=TradeStatus.ORDERED,
            ordered_at=self._now(),
            order_evidence=placed.evidence,
        )
        try:
            self._records.add_trade(trade)
        except AlreadyExists:  # recorded before a crash; recovery found it on chain again
            return self._records.trade(order_id)
        return trade

    def _orderable(self, buyer: Participant, listing_id: str) -> Listing:
        if buyer.role is not Role.ENTERPRISE:
            raise NotAuthorised("only an enterprise orders data products", role=buyer.role.value)
        address_of(buyer)
        listing = self._listings.listing(listing_id.lower())
        if listing.status is not ListingStatus.LISTED:
            why = listing.suspension or "it is delisted"
            raise ListingNotActive(f"the listing cannot be ordered: {why}", listingId=listing.listing_id)
        if is_party(buyer, listing.lister):
            raise ValidationFailed("a holder does not order its own product", field="listingId")
        if self._admission is not None:  # a holder may require its buyers to be verified
            self._admission.require_admitted(listing, address_of(buyer))
        return listing

    def _order(
        self, buyer: Participant, listing: Listing, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        price = listing.content.price
        return self._signed.authorisation(
            "TradeOrder",
            address_of(buyer),
            nonce,
            deadline,
            listingId=listing.listing_id,
            buyer=address_of(buyer),
            amount=price.minor_units,
            currency=price.currency,
            termsHash=listing.terms_hash,
        )

    # -- mandates and acceptance (the holder, or its exchange) -------------------------------------

    def prepare_mandate(self, holder: Participant, listing_id: str, valid_until: int) -> dict[str, Any]:
        """The ``TradeMandate`` by which the holder lets the listing exchange accept orders for it."""
        return prepared_act(self._mandate(holder, listing_id, valid_until, None, None), self.domain)

    def grant_mandate(
        self,
        holder: Participant,
        listing_id: str,
        valid_until: int,
        nonce: int,
        deadline: int,
        signature: str,
    ) -> dict[str, Any]:
        auth = self._mandate(holder, listing_id, valid_until, nonce, deadline)
        mandate: dict[str, Any] = self._signed.relay(auth, signature, "trade.mandate")
        return mandate

    def _record_mandate(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        granted = act_of(acts, "MandateGranted")
        mandate = Mandate(
            listing_id=str(auth.message["listingId"]),
            holder=auth.signer,
            agent=str(auth.message["agent"]),
            valid_until=int(auth.message["validUntil"]),
            granted_at=self._now(),
            grant_evidence=granted.evidence,
        )
        try:
            self._records.add_mandate(mandate)
        except AlreadyExists:  # recorded before a crash; recovery found it on chain again
            stored = self._records.current_mandate(mandate.holder, mandate.agent, mandate.listing_id)
            mandate = stored or mandate
        return mandate.as_json(self._clock.next_block_timestamp())

    def prepare_revocation(self, holder: Participant, listing_id: str) -> dict[str, Any]:
        """The ``TradeMandateRevocation`` by which the holder ends its mandate to the listing exchange."""
        return prepared_act(self._revocation(holder, listing_id, None, None), self.domain)

    def revoke_mandate(
        self, holder: Participant, listing_id: str, nonce: int, deadline: int, signature: str
    ) -> dict[str, Any]:
        """Relay the holder's signed revocation: from the next block the exchange accepts no more of the
        listing's orders in the holder's name."""
        auth = self._revocation(holder, listing_id, nonce, deadline)
        mandate: dict[str, Any] = self._signed.relay(auth, signature, "trade.mandate-revocation")
        return mandate

    def _record_revocation(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> dict[str, Any]:
        revoked = act_of(acts, "MandateRevoked")
        holder, agent = auth.signer, str(auth.message["agent"])
        listing_id = str(auth.message["listingId"])
        try:
            mandate = self._records.revoke_mandate(holder, agent, listing_id, self._now(), revoked.evidence)
        except TradeMandateNotInForce:  # recorded before a crash; recovery found it on chain again
            current = self._records.current_mandate(holder, agent, listing_id)
            if current is None:
                raise
            mandate = current
        return mandate.as_json(self._clock.next_block_timestamp())

    def _revocation(
        self, holder: Participant, listing_id: str, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        listing = self._listings.listing(listing_id.lower())
        if not is_party(holder, listing.lister):  # mandates are granted by the listed product's holder
            raise NotAuthorised("only the listed product's holder revokes its mandate")
        signer = address_of(holder)
        agent = self._agent_of(listing)
        # judged as the contract judges it, by the chain's mandate against the next block's time
        until = self._chain.mandate_of(signer, agent, listing.listing_id)
        if until == 0 or until < self._clock.next_block_timestamp():
            raise TradeMandateNotInForce(
                "the holder has no mandate in force for the listing exchange: nothing to revoke",
                listingId=listing.listing_id,
                agent=agent,
            )
        return self._signed.authorisation(
            "TradeMandateRevocation",
            signer,
            nonce,
            deadline,
            holder=signer,
            agent=agent,
            listingId=listing.listing_id,
        )

    def mandates(self, viewer: Participant, listing_id: str) -> list[dict[str, Any]]:
        """The listing's mandates, newest first, with their status: for the listed product's holder,
        the listing exchange and oversight."""
        listing = self._listings.listing(listing_id.lower())
        if not (is_party(viewer, listing.lister) or viewer.id == listing.exchange_id or oversees(viewer)):
            raise NotAuthorised("only the listing's holder, its exchange and oversight see its mandates")
        now = self._clock.next_block_timestamp()
        return [m.as_json(now) for m in self._records.mandates(listing.listing_id)]

    def _agent_of(self, listing: Listing) -> str:
        agent = self._directory.get_participant(listing.exchange_id).address
        if agent is None:
            raise ValidationFailed(
                "the listing exchange has no chain address to accept orders with", field="agent"
            )
        return agent

    def _mandate(
        self, holder: Participant, listing_id: str, valid_until: int, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        listing = self._listings.listing(listing_id.lower())
        if not is_party(holder, listing.lister):
            raise NotAuthorised("only the listed product's holder mandates its exchange")
        signer = address_of(holder)
        if listing.status is ListingStatus.DELISTED:
            raise ListingNotActive("the listing is delisted", listingId=listing.listing_id)
        agent = self._agent_of(listing)
        now = self._clock.next_block_timestamp()
        if not now < valid_until <= now + MAX_MANDATE_S:
            raise ValidationFailed("validUntil must be in the next two years", field="validUntil")
        return self._signed.authorisation(
            "TradeMandate",
            signer,
            nonce,
            deadline,
            holder=signer,
            agent=agent,
            listingId=listing.listing_id,
            validUntil=valid_until,
        )

    def prepare_acceptance(self, me: Participant, order_id: str) -> dict[str, Any]:
        """The ``TradeAcceptance`` the holder (or the exchange it mandated) signs."""
        trade = self._visible(me, order_id)
        return prepared_act(self._acceptance(me, trade, None, None), self.domain, amount=trade.amount)

    def accept(self, me: Participant, order_id: str, nonce: int, deadline: int, signature: str) -> Trade:
        """Relay the signed acceptance: the order becomes a trade whose settlement is pending."""
        trade = self._visible(me, order_id)
        auth = self._acceptance(me, trade, nonce, deadline)
        accepted: Trade = self._signed.relay(auth, signature, "trade.acceptance")
        return accepted

    def _record_acceptance(self, auth: ActAuthorisation, _: Mapping[str, Any], acts: Acts) -> Trade:
        accepted = act_of(acts, "OrderAccepted")
        order_id = str(auth.message["orderId"])
        try:
            return self._records.accept(order_id, auth.signer, self._now(), accepted.evidence)
        except TradeInvalidStatus:  # recorded before a crash; recovery found it on chain again
            return self._records.trade(order_id)

    def _acceptance(
        self, me: Participant, trade: Trade, nonce: int | None, deadline: int | None
    ) -> ActAuthorisation:
        if not is_party(me, trade.seller_address):
            until = 0
            if me.address is not None:
                until = self._chain.mandate_of(trade.seller_address, me.address, trade.listing_id)
            if until < self._clock.next_block_timestamp():
                self._refuse_revoked(me, trade)
                raise NotAuthorised("only the seller, or the exchange it mandated, accepts an order")
        signer = address_of(me)
        self._require_status(trade, TradeStatus.ORDERED)
        return self._signed.authorisation(
            "TradeAcceptance",
            signer,
            nonce,
            deadline,
            orderId=trade.order_id,
            accepter=signer,
            amount=trade.amount,
        )

    def _refuse_revoked(self, me: Participant, trade: Trade) -> None:
        """Name the reason when the caller's mandate for the trade's listing was revoked by the seller."""
        if me.address is None:
            return
        latest = self._records.current_mandate(trade.seller_address, me.address, trade.listing_id)
        if latest is not None and latest.revoked_at is not None:
            raise TradeMandateRevoked(
                "the seller revoked the mandate to accept this listing's orders in its name",
                listingId=trade.listing_id,
                revokedAt=latest.revoked_at.isoformat(),
            )

    # -- settlement (the exchange) ----------------------------------------------------------------

    def settle(self, me: Participant, order_id: str, reference: str) -> Trade:
        """The listing exchange confirms the trade settled (its record of the payment, by hash)."""
        trade = self._exchange_trade(me, order_id)
        reference = bounded_text(reference, "reference", MAX_REFERENCE, required=True)
        self._require_status(trade, TradeStatus.ACCEPTED)
        digest = settlement_hash(trade.order_id, trade.amount, trade.currency, reference)
        evidence = self._chain.settle(trade.order_id, exchange_key(me.id), digest)
        return self._records.close(
            trade.order_id, True, self._now(), evidence, reference=reference, settlement_hash=digest
        )

    def cancel(self, me: Participant, order_id: str, reason: str) -> Trade:
        """The listing exchange cancels an order or an unsettled trade, with a reason."""
        trade = self._exchange_trade(me, order_id)
        reason = bounded_text(reason, "reason", MAX_REASON, required=True)
        self._require_status(trade, TradeStatus.ORDERED, TradeStatus.ACCEPTED)
        evidence = self._chain.cancel(trade.order_id, exchange_key(me.id), reason_hash(reason))
        return self._records.close(trade.order_id, False, self._now(), evidence, reason=reason)

    def link_licence(self, me: Participant, order_id: str, licence_id: int) -> Trade:
        """Link the licence the seller granted the buyer for this trade, after checking it on chain:
        the traded asset, the seller as licensor, the buyer as licensee, the ordered terms' uses."""
        trade = self._visible(me, order_id)
        if not (is_party(me, trade.seller_address) or me.id == trade.exchange_id):
            raise NotAuthorised("the seller or the listing exchange links the trade's licence")
        self._require_status(trade, TradeStatus.ACCEPTED, TradeStatus.SETTLED)
        if trade.licence_id is not None:
            raise TradeLicenceMismatch("the trade already has its licence", licenceId=trade.licence_id)
        licence = self._licences.licence(licence_id)
        terms = self._listings.template(trade.licence_template_id, trade.licence_template_version).terms
        mismatch = None
        if licence is None:
            mismatch = "no such licence on chain"
        elif licence.terms.asset_id.lower() != trade.asset_id:
            mismatch = "the licence is on another asset"
        elif licence.licensor.lower() != trade.seller_address or licence.terms.licensee.lower() != (
            trade.buyer_address
        ):
            mismatch = "the licence is not the seller's to the buyer"
        elif licence.terms.max_uses != terms.max_uses or licence.terms.commercial != terms.commercial:
            mismatch = "the licence's uses or commercial use differ from the ordered terms"
        elif licence.terms.derivatives_allowed != terms.derivatives_allowed:
            mismatch = "the licence's derivatives differ from the ordered terms"
        elif licence.terms.valid_until - licence.terms.valid_from > terms.term_days * 86400:
            mismatch = "the licence runs longer than the ordered term"
        elif licence.terms.exclusivity is not terms.exclusivity:
            ordered = terms.exclusivity.value
            mismatch = f"the licence is {licence.terms.exclusivity.value}; the ordered terms say {ordered}"
        if mismatch is not None:
            raise TradeLicenceMismatch(mismatch, licenceId=licence_id, orderId=trade.order_id)
        evidence = self._chain.link_licence(trade.order_id, licence_id)
        return self._records.link_licence(trade.order_id, licence_id, evidence)

    # -- reads ------------------------------------------------------------------------------------

    def trade(self, viewer: Participant, order_id: str) -> Trade:
        """The trade, for its buyer, seller, exchange and oversight; to anyone else it does not exist."""
        return self._visible(viewer, order_id)

    def trades(
        self,
        viewer: Participant,
        *,
        limit: int,
        offset: int,
        status: TradeStatus | None = None,
        role: TradeRole | None = None,
    ) -> tuple[list[Trade], int]:
        """The viewer's trades (as buyer, seller or exchange, or in ``role`` only), newest first; all of
        them for oversight. Only those in ``status`` if given."""
        if oversees(viewer):
            if role is not None:
                raise ValidationFailed(
                    "role filters a party's own trades; oversight sees them all", field="role"
                )
            return self._records.trades(
                party_id=None, party_address=None, limit=limit, offset=offset, status=status
            )
        return self._records.trades(
            party_id=viewer.id,
            party_address=viewer.address or "",
            limit=limit,
            offset=offset,
            status=status,
            role=role,
        )

    def statistics(self, exchange_id: str | None, start: datetime, end: datetime) -> TradeStatistics:
        """Listings, orders, trades and amounts of an exchange (or all) in ``[start, end)``."""
        if end <= start:
            raise ValidationFailed("the period ends before it starts", field="to")
        return self._records.statistics(exchange_id, start, end)

    # -- helpers ----------------------------------------------------------------------------------

    def _visible(self, viewer: Participant, order_id: str) -> Trade:
        trade = self._records.trade(order_id.lower())
        party = viewer.id in (trade.buyer_id, trade.exchange_id) or is_party(viewer, trade.seller_address)
        if not (party or oversees(viewer)):
            raise TradeNotFound("no order with this id", orderId=order_id)
        return trade

    def _exchange_trade(self, me: Participant, order_id: str) -> Trade:
        trade = self._visible(me, order_id)
        if me.id != trade.exchange_id:
            raise NotAuthorised("only the exchange that listed the product settles or cancels its trades")
        return trade

    @staticmethod
    def _require_status(trade: Trade, *allowed: TradeStatus) -> None:
        if trade.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise TradeInvalidStatus(
                f"the trade is {trade.status.value}, not {wanted}",
                orderId=trade.order_id,
                status=trade.status.value,
            )
