"""The SDK's side of the gateway, in process: a licensee receives the object in one request; an
enterprise receives a data subject's record once, the consent consumed for exactly that request with
the enterprise's key held in the SDK."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dataledger.client import Client, ConflictError, LocalKeySigner
from dataledger.registry.delivery.consent_requests import consent_request_hash
from tests.delivery.conftest import PersonalDataApi
from tests.delivery.driver import CV_CHECK, DeliveryDriver
from tests.factories import Actor


class Relay(httpx.BaseTransport):
    """The SDK's requests, answered by the app in this process."""

    def __init__(self, app: TestClient) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self.app.send(request)


def sdk(api: DeliveryDriver, actor: Actor) -> Client:
    return Client("http://testserver", actor.api_key, transport=Relay(api.client))


def test_an_enterprise_receives_a_subjects_record_once_through_the_sdk(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.licensed(deposit=False, purpose=CV_CHECK)
    asset_id = licensed.asset["assetId"]
    holder, enterprise = sdk(api, licensed.holder), sdk(api, licensed.licensee)
    assert licensed.licensee.account is not None
    key = LocalKeySigner(licensed.licensee.account.key)
    deposited = holder.deliveries.deposit_api(asset_id, records_api, personal_data=True)
    assert deposited["personalData"] is True

    subject = LocalKeySigner.generate()
    consent = enterprise.consents.grant(subject, purpose=CV_CHECK, valid_until=api.clock.now() + 3600)
    use, record = enterprise.deliveries.receive_personal_data(
        licensed.licence_id,
        asset_id,
        consent["consentId"],
        "records",
        signer=key,
    )

    assert use["requestHash"] == consent_request_hash(asset_id, subject.address, "records")
    assert PersonalDataApi.calls == [("/v2/records", subject.address.lower(), str(consent["consentId"]))]
    assert b"Hainan Mart" in record
    assert enterprise.deliveries.receipt(use["useId"])["receipt"]["consentId"] == consent["consentId"]
    with pytest.raises(ConflictError) as replayed:
        enterprise.deliveries.redeem_consent_use(licensed.licence_id, use["txHash"], use["logIndex"])
    assert replayed.value.code == "use-already-redeemed"
    with pytest.raises(ConflictError) as again:  # the consent is spent on chain too
        enterprise.deliveries.receive_personal_data(
            licensed.licence_id, asset_id, consent["consentId"], "records", signer=key
        )
    assert again.value.code == "consent-not-active"


def test_a_licensee_receives_the_object_in_one_request_through_the_sdk(
    api: DeliveryDriver, tmp_path: Path
) -> None:
    licensed = api.licensed(max_uses=1)
    assert licensed.licensee.account is not None
    key = LocalKeySigner(licensed.licensee.account.key)
    client = sdk(api, licensed.licensee)

    use_id = client.deliveries.receive_at_once(licensed.licence_id, tmp_path / "object.bin", signer=key)

    assert (tmp_path / "object.bin").read_bytes() == licensed.content
    receipt = client.deliveries.receipt(use_id)["receipt"]  # its signature checked by the SDK
    assert receipt["contentHash"] == "0x" + hashlib.sha256(licensed.content).hexdigest()
    with pytest.raises(ConflictError) as refused:
        client.deliveries.receive_at_once(licensed.licence_id, tmp_path / "again.bin", signer=key)
    assert refused.value.code == "licence-used-up"
    assert not (tmp_path / "again.bin").exists()
