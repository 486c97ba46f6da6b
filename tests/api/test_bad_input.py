"""No input produces a 5xx: ids and integers beyond what the ABI and the database hold, NUL characters,
over-long strings and identifiers that are not EPCs are refused with a problem, on both databases."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.epcis.factories import epcis_document, object_event
from tests.factories import ApiDriver, asset_facts
from tests.nodes import fresh_postgres_database, postgres_reachable


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One ledger per database for the module: every case here is refused, and each participant new."""
    with contextlib.ExitStack() as stack:
        database_url = None
        if request.param == "postgresql":
            if not postgres_reachable():
                pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
            database_url = stack.enter_context(fresh_postgres_database())
        built = build_services(make_settings(tmp_path_factory.mktemp("bad-input"), database_url=database_url))
        stack.callback(built.close)
        yield built


def assert_refused(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


OUT_OF_RANGE = ["-1", str(2**63), str(2**256)]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_ids_beyond_the_database_are_refused(api: ApiDriver, value: str) -> None:
    (holder,) = api.participants("enterprise")
    for path in (f"/v1/licences/{value}", f"/v1/objections/{value}", f"/v1/consents/{value}"):
        assert_refused(api.client.get(path, headers=holder.headers), 422, "validation-failed")
    public = api.client.post(f"/v1/consents/{value}/withdrawal-requests", json={})
    assert_refused(public, 422, "validation-failed")


def test_the_largest_ids_and_offsets_are_answered_without_error(api: ApiDriver) -> None:
    (auditor,) = api.participants("auditor")
    top = 2**63 - 1
    assert_refused(api.client.get(f"/v1/licences/{top}", headers=auditor.headers), 404, "licence-not-found")
    assert api.client.get(f"/v1/objections/{top}", headers=auditor.headers).status_code == 404
    for path in ("/v1/assets", "/v1/licences", "/v1/events"):
        answer = api.client.get(path, params={"offset": top}, headers=auditor.headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["items"] == []


@pytest.mark.parametrize("value", [str(2**63), str(2**70), "-5"])
def test_offsets_and_block_numbers_beyond_the_database_are_refused(api: ApiDriver, value: str) -> None:
    holder, auditor = api.participants("enterprise", "auditor")
    asset_id = api.register(holder)["assetId"]
    for path, name in (("/v1/assets", "offset"), (f"/v1/assets/{asset_id}/history", "fromBlock")):
        response = api.client.get(path, params={name: value}, headers=auditor.headers)
        assert_refused(response, 422, "validation-failed")


def test_a_nul_character_anywhere_is_refused_and_nothing_is_stored(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    facts = asset_facts(name="sales\u0000records")
    response = api.client.post(
        "/v1/assets/registration-requests", json={"facts": facts}, headers=holder.headers
    )
    assert_refused(response, 422, "nul-character")
    event = object_event(epcList=["urn:epc:id:sgtin:0614141.107346.20\u000017"])
    response = api.client.post("/v1/events", json=epcis_document([event]), headers=holder.headers)
    assert_refused(response, 422, "nul-character")
    assert_refused(
        api.client.get("/v1/events", params={"epc": "a\u0000b"}, headers=holder.headers), 422, "nul-character"
    )
    assert_refused(api.client.get("/v1/items/a%00b/history", headers=holder.headers), 422, "nul-character")
    assert api.client.get("/v1/events", headers=holder.headers).json()["items"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("epcList", ["urn:epc:id:sgtin:bad"]),
        ("epcList", ["javascript:alert(1)"]),
        ("epcList", ["urn:epc:id:sgtin:0614141.107346." + "9" * 400]),
        ("epcList", ["https://id.gs1.org/01/123"]),
        ("bizStep", "https://ns.example.com/" + "s" * 200),
        ("readPoint", {"id": "data:text/plain,hello"}),
    ],
)
def test_identifiers_that_are_no_epc_or_too_long_are_refused_naming_the_field(
    api: ApiDriver, field: str, value: object
) -> None:
    (holder,) = api.participants("enterprise")
    document = epcis_document([object_event(**{field: value})])

    response = api.client.post("/v1/events", json=document, headers=holder.headers)

    assert_refused(response, 422, "epcis-document-invalid")
    assert response.json()["field"].startswith(field)
    assert api.client.get("/v1/events", headers=holder.headers).json()["items"] == []


def test_over_long_facts_are_refused(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    facts = asset_facts(description="x" * 4001)
    response = api.client.post(
        "/v1/assets/registration-requests", json={"facts": facts}, headers=holder.headers
    )
    assert_refused(response, 422, "validation-failed")
