"""Request bodies are bounded before anything reads them: size per route, JSON depth everywhere."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import ApiDriver, asset_facts

DEEP = b"[" * 100_000 + b"]" * 100_000


def deep_facts(levels: int) -> bytes:
    facts = asset_facts()
    prefix = b'{"facts": {"name": "x", "contentHash": "%s", "extra": {"x": ' % facts["contentHash"].encode()
    return prefix + b"[" * levels + b"]" * levels + b"}}}"


@pytest.mark.parametrize(
    "path", ["/v1/certificates/verify", "/v1/participants", "/v1/listings/verify", "/v1/events"]
)
def test_deeply_nested_json_is_refused_before_authentication(api: ApiDriver, path: str) -> None:
    response = api.client.post(path, content=DEEP, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "json-nested-too-deeply"
    assert response.json()["max_depth"] == 64


def test_deep_nesting_inside_facts_is_refused_for_an_authenticated_holder(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    response = api.client.post(
        "/v1/assets/registration-requests",
        content=deep_facts(20_000),
        headers={**holder.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "json-nested-too-deeply"


def test_nesting_within_the_limit_reaches_the_route(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    response = api.client.post(
        "/v1/assets/registration-requests",
        content=deep_facts(50),
        headers={**holder.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_a_body_over_the_act_limit_is_refused_with_413(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    facts = asset_facts(description="x" * (1024 * 1024))
    response = api.client.post(
        "/v1/assets/registration-requests", json={"facts": facts}, headers=holder.headers
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request-body-too-large"
    assert response.json()["max_bytes"] == 1024 * 1024


def test_a_streamed_body_without_length_is_cut_at_the_limit(api: ApiDriver) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 65536

    response = api.client.post(
        "/v1/participants",
        content=chunks(),
        headers={**api.admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request-body-too-large"


def test_document_routes_take_larger_bodies(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    padding = " " * (2 * 1024 * 1024)  # JSON white space: a large but ordinary document
    body = b'{"type": "EPCISDocument",' + padding.encode() + b'"x": 1}'
    response = api.client.post(
        "/v1/events", content=body, headers={**holder.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "epcis-document-invalid"  # read whole and judged by the capture


def test_the_server_process_survives_a_hundred_thousand_levels(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The regression: this request used to end `dataledger serve` with SIGSEGV, before authentication."""
    from tests.nodes import free_port, start_server

    port = free_port()
    server = start_server(tmp_path, port, [])
    try:
        base = f"http://127.0.0.1:{port}"
        for path in ("/v1/certificates/verify", "/v1/participants"):
            response = httpx.post(base + path, content=DEEP, headers={"Content-Type": "application/json"})
            assert response.status_code == 422
            assert response.json()["code"] == "json-nested-too-deeply"
        assert server.poll() is None
        assert httpx.get(base + "/healthz").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
