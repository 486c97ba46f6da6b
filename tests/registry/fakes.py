"""In-memory fakes of the domain core's ports, for unit tests of the services with no chain, no
database and no HTTP. Import them from here; each lives in a module of its own concept:

``fake_chain``
    :class:`FakeClock` (the ``Clock`` port: time the test moves by hand) and :class:`FakeChain`
    (automining: a block per transaction, stamped ``max(clock, previous block + 1)``; receipts as
    :class:`~dataledger.registry.chain_records.ChainAct` tuples with real-looking evidence). Both
    contracts share its EIP-712 authorisations (real signatures recovered against each contract's
    domain, refused in the contract's order: deadline, signer, nonce; one nonce sequence per signer
    and contract, consumed only when the act succeeds) and :func:`reverted`, which raises for a
    custom error exactly the domain error the chain clients raise (``REVERT_ERROR_MAP``, with
    ``contract_error``), so a test tells a refusal by the service from a refusal by the contract.
``fake_registry_contract``
    :class:`FakeRegistryLedger`, the ``RegistryLedger`` and ``RegistrarRoles`` ports:
    ``DataRightsRegistry`` rule for rule (registrar acts signed by a key holding the registrar role,
    checked in the contract's order: deadline, signature, role, nonce; every event naming that
    registrar; statuses and their transitions, reviews, the public notice judged by block time, objections
    filed during the notice and resolved once, certificates recorded only after the notice with no
    objection open and superseded by their successor, changes binding new content, transfers,
    pledges, release and enforcement by the pledgee, cancellation, revocation; every check in the
    contract's order, effects only once every check passed, the contract's events and arguments).
``fake_licence_contract``
    :class:`FakeLicenceLedger`, the ``LicenceLedger`` port: ``LicenceRegistry`` rule for rule
    (licences granted by the current holder of a certified asset, used one signed use at a time up
    to their maximum, within their term, voided by an enforcement, revoked once; consents granted by
    the subject, consumed once by their enterprise before they expire, or withdrawn).
``fake_stores``
    :class:`FakeRegistryStore` (``RegistryStore``: participants, assets and their history,
    certificate numbers and certificates), :class:`FakeProcedureStore` (``ProcedureStore``),
    :class:`FakeLicenceRecords` (``LicenceRecords``), :class:`FakeDerivationRecords`
    (``derivations.DerivationRecords`` with the SQL lineage store's rules: registered assets,
    declared upstream covered, no cycle, idempotent) and :class:`FakeBatchedAssets` (``BatchedAssets``:
    anchored batched registrations, materialised on the fake registry on their first act).

``test_fake_contracts`` holds the fake contracts to the real ones: the same signed acts go to both,
on anvil, and every outcome and every record read back must agree. ``test_fakes`` checks that each
fake offers every member of its port, with the same parameters.
"""

from __future__ import annotations

from tests.registry.fake_chain import CHAIN_ID, START_OF_TIME, Acts, FakeChain, FakeClock, reverted
from tests.registry.fake_licence_contract import LICENCE_REGISTRY_ADDRESS, FakeLicenceLedger
from tests.registry.fake_registry_contract import (
    DEFAULT_NOTICE_PERIOD_S,
    OPERATOR_ADDRESS,
    REGISTRY_ADDRESS,
    FakeRegistryLedger,
)
from tests.registry.fake_stores import (
    FakeBatchedAssets,
    FakeDerivationRecords,
    FakeLicenceRecords,
    FakeProcedureStore,
    FakeRegistryStore,
    HistoryEntry,
)

__all__ = [
    "CHAIN_ID",
    "DEFAULT_NOTICE_PERIOD_S",
    "LICENCE_REGISTRY_ADDRESS",
    "OPERATOR_ADDRESS",
    "REGISTRY_ADDRESS",
    "START_OF_TIME",
    "Acts",
    "FakeBatchedAssets",
    "FakeChain",
    "FakeClock",
    "FakeDerivationRecords",
    "FakeLicenceLedger",
    "FakeLicenceRecords",
    "FakeProcedureStore",
    "FakeRegistryLedger",
    "FakeRegistryStore",
    "HistoryEntry",
    "reverted",
]
