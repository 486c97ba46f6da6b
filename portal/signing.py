"""What a page that signs acts in the browser gives its scripts: the texts of the signing dialog (and of
the page's own prefix), the registry's EIP-712 domain facts, and each act's fields as the contract hashes
them, so the page refuses to sign a prepared message of another shape."""

from __future__ import annotations

from typing import Any

from dataledger.portal.i18n import catalogue
from dataledger.portal.ports import PortalServices
from dataledger.registry.holder_signatures import ACT_TYPES

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
        "actTypes": {
            name: [{"name": field, "type": kind} for field, kind in ACT_TYPES[name]] for name in sorted(acts)
        },
    }
