"""Each fake offers every member of the port it stands for, with the same parameters (names, kinds,
defaults), so the services call it exactly as they call the adapters. mypy proves the same through the
typed wiring in ``service_factories`` when it is run on the tests; this test also runs where it is not,
and names the member a changed port left the fake without."""

from __future__ import annotations

import inspect
from typing import Any, Protocol

import pytest

from dataledger.registry.derivations import DerivationRecords
from dataledger.registry.ports import (
    BatchedAssets,
    Clock,
    LicenceLedger,
    LicenceRecords,
    PledgeRecords,
    ProcedureStore,
    RegistrarRoles,
    RegistryLedger,
    RegistryStore,
)
from dataledger.registry.signed_acts import SignedActLedger
from tests.registry.fake_pledge_records import FakePledgeRecords
from tests.registry.fakes import (
    FakeBatchedAssets,
    FakeClock,
    FakeDerivationRecords,
    FakeLicenceLedger,
    FakeLicenceRecords,
    FakeProcedureStore,
    FakeRegistryLedger,
    FakeRegistryStore,
)

PORTS_AND_FAKES = [
    (RegistryLedger, FakeRegistryLedger),
    (RegistrarRoles, FakeRegistryLedger),
    (SignedActLedger, FakeRegistryLedger),
    (LicenceLedger, FakeLicenceLedger),
    (SignedActLedger, FakeLicenceLedger),
    (RegistryStore, FakeRegistryStore),
    (ProcedureStore, FakeProcedureStore),
    (LicenceRecords, FakeLicenceRecords),
    (PledgeRecords, FakePledgeRecords),
    (BatchedAssets, FakeBatchedAssets),
    (DerivationRecords, FakeDerivationRecords),
    (Clock, FakeClock),
]


def port_members(port: type) -> dict[str, Any]:
    """The members a Protocol declares, its own and its protocol bases'."""
    members: dict[str, Any] = {}
    for base in reversed(port.__mro__):
        if base in (object, Protocol) or not getattr(base, "_is_protocol", False):
            continue
        members.update({name: value for name, value in vars(base).items() if not name.startswith("_")})
    return members


def parameters(function: Any) -> list[tuple[str | None, Any, bool]]:
    """Kind and whether it has a default, for each parameter but ``self``; and the name of those the
    services pass by name (keyword-only). Positional names may differ: ``RegistryLedger.nonce_of``
    calls its parameter ``holder`` where ``SignedActLedger.nonce_of`` calls it ``signer``."""
    signature = inspect.signature(function)
    return [
        (p.name if p.kind is p.KEYWORD_ONLY else None, p.kind, p.default is not inspect.Parameter.empty)
        for p in list(signature.parameters.values())[1:]
    ]


@pytest.mark.parametrize(("port", "fake"), PORTS_AND_FAKES, ids=lambda c: c.__name__)
def test_the_fake_offers_every_member_of_its_port(port: type, fake: type) -> None:
    for name, declared in port_members(port).items():
        offered = inspect.getattr_static(fake, name, None)
        assert offered is not None, f"{fake.__name__} lacks {port.__name__}.{name}"
        if isinstance(declared, property):
            assert isinstance(offered, property), f"{fake.__name__}.{name} should be a property"
        else:
            assert parameters(offered) == parameters(declared), (
                f"{fake.__name__}.{name}{inspect.signature(offered)} differs from "
                f"{port.__name__}.{name}{inspect.signature(declared)}"
            )
