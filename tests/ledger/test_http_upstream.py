"""The holder's API behind the delivery gateway is never an internal address: the server fetches it,
so a loopback, private, link-local (cloud metadata) or unresolvable host is refused, at the deposit
and again at each call (a name may resolve elsewhere later)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import build_services
from dataledger.ledger.upstream.http_api import HttpUpstream
from dataledger.registry.errors import UpstreamFailed, ValidationFailed
from tests.conftest import make_settings
from tests.factories import ApiDriver

INTERNAL = [
    "http://127.0.0.1:8545/",
    "http://localhost/admin",
    "http://10.0.0.7/data",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/",
    "http://0.0.0.0/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_is_refused_at_the_deposit_and_at_each_call(url: str) -> None:
    upstream = HttpUpstream()
    try:
        with pytest.raises(ValidationFailed) as refused:
            upstream.require_public(url)
        assert refused.value.extra["field"] == "baseUrl"
        with pytest.raises(UpstreamFailed):
            upstream.get(url, None)
    finally:
        upstream.close()


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="does not resolve"):
        HttpUpstream().require_public("http://no-such-host.invalid/")


def test_development_may_allow_a_local_api() -> None:
    HttpUpstream(allow_private=True).require_public("http://127.0.0.1:8080/")


def test_the_gateway_refuses_a_holders_api_on_an_internal_address(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path))
    try:
        api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
        holder, registrar = api.participants("enterprise", "registrar")
        asset = api.register(holder)
        api.certify(registrar, asset["assetId"])

        response = api.client.post(
            "/v1/deliveries/deposits",
            json={"assetId": asset["assetId"], "baseUrl": "http://169.254.169.254/latest"},
            headers=holder.headers,
        )

        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation-failed" and response.json()["field"] == "baseUrl"
        listed = api.client.get(f"/v1/deliveries/deposits?assetId={asset['assetId']}", headers=holder.headers)
        assert listed.status_code == 200 and listed.json()["items"] == []
    finally:
        services.close()
