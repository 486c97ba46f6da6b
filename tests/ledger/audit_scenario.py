"""A ledger with one record of every kind, built through the HTTP API as its users build it.

Direct and batched registrations (one batched registration materialised), an asset in public notice
with an objection filed and dismissed, a certified asset changed to a second version and transferred
(a registrar reissuing its certificate after each act, signed by its own key), a pledge both parties
signed, revalued, certified by a registrar and released, a
licence used once, a consent granted and consumed, captured EPCIS events, every batch anchored, the
event index synced, and a checkpoint of the log. The audit of this ledger must be clean; each edit of
it must be named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from eth_account import Account

from dataledger.composition import Services
from tests.anchoring.conftest import signed_items
from tests.epcis.factories import epcis_document, object_event
from tests.factories import Actor, asset_facts, content_hash
from tests.lifecycle.driver import ChainClock, LifecycleDriver, request_hash
from tests.lineage.graphs import aggregation


class ServicesClock:
    """The chain's time read through the services (the embedded chain has no clock to move)."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self.url = ""

    def now(self) -> int:
        return self._services.registry.latest_timestamp()

    def advance(self, seconds: int) -> None:
        raise NotImplementedError("the embedded chain's clock does not move on request")


@dataclass
class FullLedger:
    """The ids of the records the scenario made, by kind."""

    direct: str  # registered directly, nothing more
    in_notice: str  # in public notice, with an objection filed and dismissed
    certified: str  # certified, changed to version 2, transferred, pledged and released, licensed
    batched: list[str] = field(default_factory=list)  # batched registrations (the first materialised)
    objection_id: int = 0
    licence_id: int = 0
    consent_id: int = 0
    event_hash_ids: list[str] = field(default_factory=list)

    @property
    def materialised(self) -> str:
        return self.batched[0]


def _ok(response: Any, *codes: int) -> dict[str, Any]:
    assert response.status_code in (codes or (200, 201)), response.text
    return cast(dict[str, Any], response.json())


def build_full_ledger(api: LifecycleDriver, services: Services) -> FullLedger:
    holder, buyer, bank, registrar = api.participants("enterprise", "enterprise", "enterprise", "registrar")
    licensee, objector, employer = api.participants("enterprise", "enterprise", "enterprise")

    # An asset in public notice, objected to; the objection dismissed.
    in_notice = api.in_notice(holder, registrar, notice_s=3600)["assetId"]
    objection = _ok(api.objection(objector, in_notice, "the records include our franchise stores"))
    _ok(
        api.registrar_act(
            registrar,
            f"/v1/objections/{objection['objectionId']}/resolution-requests",
            f"/v1/objections/{objection['objectionId']}/resolution",
            {"upheld": False, "resolution": "franchise stores are the holder's own"},
        )
    )

    direct = api.register(holder)["assetId"]

    # Certified, changed (version 2), transferred; pledged by the new holder and released; licensed.
    facts = asset_facts()
    certified = api.certified(holder, registrar, facts)[0]["assetId"]
    new_facts = {**facts, "contentHash": content_hash(), "scale": "1.3M rows"}
    _ok(
        api.act(
            holder,
            f"/v1/assets/{certified}/change-requests",
            f"/v1/assets/{certified}/changes",
            {"facts": new_facts},
        )
    )
    _ok(api.issue_certificate(registrar, certified))  # a registrar reissues it, signed by its own key
    assert buyer.account is not None and bank.account is not None
    transfer = {"to": buyer.account.address}
    _ok(
        api.act(
            holder, f"/v1/assets/{certified}/transfer-requests", f"/v1/assets/{certified}/transfers", transfer
        )
    )
    _ok(api.issue_certificate(registrar, certified))
    _ok(api.pledge(buyer, certified, bank))
    revaluation = {"valuation": "Re-appraised at RMB 7.5m after the quarterly review"}
    _ok(
        api.act(
            bank,
            f"/v1/assets/{certified}/pledge-revaluation-requests",
            f"/v1/assets/{certified}/pledge-revaluations",
            revaluation,
        )
    )
    _ok(
        api.registrar_act(
            registrar,
            f"/v1/assets/{certified}/pledge-certificate-requests",
            f"/v1/assets/{certified}/pledge-certificates",
        )
    )
    _ok(
        api.act(
            bank, f"/v1/assets/{certified}/pledge-release-requests", f"/v1/assets/{certified}/pledge-release"
        )
    )
    licence = _ok(api.grant(buyer, api.licence_terms(certified, licensee, max_uses=2)))
    _ok(api.use(licensee, licence["licenceId"], request_hash("forecast query")))

    # A data subject's consent, granted and consumed once.
    person = Account.create()
    consent = _ok(
        api.act(
            employer,
            "/v1/consents/requests",
            "/v1/consents",
            {
                "subject": person.address,
                "purpose": "verify the CV's employment history",
                "validUntil": api.clock.now() + 7 * 24 * 3600,
            },
            signer=person,
        )
    )
    _ok(
        api.act(
            employer,
            f"/v1/consents/{consent['consentId']}/use-requests",
            f"/v1/consents/{consent['consentId']}/uses",
            {"requestHash": request_hash("employment check")},
        )
    )

    # Batched registrations, anchored; the first materialised.
    batched = _ok(
        api.client.post(
            "/v1/bulk/assets?wait=true&timeout=30",
            json={"items": signed_items(services, holder, 3, first_index=7)},
            headers=holder.headers,
        )
    )
    batched_ids = [item["assetId"] for item in batched["items"]]
    _ok(api.client.post(f"/v1/bulk/assets/{batched_ids[0]}/materialise", headers=holder.headers))

    # Traceability events (one declaring its own eventID, one packing items: lineage edges), anchored;
    # then an error declaration on the first, anchored as its own leaf.
    shipped = object_event()
    events = [
        shipped,
        object_event(
            eventID="urn:uuid:6a1f3c52-8d0e-4b7a-9c1d-2e5f7a9b0c31",
            eventTime="2024-05-02T11:00:00.000+08:00",
            epcList=["urn:epc:id:sgtin:0614141.107346.2019"],
            bizStep="receiving",
            disposition="in_progress",
        ),
        aggregation(
            "urn:epc:id:sscc:0614141.1234567890",
            ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
            "ADD",
            3,
            "urn:epc:id:sgln:0614141.07346.1234",
        ),
    ]
    hash_ids = _capture(api, holder, events)
    declaration = {
        "declarationTime": "2024-05-04T09:00:00.000+08:00",
        "reason": "incorrect_data",
        "correctiveEventIDs": [hash_ids[1]],
    }
    _capture(api, holder, [{**shipped, "errorDeclaration": declaration}])

    services.indexer.sync()
    services.checkpoints.issue()
    return FullLedger(
        direct=direct,
        in_notice=in_notice,
        certified=certified,
        batched=batched_ids,
        objection_id=int(objection["objectionId"]),
        licence_id=int(licence["licenceId"]),
        consent_id=int(consent["consentId"]),
        event_hash_ids=hash_ids,
    )


def _capture(api: LifecycleDriver, holder: Actor, events: list[dict[str, Any]]) -> list[str]:
    response = api.client.post(
        "/v1/events?wait=true&timeout=30", json=epcis_document(events), headers=holder.headers
    )
    return [e["eventHashId"] for e in _ok(response, 200)["events"]]


def driver_for(api_client: Any, services: Services, clock: ChainClock | ServicesClock) -> LifecycleDriver:
    return LifecycleDriver(api_client, services.settings.admin_api_key.get_secret_value(), clock)  # type: ignore[arg-type]


__all__ = ["Actor", "FullLedger", "ServicesClock", "build_full_ledger", "driver_for"]
