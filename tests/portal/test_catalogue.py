"""The one message catalogue: every key in both languages, every key a page uses present, and a human
name for every status, check, act, right and problem code the pages can show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataledger.api.problems import problem_catalogue
from dataledger.cli.duty_free_scenario import duty_free_documents, recall_document
from dataledger.portal.i18n import (
    LANGUAGES,
    Catalogue,
    CatalogueError,
    UnknownMessage,
    catalogue,
    negotiate,
)
from dataledger.portal.rendering import TEMPLATES, environment, labeller, translator
from dataledger.portal.trace_page import short_name
from dataledger.registry.assets import AssetState, RightClaimed
from dataledger.registry.certificate_verifier import Check
from dataledger.registry.chain_records import ACT_OF_EVENT
from dataledger.registry.market.trades import TradeStatus
from dataledger.registry.market.vouchers import VoucherPurpose
from dataledger.registry.pledge_certificate import PledgeStanding

# t("key") and t('key', ...) with a literal key; dynamic keys (t("check." ~ name)) are covered below.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""")
DYNAMIC_PREFIX = re.compile(r"""\bt\(\s*["']([a-z0-9_-]+)\.["']\s*~""")
# The prefixes whose every value test_every_value_a_page_shows_has_a_human_name covers.
COVERED_PREFIXES = {
    "status",
    "check",
    "act",
    "right",
    "outcome",
    "problem",
    "pledge",
    "step",
    "disposition",
    "detail",
    "standing",
    "pcheck",
    "trade",
    "purpose",
}
PORTAL = TEMPLATES.parent


def test_a_message_lacking_a_language_is_refused() -> None:
    with pytest.raises(CatalogueError, match=r"'home\.title' lacks en"):
        Catalogue({"home.title": {"zh": "首页"}})


def test_an_empty_text_is_refused() -> None:
    with pytest.raises(CatalogueError, match="lacks zh"):
        Catalogue({"home.title": {"zh": " ", "en": "Home"}})


def test_every_message_of_the_catalogue_has_both_languages() -> None:
    texts = catalogue()
    assert len(texts.messages) > 200
    assert all(set(entry) == set(LANGUAGES) for entry in texts.messages.values())


def _literal_keys(paths: list[Path]) -> dict[str, set[str]]:
    return {path.name: set(LITERAL_KEY.findall(path.read_text(encoding="utf-8"))) for path in paths}


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    used = _literal_keys(sorted(TEMPLATES.glob("*.html")))
    assert sum(len(keys) for keys in used.values()) > 50
    unknown = {name: sorted(keys - set(catalogue().messages)) for name, keys in used.items()}
    assert {name: keys for name, keys in unknown.items() if keys} == {}


def test_every_key_a_template_builds_has_a_prefix_whose_values_are_all_named() -> None:
    built = {
        prefix for path in TEMPLATES.glob("*.html") for prefix in DYNAMIC_PREFIX.findall(path.read_text())
    }
    assert built
    assert built <= COVERED_PREFIXES


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    used = _literal_keys(sorted(PORTAL.rglob("*.py")))
    keys = {key for found in used.values() for key in found}
    # keys handed to PageError, VerdictWarning and the PDF's texts (template names aside)
    named = re.findall(r'"((?:verify|error|warning|pdf|problem)\.[a-z0-9_.-]+)"', _sources())
    keys |= {key for key in named if not key.endswith(".html")}
    assert len(keys) > 20
    assert sorted(key for key in keys if key not in catalogue()) == []


def _sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(PORTAL.rglob("*.py")))


def test_every_message_is_used_by_a_page_the_code_or_a_family_of_values() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in ("*.html", "*.py", "*.js")
        for path in PORTAL.rglob(pattern)
    )
    # "sign.": the signing dialog names each field and act type it meets (signing.js builds the keys);
    # "asset.fact.": the asset page's signed-in view names each fact (asset.js)
    families = tuple(f"{prefix}." for prefix in (*COVERED_PREFIXES, "countdown", "sign", "asset.fact"))
    unused = [
        key
        for key in catalogue().messages
        if not key.startswith(families) and f'"{key}"' not in sources and f"'{key}'" not in sources
    ]
    assert unused == []


def test_an_unknown_key_fails_the_page_that_uses_it() -> None:
    with pytest.raises(UnknownMessage):
        environment().from_string('{{ t("home.no-such-key") }}').render(t=translator("zh"))


def _duty_free_events() -> list[dict[str, object]]:
    documents = [*duty_free_documents(), ("recall", recall_document([]))]
    return [event for _, document in documents for event in document["epcisBody"]["eventList"]]


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("status", [state.value for state in AssetState]),
        ("status", ["valid", "superseded", "revoked", "cancelled", "expired", "not-anchored", "invalid"]),
        ("check", [check.value for check in Check] + ["passed", "failed", "not-run"]),
        ("act", sorted(ACT_OF_EVENT.values())),
        ("right", [right.value for right in RightClaimed]),
        ("outcome", ["valid", "offline", "revoked", "superseded", "expired", "tampered", "unknown"]),
        ("problem", sorted(problem_catalogue())),
        ("pledge", ["active", "released", "enforced"]),
        # a check's general sentence, for a detail of the verifier's that no pattern reads back
        ("detail", [f"{check.value}.failed" for check in Check]),
        ("step", sorted({short_name(e.get("bizStep")) for e in _duty_free_events()})),
        ("disposition", sorted({short_name(e.get("disposition")) for e in _duty_free_events()})),
        ("standing", [standing.value for standing in PledgeStanding]),
        ("standing", [f"{standing.value}.text" for standing in PledgeStanding]),
        ("pcheck", ["proof-signature", "on-chain-record", "pledge-standing", "pledge-terms", "format"]),
        ("trade", [status.value for status in TradeStatus]),
        ("trade", sorted({f"settlement.{status.settlement}" for status in TradeStatus})),
        ("purpose", [purpose.value for purpose in VoucherPurpose]),
    ],
)
def test_every_value_a_page_shows_has_a_human_name(prefix: str, values: list[str]) -> None:
    missing = [value for value in values if f"{prefix}.{value}" not in catalogue()]
    assert missing == []


def test_a_value_without_a_human_name_is_shown_as_it_is() -> None:
    label = labeller("en")
    assert label("status", "in_notice") == "In public notice"
    assert label("right", "a-right-a-tampered-certificate-claims") == "a-right-a-tampered-certificate-claims"


@pytest.mark.parametrize(
    ("choice", "cookie", "accept_language", "expected"),
    [
        (None, None, None, "zh"),
        (None, None, "fr-FR, de;q=0.8", "zh"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "EN-gb", "en"),
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, None, "fr, en;q=0.5, zh;q=0.4", "en"),
        (None, None, "en;q=0, zh;q=0.1", "zh"),
        (None, "en", "zh-CN", "en"),
        ("zh", "en", "en-US", "zh"),
        ("klingon", None, "en", "en"),
    ],
)
def test_the_language_is_the_choice_then_the_cookie_then_the_browsers_then_chinese(
    choice: str | None, cookie: str | None, accept_language: str | None, expected: str
) -> None:
    assert negotiate(choice, cookie, accept_language) == expected
