"""Factories for certificate tests: a fixed registrar key, certificate facts, a fake chain reader."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dataledger.registry.assets import RightClaimed
from dataledger.registry.certificate import CertificateFacts, certificate_hash, issue_certificate
from dataledger.registry.chain_records import OnChainCertificate, OnChainProcedure
from dataledger.registry.chain_types import ChainEvidence, OnChainAsset, OnChainAssetStatus, RegistrationEvent
from dataledger.registry.registrar_keys import RegistrarKey

ASSETS = Path(__file__).parent / "assets"

CHAIN_ID = 31337
REGISTRY = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
HOLDER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
OTHER_HOLDER = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
ASSET_ID = "0x" + hashlib.sha256(b"asset").hexdigest()
CONTENT_HASH = "0x" + hashlib.sha256(b"content").hexdigest()
METADATA_HASH = "0x" + hashlib.sha256(b"metadata").hexdigest()
TX_HASH = "0x" + hashlib.sha256(b"tx").hexdigest()
ISSUED_AT = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
VALID_UNTIL = datetime(2029, 3, 1, 8, 30, tzinfo=UTC)


def registrar_key(label: str = "registrar") -> RegistrarKey:
    """A fixed key per label, so certificates (and their hashes) are reproducible across runs."""
    return RegistrarKey.from_secret_bytes(hashlib.sha256(f"dataledger test {label}".encode()).digest())


def evidence(**changes: Any) -> ChainEvidence:
    base = ChainEvidence(chain_id=CHAIN_ID, contract=REGISTRY, tx_hash=TX_HASH, block_number=42, log_index=3)
    return replace(base, **changes)


def asset_facts(**changes: Any) -> dict[str, str | int]:
    facts: dict[str, str | int] = {
        "asset_id": ASSET_ID,
        "name": "Qingdao port container throughput 2025",
        "description": "Daily container moves per terminal, aggregated",
        "source": "Terminal operating system logs, own operations",
        "collection_method": "Nightly export, de-duplicated and aggregated per terminal",
        "scale": 1250000,
        "update_frequency": "daily",
        "industry": "logistics",
        "right_claimed": "data-resource-holding",
        "content_hash": CONTENT_HASH,
        "metadata_hash": METADATA_HASH,
    }
    facts.update(changes)
    return facts


def certificate_facts(**changes: Any) -> CertificateFacts:
    values: dict[str, Any] = {
        "certificate_number": "DLC-2026-000001",
        "asset": asset_facts(),
        "holder_address": HOLDER,
        "holder_name": "Qingdao Port Data Co., Ltd.",
        "evidence": evidence(),
        "issued_at": ISSUED_AT,
        "valid_until": VALID_UNTIL,
        "registrar_name": "Shandong Data Registration Centre",
    }
    values.update(changes)
    return CertificateFacts(**values)


def signed_certificate(**changes: Any) -> dict[str, Any]:
    return issue_certificate(certificate_facts(**changes), registrar_key())


def during_validity() -> datetime:
    return ISSUED_AT + timedelta(days=30)


@dataclass
class FakeChain:
    """A ChainEvidenceReader holding the registration the default certificate describes."""

    chain_id: int = CHAIN_ID
    registry_address: str = REGISTRY
    events: dict[str, RegistrationEvent] = field(default_factory=dict)
    assets: dict[str, OnChainAsset] = field(default_factory=dict)
    certificates: dict[str, OnChainCertificate] = field(default_factory=dict)
    procedures: dict[str, OnChainProcedure] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    @classmethod
    def matching(cls) -> FakeChain:
        chain = cls()
        chain.events[TX_HASH] = RegistrationEvent(
            asset_id=ASSET_ID,
            holder=HOLDER,
            content_hash=CONTENT_HASH,
            metadata_hash=METADATA_HASH,
            evidence=evidence(),
        )
        chain.assets[ASSET_ID] = OnChainAsset(
            asset_id=ASSET_ID,
            holder=HOLDER,
            content_hash=CONTENT_HASH,
            metadata_hash=METADATA_HASH,
            registered_at=int(ISSUED_AT.timestamp()),
            status=OnChainAssetStatus.CERTIFIED,
        )
        cert_hash = certificate_hash(signed_certificate())
        chain.certificates[cert_hash] = OnChainCertificate(
            certificate_hash=cert_hash,
            asset_id=ASSET_ID,
            recorded_at=int(ISSUED_AT.timestamp()),
            valid_until=int(VALID_UNTIL.timestamp()),
            superseded_by=None,
        )
        chain.procedures[ASSET_ID] = OnChainProcedure(
            right=RightClaimed.RESOURCE_HOLDING,
            version=1,
            open_objections=0,
            enforcements=0,
            notice_ends_at=int(ISSUED_AT.timestamp()),
            certificate_valid_until=int(VALID_UNTIL.timestamp()),
            pledgee=None,
            lawful_source_hash="0x" + "11" * 32,
            current_certificate=cert_hash,
        )
        return chain

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        self.calls.append(f"registration_event:{tx_hash}")
        return self.events.get(tx_hash)

    def asset(self, asset_id: str) -> OnChainAsset | None:
        self.calls.append(f"asset:{asset_id}")
        return self.assets.get(asset_id)

    def certificate_record(self, cert_hash: str) -> OnChainCertificate | None:
        self.calls.append(f"certificate_record:{cert_hash}")
        return self.certificates.get(cert_hash)

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        self.calls.append(f"procedure:{asset_id}")
        return self.procedures.get(asset_id)
