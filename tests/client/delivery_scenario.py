"""The delivery gateway in the SDK scenario (tests/client/test_sdk.py): the holder deposits its sales
file; the licensee redeems its use consumed on chain and a use signed off chain, receives the file each
time (a download resumed from a part file once), is refused the next time, and checks the receipts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from dataledger.client import ConflictError, NotFoundError, ValidationError


def deliveries(
    holder: Any, licensee: Any, asset_id: str, sales: Path, licence_id: int, used: dict[str, Any], data: Path
) -> None:
    """``licence_id`` allows two uses; the first was consumed on chain (``used``)."""
    deposited = holder.client.deliveries.deposit_file(asset_id, sales, media_type="text/csv")
    assert deposited["contentHash"] == "0x" + hashlib.sha256(sales.read_bytes()).hexdigest()
    assert holder.client.deliveries.deposits(asset_id)["items"][0]["depositId"] == deposited["depositId"]

    evidence = used["use"]["chainEvidence"]
    chain_use = licensee.client.deliveries.redeem_chain_use(
        licence_id, evidence["txHash"], evidence["logIndex"]
    )
    assert chain_use["source"] == "chain" and chain_use["chainUse"] == 1
    first = licensee.client.deliveries.fetch(chain_use["useId"], data / "delivered-1.csv")
    assert first.read_bytes() == sales.read_bytes()

    # the second delivery resumes a download a previous attempt cut short
    batched = licensee.client.deliveries.redeem(licence_id, signer=licensee.key)
    with pytest.raises(ValidationError):  # a file deposit is not delivered through an API
        licensee.client.deliveries.call_api(batched["useId"], "sales")
    (data / "delivered-2.csv.part").write_bytes(sales.read_bytes()[:7])
    second = licensee.client.deliveries.fetch(batched["useId"], data / "delivered-2.csv")
    assert second.read_bytes() == sales.read_bytes()
    with pytest.raises(ConflictError) as refused:
        licensee.client.deliveries.receive(licence_id, data / "delivered-3.csv", signer=licensee.key)
    assert refused.value.code == "licence-used-up"
    with pytest.raises(ConflictError) as refused_at_once:  # one request: redeem and receive
        licensee.client.deliveries.receive_at_once(licence_id, data / "delivered-4.csv", signer=licensee.key)
    assert refused_at_once.value.code == "licence-used-up"
    with pytest.raises(NotFoundError) as no_consent:  # a licence use's transaction consumes no consent
        licensee.client.deliveries.redeem_consent_use(licence_id, evidence["txHash"])
    assert no_consent.value.code == "consent-use-not-found"

    assert {u["useId"] for u in holder.client.deliveries.uses(licence_id)["items"]} == {
        chain_use["useId"],
        batched["useId"],
    }
    receipt = licensee.client.deliveries.receipt(batched["useId"])  # its signature checked by the SDK
    assert receipt["receipt"]["contentHash"] == deposited["contentHash"]
    assert licensee.client.deliveries.use(batched["useId"])["onChain"]["leaf"].startswith("0x")
    assert holder.client.deliveries.deposit_api(asset_id, "http://127.0.0.1:9/sales")["kind"] == "api"
