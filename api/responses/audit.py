"""Response shapes of the auditor's checks of stored records against the chain."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dataledger.api.responses.assets import ASSET_EXAMPLE, Asset
from dataledger.api.responses.common import ADDRESS_EXAMPLE, ASSET_ID_EXAMPLE, HexHash, Wire, example

AssetAuditCheckName = Literal[
    "on-chain-record", "registration-event", "holder", "content-hash", "metadata-hash", "status", "evidence"
]


class AssetAuditCheck(Wire):
    """One field of the stored record compared with the registry contract."""

    model_config = example({"name": "holder", "passed": True, "detail": ADDRESS_EXAMPLE})

    name: AssetAuditCheckName
    passed: bool
    detail: str = Field(description="What the chain holds, or what was checked")


class AssetAudit(Wire):
    """An asset's stored record compared with the chain, field by field."""

    model_config = example(
        {
            "assetId": ASSET_ID_EXAMPLE,
            "consistent": True,
            "checks": [
                {
                    "name": "on-chain-record",
                    "passed": True,
                    "detail": "the registry contract holds the asset",
                },
                {"name": "holder", "passed": True, "detail": ADDRESS_EXAMPLE},
                {"name": "status", "passed": True, "detail": "certified"},
            ],
            "record": ASSET_EXAMPLE,
        }
    )

    asset_id: HexHash
    consistent: bool = Field(description="Whether every check passed")
    checks: list[AssetAuditCheck]
    record: Asset = Field(description="The stored record that was checked")
