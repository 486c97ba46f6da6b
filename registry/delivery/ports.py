"""What the delivery gateway needs from the chain, the database, the content store and the holder's API.

The gateway (``registry.delivery.gateway``) depends on these Protocols only; ``ledger.chain``,
``ledger.sql.delivery_store`` and ``ledger.content_store`` implement them, and the composition root
wires them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from dataledger.registry.chain_records import ChainAct, OnChainConsent, OnChainLicence, OnChainProcedure
from dataledger.registry.chain_types import OnChainAsset
from dataledger.registry.delivery.receipts import DeliveryReceipt
from dataledger.registry.holder_signatures import Eip712Domain


@dataclass(frozen=True, slots=True)
class Deposit:
    """What the holder deposited for delivery of an asset: a stored file, or its API's base URL."""

    deposit_id: str
    asset_id: str
    kind: str  # file | api
    holder: str
    created_at: int
    content_hash: str | None = None  # file: 0x-hex SHA-256, checked on the way in
    size: int | None = None
    media_type: str = "application/octet-stream"
    location: str = ""  # file: the content store's key; api: the base URL
    derivative: bool = False  # the file is a declared derivative, not the registered content itself
    personal_data: bool = False  # api: one data subject's record per call, only against a consent

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "depositId": self.deposit_id,
            "assetId": self.asset_id,
            "kind": self.kind,
            "holder": self.holder,
            "createdAt": self.created_at,
            "contentHash": self.content_hash,
            "size": self.size,
            "mediaType": self.media_type,
            "derivative": self.derivative,
            "personalData": self.personal_data,
        }
        if self.kind == "api":
            body["baseUrl"] = self.location
        return body


@dataclass(frozen=True, slots=True)
class RedeemedUse:
    """A use redeemed at the gateway: batched (signed off chain, numbered here), consumed on chain, or a
    data subject's consent consumed on chain (source ``consent``: the enterprise's licence of the asset
    in ``licence_id``, the consent in ``consent_id``, its subject in ``subject``)."""

    use_id: str
    source: str  # batched | chain | consent
    licence_id: int
    asset_id: str
    consumer: str
    request_hash: str
    deposit_id: str
    redeemed_at: int
    window_ends_at: int
    sequence: int = 0  # batched: the gateway's number of the use within the licence (1, 2, ...)
    chain_use: int | None = None  # the use's number on chain (chain uses at once; batched once recorded)
    tx_hash: str | None = None  # chain uses: the useLicence transaction; consent: consumeConsent's
    log_index: int | None = None
    consent_id: int | None = None  # consent uses: the consent consumed
    subject: str | None = None  # consent uses: its data subject (whose record alone is delivered)
    completed: bool = False
    receipted: bool = False  # a response was delivered and its receipt stored

    def as_json(self) -> dict[str, Any]:
        return {
            "useId": self.use_id,
            "source": self.source,
            "licenceId": self.licence_id,
            "assetId": self.asset_id,
            "consumer": self.consumer,
            "requestHash": self.request_hash,
            "depositId": self.deposit_id,
            "redeemedAt": self.redeemed_at,
            "windowEndsAt": self.window_ends_at,
            "sequence": self.sequence,
            "chainUse": self.chain_use,
            "txHash": self.tx_hash,
            "logIndex": self.log_index,
            "consentId": self.consent_id,
            "subject": self.subject,
            "completed": self.completed,
        }


@dataclass(frozen=True, slots=True)
class StagedContent:
    """Bytes streamed into the content store, hashed on the way in, not yet kept."""

    key: str
    content_hash: str
    size: int


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UseBatch:
    """Batched uses of one licence sealed under one root, to be recorded with ``recordUses``."""

    batch_id: int
    licence_id: int
    root: bytes
    count: int


class LicenceChain(Protocol):
    """The licence registry (``ledger.chain.licence_registry.LicenceRegistryClient``)."""

    @property
    def domain(self) -> Eip712Domain: ...
    def licence(self, licence_id: int) -> OnChainLicence | None: ...
    def acts_of_transaction(self, tx_hash: str) -> tuple[ChainAct, ...] | None: ...
    def consent(self, consent_id: int) -> OnChainConsent | None: ...
    def record_uses(self, licence_id: int, count: int, receipts_root: bytes) -> ChainAct: ...
    def find_uses_recorded(self, licence_id: int, receipts_root: bytes) -> ChainAct | None: ...


class AssetChain(Protocol):
    """The data rights registry's reads (``ledger.chain.data_rights_registry.DataRightsRegistryClient``)."""

    def asset(self, asset_id: str) -> OnChainAsset | None: ...
    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...
    def next_block_timestamp(self) -> int: ...


class ContentStore(Protocol):
    """Where deposited files live (``ledger.content_store.FileContentStore``)."""

    def stage(self, chunks: Iterable[bytes], max_bytes: int) -> StagedContent: ...
    def keep(self, staged: StagedContent) -> str: ...
    def discard(self, staged: StagedContent) -> None: ...
    def open(self, key: str) -> BinaryIO: ...


class Upstream(Protocol):
    """The holder's API behind the gateway (``ledger.upstream.HttpUpstream``)."""

    def get(self, url: str, accept: str | None, headers: Mapping[str, str] | None = None) -> UpstreamResponse:
        """One GET of ``url``; ``headers`` are the gateway's own (the data subject of a consent use)."""
        ...

    def require_public(self, url: str) -> None:
        """Refuse (``ValidationFailed``, field ``baseUrl``) a URL whose host is, or resolves to, a
        loopback, private, link-local or otherwise non-public address: the gateway fetches it."""
        ...


class DeliveryStore(Protocol):
    """Deposits, redeemed uses, receipts and use batches (``ledger.sql.delivery_store``)."""

    def add_deposit(self, deposit: Deposit) -> None: ...
    def deposit(self, deposit_id: str) -> Deposit | None: ...
    def current_deposit(self, asset_id: str) -> Deposit | None: ...
    def listed_with_personal_data(self, asset_id: str) -> bool: ...
    def deposits(self, asset_id: str) -> list[Deposit]: ...
    def reserve_use(self, use: RedeemedUse, *, max_uses: int, chain_uses: int) -> RedeemedUse: ...
    def redeem_chain_use(self, use: RedeemedUse, *, max_uses: int) -> RedeemedUse: ...
    def redeem_consent_use(self, use: RedeemedUse) -> RedeemedUse: ...
    def stated_purposes(
        self, licence_id: int, consent_id: int
    ) -> tuple[tuple[str, str] | None, tuple[str, str] | None]: ...
    def use(self, use_id: str) -> RedeemedUse | None: ...
    def finish_delivery(
        self, use_id: str, receipt: DeliveryReceipt | None, signature: str | None, *, completed: bool
    ) -> None: ...
    def receipt(self, use_id: str) -> tuple[DeliveryReceipt, str] | None: ...
    def receipt_inclusion(self, use_id: str) -> dict[str, Any]: ...
    def use_inclusion(self, use_id: str) -> dict[str, Any] | None: ...
    def uses_of(self, licence_id: int, *, limit: int, offset: int) -> list[RedeemedUse]: ...


class UseBatches(Protocol):
    """The use batches' side of the store, for the recorder (``ledger.workers.use_recorder``)."""

    def licences_with_unbatched_uses(self) -> list[int]: ...
    def seal_use_batch(self, licence_id: int, max_uses: int) -> UseBatch | None: ...
    def sealed_use_batches(self) -> list[UseBatch]: ...
    def mark_recorded(self, batch: UseBatch, act: ChainAct) -> None: ...
    def mark_refused(self, batch: UseBatch, code: str, detail: str) -> None: ...


def chunked(source: BinaryIO, start: int, length: int, block: int = 1 << 16) -> Iterator[bytes]:
    """``length`` bytes of ``source`` from ``start``, in blocks (a file is never read whole)."""
    source.seek(start)
    remaining = length
    while remaining > 0:
        data = source.read(min(block, remaining))
        if not data:
            break
        remaining -= len(data)
        yield data
