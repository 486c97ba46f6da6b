"""Fixtures for batch anchoring: services on anvil, an API driver, signed bulk items, a fake anchor ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.api.schemas import AssetFactsBody
from dataledger.composition import Services, build_services
from dataledger.registry.assets import metadata_commitment, new_salt
from dataledger.registry.batched_registrations import batched_nonce
from dataledger.registry.chain_records import AnchorEvidence
from dataledger.registry.errors import LedgerUnavailable
from dataledger.registry.fast_holder_signatures import RegistrationDigester, sign_registration_fast
from dataledger.registry.holder_signatures import Eip712Domain, RegistrationAuthorisation
from tests.conftest import make_settings
from tests.factories import Actor, ApiDriver, asset_facts

SIGNATURE_LIFETIME_S = 3600


@pytest.fixture
def anvil_services(tmp_path: Path, anvil_url: str) -> Iterator[Services]:
    """Services on anvil (until the embedded chain lands), with their batcher running."""
    built = build_services(make_settings(tmp_path, rpc_url=anvil_url))
    yield built
    built.close()


@pytest.fixture
def bulk_api(anvil_services: Services) -> ApiDriver:
    return ApiDriver(
        TestClient(create_app(anvil_services)), anvil_services.settings.admin_api_key.get_secret_value()
    )


def signed_item(
    domain: Eip712Domain,
    signer: LocalAccount,
    *,
    holder: str | None = None,
    facts: dict[str, Any] | None = None,
    nonce: int | None = None,
    nonce_index: int = 0,
    deadline: int,
) -> dict[str, Any]:
    """One bulk item as a client builds it: facts, salt, batched nonce, deadline, the holder's signature."""
    facts = facts or asset_facts()
    salt = new_salt()
    holder = holder or signer.address
    metadata_hash = metadata_commitment(AssetFactsBody.model_validate(facts).to_domain(), holder, salt)
    nonce = batched_nonce(nonce_index) if nonce is None else nonce
    auth = RegistrationAuthorisation(holder, facts["contentHash"], metadata_hash, nonce, deadline)
    signature = sign_registration_fast(bytes(signer.key), auth, RegistrationDigester(domain))
    return {"facts": facts, "salt": salt, "nonce": str(nonce), "deadline": deadline, "signature": signature}


def signed_items(
    services: Services, holder: Actor, count: int, *, first_index: int = 0
) -> list[dict[str, Any]]:
    assert holder.account is not None
    deadline = services.registry.latest_timestamp() + SIGNATURE_LIFETIME_S
    return [
        signed_item(services.registry.domain, holder.account, nonce_index=first_index + i, deadline=deadline)
        for i in range(count)
    ]


@dataclass
class FakeAnchorLedger:
    """An in-memory AnchorRegistry: counts anchor transactions, can be made unreachable."""

    anchored: dict[bytes, AnchorEvidence] = field(default_factory=dict)
    kinds: dict[bytes, bytes] = field(default_factory=dict)
    sends: int = 0
    unreachable: bool = False

    def anchor(self, root: bytes, leaf_count: int, kind: bytes) -> AnchorEvidence:
        if self.unreachable:
            raise LedgerUnavailable("the chain node cannot be reached")
        assert root not in self.anchored, "anchored twice"
        self.sends += 1
        evidence = AnchorEvidence(
            chain_id=31337,
            contract="0x" + "aa" * 20,
            batch_id=len(self.anchored) + 1,
            root=root,
            tx_hash="0x" + f"{self.sends:064x}",
            block_number=self.sends,
            block_timestamp=1_700_000_000 + self.sends,
            log_index=0,
        )
        self.anchored[root] = evidence
        self.kinds[root] = kind
        return evidence

    def is_anchored(self, root: bytes) -> bool:
        if self.unreachable:
            raise LedgerUnavailable("the chain node cannot be reached")
        return root in self.anchored

    def find_anchor(self, root: bytes) -> AnchorEvidence | None:
        return self.anchored.get(root)
