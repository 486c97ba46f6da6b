"""Who sees an asset's facts and salt: its holder, the registrar and auditors. Everyone else gets the
public view (what public notice needs), which never carries the salt that opens the commitment."""

from __future__ import annotations

from tests.anchoring.conftest import signed_item
from tests.factories import ApiDriver, asset_facts

PUBLIC_FIELDS = {
    "assetId",
    "registrationNumber",  # public: the notice board is searched by it
    "holderId",
    "holderAddress",
    "name",
    "rightClaimed",
    "contentHash",
    "metadataHash",
    "state",
    "chainEvidence",
    "revocationReason",
    "view",
}


def test_an_asset_is_whole_for_its_holder_and_oversight_and_public_for_everyone_else(api: ApiDriver) -> None:
    holder, stranger, exchange, registrar, auditor = api.participants(
        "enterprise", "enterprise", "exchange", "registrar", "auditor"
    )
    facts = asset_facts(description="confidential: per-passenger quota records")
    asset = api.register(holder, facts)
    path = f"/v1/assets/{asset['assetId']}"

    for insider in (holder, registrar, auditor):
        whole = api.client.get(path, headers=insider.headers).json()
        assert whole["salt"] == asset["salt"] and whole["facts"]["description"] == facts["description"]
    for outsider in (stranger, exchange):
        public = api.client.get(path, headers=outsider.headers).json()
        assert set(public) == PUBLIC_FIELDS
        assert public["name"] == facts["name"] and public["metadataHash"] == asset["metadataHash"]
        assert public["registrationNumber"] == asset["registrationNumber"] is not None
        assert asset["salt"] not in str(public) and "confidential" not in str(public)


def test_a_batched_asset_is_public_for_everyone_but_its_holder_and_oversight(
    api: ApiDriver, services
) -> None:  # type: ignore[no-untyped-def]
    holder, stranger, auditor = api.participants("enterprise", "enterprise", "auditor")
    assert holder.account is not None
    deadline = services.registry.next_block_timestamp() + 3600
    item = signed_item(services.registry.domain, holder.account, facts=asset_facts(), deadline=deadline)
    [accepted] = api.client.post("/v1/bulk/assets", json={"items": [item]}, headers=holder.headers).json()[
        "items"
    ]
    path = f"/v1/bulk/assets/{accepted['assetId']}"

    for insider in (holder, auditor):
        assert api.client.get(path, headers=insider.headers).json()["salt"] == item["salt"]
    public = api.client.get(path, headers=stranger.headers).json()
    assert public["view"] == "public" and "facts" not in public and "leafFields" not in public
    assert item["salt"] not in str(public)
