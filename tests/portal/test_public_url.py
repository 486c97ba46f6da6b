"""``DATALEDGER_PUBLIC_URL``: QR codes, PDF certificates and resolver answers lead to the configured
public base URL (a registry behind a proxy), not to the host a request happened to arrive at; unset,
they lead to the request's own host."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pydantic import ValidationError

from dataledger.api.app import create_app
from dataledger.composition import Services
from dataledger.composition.settings import Settings
from dataledger.portal.digital_link import unpack_certificate
from tests.portal.conftest import Portal
from tests.portal.test_trace_page import BOTTLE_GTIN, BOTTLE_SERIAL

PUBLIC = "https://registry.example.cn/dip"
GS1 = "https://gs1.org/voc/"


class PublishedAt:
    """The portal's services, their settings naming a public URL (everything else is theirs)."""

    def __init__(self, services: Services, public_url: str) -> None:
        self._services = services
        self.settings = services.settings.model_copy(update={"public_url": public_url})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._services, name)


@pytest.fixture(scope="module")
def published(portal: Portal) -> Iterator[TestClient]:
    """The same ledger served by an app whose settings name ``PUBLIC``, reached as ``http://testserver``."""
    settings = Settings(environment="test", public_url=PUBLIC)
    app = create_app(PublishedAt(portal.services, str(settings.public_url)))  # type: ignore[arg-type]
    with TestClient(app, follow_redirects=False) as client:
        yield client


def number_of(portal: Portal) -> str:
    return str(portal.story.valid["credentialSubject"]["certificateNumber"])


def test_the_public_url_is_a_typed_setting_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATALEDGER_PUBLIC_URL", "https://registry.example.cn/dip/")
    assert str(Settings().public_url) == "https://registry.example.cn/dip/"
    monkeypatch.delenv("DATALEDGER_PUBLIC_URL")
    assert Settings().public_url is None
    for bad in ("ftp://registry.example.cn/", "registry.example.cn", "https://registry.example.cn/?a=1"):
        with pytest.raises(ValidationError):
            Settings(public_url=bad)


def test_the_resolver_redirects_to_the_public_url(portal: Portal, published: TestClient) -> None:
    number = number_of(portal)
    response = published.get(f"/c/{number}")
    assert response.status_code == 307
    assert response.headers["location"] == f"{PUBLIC}/verify?number={number}"
    (links,) = published.get(f"/c/{number}", params={"linkType": "all"}).json()["linkset"]
    assert links["anchor"] == f"{PUBLIC}/c/{number}"
    hrefs = [link["href"] for relation, found in links.items() if relation != "anchor" for link in found]
    assert hrefs and all(href.startswith(PUBLIC + "/") for href in hrefs)


@pytest.mark.parametrize("path", [f"/01/{BOTTLE_GTIN}/21/{BOTTLE_SERIAL}", f"/01/{BOTTLE_GTIN}/10/A1"])
def test_product_and_lot_resolvers_answer_links_on_the_public_url(published: TestClient, path: str) -> None:
    (links,) = published.get(path, params={"linkType": "all"}).json()["linkset"]
    assert links["anchor"] == PUBLIC + path
    assert all(link["href"].startswith(PUBLIC + "/trace/") for link in links[GS1 + "traceability"])
    assert published.get(path).headers["location"].startswith("/trace/")  # this server's own page


def test_the_pdf_certificates_qr_code_leads_to_the_public_url(portal: Portal, published: TestClient) -> None:
    number = number_of(portal)
    response = published.get(f"/certificates/{number}.pdf", params={"lang": "en"})
    assert response.status_code == 200
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=3).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    resolver, _, fragment = code.text.partition("#vc=")
    assert resolver == f"{PUBLIC}/c/{number}"
    assert unpack_certificate(fragment) == portal.story.valid


def qr_on_page(text: str) -> str:
    """What the certificate page says its QR code holds."""
    (url,) = re.findall(r'data-testid="certificate-qr">\s*<img [^>]*data-url="([^"]+)"', text)
    return html.unescape(url)


def decoded(browser: Browser, svg: bytes) -> str:
    """What a QR code drawn as SVG says, read from the browser's rendering of it (as a phone would)."""
    tab = browser.new_page()
    try:
        source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        tab.set_content(f'<img id="qr" src="{source}" style="width:600px;image-rendering:pixelated">')
        image = Image.open(io.BytesIO(tab.locator("#qr").screenshot()))
    finally:
        tab.close()
    # one symbol on the page; a large one is at times reported twice (found at two scales), saying the same
    (text,) = {str(code.text) for code in zxingcpp.read_barcodes(image)}
    return text


def test_the_certificate_pages_qr_code_leads_to_the_public_url(
    portal: Portal, published: TestClient, browser: Browser
) -> None:
    number = number_of(portal)
    page = published.get("/verify", params={"number": number, "lang": "en"})
    assert page.status_code == 200
    resolver, _, fragment = qr_on_page(page.text).partition("#vc=")
    assert resolver == f"{PUBLIC}/c/{number}"
    assert unpack_certificate(fragment) == portal.story.valid
    assert 'alt="QR code of certificate ' + number in page.text
    image = published.get(f"/certificates/{number}/qr.svg")
    assert image.headers["content-type"] == "image/svg+xml"
    assert decoded(browser, image.content) == qr_on_page(page.text)


def test_a_qr_code_image_of_a_bad_or_unknown_number_is_a_page_saying_so(published: TestClient) -> None:
    for path, status in (
        ("/certificates/nonsense/qr.svg", 422),
        ("/certificates/DLC-2099-999999/qr.svg", 404),
    ):
        response = published.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert 'data-testid="error-message"' in response.text


def test_without_a_public_url_links_lead_to_the_requests_host(portal: Portal, browser: Browser) -> None:
    assert portal.services.settings.public_url is None
    number = number_of(portal)
    with TestClient(create_app(portal.services), follow_redirects=False) as client:
        assert client.get(f"/c/{number}").headers["location"] == f"http://testserver/verify?number={number}"
        page = client.get("/verify", params={"number": number})
        image = client.get(f"/certificates/{number}/qr.svg").content
    assert qr_on_page(page.text).startswith(f"http://testserver/c/{number}#vc=")
    assert decoded(browser, image) == qr_on_page(page.text)
    assert "证书 " + number + " 的二维码" in page.text


def test_a_certificate_not_on_record_has_no_qr_code(portal: Portal) -> None:
    tampered = {**portal.story.valid, "validFrom": "2020-01-01T00:00:00Z"}
    with TestClient(create_app(portal.services)) as client:
        page = client.post("/verify", data={"certificate": json.dumps(tampered)})
    assert 'data-outcome="tampered"' in page.text
    assert 'data-testid="certificate-qr"' not in page.text


def test_the_certificate_page_shows_its_qr_code_in_a_browser(page: Page, portal: Portal) -> None:
    number = number_of(portal)
    page.goto(f"{portal.url}/verify?number={number}&lang=en")
    image = page.get_by_role("img", name=f"QR code of certificate {number}")
    expect(image).to_be_visible()
    assert image.evaluate("node => node.complete && node.naturalWidth > 0")
    page.set_viewport_size({"width": 1280, "height": 900})
    image.evaluate("node => { node.style.width = '600px'; node.style.height = '600px'; }")
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    resolver, _, fragment = code.text.partition("#vc=")
    assert resolver == f"{portal.url}/c/{number}"
    assert unpack_certificate(fragment) == portal.story.valid
