"""Data merchants and buyer verification as the API serves them (see ``registry.market.merchants``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from dataledger.registry.errors import (
    BuyerApplicationDecided,
    BuyerNotVerified,
    Conflict,
    MerchantNotEnrolled,
    MerchantNotFound,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.market.listings import Listing, ListingStatus, bounded_text
from dataledger.registry.market.merchants import (
    MAX_NOTE,
    MAX_REASON,
    ApplicationStatus,
    BuyerApplication,
    BuyerPolicy,
    MerchantEnrolment,
    MerchantKind,
    merchant_kinds,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.signed_acts import SIGNATURE_LIFETIME_S
from dataledger.registry.visibility import is_party, oversees


class MerchantRecords(Protocol):
    """``ledger.sql.merchant_store.MerchantStore``."""

    def save_enrolment(self, enrolment: MerchantEnrolment) -> MerchantEnrolment: ...
    def withdraw_enrolment(
        self, exchange_id: str, participant_id: str, at: datetime
    ) -> MerchantEnrolment: ...
    def enrolment(self, exchange_id: str, participant_id: str) -> MerchantEnrolment: ...
    def enrolments(
        self,
        *,
        kind: MerchantKind | None,
        exchange_id: str | None,
        participant_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[MerchantEnrolment], int]: ...
    def set_policy(self, policy: BuyerPolicy) -> None: ...
    def policy(self, listing_id: str) -> BuyerPolicy | None: ...
    def add_application(self, application: BuyerApplication) -> None: ...
    def application(self, application_id: str) -> BuyerApplication: ...
    def applications(
        self,
        *,
        listing_id: str | None = None,
        holder: str | None = None,
        buyer_id: str | None = None,
        status: ApplicationStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[BuyerApplication], int]: ...
    def decide(
        self,
        application_id: str,
        status: ApplicationStatus,
        reason: str,
        deadline: int,
        signature: str,
        at: datetime,
    ) -> BuyerApplication: ...
    def approved(self, listing_id: str, buyer_address: str) -> bool: ...


class ListingLookup(Protocol):
    def listing(self, listing_id: str) -> Listing: ...


class Participants(Protocol):
    def get_participant(self, participant_id: str) -> Participant: ...


class MerchantService:
    """Enrolments by exchanges, holders' buyer policies, buyers' applications and holders' decisions.

    ``chain_now`` is the time of the next block: a decision's deadline is judged by it, like every
    signed act's."""

    def __init__(
        self,
        records: MerchantRecords,
        listings: ListingLookup,
        participants: Participants,
        domain: Eip712Domain,
        chain_now: Callable[[], int],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._records = records
        self._listings = listings
        self._participants = participants
        self._domain = domain
        self._chain_now = chain_now
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def domain(self) -> Eip712Domain:
        return self._domain

    # -- data merchants ---------------------------------------------------------------------------

    def enrol(
        self, me: Participant, participant_id: str, kinds: list[str], note: str = ""
    ) -> MerchantEnrolment:
        """An exchange enrols an enterprise as a data merchant of ``kinds`` (again: new kinds)."""
        exchange = _exchange(me)
        participant = self._participants.get_participant(participant_id)
        if participant.role is not Role.ENTERPRISE:
            raise ValidationFailed("an exchange enrols enterprises as data merchants", field="participantId")
        now = self._clock()
        enrolment = MerchantEnrolment(
            exchange.id,
            exchange.name,
            participant.id,
            participant.name,
            merchant_kinds(kinds),
            bounded_text(note, "note", MAX_NOTE),
            now,
            now,
        )
        return self._records.save_enrolment(enrolment)

    def withdraw(self, me: Participant, participant_id: str) -> MerchantEnrolment:
        exchange = _exchange(me)
        return self._records.withdraw_enrolment(exchange.id, participant_id, self._clock())

    def directory(
        self,
        *,
        kind: MerchantKind | None = None,
        exchange_id: str | None = None,
        participant_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[MerchantEnrolment], int]:
        """Anyone: the standing enrolments."""
        return self._records.enrolments(
            kind=kind, exchange_id=exchange_id, participant_id=participant_id, limit=limit, offset=offset
        )

    # -- the holder's policy ----------------------------------------------------------------------

    def set_policy(self, me: Participant, listing_id: str, required: bool) -> BuyerPolicy:
        """The listing's holder requires (or stops requiring) its buyers to be verified."""
        listing = self._listings.listing(listing_id)
        if not is_party(me, listing.lister):
            raise NotAuthorised("only the holder of the listed product sets its buyer policy")
        if listing.status is ListingStatus.DELISTED:
            raise Conflict("the listing is delisted", listingId=listing.listing_id)
        policy = BuyerPolicy(listing.listing_id, required, me.id, self._clock())
        self._records.set_policy(policy)
        return policy

    def policy(self, listing_id: str) -> BuyerPolicy:
        """Anyone: the listing's buyer policy (not required, until its holder sets one)."""
        listing = self._listings.listing(listing_id)
        found = self._records.policy(listing.listing_id)
        return found or BuyerPolicy(listing.listing_id, False, "", listing.listed_at)

    def require_admitted(self, listing: Listing, buyer_address: str) -> None:
        """Refuse an order by ``buyer_address`` when the holder requires verified buyers and this one's
        application was not approved."""
        policy = self._records.policy(listing.listing_id)
        if policy is None or not policy.verification_required:
            return
        if not self._records.approved(listing.listing_id, buyer_address):
            raise BuyerNotVerified(
                "the holder requires buyers of this listing to be verified: apply, and order once approved",
                listingId=listing.listing_id,
            )

    # -- applications and decisions ---------------------------------------------------------------

    def apply(self, me: Participant, listing_id: str, purpose: str) -> BuyerApplication:
        """A buyer enrolled at the listing's exchange asks the holder to verify it for the listing."""
        if me.role is not Role.ENTERPRISE or me.address is None:
            raise NotAuthorised("an enterprise with a chain address applies as a buyer", role=me.role.value)
        listing = self._listings.listing(listing_id)
        if listing.status is not ListingStatus.LISTED:
            raise Conflict(f"the listing is {listing.status.value}", listingId=listing.listing_id)
        if is_party(me, listing.lister):
            raise ValidationFailed("a holder does not apply to buy its own product", field="listingId")
        if not self.policy(listing.listing_id).verification_required:
            raise ValidationFailed("the holder does not require buyers of this listing to be verified")
        try:
            enrolment = self._records.enrolment(listing.exchange_id, me.id)
        except MerchantNotFound:
            enrolment = None
        if enrolment is None or not enrolment.active or MerchantKind.BUYER not in enrolment.kinds:
            raise MerchantNotEnrolled(
                "the listing's exchange has not enrolled you as a buyer", exchangeId=listing.exchange_id
            )
        application = BuyerApplication.new(
            listing.listing_id, listing.exchange_id, listing.lister, me.id, me.name, me.address, purpose,
            self._clock(),
        )  # fmt: skip
        self._records.add_application(application)
        return application

    def application(self, me: Participant, application_id: str) -> BuyerApplication:
        application = self._records.application(application_id)
        self._require_sees(me, application)
        return application

    def applications(
        self,
        me: Participant,
        *,
        side: str,
        listing_id: str | None = None,
        status: ApplicationStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[BuyerApplication], int]:
        """``side`` "holder": the applications to the participant's listings; "buyer": its own; oversight
        sees every application with either."""
        if side not in ("holder", "buyer"):
            raise ValidationFailed("side is holder or buyer", field="side")
        holder = buyer_id = None
        if not oversees(me):
            if side == "buyer":
                buyer_id = me.id
            elif me.address is None:
                raise NotAuthorised("a holder signs with a chain address; this participant has none")
            else:
                holder = me.address
        return self._records.applications(
            listing_id=listing_id, holder=holder, buyer_id=buyer_id, status=status, limit=limit, offset=offset
        )

    def decision_to_sign(
        self, me: Participant, application_id: str, approved: bool, reason: str
    ) -> dict[str, Any]:
        """What the holder signs to approve or decline the application, valid for an hour of chain time."""
        application = self._pending_for(me, application_id)
        reason = bounded_text(reason, "reason", MAX_REASON)
        decision = application.decision(approved, reason, self._chain_now() + SIGNATURE_LIFETIME_S)
        return {
            "typedData": decision.typed_data(self._domain),
            "deadline": decision.deadline,
            "reason": reason,
        }

    def decide(
        self, me: Participant, application_id: str, approved: bool, reason: str, deadline: int, signature: str
    ) -> BuyerApplication:
        """Record the holder's signed decision (submitted by the holder)."""
        application = self._pending_for(me, application_id)
        reason = bounded_text(reason, "reason", MAX_REASON)
        decision = application.decision(approved, reason, deadline)
        decision.require_signed_by(application.holder, self._domain, signature, now=self._chain_now())
        status = ApplicationStatus.APPROVED if approved else ApplicationStatus.DECLINED
        return self._records.decide(application_id, status, reason, deadline, signature, self._clock())

    def _pending_for(self, me: Participant, application_id: str) -> BuyerApplication:
        application = self._records.application(application_id)
        if not is_party(me, application.holder):
            raise NotAuthorised("only the listing's holder decides on a buyer application")
        listing = self._listings.listing(application.listing_id)
        if listing.status is not ListingStatus.LISTED:  # a transfer suspends it: its holder changed
            why = listing.suspension or f"it is {listing.status.value}"
            raise Conflict(
                f"the listing cannot be ordered now ({why}): nothing to decide",
                applicationId=application.application_id,
            )
        if application.status is not ApplicationStatus.PENDING:
            raise BuyerApplicationDecided(
                f"the application is already {application.status.value}",
                applicationId=application.application_id,
                status=application.status.value,
            )
        return application

    def _require_sees(self, me: Participant, application: BuyerApplication) -> None:
        if oversees(me) or me.id == application.buyer_id or is_party(me, application.holder):
            return
        raise NotAuthorised("only the holder, the buyer and oversight see a buyer application")


def _exchange(me: Participant) -> Participant:
    if me.role is not Role.EXCHANGE:
        raise NotAuthorised("only an exchange enrols data merchants", role=me.role.value)
    return me
