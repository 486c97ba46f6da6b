"""A process that dies between relaying a signed act and recording its result: the restart finishes it.

Each test lets the chain accept an act, then kills the request where its result would be stored
(an exception nothing catches, as a SIGKILL would leave it), restarts the services on the same
database and chain, and checks that the act is recorded exactly once, from the chain, with the
texts behind its hashes, and that the journal is empty. ``tests/test_crash_loop.py`` does the same
with real SIGKILLs of ``dataledger serve``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, request_hash
from tests.lifecycle.test_holder_acts_api import pledge, transfer
from tests.lifecycle.test_licences_api import consent


class Crash(BaseException):
    """The process dies here: nothing in the request catches it."""


def crash(*_: Any, **__: Any) -> Any:
    raise Crash


@pytest.fixture
def restart(services: Services, api: LifecycleDriver) -> Iterator[Callable[[], LifecycleDriver]]:
    """Stop the services and start them again on the same data directory and chain (recovery runs as
    the new process takes the lease, before it serves)."""
    started: list[Services] = []

    def again() -> LifecycleDriver:
        (started[-1] if started else services).close()
        started.append(build_services(services.settings))
        client = TestClient(create_app(started[-1]))
        return LifecycleDriver(client, api.admin_headers["Authorization"].removeprefix("Bearer "), api.clock)

    yield again
    for each in started:
        each.close()


def history(api: LifecycleDriver, actor: Actor, asset_id: str, act: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/v1/assets/{asset_id}/history?act={act}", headers=actor.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def journal_size(api: LifecycleDriver) -> int:
    services: Services = api.client.app.state.services  # type: ignore[attr-defined]
    return services.act_journal.count()


def test_a_transfer_on_chain_but_not_stored_is_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, buyer, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    monkeypatch.setattr(services.store, "set_holder", crash)

    with pytest.raises(Crash):
        transfer(api, holder, asset["assetId"], buyer)

    assert services.registry.asset(asset["assetId"]).holder == buyer.account.address  # type: ignore[union-attr]
    assert services.act_journal.count() == 1
    after = restart()
    stored = after.client.get(f"/v1/assets/{asset['assetId']}", headers=buyer.headers).json()
    assert stored["holderId"] == buyer.id
    assert len(history(after, buyer, asset["assetId"], "transferred")) == 1
    assert journal_size(after) == 0


def test_a_pledge_keeps_its_terms_and_salt_through_the_crash(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    monkeypatch.setattr(services.pledge_store, "add_pledge", crash)

    with pytest.raises(Crash):
        pledge(api, holder, asset["assetId"], bank)

    after = restart()
    pledges = after.client.get(f"/v1/assets/{asset['assetId']}/pledges", headers=holder.headers)
    assert pledges.status_code == 200, pledges.text
    (recorded,) = pledges.json()["items"]
    assert recorded["terms"] == "RMB 5m facility, 12 months, Bank of Hainan"
    assert recorded["status"] == "active" and recorded["pledgeeId"] == bank.id
    assert (recorded["securedAmount"], recorded["currency"]) == (500_000_000, "CNY")
    assert recorded["valuation"].startswith("Appraised at RMB 8m")
    assert len(history(after, holder, asset["assetId"], "pledged")) == 1
    assert journal_size(after) == 0


def test_a_licence_grant_and_a_use_are_recorded_with_their_texts(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, licensee, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    monkeypatch.setattr(services.licence_store, "add_licence", crash)
    with pytest.raises(Crash):
        api.grant(holder, api.licence_terms(asset["assetId"], licensee, max_uses=2))
    after = restart()
    (licence,) = after.client.get(f"/v1/licences?assetId={asset['assetId']}", headers=holder.headers).json()[
        "items"
    ]
    assert licence["purpose"] == "demand forecasting for duty-free replenishment"
    assert licence["territory"] == "CN-HI" and licence["licenseeId"] == licensee.id

    services_after: Services = after.client.app.state.services  # type: ignore[attr-defined]
    monkeypatch.setattr(services_after.licence_store, "record_licence_use", crash)
    with pytest.raises(Crash):
        after.use(licensee, licence["licenceId"], request_hash("the crashed query"))
    again = restart()
    used = again.client.get(f"/v1/licences/{licence['licenceId']}", headers=holder.headers).json()
    assert used["uses"] == 1
    (use,) = history(again, holder, asset["assetId"], "licence-used")
    assert use["detail"]["requestHash"] == request_hash("the crashed query")
    assert again.use(licensee, licence["licenceId"]).status_code == 201  # the second of two uses
    assert journal_size(again) == 0


def test_registrar_acts_and_an_objection_are_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, registrar = api.participants("enterprise", "registrar")
    objector = api.keyed("enterprise")
    asset = api.in_notice(holder, registrar)
    monkeypatch.setattr(services.lifecycle_store, "add_objection", crash)
    with pytest.raises(Crash):
        api.act(
            objector,
            f"/v1/assets/{asset['assetId']}/objection-requests",
            f"/v1/assets/{asset['assetId']}/objections",
            {"reason": "the data was collected by us", "evidenceHash": request_hash("evidence")},
        )
    after = restart()
    (objection,) = after.client.get(
        f"/v1/assets/{asset['assetId']}/objections", headers=holder.headers
    ).json()["items"]
    assert objection["reason"] == "the data was collected by us" and objection["status"] == "open"

    services_after: Services = after.client.app.state.services  # type: ignore[attr-defined]
    monkeypatch.setattr(services_after.lifecycle_store, "resolve_objection", crash)
    with pytest.raises(Crash):
        after.registrar_act(
            registrar,
            f"/v1/objections/{objection['objectionId']}/resolution-requests",
            f"/v1/objections/{objection['objectionId']}/resolution",
            {"upheld": True, "resolution": "the objector's records predate the holder's"},
        )
    again = restart()
    resolved = again.client.get(f"/v1/objections/{objection['objectionId']}", headers=holder.headers).json()
    assert resolved["status"] == "upheld"
    assert resolved["resolution"] == "the objector's records predate the holder's"
    stored = again.client.get(f"/v1/assets/{asset['assetId']}", headers=holder.headers).json()
    assert stored["state"] == "rejected"
    assert journal_size(again) == 0


def test_a_certificate_signed_and_recorded_on_chain_is_stored_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, registrar = api.participants("enterprise", "registrar")
    asset = api.register(holder)
    api.set_notice_period(0)
    api.review(registrar, asset["assetId"], "formal")
    api.review(registrar, asset["assetId"], "substantive")
    monkeypatch.setattr(services.store, "store_certificate", crash)
    with pytest.raises(Crash):
        api.issue_certificate(registrar, asset["assetId"])
    after = restart()
    (certificate,) = after.client.get(
        f"/v1/assets/{asset['assetId']}/certificates", headers=holder.headers
    ).json()["items"]
    report = after.verify(after.client.get(f"/v1/certificates/{certificate['number']}").json())
    assert report["valid"], report
    assert len(history(after, holder, asset["assetId"], "certificate-recorded")) == 1


def test_a_consent_given_on_chain_is_recorded_with_its_purpose(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    employer, person = api.participant("enterprise"), Account.create()
    monkeypatch.setattr(services.licence_store, "add_consent", crash)
    with pytest.raises(Crash):
        consent(api, employer, person)
    after = restart()
    (given,) = after.client.get("/v1/consents", headers=employer.headers).json()["items"]
    assert given["purpose"] == "verify the CV's employment history" and given["status"] == "active"
    assert journal_size(after) == 0


def test_an_act_recorded_before_the_crash_is_not_recorded_twice(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, buyer, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    monkeypatch.setattr(services.act_journal, "close", crash)  # recorded; the process dies before closing

    with pytest.raises(Crash):
        transfer(api, holder, asset["assetId"], buyer)

    after = restart()
    assert len(history(after, buyer, asset["assetId"], "transferred")) == 1
    assert journal_size(after) == 0


def test_an_act_that_never_reached_the_chain_waits_then_is_dropped_once_it_never_can(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder, buyer, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    monkeypatch.setattr(services.registry, "submit_act", crash)  # dies before sending

    with pytest.raises(Crash):
        transfer(api, holder, asset["assetId"], buyer)

    after = restart()
    assert journal_size(after) == 1  # still signable: it may yet be sent by someone holding it
    assert transfer(after, holder, asset["assetId"], buyer).status_code == 201  # signed again, same nonce
    again = restart()
    assert journal_size(again) == 0  # its nonce is used: the first signature can never be mined
    assert len(history(again, buyer, asset["assetId"], "transferred")) == 1
