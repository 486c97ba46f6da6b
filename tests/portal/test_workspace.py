"""``/workspace``: the enterprise's shell page, with what its script checks a prepared act against (the
registration's, the licence's and both parties' of the pledge, as the contracts hash them, and the
contract each is signed for) and its texts in the page's language; it names no participant and holds
no key (the script signs in)."""

from __future__ import annotations

import httpx

from dataledger.registry.holder_signatures import ACT_TYPES, REGISTRATION_TYPES
from tests.portal.conftest import Portal
from tests.portal.test_workbench import signing_block


def test_the_page_carries_the_registration_and_the_licence_with_their_contracts(portal: Portal) -> None:
    page = httpx.get(f"{portal.url}/workspace?lang=en", timeout=30)
    assert page.status_code == 200
    data = signing_block(page.text)
    registry = portal.services.registry
    assert data["registry"] == {"chainId": registry.chain_id, "address": registry.registry_address}
    assert data["actTypes"] == {
        "Licence": [{"name": field, "type": kind} for field, kind in ACT_TYPES["Licence"]],
        "Pledge": [{"name": field, "type": kind} for field, kind in ACT_TYPES["Pledge"]],
        "PledgeAcceptance": [{"name": field, "type": kind} for field, kind in ACT_TYPES["PledgeAcceptance"]],
        "Registration": REGISTRATION_TYPES["Registration"],
    }
    assert data["actContracts"] == {
        "Licence": portal.services.licensing.domain.verifying_contract,
        "Pledge": registry.registry_address,
        "PledgeAcceptance": registry.registry_address,
        "Registration": registry.registry_address,
    }
    messages = data["messages"]
    assert isinstance(messages, dict)
    assert messages["ws.hash_cancelled"] == "Hashing cancelled: nothing was sent."
    assert messages["sign.type.Registration"] == "Registration"
    assert messages["sign.type.Pledge"] == "Pledge" and messages["ws.page_next"] == "Next page"
    assert messages["right.data-product-operation"] == "Data product operation"


def test_signed_out_the_page_shows_the_sign_in_form_and_the_rights_in_chinese(portal: Portal) -> None:
    page = httpx.get(f"{portal.url}/workspace", timeout=30).text
    assert 'id="sign-in-form"' in page and '<div id="desk" hidden>' in page
    assert "企业参与方的 API 密钥" in page
    for right in ("数据资源持有权", "数据加工使用权", "数据产品经营权"):
        assert right in page
    assert portal.story.holder_api_key not in page
    assert '<script src="/static/portal/workspace.js" defer></script>' in page
