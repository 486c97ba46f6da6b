"""Screenshots of every page of the portal, in Chinese and in English, so anyone can look at it.

Starts the ledger on the embedded chain in a temporary folder, sets up the portal tests' story through
the SDK (valid, revoked and superseded certificates, applications in public notice, one of them
objected to, pledges certified, ended and awaiting their certificate, a listing with a settled trade and
an order awaiting the holder, a data voucher programme), then drives
Debian's headless Chromium (``/usr/bin/chromium``, through Playwright; nothing is downloaded) over each
page at a desktop and a phone width, and renders the PDF certificate's page as an image.

Usage: ``scripts/dev.sh screenshots OUT_DIR`` (or ``python scripts/screenshots.py OUT_DIR``). Writes
``OUT_DIR/<page>-<lang>-<width>.png`` and ``OUT_DIR/certificate-pdf-<lang>.png``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pypdfium2
from playwright.sync_api import Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # the portal tests' story, when run as scripts/screenshots.py
    sys.path.insert(0, str(REPO_ROOT))

from dataledger.api.app import create_app  # noqa: E402
from dataledger.cli import duty_free_scenario  # noqa: E402
from dataledger.cli.local_server import serving  # noqa: E402
from dataledger.client import Client, LocalKeySigner  # noqa: E402
from dataledger.composition import build_services  # noqa: E402
from dataledger.composition.settings import Settings  # noqa: E402
from dataledger.portal.digital_link import qr_url  # noqa: E402
from dataledger.portal.market_statistics import CHINA  # noqa: E402
from tests.portal.story import Story, tell  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def number(vc: dict[str, object]) -> str:
    subject = vc["credentialSubject"]
    assert isinstance(subject, dict)
    return str(subject["certificateNumber"])


KEYSTORE_PASSWORD = "screenshots"


def pledgee_of(base: str, story: Story) -> str:
    """The story's bank (a participant: the licensed asset is pledged to it), to which the workspace's
    pledge of another asset is shown being prepared."""
    pledges = Client(base, story.holder_api_key).assets.pledges(story.licensed["assetId"])["items"]
    return str(pledges[0]["pledgeeAddress"])


def object_to_first_notice(base: str, story: Story) -> None:
    """The competitor objects to the first application in notice (its own key), so the workbench shows
    an open objection with its evidence."""
    objector = Client(base, story.objector_api_key)
    objector.procedure.object(
        story.in_notice[0]["assetId"],
        "这些出入库记录由本公司采集 the movements were recorded by us",
        signer=LocalKeySigner(story.objector_private_key),
    )


def pages(
    story: Story, keystore: Path, holder_keystore: Path, data_file: Path, pledgee: str
) -> dict[str, Callable[[Page, str], None]]:
    """Each page by name: how to reach it from the base URL (``keystore``: the registrar's key;
    ``holder_keystore``: the holder's, which registers ``data_file`` from its workspace and prepares a
    pledge to ``pledgee``)."""
    tampered = copy.deepcopy(story.valid)
    tampered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"

    def goto(path: str) -> Callable[[Page, str], None]:
        def reach(page: Page, base: str) -> None:
            page.goto(base + path)

        return reach

    def paste(page: Page, base: str) -> None:
        page.goto(base + "/verify")
        page.fill("#certificate", json.dumps(tampered))
        page.click("[data-testid=verify-document]")

    def workbench(page: Page, base: str) -> None:
        page.goto(base + "/workbench")
        page.evaluate("sessionStorage.clear()")  # signed out: the sign-in form shows
        page.goto(base + "/workbench")
        page.fill("#api-key", story.registrar_api_key)
        page.click("[data-testid=sign-in]")
        page.wait_for_selector("[data-testid=queue-registered]")

    def signing(page: Page, base: str) -> None:
        workbench(page, base)
        page.set_input_files("#keystore", str(keystore))
        page.fill("#keystore-password", KEYSTORE_PASSWORD)
        page.click("[data-testid=unlock]")
        page.locator("#key-status", has_text="0x").wait_for()  # (the pages' CSP forbids eval'd waits)
        page.click(f'[data-asset-id="{story.application["assetId"]}"] [data-testid=formal-review]')
        page.wait_for_selector("[data-testid=sign-dialog][open]")

    def workspace_signed_out(page: Page, base: str) -> None:
        page.goto(base + "/workspace")
        page.evaluate("sessionStorage.clear()")  # (the workbench's key is the tab's): the sign-in form
        page.goto(base + "/workspace")

    def workspace(page: Page, base: str) -> None:
        workspace_signed_out(page, base)
        page.fill("#api-key", story.holder_api_key)
        page.click("[data-testid=sign-in]")
        page.wait_for_selector("[data-testid=certificate]")

    def workspace_hashed(page: Page, base: str) -> None:
        workspace(page, base)
        page.set_input_files("#data-file", str(data_file))
        page.locator("#content-hash", has_text="0x").wait_for()
        page.fill("#asset-name", "离岛免税会员消费明细 Duty-free member purchases")
        page.fill("#asset-industry", "零售 / 离岛免税 retail")
        page.fill("#asset-source", "Point-of-sale systems of the holder's own stores")

    def workspace_signing(page: Page, base: str) -> None:
        workspace_hashed(page, base)
        page.set_input_files("#keystore", str(holder_keystore))
        page.fill("#keystore-password", KEYSTORE_PASSWORD)
        page.click("[data-testid=unlock]")
        page.locator("#key-status", has_text="0x").wait_for()
        page.click("[data-testid=register]")
        page.wait_for_selector("[data-testid=sign-dialog][open]")  # not signed: the ledger stays as told

    def signed_in(path: str, api_key: str, ready: str) -> Callable[[Page, str], None]:
        """``path`` signed in with ``api_key`` (the tab's earlier key forgotten), once ``ready`` shows."""

        def reach(page: Page, base: str) -> None:
            page.goto(base + path)
            page.evaluate("sessionStorage.clear()")
            page.goto(base + path)
            page.fill("#api-key", api_key)
            page.click("[data-testid=sign-in]")
            page.wait_for_selector(ready)

        return reach

    def unlock(page: Page, keystore_file: Path) -> None:
        page.set_input_files("#keystore", str(keystore_file))
        page.fill("#keystore-password", KEYSTORE_PASSWORD)
        page.click("[data-testid=unlock]")
        page.locator("#key-status", has_text="0x").wait_for()

    holder_trades = signed_in("/workspace/trades", story.holder_api_key, "[data-testid=order]")

    def trades_signing(page: Page, base: str) -> None:
        """The holder's acceptance of the waiting order, prepared and shown, not signed."""
        holder_trades(page, base)
        unlock(page, holder_keystore)
        page.click(f'[data-order-id="{story.market.waiting["orderId"]}"] [data-testid=accept-order]')
        page.wait_for_selector("[data-testid=sign-dialog][open]")

    def pledge_certificate_signing(page: Page, base: str) -> None:
        """The registrar's pledge certificate of the pledge awaiting it, prepared and shown, not signed."""
        workbench(page, base)
        unlock(page, keystore)
        awaiting = story.pledging.awaiting["assetId"]
        page.click(
            f'[data-testid=queue-pledges] [data-asset-id="{awaiting}"] [data-testid=issue-pledge-certificate]'
        )
        page.wait_for_selector("[data-testid=sign-dialog][open]")

    def pledge_tampered(page: Page, base: str) -> None:
        forged = copy.deepcopy(story.pledging.certified)
        forged["credentialSubject"]["securedAmount"] = 1
        page.goto(base + "/pledge-certificates")
        page.fill("#certificate", json.dumps(forged))
        page.click("[data-testid=check-document]")

    def workspace_pledge(page: Page, base: str) -> None:
        """The holder's side of the pledge of the valid certificate's asset to the bank, prepared and
        shown, not signed (the bank countersigns in its own workspace)."""
        workspace(page, base)
        page.set_input_files("#keystore", str(holder_keystore))
        page.fill("#keystore-password", KEYSTORE_PASSWORD)
        page.click("[data-testid=unlock]")
        page.locator("#key-status", has_text="0x").wait_for()
        pledge = page.locator(f'[data-asset-id="{valid_asset}"] [data-testid=pledge]')
        pledge.locator("summary").click()
        suffix = valid_asset[2:12]
        page.fill(f"#pledgee-{suffix}", pledgee)
        page.fill(f"#terms-{suffix}", "贷款 HN-2026-0117，人民币 300 万元 loan HN-2026-0117, RMB 3m")
        page.fill(f"#amount-{suffix}", "3000000")
        page.fill(f"#valuation-{suffix}", "评估值 500 万元 appraised at RMB 5m, report HN-VAL-2026-031")
        pledge.locator("[data-testid=pledge-sign]").click()
        page.wait_for_selector("[data-testid=sign-dialog][open]")

    first_notice = story.in_notice[0]
    valid_asset = story.valid["credentialSubject"]["asset"]["assetId"]
    today = datetime.now(CHINA).date()
    period = f"from={(today - timedelta(days=1)).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"
    certified_pledge = story.pledging.certified["credentialSubject"]["pledgeCertificateNumber"]
    ended_pledge = story.pledging.ended["credentialSubject"]["pledgeCertificateNumber"]
    return {
        "home": goto("/"),
        "verify-form": goto("/verify"),
        "verify-valid": goto(f"/verify?number={number(story.valid)}"),
        "verify-revoked": goto(f"/verify?number={number(story.revoked)}"),
        "verify-superseded": goto(f"/verify?number={number(story.superseded)}"),
        "verify-unknown": goto("/verify?number=DIP-209901-460100-999999"),
        "verify-tampered": paste,
        "verify-from-qr": lambda page, base: page.goto(qr_url(base, story.valid)) and None,
        "notices": goto("/notices"),
        "notices-search": goto("/notices?q=" + first_notice["contentHash"][:12]),
        "notice-record": goto(f"/notices/{first_notice['assetId']}"),
        "asset": goto(f"/assets/{story.licensed['assetId']}"),
        "asset-product": goto(f"/assets/{story.product['assetId']}"),
        "trace": goto(f"/trace/{duty_free_scenario.SOLD_BOTTLE}"),
        "trace-from-product-qr": goto("/01/03012345123457/21/A1-1"),
        "trace-from-lot-qr": goto("/01/03012345123457/10/A1"),
        "workbench": goto("/workbench"),
        "workbench-signed-in": workbench,
        "workbench-signing": signing,
        "workspace": workspace_signed_out,
        "workspace-signed-in": workspace,
        "workspace-hashed": workspace_hashed,
        "workspace-signing": workspace_signing,
        "workspace-pledge": workspace_pledge,
        "workbench-pledge-signing": pledge_certificate_signing,
        "workspace-trades": holder_trades,
        "workspace-trades-signing": trades_signing,
        "workspace-trades-buyer": signed_in(
            "/workspace/trades", story.market.buyer_api_key, "#bought tr[data-order-id]"
        ),
        "workspace-vouchers": signed_in(
            "/workspace/vouchers", story.market.buyer_api_key, "[data-testid=balance]"
        ),
        "programmes": signed_in("/programmes", story.market.authority_api_key, "[data-testid=programme]"),
        "market-statistics": goto(f"/market/statistics?{period}"),
        "market-statistics-exchange": goto(
            f"/market/statistics?exchange={story.market.exchange_id}&{period}"
        ),
        "pledge-certificate-form": goto("/pledge-certificates"),
        "pledge-certificate-active": goto(f"/pledge-certificates?number={certified_pledge}"),
        "pledge-certificate-ended": goto(f"/pledge-certificates?number={ended_pledge}"),
        "pledge-certificate-unknown": goto("/pledge-certificates?number=DPL-209901-460100-999999"),
        "pledge-certificate-tampered": pledge_tampered,
        "error-bad-number": goto("/verify?number=not-a-number"),
        "error-bad-lot": goto("/01/03012345123457/10/" + "L" * 21),
        "error-bad-period": goto("/market/statistics?from=2026-11-30&to=2026-11-01"),
        "error-link-segment": goto("/01/03012345123457/10/A1/extra"),
    }


def shoot(
    base: str, story: Story, out: Path, keystores: tuple[Path, Path], data_file: Path, pledgee: str
) -> list[Path]:
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for lang in ("zh", "en"):
                for width_name, (width, height) in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
                    page = context.new_page()
                    for name, reach in pages(story, *keystores, data_file, pledgee).items():
                        reach(page, base)
                        path = out / f"{name}-{lang}-{width_name}.png"
                        page.screenshot(path=str(path), full_page=True)
                        written.append(path)
                    context.close()
        finally:
            browser.close()
    for lang in ("zh", "en"):
        pdf = httpx.get(f"{base}/certificates/{number(story.valid)}.pdf?lang={lang}", timeout=60).content
        path = out / f"certificate-pdf-{lang}.png"
        pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil().save(path)
        written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the PNG files into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dataledger-screenshots-") as folder:
        settings = Settings(data_dir=Path(folder), environment="test")
        services = build_services(settings)
        try:
            with serving(create_app(services, on_shutdown=[services.drain])) as base:
                story = tell(base, settings.admin_api_key.get_secret_value())
                object_to_first_notice(base, story)
                keystore = LocalKeySigner(story.registrar_private_key).to_keystore(
                    Path(folder) / "registrar-keystore.json", KEYSTORE_PASSWORD, iterations=2**12
                )
                holder_keystore = LocalKeySigner(story.holder_private_key).to_keystore(
                    Path(folder) / "holder-keystore.json", KEYSTORE_PASSWORD, iterations=2**12
                )
                data_file = Path(folder) / "member-purchases.csv"
                data_file.write_bytes(b"member,store,amount\n" * 50_000)
                written = shoot(
                    base, story, args.out, (keystore, holder_keystore), data_file, pledgee_of(base, story)
                )
        finally:
            services.close()
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
