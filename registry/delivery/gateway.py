"""The delivery gateway: serves the holder's data only against a licence use, and redeems it once.

A use exists in one of two ways:

* **on chain**: the licensee consumed it with ``useLicence``; the consumer presents the transaction.
  The gateway reads the receipt at once (a transaction the chain does not hold, mined, is refused at
  once, never waited for) and checks that its ``LicenceUsed`` event is of this licence, this asset
  and this consumer, and that the licence is still within its term and not revoked;
* **batched**: the licensee signs a ``DeliveryUse`` off chain (``registry.delivery.uses``); the
  gateway checks the signature and the licence (terms, revocation, asset standing, cached briefly and
  judged against the next block's time), then reserves the next use in the database in one
  transaction that never lets the count pass the licence's maximum. The recorder
  (``ledger.workers.use_recorder``) records the reserved uses on chain in batches
  (``recordUses``), each use's leaf under the batch's root.

A holder's API that serves data subjects' records (a deposit declaring ``personalData``) is delivered
only against a data subject's consent consumed on chain for exactly that request, to an enterprise
holding a live licence of the asset (``registry.delivery.consent_uses``); never against a licence use.

Either way the use is redeemed exactly once: its id is unique in the store, so a replay gets
``use-already-redeemed`` and anyone but its consumer ``use-not-yours``. A redeemed use opens a
delivery window: the object may be fetched (and resumed with byte ranges) until it was sent whole
or the window ends. The first response leaves a receipt signed by the gateway, anchored through the
outbox (``registry.delivery.receipts``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import OnChainAssetStatus, require_hex32
from dataledger.registry.delivery.consent_requests import ConsentRequest, api_path
from dataledger.registry.delivery.consent_uses import (
    CONSENT_HEADER,
    SUBJECT_HEADER,
    consent_consumption,
    require_consented_purpose,
    require_consumed_consent,
    require_request,
)
from dataledger.registry.delivery.licence_view import LicenceStanding, LicenceView
from dataledger.registry.delivery.ports import (
    ContentStore,
    DeliveryStore,
    Deposit,
    LicenceChain,
    RedeemedUse,
    Upstream,
    UpstreamResponse,
    chunked,
)
from dataledger.registry.delivery.ranges import ByteRange, byte_range
from dataledger.registry.delivery.receipts import DeliveryReceipt, GatewayKey
from dataledger.registry.delivery.uses import DeliveryUse, new_use_nonce, require_use_signature
from dataledger.registry.errors import (
    AssetNotCertified,
    AssetNotFound,
    ConsentRequestMismatch,
    ContentHashMismatch,
    DeliveryDepositNotFound,
    DeliveryReceiptNotFound,
    DeliveryWindowClosed,
    LicenceExpired,
    LicenceNotFound,
    LicenceRevoked,
    LicenceUseMismatch,
    LicenceUseNotFound,
    NotAuthorised,
    PersonalDataDeclarationMismatch,
    PersonalDataNeedsConsent,
    UpstreamFailed,
    UseAlreadyRedeemed,
    UseNotYours,
    ValidationFailed,
)
from dataledger.registry.participants import Participant
from dataledger.registry.visibility import is_party, oversees

USE_SIGNING_WINDOW_S = 600  # how long a prepared DeliveryUse may wait to be signed and presented
MAX_PROXIED_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """``window_s``: how long a redeemed use may be fetched (and resumed); ``max_deposit_bytes``: the
    largest file a holder may deposit."""

    window_s: int = 600
    max_deposit_bytes: int = 64 * 1024**3


@dataclass(frozen=True, slots=True)
class ContentDelivery:
    """One response of a file delivery: the range served, its bytes, and the object's hash."""

    use: RedeemedUse
    deposit: Deposit
    range: ByteRange
    partial: bool
    body: Iterator[bytes]

    @property
    def content_hash(self) -> str:
        return self.deposit.content_hash or ""


def _address(participant: Participant) -> str:
    if participant.address is None:
        raise ValidationFailed("this participant has no chain address", field="address")
    return participant.address


class DeliveryGateway:
    """Deposits, redemptions, deliveries and receipts."""

    def __init__(
        self,
        licences: LicenceChain,
        view: LicenceView,
        store: DeliveryStore,
        content: ContentStore,
        upstream: Upstream,
        key: GatewayKey,
        config: GatewayConfig | None = None,
        *,
        on_redeemed: Callable[[], None] = lambda: None,
        on_receipt: Callable[[], None] = lambda: None,
    ) -> None:
        self._licences = licences
        self._view = view
        self._store = store
        self._content = content
        self._upstream = upstream
        self._key = key
        self._config = config or GatewayConfig()
        self._on_redeemed = on_redeemed
        self._on_receipt = on_receipt

    @property
    def public_key(self) -> str:
        return self._key.public_key

    # -- deposits (the holder) ------------------------------------------------------------------

    def deposit_file(
        self,
        holder: Participant,
        asset_id: str,
        chunks: Iterable[bytes],
        *,
        declared_hash: str | None = None,
        media_type: str = "application/octet-stream",
    ) -> Deposit:
        """Stream a file into the content store, hashing it on the way in; keep it only if it hashes to
        the asset's registered content hash, or to ``declared_hash`` (a derivative the holder declares)."""
        asset_id = require_hex32(asset_id, "assetId")
        registered = self._holder_asset(holder, asset_id)
        self._require_no_personal_data_listed(asset_id, "a file")
        if declared_hash is not None:
            declared_hash = require_hex32(declared_hash, "declaredHash")
        staged = self._content.stage(chunks, self._config.max_deposit_bytes)
        accepted = {registered} | ({declared_hash} if declared_hash else set())
        if staged.content_hash not in accepted:
            self._content.discard(staged)
            raise ContentHashMismatch(
                "the file hashes to neither the asset's registered content hash nor the declared one",
                content_hash=staged.content_hash,
                registered_hash=registered,
                declared_hash=declared_hash,
            )
        key = self._content.keep(staged)
        deposit = Deposit(
            deposit_id=str(uuid.uuid4()),
            asset_id=asset_id,
            kind="file",
            holder=_address(holder),
            created_at=self._view.now(),
            content_hash=staged.content_hash,
            size=staged.size,
            media_type=media_type,
            location=key,
            derivative=staged.content_hash != registered,
        )
        self._store.add_deposit(deposit)
        return deposit

    def deposit_api(
        self, holder: Participant, asset_id: str, base_url: str, *, personal_data: bool = False
    ) -> Deposit:
        """Deliver the asset through the holder's API at ``base_url`` (GET only, one use per call).

        ``personal_data``: the API serves data subjects' records; each call is then allowed only by a
        subject's consent consumed for exactly that call, never by a licence use."""
        asset_id = require_hex32(asset_id, "assetId")
        self._holder_asset(holder, asset_id)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValidationFailed(
                "baseUrl must be an http(s) URL without query or fragment", field="baseUrl"
            )
        if not personal_data:
            self._require_no_personal_data_listed(asset_id, "an API without personalData")
        self._upstream.require_public(base_url)  # the server fetches it: never an internal address
        deposit = Deposit(
            deposit_id=str(uuid.uuid4()),
            asset_id=asset_id,
            kind="api",
            holder=_address(holder),
            created_at=self._view.now(),
            location=base_url.rstrip("/"),
            personal_data=personal_data,
        )
        self._store.add_deposit(deposit)
        return deposit

    def _require_no_personal_data_listed(self, asset_id: str, deposited: str) -> None:
        """A product listed as holding personal data is delivered through the holder's API, one data
        subject's record per consent: never as a file or against licence uses."""
        if self._store.listed_with_personal_data(asset_id):
            raise PersonalDataDeclarationMismatch(
                f"a listing of the asset declares personal data: it cannot be deposited as {deposited};"
                " deposit its API with personalData",
                asset_id=asset_id,
            )

    def deposits(self, viewer: Participant, asset_id: str) -> list[Deposit]:
        """The asset's deposits, newest first: for its holder and oversight."""
        asset_id = require_hex32(asset_id, "assetId")
        if not oversees(viewer):
            self._holder_asset(viewer, asset_id)
        return self._store.deposits(asset_id)

    def _holder_asset(self, holder: Participant, asset_id: str) -> str:
        """The asset's registered content hash, if ``holder`` holds it on chain."""
        asset = self._view_asset(asset_id)
        if asset is None:
            raise AssetNotFound("the asset is not registered on chain", asset_id=asset_id)
        if not is_party(holder, asset[0]):
            raise NotAuthorised("only the asset's holder deposits its data", holder=asset[0])
        return asset[1]

    def _view_asset(self, asset_id: str) -> tuple[str, str] | None:
        found = self._view.asset(asset_id)
        return None if found is None else (found.holder, found.content_hash)

    # -- uses (the licensee) ----------------------------------------------------------------------

    def prepare_use(self, consumer: Participant, licence_id: int, request_hash: str | None) -> dict[str, Any]:
        """The ``DeliveryUse`` for the consumer to sign: its typed data and the fields to send back."""
        address = _address(consumer)
        standing = self._standing_for(consumer, licence_id)
        now = self._view.now()
        standing.require_live(now)
        use = DeliveryUse(
            licence_id=licence_id,
            consumer=address,
            request_hash=request_hash or new_use_nonce(),
            use_nonce=new_use_nonce(),
            deadline=now + USE_SIGNING_WINDOW_S,
        )
        return {
            "typedData": use.typed_data(self._licences.domain),
            "use": use.message(),
            "useId": use.use_id(self._licences.domain),
        }

    def redeem(self, consumer: Participant, use: DeliveryUse, signature: str) -> RedeemedUse:
        """Redeem a batched use: check it, reserve the next use of the licence, open the window."""
        return self._redeem(consumer, use, signature, None)[0]

    def redeem_and_deliver(self, consumer: Participant, use: DeliveryUse, signature: str) -> ContentDelivery:
        """Redeem a batched use and deliver the whole file in the same response (one request instead of
        a redemption and a fetch; every check the same). An asset delivered through the holder's API is
        refused before the use is redeemed. If the response breaks off, the use's window is open: the
        download resumes with byte ranges on ``content``."""
        redeemed, deposit = self._redeem(consumer, use, signature, "file")
        size = deposit.size or 0
        served, partial = byte_range(None, size)
        return ContentDelivery(redeemed, deposit, served, partial, self._stream(redeemed, deposit, served))

    def _redeem(
        self, consumer: Participant, use: DeliveryUse, signature: str, kind: str | None
    ) -> tuple[RedeemedUse, Deposit]:
        address = _address(consumer)
        if use.consumer.lower() != address.lower():
            raise UseNotYours("the use was signed for another consumer", consumer=use.consumer)
        standing = self._standing_for(consumer, use.licence_id)
        now = self._view.now()
        use_id = require_use_signature(use, self._licences.domain, signature, now=now)
        standing.require_live(now)  # a replay is refused by the store: the use id is unique there
        deposit = self._licence_deposit(standing.licence.terms.asset_id)
        if kind is not None and deposit.kind != kind:
            raise ValidationFailed(
                "this asset is delivered through the holder's API: redeem the use, then GET its api path",
                field="use",
            )
        redeemed = RedeemedUse(
            use_id=use_id,
            source="batched",
            licence_id=use.licence_id,
            asset_id=standing.licence.terms.asset_id,
            consumer=address,
            request_hash=use.request_hash,
            deposit_id=deposit.deposit_id,
            redeemed_at=now,
            window_ends_at=now + self._config.window_s,
        )
        stored = self._store.reserve_use(
            redeemed, max_uses=standing.licence.terms.max_uses, chain_uses=standing.licence.uses
        )
        self._on_redeemed()
        return stored, deposit

    def redeem_chain_use(
        self, consumer: Participant, licence_id: int, tx_hash: str, log_index: int | None = None
    ) -> RedeemedUse:
        """Redeem a use consumed on chain by ``useLicence`` in transaction ``tx_hash``."""
        address = _address(consumer)
        tx_hash = require_hex32(tx_hash, "txHash")
        acts = self._licences.acts_of_transaction(tx_hash)
        if acts is None:
            raise LicenceUseNotFound("the chain holds no mined transaction with this hash", tx_hash=tx_hash)
        used = _licence_use(acts, log_index)
        if used is None:
            raise LicenceUseNotFound(
                "the transaction holds no use of a licence of this registry", tx_hash=tx_hash
            )
        args = used.args
        if int(args["licenceId"]) != licence_id:
            raise LicenceUseMismatch(
                "the use on chain is of another licence", licence_id=int(args["licenceId"])
            )
        if str(args["licensee"]).lower() != address.lower():
            raise UseNotYours("the use on chain is another licensee's", licensee=args["licensee"])
        use_id = f"{tx_hash}-{used.evidence.log_index}"
        self._require_new(use_id)
        self._view.forget(licence_id)  # the chain's count just moved: read it afresh
        standing = self._standing_for(consumer, licence_id)
        terms = standing.licence.terms
        if str(args["assetId"]).lower() != terms.asset_id.lower():
            raise LicenceUseMismatch("the use on chain is of another asset", asset_id=args["assetId"])
        now = self._view.now()
        if standing.licence.revoked:
            raise LicenceRevoked("the licence is revoked", licence_id=licence_id)
        if not terms.valid_from <= used.block_timestamp <= terms.valid_until or now > terms.valid_until:
            raise LicenceExpired(
                "the use is outside the licence's term", licence_id=licence_id, valid_until=terms.valid_until
            )
        deposit = self._licence_deposit(terms.asset_id)
        redeemed = RedeemedUse(
            use_id=use_id,
            source="chain",
            licence_id=licence_id,
            asset_id=terms.asset_id,
            consumer=address,
            request_hash=str(args["requestHash"]),
            deposit_id=deposit.deposit_id,
            redeemed_at=now,
            window_ends_at=now + self._config.window_s,
            chain_use=int(args["use"]),
            tx_hash=tx_hash,
            log_index=used.evidence.log_index,
        )
        return self._store.redeem_chain_use(redeemed, max_uses=terms.max_uses)

    def redeem_consent_use(
        self, enterprise: Participant, licence_id: int, tx_hash: str, log_index: int | None = None
    ) -> RedeemedUse:
        """Redeem a data subject's consent consumed on chain by ``consumeConsent`` in ``tx_hash``, for one
        GET of the personal-data API of the asset of ``licence_id`` (the enterprise's licence)."""
        address = _address(enterprise)
        tx_hash = require_hex32(tx_hash, "txHash")
        consumed = consent_consumption(self._licences.acts_of_transaction(tx_hash), tx_hash, log_index)
        args = consumed.args
        consent_id = int(args["consentId"])
        if str(args["enterprise"]).lower() != address.lower():
            raise UseNotYours("the consent was given to another enterprise", consent_id=consent_id)
        use_id = f"{tx_hash}-{consumed.evidence.log_index}"
        self._require_new(use_id)
        now = self._view.now()
        request_hash = require_hex32(str(args["requestHash"]), "requestHash")
        consent = require_consumed_consent(self._licences.consent(consent_id), request_hash, now)
        standing = self._standing_for(enterprise, licence_id)
        standing.require_live(now)
        licence_purpose, consent_purpose = self._store.stated_purposes(licence_id, consent_id)
        require_consented_purpose(
            consent, consent_purpose, licence_id, standing.licence.terms.purpose_hash, licence_purpose
        )
        asset_id = standing.licence.terms.asset_id
        deposit = self._deposit(asset_id)
        if not deposit.personal_data:
            raise ConsentRequestMismatch(
                "the asset's deposit holds no personal data: redeem a licence use", asset_id=asset_id
            )
        redeemed = RedeemedUse(
            use_id=use_id,
            source="consent",
            licence_id=licence_id,
            asset_id=asset_id,
            consumer=address,
            request_hash=request_hash,
            deposit_id=deposit.deposit_id,
            redeemed_at=now,
            window_ends_at=min(now + self._config.window_s, consent.valid_until),
            tx_hash=tx_hash,
            log_index=consumed.evidence.log_index,
            consent_id=consent_id,
            subject=consent.subject.lower(),
        )
        stored = self._store.redeem_consent_use(redeemed)
        self._on_redeemed()
        return stored

    def _standing_for(self, consumer: Participant, licence_id: int) -> LicenceStanding:
        standing = self._view.standing(licence_id)
        licence = standing.licence
        if not is_party(consumer, licence.terms.licensee):
            if is_party(consumer, licence.licensor, standing.asset_holder) or oversees(consumer):
                raise UseNotYours("only the licensee redeems uses of the licence", licence_id=licence_id)
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        if standing.asset_status is OnChainAssetStatus.NONE:
            raise AssetNotCertified("the licensed asset is not on chain", asset_id=licence.terms.asset_id)
        return standing

    def _require_new(self, use_id: str) -> None:
        if self._store.use(use_id) is not None:
            raise UseAlreadyRedeemed("this use was already redeemed", use_id=use_id)

    def _licence_deposit(self, asset_id: str) -> Deposit:
        """The deposit a licence use delivers: never one holding personal data."""
        deposit = self._deposit(asset_id)
        if deposit.personal_data:
            raise PersonalDataNeedsConsent(
                "the asset's API serves personal data: it is delivered only against a consumed consent",
                asset_id=asset_id,
            )
        return deposit

    def _deposit(self, asset_id: str) -> Deposit:
        deposit = self._store.current_deposit(asset_id)
        if deposit is None:
            raise DeliveryDepositNotFound("the holder has deposited nothing to deliver", asset_id=asset_id)
        return deposit

    # -- delivery ---------------------------------------------------------------------------------

    def content(self, consumer: Participant, use_id: str, range_header: str | None) -> ContentDelivery:
        """A response of the file delivery of a redeemed use: the whole object or the range asked."""
        use, deposit = self._open(consumer, use_id)
        if deposit.kind != "file":
            raise ValidationFailed(
                "this asset is delivered through the holder's API: GET the use's api path", field="useId"
            )
        size = deposit.size or 0
        served, partial = byte_range(range_header, size)
        return ContentDelivery(use, deposit, served, partial, self._stream(use, deposit, served))

    def _stream(self, use: RedeemedUse, deposit: Deposit, served: ByteRange) -> Iterator[bytes]:
        with self._content.open(deposit.location) as source:
            yield from chunked(source, served.start, served.length)
        # Only once every byte of the response went out: the receipt, and the end of the use if the
        # response reached the end of the object.
        self._finish(use, deposit, deposit.content_hash or "", deposit.size or 0, served.reaches_end)

    def proxy(
        self, consumer: Participant, use_id: str, path: str, query: str, accept: str | None
    ) -> UpstreamResponse:
        """GET ``path`` of the holder's API for a redeemed use; the answer is delivered once, whole."""
        use, deposit = self._open(consumer, use_id)
        if deposit.kind != "api":
            raise ValidationFailed("this asset is delivered as a file: GET the use's content", field="useId")
        forwarded = api_path(path)
        headers: dict[str, str] = {}
        if use.source == "consent" or deposit.personal_data:
            headers = self._consent_request(use, forwarded, query)
        url = deposit.location + "/" + forwarded + (f"?{query}" if query else "")
        answer = self._upstream.get(url, accept, headers)
        if not 200 <= answer.status < 300:  # the use stays open: the consumer may try again in its window
            raise UpstreamFailed(f"the holder's API answered {answer.status}", upstream_status=answer.status)
        content_hash = "0x" + hashlib.sha256(answer.body).hexdigest()
        self._finish(use, deposit, content_hash, len(answer.body), True)
        return answer

    def _consent_request(self, use: RedeemedUse, path: str, query: str) -> dict[str, str]:
        """Check a consent use's call against the request its consent was consumed for, and that the
        chain still holds the consent consumed, unwithdrawn and in time; the headers naming the subject."""
        if use.source != "consent" or use.subject is None or use.consent_id is None:
            raise PersonalDataNeedsConsent(  # a licence use opened before the deposit could not be
                "the asset's API serves personal data: it is delivered only against a consumed consent",
                asset_id=use.asset_id,
            )
        require_request(use.request_hash, ConsentRequest(use.asset_id, use.subject, path, query))
        now = self._view.now()
        require_consumed_consent(self._licences.consent(use.consent_id), use.request_hash, now)
        return {SUBJECT_HEADER: use.subject, CONSENT_HEADER: str(use.consent_id)}

    def _open(self, consumer: Participant, use_id: str) -> tuple[RedeemedUse, Deposit]:
        use = self._store.use(use_id)
        if use is None:
            raise LicenceUseNotFound("no use with this id was redeemed here", use_id=use_id)
        if not is_party(consumer, use.consumer):
            raise UseNotYours("the use was redeemed by another consumer", use_id=use_id)
        if use.completed:
            raise DeliveryWindowClosed("the object was already delivered whole for this use", use_id=use_id)
        if self._view.now() > use.window_ends_at:
            raise DeliveryWindowClosed(
                "the delivery window of this use has ended", use_id=use_id, window_ends_at=use.window_ends_at
            )
        deposit = self._store.deposit(use.deposit_id)
        if deposit is None:
            raise DeliveryDepositNotFound("the deposit of this use is gone", use_id=use_id)
        return use, deposit

    def _finish(self, use: RedeemedUse, deposit: Deposit, content_hash: str, size: int, whole: bool) -> None:
        receipt = None
        signature = None
        if not use.receipted:
            receipt = DeliveryReceipt(
                use_id=use.use_id,
                source=use.source,
                licence_id=use.licence_id,
                asset_id=use.asset_id,
                consumer=use.consumer,
                delivered_at=self._view.now(),
                content_hash=content_hash,
                size=size,
                deposit_kind=deposit.kind,
                consent_id=use.consent_id,
            )
            signature = self._key.sign(receipt)
        self._store.finish_delivery(use.use_id, receipt, signature, completed=whole)
        if receipt is not None:
            self._on_receipt()

    # -- reads ------------------------------------------------------------------------------------

    def use(self, viewer: Participant, use_id: str) -> dict[str, Any]:
        """A redeemed use with its proof against the chain (batched: its batch's root and transaction)."""
        use = self._visible_use(viewer, use_id)
        return {**use.as_json(), "onChain": self._store.use_inclusion(use_id)}

    def uses(self, viewer: Participant, licence_id: int, *, limit: int, offset: int) -> list[dict[str, Any]]:
        standing = self._view.standing(licence_id)
        licence = standing.licence
        if not (
            oversees(viewer)
            or is_party(viewer, licence.terms.licensee, licence.licensor, standing.asset_holder)
        ):
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        return [u.as_json() for u in self._store.uses_of(licence_id, limit=limit, offset=offset)]

    def receipt(self, viewer: Participant, use_id: str) -> dict[str, Any]:
        """The delivery's signed receipt, the gateway's public key, and the receipt's anchoring proof."""
        self._visible_use(viewer, use_id)
        found = self._store.receipt(use_id)
        if found is None:
            raise DeliveryReceiptNotFound("nothing was delivered for this use yet", use_id=use_id)
        receipt, signature = found
        return {
            "receipt": receipt.payload(),
            "signature": signature,
            "publicKey": self._key.public_key,
            "anchoring": self._store.receipt_inclusion(use_id),
        }

    def _visible_use(self, viewer: Participant, use_id: str) -> RedeemedUse:
        use = self._store.use(use_id)
        if use is None:
            raise LicenceUseNotFound("no use with this id was redeemed here", use_id=use_id)
        if oversees(viewer) or is_party(viewer, use.consumer):
            return use
        deposit = self._store.deposit(use.deposit_id)
        if deposit is not None and is_party(viewer, deposit.holder):
            return use
        raise LicenceUseNotFound("no use with this id was redeemed here", use_id=use_id)


def _licence_use(acts: tuple[ChainAct, ...], log_index: int | None) -> ChainAct | None:
    for act in acts:
        if act.event == "LicenceUsed" and (log_index is None or act.evidence.log_index == log_index):
            return act
    return None
