"""What a page that signs acts in the browser gives its scripts: the texts of the signing dialog (and of
the page's own prefix), the registry's EIP-712 domain facts, and each act's fields as the contract hashes
them, so the page refuses to sign a prepared message of another shape."""

from __future__ import annotations

from typing import Any

from dataledger.portal.i18n import catalogue
from dataledger.portal.ports import PortalServices
from dataledger.registry.holder_signatures import (
    ACT_TYPES,
    LICENCE_REGISTRY_ACT_TYPES,
    REGISTRATION_TYPES,
)

# The acts the trades contract checks (its own EIP-712 domain).
TRADE_ACT_TYPES = frozenset({"TradeOrder", "TradeAcceptance", "TradeMandate", "TradeMandateRevocation"})
# The texts every signing page's scripts show, besides the page's own prefix.
SIGNING_MESSAGE_PREFIXES = ("sign.", "key.", "problem.", "status.", "right.")


def signing_data(
    services: PortalServices, lang: str, acts: frozenset[str], *page_prefixes: str
) -> dict[str, Any]:
    """The ``signing-data`` JSON block of a page whose scripts sign ``acts`` (EIP-712 primary types)."""
    texts = catalogue()
    prefixes = SIGNING_MESSAGE_PREFIXES + page_prefixes
    return {
        "messages": {key: texts.text(key, lang) for key in texts.messages if key.startswith(prefixes)},
        "lang": lang,
        "registry": {"chainId": services.registry.chain_id, "address": services.registry.registry_address},
        "actTypes": {name: _fields(name) for name in sorted(acts)},
        # the contract each act is signed for (its EIP-712 domain's verifyingContract)
        "actContracts": {name: _contract(services, name) for name in sorted(acts)},
    }


def _contract(services: PortalServices, primary_type: str) -> str:
    if primary_type in LICENCE_REGISTRY_ACT_TYPES:
        return services.licensing.domain.verifying_contract
    if primary_type in TRADE_ACT_TYPES:
        return services.trades.domain.verifying_contract
    return services.registry.registry_address


def _fields(primary_type: str) -> list[dict[str, str]]:
    """The act's fields as the contract hashes them (the registration's are declared apart)."""
    if primary_type in REGISTRATION_TYPES:
        return [dict(entry) for entry in REGISTRATION_TYPES[primary_type]]
    return [{"name": field, "type": kind} for field, kind in ACT_TYPES[primary_type]]
