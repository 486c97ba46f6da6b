"""Composition root: the one place that wires settings, chain, store and domain services together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account import Account
from web3 import Web3

from dataledger.composition.anchoring import Anchoring, batcher_config, build_anchoring
from dataledger.composition.delivery import Delivery, build_delivery
from dataledger.composition.leadership import CallbackTask, Leadership, Lease, ThreadTask
from dataledger.composition.recovery import JournalledContracts, PendingRecovery
from dataledger.composition.settings import Settings
from dataledger.ledger.chain.connection import connect
from dataledger.ledger.chain.data_market import DataMarketClient
from dataledger.ledger.chain.data_rights_registry import (
    REGISTRY_CONTRACT,
    DataRightsRegistryClient,
    decoder_for_all_contracts,
)
from dataledger.ledger.chain.data_trades import DataTradesClient
from dataledger.ledger.chain.data_vouchers import DataVouchersClient
from dataledger.ledger.chain.licence_registry import LicenceRegistryClient
from dataledger.ledger.chain.transactions import TransactionSender
from dataledger.ledger.sql.act_journal import SqlActJournal
from dataledger.ledger.sql.event_store import SqlEventStore
from dataledger.ledger.sql.lease import SingleProcessLease, lease_for, operator_account_lock
from dataledger.ledger.sql.licence_store import LicenceStore
from dataledger.ledger.sql.lifecycle_store import LifecycleStore
from dataledger.ledger.sql.lineage_store import SqlLineageStore
from dataledger.ledger.sql.market_store import MarketStore
from dataledger.ledger.sql.merchant_store import MerchantStore
from dataledger.ledger.sql.pledge_store import PledgeStore
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.sql.trade_store import TradeStore
from dataledger.ledger.sql.transparency_log import SqlTransparencyLog
from dataledger.ledger.sql.voucher_store import VoucherStore
from dataledger.ledger.workers.indexer import EventIndexer
from dataledger.registry.act_journal import Recorder
from dataledger.registry.asset_queries import ActChecker, AssetQueries
from dataledger.registry.batched_registrations import kind_hash
from dataledger.registry.certificate_verifier import CertificateVerifier
from dataledger.registry.chain_records import ZERO_ADDRESS
from dataledger.registry.checkpoints import CHECKPOINT_KIND, CheckpointService
from dataledger.registry.consents import ConsentService
from dataledger.registry.delivery.gateway import DeliveryGateway
from dataledger.registry.derivations import DerivationService, HeldAsset
from dataledger.registry.epcis.lineage import time_us
from dataledger.registry.errors import (
    AssetNotFound,
    ConfigurationError,
    DataLedgerError,
    LedgerInconsistent,
    LedgerUnavailable,
)
from dataledger.registry.holder_acts import HolderActsService
from dataledger.registry.licences import LicensingService
from dataledger.registry.listing_verification import ListingVerifier
from dataledger.registry.market.demands import DemandService
from dataledger.registry.market.merchant_service import MerchantService
from dataledger.registry.market.merchants import decision_domain
from dataledger.registry.market.service import MarketService
from dataledger.registry.market.trade_service import TradeService
from dataledger.registry.market.voucher_service import VoucherService
from dataledger.registry.participant_service import ParticipantService
from dataledger.registry.pledges import PledgeService
from dataledger.registry.procedure import ProcedureService
from dataledger.registry.readiness import Health, Readiness, ReadinessCheck
from dataledger.registry.registrar_keys import RegistrarKey
from dataledger.registry.registration_service import RegistrationService
from dataledger.registry.transparency_log import LogKey

log = logging.getLogger("dataledger.composition")
# Not ready while the index is this far behind the head, or an entry waits this long past the batch delay.
MAX_READY_INDEXER_LAG_BLOCKS = 100
MAX_READY_ANCHOR_LAG_S = 60.0
READINESS_TIMEOUT_S = 2.0
_READINESS_PROBES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


@dataclass
class Services:
    settings: Settings
    store: SqlStore
    w3: Web3
    registry: DataRightsRegistryClient
    registrar_key: RegistrarKey
    registration: RegistrationService
    licences: LicenceRegistryClient
    anchoring: Anchoring | None = None
    market_contract: DataMarketClient | None = None  # listings (built by build_services)
    trades_contract: DataTradesClient | None = None  # orders and trades (built by build_services)
    vouchers_contract: DataVouchersClient | None = None  # data vouchers (built by build_services)
    # Who runs the background work on this database (ledger.sql.lease); on SQLite, always this process.
    lease: Lease = field(default_factory=SingleProcessLease)
    # Runs the background work while this process holds the lease (``leadership.check()`` asks now).
    leadership: Leadership = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.leadership = Leadership(self.lease, self.settings.lease_retry_s)

    @property
    def leading(self) -> bool:
        """Whether this process holds the lease, so runs the background work (else another one does)."""
        return self.leadership.leading

    @cached_property
    def participants(self) -> ParticipantService:
        return ParticipantService(
            self.store, self.settings.admin_api_key.get_secret_value(), registrar_roles=self.registry
        )

    @cached_property
    def verifier(self) -> CertificateVerifier:
        """Online verifier: trusts this registry's registrar key and checks against this chain."""
        return CertificateVerifier([self.registrar_key.public_key], chain=self.registry)

    @cached_property
    def offline_verifier(self) -> CertificateVerifier:
        return CertificateVerifier([self.registrar_key.public_key])

    # -- the lifecycle after registration (procedure, holder acts, licences, consents, listings) ----

    @cached_property
    def lifecycle_store(self) -> LifecycleStore:
        return LifecycleStore(self.store)

    @cached_property
    def licence_store(self) -> LicenceStore:
        return LicenceStore(self.store)

    @cached_property
    def asset_queries(self) -> AssetQueries:
        checkers: dict[str, ActChecker] = {
            self.registry.registry_address: self.registry,
            self.licences.address: self.licences,
        }
        return AssetQueries(
            self.store, self.pledge_store, self.registration.get_asset, checkers, search=self.store
        )

    @cached_property
    def act_journal(self) -> SqlActJournal:
        """Signed acts between the chain and the store (``registry.act_journal``)."""
        return SqlActJournal(self.store.engine)

    @cached_property
    def procedure(self) -> ProcedureService:
        return ProcedureService(
            self.registry, self.store, self.lifecycle_store, self.registration, self.act_journal
        )

    @cached_property
    def holder_acts(self) -> HolderActsService:
        return HolderActsService(self.registry, self.store, self.registration, self.act_journal)

    @cached_property
    def pledge_store(self) -> PledgeStore:
        return PledgeStore(self.store)

    @cached_property
    def pledges(self) -> PledgeService:
        """Pledge financing: pledges both parties sign, their valuations, certificates and end."""
        return PledgeService(
            self.registry,
            self.store,
            self.pledge_store,
            self.registration,
            self.registrar_key,
            self.settings.registrar_name,
            self.settings.institution_code,
            self.act_journal,
        )

    @cached_property
    def licensing(self) -> LicensingService:
        return LicensingService(
            self.licences, self.registry, self.store, self.licence_store, self.act_journal
        )

    @cached_property
    def consents(self) -> ConsentService:
        return ConsentService(self.licences, self.registry, self.licence_store, self.act_journal)

    def act_recorders(self) -> dict[str, Recorder]:
        """Every recorder of a journalled act, by the name its journal entry carries (recovery's)."""
        recorders: dict[str, Recorder] = {}
        for service in (
            self.registration,
            self.procedure,
            self.holder_acts,
            self.pledges,
            self.licensing,
            self.consents,
        ):
            recorders.update(service.recorders)
        if self.trades_contract is not None:
            recorders.update(self.trades.recorders)
        if self.vouchers_contract is not None:
            recorders.update(self.vouchers.recorders)
        return recorders

    @cached_property
    def listing_verifier(self) -> ListingVerifier:
        def declared_upstream(asset_id: str) -> list[str]:
            stored = self.store.get_asset(asset_id)
            declared = stored.facts.extra.get("derived_from", []) if stored is not None else []
            return [str(a) for a in declared] if isinstance(declared, list) else []

        return ListingVerifier(
            self.registry,
            self.licences,
            self.registrar_key,
            self.settings.registrar_name,
            declared_upstream=declared_upstream,
        )

    # -- the market: licence templates, listings, the catalogue --------------------------------------

    @cached_property
    def market_store(self) -> MarketStore:
        return MarketStore(self.store.engine)

    @cached_property
    def market(self) -> MarketService:
        if self.market_contract is None:
            raise ConfigurationError("the market contract is not deployed")
        return MarketService(
            self.market_contract, self.registry, self.market_store, self.store, self.registrar_key.public_key
        )

    @cached_property
    def demands(self) -> DemandService:
        return DemandService(self.market_store, self.market)

    @cached_property
    def merchant_store(self) -> MerchantStore:
        return MerchantStore(self.store.engine)

    @cached_property
    def merchants(self) -> MerchantService:
        """Data merchants by kind, and the buyer verification holders may require (its decisions are
        signed in the market contract's domain)."""
        if self.market_contract is None:
            raise ConfigurationError("the market contract is not deployed")
        return MerchantService(
            self.merchant_store,
            self.market,
            self.store,
            decision_domain(self.registry.chain_id, self.market_contract.address),
            self.registry.next_block_timestamp,
        )

    # -- the delivery gateway: the holder's data against a licence use, redeemed once -----------------

    @cached_property
    def delivery_services(self) -> Delivery:
        if self.anchoring is None:
            raise ConfigurationError("the delivery gateway needs batch anchoring, which is not configured")
        return build_delivery(self.settings, self.licences, self.registry, self.anchoring)

    @property
    def delivery(self) -> DeliveryGateway:
        return self.delivery_services.gateway

    @cached_property
    def trade_store(self) -> TradeStore:
        return TradeStore(self.store.engine)

    @cached_property
    def trades(self) -> TradeService:
        if self.trades_contract is None:
            raise ConfigurationError("the trades contract is not deployed")
        return TradeService(
            self.trades_contract,
            self.market,
            self.trade_store,
            self.licences,
            self.store,
            self.registry,
            self.act_journal,
            admission=self.merchants,
        )

    @cached_property
    def voucher_store(self) -> VoucherStore:
        return VoucherStore(self.store.engine)

    @cached_property
    def vouchers(self) -> VoucherService:
        if self.vouchers_contract is None:
            raise ConfigurationError("the vouchers contract is not deployed")
        return VoucherService(
            self.vouchers_contract,
            self.voucher_store,
            self.trade_store,
            self.store,
            self.registry,
            self.act_journal,
        )

    # -- traceability and lineage (EPCIS capture, traces, data-product derivations) ----------------

    @cached_property
    def events(self) -> SqlEventStore:
        """Captured EPCIS events, each anchored through the outbox (the batcher is woken on capture)."""
        if self.anchoring is None:
            raise ConfigurationError("EPCIS capture needs batch anchoring, which is not configured")
        return SqlEventStore(self.anchoring.outbox, on_stored=self.anchoring.batcher.notify)

    @cached_property
    def lineage(self) -> SqlLineageStore:
        writer = self.anchoring.outbox.write_engine if self.anchoring is not None else self.store.engine
        return SqlLineageStore(self.store.engine, writer)

    @cached_property
    def derivations(self) -> DerivationService:
        anchoring = self.anchoring

        def registered(asset_id: str) -> HeldAsset:
            found = self.store.get_asset(asset_id.lower())
            if found is not None:
                return found
            if anchoring is None:
                raise AssetNotFound("no registered asset with this id", asset_id=asset_id)
            return anchoring.registrations.get(asset_id)  # accepted in a batch, maybe not yet on chain

        return DerivationService(
            self.lineage,
            self.licensing,
            self.registry.next_block_timestamp,
            lambda: time_us(datetime.now(UTC)),
            registered,
        )

    # -- the append-only log and its checkpoints ---------------------------------------------------

    @cached_property
    def checkpoints(self) -> CheckpointService:
        """Signed checkpoints of the registry's log, each root anchored on chain."""
        log = SqlTransparencyLog(self.store.engine)
        anchoring = self.anchoring
        kind = kind_hash(CHECKPOINT_KIND)

        def anchor(root: bytes, size: int) -> tuple[str, int]:
            assert anchoring is not None
            evidence = anchoring.client.anchor(root, size, kind)
            return evidence.tx_hash, evidence.block_number

        origin = (
            self.settings.log_origin
            or f"dataledger/{self.registry.chain_id}/{self.registry.registry_address}"
        )
        return CheckpointService(
            log, load_or_create_log_key(self.settings), origin, anchor if anchoring else None
        )

    # -- operations ---------------------------------------------------------------------------------

    def health(self) -> Health:
        """Liveness: raises when the chain does not answer; the database may be down (degraded)."""
        return Health(
            database=self.store.ping(),
            chain_id=self.registry.chain_id,
            block_number=self.registry.latest_block_number(),
            registry=self.registry.registry_address,
        )

    def readiness(self) -> Readiness:
        """The database, the chain, the lease, and the background workers, each checked.

        A process without the lease is ready: it serves requests, and its background workers are on
        standby (another process runs them)."""
        checks = [self._check("database", lambda: "answers" if self.store.ping() else "does not answer")]
        head: list[int] = []

        def chain() -> str:
            head.append(self.registry.latest_block_number())
            return f"block {head[0]}"

        checks.append(self._check("chain", chain))
        leading = self.leadership.leading
        checks.append(self._check("lease", self._lease_state))
        indexer = self.leadership.task("event-indexer")
        if isinstance(indexer, ThreadTask):
            if leading:
                thread, at = indexer.thread, head[0] if head else None
                checks.append(self._check("indexer", lambda: self._indexer_state(thread, at)))
            else:
                checks.append(ReadinessCheck("indexer", True, _STANDBY))
        if self.anchoring is not None:
            checks.append(self._batcher_check(leading))
        checkpoints = self.leadership.task("log-checkpoints")
        if isinstance(checkpoints, ThreadTask):
            alive = checkpoints.thread is not None and checkpoints.thread.is_alive()
            if leading:
                checks.append(ReadinessCheck("checkpoints", alive, "running" if alive else "stopped"))
            else:
                checks.append(ReadinessCheck("checkpoints", True, _STANDBY))
        return Readiness(tuple(checks))

    def operational_figures(self) -> dict[str, float]:
        """Figures for the metrics endpoint: the lease, the outbox's depth and age, the indexer's lag."""
        figures: dict[str, float] = {"lease_held": 1.0 if self.leadership.leading else 0.0}
        if self.anchoring is not None:
            pending = self.anchoring.outbox.pending()
            figures["outbox_depth"] = sum(p.count for p in pending)
            oldest = min((p.oldest for p in pending), default=None)
            figures["outbox_oldest_age_seconds"] = (
                (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
            )
        if "indexer" in self.__dict__:
            cursors = [self.indexer.index.cursor(c) for c in self.indexer.contracts]
            head = self.registry.latest_block_number()
            figures["indexer_lag_blocks"] = max((head - (c or 0)) for c in cursors) if cursors else 0
        return figures

    @staticmethod
    def _check(name: str, probe: Callable[[], str]) -> ReadinessCheck:
        # A probe answers within READINESS_TIMEOUT_S or the dependency counts as not answering: a
        # stopped node would otherwise hold the probe for the client's whole timeout.
        probing = _READINESS_PROBES.submit(probe)
        try:
            detail = probing.result(timeout=READINESS_TIMEOUT_S)
        except FutureTimeout:
            return ReadinessCheck(name, False, f"no answer within {READINESS_TIMEOUT_S:g} s")
        except DataLedgerError as error:
            return ReadinessCheck(name, False, f"{error.code}: {error.detail}")
        except Exception as error:  # the reason is the answer: a readiness probe never fails itself
            return ReadinessCheck(name, False, f"{type(error).__name__}: {error}")
        return ReadinessCheck(name, detail != "does not answer", detail)

    def _lease_state(self) -> str:
        if self.leadership.leading:
            return "held by this process: it runs the background work"
        holder = self.lease.holder()
        if holder is None:
            return f"standby: free, this process asks again within {self.settings.lease_retry_s:g} s"
        return f"standby: held by {holder}"

    def _indexer_state(self, thread: threading.Thread | None, head: int | None) -> str:
        if thread is None or not thread.is_alive():
            raise LedgerUnavailable("the indexer has stopped")
        if head is None:
            raise LedgerUnavailable("the chain does not answer")
        cursors = [self.indexer.index.cursor(c) for c in self.indexer.contracts]
        lag = max(head - (c or 0) for c in cursors) if cursors else 0
        if lag > MAX_READY_INDEXER_LAG_BLOCKS:
            raise LedgerUnavailable(f"{lag} blocks behind the head")
        return f"{lag} blocks behind the head"

    def _batcher_check(self, leading: bool) -> ReadinessCheck:
        assert self.anchoring is not None
        if leading and not self.anchoring.batcher.running:
            return ReadinessCheck("batcher", False, "stopped")
        try:
            pending = self.anchoring.outbox.pending()
        except Exception as error:
            return ReadinessCheck("batcher", False, f"{type(error).__name__}: {error}")
        oldest = min((p.oldest for p in pending), default=None)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        if not leading:  # this process's entries are in the shared outbox: the holder anchors them
            return ReadinessCheck("batcher", True, f"{_STANDBY}; oldest unanchored entry {age:.1f} s old")
        limit = self.settings.batch_max_delay_s + MAX_READY_ANCHOR_LAG_S
        return ReadinessCheck("batcher", age <= limit, f"oldest unanchored entry {age:.1f} s old")

    def drain(self, timeout_s: float = 30.0) -> int:
        """Anchor everything acknowledged before the process exits (a graceful shutdown); returns how
        many batches that took. What a SIGKILL leaves is anchored by the next start instead.

        Only the lease holder anchors. A process without the lease takes it if it is free (the
        holder is shutting down too), else waits, within ``timeout_s``, until the holder has sealed
        every entry acknowledged before now."""
        if self.anchoring is None:
            return 0
        batcher, outbox = self.anchoring.batcher, self.anchoring.outbox
        deadline = time.monotonic() + timeout_s
        started = datetime.now(UTC)
        while not self.leadership.take_for_shutdown():
            if time.monotonic() >= deadline or all(p.oldest > started for p in outbox.pending()):
                return 0
            time.sleep(0.2)
        batcher.stop()
        if "delivery_services" in self.__dict__:  # the uses redeemed here, recorded on chain before exit
            recorder = self.delivery_services.recorder
            recorder.stop()
            recorder.run_once()
        anchored = 0
        while (outbox.pending() or outbox.sealed()) and time.monotonic() < deadline:
            anchored += len(batcher.run_once(force=True))
        return anchored

    # -- the background work, run by the lease holder ------------------------------------------

    def start_background_work(self) -> None:
        """Recovery and anchoring, whenever this process holds the lease; ask for it now, so a process
        that gets it at start-up has recovered before it serves."""
        batched = self.anchoring.registrations if self.anchoring is not None else None
        recovery = PendingRecovery(
            self.settings,
            self.store.engine,
            self.registry,
            self.registrar_key,
            batched,
            self.lease,
            acts=JournalledContracts(
                {
                    self.registry.registry_address: self.registry,
                    self.licences.address: self.licences,
                    **{c.address: c for c in (self.trades_contract, self.vouchers_contract) if c is not None},
                },
                self.act_recorders,
            ),
        )
        self.leadership.add(recovery.task())
        if self.anchoring is not None:
            batcher = self.anchoring.batcher
            self.leadership.add(CallbackTask("anchor-batcher", batcher.start, batcher.stop))
            recorder = self.delivery_services.recorder
            self.leadership.add(CallbackTask("use-recorder", recorder.start, recorder.stop))
        self.leadership.start()
        recovery.serving()

    def start_background_checkpoints(self) -> None:
        """Issue a checkpoint every ``checkpoint_interval_s`` while the log grows and this process
        holds the lease, until ``close``."""
        interval = self.settings.checkpoint_interval_s
        if interval <= 0:
            return

        def run(stop: threading.Event) -> None:
            while not stop.wait(interval):
                try:
                    self.checkpoints.issue()
                except Exception:  # a transient chain or database error: try again next round
                    log.exception("checkpoint failed")

        self.leadership.add(ThreadTask("log-checkpoints", run))

    @cached_property
    def indexer(self) -> EventIndexer:
        """Follows the events of the registry, the licence registry and, where deployed, the market's
        contracts (listings, trades, vouchers) into SQL, from the block the registry was deployed in."""
        deployment = self.store.deployment(self.registry.chain_id, REGISTRY_CONTRACT)
        followed = [
            (self.registry.registry_address, self.registry.abi),
            (self.licences.address, self.licences.abi),
            *(
                (contract.address, contract.abi)
                for contract in (self.market_contract, self.trades_contract, self.vouchers_contract)
                if contract is not None
            ),
        ]
        return EventIndexer(
            self.w3,
            self.store,
            followed,
            confirmations=self.settings.confirmations,
            start_block=deployment.block_number if deployment else 0,
        )

    def start_background_indexer(self) -> None:
        """Keep the event index current in a daemon thread while this process holds the lease, until
        ``close``."""

        def run(stop: threading.Event) -> None:
            self.indexer.run_forever(stop, self.settings.indexer_poll_s)

        self.leadership.add(ThreadTask("event-indexer", run))

    def close(self) -> None:
        if "events" in self.__dict__:  # built on first use: stop its process pool, if it started one
            self.events.close()
        self.leadership.close()  # the background work stops, then the lease goes
        if "delivery_services" in self.__dict__:
            self.delivery_services.close()
        if self.anchoring is not None:
            self.anchoring.close()
        self.store.engine.dispose()
        provider = self.w3.provider
        if hasattr(provider, "close"):
            provider.close()


_STANDBY = "standby: another process holds the lease and runs it"


def load_or_create_registrar_key(settings: Settings) -> RegistrarKey:
    path = settings.effective_registrar_key_file
    if path.exists():
        return RegistrarKey.from_pem(path.read_bytes())
    key = RegistrarKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key.to_pem())
    path.chmod(0o600)
    return key


def load_or_create_log_key(settings: Settings) -> LogKey:
    """The log's Ed25519 key (PEM in the data directory unless ``log_key_file`` names one)."""
    path = settings.log_key_file or settings.data_dir / "log-key.pem"
    name = settings.log_key_name
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError(f"{path} does not hold an Ed25519 key")
        return LogKey(name, key)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return LogKey(name, key)


def attach_or_deploy_registry(
    w3: Web3, sender: TransactionSender, store: SqlStore
) -> DataRightsRegistryClient:
    """Attach to the registry this database knows for this chain, or deploy it once and remember it."""
    chain_id = sender.chain_id
    known = store.deployment(chain_id, REGISTRY_CONTRACT)
    if known is not None:
        return DataRightsRegistryClient.attach(w3, sender, known.address)
    other = store.any_deployment()
    if other is not None:
        raise LedgerInconsistent(
            "this database belongs to another chain; refusing to mix records of two chains",
            database_chain_id=other.chain_id,
            node_chain_id=chain_id,
        )
    # No registrar at deployment: the administrator grants the role to each registration institution's
    # own key when it creates the registrar participant; the operator only relays their signed acts.
    client, sent = DataRightsRegistryClient.deploy(w3, sender, admin=sender.address, registrar=ZERO_ADDRESS)
    store.save_deployment(
        chain_id, REGISTRY_CONTRACT, client.registry_address, sent.tx_hash, sent.block_number
    )
    return client


def build_services(settings: Settings) -> Services:
    """Wire every service; take the lease if free (then recover what a crash left, and anchor)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = SqlStore.open(settings.effective_database_url)
    lease = lease_for(store.engine)  # a member of the database before anything can be written
    try:
        w3 = connect(settings.rpc_url, settings.chain_dir)
        operator = Account.from_key(settings.operator_private_key.get_secret_value())
        sender = TransactionSender(
            w3,
            operator,
            decoder_for_all_contracts(),
            receipt_timeout_s=settings.receipt_timeout_s,
            across_processes=operator_account_lock(store.engine),
        )
        registry = attach_or_deploy_registry(w3, sender, store)
        registrar_key = load_or_create_registrar_key(settings)
        anchoring = build_anchoring(
            w3,
            sender,
            store,
            registry,
            batcher_config(settings),
            start=False,
            institution_code=settings.institution_code,
        )
        registration = RegistrationService(
            registry,
            store,
            registrar_key,
            settings.registrar_name,
            batches=anchoring.materialisation,
            institution_code=settings.institution_code,
            journal=SqlActJournal(store.engine),
        )
        licences = LicenceRegistryClient.attach_or_deploy(w3, sender, store, registry.registry_address)
        market = DataMarketClient.attach_or_deploy(w3, sender, store, registry.registry_address)
        trades = DataTradesClient.attach_or_deploy(
            w3, sender, store, market.address, registry.registry_address
        )
        vouchers = DataVouchersClient.attach_or_deploy(
            w3, sender, store, trades.address, registry.registry_address
        )
    except BaseException:
        lease.close()
        raise
    services = Services(
        settings,
        store,
        w3,
        registry,
        registrar_key,
        registration,
        licences,
        anchoring=anchoring,
        market_contract=market,
        trades_contract=trades,
        vouchers_contract=vouchers,
        lease=lease,
    )
    services.start_background_work()
    return services
