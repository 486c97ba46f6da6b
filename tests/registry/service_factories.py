"""Factories for unit tests of the domain services: the services wired over the in-memory fakes, and
participants with real secp256k1 keys that sign their acts as wallets do (EIP-712).

``World`` is the composition root of a test (as ``composition.Services`` is of the application);
its helpers walk an asset through the procedure the way the services' users do: prepare, sign, submit.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState, asset_id_for, metadata_commitment
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG, authorisation_for
from dataledger.registry.certificate_issuance import CertificateSubmission
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.consents import ConsentService
from dataledger.registry.derivations import DerivationService
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.holder_acts import HolderActsService
from dataledger.registry.holder_signatures import sign_typed_data
from dataledger.registry.licences import LicenceOffer, LicensingService
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE
from dataledger.registry.participants import Participant, Role
from dataledger.registry.pledges import PledgeService
from dataledger.registry.procedure import ProcedureService
from dataledger.registry.registration_service import RegistrationRequest, RegistrationService
from tests.registry.certificate_factories import registrar_key
from tests.registry.fake_pledge_records import FakePledgeRecords
from tests.registry.fakes import (
    FakeBatchedAssets,
    FakeChain,
    FakeClock,
    FakeDerivationRecords,
    FakeLicenceLedger,
    FakeLicenceRecords,
    FakeProcedureStore,
    FakeRegistryLedger,
    FakeRegistryStore,
)

DAY_S = 24 * 3600
NOTICE_S = 3600
_contents = itertools.count(1)


def hash_of(label: str) -> str:
    """A 32-byte hash as 0x-hex, for content, evidence and request hashes."""
    return "0x" + hashlib.sha256(label.encode()).hexdigest()


def salt_of(label: str) -> str:
    """A fixed 128-bit salt per label, so commitments are reproducible."""
    return "0x" + hashlib.sha256(f"salt {label}".encode()).hexdigest()[:32]


def key_of(label: str) -> LocalAccount:
    """A fixed secp256k1 key per label."""
    account: LocalAccount = Account.from_key(
        hashlib.sha256(f"dataledger unit test key {label}".encode()).digest()
    )
    return account


def facts(**changes: Any) -> AssetFacts:
    """Facts of a data asset, with a fresh content hash unless one is given."""
    values: dict[str, Any] = {
        "name": "Offshore duty-free sales records",
        "content_hash": hash_of(f"content {next(_contents)}"),
        "description": "Per-sale records, passenger quota records hashed",
        "source": "own point-of-sale systems",
        "collection_method": "daily export",
        "scale": "1.2M rows",
        "update_frequency": "daily",
        "industry": "retail",
    }
    values.update(changes)
    return AssetFacts(**values)


@contextlib.contextmanager
def refused(error: type[DataLedgerError], code: str, *, by_contract: str | None = None) -> Iterator[None]:
    """Expect exactly ``error`` (not a subclass) with the stable ``code``; refused by the contract with
    its custom error ``by_contract``, or, when None, by the service itself before the chain saw it."""
    with pytest.raises(DataLedgerError) as caught:
        yield
    assert type(caught.value) is error, f"expected {error.__name__}, got {caught.value!r}"
    assert caught.value.code == code
    assert caught.value.extra.get("contract_error") == by_contract, caught.value.diagnostics()


class Signed(NamedTuple):
    """What a signer submits back with a prepared act: its nonce, its deadline and the signature."""

    nonce: int
    deadline: int
    signature: str


class World:
    """The domain services over in-memory fakes of their ports, on one fake chain."""

    def __init__(self, institution_code: str = DEFAULT_INSTITUTION_CODE) -> None:
        self.clock = FakeClock()
        self.keys: dict[str, LocalAccount] = {}  # address (lower case) -> key
        self._labels = itertools.count(1)  # per world, so a test's keys do not depend on the others
        self.chain = FakeChain(self.clock)
        self.ledger = FakeRegistryLedger(self.chain)
        self.licence_ledger = FakeLicenceLedger(self.chain, self.ledger)
        self.store = FakeRegistryStore(self.clock)
        self.procedure_records = FakeProcedureStore(self.store)
        self.licence_records = FakeLicenceRecords(self.store)
        self.lineage = FakeDerivationRecords(self.store)
        self.batches = FakeBatchedAssets(self.ledger, self.store, self.clock, institution_code)
        self.registration = RegistrationService(
            self.ledger,
            self.store,
            registrar_key(),
            "Hainan Data Registry",
            clock=self.clock.datetime,
            batches=self.batches,
            institution_code=institution_code,
        )
        self.procedure = ProcedureService(self.ledger, self.store, self.procedure_records, self.registration)
        self.holder_acts = HolderActsService(self.ledger, self.store, self.registration)
        self.pledge_records = FakePledgeRecords(self.store)
        self.pledges = PledgeService(
            self.ledger,
            self.store,
            self.pledge_records,
            self.registration,
            registrar_key(),
            "Hainan Data Registry",
            institution_code,
            clock=self.clock.datetime,
        )
        self.licensing = LicensingService(self.licence_ledger, self.ledger, self.store, self.licence_records)
        self.consents = ConsentService(self.licence_ledger, self.ledger, self.licence_records)
        self.derivations = DerivationService(
            self.lineage,
            self.licensing,
            self.ledger.next_block_timestamp,
            lambda: self.clock.now() * 1_000_000,
        )
        self.admin = self.participant(Role.ADMIN, "administrator")
        self.registrar = self.participant(Role.REGISTRAR, "registrar")

    # -- participants and signatures ----------------------------------------------------------------

    def participant(self, role: Role, name: str | None = None) -> Participant:
        """A participant of ``role`` with its own chain key, known to the store."""
        label = name or f"{role.value} {next(self._labels)}"
        account = key_of(label)
        participant = Participant(
            id=f"p-{hashlib.sha256(label.encode()).hexdigest()[:12]}",
            name=label,
            role=role,
            address=account.address,
            created_at=self.clock.datetime(),
        )
        self.store.add_participant(participant)
        self.keys[account.address.lower()] = account
        if role is Role.REGISTRAR:  # a registration institution: the administrator grants its key the role
            self.ledger.grant_registrar(account.address)
        return participant

    def subject(self, label: str | None = None) -> LocalAccount:
        """A data subject: known only by a key, never a participant."""
        account = key_of(label or f"subject {next(self._labels)}")
        self.keys[account.address.lower()] = account
        return account

    def sign(self, prepared: dict[str, Any], signer: Participant | LocalAccount) -> Signed:
        """Sign a prepared act's typed data as ``signer``'s wallet does."""
        address = signer.address
        assert address is not None, "the signer has no chain key"
        key = self.keys[address.lower()].key
        return Signed(prepared["nonce"], prepared["deadline"], sign_typed_data(key, prepared["typedData"]))

    # -- a registrar's acts, each signed by the registrar's own key ---------------------------------

    def review(
        self,
        asset_id: str,
        stage: ReviewStage,
        passed: bool = True,
        reason: str = "complete",
        *,
        registrar: Participant | None = None,
    ) -> AssetRecord:
        registrar = registrar or self.registrar
        prepared = self.procedure.prepare_review(registrar, asset_id, stage, passed, reason)
        return self.procedure.review(
            registrar, asset_id, stage, passed, reason, *self.sign(prepared, registrar)
        )

    def reject(self, asset_id: str, reason: str, *, registrar: Participant | None = None) -> AssetRecord:
        registrar = registrar or self.registrar
        prepared = self.procedure.prepare_rejection(registrar, asset_id, reason)
        return self.procedure.reject(registrar, asset_id, reason, *self.sign(prepared, registrar))

    def resolve(
        self, objection_id: int, upheld: bool, resolution: str, *, registrar: Participant | None = None
    ) -> dict[str, Any]:
        registrar = registrar or self.registrar
        prepared = self.procedure.prepare_resolution(registrar, objection_id, upheld, resolution)
        return self.procedure.resolve_objection(
            registrar, objection_id, upheld, resolution, *self.sign(prepared, registrar)
        )

    def certify(self, asset_id: str, *, registrar: Participant | None = None) -> dict[str, Any]:
        """Issue the asset's next certificate (first, or superseding after a holder's act), signed."""
        registrar = registrar or self.registrar
        prepared = self.registration.prepare_certificate(registrar, asset_id)
        return self.registration.issue_certificate(
            registrar, asset_id, self.certificate_submission(prepared, registrar)
        )

    def renew(self, asset_id: str, *, registrar: Participant | None = None) -> dict[str, Any]:
        registrar = registrar or self.registrar
        prepared = self.registration.prepare_renewal(registrar, asset_id)
        return self.registration.renew_certificate(
            registrar, asset_id, self.certificate_submission(prepared, registrar)
        )

    def revoke(self, asset_id: str, reason: str, *, registrar: Participant | None = None) -> AssetRecord:
        registrar = registrar or self.registrar
        prepared = self.registration.prepare_revocation(registrar, asset_id, reason)
        return self.registration.revoke(registrar, asset_id, reason, *self.sign(prepared, registrar))

    def certificate_submission(
        self, prepared: dict[str, Any], signer: Participant | LocalAccount
    ) -> CertificateSubmission:
        nonce, deadline, signature = self.sign(prepared, signer)
        issued_at = datetime.fromisoformat(prepared["issuedAt"])
        return CertificateSubmission(prepared["certificateNumber"], issued_at, nonce, deadline, signature)

    # -- the procedure, walked as its users walk it -------------------------------------------------

    def register(self, holder: Participant, asset_facts: AssetFacts | None = None) -> AssetRecord:
        """A registered asset of ``holder``, awaiting the formal review."""
        request = self.registration_request(holder, asset_facts or facts())
        return self.registration.register(holder, request)

    def registration_request(self, holder: Participant, asset_facts: AssetFacts) -> RegistrationRequest:
        assert holder.address is not None
        unsigned = RegistrationRequest(
            facts=asset_facts,
            salt=salt_of(asset_facts.content_hash),
            nonce=self.ledger.nonce_of(holder.address),
            deadline=self.ledger.next_block_timestamp() + 3600,
            signature="",
        )
        auth = self.registration.authorisation_for(holder, unsigned)
        typed = auth.typed_data(self.ledger.domain)
        return replace(unsigned, signature=sign_typed_data(self.keys[holder.address.lower()].key, typed))

    def in_notice(self, holder: Participant, notice_s: int = NOTICE_S) -> AssetRecord:
        """A registered asset past both reviews, its public notice of ``notice_s`` running."""
        self.procedure.set_notice_period(self.admin, notice_s)
        asset = self.register(holder)
        self.review(asset.asset_id, ReviewStage.FORMAL, True, "complete")
        return self.review(asset.asset_id, ReviewStage.SUBSTANTIVE, True, "lawful")

    def notice_ends_at(self, asset_id: str) -> int:
        procedure = self.ledger.procedure(asset_id)
        assert procedure is not None
        return procedure.notice_ends_at

    def end_notice(self, asset_id: str) -> None:
        """Let chain time run to the end of the asset's public notice."""
        self.clock.seconds = self.notice_ends_at(asset_id)

    def certified(self, holder: Participant) -> tuple[AssetRecord, dict[str, Any]]:
        """A certified asset (its notice run out with no objection) and its certificate."""
        asset = self.in_notice(holder)
        self.end_notice(asset.asset_id)
        certificate = self.certify(asset.asset_id)
        return self.registration.get_asset(asset.asset_id), certificate

    def batched(self, holder: Participant, asset_facts: AssetFacts | None = None) -> str:
        """A batched registration of ``holder``, anchored but not on chain yet; its asset id."""
        assert holder.address is not None
        asset_facts = asset_facts or facts()
        salt = salt_of(asset_facts.content_hash)
        metadata_hash = metadata_commitment(asset_facts, holder.address, salt)
        nonce = BATCH_NONCE_FLAG | next(self._labels)
        auth = authorisation_for(holder.address, asset_facts, metadata_hash, nonce, self.clock.now() + 3600)
        signature = sign_typed_data(
            self.keys[holder.address.lower()].key, auth.typed_data(self.ledger.domain)
        )
        record = AssetRecord(
            asset_id=asset_id_for(holder.address, asset_facts.content_hash, metadata_hash),
            holder_id=holder.id,
            holder_address=auth.holder,
            facts=asset_facts,
            salt=salt,
            metadata_hash=metadata_hash,
            nonce=nonce,
            deadline=auth.deadline,
            signature=signature,
            state=AssetState.PENDING,
        )
        self.batches.accept(record, auth)
        return record.asset_id

    # -- licences -----------------------------------------------------------------------------------

    def offer(self, asset_id: str, licensee: Participant | LocalAccount, **changes: Any) -> LicenceOffer:
        """Terms a holder offers ``licensee``: one use, for thirty days from now."""
        assert licensee.address is not None
        now = self.ledger.next_block_timestamp()
        values: dict[str, Any] = {
            "asset_id": asset_id,
            "licensee": licensee.address,
            "scope": "fields sku, category, quantity; monthly aggregates only",
            "purpose": "demand forecasting for duty-free replenishment",
            "valid_from": now,
            "valid_until": now + 30 * DAY_S,
            "max_uses": 1,
            "territory": "CN-HI",
        }
        values.update(changes)
        return LicenceOffer(**values)

    def licence(self, holder: Participant, offer: LicenceOffer) -> int:
        """Grant ``offer`` as ``holder`` (prepare, sign, submit); the licence id."""
        prepared = self.licensing.prepare_grant(holder, offer, None)
        granted = self.licensing.grant(holder, offer, prepared["salt"], *self.sign(prepared, holder))
        return int(granted["licenceId"])

    def use_licence(
        self, licensee: Participant, licence_id: int, request: str | None = None
    ) -> dict[str, Any]:
        request_hash = hash_of(request or f"request {next(self._labels)}")
        prepared = self.licensing.prepare_use(licensee, licence_id, request_hash)
        return self.licensing.use(licensee, licence_id, request_hash, *self.sign(prepared, licensee))
