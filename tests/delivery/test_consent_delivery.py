"""Personal data through the gateway against a data subject's consent, over HTTP as an enterprise does
it: the subject consents, the enterprise consumes the consent on chain for one exact request and
presents that transaction; the holder's API answers that one request, for that subject, once. Replays,
other enterprises, withdrawn or expired consents, unknown transactions and other requests get nothing;
licence uses never deliver personal data."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account import Account
from sqlalchemy import text

from dataledger.composition import Services
from dataledger.registry.chain_records import ConsentStatus, OnChainConsent
from dataledger.registry.delivery.consent_requests import consent_request_hash
from dataledger.registry.delivery.receipts import DeliveryReceipt, verify_receipt
from tests.delivery.conftest import PersonalDataApi
from tests.delivery.driver import CV_CHECK, DeliveryDriver
from tests.lifecycle.driver import assert_problem, request_hash
from tests.nodes import rpc


def test_a_consumed_consent_delivers_the_subjects_record_once(
    api: DeliveryDriver, records_api: str, services: Services
) -> None:
    licensed = api.personal_data_api(records_api)
    consumed = api.consumed(licensed, "records", "field=employment")

    redeemed = api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id))
    assert redeemed.status_code == 201, redeemed.text
    use = redeemed.json()
    subject = consumed.subject.address.lower()
    assert (use["source"], use["consentId"], use["subject"], use["requestHash"]) == (
        "consent",
        consumed.consent_id,
        subject,
        consumed.request_hash,
    )
    answered = api.call_api(licensed.licensee, use["useId"], "records", "field=employment")
    assert answered.status_code == 200, answered.text
    assert answered.json()["subject"] == subject
    assert PersonalDataApi.calls == [("/v2/records?field=employment", subject, str(consumed.consent_id))]
    on_chain = api.client.get(f"/v1/deliveries/uses/{use['useId']}", headers=licensed.licensee.headers).json()
    recorded = on_chain["onChain"]
    assert (recorded["status"], recorded["txHash"], recorded["logIndex"]) == (
        "recorded",
        consumed.tx_hash,
        consumed.log_index,
    )

    # once: the call is spent, and the consent cannot be redeemed again
    assert_problem(
        api.call_api(licensed.licensee, use["useId"], "records", "field=employment"),
        409,
        "delivery-window-closed",
    )
    assert_problem(
        api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id)),
        409,
        "use-already-redeemed",
    )
    assert len(PersonalDataApi.calls) == 1

    # the receipt names the consent, is signed by the gateway and anchored
    assert services.anchoring is not None
    services.anchoring.batcher.run_once(force=True)
    body = api.client.get(
        f"/v1/deliveries/uses/{use['useId']}/receipt", headers=licensed.holder.headers
    ).json()
    receipt = DeliveryReceipt.from_payload(body["receipt"])
    assert (receipt.source, receipt.consent_id, receipt.deposit_kind) == (
        "consent",
        consumed.consent_id,
        "api",
    )
    assert receipt.content_hash == answered.headers["x-content-sha256"]
    verify_receipt(
        receipt, body["signature"], api.client.get("/v1/deliveries/gateway-key").json()["publicKey"]
    )
    assert body["anchoring"]["status"] == "anchored"


def test_a_consent_consumed_for_one_request_fetches_nothing_else(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.personal_data_api(records_api)
    consumed = api.consumed(licensed, "records", "field=employment")
    use_id = api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id)).json()["useId"]

    for path, query in (("records", "field=salary"), ("records", ""), ("payroll", "field=employment")):
        assert_problem(api.call_api(licensed.licensee, use_id, path, query), 409, "consent-request-mismatch")
    assert PersonalDataApi.calls == []
    # the use stays open for the request it was consumed for
    assert api.call_api(licensed.licensee, use_id, "records", "field=employment").status_code == 200


def test_a_consent_consumed_for_another_subjects_record_fetches_nothing(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.personal_data_api(records_api)
    subject, other = Account.create(), Account.create()
    consent_id = api.consent(licensed.licensee, subject)
    # the enterprise consumes the subject's consent with the hash of a request for someone else's record
    others = consent_request_hash(licensed.asset["assetId"], other.address, "records")
    assert api.consume(licensed.licensee, consent_id, others).status_code == 201
    history = api.client.get(f"/v1/consents/{consent_id}", headers=licensed.licensee.headers).json()
    evidence = next(a for a in history["history"] if a["act"] == "consent-consumed")["chainEvidence"]
    body = {"licenceId": licensed.licence_id, "txHash": evidence["txHash"]}
    use_id = api.redeem_consent(licensed.licensee, body).json()["useId"]

    assert_problem(api.call_api(licensed.licensee, use_id, "records"), 409, "consent-request-mismatch")
    assert PersonalDataApi.calls == []


def test_a_consent_given_to_another_enterprise_is_not_yours(api: DeliveryDriver, records_api: str) -> None:
    licensed = api.personal_data_api(records_api)
    rival = api.personal_data_api(records_api)  # an enterprise licensed on another asset
    consumed = api.consumed(licensed, "records")

    assert_problem(
        api.redeem_consent(rival.licensee, consumed.redemption(rival.licence_id)), 403, "use-not-yours"
    )
    assert_problem(
        api.redeem_consent(licensed.holder, consumed.redemption(licensed.licence_id)), 403, "use-not-yours"
    )
    redeemed = api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id))
    assert redeemed.status_code == 201, redeemed.text
    assert_problem(api.call_api(rival.licensee, redeemed.json()["useId"], "records"), 403, "use-not-yours")
    assert PersonalDataApi.calls == []


def test_a_consent_for_another_purpose_than_the_licences_delivers_nothing(
    api: DeliveryDriver, records_api: str, services: Services
) -> None:
    licensed = api.personal_data_api(records_api)  # licensed for a CV check
    marketing = api.consumed(licensed, "records", purpose="loyalty marketing")
    refused = api.redeem_consent(licensed.licensee, marketing.redemption(licensed.licence_id))
    assert_problem(refused, 409, "consent-purpose-mismatch")
    assert refused.json()["consent_purpose"] == "loyalty marketing"
    assert refused.json()["licence_purpose"] == CV_CHECK

    # the same purpose, however it is capitalised and spaced, is the licence's
    same = api.consumed(licensed, "records", purpose="  One  CV check ")
    assert api.redeem_consent(licensed.licensee, same.redemption(licensed.licence_id)).status_code == 201

    # a store edited to say the consent's purpose was the licence's does not open its commitment
    edited = api.consumed(licensed, "records", purpose="credit scoring")
    with services.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE consents SET purpose = :p WHERE consent_id = :c"),
            {"p": CV_CHECK, "c": edited.consent_id},
        )
    refused = api.redeem_consent(licensed.licensee, edited.redemption(licensed.licence_id))
    assert_problem(refused, 409, "consent-purpose-mismatch")
    assert "cannot be shown" in refused.json()["detail"]
    assert PersonalDataApi.calls == []


def test_an_unknown_unmined_or_unrelated_transaction_is_refused_at_once(
    api: DeliveryDriver, records_api: str, services: Services
) -> None:
    licensed = api.personal_data_api(records_api)
    body = {"licenceId": licensed.licence_id, "txHash": "0x" + "ab" * 32}
    assert_problem(api.redeem_consent(licensed.licensee, body), 404, "consent-use-not-found")
    # a licence use's transaction consumes no consent
    used = api.use(licensed.licensee, licensed.licence_id)
    assert used.status_code == 201, used.text
    body["txHash"] = used.json()["use"]["chainEvidence"]["txHash"]
    assert_problem(api.redeem_consent(licensed.licensee, body), 404, "consent-use-not-found")
    # a transaction in the pool, not mined: the gateway does not wait for it
    rpc(api.clock.url, "evm_setAutomine", [False])
    try:
        pending = services.w3.eth.send_transaction(
            {"from": services.w3.eth.accounts[1], "to": services.w3.eth.accounts[2], "value": 1}
        )
        body["txHash"] = "0x" + bytes(pending).hex()
        assert_problem(api.redeem_consent(licensed.licensee, body), 404, "consent-use-not-found")
    finally:
        rpc(api.clock.url, "evm_setAutomine", [True])


def test_an_expired_consent_delivers_nothing(api: DeliveryDriver, records_api: str) -> None:
    licensed = api.personal_data_api(records_api)
    late = api.consumed(licensed, "records", valid_for=300)
    api.clock.advance(301)
    assert_problem(
        api.redeem_consent(licensed.licensee, late.redemption(licensed.licence_id)), 409, "consent-expired"
    )

    # redeemed in time, its delivery window ends with the consent
    timely = api.consumed(licensed, "records", valid_for=120)
    use = api.redeem_consent(licensed.licensee, timely.redemption(licensed.licence_id)).json()
    assert use["windowEndsAt"] <= api.clock.now() + 120
    api.clock.advance(121)
    assert_problem(api.call_api(licensed.licensee, use["useId"], "records"), 409, "delivery-window-closed")
    assert PersonalDataApi.calls == []


def test_a_withdrawn_consent_cannot_be_consumed_nor_its_withdrawal_redeemed(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.personal_data_api(records_api)
    subject = Account.create()
    consent_id = api.consent(licensed.licensee, subject)
    path = f"/v1/consents/{consent_id}"
    withdrawn = api.act(None, f"{path}/withdrawal-requests", f"{path}/withdrawal", signer=subject)
    assert withdrawn.status_code == 200, withdrawn.text

    request = consent_request_hash(licensed.asset["assetId"], subject.address, "records")
    assert_problem(api.consume(licensed.licensee, consent_id, request), 409, "consent-not-active")
    history = api.client.get(path, headers=licensed.licensee.headers).json()["history"]
    evidence = next(a for a in history if a["act"] == "consent-withdrawn")["chainEvidence"]
    body = {"licenceId": licensed.licence_id, "txHash": evidence["txHash"]}
    assert_problem(api.redeem_consent(licensed.licensee, body), 404, "consent-use-not-found")


def test_a_consent_withdrawn_after_its_redemption_delivers_nothing(
    api: DeliveryDriver, records_api: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    licensed = api.personal_data_api(records_api)
    consumed = api.consumed(licensed, "records")
    use_id = api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id)).json()["useId"]
    # today's contract withdraws only an active consent; should the chain say withdrawn, nothing leaves
    read = services.licences.consent

    def withdrawn(consent_id: int) -> OnChainConsent | None:
        found = read(consent_id)
        return None if found is None else replace(found, status=ConsentStatus.WITHDRAWN)

    monkeypatch.setattr(services.licences, "consent", withdrawn)
    assert_problem(api.call_api(licensed.licensee, use_id, "records"), 409, "consent-withdrawn")
    assert PersonalDataApi.calls == []


def test_personal_data_is_never_delivered_against_a_licence_use(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.personal_data_api(records_api, max_uses=5)
    assert_problem(
        api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)),
        409,
        "personal-data-needs-consent",
    )
    evidence = api.use(licensed.licensee, licensed.licence_id, request_hash()).json()["use"]["chainEvidence"]
    body = {"licenceId": licensed.licence_id, "txHash": evidence["txHash"]}
    assert_problem(
        api.client.post("/v1/deliveries/chain-uses", json=body, headers=licensed.licensee.headers),
        409,
        "personal-data-needs-consent",
    )
    assert PersonalDataApi.calls == []


def test_a_consent_needs_a_live_licence_of_a_personal_data_asset(
    api: DeliveryDriver, records_api: str
) -> None:
    licensed = api.personal_data_api(records_api)
    # a licence that is not the enterprise's
    other = api.personal_data_api(records_api)
    consumed = api.consumed(licensed, "records")
    assert_problem(
        api.redeem_consent(licensed.licensee, consumed.redemption(other.licence_id)), 404, "licence-not-found"
    )
    # its own licence, revoked
    path = f"/v1/licences/{licensed.licence_id}"
    revoked = api.act(
        licensed.holder, f"{path}/revocation-requests", f"{path}/revocation", {"reason": "unpaid"}
    )
    assert revoked.status_code == 200, revoked.text
    assert_problem(
        api.redeem_consent(licensed.licensee, consumed.redemption(licensed.licence_id)),
        409,
        "licence-revoked",
    )
    # a licence of an asset whose deposit is no personal data: a consent does not stand for a licence use
    plain = api.licensed(max_uses=1, purpose=CV_CHECK)
    plain_consent = api.consumed(plain, "records")
    assert_problem(
        api.redeem_consent(plain.licensee, plain_consent.redemption(plain.licence_id)),
        409,
        "consent-request-mismatch",
    )
    assert PersonalDataApi.calls == []
